//! Open documents: the text as the client has it, its line index, and for Dockerfiles the syntax tree,
//! updated incrementally on every edit.

use std::path::PathBuf;

use lsp_types::TextDocumentContentChangeEvent;

use crate::cli::discover::{is_dockerfile_name, is_ignore_name};
use crate::lsp::convert;
use crate::syntax::{self, Dockerfile, Edit};
use crate::text::{Encoding, LineIndex, TextRange, floor_char_boundary};

/// What kind of file a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    Dockerfile,
    /// `.dockerignore` or `*.dockerignore`.
    Ignore,
    Other,
}

/// The kind of a document from its language id and file name. The name decides first: editors give
/// `.dockerignore` files all sorts of language ids (`ignore`, `gitignore`, `plaintext`, none).
pub fn kind_of(uri: &str, language_id: &str) -> DocKind {
    let name = uri.rsplit('/').next().unwrap_or(uri);
    let name = name.split(['?', '#']).next().unwrap_or(name);
    let name = String::from_utf8(percent_decode_lossy(name)).unwrap_or_default();
    if is_ignore_name(&name) {
        DocKind::Ignore
    } else if is_dockerfile_name(&name)
        || language_id.eq_ignore_ascii_case("dockerfile")
        || language_id.eq_ignore_ascii_case("containerfile")
    {
        DocKind::Dockerfile
    } else if language_id.eq_ignore_ascii_case("dockerignore") {
        DocKind::Ignore
    } else {
        DocKind::Other
    }
}

fn percent_decode_lossy(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// A change of a document's text as its last publication sees it: the byte range of the old text it
/// replaced, the length of what it inserted, the line the replaced range ended on, and how many lines
/// the text gained (negative: lost). Enough to tell where a position the change did not touch is now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub start: u32,
    pub end: u32,
    pub new_len: u32,
    pub end_line: u32,
    pub lines_delta: i64,
}

impl Change {
    /// The change that replaces `start..end` of `text` (whose line index is `index`) with `inserted`.
    pub fn new(text: &str, index: &LineIndex, start: usize, end: usize, inserted: &str) -> Change {
        let newlines = |t: &str| t.bytes().filter(|&b| b == b'\n').count() as i64;
        Change {
            start: start as u32,
            end: end as u32,
            new_len: inserted.len() as u32,
            end_line: index.line_of(end as u32),
            lines_delta: newlines(inserted) - newlines(&text[start..end]),
        }
    }

    /// Where a position (byte offset, line, column) is after the change, when the change cannot have
    /// moved its column: it lies before the replaced range (nothing before it changed), or at or after
    /// the range's end on a later line than the one the range ended on (its whole line is unchanged text,
    /// so only its line number moved). `None` otherwise.
    pub fn map(&self, offset: u32, line: u32, col: u32) -> Option<(u32, u32, u32)> {
        if offset < self.start {
            return Some((offset, line, col));
        }
        if offset >= self.end && line > self.end_line {
            let offset = i64::from(offset) + i64::from(self.new_len) - i64::from(self.end - self.start);
            let line = i64::from(line) + self.lines_delta;
            return Some((u32::try_from(offset).ok()?, u32::try_from(line).ok()?, col));
        }
        None
    }
}

/// How many changes a document keeps for its next publication; after more, it starts afresh.
const MAX_CHANGES: usize = 16;

/// An open document.
#[derive(Clone, Debug)]
pub struct Document {
    pub uri: String,
    pub path: Option<PathBuf>,
    pub version: i32,
    pub language_id: String,
    pub kind: DocKind,
    pub text: String,
    pub index: LineIndex,
    /// The syntax tree of a Dockerfile.
    pub tree: Option<Dockerfile>,
    /// The changes applied since [`Document::take_changes`], in order; `None` after a change that replaced
    /// the whole text, or after more than [`MAX_CHANGES`].
    changes: Option<Vec<Change>>,
}

impl Document {
    pub fn new(uri: String, language_id: String, version: i32, text: String) -> Document {
        let kind = kind_of(&uri, &language_id);
        let tree = (kind == DocKind::Dockerfile).then(|| syntax::parse(&text));
        let index = LineIndex::new(&text);
        Document {
            path: convert::uri_to_path(&uri),
            uri,
            version,
            language_id,
            kind,
            text,
            index,
            tree,
            // A new document's text has no known relation to any earlier publication of its URI (an
            // editor may open a URI again without closing it): its first publication converts every
            // position.
            changes: None,
        }
    }

    /// The changes applied since the last call (`None`: not known, such as after a change that replaced
    /// the whole text), and from now on none.
    pub fn take_changes(&mut self) -> Option<Vec<Change>> {
        self.changes.replace(Vec::new())
    }

    /// Applies content changes in order. Ranges are in `enc` and clamped to the text; a change without
    /// a range replaces everything. Returns how many changes had to be clamped.
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: Encoding,
    ) -> usize {
        let mut clamped = 0;
        for change in changes {
            match change.range {
                None => {
                    self.changes = None;
                    self.text = change.text;
                    self.index = LineIndex::new(&self.text);
                    if self.kind == DocKind::Dockerfile {
                        self.tree = Some(syntax::parse(&self.text));
                    }
                }
                Some(r) => {
                    let lines = self.index.line_count() as u32;
                    if r.start.line >= lines || r.end.line >= lines {
                        clamped += 1;
                    }
                    let range = convert::text_range(&self.text, &self.index, r, enc);
                    let start = floor_char_boundary(&self.text, range.start as usize);
                    let end = floor_char_boundary(&self.text, range.end as usize).max(start);
                    let record = Change::new(&self.text, &self.index, start, end, &change.text);
                    self.changes = self.changes.take().filter(|c| c.len() < MAX_CHANGES).map(|mut c| {
                        c.push(record);
                        c
                    });
                    self.index.edit(
                        TextRange::new(start as u32, end as u32),
                        &self.text[start..end],
                        &change.text,
                    );
                    self.text.replace_range(start..end, &change.text);
                    if let Some(tree) = &mut self.tree {
                        let edit = Edit {
                            range: TextRange::new(start as u32, end as u32),
                            new_len: change.text.len() as u32,
                        };
                        tree.apply_edit(&self.text, edit);
                    }
                }
            }
        }
        self.version = version;
        clamped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn kinds_by_name_first() {
        assert_eq!(kind_of("file:///x/.dockerignore", "ignore"), DocKind::Ignore);
        assert_eq!(
            kind_of("file:///x/api.Dockerfile.dockerignore", "plaintext"),
            DocKind::Ignore
        );
        assert_eq!(kind_of("file:///x/Containerfile", ""), DocKind::Dockerfile);
        assert_eq!(kind_of("file:///x/build", "dockerfile"), DocKind::Dockerfile);
        assert_eq!(
            kind_of("file:///x/my%20app.Dockerfile", "plaintext"),
            DocKind::Dockerfile
        );
        assert_eq!(kind_of("file:///x/.gitignore", "ignore"), DocKind::Other);
    }

    #[test]
    fn incremental_changes_keep_the_tree_in_sync() {
        let mut d = Document::new(
            "file:///x/Dockerfile".into(),
            "dockerfile".into(),
            1,
            "FROM a\nRUN 😀 x\n".into(),
        );
        let change = |l1, c1, l2, c2, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: l1,
                    character: c1,
                },
                end: Position {
                    line: l2,
                    character: c2,
                },
            }),
            range_length: None,
            text: t.into(),
        };
        // UTF-16: the emoji is two code units; insert after it.
        d.apply_changes(
            2,
            vec![change(1, 6, 1, 6, "é"), change(0, 5, 0, 6, "alpine")],
            Encoding::Utf16,
        );
        assert_eq!(d.text, "FROM alpine\nRUN 😀é x\n");
        assert_eq!(d.tree.as_ref().unwrap(), &syntax::parse(&d.text));
        // Out-of-range positions clamp instead of failing.
        let clamped = d.apply_changes(3, vec![change(40, 0, 50, 0, "USER x\n")], Encoding::Utf16);
        assert_eq!(clamped, 1);
        assert!(d.text.ends_with("USER x\n"));
        assert_eq!(d.tree.as_ref().unwrap(), &syntax::parse(&d.text));
    }
}
