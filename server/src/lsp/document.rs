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
    /// Neither the replaced nor the inserted text holds a line break: the change is inside one line.
    pub one_line: bool,
}

impl Change {
    /// The change that replaces `start..end` of `text` (whose line index is `index`) with `inserted`.
    pub fn new(text: &str, index: &LineIndex, start: usize, end: usize, inserted: &str) -> Change {
        let line_breaks = |t: &str| t.bytes().filter(|&b| b == b'\n' || b == b'\r').count();
        let newlines = |t: &str| t.bytes().filter(|&b| b == b'\n').count() as i64;
        let removed = &text[start..end];
        Change {
            start: start as u32,
            end: end as u32,
            new_len: inserted.len() as u32,
            end_line: index.line_of(end as u32),
            lines_delta: newlines(inserted) - newlines(removed),
            one_line: line_breaks(inserted) == 0 && line_breaks(removed) == 0,
        }
    }

    /// This change followed by `next` (a change of the text this one made) as one change, when both are
    /// inside the same line: typing on one line between two publications then keeps one change, not one
    /// per keystroke. The range is the union of both, in the text before this change.
    pub fn then(&self, next: &Change) -> Option<Change> {
        if !self.one_line || !next.one_line || self.end_line != next.end_line {
            return None;
        }
        let (s1, e1, n1) = (i64::from(self.start), i64::from(self.end), i64::from(self.new_len));
        let (s2, e2, n2) = (i64::from(next.start), i64::from(next.end), i64::from(next.new_len));
        let delta1 = n1 - (e1 - s1);
        // An offset of the text after this change, in the text before it (inside the inserted text: the
        // start or the end of the replaced range).
        let back = |x: i64, inside: i64| {
            if x < s1 {
                x
            } else if x >= s1 + n1 {
                x - delta1
            } else {
                inside
            }
        };
        let start = s1.min(back(s2, s1));
        let end = e1.max(back(e2, e1));
        let new_len = end - start + delta1 + (n2 - (e2 - s2));
        Some(Change {
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
            new_len: u32::try_from(new_len).ok()?,
            end_line: self.end_line,
            lines_delta: 0,
            one_line: true,
        })
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
    /// Whether every change since [`Document::take_changes`] was quiet: the engine says it changed only
    /// the text of plain comments on the same lines (`Dockerfile::apply_edit`), so every finding is
    /// where it was, and the last publication had no position on the changed line at or after the
    /// change (the `untouched` of [`Document::apply_changes`]).
    quiet: bool,
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
            quiet: false,
        }
    }

    /// The changes applied since the last call (`None`: not known, such as after a change that replaced
    /// the whole text), and from now on none.
    pub fn take_changes(&mut self) -> Option<Vec<Change>> {
        self.quiet = true;
        self.changes.replace(Vec::new())
    }

    /// Whether the text changed since [`Document::take_changes`] by quiet changes only (see
    /// [`Document::apply_changes`]): the publication made then still shows every diagnostic at its place.
    pub fn quiet(&self) -> bool {
        self.quiet && self.changes.is_some()
    }

    /// Applies content changes in order. Ranges are in `enc` and clamped to the text; a change without
    /// a range replaces everything. Returns how many changes had to be clamped.
    ///
    /// `untouched(line, column)` (a column in `enc`) says whether the last publication has no position
    /// on that line at or after that column. A change is quiet when the engine says it changed only the
    /// text of plain comments on the same lines and `untouched` holds at its start: then every diagnostic
    /// is where it was, and shows the same position (see [`Document::quiet`]).
    pub fn apply_changes(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: Encoding,
        untouched: impl Fn(u32, u32) -> bool,
    ) -> usize {
        let mut clamped = 0;
        for change in changes {
            match change.range {
                None => {
                    self.changes = None;
                    self.quiet = false;
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
                    self.changes = self.changes.take().and_then(|mut c| {
                        match c.last().and_then(|last| last.then(&record)) {
                            Some(joined) => *c.last_mut().expect("a last change") = joined,
                            None if c.len() < MAX_CHANGES => c.push(record),
                            None => return None,
                        }
                        Some(c)
                    });
                    self.index.edit(
                        TextRange::new(start as u32, end as u32),
                        &self.text[start..end],
                        &change.text,
                    );
                    self.text.replace_range(start..end, &change.text);
                    let engine_quiet = match &mut self.tree {
                        Some(tree) => {
                            let edit = Edit {
                                range: TextRange::new(start as u32, end as u32),
                                new_len: change.text.len() as u32,
                            };
                            tree.apply_edit(&self.text, edit)
                        }
                        // Only a Dockerfile's changes can be quiet.
                        None => false,
                    };
                    // The publication is asked only about changes the engine calls quiet (most changes are in
                    // instructions), where the change starts: inside one line, so the text before it and
                    // its line and column are the same after it.
                    self.quiet = self.quiet && record.one_line && self.changes.is_some() && engine_quiet && {
                        let at = self.index.to_line_col(&self.text, start as u32, enc);
                        untouched(at.line, at.col)
                    };
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

    /// Typing on one line between two publications joins its changes into one (`Change::then`): every
    /// position of the text before them maps through the joined change as through the changes one by
    /// one (same place, or none), and a change on another line, or across lines, is not joined.
    #[test]
    fn changes_on_one_line_join_into_one_that_maps_alike() {
        let mut next = crate::testing::numbers_below();
        let base = "FROM a\n# comment on one line\nRUN echo 😀 there\nUSER x\n";
        let mut joined_any = 0;
        for _ in 0..2_000 {
            let mut text = base.to_string();
            let mut index = LineIndex::new(&text);
            let line = 1 + next(2) as u32;
            let (lo, hi) = (index.line_start(line) as usize, index.line_start(line + 1) as usize - 1);
            let mut changes: Vec<Change> = Vec::new();
            let mut joined: Option<Change> = None;
            for _ in 0..1 + next(5) {
                let (lo2, hi2) = (lo, hi + text.len() - base.len());
                let a = floor_char_boundary(&text, lo2 + next(hi2 - lo2 + 1));
                let b = floor_char_boundary(&text, (a + next(3)).min(hi2)).max(a);
                let inserted = ["", "x", "é", "ab"][next(4)];
                let c = Change::new(&text, &index, a, b, inserted);
                assert!(c.one_line);
                joined = match joined {
                    None => Some(c),
                    Some(j) => Some(j.then(&c).expect("changes on one line join")),
                };
                changes.push(c);
                index.edit(TextRange::new(a as u32, b as u32), &text[a..b], inserted);
                text.replace_range(a..b, inserted);
            }
            let joined = joined.expect("a change");
            joined_any += usize::from(changes.len() > 1);
            // The joined change turns the text before into the text after.
            let after = format!(
                "{}{}{}",
                &base[..joined.start as usize],
                &text[joined.start as usize..joined.start as usize + joined.new_len as usize],
                &base[joined.end as usize..]
            );
            assert_eq!(after, text, "{changes:?} joined as {joined:?}");
            let old = LineIndex::new(base);
            for offset in 0..=base.len() as u32 {
                let at = old.to_line_col(base, offset, Encoding::Utf16);
                let one_by_one = changes
                    .iter()
                    .try_fold((offset, at.line, at.col), |(o, l, c), ch| ch.map(o, l, c));
                assert_eq!(
                    joined.map(offset, at.line, at.col),
                    one_by_one,
                    "{changes:?} at {offset}"
                );
            }
        }
        assert!(joined_any > 1_000, "{joined_any}");
        // Other lines, or a line break, are not joined.
        let text = "a\nb\nc\n";
        let index = LineIndex::new(text);
        let (first, second) = (
            Change::new(text, &index, 0, 1, "x"),
            Change::new(text, &index, 2, 3, "y"),
        );
        assert_eq!(first.then(&second), None);
        let broken = Change::new(text, &index, 0, 0, "x\n");
        assert!(!broken.one_line);
        assert_eq!(broken.then(&first), None);
        assert_eq!(first.then(&Change::new(text, &index, 1, 2, "")), None);
    }

    /// A document knows whether every change since its last publication was quiet: the engine's word
    /// for each (only a plain comment's text, on the same lines) and the publication's (`untouched` at
    /// the change's start, in the client's columns).
    #[test]
    fn quiet_changes_need_the_engine_and_the_publication_to_agree() {
        let change = |line, character, t: &str| TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position { line, character },
                end: Position { line, character },
            }),
            range_length: None,
            text: t.into(),
        };
        let text = "FROM a\n# a 😀 note\nRUN x\n";
        let mut d = Document::new("file:///x/Dockerfile".into(), "dockerfile".into(), 1, text.into());
        assert!(!d.quiet(), "nothing is known of a new document");
        d.take_changes();
        assert!(d.quiet(), "no change since the publication");
        let asked = std::cell::RefCell::new(Vec::new());
        let ask = |line, col| {
            asked.borrow_mut().push((line, col));
            true
        };
        d.apply_changes(2, vec![change(1, 9, "x"), change(1, 10, "y")], Encoding::Utf16, ask);
        assert!(d.quiet());
        assert_eq!(
            *asked.borrow(),
            vec![(1, 9), (1, 10)],
            "UTF-16 columns, each change in its own text"
        );
        d.apply_changes(3, vec![change(1, 2, "z")], Encoding::Utf16, |_, _| false);
        assert!(!d.quiet(), "a published position at or after the change");
        d.take_changes();
        // The publication's table of positions is not even asked about a change in an instruction.
        d.apply_changes(4, vec![change(2, 5, "z")], Encoding::Utf16, |_, _| {
            panic!("asked about a change in an instruction")
        });
        assert!(!d.quiet(), "a change in an instruction");
        d.take_changes();
        d.apply_changes(
            5,
            vec![change(1, 2, "dockward ignore=DW101 ")],
            Encoding::Utf16,
            |_, _| true,
        );
        assert!(!d.quiet(), "a comment made a suppression comment");
        d.take_changes();
        d.apply_changes(6, vec![change(1, 2, "\n#")], Encoding::Utf16, |_, _| true);
        assert!(!d.quiet(), "a line break");
        d.take_changes();
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.into(),
        };
        d.apply_changes(7, vec![whole], Encoding::Utf16, |_, _| true);
        assert!(!d.quiet(), "the whole text replaced");
        assert_eq!(d.tree.as_ref().unwrap(), &syntax::parse(&d.text));
    }

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
            |_, _| true,
        );
        assert_eq!(d.text, "FROM alpine\nRUN 😀é x\n");
        assert_eq!(d.tree.as_ref().unwrap(), &syntax::parse(&d.text));
        // Out-of-range positions clamp instead of failing.
        let clamped = d.apply_changes(3, vec![change(40, 0, 50, 0, "USER x\n")], Encoding::Utf16, |_, _| true);
        assert_eq!(clamped, 1);
        assert!(d.text.ends_with("USER x\n"));
        assert_eq!(d.tree.as_ref().unwrap(), &syntax::parse(&d.text));
    }
}
