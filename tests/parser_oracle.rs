//! Checks dockward's Dockerfile parser against Docker's own parser.
//!
//! The answers come from `fixtures/oracle/docker-parser.json`, written by
//! `tests/oracle/docker_parser_dump.py` with the PyPI package `dockerfile` 3.4.0 (BuildKit v0.12.5's
//! Go parser). For every corpus file, syntax fixture and generated input:
//! * where Docker rejects the file, dockward must report at least one `ProblemKind::Syntax` error;
//! * where Docker accepts it, dockward must report no `Syntax` error and agree on every instruction:
//!   keyword, start and end line, flags, exec/shell form, argument values, the logical line
//!   (`original`) and heredocs (name, file descriptor, body).
//!
//! Two behaviours changed in BuildKit after v0.12.5 and dockward follows the current one; both are
//! handled explicitly and counted, never skipped silently:
//! * JSON followed by more text (`CMD ["a"] b`): v0.12.5 decoded the first JSON value and ignored the
//!   rest (exec form); BuildKit now uses `json.Unmarshal`, which fails, so it is the shell form. Such
//!   instructions are checked to be exactly that case (the prefix decodes to Docker's values, text
//!   follows), then the other fields are compared as usual.
//! * `# check=` directive: unknown to v0.12.5, where it ends the directive region like any unknown
//!   directive. Files with one are compared with that directive's name blanked out (same length), which
//!   is how v0.12.5 reads them.
//!
//! How dockward's tree is read for the comparison: the keyword as written; start line = the item's
//! first line (the keyword's, except after lone escape lines, which Docker folds into the instruction:
//! checked and counted); end line = the last line of the full range (heredoc terminators included),
//! of comment lines and of blank lines inside the continuation; flags as `--name=value` with the value
//! cooked; values per instruction as Docker's node list (exec strings, shell text, words, ENV/LABEL
//! key and value as written, ...); the logical line; heredoc bodies as the source bytes. The
//! `dockerfile` package reads ONBUILD's heredocs from the inner instruction, where BuildKit never puts
//! them: there only the end line covers the body (counted).
//!
//! Run with `-- --nocapture` to see the per-field agreement table.

#![allow(clippy::print_stdout)]

mod support;

use std::collections::BTreeMap;

use dockward::syntax::{self, Args, CommandForm, Dockerfile, Instruction, ItemRef, Kind, PathList, ProblemKind, Span};
use serde::Deserialize;

#[derive(Deserialize)]
struct Oracle {
    source: String,
    generated: BTreeMap<String, Recipe>,
    files: BTreeMap<String, Answer>,
}

#[derive(Deserialize)]
struct Recipe {
    prefix: String,
    unit: String,
    count: usize,
    suffix: String,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    instructions: Option<Vec<Cmd>>,
    #[serde(default)]
    error: Option<String>,
}

/// One instruction as Docker's parser (through the `dockerfile` package) reports it.
#[derive(Deserialize, Debug, PartialEq, Clone)]
struct Cmd {
    cmd: String,
    sub_cmd: Option<String>,
    json: bool,
    original: String,
    start_line: usize,
    end_line: usize,
    flags: Vec<String>,
    value: Vec<String>,
    heredocs: Vec<Here>,
}

#[derive(Deserialize, Debug, PartialEq, Clone)]
struct Here {
    name: String,
    fd: u32,
    content: String,
}

#[derive(Default)]
struct Tally {
    checks: usize,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.failures.push(what());
        }
    }
}

/// The fields compared per instruction, in report order.
const FIELDS: [&str; 9] = [
    "keyword (cmd)",
    "ONBUILD sub-command",
    "start line",
    "end line",
    "flags",
    "exec form (json)",
    "values",
    "logical line (original)",
    "heredocs",
];

#[derive(Default)]
struct Report {
    fields: BTreeMap<&'static str, Tally>,
    /// Files where Docker succeeds / fails, and the file-level checks.
    files_ok: usize,
    files_err: usize,
    file_level: Tally,
    instructions: usize,
    /// Docker error message -> dockward's Syntax message ids, with counts.
    error_pairs: BTreeMap<String, BTreeMap<String, usize>>,
    version_json_trailing: Vec<String>,
    version_check_directive: Vec<String>,
    onbuild_heredocs_hidden: usize,
    keyword_after_lone_escape: usize,
}

impl Report {
    fn field(&mut self, name: &'static str) -> &mut Tally {
        self.fields.entry(name).or_default()
    }
}

fn text<'a>(i: &'a Instruction, s: &Span) -> &'a str {
    i.text(s)
}

/// What Docker's parser would report for `i` (the top-level instruction, or ONBUILD's inner one).
fn docker_args(i: &Instruction) -> (bool, Vec<String>) {
    let strs = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    let command = |c: &CommandForm| match c {
        CommandForm::Exec(a) => (true, a.items.iter().map(|s| s.value.clone()).collect()),
        CommandForm::Shell(s) => (false, vec![text(i, s).to_string()]),
        CommandForm::Empty => (false, Vec::new()),
    };
    match &i.args {
        Args::Command(c) => command(c),
        Args::From(f) => {
            let mut v = Vec::new();
            for s in [&f.image, &f.as_keyword, &f.name].into_iter().flatten() {
                v.push(text(i, s));
            }
            v.extend(f.extra.iter().map(|s| text(i, s)));
            (false, strs(v))
        }
        Args::Paths(PathList::Exec(a)) => (true, a.items.iter().map(|s| s.value.clone()).collect()),
        Args::Paths(PathList::Words(w)) | Args::Words(w) => (false, strs(w.iter().map(|s| text(i, s)).collect())),
        Args::KeyValues(kvs) => {
            let mut v = Vec::new();
            for kv in kvs {
                v.push(text(i, &kv.key));
                v.push(text(i, &kv.value));
            }
            (false, strs(v))
        }
        Args::Arg(decls) => (false, strs(decls.iter().map(|d| text(i, &d.span)).collect())),
        Args::Text(t) => (false, strs(t.iter().map(|s| text(i, s)).collect())),
        Args::Healthcheck(h) => {
            let Some(k) = &h.kind else {
                return (false, Vec::new());
            };
            let (json, mut rest) = command(&h.command);
            rest.insert(0, text(i, k).to_string());
            (json, rest)
        }
        // The top-level ONBUILD is handled by the caller (Docker reports the inner instruction). A
        // nested `ONBUILD ONBUILD x` shows Docker's holder node for the inner one: one empty value.
        Args::Onbuild(_) => {
            if i.args_span.lo < i.args_span.hi {
                (false, vec![String::new()])
            } else {
                (false, Vec::new())
            }
        }
        // Docker's parseIgnore: one empty node.
        Args::Unknown(_) => (false, vec![String::new()]),
    }
}

fn flag_strings(i: &Instruction) -> Vec<String> {
    i.flags
        .iter()
        .map(|f| match &f.value {
            Some(v) => format!("--{}={}", f.name, v),
            None => format!("--{}", f.name),
        })
        .collect()
}

/// dockward's tree rendered the way the `dockerfile` package reports Docker's.
fn our_view(text_all: &str, it: ItemRef<'_>, i: &Instruction) -> Cmd {
    let inner = i.onbuild_inner();
    let target = inner.unwrap_or(i);
    let (json, value) = if i.kind == Kind::Onbuild && inner.is_none() {
        (false, Vec::new())
    } else {
        docker_args(target)
    };
    let body = |r: dockward::text::TextRange| {
        let r = it.abs(r);
        text_all[r.start as usize..r.end as usize].to_string()
    };
    // The package reads heredocs from ONBUILD's inner node, where BuildKit v0.12.5 never puts them.
    let heredocs: Vec<Here> = if i.kind == Kind::Onbuild {
        Vec::new()
    } else {
        i.heredocs()
            .iter()
            .map(|h| Here {
                name: h.name.clone(),
                fd: h.fd,
                content: body(h.body),
            })
            .collect()
    };
    let mut original = i.logical.to_string();
    if !heredocs.is_empty() {
        original.push('\n');
        for h in &heredocs {
            original.push_str(&h.content);
            original.push_str(&h.name);
            original.push('\n');
        }
    }
    let line = |rel: u32| support::line_of(text_all, it.start + rel);
    let mut end_line = line(i.full_range.end);
    for r in i.inner_comments().iter().chain(i.empty_continuation_lines()) {
        end_line = end_line.max(line(r.end));
    }
    Cmd {
        cmd: i.text(&i.keyword).to_string(),
        sub_cmd: inner.map(|x| x.text(&x.keyword).to_string()),
        json,
        original,
        // Docker counts an instruction from the first line of its logical line: the item's first
        // line. That is the keyword's line except after lone escape lines (see `lone_escape_lines`).
        start_line: line(0),
        end_line,
        flags: flag_strings(i),
        value,
        heredocs,
    }
}

/// The lines between an instruction's first line and its keyword, when there are any: each must be a
/// lone escape character (a continuation of nothing), which Docker folds into the instruction.
fn lone_escape_lines(text: &str, it: ItemRef<'_>, i: &Instruction, escape: char) -> Option<bool> {
    let from = it.start as usize;
    let to = (it.start + i.keyword.range.start) as usize;
    let before = text[from..to].rsplit_once('\n')?.0;
    Some(
        before
            .split('\n')
            .all(|l| l.trim_matches([' ', '\t', '\r']) == escape.to_string()),
    )
}

/// BuildKit v0.12.5 decoded the first JSON value of exec-form arguments and ignored what follows;
/// current BuildKit (and dockward) treat such text as the shell form. True when `ours` is that shell
/// (or word-list) form and its text starts with a JSON array of exactly Docker's strings.
fn is_json_with_trailing_text(i: &Instruction, want: &Cmd) -> bool {
    if !want.json {
        return false;
    }
    let target = i.onbuild_inner().unwrap_or(i);
    let args_text = match &target.args {
        Args::Command(CommandForm::Shell(s)) => text(target, s),
        Args::Healthcheck(h) => match &h.command {
            CommandForm::Shell(s) => text(target, s),
            _ => return false,
        },
        Args::Paths(PathList::Words(_)) => text(target, &target.args_span),
        _ => return false,
    };
    let trimmed = args_text.trim_start();
    let mut stream = serde_json::Deserializer::from_str(trimmed).into_iter::<Vec<String>>();
    let Some(Ok(first)) = stream.next() else {
        return false;
    };
    let rest = &trimmed[stream.byte_offset()..];
    let want_values: &[String] = if matches!(target.args, Args::Healthcheck(_)) {
        want.value.get(1..).unwrap_or(&[])
    } else {
        &want.value
    };
    first == want_values && !rest.trim().is_empty()
}

/// The text as BuildKit v0.12.5 reads it: a `# check=` directive (unknown to that version) ends the
/// directive region, exactly as a plain comment does; blanking its name has the same effect.
fn without_check_directive(text: &str, tree: &Dockerfile) -> Option<String> {
    let d = tree.directive("check")?;
    let mut s = text.to_string();
    let r = d.name_range;
    s.replace_range(r.start as usize..r.end as usize, &"_".repeat(r.len() as usize));
    Some(s)
}

fn compare_file(name: &str, text: &str, answer: &Answer, report: &mut Report) {
    let mut tree = syntax::parse(text);
    let mut text = text.to_string();
    let syntax_errors = |t: &Dockerfile| -> Vec<&'static str> {
        t.errors()
            .into_iter()
            .filter(|e| e.kind == ProblemKind::Syntax)
            .map(|e| e.message)
            .collect()
    };
    if let Some(neutral) = without_check_directive(&text, &tree) {
        report.version_check_directive.push(name.to_string());
        tree = syntax::parse(&neutral);
        text = neutral;
    }
    let ours_syntax = syntax_errors(&tree);
    match (&answer.instructions, &answer.error) {
        (None, Some(docker_error)) => {
            report.files_err += 1;
            report.file_level.check(!ours_syntax.is_empty(), || {
                format!("{name}: Docker rejects it ({docker_error:?}) but dockward reports no Syntax error")
            });
            let mut ids: Vec<&str> = ours_syntax.clone();
            ids.dedup();
            *report
                .error_pairs
                .entry(docker_error.clone())
                .or_default()
                .entry(if ids.is_empty() {
                    "(none)".into()
                } else {
                    ids.join(", ")
                })
                .or_default() += 1;
        }
        (Some(want), None) => {
            report.files_ok += 1;
            report.file_level.check(ours_syntax.is_empty(), || {
                format!("{name}: Docker accepts it but dockward reports Syntax errors {ours_syntax:?}")
            });
            let ours: Vec<Cmd> = tree.instructions().map(|(it, i)| our_view(&text, it, i)).collect();
            let ours_instr: Vec<&Instruction> = tree.instructions().map(|(_, i)| i).collect();
            report.file_level.check(ours.len() == want.len(), || {
                format!(
                    "{name}: {} instructions, Docker has {}: ours {:?} / Docker {:?}",
                    ours.len(),
                    want.len(),
                    ours.iter().map(|c| (&c.cmd, c.start_line)).collect::<Vec<_>>(),
                    want.iter().map(|c| (&c.cmd, c.start_line)).collect::<Vec<_>>()
                )
            });
            let items: Vec<ItemRef<'_>> = tree.instructions().map(|(it, _)| it).collect();
            for (k, (got, want)) in ours.iter().zip(want).enumerate() {
                report.instructions += 1;
                let at = format!("{name}:{} ({})", want.start_line, want.cmd);
                let i = ours_instr[k];
                if let Some(ok) = lone_escape_lines(&text, items[k], i, tree.escape) {
                    report.keyword_after_lone_escape += 1;
                    report.file_level.check(ok, || {
                        format!("{at}: the keyword is not on the instruction's first line")
                    });
                }
                macro_rules! field {
                    ($f:expr, $g:expr, $w:expr) => {{
                        let (g, w) = ($g, $w);
                        report.field($f).check(g == w, || {
                            format!("{at} {}: ours {:?}, Docker {:?}", $f, g, w)
                        });
                    }};
                }
                field!(FIELDS[0], &got.cmd, &want.cmd);
                field!(FIELDS[1], &got.sub_cmd, &want.sub_cmd);
                field!(FIELDS[2], got.start_line, want.start_line);
                field!(FIELDS[3], got.end_line, want.end_line);
                field!(FIELDS[4], &got.flags, &want.flags);
                if got.json != want.json && is_json_with_trailing_text(i, want) {
                    report.version_json_trailing.push(at.clone());
                } else {
                    field!(FIELDS[5], got.json, want.json);
                    field!(FIELDS[6], &got.value, &want.value);
                }
                field!(FIELDS[7], &got.original, &want.original);
                field!(FIELDS[8], &got.heredocs, &want.heredocs);
                if i.kind == Kind::Onbuild && !i.heredocs().is_empty() {
                    report.onbuild_heredocs_hidden += 1;
                }
            }
        }
        _ => panic!("{name}: oracle entry must have exactly one of instructions / error"),
    }
}

#[test]
fn agrees_with_dockers_parser() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/oracle/docker-parser.json");
    let json = std::fs::read_to_string(path).expect("oracle fixture (run tests/oracle/docker_parser_dump.py)");
    let oracle: Oracle = serde_json::from_str(&json).expect("oracle JSON");
    assert!(oracle.source.contains("dockerfile==3.4.0"), "unexpected oracle source");

    // The oracle must cover exactly the files on disk (a new fixture needs a fresh dump).
    let corpus = support::corpus();
    let fixtures = support::syntax_fixtures();
    assert_eq!(corpus.len(), 915, "corpus size");
    assert!(fixtures.len() >= 40, "at least 40 syntax fixtures");
    let mut on_disk: Vec<String> = corpus.iter().chain(&fixtures).map(|f| f.name.clone()).collect();
    on_disk.extend(oracle.generated.keys().cloned());
    on_disk.sort();
    let in_oracle: Vec<String> = oracle.files.keys().cloned().collect();
    assert_eq!(
        on_disk, in_oracle,
        "fixtures and oracle differ: regenerate with python3 tests/oracle/docker_parser_dump.py"
    );

    let mut report = Report::default();
    let mut corpus_syntax_errors = 0;
    for f in &corpus {
        let answer = &oracle.files[&f.name];
        assert!(answer.error.is_none(), "{}: Docker rejects a corpus file?", f.name);
        corpus_syntax_errors += syntax::parse(&f.text)
            .errors()
            .iter()
            .filter(|e| e.kind == ProblemKind::Syntax)
            .count();
        compare_file(&f.name, &f.text, answer, &mut report);
    }
    let corpus_instructions = report.instructions;
    for f in &fixtures {
        compare_file(&f.name, &f.text, &oracle.files[&f.name], &mut report);
    }
    for (name, r) in &oracle.generated {
        let text = format!("{}{}{}", r.prefix, r.unit.repeat(r.count), r.suffix);
        compare_file(name, &text, &oracle.files[name], &mut report);
    }

    println!("Docker's parser as oracle: {}", oracle.source);
    println!(
        "files: {} ({} corpus, {} fixtures, {} generated); Docker accepts {}, rejects {}",
        report.files_ok + report.files_err,
        corpus.len(),
        fixtures.len(),
        oracle.generated.len(),
        report.files_ok,
        report.files_err
    );
    println!(
        "instructions compared: {} ({} in the corpus); Syntax errors on the corpus: {}",
        report.instructions, corpus_instructions, corpus_syntax_errors
    );
    println!("{:<32} {:>8} {:>8}", "field", "agree", "differ");
    let mut failures: Vec<String> = Vec::new();
    for f in FIELDS {
        let t = report.fields.remove(f).unwrap_or_default();
        println!("{:<32} {:>8} {:>8}", f, t.checks - t.failures.len(), t.failures.len());
        failures.extend(t.failures);
    }
    let t = &report.file_level;
    println!(
        "{:<32} {:>8} {:>8}",
        "file level (errors, counts)",
        t.checks - t.failures.len(),
        t.failures.len()
    );
    failures.extend(t.failures.iter().cloned());
    println!("Docker errors -> dockward Syntax errors:");
    for (docker, ours) in &report.error_pairs {
        for (ids, n) in ours {
            println!("  {n:>3} x {docker:?} -> {ids}");
        }
    }
    println!(
        "known BuildKit v0.12.5 differences: {} instruction(s) with JSON followed by text {:?}; \
         {} file(s) read with `# check=` blanked {:?}",
        report.version_json_trailing.len(),
        report.version_json_trailing,
        report.version_check_directive.len(),
        report.version_check_directive
    );
    println!(
        "ONBUILD heredocs (end line checked, bodies not visible through the package): {}",
        report.onbuild_heredocs_hidden
    );
    println!(
        "instructions whose keyword follows lone escape lines (start line = first line): {}",
        report.keyword_after_lone_escape
    );
    assert_eq!(corpus_syntax_errors, 0, "Syntax errors on the corpus");
    if !failures.is_empty() {
        for f in failures.iter().take(60) {
            println!("MISMATCH {f}");
        }
        panic!("{} mismatch(es) with Docker's parser", failures.len());
    }
}
