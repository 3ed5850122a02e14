//! Engine invariants named in `server/ARCHITECTURE.md`: totality, determinism, exact ranges.

use std::fs;
use std::path::{Path, PathBuf};

use dockward::date::Date;
use dockward::settings::Settings;
use dockward::syntax::{self, Edit, ProblemKind};
use dockward::text::TextRange;
use dockward::{Input, check};

const TODAY: Date = Date::new(2026, 11, 28);

fn dockerfiles(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with("Dockerfile")
                || dockward::cli::discover::is_dockerfile_name(&e.file_name().to_string_lossy())
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_texts() -> Vec<(PathBuf, String)> {
    let mut files = dockerfiles(&root().join("fixtures"));
    files.retain(|p| !p.starts_with(root().join("fixtures/corpus")));
    files
        .into_iter()
        .map(|p| {
            let t = String::from_utf8_lossy(&fs::read(&p).unwrap()).into_owned();
            (p, t)
        })
        .collect()
}

#[test]
fn parse_is_total_on_truncated_fixtures() {
    for (path, text) in fixture_texts() {
        let mut cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).filter(|i| i % 7 == 0).collect();
        cuts.push(text.len());
        for cut in cuts {
            let prefix = &text[..cut];
            let tree = syntax::parse(prefix);
            for e in tree.errors() {
                assert!(
                    e.range.end as usize <= prefix.len(),
                    "{}: error range past the end",
                    path.display()
                );
            }
            let _ = check(&Input::new(prefix, TODAY), &Settings::default());
        }
    }
}

#[test]
fn check_is_deterministic_and_sorted() {
    for (_, text) in fixture_texts() {
        let a = check(&Input::new(&text, TODAY), &Settings::default());
        let b = check(&Input::new(&text, TODAY), &Settings::default());
        assert_eq!(a, b);
        for w in a.windows(2) {
            assert!(
                w[0].sort_key() <= w[1].sort_key(),
                "not sorted: {:?} then {:?}",
                w[0].range,
                w[1].range
            );
        }
    }
}

#[test]
fn diagnostic_ranges_are_exact_byte_ranges() {
    for (path, text) in fixture_texts() {
        for d in check(&Input::new(&text, TODAY), &Settings::default()) {
            let r = d.range.as_usize();
            assert!(
                r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                "{}: {:?} {}",
                path.display(),
                d.range,
                d.code
            );
            for f in &d.fixes {
                for e in &f.edits {
                    if e.file == dockward::FileRef::Dockerfile {
                        let r = e.range.as_usize();
                        assert!(r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                    }
                }
            }
        }
    }
}

#[test]
fn every_instruction_range_covers_its_keyword() {
    for (_, text) in fixture_texts() {
        let tree = syntax::parse(&text);
        for (it, ins) in tree.instructions() {
            let kw = it.abs(ins.keyword.range);
            let r = it.abs(ins.range);
            assert!(r.start <= kw.start && kw.end <= r.end);
            let source = &text[kw.as_usize()];
            // A keyword split by a continuation (`FR\` + `OM`) reads differently in the source.
            if !source.contains('\n') {
                assert!(source.eq_ignore_ascii_case(ins.text(&ins.keyword)));
            }
        }
    }
}

#[test]
fn incremental_parse_equals_full_parse_on_fixtures() {
    for (_, text) in fixture_texts() {
        let tree = syntax::parse(&text);
        // Delete each line in turn, then put it back.
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let end = start + line.len();
            let mut shorter = text.clone();
            shorter.replace_range(start..end, "");
            let t1 = tree.edit(
                &shorter,
                Edit {
                    range: TextRange::new(start as u32, end as u32),
                    new_len: 0,
                },
            );
            assert_eq!(t1, syntax::parse(&shorter));
            let t2 = t1.edit(
                &text,
                Edit {
                    range: TextRange::empty(start as u32),
                    new_len: line.len() as u32,
                },
            );
            assert_eq!(t2, tree);
            start = end;
        }
    }
}

#[test]
fn corpus_has_no_syntax_errors() {
    let corpus = root().join("fixtures/corpus");
    let files = dockerfiles(&corpus);
    assert!(
        files.len() >= 915,
        "fixtures/corpus holds the 915 corpus files ({} found)",
        files.len()
    );
    for f in files {
        let text = String::from_utf8_lossy(&fs::read(&f).unwrap()).into_owned();
        let tree = syntax::parse(&text);
        let errs: Vec<_> = tree
            .errors()
            .into_iter()
            .filter(|e| e.kind == ProblemKind::Syntax)
            .collect();
        assert!(errs.is_empty(), "{}: {errs:?}", f.display());
    }
}
