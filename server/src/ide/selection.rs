//! Selection ranges: from the word under the cursor out to the whole file (word → variable reference →
//! flag field or argument → flag or argument list → instruction → stage → file), each range containing
//! the one before.

use crate::model::Model;
use crate::syntax::{Args, CommandForm, Dockerfile, Instruction, ItemRef, PathList, Span};
use crate::text::{TextRange, floor_char_boundary, slice};

/// The nested ranges around `offset`, innermost first; each strictly contains the previous one.
pub fn selection_ranges(text: &str, tree: &Dockerfile, model: &Model, offset: u32) -> Vec<TextRange> {
    let offset = floor_char_boundary(text, (offset as usize).min(text.len())) as u32;
    let mut cands: Vec<TextRange> = vec![TextRange::new(0, text.len() as u32)];
    if let Some(index) = tree.item_at(offset)
        && let Some(it) = tree.item(index)
    {
        match it.instruction() {
            Some(ins) => {
                instruction_ranges(it, ins, &mut cands);
                if let Some(st) = model.stage_of(index)
                    && let Some(from) = tree.item(st.from_item)
                {
                    let end = tree
                        .items()
                        .take(st.items.end)
                        .skip(st.from_item)
                        .rev()
                        .find_map(|i| i.instruction().map(|x| i.abs(x.full_range)));
                    if let Some(end) = end {
                        cands.push(TextRange::new(from.start, end.end));
                    }
                }
            }
            None => {
                if let Some(c) = it.comment() {
                    cands.push(it.abs(c.range));
                }
            }
        }
    }
    if let Some(w) = word_at(text, offset) {
        cands.push(w);
    }
    for d in &tree.directives {
        cands.extend([d.range, d.name_range, d.value_range]);
    }
    chain(cands, offset)
}

/// The candidates containing `offset`, nested: sorted by length, each kept when it contains the last kept
/// one and is larger.
fn chain(mut cands: Vec<TextRange>, offset: u32) -> Vec<TextRange> {
    cands.retain(|r| r.contains_inclusive(offset));
    cands.sort_by_key(|r| (r.len(), r.start));
    let mut out: Vec<TextRange> = Vec::new();
    for r in cands {
        match out.last() {
            Some(last) if !(r.start <= last.start && last.end <= r.end && r.len() > last.len()) => {}
            _ => out.push(r),
        }
    }
    out
}

/// The run of non-blank characters around `offset` on its line.
fn word_at(text: &str, offset: u32) -> Option<TextRange> {
    let b = text.as_bytes();
    let o = offset as usize;
    let blank = |c: u8| c.is_ascii_whitespace();
    let mut a = o;
    while a > 0 && !blank(b[a - 1]) {
        a -= 1;
    }
    let mut z = o;
    while z < b.len() && !blank(b[z]) {
        z += 1;
    }
    (z > a).then(|| TextRange::new(a as u32, z as u32))
}

fn instruction_ranges(it: ItemRef<'_>, ins: &Instruction, out: &mut Vec<TextRange>) {
    let abs = |s: &Span| it.abs(s.range);
    out.push(it.abs(ins.full_range));
    out.push(it.abs(ins.range));
    out.push(abs(&ins.keyword));
    if ins.args_span.hi > ins.args_span.lo {
        out.push(abs(&ins.args_span));
    }
    // The flags and the arguments together.
    if let (Some(first), true) = (ins.flags.first(), ins.args_span.hi >= ins.args_span.lo) {
        let start = it.abs(first.span.range).start;
        let end = it.abs(ins.range).end;
        out.push(TextRange::new(start, end));
    }
    for f in &ins.flags {
        out.push(abs(&f.span));
        out.push(it.abs(f.name_range));
        if let Some(v) = f.value_range {
            out.push(it.abs(v));
        }
        for field in f.fields() {
            out.push(it.abs(field.range));
            out.push(it.abs(field.key_range));
            if let Some(v) = field.value_range {
                out.push(it.abs(v));
            }
        }
    }
    for u in ins.var_uses.iter().chain(ins.shell_var_uses().iter()) {
        out.push(it.abs(u.range));
        out.push(abs(&u.name));
    }
    for h in ins.heredocs() {
        out.push(abs(&h.marker));
        // The delimiter inside `<<"EOF"`, when the marker is written on one line.
        let marker = ins.text(&h.marker);
        if let Some(pos) = marker.rfind(h.name.as_str())
            && !h.name.is_empty()
            && h.marker.range.len() as usize == marker.len()
        {
            out.push(TextRange::at(abs(&h.marker).start + pos as u32, h.name.len() as u32));
        }
        out.push(it.abs(h.body));
        if let Some(t) = h.terminator {
            out.push(it.abs(t));
        }
    }
    let json = |a: &crate::syntax::JsonArray, out: &mut Vec<TextRange>| {
        out.push(abs(&a.span));
        for s in &a.items {
            out.push(abs(&s.span));
        }
    };
    match &ins.args {
        Args::From(f) => {
            for s in f.image.iter().chain(&f.as_keyword).chain(&f.name).chain(&f.extra) {
                out.push(abs(s));
            }
        }
        Args::Command(CommandForm::Exec(a)) => json(a, out),
        Args::Command(CommandForm::Shell(s)) => out.push(abs(s)),
        Args::Command(CommandForm::Empty) => {}
        Args::Paths(PathList::Exec(a)) => json(a, out),
        Args::Paths(PathList::Words(ws)) | Args::Words(ws) => out.extend(ws.iter().map(abs)),
        Args::KeyValues(kvs) => {
            for kv in kvs {
                out.extend([abs(&kv.span), abs(&kv.key), abs(&kv.value)]);
            }
        }
        Args::Arg(decls) => {
            for d in decls {
                out.extend([abs(&d.span), abs(&d.name)]);
                if let Some(v) = &d.default {
                    out.push(abs(v));
                }
            }
        }
        Args::Text(t) | Args::Unknown(t) => out.extend(t.iter().map(abs)),
        Args::Healthcheck(h) => {
            out.extend(h.kind.iter().map(abs));
            match &h.command {
                CommandForm::Exec(a) => json(a, out),
                CommandForm::Shell(s) => out.push(abs(s)),
                CommandForm::Empty => {}
            }
        }
        Args::Onbuild(Some(inner)) => instruction_ranges(it, inner, out),
        Args::Onbuild(None) => {}
    }
}

/// The text of the selection chain, for tests and debugging.
pub fn describe(text: &str, ranges: &[TextRange]) -> Vec<String> {
    ranges.iter().map(|r| slice(text, *r).to_string()).collect()
}
