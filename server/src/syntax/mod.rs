//! Error-tolerant parsers for Dockerfiles and `.dockerignore` files; every token carries a byte range.
//!
//! [`parse`] never fails and never panics: it returns a [`Dockerfile`] tree whose problems are listed
//! by [`Dockerfile::errors`]. [`Dockerfile::edit`] reparses only the items an edit can change.

pub mod ast;
pub mod dockerignore;
pub mod dump;
pub mod errors;
mod incremental;
mod parallel;
pub mod parser;
pub mod shellword;
pub mod words;

use std::sync::Arc;

pub use ast::*;
pub use errors::{ProblemKind, SyntaxError};
pub use parallel::lex_on_calling_thread;

use crate::text::TextRange;

/// A parsed Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dockerfile {
    /// Length of the text it was parsed from.
    pub len: u32,
    /// The text starts with a UTF-8 byte-order mark (3 bytes, skipped by Docker).
    pub bom: bool,
    /// The escape character: `\` unless `# escape=`` ` `` says otherwise.
    pub escape: char,
    pub directives: Vec<Directive>,
    /// Problems with the directives (absolute ranges).
    pub directive_errors: Vec<SyntaxError>,
    /// Offset of the first line after the parser directives.
    pub body_start: u32,
    /// Edits starting at or before this offset may change the directives, so they reparse everything.
    pub(crate) guard: u32,
    /// Instructions and comments, in order.
    pub items: Vec<Item>,
    /// Where each item starts (the absolute offset of its first line), beside `items`: an edit moves the
    /// starts of the items after it in one dense pass over four bytes per item (moved inside the 56-byte
    /// items, the pass touched every cache line of the item vector, 1 MB on the 50,000-line bench file,
    /// and was the largest part of applying a keystroke there).
    pub starts: Vec<u32>,
    /// What the checks count over all items, kept through incremental parses ([`Tally`]).
    pub(crate) tally: Tally,
    /// At least the longest read window of any item ([`Item::lookahead`]): an incremental parse searches
    /// for the first item an edit reaches only among the items that start this close before it.
    pub(crate) reach: Reach,
}

/// An upper bound of the items' read windows. An incremental parse only raises it (a removed item may
/// have had the longest window), so two trees of the same text may hold different bounds: it is not
/// compared, and trees are equal as parses.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Reach(pub(crate) u32);

impl Reach {
    /// The bound raised to cover `items`.
    pub(crate) fn with(self, items: &[Item]) -> Reach {
        Reach(items.iter().map(|it| it.lookahead).fold(self.0, u32::max))
    }
}

impl PartialEq for Reach {
    fn eq(&self, _: &Reach) -> bool {
        true
    }
}

impl Eq for Reach {}

/// Counts over a tree's items that checks would otherwise make with a pass over every item at every
/// keystroke. Kept through incremental parses: the counts of the items lexed again are added and those of
/// the items they replace taken away, so a keystroke costs what its items cost. Two trees of the same text
/// hold the same tally (trees compare it; the incremental tests compare trees with fresh parses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Comments that may be suppression comments ([`ItemFacts::may_be_pragma`]): a file without any is
    /// not searched for them.
    pub(crate) pragma_comments: u32,
    /// Items with problems of their own ([`ItemFacts::has_errors`]): a file without any is not searched
    /// for them.
    pub(crate) error_items: u32,
    /// Instructions of a known kind by the case of their keyword (`[lower, upper, mixed]`, as
    /// [`KeywordCase::class`] gives it; DW603).
    pub(crate) cases: [u32; 3],
}

impl Tally {
    /// The tally of `items`.
    pub(crate) fn of(items: &[Item]) -> Tally {
        let mut t = Tally::default();
        for it in items {
            t.pragma_comments += u32::from(it.facts.may_be_pragma);
            t.error_items += u32::from(it.facts.has_errors);
            if let Some(class) = known_case(&it.facts) {
                t.cases[class] += 1;
            }
        }
        t
    }

    /// This tally with `added`'s counts added and `removed`'s taken away (`removed` is part of this one).
    pub(crate) fn replaced(self, removed: Tally, added: Tally) -> Tally {
        let f = |now: u32, out: u32, new: u32| now.saturating_sub(out) + new;
        Tally {
            pragma_comments: f(self.pragma_comments, removed.pragma_comments, added.pragma_comments),
            error_items: f(self.error_items, removed.error_items, added.error_items),
            cases: std::array::from_fn(|i| f(self.cases[i], removed.cases[i], added.cases[i])),
        }
    }
}

/// The case class of an instruction of a known kind (`None` for a comment or an unknown instruction).
pub(crate) fn known_case(facts: &ItemFacts) -> Option<usize> {
    match facts.kind {
        Some(Kind::Unknown) | None => None,
        Some(_) => Some(facts.keyword_case.class()),
    }
}

/// Parses a Dockerfile. Never fails, never panics.
pub fn parse(text: &str) -> Dockerfile {
    let pre = parser::prelude(text);
    let ast::Run { starts, items } = parallel::lex_body(text, pre.body_start as usize, pre.escape);
    Dockerfile {
        len: text.len() as u32,
        bom: pre.bom,
        escape: pre.escape as char,
        directives: pre.directives,
        directive_errors: pre.errors,
        body_start: pre.body_start,
        guard: pre.guard,
        tally: Tally::of(&items),
        reach: Reach::default().with(&items),
        items,
        starts,
    }
}

/// A text change: the bytes `range` of the old text replaced by `new_len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub new_len: u32,
}

impl Dockerfile {
    /// The tree for `new_text`, which is the old text with `edit` applied. Items the edit cannot affect
    /// are reused (shared, with their offsets moved); the result equals `parse(new_text)`.
    pub fn edit(&self, new_text: &str, edit: Edit) -> Dockerfile {
        incremental::reparse(self, new_text, edit)
    }

    /// [`Dockerfile::edit`] in place: the tree becomes the one for `new_text`. A document's tree after
    /// a keystroke: only the relexed items change, the others stay (moved) in the item vector.
    ///
    /// Returns whether the edit was *quiet*: it changed only the text of plain comments, each replaced
    /// by one plain comment on the same line ([`ItemFacts::is_plain_comment`]: no suppression comment, no
    /// misplaced directive, no problem of its own). No check reads such a comment's text, so a quiet
    /// edit leaves every finding as it was, moved with the text after the edit (guarded by
    /// `quiet_edits_only_move_findings`); the language server then needs no check.
    pub fn apply_edit(&mut self, new_text: &str, edit: Edit) -> bool {
        incremental::reparse_in_place(self, new_text, edit)
    }

    /// Every item with its absolute start.
    pub fn items(&self) -> impl DoubleEndedIterator<Item = ItemRef<'_>> + ExactSizeIterator {
        self.items
            .iter()
            .zip(&self.starts)
            .enumerate()
            .map(|(index, (it, &start))| ItemRef {
                index,
                start,
                node: &it.node,
            })
    }

    pub fn item(&self, index: usize) -> Option<ItemRef<'_>> {
        Some(ItemRef {
            index,
            start: *self.starts.get(index)?,
            node: &self.items.get(index)?.node,
        })
    }

    /// Item `index` with its instruction, if it is one.
    pub fn instruction(&self, index: usize) -> Option<(ItemRef<'_>, &Instruction)> {
        let it = self.item(index)?;
        Some((it, it.instruction()?))
    }

    /// The instructions, with their items.
    pub fn instructions(&self) -> impl DoubleEndedIterator<Item = (ItemRef<'_>, &Instruction)> {
        self.items().filter_map(|it| it.instruction().map(|i| (it, i)))
    }

    /// The directive named `name` (`syntax`, `escape`, `check`).
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// The index of the item containing `offset` (its extent, end included), if any.
    pub fn item_at(&self, offset: u32) -> Option<usize> {
        let i = self.starts.partition_point(|&s| s <= offset);
        let i = i.checked_sub(1)?;
        (offset <= self.starts[i] + self.items[i].node.len).then_some(i)
    }

    /// Every problem in the file, with absolute ranges, in document order.
    pub fn errors(&self) -> Vec<SyntaxError> {
        self.errors_in(0..self.items.len())
    }

    /// Like [`Dockerfile::errors`], reading only the items `items` (in order) for their problems: a
    /// caller that knows which items have problems (`Node::has_errors`) does not read the others.
    pub fn errors_in(&self, items: impl IntoIterator<Item = usize>) -> Vec<SyntaxError> {
        let mut out: Vec<SyntaxError> = self.directive_errors.clone();
        for it in items.into_iter().filter_map(|i| self.item(i)) {
            match &it.node.kind {
                NodeKind::Instruction(i) => {
                    out.extend(i.errors().iter().map(|e| e.shifted(it.start)));
                    if let Some(inner) = i.onbuild_inner() {
                        out.extend(inner.errors().iter().map(|e| e.shifted(it.start)));
                    }
                }
                NodeKind::Comment(c) => out.extend(c.errors.iter().map(|e| e.shifted(it.start))),
            }
        }
        if !self
            .items
            .iter()
            .any(|it| matches!(it.node.kind, NodeKind::Instruction(_)))
        {
            out.push(SyntaxError::new(
                ProblemKind::Syntax,
                TextRange::empty(self.len),
                "syntax.no-instructions",
            ));
        }
        out.sort_by_key(|e| (e.range.start, e.range.end));
        out
    }

    /// Whether the tree shares item `index` with `other` (same node, not a copy): used by caches.
    pub fn shares_item(&self, index: usize, other: &Dockerfile, other_index: usize) -> bool {
        match (self.items.get(index), other.items.get(other_index)) {
            (Some(a), Some(b)) => Arc::ptr_eq(&a.node, &b.node),
            _ => false,
        }
    }
}
