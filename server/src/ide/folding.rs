//! Folding ranges: stages, instructions over several lines (continuations), heredoc bodies, blocks of
//! comment lines and the parser-directive block. Every range spans at least two lines.

use crate::model::Model;
use crate::syntax::{Dockerfile, NodeKind};
use crate::text::{LineIndex, TextRange};

/// What a fold holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    /// A stage, an instruction or a heredoc body.
    Region,
    /// Comment lines.
    Comment,
    /// The parser directives (`# syntax=`, `# escape=`, `# check=`).
    Directives,
}

/// A fold from `start_line` to `end_line` (0-based, both included; `end_line > start_line`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub start_line: u32,
    pub end_line: u32,
    pub kind: FoldKind,
}

/// The folds of a file, sorted by start line (outer before inner).
pub fn folding_ranges(index: &LineIndex, tree: &Dockerfile, model: &Model) -> Vec<Fold> {
    let line = |offset: u32| index.line_of(offset);
    // The last line a range touches: a range ending just after a newline ends on the line before.
    let last_line = |r: TextRange| {
        let end = if r.end > r.start { r.end - 1 } else { r.end };
        index.line_of(end)
    };
    let mut out = Vec::new();
    let mut push = |start: u32, end: u32, kind: FoldKind| {
        if end > start {
            out.push(Fold {
                start_line: start,
                end_line: end,
                kind,
            });
        }
    };
    if let (Some(first), Some(last)) = (tree.directives.first(), tree.directives.last()) {
        push(line(first.range.start), last_line(last.range), FoldKind::Directives);
    }
    for st in &model.stages {
        let Some(from) = tree.item(st.from_item) else { continue };
        let start = from.start;
        let end = tree
            .items()
            .take(st.items.end)
            .skip(st.from_item)
            .rev()
            .find_map(|it| it.instruction().map(|i| it.abs(i.full_range)));
        if let Some(end) = end {
            push(line(start), last_line(end), FoldKind::Region);
        }
    }
    let mut comments: Option<(u32, u32)> = None;
    for it in tree.items() {
        match &it.node.kind {
            NodeKind::Comment(c) => {
                let l = line(it.abs(c.range).start);
                comments = match comments {
                    Some((a, b)) if l == b + 1 => Some((a, l)),
                    Some((a, b)) => {
                        push(a, b, FoldKind::Comment);
                        Some((l, l))
                    }
                    None => Some((l, l)),
                };
            }
            NodeKind::Instruction(ins) => {
                if let Some((a, b)) = comments.take() {
                    push(a, b, FoldKind::Comment);
                }
                let full = it.abs(ins.full_range);
                let (a, b) = (line(full.start), last_line(full));
                push(a, b, FoldKind::Region);
                for h in ins.heredocs() {
                    let body = it.abs(h.body);
                    // From the line that opens the body to the closing line (or the body's last line).
                    let open = line(body.start).saturating_sub(1);
                    let close = match h.terminator {
                        Some(t) => last_line(it.abs(t)),
                        None => last_line(body),
                    };
                    if (open, close) != (a, b) {
                        push(open, close, FoldKind::Region);
                    }
                }
            }
        }
    }
    if let Some((a, b)) = comments {
        push(a, b, FoldKind::Comment);
    }
    out.sort_by_key(|f| (f.start_line, std::cmp::Reverse(f.end_line)));
    out.dedup_by_key(|f| (f.start_line, f.end_line));
    out
}
