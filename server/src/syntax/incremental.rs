//! Incremental reparsing: after an edit, only the items the edit can change are lexed again.
//!
//! Why it is correct: items start at line starts where the lexer holds no state (no open continuation,
//! no heredoc), and the only state that crosses items is the escape character, set by the directives.
//! An item depends on the bytes from its start to `start + lookahead`. So:
//! 1. edits at or before the directive guard reparse everything;
//! 2. items whose window ends before the edit are kept as they are;
//! 3. lexing restarts at the first item whose window reaches the edit (or after the last kept item) and
//!    stops at the first line start past the edit where an old item started: from there the old and new
//!    texts are identical and the lexer is in the same state, so the old items are reused, moved by the
//!    length difference.

use crate::syntax::parser;
use crate::syntax::{Dockerfile, Edit, Item, parse};

pub(crate) fn reparse(old: &Dockerfile, new_text: &str, edit: Edit) -> Dockerfile {
    let old_len = old.len;
    let new_len_total = new_text.len() as u32;
    let Edit { range, new_len } = edit;
    // A text that does not match the edit (stale edit, wrong lengths): parse from scratch.
    if range.end > old_len
        || range.start > range.end
        || i64::from(old_len) - i64::from(range.len()) + i64::from(new_len) != i64::from(new_len_total)
        || range.start <= old.guard
        || !new_text.is_char_boundary(range.start as usize)
        || !new_text.is_char_boundary((range.start + new_len) as usize)
    {
        return parse(new_text);
    }
    let delta = i64::from(new_len) - i64::from(range.len());
    let edit_end_new = range.start + new_len;

    // First item whose read window reaches the edit; the windows grow monotonically with the items.
    let first = old
        .items
        .iter()
        .position(|it| it.start + it.node.lookahead >= range.start)
        .unwrap_or(old.items.len());
    let restart_at = match old.items.get(first) {
        Some(it) => it.start.min(range.start),
        None => range.start,
    };
    // A line start at or before the edit, at or after the end of the last kept item; never before the
    // body (after a BOM the first body line starts at 3, not at a line start).
    let restart = line_start_before(new_text, restart_at as usize).max(old.body_start as usize);

    // Old items that may serve as sync points: start at or after the edit's end.
    let sync_from = old.items.partition_point(|it| it.start < range.end.max(restart as u32));
    let mut sync_index = None;
    let (relexed, _) = parser::lex_items(new_text, restart, old.escape as u8, |pos| {
        let pos = pos as u32;
        if pos < edit_end_new {
            return false;
        }
        let old_pos = i64::from(pos) - delta;
        if old_pos < i64::from(range.end) {
            return false;
        }
        let old_pos = old_pos as u32;
        let k = sync_from + old.items[sync_from..].partition_point(|it| it.start < old_pos);
        if k < old.items.len() && old.items[k].start == old_pos {
            sync_index = Some(k);
            true
        } else {
            false
        }
    });

    let mut items: Vec<Item> = Vec::with_capacity(old.items.len() + relexed.len());
    items.extend(old.items[..first].iter().cloned());
    items.extend(relexed);
    if let Some(k) = sync_index {
        for it in &old.items[k..] {
            items.push(Item {
                start: (i64::from(it.start) + delta) as u32,
                node: it.node.clone(),
            });
        }
    }
    Dockerfile {
        len: new_len_total,
        bom: old.bom,
        escape: old.escape,
        directives: old.directives.clone(),
        directive_errors: old.directive_errors.clone(),
        body_start: old.body_start,
        guard: old.guard,
        items,
    }
}

fn line_start_before(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    match text.as_bytes()[..pos].iter().rposition(|&b| b == b'\n') {
        Some(i) => i + 1,
        None => 0,
    }
}
