//! What the engine reports: diagnostics with exact byte ranges, and fixes as text edits.
//!
//! These types are the engine's API boundary: the CLI and the language server only read them.

use std::fmt;

use crate::text::TextRange;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Informational: a hint the editor may show faintly.
    Hint,
    Info,
    Warning,
    /// The build fails, or a serious security problem.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "hint" => Some(Severity::Hint),
            "info" | "information" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How safe a fix is to apply without review (after ruff's definitions, in Dockerfile terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Applicability {
    /// A template for the user to finish: shown, never applied automatically.
    DisplayOnly,
    /// Very likely right, but it can change what the image does at run time (for example adding a USER):
    /// applied by the CLI only with `--unsafe-fixes`; offered as a quick fix in editors.
    Unsafe,
    /// Certainly what the author meant; it changes nothing in the image beyond the flagged problem.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// The file a diagnostic or an edit refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileRef {
    /// The Dockerfile being checked.
    Dockerfile,
    /// The ignore file that applies to it (`<Dockerfile>.dockerignore` or `<context>/.dockerignore`).
    IgnoreFile,
}

/// Replace `range` of `file` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub file: FileRef,
    pub range: TextRange,
    pub new_text: String,
}

/// A fix: edits applied together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<TextEdit>,
    /// The edits create `file` (which does not exist yet) with the given text.
    pub creates: Option<FileRef>,
    /// The fix needs a fact from outside the engine before it can be applied; its edits contain
    /// [`DIGEST_PLACEHOLDER`] until an edge looks the fact up (only when the user asks).
    pub resolve: Option<Resolve>,
}

/// Where an unresolved fix's edits hold the digest still to be looked up.
pub const DIGEST_PLACEHOLDER: &str = "{digest}";

/// A fact a fix needs from outside the engine.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resolve {
    /// The digest (`sha256:...`) the registry currently serves for `reference` (a normalised
    /// `domain/path:tag`); for a multi-platform image, the digest of its index.
    Digest { reference: String },
}

impl Fix {
    /// Whether the fix can be applied as it is.
    pub fn is_resolved(&self) -> bool {
        self.resolve.is_none()
    }

    /// This fix with its digest filled in.
    pub fn with_digest(&self, digest: &str) -> Fix {
        Fix {
            title: self.title.replace(DIGEST_PLACEHOLDER, digest),
            applicability: self.applicability,
            edits: self
                .edits
                .iter()
                .map(|e| TextEdit {
                    file: e.file.clone(),
                    range: e.range,
                    new_text: e.new_text.replace(DIGEST_PLACEHOLDER, digest),
                })
                .collect(),
            creates: self.creates.clone(),
            resolve: None,
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Rule code, `DW001`.
    pub code: &'static str,
    /// Rule name, `syntax-error`.
    pub name: &'static str,
    /// The file the range is in.
    pub file: FileRef,
    pub range: TextRange,
    pub severity: Severity,
    /// What is wrong and why it matters, in the user's language.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// The catalog id of the message (stable across languages; for tests and tools).
    pub message_id: &'static str,
    pub fixes: Vec<Fix>,
    /// Other places that explain the finding (the later instruction that deletes a file, the ARG a value
    /// comes from).
    pub related: Vec<Related>,
}

/// A place related to a finding, with what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: FileRef,
    pub range: TextRange,
    pub message: String,
}

impl Diagnostic {
    /// The sort key of the engine's output: file, range, then code.
    pub fn sort_key(&self) -> (&FileRef, u32, u32, &'static str) {
        (&self.file, self.range.start, self.range.end, self.code)
    }
}
