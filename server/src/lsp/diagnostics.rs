//! Engine diagnostics as protocol diagnostics, and result ids for pull diagnostics.
//!
//! A check runs on every keystroke and most of its diagnostics are those of the previous check, often
//! on other lines. [`Published`] keeps the JSON of the last diagnostics of a document: a diagnostic
//! equal to one of the previous check in everything its JSON shows but its range shares the previous
//! JSON after the range, so only new diagnostics go through `lsp_types` and serde. The
//! output is byte for byte what [`serialize_uncached`] writes (guarded by
//! `cached_and_uncached_output_are_byte_identical`).

use std::hash::{BuildHasher, Hash, Hasher};
use std::io::{self, Write};
use std::sync::Arc;

use lsp_types::{CodeDescription, DiagnosticSeverity, DiagnosticTag, NumberOrString};
use serde_json::json;

use crate::diagnostic::{Diagnostic, FileRef, Related, Severity, Text};
use crate::lsp::convert;
use crate::lsp::document::Change;
use crate::text::{Encoding, LineIndex, TextRange};

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// One engine diagnostic in protocol form. `data` carries only the rule code and message id: code
/// actions recompute fixes from the current text, so a stale edit can never be applied.
pub fn to_lsp(d: &Diagnostic, text: &str, idx: &LineIndex, enc: Encoding) -> lsp_types::Diagnostic {
    let mut message = d.message.to_string();
    if let Some(h) = &d.help {
        message.push('\n');
        message.push_str(h);
    }
    let href = crate::rules::rule(d.code)
        .and_then(crate::cli::rule_url)
        .and_then(|u| u.parse::<lsp_types::Uri>().ok())
        .map(|href| CodeDescription { href });
    lsp_types::Diagnostic {
        range: convert::range(text, idx, d.range, enc),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: href,
        source: Some("dockward".into()),
        message,
        related_information: None,
        tags: (d.code == "DW902").then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: Some(json!({ "rule": d.code, "id": d.message_id })),
    }
}

/// The `textDocument/publishDiagnostics` notification, serialised once: `diagnostics` is the JSON
/// array of the items.
pub fn publish_notification(uri: &str, version: i32, diagnostics: &[u8]) -> Vec<u8> {
    let head = publish_head(uri, version);
    let mut out = Vec::with_capacity(head.len() + diagnostics.len() + 2);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(diagnostics);
    out.extend_from_slice(b"}}");
    out
}

/// One engine diagnostic in protocol form with its related places (those in the same document).
pub fn to_lsp_full(
    d: &Diagnostic,
    uri: Option<&lsp_types::Uri>,
    text: &str,
    idx: &LineIndex,
    enc: Encoding,
) -> lsp_types::Diagnostic {
    let mut l = to_lsp(d, text, idx, enc);
    if let Some(uri) = uri {
        let related: Vec<lsp_types::DiagnosticRelatedInformation> = d
            .related
            .iter()
            .filter(|r| r.file == FileRef::Dockerfile)
            .map(|r| lsp_types::DiagnosticRelatedInformation {
                location: lsp_types::Location {
                    uri: uri.clone(),
                    range: convert::range(text, idx, r.range, enc),
                },
                message: r.message.clone(),
            })
            .collect();
        if !related.is_empty() {
            l.related_information = Some(related);
        }
    }
    l
}

/// The diagnostics of a document as a JSON array, without any cache (the reference for [`Published`]).
pub fn serialize_uncached(ds: &[Diagnostic], uri: &str, text: &str, idx: &LineIndex, enc: Encoding) -> Vec<u8> {
    let parsed = uri.parse::<lsp_types::Uri>().ok();
    let items: Vec<lsp_types::Diagnostic> = ds
        .iter()
        .map(|d| to_lsp_full(d, parsed.as_ref(), text, idx, enc))
        .collect();
    serde_json::to_vec(&items).unwrap_or_else(|_| b"[]".to_vec())
}

/// A protocol range as four numbers (start line, start character, end line, end character).
type Span4 = [u32; 4];

fn span4(r: lsp_types::Range) -> Span4 {
    [r.start.line, r.start.character, r.end.line, r.end.character]
}

/// `{"range":{"start":{"line":..,"character":..},"end":{...}}` exactly as serde writes the beginning
/// of an `lsp_types::Diagnostic`, built on the stack (this runs for every diagnostic of every
/// publication): the buffer and how much of it is the prefix.
fn range_prefix(r: Span4) -> ([u8; 128], usize) {
    const PARTS: [&[u8]; 4] = [
        br#"{"range":{"start":{"line":"#,
        br#","character":"#,
        br#"},"end":{"line":"#,
        br#","character":"#,
    ];
    let mut buf = [0u8; 128];
    let mut len = 0;
    for (part, mut n) in PARTS.iter().zip(r) {
        buf[len..len + part.len()].copy_from_slice(part);
        len += part.len();
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let d = &digits[i..];
        buf[len..len + d.len()].copy_from_slice(d);
        len += d.len();
    }
    buf[len..len + 2].copy_from_slice(b"}}");
    (buf, len + 2)
}

/// The length of [`range_prefix`]`(r)`, counted rather than written (the builder needs only the length
/// of every prefix; the writer thread writes them).
fn range_prefix_len(r: Span4) -> usize {
    const FIXED: usize = r#"{"range":{"start":{"line":,"character":},"end":{"line":,"character":}}"#.len();
    FIXED
        + r.iter()
            .map(|&n| n.checked_ilog10().map_or(1, |d| d as usize + 1))
            .sum::<usize>()
}

/// What a published diagnostic's JSON shows besides its ranges: the fields of the engine diagnostic that
/// reach it (not the whole diagnostic: its fixes, name and ranges took 56 more bytes per entry).
#[derive(Clone, Debug)]
struct Shown {
    code: &'static str,
    message_id: &'static str,
    severity: Severity,
    message: Text,
    help: Option<Text>,
    /// The related places (their ranges in this document are the entry's `related`).
    related: Box<[Related]>,
}

impl Shown {
    /// Whether `d` shows this (everything but its ranges). Runs for every diagnostic of every
    /// publication: the short strings are compared without a call to `memcmp` (most are the same static
    /// or shared text), and so are the usually empty related lists.
    fn same_as(&self, d: &Diagnostic) -> bool {
        same_str(self.code, d.code)
            && same_str(self.message_id, d.message_id)
            && self.severity == d.severity
            && same_text(&self.message, &d.message)
            && match (&self.help, &d.help) {
                (Some(x), Some(y)) => same_text(x, y),
                (x, y) => x.is_none() && y.is_none(),
            }
            && self.related.len() == d.related.len()
            && self
                .related
                .iter()
                .zip(&d.related)
                .all(|(x, y)| x.file == y.file && x.message == y.message)
    }

    fn of(d: &Diagnostic) -> Shown {
        Shown {
            code: d.code,
            message_id: d.message_id,
            severity: d.severity,
            message: d.message.clone(),
            help: d.help.clone(),
            related: d.related.clone().into_boxed_slice(),
        }
    }
}

/// One published diagnostic: what its JSON shows, and its JSON without the range. The JSON is shared
/// by every later publication that shows the same diagnostic, wherever it then is.
#[derive(Clone, Debug)]
struct Entry {
    shown: Shown,
    range: Span4,
    /// The engine diagnostic's byte range that `range` was converted from.
    bytes: TextRange,
    /// The length of `range`'s prefix (kept: an entry's range seldom changes between publications).
    prefix_len: u32,
    /// Ranges of the related places in this document, in order.
    related: Box<[Span4]>,
    /// The object's JSON after the range prefix (from `,"severity"` to the closing brace); when `whole`,
    /// the whole object, and the entry is reused only at the same range.
    json: Arc<[u8]>,
    whole: bool,
    /// Hash of `json` (feeds the result id).
    hash: u64,
}

impl Entry {
    /// Whether the JSON of `d` (at `range`, with `related` ranges) after its range is this entry's.
    fn shows_same(&self, d: &Diagnostic, range: Span4, related: &[Span4]) -> bool {
        self.shown.same_as(d)
            && (!self.whole || self.range == range)
            && self.related.len() == related.len()
            && (related.is_empty() || *self.related == *related)
    }

    /// This entry at the place of `d`, if `d` is this entry's diagnostic moved by `changes` (the
    /// changes of the text since this entry was published): `d` shows what the entry shows, has no
    /// related places, and its byte range is where the changes took the entry's, on lines the changes
    /// did not touch. Then its position follows from the entry's, and no line of the text is read.
    fn moved_to(&self, d: &Diagnostic, changes: &[Change]) -> Option<Span4> {
        if self.whole || !self.related.is_empty() || !d.related.is_empty() || !self.shown.same_as(d) {
            return None;
        }
        let [mut sl, mut sc, mut el, mut ec] = self.range;
        let (mut start, mut end) = (self.bytes.start, self.bytes.end);
        for c in changes {
            (start, sl, sc) = c.map(start, sl, sc)?;
            (end, el, ec) = c.map(end, el, ec)?;
        }
        (TextRange { start, end } == d.range).then_some([sl, sc, el, ec])
    }

    /// The entry's bytes in the array: its range prefix (unless `whole`) and its JSON.
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        if !self.whole {
            let (buf, len) = range_prefix(self.range);
            out.write_all(&buf[..len])?;
        }
        out.write_all(&self.json)
    }
}

/// `a == b` for texts, without comparing bytes when both are the same allocation (as a memoised
/// diagnostic's text is, check after check). `Arc<str>`'s own `==` compares the bytes every time.
fn same_text(a: &Text, b: &Text) -> bool {
    a.same(b) || a == b
}

/// `a == b` for short strings: the same static text, or the same bytes compared in line.
fn same_str(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || (a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y))
}

/// The last diagnostics of a document as published: what each diagnostic showed and its JSON. The
/// writer thread writes the JSON array straight from here ([`Published::write_array`]), so a
/// publication is never copied into one message, and the next publication shares the JSON of every
/// diagnostic that did not change instead of copying it: with a long file open, the diagnostics' JSON
/// is in memory once.
#[derive(Debug, Default)]
pub struct Published {
    /// The result id: equal ids mean equal diagnostics (the array hashed in pieces).
    pub result_id: String,
    /// The document version the diagnostics are for.
    pub version: i32,
    entries: Vec<Entry>,
    /// The length of the JSON array in bytes.
    array_len: usize,
    /// The encoding its columns are counted in.
    enc: Option<Encoding>,
    /// For each line that holds a position (a range's start or end, a related place's), the last
    /// column of one there, by line; made when a change first asks ([`Published::untouched`]).
    last_columns: std::sync::OnceLock<Box<[(u32, u32)]>>,
}

/// Result ids are compared only within one server process; a fixed seed keeps them reproducible.
const RESULT_ID_HASH: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x646f_636b_7761_7264);

/// How many earlier entries are searched when a diagnostic is not the next one of the previous check
/// (diagnostics are sorted by position, so an edit inserts or removes a few in one place).
const LOOKAHEAD: usize = 16;

/// How many of a publication's latest freshly serialised diagnostics a new diagnostic is compared with
/// (equal findings of one rule are usually near each other, or the rule's texts would not be shared).
const RECENT: usize = 8;

impl Published {
    /// The length of the JSON array of the diagnostics, in bytes.
    pub fn array_len(&self) -> usize {
        self.array_len
    }

    /// How many diagnostics there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether no position of these diagnostics (a range's start or end, a related place's) lies on
    /// `line` at or after column `col`, counted in `enc`: a change of the text there, inside the line,
    /// changes none of them. The first question after a publication lists the last column of every line
    /// that holds a position (sorted by line), so a change costs a binary search: typing in a comment
    /// far from any finding then needs no look at the diagnostics.
    pub fn untouched(&self, line: u32, col: u32, enc: Encoding) -> bool {
        if self.enc != Some(enc) {
            return false;
        }
        let last = self.last_columns.get_or_init(|| {
            let mut at: Vec<(u32, u32)> = Vec::with_capacity(self.entries.len() * 2);
            for e in &self.entries {
                for [sl, sc, el, ec] in std::iter::once(&e.range).chain(e.related.iter()) {
                    at.push((*sl, *sc));
                    at.push((*el, *ec));
                }
            }
            at.sort_unstable();
            // The last column of each line is the last of its run.
            let mut out: Vec<(u32, u32)> = Vec::with_capacity(at.len());
            for (l, c) in at {
                match out.last_mut() {
                    Some(last) if last.0 == l => last.1 = c,
                    _ => out.push((l, c)),
                }
            }
            out.into_boxed_slice()
        });
        match last.binary_search_by_key(&line, |&(l, _)| l) {
            Ok(k) => last[k].1 < col,
            Err(_) => true,
        }
    }

    /// Writes the JSON array of the diagnostics (exactly [`Published::array_len`] bytes).
    pub fn write_array(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(b"[")?;
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            e.write(out)?;
        }
        out.write_all(b"]")
    }

    /// The JSON array of the diagnostics, in one buffer.
    pub fn array(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.array_len);
        // Writing to a vector cannot fail.
        let _ = self.write_array(&mut out);
        out
    }

    /// The `publishDiagnostics` notification of these diagnostics for `uri`, in one buffer (the server
    /// sends it as [`crate::lsp::Outgoing::Diagnostics`] instead).
    pub fn notification(&self, uri: &str) -> Vec<u8> {
        publish_notification(uri, self.version, &self.array())
    }

    /// The publication of `ds` (whose previous publication was `prev`, if any, with the changes of the text
    /// since it when they are known) for `uri` at `version`.
    ///
    /// When nothing else holds `prev` any more (the writer thread has written it), the new publication is
    /// built in its entries' own vector ([`Building`]); otherwise they are copied, sharing their JSON. The
    /// diagnostics are only read. So a diagnostic that did not change costs no copy of itself, no
    /// reference count on its JSON and no drop of the old entry: on the 50,000-line bench file (8,696
    /// diagnostics) that took the publication from 1.25–1.34 to 0.85–0.95 ms (`tests/bench/bench.py`'s
    /// `phases`, alternated), and building in place instead of moving each entry into a new vector took
    /// `Published::build` from 869 to 591 M instructions over 200 pulled edits (callgrind).
    pub fn build(
        prev: Option<(Arc<Published>, Option<&[Change]>)>,
        ds: Vec<Diagnostic>,
        uri: &str,
        version: i32,
        text: &str,
        idx: &LineIndex,
        enc: Encoding,
    ) -> Published {
        // The changes of the text since `prev` (when known) say where its diagnostics are now, if its
        // columns are counted alike.
        let (prev, changes) = prev.map_or((None, None), |(p, c)| (Some(p), c));
        let changes = changes.filter(|_| prev.as_ref().is_some_and(|p| p.enc == Some(enc)));
        let mut entries = Building::new(prev, ds.len());
        let parsed = uri.parse::<lsp_types::Uri>().ok();
        // The brackets and the commas.
        let mut array_len = 2 + ds.len().saturating_sub(1);
        let mut id = RESULT_ID_HASH.build_hasher();
        let mut scratch = Vec::new();
        // The entries of the last few diagnostics serialised afresh in this publication, and how many were.
        let mut recent: [Option<usize>; RECENT] = [None; RECENT];
        let mut fresh = 0usize;
        // The diagnostics are sorted by range: positions are found from the previous one's line.
        let mut cursor = convert::cursor(text, idx, enc);
        for d in &ds {
            // Most diagnostics are the next entry's, moved by the changes: its position follows.
            let moved = changes.and_then(|c| entries.old().first().and_then(|e| e.moved_to(d, c)));
            if let Some(range) = moved {
                #[cfg(test)]
                MOVED.with(|c| c.set(c.get() + 1));
                let e = entries.keep(0);
                e.bytes = d.range;
                if e.range != range {
                    e.range = range;
                    e.prefix_len = range_prefix_len(range) as u32;
                }
            } else {
                let range = span4(convert::range_from(&mut cursor, d.range));
                let related: Vec<Span4> = if parsed.is_some() {
                    d.related
                        .iter()
                        .filter(|r| r.file == FileRef::Dockerfile)
                        .map(|r| span4(convert::range_from(&mut cursor, r.range)))
                        .collect()
                } else {
                    Vec::new()
                };
                let old = entries.old();
                let found = old[..LOOKAHEAD.min(old.len())]
                    .iter()
                    .position(|e| e.shows_same(d, range, &related));
                match found {
                    // In the previous publication: its entry is taken over at the new range, and the
                    // entries it skipped are dropped (diagnostics come in order).
                    Some(k) => {
                        let e = entries.keep(k);
                        e.bytes = d.range;
                        if e.range != range {
                            e.range = range;
                            e.prefix_len = range_prefix_len(range) as u32;
                        }
                    }
                    None => {
                        // Not in the previous publication: perhaps one of this one's few latest new
                        // diagnostics shows the same (a file that uses one end-of-life image in every stage
                        // has hundreds of equal findings).
                        let twin = recent
                            .iter()
                            .flatten()
                            .copied()
                            .find(|&k| entries.built()[k].shows_same(d, range, &related));
                        let (json, whole, hash) = match twin {
                            Some(k) => {
                                let e: &Entry = &entries.built()[k];
                                (e.json.clone(), e.whole, e.hash)
                            }
                            None => {
                                recent[fresh % RECENT] = Some(entries.built().len());
                                fresh += 1;
                                scratch.clear();
                                let l = to_lsp_full(d, parsed.as_ref(), text, idx, enc);
                                if serde_json::to_writer(&mut scratch, &l).is_err() {
                                    scratch.clear();
                                    scratch.extend_from_slice(b"{}");
                                }
                                let (prefix, len) = range_prefix(range);
                                let whole = !scratch.starts_with(&prefix[..len]);
                                let json = if whole { &scratch[..] } else { &scratch[len..] };
                                (Arc::from(json), whole, RESULT_ID_HASH.hash_one(json))
                            }
                        };
                        entries.add(Entry {
                            shown: Shown::of(d),
                            range,
                            bytes: d.range,
                            prefix_len: range_prefix_len(range) as u32,
                            related: related.into_boxed_slice(),
                            json,
                            whole,
                            hash,
                        });
                    }
                }
            }
            let entry = entries.built().last().expect("an entry was just placed");
            if !entry.whole {
                array_len += entry.prefix_len as usize;
            }
            array_len += entry.json.len();
            entry.range.hash(&mut id);
            entry.hash.hash(&mut id);
        }
        let entries = entries.finish();
        entries.len().hash(&mut id);
        Published {
            result_id: format!("{:016x}", id.finish()),
            version,
            entries,
            array_len,
            enc: Some(enc),
            last_columns: std::sync::OnceLock::new(),
        }
    }
}

// How many entries of a previous publication this thread copied (for the test that they are moved when
// nothing else holds it).
#[cfg(test)]
thread_local! {
    static COPIED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// How many entries this thread took over at a position that the changes of the text gave.
    static MOVED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The entries of a publication being built from the previous one's. When nothing else holds the
/// previous publication (the writer thread has written it), they are built in its own vector: an entry
/// kept at its index is not moved at all, and one kept further on is swapped into place. Otherwise the
/// previous entries are copied into a new vector (their JSON shared).
struct Building {
    /// `[0, out)`: the new publication's entries. In the previous publication's own vector, `[out, next)`
    /// are entries passed or taken, and `[next, ..)` those not passed yet.
    v: Vec<Entry>,
    out: usize,
    next: usize,
    /// The previous publication while the writer thread holds it (its entries are copied from it).
    shared: Option<Arc<Published>>,
}

impl Building {
    fn new(prev: Option<Arc<Published>>, capacity: usize) -> Building {
        let (v, shared) = match prev.map(Arc::try_unwrap) {
            Some(Ok(owned)) => (owned.entries, None),
            Some(Err(shared)) => (Vec::with_capacity(capacity), Some(shared)),
            None => (Vec::with_capacity(capacity), None),
        };
        Building {
            v,
            out: 0,
            next: 0,
            shared,
        }
    }

    /// The previous publication's entries not passed yet.
    fn old(&self) -> &[Entry] {
        match &self.shared {
            Some(p) => &p.entries[self.next..],
            None => &self.v[self.next..],
        }
    }

    /// The new publication's entries so far.
    fn built(&self) -> &[Entry] {
        &self.v[..self.out]
    }

    /// Places the old entry `k` (an index into [`Building::old`]) as the next entry, passing the ones
    /// before it, and returns it to be updated.
    fn keep(&mut self, k: usize) -> &mut Entry {
        let at = self.next + k;
        self.next = at + 1;
        match &self.shared {
            Some(p) => {
                #[cfg(test)]
                COPIED.with(|c| c.set(c.get() + 1));
                self.v.push(p.entries[at].clone());
            }
            // (A swap of an element with itself still copies it through a temporary.)
            None if at != self.out => self.v.swap(self.out, at),
            None => {}
        }
        self.out += 1;
        &mut self.v[self.out - 1]
    }

    /// Places a new entry as the next one.
    fn add(&mut self, e: Entry) {
        if self.shared.is_some() {
            self.v.push(e);
        } else if self.out < self.next {
            // Over an entry passed or taken.
            self.v[self.out] = e;
        } else {
            // Before the entries not passed yet (if any).
            self.v.insert(self.out, e);
            self.next += 1;
        }
        self.out += 1;
    }

    /// The new publication's entries (the previous ones not kept are dropped).
    fn finish(mut self) -> Vec<Entry> {
        self.v.truncate(self.out);
        self.v
    }
}

/// The `publishDiagnostics` notification up to its diagnostics array (which the closing `}}` follows).
pub fn publish_head(uri: &str, version: i32) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{{"uri":{},"version":{version},"diagnostics":"#,
        serde_json::Value::String(uri.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Input, check};
    use crate::diagnostic::Severity;
    use crate::messages::Locale;
    use crate::settings::Settings;

    const BASE: &str = "FROM node:14 AS build\nARG TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\nRUN curl -k https://x.example/é.sh | sh\nCOPY --from=build / /\nFROM debian:bookworm-slim\nUSER root\nRUN echo \"😀 $TOKEN\"\nADD http://example.com/a.tgz /a\n";

    fn diagnostics(text: &str, settings: &Settings) -> Vec<Diagnostic> {
        let input = Input {
            dockerfile: text,
            ignore_file: None,
            context: None,
            today: crate::date::Date::parse("2026-11-28").unwrap(),
            invalid_utf8_at: None,
            fixes: true,
        };
        check(&input, settings)
    }

    /// `Published::untouched(line, col)` holds exactly when the published JSON (read back as JSON, the
    /// related places included) has no position on that line at or after that column, in every
    /// encoding; and never for columns of another encoding than the publication's.
    #[test]
    fn untouched_places_are_those_no_published_position_reaches() {
        let text = format!("# a comment\n{BASE}FROM alpine:3.20 AS build\n# last\n");
        let settings = Settings {
            select: Some(vec!["ALL".into()]),
            ..Settings::default()
        };
        let ds = diagnostics(&text, &settings);
        assert!(
            ds.iter().any(|d| !d.related.is_empty()),
            "a finding with related places"
        );
        let idx = LineIndex::new(&text);
        let uri = "file:///tmp/x/Dockerfile";
        let (mut said_untouched, mut said_touched) = (0, 0);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let p = Published::build(None, ds.clone(), uri, 1, &text, &idx, enc);
            let json: serde_json::Value = serde_json::from_slice(&p.array()).unwrap();
            let mut positions = Vec::new();
            for d in json.as_array().unwrap() {
                let mut ranges = vec![&d["range"]];
                if let Some(rel) = d["relatedInformation"].as_array() {
                    ranges.extend(rel.iter().map(|r| &r["location"]["range"]));
                }
                for r in ranges {
                    for end in ["start", "end"] {
                        positions.push((r[end]["line"].as_u64().unwrap(), r[end]["character"].as_u64().unwrap()));
                    }
                }
            }
            for line in 0..idx.line_count() as u32 + 1 {
                for col in 0..60 {
                    let reached = positions
                        .iter()
                        .any(|&(l, c)| l == u64::from(line) && c >= u64::from(col));
                    assert_eq!(
                        p.untouched(line, col, enc),
                        !reached,
                        "{enc:?} line {line} column {col}"
                    );
                    if reached {
                        said_touched += 1;
                    } else {
                        said_untouched += 1;
                    }
                }
            }
            let other = if enc == Encoding::Utf8 {
                Encoding::Utf16
            } else {
                Encoding::Utf8
            };
            assert!(!p.untouched(0, 0, other), "columns of another encoding");
        }
        assert!(
            said_touched > 100 && said_untouched > 100,
            "{said_touched} / {said_untouched}"
        );
    }

    /// Each step: the text, the settings, the position encoding. The published JSON and result id must
    /// be those of a cold build and of the uncached serialisation, whatever was cached before.
    #[test]
    fn cached_and_uncached_output_are_byte_identical() {
        let en = Settings::default();
        let ja = Settings {
            locale: Locale::Ja,
            ..Settings::default()
        };
        let warn_all = Settings {
            severity: vec![("ALL".into(), Severity::Warning)],
            ..Settings::default()
        };
        let typed = BASE.replace("USER root", "USER rootx");
        // A change on a line before a finding on the same line moves its column.
        let widened = BASE.replace("RUN curl", "RUN  curl");
        let shifted = format!("# a comment\n\n{BASE}");
        let removed = BASE.replace("USER root\n", "");
        let doubled = format!("{BASE}{BASE}");
        let steps: Vec<(String, &Settings, Encoding)> = vec![
            (BASE.to_string(), &en, Encoding::Utf16),
            (typed.clone(), &en, Encoding::Utf16),
            (BASE.to_string(), &en, Encoding::Utf16),
            (widened.clone(), &en, Encoding::Utf16),
            (BASE.to_string(), &en, Encoding::Utf16),
            (shifted.clone(), &en, Encoding::Utf16),
            (removed.clone(), &en, Encoding::Utf16),
            (doubled.clone(), &en, Encoding::Utf16),
            (BASE.to_string(), &en, Encoding::Utf16),
            (BASE.to_string(), &ja, Encoding::Utf16),
            (shifted.clone(), &ja, Encoding::Utf16),
            (shifted.clone(), &warn_all, Encoding::Utf16),
            (shifted.clone(), &warn_all, Encoding::Utf8),
            (typed.clone(), &en, Encoding::Utf32),
            (BASE.to_string(), &en, Encoding::Utf8),
        ];
        let uri = "file:///tmp/my%20app/Dockerfile";
        let mut prev: Option<Arc<Published>> = None;
        let mut reused_any = false;
        let mut shared_any = false;
        let mut moved_any = false;
        let mut twins_shared = false;
        let mut placed_by_changes = false;
        let mut prev_text: Option<&str> = None;
        for (version, (text, settings, enc)) in steps.iter().enumerate() {
            let version = version as i32 + 1;
            let idx = LineIndex::new(text);
            let ds = diagnostics(text, settings);
            assert!(!ds.is_empty(), "the example has findings");
            let uncached = serialize_uncached(&ds, uri, text, &idx, *enc);
            let cold = Published::build(None, ds.clone(), uri, version, text, &idx, *enc);
            // The change from the previous step's text, as the server would have recorded it.
            let change = prev_text.map(|old: &str| change_between(old, text));
            let changes = change.as_slice();
            twins_shared |= cold
                .entries
                .iter()
                .enumerate()
                .any(|(i, a)| cold.entries[..i].iter().any(|b| Arc::ptr_eq(&a.json, &b.json)));
            if let Some(p) = &prev {
                reused_any |= p.entries.iter().any(|e| cold.entries.iter().any(|c| c.hash == e.hash));
            }
            let copies = || COPIED.with(|c| c.get());
            let published = |p: &Published| {
                assert_eq!(
                    String::from_utf8_lossy(&p.array()),
                    String::from_utf8_lossy(&uncached),
                    "step {version}"
                );
                assert_eq!(p.array_len(), uncached.len());
                assert_eq!(
                    p.notification(uri).as_slice(),
                    publish_notification(uri, version, &uncached).as_slice()
                );
                assert_eq!(p.result_id, cold.result_id, "step {version}");
            };
            // While the writer thread still holds the previous publication, its entries are copied.
            let held = prev.clone();
            let before = copies();
            let shared = Published::build(
                held.clone().map(|p| (p, Some(changes))),
                ds.clone(),
                uri,
                version,
                text,
                &idx,
                *enc,
            );
            if let Some(p) = &held {
                let reused = shared
                    .entries
                    .iter()
                    .any(|w| p.entries.iter().any(|e| Arc::ptr_eq(&w.json, &e.json)));
                shared_any |= reused;
                assert_eq!(copies() > before, reused, "step {version}: what is reused is copied");
            }
            published(&shared);
            drop((shared, held));
            // Once nothing else holds it, they are moved. (A weak reference keeps each JSON's memory, so
            // that no new JSON can be given the address of one dropped meanwhile.)
            let old: Vec<std::sync::Weak<[u8]>> = prev
                .iter()
                .flat_map(|p| &p.entries)
                .map(|e| Arc::downgrade(&e.json))
                .collect();
            let before = copies();
            let moved_before = MOVED.with(|c| c.get());
            let warm = Published::build(
                prev.take().map(|p| (p, Some(changes))),
                ds,
                uri,
                version,
                text,
                &idx,
                *enc,
            );
            placed_by_changes |= MOVED.with(|c| c.get()) > moved_before;
            assert_eq!(copies(), before, "step {version}: nothing is copied");
            moved_any |= warm
                .entries
                .iter()
                .any(|w| old.iter().any(|o| std::ptr::addr_eq(o.as_ptr(), Arc::as_ptr(&w.json))));
            published(&warm);
            assert_eq!(warm.notification(uri), cold.notification(uri));
            let v: serde_json::Value = serde_json::from_slice(&warm.notification(uri)).unwrap();
            assert_eq!(v["params"]["version"], version);
            prev = Some(Arc::new(warm));
            prev_text = Some(text);
        }
        assert!(
            placed_by_changes,
            "some entries were placed where the changes of the text moved them"
        );
        assert!(reused_any, "some diagnostics were reused between steps");
        assert!(shared_any, "a reused diagnostic's JSON is shared, not copied");
        assert!(
            moved_any,
            "an entry of a previous publication nothing else holds is moved, not copied"
        );
        assert!(twins_shared, "equal diagnostics of one publication share one JSON");
    }

    /// The one change that turns `old` into `new` (the smallest single edit, as quick fixes are sent).
    fn change_between(old: &str, new: &str) -> Change {
        let e = crate::lsp::actions::minimal_edit(old, new);
        let (start, end) = (e.range.start as usize, e.range.end as usize);
        Change::new(old, &LineIndex::new(old), start, end, e.new_text.as_str())
    }

    #[test]
    fn range_prefix_lengths_are_counted_right() {
        for n in [0, 1, 9, 10, 99, 100, 65_535, 999_999, 1_000_000, u32::MAX] {
            for r in [[n, 0, 0, 0], [0, n, 0, 0], [0, 0, n, 0], [0, 0, 0, n], [n, n, n, n]] {
                assert_eq!(range_prefix_len(r), range_prefix(r).1, "{r:?}");
            }
        }
    }

    #[test]
    fn result_ids_tell_different_diagnostics_apart() {
        let en = Settings::default();
        let build = |prev: Option<Arc<Published>>, text: &str, version: i32| {
            Published::build(
                prev.map(|p| (p, None)),
                diagnostics(text, &en),
                "file:///x/Dockerfile",
                version,
                text,
                &LineIndex::new(text),
                Encoding::Utf16,
            )
        };
        let a = build(None, BASE, 1);
        let b = build(None, BASE, 2);
        assert_eq!(a.result_id, b.result_id, "the version is not part of the diagnostics");
        let c = build(Some(Arc::new(b)), &format!("\n{BASE}"), 3);
        assert_ne!(a.result_id, c.result_id, "moved diagnostics are different diagnostics");
        let empty = Published::build(
            None,
            Vec::new(),
            "file:///x/Dockerfile",
            1,
            "",
            &LineIndex::new(""),
            Encoding::Utf16,
        );
        assert_eq!(empty.array(), b"[]");
        assert_eq!(empty.array_len(), 2);
    }
}
