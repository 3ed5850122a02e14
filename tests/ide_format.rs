//! The formatter (`ide::format`): fixture snapshots of formatted files (`fixtures/ide/format/`), and the
//! promises checked on every syntax fixture and the 915 corpus files: formatting is idempotent, edits
//! only touch whitespace and keyword case, and the formatted file parses with no new error to the same
//! instructions (kinds, flags, argument words as Docker and the shell split them, heredoc bodies).

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use dockward::ide::format::{self, Edit, FormatOptions};
use dockward::settings::KeywordCase;
use dockward::syntax::{Args, CommandForm, Instruction, PathList, parse};

const SNAPSHOTS: &str = "snapshots/ide_format";

fn formatted(text: &str, opts: &FormatOptions) -> (String, Vec<Edit>) {
    let tree = parse(text);
    let edits = format::format(text, &tree, opts);
    (format::apply(text, &edits), edits)
}

/// Words as the shell splits them: whitespace outside quotes and escapes separates; the words keep
/// their quotes (so a changed string shows).
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                continue;
            }
            None if c == '\\' || c == '`' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                continue;
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            Some('"') if c == '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                continue;
            }
            Some(q) if c == q => quote = None,
            _ => {}
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn command(ins: &Instruction, c: &CommandForm) -> String {
    match c {
        CommandForm::Exec(a) => format!("exec{:?}", a.items.iter().map(|i| &i.value).collect::<Vec<_>>()),
        CommandForm::Shell(s) => format!("shell{:?}", shell_words(ins.text(s))),
        CommandForm::Empty => "empty".into(),
    }
}

/// What Docker builds from an instruction, with whitespace between words (where it separates them)
/// and keyword case abstracted away.
fn shape(ins: &Instruction) -> String {
    let t = |s| ins.text(s).to_string();
    let flags: Vec<(String, Option<String>)> = ins.flags.iter().map(|f| (f.name.clone(), f.value.clone())).collect();
    let args = match &ins.args {
        Args::From(a) => format!(
            "{:?} {:?} {:?} {:?}",
            a.image.as_ref().map(t),
            a.as_keyword.as_ref().map(|s| t(s).to_ascii_uppercase()),
            a.name.as_ref().map(t),
            a.extra.iter().map(t).collect::<Vec<_>>()
        ),
        Args::Command(c) => command(ins, c),
        Args::Paths(PathList::Exec(a)) => format!("{:?}", a.items.iter().map(|i| &i.value).collect::<Vec<_>>()),
        Args::Paths(PathList::Words(w)) | Args::Words(w) => format!("{:?}", w.iter().map(t).collect::<Vec<_>>()),
        Args::KeyValues(kvs) => format!(
            "{:?}",
            kvs.iter()
                .map(|kv| (t(&kv.key), t(&kv.value), kv.legacy))
                .collect::<Vec<_>>()
        ),
        Args::Arg(d) => format!(
            "{:?}",
            d.iter()
                .map(|d| (t(&d.name), d.default.as_ref().map(t)))
                .collect::<Vec<_>>()
        ),
        Args::Text(x) | Args::Unknown(x) => format!("{:?}", x.as_ref().map(t)),
        Args::Healthcheck(h) => format!(
            "{:?} {}",
            h.kind.as_ref().map(|s| t(s).to_ascii_uppercase()),
            command(ins, &h.command)
        ),
        Args::Onbuild(inner) => format!("onbuild({:?})", inner.as_deref().map(shape)),
    };
    format!("{:?} {:?} {}", ins.kind, flags, args)
}

/// The whole file as Docker reads it.
fn file_shape(text: &str) -> Vec<String> {
    let tree = parse(text);
    let mut out: Vec<String> = tree
        .directives
        .iter()
        .map(|d| format!("# {}={}", d.name, d.value))
        .collect();
    out.push(format!("escape {:?}", tree.escape));
    for (it, ins) in tree.instructions() {
        out.push(shape(ins));
        for h in ins.heredocs() {
            let body = &text[it.abs(h.body).as_usize()];
            out.push(format!(
                "  heredoc {:?} chomp={} expand={} fd={} closed={} body={body:?}",
                h.name,
                h.chomp,
                h.expand,
                h.fd,
                h.terminator.is_some()
            ));
        }
    }
    out
}

fn error_ids(text: &str) -> Vec<String> {
    let mut v: Vec<String> = parse(text)
        .errors()
        .iter()
        .map(|e| format!("{:?} {}", e.kind, e.message))
        .collect();
    v.sort();
    v
}

/// Every promise of the formatter on one text.
fn check_promises(name: &str, text: &str, opts: &FormatOptions) {
    let (once, edits) = formatted(text, opts);
    for w in edits.windows(2) {
        assert!(w[0].range.end <= w[1].range.start, "{name}: overlapping edits {w:?}");
    }
    for e in &edits {
        let old = &text[e.range.as_usize()];
        let whitespace = |s: &str| s.chars().all(char::is_whitespace);
        assert!(
            (whitespace(old) && whitespace(&e.new_text)) || old.eq_ignore_ascii_case(&e.new_text),
            "{name}: an edit changes more than whitespace or case: {old:?} -> {:?}",
            e.new_text
        );
        assert_ne!(old, e.new_text, "{name}: an edit that changes nothing");
    }
    let (twice, again) = formatted(&once, opts);
    assert!(
        again.is_empty(),
        "{name}: not idempotent; the second pass changes {again:?}\n--- once:\n{once}\n--- twice:\n{twice}"
    );
    assert_eq!(
        file_shape(text),
        file_shape(&once),
        "{name}: formatting changed the instructions"
    );
    let before = error_ids(text);
    for e in error_ids(&once) {
        assert!(before.contains(&e), "{name}: formatting added the error {e}\n{once}");
    }
}

fn variants() -> Vec<FormatOptions> {
    vec![
        FormatOptions::default(),
        FormatOptions {
            keyword_case: KeywordCase::Lower,
            indent: "\t".into(),
            max_blank_lines: 0,
            ..FormatOptions::default()
        },
        FormatOptions {
            keyword_case: KeywordCase::Preserve,
            indent: "  ".into(),
            max_blank_lines: 2,
            trim_trailing_whitespace: false,
            insert_final_newline: false,
            trim_final_newlines: false,
        },
    ]
}

#[test]
fn formatting_keeps_its_promises_on_the_syntax_fixtures() {
    let files = support::syntax_fixtures();
    assert!(files.len() >= 40);
    for f in &files {
        for o in variants() {
            check_promises(&f.name, &f.text, &o);
        }
    }
}

#[test]
fn formatting_keeps_its_promises_on_the_corpus() {
    let files = support::corpus();
    assert!(files.len() >= 900, "{} corpus files", files.len());
    let mut changed = 0;
    for f in &files {
        check_promises(&f.name, &f.text, &FormatOptions::default());
        if formatted(&f.text, &FormatOptions::default()).0 != f.text {
            changed += 1;
        }
    }
    // The formatter does something on real files (they are not all formatted already).
    assert!(changed > 100, "only {changed} corpus files changed");
    // The other settings on a third of the corpus (the promises do not depend on them).
    for f in files.iter().step_by(3) {
        for o in &variants()[1..] {
            check_promises(&f.name, &f.text, o);
        }
    }
}

#[test]
fn truncated_and_crlf_inputs_never_panic_and_keep_the_promises() {
    let mut rng = support::Rng::new(11);
    for f in support::syntax_fixtures() {
        let text = &f.text;
        let step = (text.len() / 40).max(1);
        let mut cut = 0;
        while cut <= text.len() {
            let end = support::floor_boundary(text, cut);
            check_promises(&format!("{}[..{end}]", f.name), &text[..end], &FormatOptions::default());
            cut += step;
        }
        let crlf = text.replace('\n', "\r\n");
        check_promises(&format!("{} (CRLF)", f.name), &crlf, &FormatOptions::default());
        // Range formatting and on-type formatting at random places.
        let tree = parse(text);
        for _ in 0..8 {
            let a = support::floor_boundary(text, rng.below(text.len() + 1));
            let b = support::floor_boundary(text, a + rng.below(40));
            let r = dockward::text::TextRange::new(a as u32, b as u32);
            let part = format::format_range(text, &tree, &FormatOptions::default(), r);
            let all = format::format(text, &tree, &FormatOptions::default());
            assert!(
                part.iter().all(|e| all.contains(e)),
                "{}: a range edit not in the full format",
                f.name
            );
            let _ = format::on_type_newline(text, &tree, &FormatOptions::default(), a as u32);
        }
    }
}

#[test]
fn range_formatting_touches_only_the_lines_of_the_range() {
    let text = "from a\nrun   x\nRUN  y  \n\n\n\ncopy  a  b\n";
    let tree = parse(text);
    let line2 = text.find("RUN").unwrap() as u32;
    let edits = format::format_range(
        text,
        &tree,
        &FormatOptions::default(),
        dockward::text::TextRange::new(line2 + 1, line2 + 2),
    );
    assert_eq!(
        format::apply(text, &edits),
        "from a\nrun   x\nrun y\n\n\n\ncopy  a  b\n"
    );
}

#[test]
fn format_fixtures() {
    let dir = Path::new(support::ROOT).join("fixtures/ide/format");
    let mut names = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ide/format")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 6, "{} fixtures", entries.len());
    for p in entries {
        let text = std::fs::read_to_string(&p).expect("fixture");
        let stem = p.file_stem().and_then(|s| s.to_str()).expect("name").to_string();
        let (out, _) = formatted(&text, &FormatOptions::default());
        check_promises(&stem, &text, &FormatOptions::default());
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(SNAPSHOTS);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(&p);
        settings.set_omit_expression(true);
        settings.set_description(format!(
            "fixtures/ide/format/{stem}.Dockerfile formatted (· is a trailing space, → a tab)"
        ));
        let visible = out.replace('\t', "→").replace(" \n", "·\n");
        settings.bind(|| insta::assert_snapshot!(stem.clone(), visible));
        names.push(format!("{stem}.snap"));
    }
    support::assert_no_stale_snapshots(SNAPSHOTS, &names, "fixture");
}

/// A 5,000-line file, and one instruction of 50,000 continuation lines: the cost stays linear.
#[test]
fn large_files_format_in_linear_time() {
    let mut text = String::from("FROM alpine:3.20 AS build\n");
    while text.lines().count() < 5000 {
        text.push_str("run   apt-get update &&  \\\n  apt-get install -y curl \\\n\t&& rm -rf /var/lib/apt/lists/*\n");
        text.push_str("COPY  --from=build   /a  /b\nENV  A=1   B=\"x  y\"\n\n\n");
    }
    let tree = parse(&text);
    let t = Instant::now();
    let edits = format::format(&text, &tree, &FormatOptions::default());
    let spent = t.elapsed();
    assert!(edits.len() > 5000);
    assert!(spent < Duration::from_secs(2), "5,000 lines took {spent:?}");
    let long = format!("FROM a\nRUN x{}\n", " \\\n y".repeat(50_000));
    let tree = parse(&long);
    let t = Instant::now();
    let edits = format::format(&long, &tree, &FormatOptions::default());
    assert_eq!(edits.len(), 50_000);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "50,000 continuation lines took {:?}",
        t.elapsed()
    );
}
