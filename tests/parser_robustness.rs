//! The parser never panics, never hangs and keeps its ranges inside the text, whatever it is given:
//! truncated files (every line boundary of every fixture and corpus file, plus random byte cuts decoded
//! lossily), random bytes, and pathological inputs built to hit worst cases (100,000 continuation
//! lines, 10,000 heredocs, a 1 MB line, `${` nested 100,000 deep, 10,000 `ONBUILD`, ...).
//!
//! Every parse is timed; the slowest are printed (`-- --nocapture`) and each must take under 5 s in a
//! debug build (the real figures are far lower: see the printout).

#![allow(clippy::print_stdout)]

mod support;
use support::rep;

use std::time::{Duration, Instant};

use dockward::syntax::{Args, Dockerfile, Edit, Instruction, NodeKind, dump::dump, parse};
use dockward::text::TextRange;
use support::{Rng, floor_boundary};

const LIMIT: Duration = Duration::from_secs(5);

/// Checks that a range lies inside `text` on character boundaries.
fn in_text(text: &str, r: TextRange, what: &str, name: &str) {
    assert!(
        r.start <= r.end
            && (r.end as usize) <= text.len()
            && text.is_char_boundary(r.start as usize)
            && text.is_char_boundary(r.end as usize),
        "{name}: {what} {r:?} outside the text (len {}) or not on a char boundary",
        text.len()
    );
}

fn check_instruction(text: &str, base: u32, i: &Instruction, name: &str) {
    let abs = |r: TextRange| r.shift(base);
    in_text(text, abs(i.range), "instruction range", name);
    in_text(text, abs(i.full_range), "full range", name);
    in_text(text, abs(i.keyword.range), "keyword", name);
    in_text(text, abs(i.args_span.range), "arguments", name);
    assert!(
        (i.args_span.hi as usize) <= i.logical.len(),
        "{name}: arguments beyond the logical line"
    );
    for f in &i.flags {
        in_text(text, abs(f.span.range), "flag", name);
    }
    for h in i.heredocs() {
        in_text(text, abs(h.body), "heredoc body", name);
        in_text(text, abs(h.marker.range), "heredoc marker", name);
    }
    for v in i.shell_var_uses().iter().chain(&i.var_uses) {
        in_text(text, abs(v.range), "variable", name);
    }
    if let Args::Onbuild(Some(inner)) = &i.args {
        check_instruction(text, base, inner, name);
    }
    // Kept rare parts are never all empty (equal instructions must compare equal).
    assert!(
        i.rare.as_ref().is_none_or(|r| !(r.heredocs.is_empty()
            && r.errors.is_empty()
            && r.inner_comments.is_empty()
            && r.empty_continuation_lines.is_empty())),
        "{name}: an instruction keeps empty rare parts"
    );
}

/// The tree's invariants: items in order, inside the text, not overlapping; every range valid.
fn check_tree(text: &str, tree: &Dockerfile, name: &str) {
    assert_eq!(tree.len as usize, text.len(), "{name}: length");
    let mut end = tree.body_start;
    for it in tree.items() {
        assert!(it.start >= end, "{name}: item {} overlaps the previous one", it.index);
        in_text(text, it.extent(), "item", name);
        end = it.start + it.node.len;
        match &it.node.kind {
            NodeKind::Instruction(i) => check_instruction(text, it.start, i, name),
            NodeKind::Comment(c) => in_text(text, it.abs(c.range), "comment", name),
        }
    }
    for e in tree.errors() {
        in_text(text, e.range, "error", name);
    }
}

#[derive(Default)]
struct Timings {
    parses: usize,
    slowest: Vec<(Duration, String)>,
}

impl Timings {
    fn parse(&mut self, text: &str, name: impl FnOnce() -> String) -> Dockerfile {
        let t = Instant::now();
        let tree = parse(text);
        let _ = tree.errors();
        let d = t.elapsed();
        self.parses += 1;
        if d > LIMIT || self.slowest.len() < 5 || d > self.slowest[4].0 {
            let name = name();
            assert!(d < LIMIT, "{name}: parse took {d:?}");
            self.slowest.push((d, name));
            self.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
            self.slowest.truncate(5);
        }
        tree
    }

    fn report(&self, what: &str, started: Instant) {
        println!("{what}: {} parses in {:.1?}; slowest:", self.parses, started.elapsed());
        for (d, n) in &self.slowest {
            println!("  {d:>10.1?}  {n}");
        }
    }
}

/// Parses every prefix of `files` that ends at a line boundary: after every newline (each line
/// start), and before it (a last line without its newline) for the fixtures and every 4th line of the
/// corpus; plus six random byte cuts per file, decoded lossily (a cut inside a UTF-8 sequence becomes
/// U+FFFD). The tree invariants are checked on every fixture prefix and on a sample of the rest.
fn truncations(files: &[support::TestFile], what: &str) {
    let started = Instant::now();
    let mut t = Timings::default();
    let mut rng = Rng::new(0x7EC0_7EC0);
    for f in files {
        let text = &f.text;
        let fixture = f.name.starts_with("fixtures/syntax/");
        let mut cuts: Vec<usize> = vec![0, text.len()];
        for (k, (i, _)) in text.match_indices('\n').enumerate() {
            cuts.push(i + 1);
            if fixture || k % 4 == 0 {
                cuts.push(i);
            }
        }
        for (k, &cut) in cuts.iter().enumerate() {
            let prefix = &text[..cut];
            let tree = t.parse(prefix, || format!("{} cut at {cut}", f.name));
            if fixture || k % 16 == 0 {
                check_tree(prefix, &tree, &f.name);
            }
        }
        for _ in 0..6 {
            let cut = rng.below(text.len() + 1);
            let prefix = String::from_utf8_lossy(&text.as_bytes()[..cut]).into_owned();
            let tree = t.parse(&prefix, || format!("{} byte cut at {cut}", f.name));
            check_tree(&prefix, &tree, &f.name);
            let _ = dump(&tree, &prefix);
        }
    }
    t.report(what, started);
}

#[test]
fn truncated_fixtures() {
    truncations(&support::syntax_fixtures(), "truncated fixtures");
}

// The corpus in two halves (alternate files, so that both get large ones), run by the test harness on
// two threads.
fn corpus_half(parity: usize) -> Vec<support::TestFile> {
    support::corpus()
        .into_iter()
        .enumerate()
        .filter(|(k, _)| k % 2 == parity)
        .map(|(_, f)| f)
        .collect()
}

#[test]
fn truncated_corpus_even_files() {
    truncations(&corpus_half(0), "truncated corpus, even files");
}

#[test]
fn truncated_corpus_odd_files() {
    truncations(&corpus_half(1), "truncated corpus, odd files");
}

#[test]
fn random_bytes() {
    let started = Instant::now();
    let mut t = Timings::default();
    let mut rng = Rng::new(0xB17E5);
    // Pieces that matter to the parser, mixed with arbitrary bytes.
    let tokens: &[&[u8]] = &[
        b"\n",
        b"\r\n",
        b"\r",
        b"\\",
        b"\\\n",
        b"`",
        b" ",
        b"\t",
        b"#",
        b"# escape=`\n",
        b"# syntax=x\n",
        b"<<",
        b"<<EOF\n",
        b"<<-EOF\n",
        b"EOF\n",
        b"\"",
        b"'",
        b"$",
        b"${",
        b"}",
        b":-",
        b"[",
        b"]",
        b"\",",
        b"=",
        b"--",
        b"--mount=",
        b"RUN ",
        b"FROM ",
        b"COPY ",
        b"ENV ",
        b"ONBUILD ",
        b"HEALTHCHECK ",
        b"ARG ",
        b"LABEL ",
        b"CMD ",
        b"\xEF\xBB\xBF",
        b"\xE3\x81\x82",
        b"\xF0\x9F\x90\xB3",
        b"\xC2\xA0",
        b"\x0B",
        b"\x00",
    ];
    for case in 0..2_000 {
        let mut bytes = Vec::new();
        let len = rng.below(400);
        while bytes.len() < len {
            if rng.chance(3) {
                bytes.push(rng.next_u64() as u8);
            } else {
                bytes.extend_from_slice(tokens[rng.below(tokens.len())]);
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let tree = t.parse(&text, || format!("random case {case}: {text:?}"));
        check_tree(&text, &tree, &format!("random case {case}"));
        let _ = dump(&tree, &text);
        // And incrementally: delete a random range.
        let a = floor_boundary(&text, rng.below(text.len() + 1));
        let b = floor_boundary(&text, (a + rng.below(16)).min(text.len()));
        let mut new = text.clone();
        new.replace_range(a..b, "");
        let edited = tree.edit(
            &new,
            Edit {
                range: TextRange::new(a as u32, b as u32),
                new_len: 0,
            },
        );
        assert!(edited == parse(&new), "random case {case}: edit {a}..{b} of {text:?}");
    }
    t.report("random bytes", started);
}

#[test]
fn pathological_inputs() {
    let started = Instant::now();
    let mb = 1 << 20;
    let mut heredoc_line = String::from("FROM a\nRUN cat");
    let mut bodies = String::new();
    for k in 0..10_000 {
        heredoc_line.push_str(&format!(" <<E{k}"));
        bodies.push_str(&format!("body {k}\nE{k}\n"));
    }
    let many_heredocs_one_line = format!("{heredoc_line}\n{bodies}");
    let cases: Vec<(&str, String)> = vec![
        (
            "100,000 `\\` continuation lines",
            rep("FROM a\nRUN echo \\\n", "\\\n", 100_000, "done\n"),
        ),
        ("100,000 lone `\\` lines", rep("", "\\\n", 100_000, "")),
        (
            "100,000 continuation lines with comments",
            rep("FROM a\nRUN a \\\n", "# c\n  b \\\n", 50_000, "end\n"),
        ),
        (
            "100,000 blank lines in a continuation",
            rep("FROM a\nRUN a \\\n", "\n", 100_000, "b\n"),
        ),
        (
            "10,000 heredoc instructions",
            rep("FROM a\n", "RUN <<EOF\nx\nEOF\n", 10_000, ""),
        ),
        ("10,000 heredocs on one line", many_heredocs_one_line),
        (
            "10,000 unterminated heredoc markers",
            rep("FROM a\nRUN cat", " <<EOF", 10_000, "\nx\n"),
        ),
        ("1 MB RUN line", rep("FROM a\nRUN ", "x", mb, "\n")),
        ("1 MB line of spaces", rep("FROM a\nRUN x", " ", mb, "y\n")),
        ("256 KB ENV line of `$a`", rep("FROM a\nENV x=", "$a", mb / 8, "\n")),
        ("1 MB ENV line of quotes", rep("FROM a\nENV x=", "\"", mb, "\n")),
        ("1 MB line of `<<`", rep("FROM a\nRUN ", "<<", mb / 2, "\n")),
        ("1 MB line of `[`", rep("FROM a\nCMD ", "[", mb, "\n")),
        ("1 MB JSON array", rep("FROM a\nCMD [", "\"x\", ", mb / 5, "\"y\"]\n")),
        (
            "1 MB nested JSON",
            rep("FROM a\nCMD [\"a\", ", "{\"k\": [", mb / 8, "\n"),
        ),
        ("1 MB comment", rep("FROM a\n# ", "c", mb, "\n")),
        (
            "1 MB of `--` flags",
            rep("FROM a\nRUN ", "--mount=type=cache,target=/x ", mb / 29, "true\n"),
        ),
        (
            "`${` nested 100,000 deep",
            rep("FROM a\nENV a=", "${x:-", 100_000, &"}".repeat(100_000)),
        ),
        ("`${${${` 100,000 deep", rep("FROM a\nENV a=", "${", 100_000, "\n")),
        (
            "`${` nested 100,000 deep in RUN",
            rep("FROM a\nRUN echo ", "${x:-", 100_000, "\n"),
        ),
        (
            "10,000 ONBUILD on one line",
            rep("FROM a\n", "ONBUILD ", 10_000, "RUN x\n"),
        ),
        (
            "10,000 ONBUILD lines",
            rep("FROM a\n", "ONBUILD ONBUILD RUN x\n", 10_000, ""),
        ),
        ("100,000 instructions", rep("FROM a\n", "RUN echo hi\n", 100_000, "")),
        ("100,000 comments", rep("", "# c\n", 100_000, "FROM a\n")),
        ("10,000 directives", rep("", "# syntax=x\n", 10_000, "FROM a\n")),
        ("10,000 escape directives", rep("", "# escape=`\n", 10_000, "FROM a\n")),
        ("100,000 CRs", rep("FROM a", "\r", 100_000, "\n")),
        ("20,000 unknown instructions", rep("FROM a\n", "RUNN x\n", 20_000, "")),
        ("1 MB unknown keyword", rep("FROM a\n", "Z", mb, " x\n")),
        ("100,000 ARG names", rep("ARG", " a=b", 100_000, "\nFROM a\n")),
        (
            "100,000 LABEL pairs with quotes",
            rep("FROM a\nLABEL", " a=\"b c\"", 100_000, "\n"),
        ),
    ];
    println!("{:<44} {:>10} {:>12} {:>12}", "input", "bytes", "parse", "edit");
    for (name, text) in &cases {
        let t = Instant::now();
        let tree = parse(text);
        let errors = tree.errors();
        let parse_time = t.elapsed();
        check_tree(text, &tree, name);
        // An edit in the middle and one at the end go through the incremental path.
        let t = Instant::now();
        let mid = floor_boundary(text, text.len() / 2);
        let mut new = text.clone();
        new.insert(mid, 'x');
        let edited = tree.edit(
            &new,
            Edit {
                range: TextRange::new(mid as u32, mid as u32),
                new_len: 1,
            },
        );
        let mut newer = new.clone();
        newer.push('\n');
        let edited = edited.edit(
            &newer,
            Edit {
                range: TextRange::new(new.len() as u32, new.len() as u32),
                new_len: 1,
            },
        );
        let edit_time = t.elapsed();
        assert!(edited == parse(&newer), "{name}: incremental edit differs");
        println!(
            "{name:<44} {:>10} {:>12.1?} {:>12.1?}   ({} items, {} problems)",
            text.len(),
            parse_time,
            edit_time,
            tree.items.len(),
            errors.len()
        );
        assert!(parse_time < LIMIT, "{name}: parse took {parse_time:?}");
        assert!(edit_time < LIMIT, "{name}: two edits took {edit_time:?}");
    }
    println!("pathological inputs: {} in {:.1?}", cases.len(), started.elapsed());
}
