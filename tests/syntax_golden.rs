//! Golden dumps of the tricky syntax fixtures: `fixtures/syntax/*.Dockerfile` → `syntax::dump::dump`,
//! one snapshot per fixture under `tests/snapshots/syntax/`. Every node of a dump shows its absolute
//! byte range next to the source text it covers, so a wrong range shows up as wrong text.
//!
//! Works like `insta::glob!` (the crate's `glob` feature is not enabled): every fixture is a named
//! snapshot, and a snapshot without its fixture fails the test. Review changes with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test syntax_golden` then `git diff`).

mod support;

use std::path::Path;

use dockward::syntax::{ProblemKind, dump::dump, parse};

const SNAPSHOTS: &str = "snapshots/syntax";

#[test]
fn syntax_fixture_dumps() {
    let fixtures = support::syntax_fixtures();
    assert!(fixtures.len() >= 40, "{} fixtures", fixtures.len());
    let mut names = Vec::new();
    for f in &fixtures {
        let stem = Path::new(&f.name)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".Dockerfile"))
            .expect("fixture name")
            .to_string();
        let tree = parse(&f.text);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(SNAPSHOTS);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(Path::new(support::ROOT).join(&f.name));
        settings.set_description(format!("dump of {}", f.name));
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(stem.clone(), dump(&tree, &f.text)));
        names.push(format!("{stem}.snap"));
    }
    // A snapshot whose fixture was removed or renamed is stale.
    support::assert_no_stale_snapshots(SNAPSHOTS, &names, "fixtures/syntax/ file");
}

/// Lines over Docker's 64 KiB limit, generated here rather than committed (the Docker oracle covers the
/// same recipes in `tests/parser_oracle.rs`).
#[test]
fn very_long_lines() {
    let long = "x".repeat(70_000);
    let text = format!("FROM alpine\nRUN echo {long}\nRUN echo after\n");
    let tree = parse(&text);
    let errors = tree.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.kind, ProblemKind::Syntax);
    assert_eq!(e.message, "syntax.line-too-long");
    let line2 = text.find("RUN echo x").expect("line 2") as u32;
    assert_eq!((e.range.start, e.range.end), (line2, line2 + 9 + 70_000));
    let kinds: Vec<_> = tree.instructions().map(|(_, i)| i.keyword.range).collect();
    assert_eq!(
        kinds.len(),
        3,
        "the long line is still an instruction and the next one follows"
    );

    // Exactly at the limit: accepted, with or without a final newline.
    for nl in ["\n", ""] {
        let at_limit = format!("FROM alpine\nRUN {}{nl}", "x".repeat(65_535 - 4));
        assert!(parse(&at_limit).errors().is_empty(), "65535-byte line{nl:?}");
        let over = format!("FROM alpine\nRUN {}{nl}", "x".repeat(65_536 - 4));
        let errs = parse(&over).errors();
        assert_eq!(errs.len(), 1, "65536-byte line{nl:?}: {errs:?}");
    }

    // In a comment and in a heredoc body (Docker's scanner fails on any line).
    let comment = format!("FROM alpine\n# {long}\n");
    assert!(
        parse(&comment)
            .errors()
            .iter()
            .any(|e| e.message == "syntax.line-too-long"),
        "long comment"
    );
    let heredoc = format!("FROM alpine\nRUN <<EOF\n{long}\nEOF\n");
    let errs = parse(&heredoc).errors();
    assert!(
        errs.iter().any(|e| e.message == "syntax.line-too-long"),
        "long heredoc body line: {errs:?}"
    );
}
