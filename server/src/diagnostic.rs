//! What the engine reports: diagnostics with exact byte ranges, and fixes as text edits.
//!
//! These types are the engine's API boundary: the CLI and the language server only read them.

use std::fmt;
use std::sync::Arc;

use crate::text::TextRange;

/// Immutable shared text: a message, a fix title, an edit's new text. Memoised findings are handed out
/// again on every keystroke, and cloning this is a reference count, not a copy of the text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(Arc<str>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both are the same allocation (then they are equal without comparing bytes).
    pub fn same(&self, other: &Text) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(s.into())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.into())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0.to_string()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

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
    pub new_text: Text,
}

/// A fix: edits applied together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: Text,
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
            title: self.title.replace(DIGEST_PLACEHOLDER, digest).into(),
            applicability: self.applicability,
            edits: self
                .edits
                .iter()
                .map(|e| TextEdit {
                    file: e.file.clone(),
                    range: e.range,
                    new_text: e.new_text.replace(DIGEST_PLACEHOLDER, digest).into(),
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
    pub message: Text,
    /// What to do.
    pub help: Option<Text>,
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
