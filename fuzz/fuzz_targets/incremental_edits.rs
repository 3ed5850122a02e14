//! Incremental edits, as the language server applies them, checked against a full parse.
//!
//! Input: the first byte picks the position encoding (UTF-8, UTF-16, UTF-32); the text up to the first
//! `0xFF` byte is the document (UTF-8, lossily); the rest is an edit script. Each edit is a
//! `didChange` content change applied through `lsp::document::Document::apply_changes`, the code the
//! server runs: positions given in the encoding (some deliberately out of range, on the second half of
//! a surrogate pair, or inside a `\r\n`), converted and clamped, then the text, the line index and the
//! tree are updated incrementally. After every change the tree must equal a fresh parse of the text and
//! the line index a fresh index; at the end the memoised check of the incremental tree must equal a fresh
//! check with every memo bypassed. After every fourth edit and at the end the diagnostics are published as
//! the server publishes them, from the last publication and the changes since (which place most entries
//! without converting their positions again), and must be byte for byte a publication made afresh.
//! While every change since the last publication was quiet (`Document::quiet`: the server then answers
//! with that publication and checks nothing), a fresh publication must be byte for byte that one.

#![no_main]

use std::sync::Arc;

use dockward::diagnostic::FileRef;
use dockward::lsp::diagnostics::Published;
use dockward::lsp::document::Document;
use dockward::settings::Settings;
use dockward::syntax::parse;
use dockward::text::{Encoding, LineIndex};
use dockward::{Input, check, check_tree, memo};
use dockward_fuzz::{Bytes, TODAY, assert_tree};
use libfuzzer_sys::fuzz_target;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let enc = match b.u8() % 3 {
        0 => Encoding::Utf8,
        1 => Encoding::Utf16,
        _ => Encoding::Utf32,
    };
    let text = String::from_utf8_lossy(b.until(0xFF)).into_owned();
    let mut doc = Document::new("file:///fuzz/Dockerfile".into(), "dockerfile".into(), 1, text);
    let mut version = 1;
    let mut edits = 0;
    let mut published = None;
    while !b.is_empty() && edits < 64 {
        edits += 1;
        let mut changes = Vec::new();
        for _ in 0..1 + b.u8() % 3 {
            changes.push(change(&mut b, &doc, enc));
        }
        // Versions go up, except now and then (stale or repeated versions are applied in order).
        version = if b.u8() % 8 == 0 { version } else { version + 1 };
        // As the server asks: whether the last publication has no position at or after a place.
        let untouched = |line, col| published.as_ref().is_some_and(|p: &Arc<Published>| p.untouched(line, col, enc));
        doc.apply_changes(version, changes, enc, untouched);
        let tree = doc.tree.as_ref().expect("a Dockerfile has a tree");
        assert!(
            *tree == parse(&doc.text),
            "the incremental tree differs from a full parse"
        );
        assert_same_index(&doc.index, &LineIndex::new(&doc.text), &doc.text);
        if doc.quiet()
            && let Some(p) = &published
        {
            // Quiet changes only: the server answers with the last publication, unchecked.
            let mut ds = check_tree(tree, &Input::new(&doc.text, TODAY), &Settings::default());
            ds.retain(|d| d.file == FileRef::Dockerfile);
            let fresh = Published::build(None, ds, &doc.uri, doc.version, &doc.text, &doc.index, enc);
            assert!(
                fresh.array() == p.array(),
                "after quiet changes the diagnostics are not those last published:\n{}\n{}",
                String::from_utf8_lossy(&p.array()),
                String::from_utf8_lossy(&fresh.array())
            );
        }
        if edits % 4 == 0 {
            publish(&mut doc, &mut published, enc);
        }
    }
    publish(&mut doc, &mut published, enc);
    let tree = doc.tree.as_ref().expect("a Dockerfile has a tree");
    assert_tree(&doc.text, tree);
    let input = Input::new(&doc.text, TODAY);
    let memoised = check_tree(tree, &input, &Settings::default());
    let fresh = memo::bypassed(|| check(&input, &Settings::default()));
    assert!(
        memoised == fresh,
        "the memoised check of the edited tree differs from a fresh check"
    );
});

/// One content change: a position pair read from the input (line and column in `enc`, or a byte
/// offset converted to a position), the inserted text, or now and then a whole-text replacement.
fn change(b: &mut Bytes, doc: &Document, enc: Encoding) -> TextDocumentContentChangeEvent {
    let kind = b.u8();
    let insert_len = usize::from(b.u8() % 24);
    let pos = |b: &mut Bytes| -> Position {
        if kind & 1 == 0 {
            // A byte offset, snapped to a character, as the editor would compute it.
            let len = doc.text.len() as u32 + 1;
            let off = u32::from(b.u16()) % len;
            let lc = doc.index.to_line_col(&doc.text, off, enc);
            Position {
                line: lc.line,
                character: lc.col,
            }
        } else {
            // A raw position, possibly out of range or inside a character.
            let lines = doc.index.line_count() as u32 + 2;
            Position {
                line: u32::from(b.u8()) % lines,
                character: u32::from(b.u8() % 96),
            }
        }
    };
    let (a, c) = (pos(b), pos(b));
    let text = String::from_utf8_lossy(b.take(insert_len)).into_owned();
    let range = if (a.line, a.character) <= (c.line, c.character) {
        Range { start: a, end: c }
    } else {
        Range { start: c, end: a }
    };
    TextDocumentContentChangeEvent {
        range: (kind % 32 != 31).then_some(range),
        range_length: None,
        text,
    }
}

/// Publishes the document's diagnostics as the server does (from the last publication and the changes
/// since) and compares the result with a publication made afresh.
fn publish(doc: &mut Document, prev: &mut Option<Arc<Published>>, enc: Encoding) {
    let tree = doc.tree.as_ref().expect("a Dockerfile has a tree");
    let mut ds = check_tree(tree, &Input::new(&doc.text, TODAY), &Settings::default());
    ds.retain(|d| d.file == FileRef::Dockerfile);
    let changes = doc.take_changes();
    let (uri, v) = (doc.uri.as_str(), doc.version);
    let fresh = Published::build(None, ds.clone(), uri, v, &doc.text, &doc.index, enc);
    let last = prev.take().map(|p| (p, changes.as_deref()));
    let kept = Published::build(last, ds, uri, v, &doc.text, &doc.index, enc);
    assert!(
        kept.array() == fresh.array(),
        "the publication made from the last one differs from a fresh one:\n{}\n{}",
        String::from_utf8_lossy(&kept.array()),
        String::from_utf8_lossy(&fresh.array())
    );
    assert_eq!(kept.result_id, fresh.result_id);
    *prev = Some(Arc::new(kept));
}

fn assert_same_index(a: &LineIndex, b: &LineIndex, text: &str) {
    // Everything the index keeps (its count of non-ASCII bytes included) equals a fresh index's.
    assert!(a == b, "the edited index differs from a fresh one");
    assert_eq!(a.line_count(), b.line_count(), "line count");
    for line in 0..a.line_count() as u32 {
        assert_eq!(a.line_start(line), b.line_start(line), "start of line {line}");
        assert_eq!(a.line_range(text, line), b.line_range(text, line));
    }
}
