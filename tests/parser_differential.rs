//! Differential test against an independent Rust parser, the `parse-dockerfile` crate 0.1.9
//! (dev-dependency only), over the corpus and the syntax fixtures: instruction kinds, byte spans
//! (keywords, flags, arguments, exec-form strings, heredoc bodies), flag names and values, argument
//! text and heredoc bodies, wherever that crate succeeds.
//!
//! Conventions that differ but mean the same are mapped, not skipped: its spans are relative to the
//! text after a UTF-8 BOM (shifted by 3 here); a word or flag value that touches a line continuation
//! ends after the continuation there; `RUN <<EOF cmd` has its shell text start after the marker; a
//! bare `RUN` is an empty shell form; exec-form string spans exclude the quotes; `<<-` bodies have
//! their tabs removed.
//!
//! `parse-dockerfile` is fail-fast (its first error ends the file) and has known gaps, so some
//! instructions cannot be compared. Each is counted under a named category and printed; nothing is
//! skipped silently, and every instruction of dockward's tree is either compared or counted:
//! * its errors: `COPY onlyone`, an unknown instruction, an instruction before FROM, `ONBUILD --x`,
//!   ... end the comparison of the file (the rest is counted under the error);
//! * it sees heredocs only when `<<` starts RUN's arguments (or a COPY/ADD source), one per RUN, and
//!   none in ONBUILD: after any other heredoc its body lines become instructions, so the rest of the
//!   file is counted under that category;
//! * it reads an escaped escape at a line end (`\\`) and a `\` before `\r\r\n` differently from
//!   Docker (rest of the file), and ignores indented parser directives (whole file);
//! * per instruction: flag values with quoted or escaped whitespace (it splits them), flags on
//!   instructions that take none (`USER --x y`), `--` ending the flags, a continuation at the very end
//!   of the file (kept in its argument text), a lone escape line that ends the file (an empty
//!   instruction for Docker, blank for it).
//!
//! Run with `-- --nocapture` to see the table.

#![allow(clippy::print_stdout)]

mod support;

use std::collections::BTreeMap;

use dockward::syntax::{self, Args, CommandForm, Dockerfile, Instruction, ItemRef, Kind, PathList, Span};
use dockward::text::TextRange;
use parse_dockerfile as pd;

#[derive(Default)]
struct Tally {
    checks: usize,
    failures: Vec<String>,
}

#[derive(Default)]
struct Diff {
    fields: BTreeMap<&'static str, Tally>,
    /// Category -> number of dockward instructions not compared.
    skipped: BTreeMap<String, usize>,
    /// Category -> files where it applied.
    skipped_files: BTreeMap<String, usize>,
    /// Category -> instructions of corpus files.
    skipped_corpus: BTreeMap<String, usize>,
    in_corpus: bool,
    corpus_total: usize,
    corpus_compared: usize,
    compared: usize,
    total: usize,
    files: usize,
    files_fully_compared: usize,
}

impl Diff {
    fn check(&mut self, field: &'static str, ok: bool, what: impl FnOnce() -> String) {
        let t = self.fields.entry(field).or_default();
        t.checks += 1;
        if !ok {
            t.failures.push(what());
        }
    }

    fn skip(&mut self, category: String, instructions: usize) {
        if self.in_corpus {
            *self.skipped_corpus.entry(category.clone()).or_default() += instructions;
        }
        *self.skipped.entry(category.clone()).or_default() += instructions;
        *self.skipped_files.entry(category).or_default() += 1;
    }
}

/// Compares one instruction; `base` is the absolute offset of its item, `shift` the BOM length.
struct Ctx<'a> {
    name: &'a str,
    text: &'a str,
    base: u32,
    shift: usize,
    escape: char,
}

impl Ctx<'_> {
    fn ours(&self, r: TextRange) -> (usize, usize) {
        ((r.start + self.base) as usize, (r.end + self.base) as usize)
    }

    /// parse-dockerfile's span, in the original text; a word that touches a line continuation
    /// (`a\` newline) ends after it there, so that part is dropped (a convention, not a difference).
    fn theirs(&self, r: &pd::Span) -> (usize, usize) {
        let (a, mut b) = (r.start + self.shift, r.end + self.shift);
        while b > a && self.text.as_bytes()[b - 1] == b'\n' {
            let line = self.text[a..b - 1].trim_end_matches(['\r', ' ', '\t']);
            match line.strip_suffix(self.escape) {
                Some(rest) => b = a + rest.len(),
                None => break,
            }
        }
        (a, b)
    }

    fn at(&self, r: TextRange) -> String {
        let line = support::line_of(self.text, r.start + self.base);
        format!("{}:{line}", self.name)
    }
}

fn kind_of(i: &pd::Instruction<'_>) -> Kind {
    match i {
        pd::Instruction::Add(_) => Kind::Add,
        pd::Instruction::Arg(_) => Kind::Arg,
        pd::Instruction::Cmd(_) => Kind::Cmd,
        pd::Instruction::Copy(_) => Kind::Copy,
        pd::Instruction::Entrypoint(_) => Kind::Entrypoint,
        pd::Instruction::Env(_) => Kind::Env,
        pd::Instruction::Expose(_) => Kind::Expose,
        pd::Instruction::From(_) => Kind::From,
        pd::Instruction::Healthcheck(_) => Kind::Healthcheck,
        pd::Instruction::Label(_) => Kind::Label,
        pd::Instruction::Maintainer(_) => Kind::Maintainer,
        pd::Instruction::Onbuild(_) => Kind::Onbuild,
        pd::Instruction::Run(_) => Kind::Run,
        pd::Instruction::Shell(_) => Kind::Shell,
        pd::Instruction::Stopsignal(_) => Kind::Stopsignal,
        pd::Instruction::User(_) => Kind::User,
        pd::Instruction::Volume(_) => Kind::Volume,
        pd::Instruction::Workdir(_) => Kind::Workdir,
        _ => Kind::Unknown,
    }
}

fn keyword_of<'b>(i: &'b pd::Instruction<'_>) -> &'b pd::Keyword {
    match i {
        pd::Instruction::Add(x) => &x.add,
        pd::Instruction::Arg(x) => &x.arg,
        pd::Instruction::Cmd(x) => &x.cmd,
        pd::Instruction::Copy(x) => &x.copy,
        pd::Instruction::Entrypoint(x) => &x.entrypoint,
        pd::Instruction::Env(x) => &x.env,
        pd::Instruction::Expose(x) => &x.expose,
        pd::Instruction::From(x) => &x.from,
        pd::Instruction::Healthcheck(x) => &x.healthcheck,
        pd::Instruction::Label(x) => &x.label,
        pd::Instruction::Maintainer(x) => &x.maintainer,
        pd::Instruction::Onbuild(x) => &x.onbuild,
        pd::Instruction::Run(x) => &x.run,
        pd::Instruction::Shell(x) => &x.shell,
        pd::Instruction::Stopsignal(x) => &x.stopsignal,
        pd::Instruction::User(x) => &x.user,
        pd::Instruction::Volume(x) => &x.volume,
        pd::Instruction::Workdir(x) => &x.workdir,
        _ => unreachable!("new parse-dockerfile instruction"),
    }
}

fn options_of<'b, 'a>(i: &'b pd::Instruction<'a>) -> &'b [pd::Flag<'a>] {
    match i {
        pd::Instruction::Add(x) => &x.options,
        pd::Instruction::Copy(x) => &x.options,
        pd::Instruction::From(x) => &x.options,
        pd::Instruction::Healthcheck(x) => &x.options,
        pd::Instruction::Run(x) => &x.options,
        _ => &[],
    }
}

/// How far a gap reaches: parse-dockerfile reads the following lines differently from then on, or
/// only this instruction is affected.
enum Scope {
    RestOfFile,
    Instruction,
}

/// Why an instruction of ours cannot be compared with parse-dockerfile's, if it cannot.
fn gap(text: &str, escape: char, it: ItemRef<'_>, i: &Instruction, last: bool) -> Option<(&'static str, Scope)> {
    use Scope::*;
    let target = i.onbuild_inner().unwrap_or(i);
    let abs = |a: u32, b: u32| &text[(a + it.start) as usize..(b + it.start) as usize];
    if !i.heredocs().is_empty() {
        let args = target.text(&target.args_span);
        match target.kind {
            _ if i.kind == Kind::Onbuild => return Some(("heredoc in ONBUILD", RestOfFile)),
            Kind::Run if !args.starts_with("<<") => {
                return Some(("heredoc not at the start of RUN's arguments", RestOfFile));
            }
            Kind::Run if i.heredocs().len() > 1 => {
                return Some(("several heredocs in one RUN", RestOfFile));
            }
            _ => {}
        }
    }
    let extent = it.extent();
    if abs(0, extent.len()).contains("\r\r") {
        return Some(("several CRs before a newline (not a line end for it)", RestOfFile));
    }
    // The physical line where the instruction text ends.
    let end = (i.range.end + it.start) as usize;
    let line_end = text[end..].find('\n').map_or(text.len(), |p| end + p);
    let last_line = text[..line_end].trim_end_matches([' ', '\t', '\r']);
    let esc2 = format!("{escape}{escape}");
    if last_line.ends_with(&esc2) && i.heredocs().is_empty() {
        return Some((
            "escaped escape character at a line end, read as a continuation",
            RestOfFile,
        ));
    }
    if last && i.heredocs().is_empty() && abs(i.range.end, extent.len()).contains(escape) {
        return Some(("continuation running into the end of the file", Instruction));
    }
    // Flags.
    let flags = i.flags.iter().chain(if std::ptr::eq(target, i) {
        &[][..]
    } else {
        &target.flags[..]
    });
    for f in flags {
        if abs(f.span.range.start, f.span.range.end).contains([' ', '\t']) {
            return Some(("flag value with quoted or escaped whitespace", Instruction));
        }
    }
    let takes_flags = matches!(
        target.kind,
        Kind::From | Kind::Run | Kind::Copy | Kind::Add | Kind::Healthcheck
    );
    if (!target.flags.is_empty() && !takes_flags) || (i.kind == Kind::Onbuild && !i.flags.is_empty()) {
        return Some(("flags on an instruction that takes none", Instruction));
    }
    let between = target.text(&Span {
        lo: target.keyword.hi,
        hi: target.args_span.lo,
        ..Span::default()
    });
    if between.split_whitespace().any(|w| w == "--") {
        return Some(("`--` (end of flags) read as a flag", Instruction));
    }
    None
}

/// A parser directive indented by whitespace: Docker reads it, parse-dockerfile does not.
fn file_gap(text: &str, tree: &Dockerfile) -> Option<&'static str> {
    let bom = if tree.bom { 3 } else { 0 };
    for d in &tree.directives {
        let line_start = text[..d.range.start as usize].rfind('\n').map_or(bom, |p| p + 1);
        if d.range.start as usize > line_start {
            return Some("parser directive indented by whitespace");
        }
    }
    None
}

fn compare_flags(c: &Ctx<'_>, d: &mut Diff, ours: &[syntax::Flag], theirs: &[pd::Flag<'_>]) {
    let at = c.at(ours.first().map_or(TextRange::default(), |f| f.span.range));
    d.check("flags: count", ours.len() == theirs.len(), || {
        format!("{at}: {} flags, parse-dockerfile {}", ours.len(), theirs.len())
    });
    for (o, t) in ours.iter().zip(theirs) {
        d.check("flags: span", c.ours(o.span.range) == c.theirs(&t.span()), || {
            format!(
                "{at} --{}: span {:?} vs {:?}",
                o.name,
                c.ours(o.span.range),
                c.theirs(&t.span())
            )
        });
        d.check(
            "flags: name",
            o.name == t.name.value && c.ours(o.name_range) == c.theirs(&t.name.span),
            || {
                format!(
                    "{at}: name {:?} {:?} vs {:?} {:?}",
                    o.name,
                    c.ours(o.name_range),
                    t.name.value,
                    t.name.span
                )
            },
        );
        let ours_value = o.value_range.map(|r| c.ours(r));
        let theirs_value = t.value.as_ref().map(|v| c.theirs(&v.span));
        d.check("flags: value span", ours_value == theirs_value, || {
            format!("{at} --{}: value span {ours_value:?} vs {theirs_value:?}", o.name)
        });
        if o.value_is_verbatim {
            let tv = t.value.as_ref().map(|v| v.value.as_ref());
            d.check("flags: value", o.value.as_deref() == tv, || {
                format!("{at} --{}: value {:?} vs {tv:?}", o.name, o.value)
            });
        }
    }
}

/// Exec-form strings: parse-dockerfile's spans exclude the quotes.
fn compare_strings(
    c: &Ctx<'_>,
    d: &mut Diff,
    at: &str,
    ours: &[syntax::JsonString],
    theirs: &[&pd::UnescapedString<'_>],
) {
    d.check("exec strings: count", ours.len() == theirs.len(), || {
        format!("{at}: {} strings vs {}", ours.len(), theirs.len())
    });
    for (o, t) in ours.iter().zip(theirs) {
        let (a, b) = c.ours(o.span.range);
        d.check("exec strings: span", (a + 1, b - 1) == c.theirs(&t.span), || {
            format!(
                "{at}: string {:?} span {:?} vs {:?}",
                o.value,
                (a + 1, b - 1),
                c.theirs(&t.span)
            )
        });
        d.check("exec strings: value", o.value == t.value, || {
            format!("{at}: string {:?} vs {:?}", o.value, t.value)
        });
    }
}

fn compare_words(
    c: &Ctx<'_>,
    d: &mut Diff,
    at: &str,
    i: &Instruction,
    ours: &[Span],
    theirs: &[&pd::UnescapedString<'_>],
) {
    d.check("words: count", ours.len() == theirs.len(), || {
        format!("{at}: {} words vs {}", ours.len(), theirs.len())
    });
    for (o, t) in ours.iter().zip(theirs) {
        d.check("words: span", c.ours(o.range) == c.theirs(&t.span), || {
            format!(
                "{at}: word {:?} {:?} vs {:?} {:?}",
                i.text(o),
                c.ours(o.range),
                t.value,
                c.theirs(&t.span)
            )
        });
        d.check("words: text", i.text(o) == t.value, || {
            format!("{at}: word {:?} vs {:?}", i.text(o), t.value)
        });
    }
}

/// A whole-rest-of-line argument (ENV, LABEL, ARG, USER, ...): span and continuation-joined text.
fn compare_rest(c: &Ctx<'_>, d: &mut Diff, at: &str, i: &Instruction, ours: &Span, theirs: &pd::UnescapedString<'_>) {
    d.check(
        "argument text: span",
        c.ours(ours.range) == c.theirs(&theirs.span),
        || format!("{at}: args {:?} vs {:?}", c.ours(ours.range), c.theirs(&theirs.span)),
    );
    d.check("argument text: value", i.text(ours) == theirs.value, || {
        format!("{at}: args {:?} vs {:?}", i.text(ours), theirs.value)
    });
}

fn compare_command(c: &Ctx<'_>, d: &mut Diff, at: &str, i: &Instruction, ours: &CommandForm, theirs: &pd::Command<'_>) {
    match (ours, theirs) {
        // A bare `RUN` / `CMD`: an empty shell form for parse-dockerfile.
        (CommandForm::Empty, pd::Command::Shell(t)) => {
            d.check("shell form: raw text", t.value.is_empty(), || {
                format!("{at}: empty vs {:?}", t.value)
            });
        }
        (CommandForm::Exec(a), pd::Command::Exec(t)) => {
            d.check(
                "exec form: array span",
                c.ours(a.span.range) == c.theirs(&t.span),
                || format!("{at}: array {:?} vs {:?}", c.ours(a.span.range), c.theirs(&t.span)),
            );
            compare_strings(c, d, at, &a.items, &t.value.iter().collect::<Vec<_>>());
        }
        (CommandForm::Shell(s), pd::Command::Shell(t)) => {
            // `RUN <<EOF ...`: parse-dockerfile's shell text starts after the heredoc marker.
            let mut range = s.range;
            if let Some(h) = i.heredocs().first().filter(|h| h.marker.range.start == s.range.start) {
                range = TextRange::new(h.marker.range.end, s.range.end);
            }
            d.check("shell form: span", c.ours(range) == c.theirs(&t.span), || {
                format!("{at}: shell {:?} vs {:?}", c.ours(range), c.theirs(&t.span))
            });
            let raw = &c.text[c.ours(range).0..c.ours(range).1];
            d.check("shell form: raw text", raw == t.value, || {
                format!("{at}: shell {raw:?} vs {:?}", t.value)
            });
        }
        (o, t) => d.check("exec/shell form", false, || format!("{at}: ours {o:?} vs {t:?}")),
    }
}

fn compare_heredocs(c: &Ctx<'_>, d: &mut Diff, at: &str, i: &Instruction, theirs: &[&pd::HereDoc<'_>]) {
    d.check("heredocs: count", i.heredocs().len() == theirs.len(), || {
        format!("{at}: {} heredocs vs {}", i.heredocs().len(), theirs.len())
    });
    for (h, t) in i.heredocs().iter().zip(theirs) {
        // parse-dockerfile's body ends where the terminator word starts (after `<<-` tabs).
        let end = h.terminator.map_or(h.body.end, |r| r.end - h.name.len() as u32);
        let ours = c.ours(TextRange::new(h.body.start, end));
        d.check("heredocs: body span", ours == c.theirs(&t.span), || {
            format!("{at}: heredoc {:?} body {ours:?} vs {:?}", h.name, c.theirs(&t.span))
        });
        let body = &c.text[c.ours(h.body).0..c.ours(h.body).1];
        let body: String = if h.chomp {
            body.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect()
        } else {
            body.to_string()
        };
        d.check("heredocs: body text", body == t.value, || {
            format!("{at}: heredoc {:?} body {body:?} vs {:?}", h.name, t.value)
        });
        d.check("heredocs: expand", h.expand == t.expand, || {
            format!("{at}: heredoc {:?} expand {} vs {}", h.name, h.expand, t.expand)
        });
    }
}

fn compare_instruction(
    c: &Ctx<'_>,
    d: &mut Diff,
    i: &Instruction,
    t: &pd::Instruction<'_>,
    outer: Option<&Instruction>,
) {
    let at = c.at(i.keyword.range);
    d.check("kind", i.kind == kind_of(t), || {
        format!("{at}: {:?} vs {:?}", i.kind, kind_of(t))
    });
    if i.kind != kind_of(t) {
        return;
    }
    let kw = keyword_of(t);
    d.check("keyword span", c.ours(i.keyword.range) == c.theirs(&kw.span), || {
        format!(
            "{at}: keyword {:?} vs {:?}",
            c.ours(i.keyword.range),
            c.theirs(&kw.span)
        )
    });
    compare_flags(c, d, &i.flags, options_of(t));
    let heredoc_owner = outer.unwrap_or(i);
    match (&i.args, t) {
        (Args::Command(o), pd::Instruction::Run(x)) => {
            compare_command(c, d, &at, i, o, &x.arguments);
            let hs: Vec<&pd::HereDoc<'_>> = x.here_docs.iter().collect();
            compare_heredocs(c, d, &at, heredoc_owner, &hs);
        }
        (Args::Command(o), pd::Instruction::Cmd(x)) => compare_command(c, d, &at, i, o, &x.arguments),
        (Args::Command(o), pd::Instruction::Entrypoint(x)) => compare_command(c, d, &at, i, o, &x.arguments),
        (Args::Command(CommandForm::Exec(a)), pd::Instruction::Shell(x)) => {
            compare_strings(c, d, &at, &a.items, &x.arguments.iter().collect::<Vec<_>>());
        }
        (Args::From(o), pd::Instruction::From(x)) => {
            let mut ours: Vec<Span> = o.image.iter().copied().collect();
            let mut theirs = vec![&x.image];
            match (&x.as_, o.as_keyword, o.name) {
                (Some((k, n)), Some(a), Some(name)) => {
                    d.check("words: span", c.ours(a.range) == c.theirs(&k.span), || {
                        format!("{at}: AS {:?} vs {:?}", c.ours(a.range), c.theirs(&k.span))
                    });
                    ours.push(name);
                    theirs.push(n);
                }
                (None, None, None) => {}
                (t, a, n) => d.check("words: count", false, || format!("{at}: AS {a:?} {n:?} vs {t:?}")),
            }
            compare_words(c, d, &at, i, &ours, &theirs);
        }
        (Args::Paths(list), pd::Instruction::Copy(pd::CopyInstruction { src, dest, .. }))
        | (Args::Paths(list), pd::Instruction::Add(pd::AddInstruction { src, dest, .. })) => {
            let mut words: Vec<&pd::UnescapedString<'_>> = Vec::new();
            let mut here: Vec<&pd::HereDoc<'_>> = Vec::new();
            for s in src {
                match s {
                    pd::Source::Path(p) => words.push(p),
                    pd::Source::HereDoc(h) => here.push(h),
                    _ => unreachable!(),
                }
            }
            words.push(dest);
            match list {
                PathList::Exec(a) => {
                    compare_strings(c, d, &at, &a.items, &words);
                }
                PathList::Words(w) => {
                    // Heredoc markers are source words for us, heredoc sources for parse-dockerfile.
                    let markers: Vec<TextRange> = heredoc_owner.heredocs().iter().map(|h| h.marker.range).collect();
                    let plain: Vec<Span> = w.iter().copied().filter(|s| !markers.contains(&s.range)).collect();
                    compare_words(c, d, &at, i, &plain, &words);
                }
            }
            compare_heredocs(c, d, &at, heredoc_owner, &here);
        }
        (Args::Paths(PathList::Exec(a)), pd::Instruction::Volume(x)) => match &x.arguments {
            pd::JsonOrStringArray::Json(j) => compare_strings(c, d, &at, &a.items, &j.value.iter().collect::<Vec<_>>()),
            pd::JsonOrStringArray::String(s) => {
                d.check("exec/shell form", false, || format!("{at}: ours exec, theirs {s:?}"))
            }
        },
        (Args::Paths(PathList::Words(w)), pd::Instruction::Volume(x)) => match &x.arguments {
            pd::JsonOrStringArray::String(s) => {
                let theirs: Vec<_> = s.iter().collect();
                compare_words(c, d, &at, i, w, &theirs);
            }
            pd::JsonOrStringArray::Json(j) => {
                d.check("exec/shell form", false, || format!("{at}: ours words, theirs {j:?}"))
            }
        },
        (Args::Words(w), pd::Instruction::Expose(x)) => {
            let theirs: Vec<_> = x.arguments.iter().collect();
            compare_words(c, d, &at, i, w, &theirs);
        }
        (Args::KeyValues(_), pd::Instruction::Env(pd::EnvInstruction { arguments, .. }))
        | (Args::KeyValues(_), pd::Instruction::Label(pd::LabelInstruction { arguments, .. }))
        | (Args::Arg(_), pd::Instruction::Arg(pd::ArgInstruction { arguments, .. })) => {
            compare_rest(c, d, &at, i, &i.args_span, arguments);
        }
        (Args::Text(Some(s)), pd::Instruction::User(pd::UserInstruction { arguments, .. }))
        | (Args::Text(Some(s)), pd::Instruction::Workdir(pd::WorkdirInstruction { arguments, .. }))
        | (Args::Text(Some(s)), pd::Instruction::Stopsignal(pd::StopsignalInstruction { arguments, .. }))
        | (Args::Text(Some(s)), pd::Instruction::Maintainer(pd::MaintainerInstruction { name: arguments, .. })) => {
            compare_rest(c, d, &at, i, s, arguments);
        }
        (Args::Healthcheck(h), pd::Instruction::Healthcheck(x)) => match (&h.kind, &x.arguments) {
            (Some(k), pd::HealthcheckArguments::Cmd { cmd, arguments, .. }) => {
                d.check("words: span", c.ours(k.range) == c.theirs(&cmd.span), || {
                    format!("{at}: CMD {:?} vs {:?}", c.ours(k.range), c.theirs(&cmd.span))
                });
                compare_command(c, d, &at, i, &h.command, arguments);
            }
            (Some(k), pd::HealthcheckArguments::None { none, .. }) => {
                d.check("words: span", c.ours(k.range) == c.theirs(&none.span), || {
                    format!("{at}: NONE {:?} vs {:?}", c.ours(k.range), c.theirs(&none.span))
                });
            }
            (o, t) => d.check("healthcheck form", false, || format!("{at}: {o:?} vs {t:?}")),
        },
        (Args::Onbuild(Some(inner)), pd::Instruction::Onbuild(x)) => {
            compare_instruction(c, d, inner, &x.instruction, Some(i));
        }
        (o, _) => d.check("argument shape", false, || {
            format!("{at}: ours {o:?} vs parse-dockerfile {t:?}")
        }),
    }
}

/// The error text without the parts that vary between files (quoted words, positions).
fn error_category(e: &pd::Error) -> String {
    let msg = format!("{e:#}");
    let mut out = String::new();
    let mut quoted = false;
    for ch in msg.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                if quoted {
                    out.push_str("'…");
                } else {
                    out.push('\'');
                }
            }
            _ if quoted => {}
            _ => out.push(ch),
        }
    }
    if let Some(p) = out.find(" (") {
        out.truncate(p);
    }
    format!("parse-dockerfile error: {out}")
}

fn compare_file(name: &str, text: &str, d: &mut Diff) {
    let tree: Dockerfile = syntax::parse(text);
    let ours: Vec<(ItemRef<'_>, &Instruction)> = tree.instructions().collect();
    d.files += 1;
    d.total += ours.len();
    d.in_corpus = name.starts_with("fixtures/corpus/");
    if d.in_corpus {
        d.corpus_total += ours.len();
    }
    if let Some(why) = file_gap(text, &tree) {
        d.skip(why.to_string(), ours.len());
        return;
    }
    let shift = if tree.bom { 3 } else { 0 };
    let iter = match pd::parse_iter(text) {
        Ok(it) => it,
        Err(e) => {
            d.skip(error_category(&e), ours.len());
            return;
        }
    };
    let mut k = 0;
    // A lone escape line with nothing after it is an empty instruction for Docker (and an unknown
    // instruction for dockward); parse-dockerfile reads it as blank.
    let empty = |k: usize| ours.get(k).is_some_and(|(_, i)| i.keyword.lo == i.keyword.hi);
    let skip_empty = |k: &mut usize, d: &mut Diff| {
        while empty(*k) {
            d.skip("lone escape line: an empty instruction, blank for it".into(), 1);
            *k += 1;
        }
    };
    for r in iter {
        skip_empty(&mut k, d);
        let t = match (r, ours.get(k)) {
            (Err(e), _) => {
                d.skip(error_category(&e), ours.len() - k);
                return;
            }
            (Ok(t), Some(_)) => t,
            (Ok(t), None) => {
                d.check("instruction count", false, || {
                    format!("{name}: parse-dockerfile has more instructions: {:?}", kind_of(&t))
                });
                return;
            }
        };
        let (it, i) = ours[k];
        let c = Ctx {
            name,
            text,
            base: it.start,
            shift,
            escape: tree.escape,
        };
        match gap(text, tree.escape, it, i, k + 1 == ours.len()) {
            Some((why, Scope::RestOfFile)) => {
                d.skip(format!("{why} (rest of the file)"), ours.len() - k);
                return;
            }
            Some((why, Scope::Instruction)) => {
                // Still the same instruction: its kind and keyword are compared, the rest is not.
                d.check("kind", i.kind == kind_of(&t), || {
                    format!("{name}: {:?} vs {:?}", i.kind, kind_of(&t))
                });
                d.check(
                    "keyword span",
                    c.ours(i.keyword.range) == c.theirs(&keyword_of(&t).span),
                    || format!("{name}: keyword"),
                );
                d.skip(why.to_string(), 1);
            }
            None => {
                compare_instruction(&c, d, i, &t, None);
                d.compared += 1;
                if d.in_corpus {
                    d.corpus_compared += 1;
                }
            }
        }
        k += 1;
    }
    skip_empty(&mut k, d);
    if k < ours.len() {
        d.check("instruction count", false, || {
            format!(
                "{name}: {} instructions, parse-dockerfile stopped after {k}",
                ours.len()
            )
        });
        d.skip("parse-dockerfile ended early (a mismatch)".into(), ours.len() - k);
    } else {
        d.files_fully_compared += 1;
    }
}

#[test]
fn agrees_with_parse_dockerfile() {
    let mut d = Diff::default();
    let files = support::all_files();
    for f in &files {
        compare_file(&f.name, &f.text, &mut d);
    }
    println!(
        "parse-dockerfile 0.1.9 differential: {} files ({} compared to the end), {} instructions, {} compared",
        d.files, d.files_fully_compared, d.total, d.compared
    );
    println!(
        "corpus: {} of {} instructions compared",
        d.corpus_compared, d.corpus_total
    );
    println!("{:<36} {:>8} {:>8}", "field", "agree", "differ");
    let mut failures = Vec::new();
    for (f, t) in &d.fields {
        println!("{:<36} {:>8} {:>8}", f, t.checks - t.failures.len(), t.failures.len());
        failures.extend(t.failures.iter().cloned());
    }
    println!("not compared (instructions, files):");
    let mut skipped = 0;
    for (cat, n) in &d.skipped {
        let corpus = d.skipped_corpus.get(cat).copied().unwrap_or(0);
        println!(
            "  {n:>6} in {:>4} file(s) ({corpus:>3} in the corpus): {cat}",
            d.skipped_files[cat]
        );
        skipped += n;
    }
    for f in failures.iter().take(100) {
        println!("MISMATCH {f}");
    }
    assert_eq!(
        d.compared + skipped,
        d.total,
        "every instruction is compared or counted under a category"
    );
    assert!(
        failures.is_empty(),
        "{} mismatch(es) with parse-dockerfile",
        failures.len()
    );
}
