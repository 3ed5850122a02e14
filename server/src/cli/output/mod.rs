//! Output formats of `dockward check`: human (rustc-style snippets), json, sarif.

pub mod human;
pub mod json;
pub mod sarif;

use crate::diagnostic::{Diagnostic, FileRef};
use crate::text::{Encoding, LineIndex, TextRange};

/// The findings of one checked Dockerfile, with what is needed to render positions.
pub struct FileReport {
    /// The Dockerfile's path as the user gave it (or as found under a directory).
    pub path: String,
    pub text: String,
    pub ignore_path: Option<String>,
    pub ignore_text: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Number of fixes applied to this file by `--fix`.
    pub fixed: usize,
    /// The line indexes of the Dockerfile and of the ignore file, built at the first position asked for
    /// (a file with many findings is scanned once, not once per position).
    lines: [std::sync::OnceLock<LineIndex>; 2],
}

/// A 1-based position: line, and column counted in Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl FileReport {
    pub fn new(
        path: String,
        text: String,
        ignore: Option<(String, Option<String>)>,
        diagnostics: Vec<Diagnostic>,
        fixed: usize,
    ) -> Self {
        let (ignore_path, ignore_text) = match ignore {
            Some((p, t)) => (Some(p), t),
            None => (None, None),
        };
        FileReport {
            path,
            text,
            ignore_path,
            ignore_text,
            diagnostics,
            fixed,
            lines: Default::default(),
        }
    }

    /// The path and text a file reference resolves to.
    pub fn file(&self, f: &FileRef) -> (&str, &str) {
        match f {
            FileRef::Dockerfile => (&self.path, &self.text),
            FileRef::IgnoreFile => (
                self.ignore_path.as_deref().unwrap_or(".dockerignore"),
                self.ignore_text.as_deref().unwrap_or(""),
            ),
        }
    }

    /// 1-based start and end positions of a range in a file.
    pub fn positions(&self, f: &FileRef, range: TextRange) -> (Pos, Pos) {
        let (_, text) = self.file(f);
        let slot = match f {
            FileRef::Dockerfile => 0,
            FileRef::IgnoreFile => 1,
        };
        positions_in(self.lines[slot].get_or_init(|| LineIndex::new(text)), text, range)
    }
}

/// Renders every report with `render` on up to `threads` threads (each report's text depends on it alone);
/// the parts come back in the order of `reports`. A few findings are rendered on this thread: starting
/// threads would cost more.
pub fn render_parts(
    reports: &[FileReport],
    threads: usize,
    render: impl Fn(&FileReport, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<Vec<Vec<u8>>> {
    let findings: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    let threads = if findings < 256 { 1 } else { threads };
    crate::cli::parallel::map_ordered(reports, threads, |r| {
        let mut buf = Vec::new();
        render(r, &mut buf).map(|()| buf)
    })
    .into_iter()
    .collect()
}

/// 1-based start and end positions of a range in `text`.
pub fn positions(text: &str, range: TextRange) -> (Pos, Pos) {
    positions_in(&LineIndex::new(text), text, range)
}

fn positions_in(idx: &LineIndex, text: &str, range: TextRange) -> (Pos, Pos) {
    let s = idx.to_line_col(text, range.start, Encoding::Utf32);
    let e = idx.to_line_col(text, range.end, Encoding::Utf32);
    (
        Pos {
            line: s.line + 1,
            column: s.col + 1,
        },
        Pos {
            line: e.line + 1,
            column: e.col + 1,
        },
    )
}
