//! Helpers shared by the fuzz targets: decoding bytes as the edges do, a byte reader for structured
//! inputs, the tree and diagnostic invariants every target asserts, and the simple `.dockerignore`
//! oracle of the `dockerignore` target.

pub mod oracle;

use dockward::date::Date;
use dockward::diagnostic::{Diagnostic, FileRef};
use dockward::syntax::{Dockerfile, NodeKind};
use dockward::text::TextRange;

/// The date every target checks on (the rule tests' date).
pub const TODAY: Date = Date::new(2026, 11, 28);

/// Bytes decoded as the edges decode a file: UTF-8, lossily, with the offset of the first replaced
/// byte. (The CLI refuses files with NUL bytes or a UTF-16 byte-order mark before this point; the
/// language server receives whatever JSON string the client sends, NULs included, so every text is
/// checked here.)
pub fn decode(data: &[u8]) -> (String, Option<u32>) {
    match std::str::from_utf8(data) {
        Ok(s) => (s.to_string(), None),
        Err(e) => (String::from_utf8_lossy(data).into_owned(), Some(e.valid_up_to() as u32)),
    }
}

/// A range lies inside `text`, on character boundaries.
pub fn assert_in_text(text: &str, r: TextRange, what: &str) {
    assert!(
        r.start <= r.end
            && (r.end as usize) <= text.len()
            && text.is_char_boundary(r.start as usize)
            && text.is_char_boundary(r.end as usize),
        "{what} {r:?} is outside the text (len {}) or not on a character boundary",
        text.len()
    );
}

/// The tree's invariants: its length is the text's, items are in order without overlap, and every
/// item, comment and error range lies inside the text on character boundaries.
pub fn assert_tree(text: &str, tree: &Dockerfile) {
    assert_eq!(tree.len as usize, text.len(), "tree length");
    assert_eq!(tree.starts.len(), tree.items.len(), "a start for every item");
    let mut end = tree.body_start;
    for it in tree.items() {
        assert!(it.start >= end, "item {} overlaps the previous one", it.index);
        assert_in_text(text, it.extent(), "item");
        end = it.start + it.node.len;
        match &it.node.kind {
            NodeKind::Instruction(i) => {
                assert_in_text(text, it.abs(i.range), "instruction");
                assert_in_text(text, it.abs(i.keyword.range), "keyword");
                for h in i.heredocs() {
                    assert_in_text(text, it.abs(h.body), "heredoc body");
                }
            }
            NodeKind::Comment(c) => assert_in_text(text, it.abs(c.range), "comment"),
        }
    }
    for e in tree.errors() {
        assert_in_text(text, e.range, "error");
    }
}

/// Diagnostics are exact: every range and every Dockerfile edit lies on character boundaries of the
/// Dockerfile (ignore-file ranges on the ignore file), and the output is sorted.
pub fn assert_diagnostics(text: &str, ignore: Option<&str>, diags: &[Diagnostic]) {
    let of = |file: &FileRef| match file {
        FileRef::Dockerfile => Some(text),
        FileRef::IgnoreFile => ignore,
    };
    for d in diags {
        if let Some(t) = of(&d.file) {
            assert_in_text(t, d.range, d.code);
        }
        for f in &d.fixes {
            for e in &f.edits {
                // A fix may create the ignore file: its edits then apply to the empty text.
                let t = of(&e.file).or((e.file == FileRef::IgnoreFile).then_some(""));
                if let Some(t) = t {
                    assert_in_text(t, e.range, "fix edit");
                }
            }
        }
    }
    for w in diags.windows(2) {
        assert!(w[0].sort_key() <= w[1].sort_key(), "diagnostics are not sorted");
    }
}

/// Reads structured values from fuzz bytes; past the end every read gives zero.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub fn u16(&mut self) -> u16 {
        u16::from(self.u8()) | (u16::from(self.u8()) << 8)
    }

    /// Up to `n` bytes.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        let end = (start + n).min(self.data.len());
        self.pos = end;
        &self.data[start..end]
    }

    /// Everything up to (not including) the next `sep`, which is consumed.
    pub fn until(&mut self, sep: u8) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        let rest = &self.data[start..];
        match rest.iter().position(|&b| b == sep) {
            Some(i) => {
                self.pos = start + i + 1;
                &rest[..i]
            }
            None => {
                self.pos = self.data.len();
                rest
            }
        }
    }

    /// The rest.
    pub fn rest(&mut self) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        self.pos = self.data.len();
        &self.data[start..]
    }
}
