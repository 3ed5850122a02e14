//! A readable dump of a parsed Dockerfile, for golden tests and `dockward parse --dump`-style debugging.
//!
//! Every node is printed with its absolute byte range and the source text it covers, so a wrong range
//! shows up as wrong text.

use std::fmt::Write;

use crate::syntax::ast::*;
use crate::syntax::{Dockerfile, SyntaxError};
use crate::text::{TextRange, slice};

/// Renders `tree` (parsed from `text`) as an indented outline.
pub fn dump(tree: &Dockerfile, text: &str) -> String {
    let mut out = String::new();
    let q = |r: TextRange| format!("{:?} {:?}", r, slice(text, r));
    if tree.bom {
        out.push_str("bom\n");
    }
    if tree.escape != '\\' {
        let _ = writeln!(out, "escape {:?}", tree.escape);
    }
    for d in &tree.directives {
        let _ = writeln!(out, "directive {}={:?} {}", d.name, d.value, q(d.range));
    }
    for e in &tree.directive_errors {
        dump_error(&mut out, 0, e, text, 0);
    }
    for it in tree.items() {
        match &it.node.kind {
            NodeKind::Comment(c) => {
                let _ = writeln!(out, "comment {}", q(it.abs(c.range)));
                for e in &c.errors {
                    dump_error(&mut out, 1, e, text, it.start);
                }
            }
            NodeKind::Instruction(i) => dump_instruction(&mut out, 0, i, text, it.start),
        }
    }
    out
}

fn dump_error(out: &mut String, depth: usize, e: &SyntaxError, text: &str, base: u32) {
    let r = e.range.shift(base);
    let args: Vec<String> = e.args.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    let _ = writeln!(
        out,
        "{}error {:?} {} [{}] {:?} {:?}",
        "  ".repeat(depth),
        e.kind,
        e.message,
        args.join(" "),
        r,
        slice(text, r)
    );
}

fn dump_instruction(out: &mut String, depth: usize, i: &Instruction, text: &str, base: u32) {
    let pad = "  ".repeat(depth);
    let q = |r: TextRange| format!("{:?} {:?}", r.shift(base), slice(text, r.shift(base)));
    let _ = writeln!(out, "{pad}{:?} {}", i.kind, q(i.range));
    let pad = "  ".repeat(depth + 1);
    if i.full_range != i.range {
        let _ = writeln!(out, "{pad}full {:?}", i.full_range.shift(base));
    }
    let _ = writeln!(out, "{pad}keyword {}", q(i.keyword.range));
    for f in &i.flags {
        let _ = writeln!(out, "{pad}flag {} = {:?} {}", f.name, f.value, q(f.span.range));
        if f.name == "mount" {
            for fld in f.fields() {
                let _ = writeln!(out, "{pad}  field {} = {:?} {}", fld.key, fld.value, q(fld.range));
            }
        }
    }
    let span = |s: &Span| {
        format!(
            "{:?} {:?} {:?}",
            s.range.shift(base),
            slice(text, s.range.shift(base)),
            i.text(s)
        )
    };
    let cmd = |out: &mut String, c: &CommandForm| match c {
        CommandForm::Exec(a) => {
            let _ = writeln!(out, "{pad}exec {}", span(&a.span));
            for s in &a.items {
                let _ = writeln!(out, "{pad}  string {:?} {:?}", s.value, s.span.range.shift(base));
            }
        }
        CommandForm::Shell(s) => {
            let _ = writeln!(out, "{pad}shell {}", span(s));
        }
        CommandForm::Empty => {
            let _ = writeln!(out, "{pad}empty");
        }
    };
    match &i.args {
        Args::From(f) => {
            for (n, s) in [("image", &f.image), ("as", &f.as_keyword), ("name", &f.name)] {
                if let Some(s) = s {
                    let _ = writeln!(out, "{pad}{n} {}", span(s));
                }
            }
            for s in &f.extra {
                let _ = writeln!(out, "{pad}extra {}", span(s));
            }
        }
        Args::Command(c) => cmd(out, c),
        Args::Paths(PathList::Exec(a)) => cmd(out, &CommandForm::Exec(a.clone())),
        Args::Paths(PathList::Words(w)) | Args::Words(w) => {
            for s in w {
                let _ = writeln!(out, "{pad}word {}", span(s));
            }
        }
        Args::KeyValues(kvs) => {
            for kv in kvs {
                let _ = writeln!(
                    out,
                    "{pad}pair{} key {} value {}",
                    if kv.legacy { " (legacy)" } else { "" },
                    span(&kv.key),
                    span(&kv.value)
                );
            }
        }
        Args::Arg(decls) => {
            for d in decls {
                let _ = writeln!(
                    out,
                    "{pad}arg {} default {}",
                    span(&d.name),
                    d.default.as_ref().map_or("-".into(), span)
                );
            }
        }
        Args::Text(t) => {
            if let Some(t) = t {
                let _ = writeln!(out, "{pad}text {}", span(t));
            }
        }
        Args::Healthcheck(h) => {
            if let Some(k) = &h.kind {
                let _ = writeln!(out, "{pad}type {}", span(k));
            }
            cmd(out, &h.command);
        }
        Args::Onbuild(inner) => {
            if let Some(inner) = inner {
                dump_instruction(out, depth + 1, inner, text, base);
            }
        }
        Args::Unknown(t) => {
            if let Some(t) = t {
                let _ = writeln!(out, "{pad}args {}", span(t));
            }
        }
    }
    for h in i.heredocs() {
        let _ = writeln!(
            out,
            "{pad}heredoc {:?} fd={} chomp={} expand={} marker {} body {}",
            h.name,
            h.fd,
            h.chomp,
            h.expand,
            q(h.marker.range),
            q(h.body)
        );
        if let Some(t) = h.terminator {
            let _ = writeln!(out, "{pad}  terminator {}", q(t));
        }
    }
    for v in i.shell_var_uses().iter().chain(&i.var_uses) {
        let _ = writeln!(
            out,
            "{pad}var {} {}{} {}",
            i.text(&v.name),
            if v.expanded_by_docker { "docker" } else { "shell" },
            v.modifier.as_deref().map(|m| format!(" {m}")).unwrap_or_default(),
            q(v.range)
        );
    }
    for c in i.inner_comments() {
        let _ = writeln!(out, "{pad}inner-comment {}", q(*c));
    }
    for e in i.errors() {
        dump_error(out, depth + 1, e, text, base);
    }
}
