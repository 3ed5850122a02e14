//! The scripts of a Dockerfile instruction and the mapping of their ranges back to the source.
//!
//! A shell-form `RUN` hands BuildKit's shell the logical line after the flags (continuations joined, inner
//! comments dropped). With heredocs, BuildKit either runs the body alone (`RUN <<EOF`, unless it starts with
//! a `#!` naming another interpreter) or appends `"\n" + body + delimiter` for every heredoc to the command
//! and lets the shell handle them (`RUN bash <<EOF`, `RUN cat <<EOF > /x`). The script text built here is
//! exactly that, and every part of it remembers where it came from in the item, so script ranges map back
//! through continuation lines and into heredoc bodies.

use super::command::{basename, is_shell};
use super::parse::script_from_words;
use super::{Script, Word};
use crate::syntax::{CommandForm, Instruction, ItemRef, Kind};
use crate::text::TextRange;

/// Where a script comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptOrigin {
    /// The shell form's command text (with the heredoc bodies the shell reads appended).
    ShellForm,
    /// `RUN <<EOF`: the body of heredoc `index` is the whole script.
    HeredocBody { index: usize },
    /// The exec form: one command whose words are the array's strings (a `["sh", "-c", "..."]` script is
    /// parsed as nested).
    ExecForm,
}

/// A piece of the script text and where it is in the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seg {
    /// Offset in the script text.
    at: u32,
    len: u32,
    /// Item-relative source range.
    src: TextRange,
    /// The source holds the same bytes (offsets map 1:1); else any offset maps to the whole `src`.
    exact: bool,
}

/// A script of an instruction, parsed, with its mapping back to the Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunScript {
    pub origin: ScriptOrigin,
    /// The script text as the shell gets it (exec form: the strings joined with spaces).
    pub text: String,
    pub script: Script,
    segs: Vec<Seg>,
}

impl RunScript {
    /// The item-relative source range of a script range (then [`ItemRef::abs`] makes it absolute). Exact
    /// where the script text is written as is; a part built from escaped or generated text maps to the
    /// whole source it came from.
    pub fn range(&self, span: TextRange) -> TextRange {
        let (Some(first), Some(last)) = (self.segs.first(), self.segs.last()) else {
            return TextRange::default();
        };
        let start_seg = self
            .seg_at(span.start, true)
            .unwrap_or(if span.start < first.at { first } else { last });
        let start = if start_seg.exact {
            start_seg.src.start + (span.start.saturating_sub(start_seg.at)).min(start_seg.len)
        } else {
            start_seg.src.start
        };
        if span.is_empty() {
            return TextRange::empty(start);
        }
        let end_seg = self.seg_at(span.end, false).unwrap_or(last);
        let end = if end_seg.exact {
            end_seg.src.start + (span.end.saturating_sub(end_seg.at)).min(end_seg.len)
        } else {
            end_seg.src.end
        };
        TextRange::new(start, end.max(start))
    }

    /// Whether `span` maps 1:1 onto its source range (same bytes, no continuation or generated text inside).
    pub fn is_exact(&self, span: TextRange) -> bool {
        self.segs
            .iter()
            .any(|s| s.exact && s.at <= span.start && span.end <= s.at + s.len)
    }

    /// The absolute source range of a script range.
    pub fn abs_range(&self, item: &ItemRef<'_>, span: TextRange) -> TextRange {
        item.abs(self.range(span))
    }

    /// The segment holding `offset`: for a start, the one it begins in (at a boundary, the next one); for an
    /// end, the one it ends in.
    fn seg_at(&self, offset: u32, start: bool) -> Option<&Seg> {
        // The segments are contiguous and sorted by `at`.
        if start {
            let i = self.segs.partition_point(|s| s.at <= offset).checked_sub(1)?;
            self.segs.get(i).filter(|s| offset < s.at + s.len.max(1))
        } else {
            let i = self.segs.partition_point(|s| s.at + s.len < offset);
            self.segs.get(i).filter(|s| s.at < offset)
        }
    }
}

/// The item's source text (what ranges relative to the item are offsets into).
pub fn item_text<'a>(src: &'a str, item: &ItemRef<'_>) -> &'a str {
    let start = item.start as usize;
    let end = start + item.node.len as usize;
    src.get(start..end.min(src.len())).unwrap_or("")
}

/// A builder of script text with its segments.
#[derive(Default)]
struct Builder {
    text: String,
    segs: Vec<Seg>,
}

impl Builder {
    fn exact(&mut self, s: &str, src_start: u32) {
        if s.is_empty() {
            return;
        }
        self.segs.push(Seg {
            at: self.text.len() as u32,
            len: s.len() as u32,
            src: TextRange::at(src_start, s.len() as u32),
            exact: true,
        });
        self.text.push_str(s);
    }

    fn approx(&mut self, s: &str, src: TextRange) {
        if s.is_empty() {
            return;
        }
        self.segs.push(Seg {
            at: self.text.len() as u32,
            len: s.len() as u32,
            src,
            exact: false,
        });
        self.text.push_str(s);
    }

    /// `s`, which reads `item[src]` when that holds the same bytes.
    fn source_or_whole(&mut self, s: &str, item: &str, src: TextRange) {
        if item.get(src.as_usize()) == Some(s) {
            self.exact(s, src.start);
        } else {
            self.approx(s, src);
        }
    }
}

/// The scripts of `ins` (RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD, and the instruction of an ONBUILD), parsed.
/// `item_text` is the source of the instruction's item ([`item_text`]); ranges map relative to it.
///
/// The default shell (`/bin/sh -c`) is assumed: a caller that knows a stage's `SHELL` is not a POSIX shell
/// (PowerShell, `cmd`) should not use the shell-form scripts of that stage.
pub fn run_scripts(item_text: &str, ins: &Instruction) -> Vec<RunScript> {
    let ins = match ins.onbuild_inner() {
        Some(inner) => inner,
        None => ins,
    };
    if !matches!(ins.kind, Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck) {
        return Vec::new();
    }
    match ins.command() {
        Some(CommandForm::Shell(span)) => shell_form(item_text, ins, span.lo, span.hi).into_iter().collect(),
        Some(CommandForm::Exec(arr)) => exec_form(item_text, arr).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn shell_form(item: &str, ins: &Instruction, lo: u32, hi: u32) -> Option<RunScript> {
    let command = ins.logical.get(lo as usize..hi as usize)?;
    let heredocs = if ins.kind == Kind::Run { ins.heredocs() } else { &[] };
    // `RUN <<EOF`: the body is the script.
    if let [first, ..] = heredocs
        && command.trim() == ins.text(&first.marker)
        && heredocs.len() == 1
    {
        let body = item.get(first.body.as_usize()).unwrap_or("");
        if let Some(line) = body.strip_prefix("#!") {
            let line = line.lines().next().unwrap_or("");
            let mut words = line.split_whitespace();
            let mut interp = words.next().map(basename).unwrap_or("");
            if interp == "env" {
                interp = words.find(|w| !w.starts_with('-')).map(basename).unwrap_or("");
            }
            if !is_shell(interp) {
                return None;
            }
        }
        let mut b = Builder::default();
        b.exact(body, first.body.start);
        return Some(finish(b, ScriptOrigin::HeredocBody { index: 0 }));
    }
    let mut b = Builder::default();
    for p in &ins.pieces {
        let (a, z) = (p.logical.max(lo), (p.logical + p.len).min(hi));
        if a >= z {
            continue;
        }
        let s = ins.logical.get(a as usize..z as usize).unwrap_or("");
        b.source_or_whole(s, item, TextRange::at(p.source + (a - p.logical), z - a));
    }
    for h in heredocs {
        // The newline before the body is the one that ends the line before it.
        let nl = h.body.start.saturating_sub(1);
        b.source_or_whole("\n", item, TextRange::new(nl, h.body.start));
        let body = item.get(h.body.as_usize()).unwrap_or("");
        b.exact(body, h.body.start);
        if let Some(t) = h.terminator {
            let name_start = t.end.saturating_sub(h.name.len() as u32).max(t.start);
            b.source_or_whole(&h.name, item, TextRange::new(name_start, t.end));
        }
    }
    Some(finish(b, ScriptOrigin::ShellForm))
}

fn exec_form(item: &str, arr: &crate::syntax::JsonArray) -> Option<RunScript> {
    if arr.items.is_empty() {
        return None;
    }
    let mut b = Builder::default();
    let mut words = Vec::with_capacity(arr.items.len());
    for (n, s) in arr.items.iter().enumerate() {
        if n > 0 {
            let prev = arr.items[n - 1].span.range;
            b.approx(" ", TextRange::new(prev.end, s.span.range.start));
        }
        let at = b.text.len() as u32;
        let r = s.span.range;
        // Inside the quotes.
        let inner = TextRange::new((r.start + 1).min(r.end), r.end.saturating_sub(1).max(r.start));
        if item.get(inner.as_usize()) == Some(s.value.as_str()) {
            b.exact(&s.value, inner.start);
        } else {
            b.approx(&s.value, r);
        }
        if s.value.is_empty() {
            // An empty string still is a word; it maps to its quotes.
            b.segs.push(Seg {
                at,
                len: 0,
                src: r,
                exact: false,
            });
        }
        words.push(Word {
            raw_span: TextRange::at(at, s.value.len() as u32),
            value: s.value.clone(),
            quoted: false,
            has_expansion: false,
            verbatim: true,
            value_start: Some(at),
        });
    }
    let script = script_from_words(&b.text, words);
    Some(RunScript {
        origin: ScriptOrigin::ExecForm,
        text: b.text,
        script,
        segs: b.segs,
    })
}

fn finish(b: Builder, origin: ScriptOrigin) -> RunScript {
    let script = super::parse(&b.text);
    RunScript {
        origin,
        text: b.text,
        script,
        segs: b.segs,
    }
}
