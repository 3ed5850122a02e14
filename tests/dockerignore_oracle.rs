//! Checks the `.dockerignore` parser and matcher against the answers of Docker's own code
//! (`fixtures/oracle/dockerignore-oracle.json`, produced with moby/patternmatcher v0.6.1): every
//! case's reader and matcher error, pattern list, path verdict, lazy match error, and BuildKit walk
//! verdict must agree.

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;

use dockward::syntax::dockerignore::{Matcher, MatcherError, parse};
use serde::Deserialize;

#[derive(Deserialize)]
struct Oracle {
    source: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    dockerignore: String,
    error: Option<String>,
    patterns: Option<Vec<String>>,
    paths: BTreeMap<String, bool>,
    #[serde(default)]
    match_errors: BTreeMap<String, String>,
    #[serde(default)]
    buildkit_walk_differs: BTreeMap<String, bool>,
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

#[test]
fn agrees_with_docker_on_every_oracle_case() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/oracle/dockerignore-oracle.json");
    let json = std::fs::read_to_string(path).expect("oracle fixture");
    let oracle: Oracle = serde_json::from_str(&json).expect("oracle JSON");
    assert!(oracle.source.contains("patternmatcher"), "unexpected oracle source");

    let mut errors = Tally::default();
    let mut pattern_lists = Tally::default();
    let mut paths = Tally::default();
    let mut match_errors = Tally::default();
    let mut walk = Tally::default();
    let mut walk_differs = Tally::default();
    let mut consistency = Tally::default();

    for case in &oracle.cases {
        let name = &case.name;
        let file = parse(&case.dockerignore);

        let got_patterns = file.docker_patterns();
        pattern_lists.check(got_patterns == case.patterns, || {
            format!("[{name}] patterns: got {got_patterns:?}, want {:?}", case.patterns)
        });

        let matcher = Matcher::new(&file);
        let got_error = match &matcher {
            Ok(_) => None,
            Err(MatcherError::Read(e)) => Some(("ReadAll", e.message.clone())),
            Err(MatcherError::Pattern(e)) => Some(("New", e.message.clone())),
        };
        let want_error = case
            .error
            .as_ref()
            .map(|e| (if case.patterns.is_none() { "ReadAll" } else { "New" }, e.clone()));
        errors.check(got_error == want_error, || {
            format!("[{name}] error: got {got_error:?}, want {want_error:?}")
        });

        let Ok(matcher) = matcher else { continue };

        for (p, &want) in &case.paths {
            let got = matcher.matches_or_parent_matches(p);
            paths.check(got == Ok(want), || {
                format!("[{name}] MatchesOrParentMatches({p:?}): got {got:?}, want {want}")
            });

            let want_walk = case.buildkit_walk_differs.get(p).copied().unwrap_or(want);
            let got_walk = matcher.excluded_in_walk(p);
            let tally = if case.buildkit_walk_differs.contains_key(p) {
                &mut walk_differs
            } else {
                &mut walk
            };
            tally.check(got_walk == Ok(want_walk), || {
                format!("[{name}] walk({p:?}): got {got_walk:?}, want {want_walk}")
            });
        }
        for (p, want) in &case.match_errors {
            let got = matcher.matches_or_parent_matches(p);
            let ok = matches!(&got, Err(e) if &e.message == want);
            match_errors.check(ok, || {
                format!("[{name}] MatchesOrParentMatches({p:?}): got {got:?}, want error {want:?}")
            });
        }
        for p in case.buildkit_walk_differs.keys() {
            consistency.check(case.paths.contains_key(p), || {
                format!("[{name}] walk path {p:?} missing from paths")
            });
        }
    }

    let parts = [
        ("error (ReadAll/New)", &errors),
        ("pattern lists", &pattern_lists),
        ("paths (MatchesOrParentMatches)", &paths),
        ("match_errors", &match_errors),
        ("walk, same as paths", &walk),
        ("walk, buildkit_walk_differs", &walk_differs),
        ("fixture consistency", &consistency),
    ];
    let mut all_failures = Vec::new();
    println!("dockerignore oracle: {} cases ({})", oracle.cases.len(), oracle.source);
    for (label, tally) in parts {
        println!("  {label}: {}/{}", tally.checks - tally.failures.len(), tally.checks);
        all_failures.extend(tally.failures.iter().cloned());
    }
    let path_checks = paths.checks + match_errors.checks;
    let path_failures = paths.failures.len() + match_errors.failures.len();
    println!(
        "  path checks (paths + match_errors): {}/{}",
        path_checks - path_failures,
        path_checks
    );
    assert!(
        all_failures.is_empty(),
        "{} disagreement(s) with Docker:\n{}",
        all_failures.len(),
        all_failures.join("\n")
    );
}
