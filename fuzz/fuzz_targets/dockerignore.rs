//! The `.dockerignore` parser and matcher.
//!
//! Input: the first byte chooses the mode.
//! - Even: the rest up to the first `0xFF` byte is an ignore file (UTF-8, lossily), and the rest are
//!   paths separated by `0xFF`. The file is parsed and checked as a document (`check_ignore`, with the
//!   paths as the build context), the matcher is built, and every path goes through Docker's
//!   `MatchesOrParentMatches`, the explanation of it (which must agree), and the simulated BuildKit walk.
//!   Nothing may panic; every diagnostic range must lie in the file.
//! - Odd: the rest drives a generator of patterns and paths of a restricted language, and the matcher
//!   must agree with the independent oracle of `dockward_fuzz::oracle` on every path.

#![no_main]

use dockward::settings::Settings;
use dockward::syntax::dockerignore::{self, Matcher, WalkState};
use dockward::{Context, ContextEntry, EntryKind, IgnoreInput, check_ignore};
use dockward_fuzz::{Bytes, assert_diagnostics, oracle};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    if b.u8() % 2 == 0 {
        arbitrary_file(&mut b);
    } else {
        against_the_oracle(&mut b);
    }
});

fn arbitrary_file(b: &mut Bytes) {
    let text = String::from_utf8_lossy(b.until(0xFF)).into_owned();
    let mut paths: Vec<String> = Vec::new();
    while !b.is_empty() && paths.len() < 64 {
        paths.push(String::from_utf8_lossy(b.until(0xFF)).into_owned());
    }
    let mut entries: Vec<ContextEntry> = paths
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| ContextEntry {
            path: p.clone(),
            kind: if p.ends_with('/') {
                EntryKind::Dir
            } else {
                EntryKind::File
            },
        })
        .collect();
    entries.sort_by(|x, y| x.path.cmp(&y.path));
    let context = Context {
        entries,
        complete: true,
        pruned: Vec::new(),
    };
    let diags = check_ignore(
        &IgnoreInput {
            text: &text,
            context: Some(&context),
        },
        &Settings::default(),
    );
    assert_diagnostics("", Some(&text), &diags);
    let file = dockerignore::parse(&text);
    let Ok(m) = Matcher::new(&file) else { return };
    for p in &paths {
        let plain = m.matches_or_parent_matches(p);
        let explained = m.explain(p);
        match (plain, explained) {
            (Ok(x), Ok(e)) => assert_eq!(x, e.excluded, "explain disagrees on {p:?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("matching and explaining {p:?} disagree on failing"),
        }
        let _ = m.excluded_in_walk(p);
        let _ = m.explain_walk(p);
        let _ = m.walk_entry(p, p.ends_with('/'), &WalkState::root());
    }
}

fn against_the_oracle(b: &mut Bytes) {
    let n = 1 + usize::from(b.u8() % 6);
    let patterns: Vec<oracle::Pattern> = (0..n).map(|_| oracle::gen_pattern(b)).collect();
    let lines: Vec<String> = patterns.iter().map(oracle::Pattern::line).collect();
    let m = Matcher::from_patterns(&lines).expect("the restricted patterns are valid");
    for _ in 0..16 {
        let path = oracle::gen_path(b);
        let ours = m.matches_or_parent_matches(&path).expect("matching a valid pattern");
        let theirs = oracle::excluded(&patterns, &path);
        assert_eq!(ours, theirs, "patterns {lines:?} on path {path:?}");
        if b.is_empty() {
            break;
        }
    }
}
