//! The shell analyser on arbitrary and real input: random and truncated scripts never panic and keep every
//! range inside the script on character boundaries; pathological nesting stays fast; and over every `RUN`
//! of the 915 corpus Dockerfiles, scripts are found, every shell-form RUN yields commands, and mapped ranges
//! land inside the instruction with the word's own text wherever the word is written verbatim.
//!
//! The corpus test prints its counts and timings (`cargo test --release --test shell -- --nocapture`).

#![allow(clippy::print_stdout)]

mod support;

use std::time::{Duration, Instant};

use dockward::shell::{self, RunScript, Script, ScriptOrigin, Word};
use dockward::syntax::{CommandForm, Kind};
use dockward::text::TextRange;
use support::{Rng, floor_boundary};

/// Checks every range of a script against its text; returns the number of words checked.
fn check_script(src: &str, s: &Script) -> usize {
    let ok = |r: TextRange, what: &str| {
        assert!(
            r.start <= r.end && src.get(r.as_usize()).is_some(),
            "{what} {r:?} outside or not on char boundaries of {src:?}"
        );
    };
    let word = |w: &Word| {
        ok(w.raw_span, "word");
        if w.verbatim {
            assert_eq!(w.raw(src), w.value, "verbatim word in {src:?}");
        }
        if let Some(at) = w.value_start {
            let r = TextRange::at(at, w.value.len() as u32);
            ok(r, "value");
            assert_eq!(&src[r.as_usize()], w.value, "contiguous value in {src:?}");
        }
    };
    let mut n = 0;
    for c in &s.commands {
        ok(c.span, "command");
        for w in c.words.iter().chain(&c.assignments) {
            word(w);
            n += 1;
        }
        for r in &c.redirects {
            ok(r.span, "redirect");
            word(&r.target);
            if let Some(h) = &r.heredoc {
                ok(h.body, "heredoc body");
                if let Some(t) = h.terminator {
                    ok(t, "terminator");
                }
            }
        }
        if let Some(sc) = c.scope {
            assert!((sc as usize) < s.scopes.len());
        }
    }
    for sc in &s.scopes {
        ok(sc.span, "scope");
        assert!(sc.owner.is_none_or(|o| (o as usize) < s.commands.len()));
    }
    // Source order.
    assert!(s.commands.windows(2).all(|p| p[0].span.start <= p[1].span.start));
    n
}

const PIECES: &[&str] = &[
    " ", " ", " ", "\n", "\t", ";", ";;", "&", "&&", "|", "||", "|&", "(", ")", "{", "}", "<", ">", ">>", "2>&1", "<<",
    "<<-", "<<<", "EOF", "'EOF'", "\"", "'", "\\", "\\\n", "$", "$(", "${", "}", "`", "$((", "))", "#", "if", "then",
    "fi", "for", "in", "do", "done", "case", "esac", "while", "function", "!", "[[", "]]", "=", "A=", "sh", "-c",
    "bash", "eval", "su", "sudo", "env", "curl", "-o", "/x", "é", "日本", "😀", "$'\\x41'", "$\"", "<(", ">(", "@(",
    "arr=(", "time", "-p", "x", "y", "1",
];

fn random_script(rng: &mut Rng) -> String {
    let n = rng.below(40);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(PIECES[rng.below(PIECES.len())]);
    }
    s
}

#[test]
fn random_and_truncated_scripts_never_panic_and_keep_ranges_in_bounds() {
    let mut rng = Rng::new(0x5eed_5e11);
    for _ in 0..20_000 {
        let src = random_script(&mut rng);
        check_script(&src, &shell::parse(&src));
    }
    let realistic = [
        "set -eux; apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\\n && rm -rf /var/lib/apt/lists/*",
        "curl -fsSL \"https://example.com/$(uname -m)/tool.tgz\" | tar -xz -C /usr/local/bin && chmod +x /usr/local/bin/tool",
        "bash -c 'for f in /etc/*.conf; do sed -i \"s/a/b/\" \"$f\"; done' && su app -c \"npm ci\"",
        "cat <<-'EOF' > /etc/app.conf\n\ttoken=$(cat /run/secrets/t)\n\tEOF\nsh <<EOF\necho `id -u` ${HOME:-/root}\nEOF\n",
        "case \"$(dpkg --print-architecture)\" in amd64) A=x86_64;; arm64) A=aarch64;; *) exit 1;; esac; echo $'\\t'",
        "if [ -n \"$X\" ]; then { echo a; echo b; } > /tmp/x 2>&1; elif ( cd / && ls ); then :; fi",
    ];
    for src in realistic {
        let mut cut = 0;
        while cut <= src.len() {
            let t = &src[..cut];
            check_script(t, &shell::parse(t));
            cut += 1;
            while cut < src.len() && !src.is_char_boundary(cut) {
                cut += 1;
            }
        }
        // Random splices of two realistic scripts.
        for _ in 0..200 {
            let other = realistic[rng.below(realistic.len())];
            let a = floor_boundary(src, rng.below(src.len() + 1));
            let b = floor_boundary(other, rng.below(other.len() + 1));
            let t = format!("{}{}", &src[..a], &other[b..]);
            check_script(&t, &shell::parse(&t));
        }
    }
}

#[test]
fn pathological_inputs_stay_fast() {
    let cases: Vec<(&str, String)> = vec![
        ("$( nested 20,000 deep", "$(".repeat(20_000)),
        (
            "$( closed 20,000 deep",
            format!("{}x{}", "$(".repeat(20_000), ")".repeat(20_000)),
        ),
        ("( nested 20,000 deep", "( ".repeat(20_000)),
        ("{ nested 20,000 deep", "{ ".repeat(20_000)),
        ("backticks 20,000", "`a` ".repeat(20_000)),
        // Quoting triples the quotes at every level: 10 levels make 200 kB.
        ("bash -c nested 10 deep", {
            let mut s = "id".to_string();
            for _ in 0..10 {
                s = format!("bash -c {}", shell_quote(&s));
            }
            s
        }),
        ("eval nested 10 deep", {
            let mut s = "id".to_string();
            for _ in 0..10 {
                s = format!("eval \"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
            }
            s
        }),
        (
            "10,000 substitutions in one command",
            format!("echo {}", "$(a) ".repeat(10_000)),
        ),
        ("eval chain 5,000 long", format!("{}id", "eval ".repeat(5_000))),
        ("10,000 heredocs", "cat <<E\nx\nE\n".repeat(10_000)),
        (
            "10,000 open heredocs on a line",
            format!("{}\nbody", "<<E ".repeat(10_000)),
        ),
        ("100,000 commands", "a && b | c; ".repeat(33_334)),
        ("1 MB word", "x".repeat(1 << 20)),
        (
            "case 10,000 branches",
            format!("case x in {} esac", "a) b;; ".repeat(10_000)),
        ),
    ];
    for (name, src) in cases {
        println!("{name}...");
        let t = Instant::now();
        let s = shell::parse(&src);
        let took = t.elapsed();
        check_script(&src, &s);
        println!("{name}: {} commands in {took:?}", s.commands.len());
        assert!(took < Duration::from_secs(5), "{name} took {took:?}");
    }
}

/// Single-quotes `s` for the shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Checks a Dockerfile script's mapping; returns the number of verbatim words compared with the source.
fn check_mapping(name: &str, item_text: &str, full: TextRange, rs: &RunScript) -> usize {
    check_script(&rs.text, &rs.script);
    let mut exact = 0;
    for c in &rs.script.commands {
        for w in c
            .words
            .iter()
            .chain(&c.assignments)
            .chain(c.redirects.iter().map(|r| &r.target))
        {
            let r = rs.range(w.raw_span);
            assert!(
                full.start <= r.start && r.end <= full.end && item_text.get(r.as_usize()).is_some(),
                "{name}: {w:?} maps to {r:?}, outside {full:?}"
            );
            if w.verbatim && rs.is_exact(w.raw_span) {
                assert_eq!(&item_text[r.as_usize()], w.value, "{name}: verbatim word {w:?}");
                exact += 1;
            }
        }
    }
    exact
}

#[test]
fn every_run_of_the_corpus_is_analysed() {
    let files = support::corpus();
    assert!(files.len() >= 900);
    let (mut runs, mut shell_runs, mut exec_runs, mut heredoc_runs, mut commands, mut nested, mut exact) =
        (0, 0, 0, 0, 0, 0, 0);
    let mut spent = Duration::ZERO;
    let mut slowest = (Duration::ZERO, String::new());
    for f in &files {
        let tree = dockward::syntax::parse(&f.text);
        for (item, ins) in tree.instructions() {
            let ins = ins.onbuild_inner().unwrap_or(ins);
            if ins.kind != Kind::Run {
                continue;
            }
            runs += 1;
            let text = shell::item_text(&f.text, &item);
            let t = Instant::now();
            let scripts = shell::run_scripts(text, ins);
            let took = t.elapsed();
            spent += took;
            if took > slowest.0 {
                slowest = (took, format!("{}:{}", f.name, support::line_of(&f.text, item.start)));
            }
            let full = ins.full_range;
            match ins.command() {
                Some(CommandForm::Shell(sp)) if !ins.text(sp).trim().is_empty() => {
                    shell_runs += 1;
                    let shell_form = scripts
                        .iter()
                        .find(|s| matches!(s.origin, ScriptOrigin::ShellForm | ScriptOrigin::HeredocBody { .. }));
                    // Only a lone heredoc run by another interpreter (`#!/usr/bin/env python3`) has no script.
                    let foreign = ins.heredocs().len() == 1 && scripts.is_empty();
                    assert!(
                        foreign || shell_form.is_some_and(|s| !s.script.commands.is_empty()),
                        "{}:{}: no command in {:?}",
                        f.name,
                        support::line_of(&f.text, item.start),
                        ins.text(sp)
                    );
                    if !ins.heredocs().is_empty() {
                        heredoc_runs += 1;
                    }
                }
                Some(CommandForm::Exec(_)) => {
                    exec_runs += 1;
                    assert_eq!(scripts.len(), 1, "{}: exec form", f.name);
                }
                _ => {}
            }
            for rs in &scripts {
                commands += rs.script.commands.len();
                nested += rs.script.commands.iter().filter(|c| c.depth > 0).count();
                exact += check_mapping(&f.name, text, full, rs);
            }
        }
    }
    println!(
        "corpus: {} files, {runs} RUN ({shell_runs} shell form, {heredoc_runs} with heredocs, {exec_runs} exec form), \
         {commands} commands ({nested} nested), {exact} verbatim words matched to the source",
        files.len()
    );
    println!(
        "run_scripts: {spent:?} in total, {:?} per RUN; slowest {:?} at {}",
        spent / runs.max(1) as u32,
        slowest.0,
        slowest.1
    );
    assert!(runs > 2_000, "{runs} RUN instructions");
    assert!(commands > runs);
}
