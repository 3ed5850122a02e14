//! Byte ranges and the line index: every position inside the engine is a byte offset into the original text.
//!
//! Conversion to lines and columns happens only at the edges (the CLI renders 1-based line and
//! Unicode-scalar columns; the language server converts to UTF-8, UTF-16 or UTF-32 code units).

use std::fmt;
use std::ops::Range;

/// A half-open byte range `[start, end)` into a text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    /// A range from `start` to `end`; an inverted pair is normalised to an empty range at `start`.
    pub const fn new(start: u32, end: u32) -> TextRange {
        if end < start {
            TextRange { start, end: start }
        } else {
            TextRange { start, end }
        }
    }

    /// An empty range at `offset`.
    pub const fn empty(offset: u32) -> TextRange {
        TextRange {
            start: offset,
            end: offset,
        }
    }

    /// A range of `len` bytes starting at `start`.
    pub const fn at(start: u32, len: u32) -> TextRange {
        TextRange {
            start,
            end: start + len,
        }
    }

    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// This range moved by `delta` bytes (used to turn item-relative ranges into absolute ones).
    pub const fn shift(self, delta: u32) -> TextRange {
        TextRange {
            start: self.start + delta,
            end: self.end + delta,
        }
    }

    /// Whether `offset` lies inside the range; the end is included so that a cursor just after a
    /// token still touches it.
    pub const fn contains_inclusive(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// Whether the two ranges share at least one byte, or touch when one of them is empty.
    pub fn intersects(self, other: TextRange) -> bool {
        self.start < other.end && other.start < self.end
            || (self.is_empty() || other.is_empty()) && self.start <= other.end && other.start <= self.end
    }

    /// The smallest range covering both.
    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn as_usize(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Range<u32>> for TextRange {
    fn from(r: Range<u32>) -> TextRange {
        TextRange::new(r.start, r.end)
    }
}

/// The text slice a range covers; an out-of-bounds or non-boundary range yields `""` rather than a panic.
pub fn slice(text: &str, range: TextRange) -> &str {
    text.get(range.as_usize()).unwrap_or("")
}

/// How columns are counted at an edge.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the LSP default).
    Utf16,
    /// Unicode scalar values (LSP `utf-32`, and the CLI's columns).
    Utf32,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Start offsets of every line of a text, for offset ↔ line/column conversion.
///
/// A line ends after `\n`. A `\r` before the `\n` belongs to the line's terminator; a lone `\r` is an
/// ordinary character, as it is for Docker's parser.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
    /// How many bytes of the text are not ASCII. While none are, a column in any encoding is the byte
    /// distance from the line's start, and positions are converted without reading the text.
    wide: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        // `match_indices` on a char searches with memchr.
        starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        LineIndex {
            starts,
            len: text.len() as u32,
            wide: wide_bytes(text),
        }
    }

    /// Updates the index after `range` of the old text, `removed`, was replaced by `inserted`: the lines
    /// of the edit are re-read and the later line starts move, without scanning the whole text.
    pub fn edit(&mut self, range: TextRange, removed: &str, inserted: &str) {
        self.wide = (self.wide - wide_bytes(removed).min(self.wide)) + wide_bytes(inserted);
        let delta = i64::from(inserted.len() as u32) - i64::from(range.len());
        // Line starts inside (start, end] belonged to the replaced text.
        let a = self.starts.partition_point(|&s| s <= range.start);
        let b = self.starts.partition_point(|&s| s <= range.end);
        let new: Vec<u32> = inserted
            .match_indices('\n')
            .map(|(i, _)| range.start + i as u32 + 1)
            .collect();
        let n = new.len();
        self.starts.splice(a..b, new);
        for s in &mut self.starts[a + n..] {
            *s = (i64::from(*s) + delta) as u32;
        }
        self.len = (i64::from(self.len) + delta) as u32;
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Whether the text is all ASCII: then columns are byte distances in every encoding.
    pub fn is_ascii(&self) -> bool {
        self.wide == 0
    }

    /// The line holding `offset` (clamped to the text).
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(i) => i as u32,
            Err(i) => i as u32 - 1,
        }
    }

    /// Byte offset where `line` starts, clamped to the end of the text.
    pub fn line_start(&self, line: u32) -> u32 {
        self.starts.get(line as usize).copied().unwrap_or(self.len)
    }

    /// Byte range of `line` without its terminator (`\n` or `\r\n`).
    pub fn line_range(&self, text: &str, line: u32) -> TextRange {
        let start = self.line_start(line);
        let bytes = text.as_bytes();
        let end = match self.starts.get(line as usize + 1) {
            // The next line starts after this line's `\n`; drop the `\n` and a `\r` before it.
            Some(&next) => {
                let mut end = next - 1;
                if end > start && bytes.get(end as usize - 1) == Some(&b'\r') {
                    end -= 1;
                }
                end
            }
            None => self.len,
        };
        TextRange::new(start, end)
    }

    /// Converts a byte offset into a line and a column counted in `enc`.
    /// Offsets inside a multi-byte character snap back to its start; offsets past the end clamp.
    pub fn to_line_col(&self, text: &str, offset: u32, enc: Encoding) -> LineCol {
        if self.is_ascii() {
            let offset = offset.min(self.len);
            let line = self.line_of(offset);
            return LineCol {
                line,
                col: offset - self.line_start(line),
            };
        }
        let offset = floor_char_boundary(text, offset.min(self.len) as usize) as u32;
        let line = self.line_of(offset);
        let start = self.line_start(line);
        LineCol {
            line,
            col: units(&text[start as usize..offset as usize], enc),
        }
    }

    /// Converts a line and column in `enc` into a byte offset. A column past the end of the line clamps
    /// to the line's end (before its terminator); a line past the end clamps to the end of the text; a
    /// column inside a character (half a surrogate pair) snaps to that character's start.
    pub fn to_offset(&self, text: &str, pos: LineCol, enc: Encoding) -> u32 {
        if pos.line as usize >= self.starts.len() {
            return self.len;
        }
        let range = self.line_range(text, pos.line);
        if self.is_ascii() {
            return range.start + pos.col.min(range.len());
        }
        let line_text = slice(text, range);
        let mut units = 0u32;
        for (i, c) in line_text.char_indices() {
            let w = match enc {
                Encoding::Utf8 => c.len_utf8() as u32,
                Encoding::Utf16 => c.len_utf16() as u32,
                Encoding::Utf32 => 1,
            };
            if units + w > pos.col {
                return range.start + i as u32;
            }
            units += w;
            if units == pos.col {
                return range.start + (i + c.len_utf8()) as u32;
            }
        }
        if pos.col == 0 {
            return range.start;
        }
        range.end
    }
}

/// The length of `segment` in `enc`'s units. Counted on bytes (this runs for every published
/// diagnostic): every byte that does not continue a character starts one, and a 4-byte character is two
/// UTF-16 units.
fn units(segment: &str, enc: Encoding) -> u32 {
    // (Callers skip this for all-ASCII texts, where every byte is one unit: see `LineIndex::wide`.)
    match enc {
        Encoding::Utf8 => segment.len() as u32,
        Encoding::Utf16 => segment
            .bytes()
            .map(|b| u32::from(b & 0xC0 != 0x80) + u32::from(b >= 0xF0))
            .sum(),
        Encoding::Utf32 => segment.bytes().map(|b| u32::from(b & 0xC0 != 0x80)).sum(),
    }
}

/// [`LineIndex::to_line_col`] for offsets that come mostly in increasing order, as the ranges of sorted
/// diagnostics do: a lookup searches forward from the line of the previous one (doubling its steps), and
/// a range that ends on its start's line counts the end's column from the start. Any order is correct.
pub struct LineCursor<'a> {
    idx: &'a LineIndex,
    text: &'a str,
    enc: Encoding,
    line: usize,
    /// Columns are byte distances (an all-ASCII text, or UTF-8 columns); offsets inside characters
    /// still snap back to their start.
    bytes: bool,
    /// The text is all ASCII: every offset is a character boundary.
    ascii: bool,
}

impl<'a> LineCursor<'a> {
    pub fn new(idx: &'a LineIndex, text: &'a str, enc: Encoding) -> LineCursor<'a> {
        LineCursor {
            idx,
            text,
            enc,
            line: 0,
            bytes: idx.is_ascii() || enc == Encoding::Utf8,
            ascii: idx.is_ascii(),
        }
    }

    /// The line holding `offset` (at most the text's length).
    fn line_of(&self, offset: u32) -> usize {
        let starts = &self.idx.starts;
        let mut lo = self.line.min(starts.len() - 1);
        if starts[lo] > offset {
            return self.idx.line_of(offset) as usize;
        }
        // Invariant: starts[lo] <= offset. Gallop until a start lies past the offset.
        let (mut hi, mut step) = (lo + 1, 1);
        while hi < starts.len() && starts[hi] <= offset {
            lo = hi;
            step *= 2;
            hi = lo + step;
        }
        let hi = hi.min(starts.len());
        lo + starts[lo..hi].partition_point(|&s| s <= offset) - 1
    }

    /// The line and column of `offset`, as [`LineIndex::to_line_col`].
    pub fn line_col(&mut self, offset: u32) -> LineCol {
        let offset = self.boundary(offset) as u32;
        self.line = self.line_of(offset);
        let start = self.idx.starts[self.line];
        LineCol {
            line: self.line as u32,
            col: if self.bytes {
                offset - start
            } else {
                units(&self.text[start as usize..offset as usize], self.enc)
            },
        }
    }

    /// The character boundary at or below `offset`, clamped to the text.
    fn boundary(&self, offset: u32) -> usize {
        let offset = offset.min(self.idx.len) as usize;
        if self.ascii {
            offset
        } else {
            floor_char_boundary(self.text, offset)
        }
    }

    /// The positions of a range's start and end.
    pub fn range(&mut self, r: TextRange) -> (LineCol, LineCol) {
        let s = self.line_col(r.start);
        let start = self.boundary(r.start);
        let end = self.boundary(r.end);
        let next_line = self.idx.starts.get(self.line + 1).map_or(usize::MAX, |&n| n as usize);
        if start <= end && end < next_line {
            let col = s.col
                + if self.bytes {
                    (end - start) as u32
                } else {
                    units(&self.text[start..end], self.enc)
                };
            return (s, LineCol { line: s.line, col });
        }
        (s, self.line_col(r.end))
    }
}

/// How many bytes of `text` are not ASCII (counted in a loop the compiler vectorises).
fn wide_bytes(text: &str) -> u32 {
    text.bytes().map(|b| u32::from(b >= 0x80)).sum()
}

/// The largest char boundary at or below `i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_gives_the_positions_of_the_index_in_any_order() {
        let text = "FROM a\r\nRUN echo 😀é 日本\n\n\nUSER x\r\n\tCMD [\"😀\"]\nLABEL a=b";
        let idx = LineIndex::new(text);
        let n = text.len() as u32 + 2;
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let mut cursor = LineCursor::new(&idx, text, enc);
            // Sorted ranges (as diagnostics come), then a pseudo-random walk, backwards included.
            let mut ranges: Vec<(u32, u32)> = (0..n).flat_map(|a| (a..n).map(move |b| (a, b))).collect();
            let mut x: u64 = 0x2545_F491_4F6C_DD1D;
            for _ in 0..2000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let a = (x % u64::from(n)) as u32;
                let b = ((x >> 32) % u64::from(n)) as u32;
                ranges.push((a.min(b), a.max(b)));
            }
            for (a, b) in ranges {
                let want = (idx.to_line_col(text, a, enc), idx.to_line_col(text, b, enc));
                assert_eq!(cursor.range(TextRange::new(a, b)), want, "{a}..{b} {enc:?}");
                assert_eq!(cursor.line_col(b), want.1, "{b} {enc:?}");
            }
        }
    }

    #[test]
    fn line_index_round_trips_in_every_encoding() {
        let text = "FROM a\r\nRUN echo 😀é 日本\nUSER x";
        let idx = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (off, _) in text.char_indices() {
                let lc = idx.to_line_col(text, off as u32, enc);
                let back = idx.to_offset(text, lc, enc);
                // The terminator (`\r\n`) is not a column of the line: its positions clamp to the line end.
                if matches!(text.as_bytes()[off], b'\r' | b'\n') {
                    continue;
                }
                assert_eq!(back, off as u32, "{enc:?} at {off}");
            }
        }
        let off = text.find('é').unwrap() as u32;
        assert_eq!(
            idx.to_line_col(text, off, Encoding::Utf16),
            LineCol { line: 1, col: 11 }
        );
        assert_eq!(
            idx.to_line_col(text, off, Encoding::Utf32),
            LineCol { line: 1, col: 10 }
        );
        assert_eq!(idx.to_line_col(text, off, Encoding::Utf8), LineCol { line: 1, col: 13 });
    }

    /// Columns are counted on bytes; they must be what counting characters gives, at every offset
    /// (inside characters too) of text with characters of every UTF-8 length.
    #[test]
    fn byte_counted_columns_equal_character_counted_ones() {
        let text = "a\u{7f}\u{80}é\u{7ff}\u{800}日\u{ffff}\u{10000}😀\u{10ffff}\r\n\tz😀é\n";
        let idx = LineIndex::new(text);
        for off in 0..=text.len() as u32 + 2 {
            let start = idx.line_start(idx.line_of(off));
            let end = floor_char_boundary(text, off as usize);
            let seg = &text[start as usize..end.max(start as usize)];
            let utf16: u32 = seg.chars().map(|c| c.len_utf16() as u32).sum();
            let utf32 = seg.chars().count() as u32;
            assert_eq!(idx.to_line_col(text, off, Encoding::Utf16).col, utf16, "at {off}");
            assert_eq!(idx.to_line_col(text, off, Encoding::Utf32).col, utf32, "at {off}");
        }
    }

    /// An all-ASCII text is converted without counting units: the results must be the counted ones,
    /// in every encoding, both ways, and through the cursor.
    #[test]
    fn ascii_texts_convert_without_counting_as_if_counted() {
        let text = "FROM a\r\nRUN echo hi \\\n\tthere\n\n\r\nUSER x\rz\nCMD [\"a\"]";
        let idx = LineIndex::new(text);
        assert!(idx.is_ascii());
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let mut cursor = LineCursor::new(&idx, text, enc);
            for off in 0..=text.len() as u32 + 2 {
                let clamped = (off as usize).min(text.len());
                let line = text[..clamped].matches('\n').count() as u32;
                let start = text[..clamped].rfind('\n').map_or(0, |i| i + 1);
                let want = LineCol {
                    line,
                    col: units(&text[start..clamped], enc),
                };
                assert_eq!(idx.to_line_col(text, off, enc), want, "{off} {enc:?}");
                assert_eq!(cursor.line_col(off), want, "{off} {enc:?}");
                let end = (off + 3).min(text.len() as u32 + 2);
                let want_end = idx.to_line_col(text, end, enc);
                assert_eq!(
                    cursor.range(TextRange::new(off, end)),
                    (want, want_end),
                    "{off} {enc:?}"
                );
            }
            for line in 0..idx.line_count() as u32 + 1 {
                let r = idx.line_range(text, line);
                for col in 0..12 {
                    // The counted answer: walk the line's characters.
                    let mut want = r.end;
                    let mut n = 0;
                    for (i, c) in text[r.start as usize..r.end as usize].char_indices() {
                        if n == col {
                            want = r.start + i as u32;
                            break;
                        }
                        n += c.len_utf8() as u32;
                    }
                    if line as usize >= idx.line_count() {
                        want = idx.len;
                    }
                    assert_eq!(
                        idx.to_offset(text, LineCol { line, col }, enc),
                        want,
                        "{line}:{col} {enc:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn incremental_edits_match_a_fresh_index() {
        let mut text = String::from("FROM a\nRUN b\r\nUSER c\n");
        let mut idx = LineIndex::new(&text);
        for (start, end, ins) in [
            (3, 9, "x\ny\n"),
            (0, 0, "\n\n"),
            (5, 5, ""),
            (2, 14, "z"),
            (0, 3, "日本\n😀"),
            (3, 6, "é"),
            (0, 3, ""),
            (0, 1000, "FROM a\n"),
        ] {
            let (start, end) = (start.min(text.len()), end.min(text.len()));
            let removed = text[start..end].to_string();
            text.replace_range(start..end, ins);
            idx.edit(TextRange::new(start as u32, end as u32), &removed, ins);
            let fresh = LineIndex::new(&text);
            assert_eq!(idx.starts, fresh.starts, "{text:?}");
            assert_eq!(idx.len, text.len() as u32);
            // Removed and inserted characters are both counted: the last edits leave the text ASCII.
            assert_eq!(idx.wide, fresh.wide, "{text:?}");
            assert_eq!(idx.is_ascii(), text.is_ascii(), "{text:?}");
        }
        assert!(idx.is_ascii(), "{text:?}");
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.to_offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16), 2);
        assert_eq!(idx.to_offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16), 5);
        assert_eq!(idx.to_line_col(text, 99, Encoding::Utf8), LineCol { line: 1, col: 2 });
        let emoji = "😀x";
        let idx = LineIndex::new(emoji);
        // Half a surrogate pair snaps to the character start.
        assert_eq!(idx.to_offset(emoji, LineCol { line: 0, col: 1 }, Encoding::Utf16), 0);
    }
}
