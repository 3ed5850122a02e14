//! Conversions between the engine (byte offsets, paths) and the protocol (line/character positions in
//! the negotiated encoding, URIs). The only place positions change representation.

use std::path::{Path, PathBuf};

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::text::{Encoding, LineCol, LineCursor, LineIndex, TextRange};

/// The encoding a client and the server agreed on, from the client's preference list: UTF-8 when
/// offered (no conversion needed), else UTF-16 (the protocol default), or UTF-32.
pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
    let offered = offered.unwrap_or(&[]);
    if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if offered.contains(&PositionEncodingKind::UTF16) || offered.is_empty() {
        Encoding::Utf16
    } else if offered.contains(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

pub fn encoding_kind(e: Encoding) -> PositionEncodingKind {
    match e {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

pub fn position(text: &str, idx: &LineIndex, offset: u32, enc: Encoding) -> Position {
    let lc = idx.to_line_col(text, offset, enc);
    Position {
        line: lc.line,
        character: lc.col,
    }
}

pub fn range(text: &str, idx: &LineIndex, r: TextRange, enc: Encoding) -> Range {
    Range {
        start: position(text, idx, r.start, enc),
        end: position(text, idx, r.end, enc),
    }
}

/// A converter for many ranges in (mostly) increasing order, such as the ranges of sorted diagnostics.
pub fn cursor<'a>(text: &'a str, idx: &'a LineIndex, enc: Encoding) -> LineCursor<'a> {
    LineCursor::new(idx, text, enc)
}

/// [`range`] through a cursor: the same result, found from the previous range's line.
pub fn range_from(cursor: &mut LineCursor<'_>, r: TextRange) -> Range {
    let (s, e) = cursor.range(r);
    Range {
        start: Position {
            line: s.line,
            character: s.col,
        },
        end: Position {
            line: e.line,
            character: e.col,
        },
    }
}

/// A byte offset from a protocol position; out-of-range positions clamp to the text.
pub fn offset(text: &str, idx: &LineIndex, p: Position, enc: Encoding) -> u32 {
    idx.to_offset(
        text,
        LineCol {
            line: p.line,
            col: p.character,
        },
        enc,
    )
}

pub fn text_range(text: &str, idx: &LineIndex, r: Range, enc: Encoding) -> TextRange {
    let a = offset(text, idx, r.start, enc);
    let b = offset(text, idx, r.end, enc);
    TextRange::new(a.min(b), a.max(b))
}

/// The local path of a `file:` URI (percent-decoded), or `None` for other schemes.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///path` or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = percent_decode(rest)?;
    let s = String::from_utf8(bytes).ok()?;
    // Windows drive paths arrive as `/c:/...`.
    if s.len() >= 3 && s.as_bytes()[0] == b'/' && s.as_bytes()[2] == b':' && s.as_bytes()[1].is_ascii_alphabetic() {
        return Some(PathBuf::from(&s[1..]));
    }
    Some(PathBuf::from(s))
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// A `file:` URI for a local path, with the characters URIs reserve percent-encoded.
pub fn path_to_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_the_negotiated_encoding() {
        let text = "FROM a\r\nLABEL x=\"😀é\" 日本=1\n";
        let idx = LineIndex::new(text);
        let at = text.find("日本").unwrap() as u32;
        assert_eq!(
            position(text, &idx, at, Encoding::Utf16),
            Position { line: 1, character: 14 }
        );
        assert_eq!(
            position(text, &idx, at, Encoding::Utf8),
            Position { line: 1, character: 17 }
        );
        assert_eq!(
            position(text, &idx, at, Encoding::Utf32),
            Position { line: 1, character: 13 }
        );
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            assert_eq!(offset(text, &idx, position(text, &idx, at, enc), enc), at);
        }
        // Past the end of a line clamps to its end; past the end of the text clamps to the end.
        assert_eq!(
            offset(text, &idx, Position { line: 0, character: 99 }, Encoding::Utf16),
            6
        );
        assert_eq!(
            offset(text, &idx, Position { line: 99, character: 0 }, Encoding::Utf16),
            text.len() as u32
        );
    }

    #[test]
    fn negotiation_prefers_utf8() {
        assert_eq!(
            negotiate(Some(&[PositionEncodingKind::UTF16, PositionEncodingKind::UTF8])),
            Encoding::Utf8
        );
        assert_eq!(negotiate(Some(&[PositionEncodingKind::UTF16])), Encoding::Utf16);
        assert_eq!(negotiate(None), Encoding::Utf16);
        assert_eq!(negotiate(Some(&[PositionEncodingKind::UTF32])), Encoding::Utf32);
    }

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/my project/Dockerfile#1");
        let u = path_to_uri(p);
        assert_eq!(u, "file:///tmp/my%20project/Dockerfile%231");
        assert_eq!(uri_to_path(&u).unwrap(), p);
        assert_eq!(
            uri_to_path("file:///c%3A/x/Dockerfile").unwrap(),
            PathBuf::from("c:/x/Dockerfile")
        );
        assert_eq!(uri_to_path("untitled:Untitled-1"), None);
    }
}
