//! Semantic tokens (`ide::semantic`): a readable decoding of the tokens of each `fixtures/ide/semantic/`
//! file (line, column, text, type, modifiers) as a reviewed snapshot, and the token promises on every
//! syntax fixture and the corpus: sorted, never overlapping, non-empty, on character boundaries, never
//! across a line break except inside a heredoc body, and range requests give the tokens of the range.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use dockward::ide::semantic::{MODIFIERS, Token, TokenType, tokens};
use dockward::syntax::parse;
use dockward::text::{Encoding, LineIndex, TextRange};

const SNAPSHOTS: &str = "snapshots/ide_semantic";

fn decode(text: &str, toks: &[Token]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for t in toks {
        let lc = index.to_line_col(text, t.range.start, Encoding::Utf32);
        let mods: Vec<&str> = MODIFIERS
            .iter()
            .enumerate()
            .filter(|(i, _)| t.modifiers & (1 << i) != 0)
            .map(|(_, m)| *m)
            .collect();
        out.push_str(&format!(
            "{}:{} {:?} {}{}\n",
            lc.line + 1,
            lc.col + 1,
            &text[t.range.as_usize()],
            t.ty.name(),
            if mods.is_empty() {
                String::new()
            } else {
                format!(" [{}]", mods.join(", "))
            }
        ));
    }
    out
}

fn check_tokens(name: &str, text: &str) {
    let tree = parse(text);
    let toks = tokens(text, &tree, None);
    let heredoc_bodies: Vec<TextRange> = tree
        .instructions()
        .flat_map(|(it, ins)| ins.heredocs().iter().map(move |h| it.abs(h.body)))
        .collect();
    for w in toks.windows(2) {
        assert!(w[0].range.end <= w[1].range.start, "{name}: overlapping tokens {w:?}");
    }
    for t in &toks {
        assert!(!t.range.is_empty(), "{name}: empty token {t:?}");
        let s = text
            .get(t.range.as_usize())
            .unwrap_or_else(|| panic!("{name}: token off boundaries {t:?}"));
        if s.contains('\n') {
            assert!(
                t.ty == TokenType::String
                    && heredoc_bodies
                        .iter()
                        .any(|b| b.start <= t.range.start && t.range.end <= b.end),
                "{name}: a token across lines outside a heredoc body: {s:?}"
            );
        }
    }
    // A range request returns exactly the tokens of the full result that meet the range.
    let mid = support::floor_boundary(text, text.len() / 2) as u32;
    let q = TextRange::new(mid, (mid + 60).min(text.len() as u32));
    let part = tokens(text, &tree, Some(q));
    let expected: Vec<Token> = toks.iter().copied().filter(|t| t.range.intersects(q)).collect();
    assert_eq!(part, expected, "{name}: range tokens");
}

#[test]
fn token_promises_on_every_fixture_and_the_corpus() {
    let files = support::all_files();
    assert!(files.len() >= 950);
    for f in &files {
        check_tokens(&f.name, &f.text);
        check_tokens(&format!("{} (CRLF)", f.name), &f.text.replace('\n', "\r\n"));
    }
    for f in support::syntax_fixtures() {
        let step = (f.text.len() / 30).max(1);
        let mut cut = 0;
        while cut <= f.text.len() {
            let end = support::floor_boundary(&f.text, cut);
            check_tokens(&format!("{}[..{end}]", f.name), &f.text[..end]);
            cut += step;
        }
    }
}

#[test]
fn semantic_fixtures() {
    let dir = Path::new(support::ROOT).join("fixtures/ide/semantic");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ide/semantic")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 3);
    let mut names = Vec::new();
    for p in entries {
        let text = std::fs::read_to_string(&p).expect("fixture");
        let stem = p.file_stem().and_then(|s| s.to_str()).expect("name").to_string();
        check_tokens(&stem, &text);
        let tree = parse(&text);
        let decoded = decode(&text, &tokens(&text, &tree, None));
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(SNAPSHOTS);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(&p);
        settings.set_omit_expression(true);
        settings.set_description(format!(
            "tokens of fixtures/ide/semantic/{stem}.Dockerfile: line:column (1-based, in characters) text type [modifiers]"
        ));
        settings.bind(|| insta::assert_snapshot!(stem.clone(), decoded));
        names.push(format!("{stem}.snap"));
    }
    support::assert_no_stale_snapshots(SNAPSHOTS, &names, "fixture");
}

#[test]
fn large_files_tokenize_in_linear_time() {
    let mut text = String::from("FROM alpine:3.20 AS build\nARG V=1\n");
    while text.lines().count() < 5000 {
        text.push_str("RUN --mount=type=cache,target=/c apt-get update && \\\n    apt-get install -y \"curl-$V\" \\\n    && rm -rf /var/lib/apt/lists/*\n");
        text.push_str("COPY --from=build /a /b\nENV A=1 B=\"x $V y\"\nEXPOSE 80/tcp\n");
    }
    let tree = parse(&text);
    let t = Instant::now();
    let toks = tokens(&text, &tree, None);
    assert!(toks.len() > 20_000);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "5,000 lines took {:?}",
        t.elapsed()
    );
    let long = format!("FROM a\nRUN echo \"$X\"{}\n", " \\\n  && echo \"$Y\"".repeat(20_000));
    let tree = parse(&long);
    let t = Instant::now();
    let toks = tokens(&long, &tree, None);
    assert!(toks.len() > 60_000);
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "20,000 continuation lines took {:?}",
        t.elapsed()
    );
}
