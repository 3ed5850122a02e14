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

use crate::syntax::ast::Run;
use crate::syntax::parser;
use crate::syntax::{Dockerfile, Edit, parse};

/// The tree for `new_text` (the old text with `edit` applied), as a new tree sharing the reused nodes.
pub(crate) fn reparse(old: &Dockerfile, new_text: &str, edit: Edit) -> Dockerfile {
    let mut tree = Dockerfile {
        items: Vec::new(),
        starts: Vec::new(),
        directives: old.directives.clone(),
        directive_errors: old.directive_errors.clone(),
        ..*old
    };
    match relex(old, new_text, edit) {
        None => return parse(new_text),
        Some(Relexed {
            first,
            items,
            sync,
            delta,
        }) => {
            let n = first + items.len() + sync.map_or(0, |k| old.items.len() - k);
            tree.items.reserve_exact(n);
            tree.starts.reserve_exact(n);
            tree.items.extend(old.items[..first].iter().cloned());
            tree.starts.extend_from_slice(&old.starts[..first]);
            tree.items.extend(items.items);
            tree.starts.extend(items.starts);
            if let Some(k) = sync {
                tree.items.extend(old.items[k..].iter().cloned());
                tree.starts.extend(old.starts[k..].iter().map(|&s| moved(s, delta)));
            }
        }
    }
    tree.len = new_text.len() as u32;
    tree.tally = super::Tally::of(&tree.items);
    tree.reach = old.reach.with(&tree.items);
    tree
}

/// [`reparse`] changing `tree` in place: the items before and after the relexed ones stay in their
/// vector (the later ones moved), so a keystroke touches no node it does not lex again.
/// Returns whether the edit was quiet ([`Dockerfile::apply_edit`]).
pub(crate) fn reparse_in_place(tree: &mut Dockerfile, new_text: &str, edit: Edit) -> bool {
    let Some(Relexed {
        first,
        items,
        sync,
        delta,
    }) = relex(tree, new_text, edit)
    else {
        *tree = parse(new_text);
        return false;
    };
    let end = sync.unwrap_or(tree.items.len());
    let after = first + items.len();
    // Comments are one line each, so as many plain comments as before are the same lines.
    let quiet = !items.is_empty()
        && items.len() == end - first
        && tree.items[first..end]
            .iter()
            .chain(&items.items)
            .all(|it| it.facts.is_plain_comment());
    tree.tally = tree.tally.replaced(
        super::Tally::of(&tree.items[first..end]),
        super::Tally::of(&items.items),
    );
    tree.reach = tree.reach.with(&items.items);
    tree.items.splice(first..end, items.items);
    tree.starts.splice(first..end, items.starts);
    if delta != 0 {
        // Wrapping in 32 bits is the same sum (every start stays within the text), and lets the pass run
        // several starts per instruction.
        let d = delta as u32;
        for s in &mut tree.starts[after..] {
            *s = s.wrapping_add(d);
        }
    }
    tree.len = new_text.len() as u32;
    quiet
}

fn moved(start: u32, delta: i64) -> u32 {
    (i64::from(start) + delta) as u32
}

/// What an edit changes in the items: `old.items[..first]` are kept, `items` follow them, then
/// `old.items[sync..]` moved by `delta` (none when the lexer reached the end of the text).
struct Relexed {
    first: usize,
    items: Run,
    sync: Option<usize>,
    delta: i64,
}

/// The items an edit changes, lexed again; `None` when the whole text must be parsed again.
fn relex(old: &Dockerfile, new_text: &str, edit: Edit) -> Option<Relexed> {
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
        return None;
    }
    let delta = i64::from(new_len) - i64::from(range.len());
    let edit_end_new = range.start + new_len;

    // First item whose read window reaches the edit (the window is kept in the item). No item that starts
    // more than the longest window before the edit reaches it; that bound is kept in the tree (a window can
    // reach far: an unterminated heredoc reads to the end of the text, and then every item is looked at).
    let near = old
        .starts
        .partition_point(|&s| u64::from(s) + u64::from(old.reach.0) < u64::from(range.start));
    let first = old.items[near..]
        .iter()
        .zip(&old.starts[near..])
        .position(|(it, &s)| s + it.lookahead >= range.start)
        .map_or(old.items.len(), |k| near + k);
    let restart_at = match old.starts.get(first) {
        Some(&s) => s.min(range.start),
        None => range.start,
    };
    // A line start at or before the edit, at or after the end of the last kept item; never before the
    // body (after a BOM the first body line starts at 3, not at a line start).
    let restart = line_start_before(new_text, restart_at as usize).max(old.body_start as usize);

    // Old items that may serve as sync points: start at or after the edit's end.
    let sync_from = old.starts.partition_point(|&s| s < range.end.max(restart as u32));
    let mut sync_index = None;
    // Room for the items up to the first old item that may serve (most edits relex one item; reserving
    // for the rest of the text allocated 1.4 MB per keystroke in the middle of 50,000 lines).
    let expect_end = old.starts.get(sync_from).map_or(new_text.len(), |&s| {
        (i64::from(s) + delta).max(i64::from(edit_end_new)) as usize
    });
    let (relexed, _) = parser::lex_items(new_text, restart, old.escape as u8, expect_end, |pos| {
        let pos = pos as u32;
        if pos < edit_end_new {
            return false;
        }
        let old_pos = i64::from(pos) - delta;
        if old_pos < i64::from(range.end) {
            return false;
        }
        let old_pos = old_pos as u32;
        let k = sync_from + old.starts[sync_from..].partition_point(|&s| s < old_pos);
        if k < old.starts.len() && old.starts[k] == old_pos {
            sync_index = Some(k);
            true
        } else {
            false
        }
    });

    Some(Relexed {
        first,
        items: relexed,
        sync: sync_index,
        delta,
    })
}

fn line_start_before(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    match text.as_bytes()[..pos].iter().rposition(|&b| b == b'\n') {
        Some(i) => i + 1,
        None => 0,
    }
}
