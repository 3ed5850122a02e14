//! Property test of incremental reparsing: after every edit of a random edit script,
//! `tree.edit(new_text, edit)`, and on every other step also `tree.apply_edit(new_text, edit)` (the
//! same edit in place, as the language server does it), must equal `parse(new_text)` exactly (the
//! tree type implements `PartialEq`, item sharing aside). Scripts are deterministic (a fixed-seed xorshift PRNG) and mix
//! random deletions and replacements with syntax-significant insertions: continuations, newlines,
//! CRLF and lone CR, heredoc markers and terminators, parser directives, suppression comments, quotes,
//! `$`, JSON brackets, multi-byte characters, a BOM, text copied from elsewhere in the file.
//!
//! Sizes (tuned for debug builds, the CI's profile: about 10 s on one core): 6,000 scripts of 5
//! edits on the syntax fixtures, 5,000 scripts of 4 edits on line-aligned windows (at most 2 KiB) of
//! corpus files, and one 3-edit script on every whole corpus file: 11,915 scripts, 52,745 edits.
//! `DOCKWARD_INCREMENTAL_SCALE` and `DOCKWARD_INCREMENTAL_SEED` run more, or other, scripts by hand.

#![allow(clippy::print_stdout)]

mod support;

use dockward::syntax::{Dockerfile, Edit, dump::dump, parse};
use dockward::text::TextRange;
use support::{Rng, floor_boundary};

const FIXTURE_SCRIPTS: usize = 6_000;
const FIXTURE_EDITS: usize = 5;
const CORPUS_WINDOW_SCRIPTS: usize = 5_000;
const CORPUS_WINDOW_EDITS: usize = 4;
const WINDOW: usize = 2_048;
const CORPUS_FILE_EDITS: usize = 3;

/// Insertions that change how Docker reads the lines around them.
const SIGNIFICANT: &[&str] = &[
    "\\",
    "\\\n",
    "\\ \n",
    "\\\\\n",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "<<EOF\n",
    "<<-EOF\n",
    "<<'EOF'\n",
    " <<EOF <<EOT\n",
    "EOF\n",
    "\tEOF\n",
    "EOT\n",
    "EOF",
    "RUN <<EOF\nbody\n",
    "COPY <<A /a\nA\n",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "# check=skip=all\n",
    "#",
    "# comment\n",
    "# hadolint ignore=DL3008\n",
    "# dockward global ignore=DW101\n",
    "`",
    "`\n",
    "\"",
    "'",
    "$",
    "${",
    "}",
    "${x:-y}",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "--mount=type=cache,target=/x ",
    "-- ",
    "=",
    " ",
    "\t",
    "é",
    "日本語",
    "🐳",
    "\u{feff}",
    "\u{a0}",
    "RUN x\n",
    "FROM a\n",
    "ONBUILD ",
    "HEALTHCHECK CMD ",
    "ENV a=b ",
];

/// A random edit of `text`: the byte range it replaces and the new text.
fn random_edit(rng: &mut Rng, text: &str, last: Option<usize>) -> (usize, usize, String) {
    let len = text.len();
    // Where: anywhere, at a line start or end, or near the previous edit.
    let pos = match rng.below(4) {
        0 | 1 => rng.below(len + 1),
        2 => {
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + rng.below(2)))
                .collect();
            starts[rng.below(starts.len())].min(len)
        }
        _ => {
            let l = last.unwrap_or(0);
            (l + rng.below(9)).saturating_sub(4).min(len)
        }
    };
    let a = floor_boundary(text, pos);
    let del = match rng.below(5) {
        0 | 1 => 0,
        2 | 3 => rng.below(8),
        _ => rng.below(64),
    };
    let b = floor_boundary(text, (a + del).min(len));
    let insert = match rng.below(6) {
        0 => String::new(),
        1 => {
            // A chunk of the text itself (realistic tokens).
            let s = floor_boundary(text, rng.below(len + 1));
            let e = floor_boundary(text, (s + rng.below(24)).min(len));
            text[s..e].to_string()
        }
        2 => {
            let mut s = String::new();
            for _ in 0..1 + rng.below(3) {
                s.push_str(SIGNIFICANT[rng.below(SIGNIFICANT.len())]);
            }
            s
        }
        _ => SIGNIFICANT[rng.below(SIGNIFICANT.len())].to_string(),
    };
    (a, b, insert)
}

struct Runner {
    scripts: usize,
    edits: usize,
    failures: Vec<String>,
}

impl Runner {
    fn script(&mut self, name: &str, seed: u64, text: &str, edits: usize) {
        self.scripts += 1;
        let mut rng = Rng::new(seed);
        let mut text = text.to_string();
        let mut tree = parse(&text);
        let mut last = None;
        for step in 0..edits {
            let (a, b, insert) = random_edit(&mut rng, &text, last);
            let mut new = text.clone();
            new.replace_range(a..b, &insert);
            let edit = Edit {
                range: TextRange::new(a as u32, b as u32),
                new_len: insert.len() as u32,
            };
            let inc = tree.edit(&new, edit);
            // The same edit in place (what the language server does), on every other step, so that
            // chains of both kinds of edits are compared.
            let in_place = (step % 2 == 1).then(|| {
                let mut t = tree.clone();
                t.apply_edit(&new, edit);
                t
            });
            let full = parse(&new);
            self.edits += 1;
            for got in std::iter::once(&inc).chain(in_place.as_ref()) {
                if *got != full {
                    self.failures
                        .push(describe(name, seed, step, &text, a, b, &insert, &new, got, &full));
                    return;
                }
            }
            last = Some(a + insert.len());
            text = new;
            tree = in_place.unwrap_or(inc);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn describe(
    name: &str,
    seed: u64,
    step: usize,
    old: &str,
    a: usize,
    b: usize,
    insert: &str,
    new: &str,
    inc: &Dockerfile,
    full: &Dockerfile,
) -> String {
    let (di, df) = (dump(inc, new), dump(full, new));
    let first_diff: Vec<(&str, &str)> = di.lines().zip(df.lines()).filter(|(x, y)| x != y).take(3).collect();
    format!(
        "{name} seed {seed:#x} step {step}: replace {a}..{b} ({:?}) with {insert:?}\n  old text: {old:?}\n  \
         first dump differences (incremental, full): {first_diff:?}\n  items (start, len, lookahead): \
         incremental {:?}\n  full {:?}",
        &old[a..b],
        inc.items()
            .map(|i| (i.start, i.node.len, i.node.lookahead))
            .collect::<Vec<_>>(),
        full.items()
            .map(|i| (i.start, i.node.len, i.node.lookahead))
            .collect::<Vec<_>>(),
    )
}

/// A line-aligned window of at most `WINDOW` bytes of `text`.
fn window(rng: &mut Rng, text: &str) -> String {
    if text.len() <= WINDOW {
        return text.to_string();
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect();
    let s = starts[rng.below(starts.len())];
    let mut e = floor_boundary(text, (s + WINDOW).min(text.len()));
    if let Some(nl) = text[s..e].rfind('\n') {
        e = s + nl + 1;
    }
    text[s..e].to_string()
}

#[test]
fn incremental_equals_full_reparse() {
    let started = std::time::Instant::now();
    let fixtures = support::syntax_fixtures();
    let corpus = support::corpus();
    let mut r = Runner {
        scripts: 0,
        edits: 0,
        failures: Vec::new(),
    };
    // Deeper runs by hand: DOCKWARD_INCREMENTAL_SCALE=50 DOCKWARD_INCREMENTAL_SEED=7 cargo test --release --test incremental
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let scale = env("DOCKWARD_INCREMENTAL_SCALE").unwrap_or(1) as usize;
    let mut rng = Rng::new(env("DOCKWARD_INCREMENTAL_SEED").unwrap_or(0x5EED_1DEA_2026_1128));
    for k in 0..FIXTURE_SCRIPTS * scale {
        let f = &fixtures[k % fixtures.len()];
        r.script(&f.name, rng.next_u64(), &f.text, FIXTURE_EDITS);
    }
    let fixture_edits = r.edits;
    let t_fixtures = started.elapsed();
    for k in 0..CORPUS_WINDOW_SCRIPTS * scale {
        let f = &corpus[(k * 7919) % corpus.len()];
        let w = window(&mut rng, &f.text);
        r.script(&format!("{} (window)", f.name), rng.next_u64(), &w, CORPUS_WINDOW_EDITS);
    }
    let t_windows = started.elapsed();
    for f in corpus.iter().cycle().take(corpus.len() * scale) {
        r.script(&f.name, rng.next_u64(), &f.text, CORPUS_FILE_EDITS);
    }
    println!("phases: fixtures {t_fixtures:.1?}, corpus windows until {t_windows:.1?}");
    println!(
        "incremental: {} scripts, {} edits ({} on fixtures), {} mismatches, {:.1?}",
        r.scripts,
        r.edits,
        fixture_edits,
        r.failures.len(),
        started.elapsed()
    );
    for f in r.failures.iter().take(5) {
        println!("MISMATCH {f}");
    }
    assert!(r.scripts >= 10_000);
    assert!(
        r.failures.is_empty(),
        "{} scripts diverged from a full parse",
        r.failures.len()
    );
}

/// Reuse really happens: after an edit far from the start of a long file, the items before and after
/// the edit are the old nodes (shared, not copies).
#[test]
fn edits_reuse_items() {
    let corpus = support::corpus();
    let f = corpus.iter().max_by_key(|f| f.text.len()).expect("corpus");
    let old = parse(&f.text);
    let n = old.items.len();
    assert!(n > 20, "{}: {n} items", f.name);

    // Type a character into the arguments of an instruction in the last quarter of the file.
    let (k, it) = old
        .items()
        .enumerate()
        .skip(n * 3 / 4)
        .find(|(_, it)| it.instruction().is_some_and(|i| i.args_span.lo < i.args_span.hi))
        .expect("an instruction with arguments");
    let i = it.instruction().expect("instruction");
    let at = it.abs(i.args_span.range).start as usize;
    let mut text = f.text.clone();
    text.insert(at, 'x');
    let edit = Edit {
        range: TextRange::new(at as u32, at as u32),
        new_len: 1,
    };
    let new = old.edit(&text, edit);
    assert_eq!(new, parse(&text));
    let shared = (0..n).filter(|&j| new.shares_item(j, &old, j)).count();
    println!("{}: {n} items, {shared} shared after an edit in item {k}", f.name);
    assert!(new.shares_item(0, &old, 0), "the first item is reused");
    assert!(
        (0..k).all(|j| new.shares_item(j, &old, j)),
        "every item before the edited one is reused"
    );
    assert!(
        (k + 1..n).all(|j| new.shares_item(j, &old, j)),
        "every item after the edited one is reused (moved)"
    );
    assert!(!new.shares_item(k, &old, k), "the edited item is new");

    // An edit near the start (after the directives) keeps the tail.
    let first = old.instructions().nth(1).expect("two instructions").0;
    let at = first.start as usize;
    let mut text = f.text.clone();
    text.insert_str(at, "# new comment\n");
    let new = old.edit(
        &text,
        Edit {
            range: TextRange::new(at as u32, at as u32),
            new_len: 14,
        },
    );
    assert_eq!(new, parse(&text));
    let tail_shared = (first.index..n).filter(|&j| new.shares_item(j + 1, &old, j)).count();
    assert_eq!(
        tail_shared,
        n - first.index,
        "the items after an inserted line are reused"
    );
}

/// What the language server keeps between edits never changes an answer: a check answered from the memo
/// tables (instruction findings by instruction text, parsed RUN scripts, tag answers, ignore-pattern
/// regexps), on a tree updated by `Dockerfile::edit`, equals a fresh check of a fresh parse with every memo
/// bypassed. The memo is first warmed with every corpus and rule fixture file, so that the same instruction
/// text is answered in other files, at other offsets, under other ARGs, stages and users.
#[test]
fn memoised_checks_equal_fresh_checks() {
    use dockward::date::Date;
    use dockward::settings::Settings;
    use dockward::{Input, check, check_tree, memo};
    let today = Date::new(2026, 11, 28);
    // Every third corpus file (sizes for debug builds: about 2,000 checks), every syntax and rule fixture.
    let mut files: Vec<support::TestFile> = support::corpus().into_iter().step_by(3).collect();
    files.extend(support::syntax_fixtures());
    let mut rules = Vec::new();
    let dir = std::path::Path::new(support::ROOT).join("fixtures/rules");
    for d in std::fs::read_dir(&dir).expect("fixtures/rules") {
        for f in std::fs::read_dir(d.expect("entry").path()).expect("rule folder") {
            let p = f.expect("entry").path();
            if let Ok(text) = std::fs::read_to_string(&p) {
                rules.push(support::TestFile {
                    name: p.display().to_string(),
                    text,
                });
            }
        }
    }
    files.extend(rules);
    let settings = [
        Settings::default(),
        Settings {
            select: Some(vec!["ALL".into()]),
            locale: dockward::messages::Locale::Ja,
            ..Settings::default()
        },
    ];
    for (k, f) in files.iter().enumerate() {
        check(&Input::new(&f.text, today), &settings[k % 2]);
        check(&Input::new(&f.text, today), &settings[(k + 1) % 2]);
    }
    let mut compared = 0;
    for (k, f) in files.iter().enumerate() {
        let s = &settings[k % 2];
        let warm = check(&Input::new(&f.text, today), s);
        let fresh = memo::bypassed(|| check(&Input::new(&f.text, today), s));
        assert_eq!(warm, fresh, "{}: memoised and fresh checks differ", f.name);
        compared += 1;
        // A few edits on a third of the files: the incremental tree, checked with warm memos.
        if k % 3 != 0 {
            continue;
        }
        let mut rng = Rng::new(k as u64 ^ 0xC0FF_EE00);
        let mut text = f.text.clone();
        let mut tree = parse(&text);
        for _ in 0..3 {
            let (a, b, insert) = random_edit(&mut rng, &text, None);
            let mut new = text.clone();
            new.replace_range(a..b, &insert);
            let edit = Edit {
                range: TextRange::new(a as u32, b as u32),
                new_len: insert.len() as u32,
            };
            tree = tree.edit(&new, edit);
            text = new;
            let warm = check_tree(&tree, &Input::new(&text, today), s);
            let fresh = memo::bypassed(|| check(&Input::new(&text, today), s));
            assert_eq!(warm, fresh, "{} after an edit at {a}..{b} ({insert:?})", f.name);
            compared += 1;
        }
    }
    assert!(compared > 1_000, "{compared} comparisons");
}

/// Every rule fixture Dockerfile, with its text.
fn rule_fixture_dockerfiles() -> Vec<(std::path::PathBuf, String)> {
    let dir = std::path::Path::new(support::ROOT).join("fixtures/rules");
    let mut out = Vec::new();
    for d in std::fs::read_dir(&dir).expect("fixtures/rules") {
        for f in std::fs::read_dir(d.expect("entry").path()).expect("rule folder") {
            let p = f.expect("entry").path();
            if !p.to_string_lossy().ends_with("Dockerfile") {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((p, text));
            }
        }
    }
    out
}

/// The offset of every line start of `text` (not the end of the text).
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect()
}

/// `lines` inserted into `text` at byte `at`, checked right after `text` was, and `text` checked right
/// after the edited text was, each against a fresh check with every memo bypassed. The comparisons made.
fn inserted_both_ways(
    text: &str,
    at: usize,
    lines: &str,
    settings: &dockward::settings::Settings,
    file: &std::path::Path,
) -> usize {
    use dockward::{Input, check, memo};
    let today = dockward::date::Date::new(2026, 11, 28);
    let mut edited = text.to_string();
    edited.insert_str(at, lines);
    for (before, after) in [(text, edited.as_str()), (edited.as_str(), text)] {
        check(&Input::new(before, today), settings);
        let warm = check(&Input::new(after, today), settings);
        let fresh = memo::bypassed(|| check(&Input::new(after, today), settings));
        assert_eq!(warm, fresh, "{}: {lines:?} at byte {at}", file.display());
    }
    2
}

/// A memoised finding moves with the item it lies in, so nothing in it may depend on where other items
/// are: lines that no rule reads (a comment, blank lines) inserted between two instructions leave every
/// read set's fingerprint unchanged and must still give the fresh answer. Found this way: DW204 once
/// named the line of the deleting RUN in its message, which went stale; its fold fix, refused while a
/// comment lay between the two RUNs, stayed refused from the memo once the comment was gone; DW201's
/// fix, which removes the ARG only when no other instruction mentions it, kept the removal from the
/// memo after a LABEL that mentions it was added. Every rule fixture, with a comment and blank lines,
/// an instruction few rules read, a LABEL that mentions every build argument, an ENV that gives each
/// another value, or a USER inserted at every line start, checked after the unmodified file warmed the
/// memo and the other way round.
#[test]
fn lines_no_rule_reads_never_make_memoised_findings_stale() {
    use dockward::settings::Settings;
    let settings = Settings {
        select: Some(vec!["ALL".into()]),
        ..Settings::default()
    };
    let mut compared = 0;
    for (p, text) in rule_fixture_dockerfiles() {
        let starts = line_starts(&text);
        let args: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("ARG "))
            .filter_map(|rest| rest.split(['=', ' ']).next())
            .collect();
        // An instruction few rules read, and one that mentions every build argument of the file (a
        // rule may look at every use of a variable to decide a fix).
        let mentions: String = args.iter().map(|name| format!(" ${{{name}}}")).collect();
        let label = format!("LABEL uses=\"{mentions}\"\n");
        // An ENV that gives every build argument another value (an image reference written with one
        // then names another image), and a USER: the image rules do not declare that they read either.
        let names: String = args.iter().map(|name| format!(" {name}=busybox:latest")).collect();
        let env = if names.is_empty() {
            "ENV PATH=/opt/bin:$PATH\n".to_string()
        } else {
            format!("ENV{names}\n")
        };
        for &at in &starts {
            for lines in [
                "# a note\n\n\n",
                "EXPOSE 8080\n",
                label.as_str(),
                env.as_str(),
                "USER nobody\n",
            ] {
                // Both ways: the lines inserted after the file warmed the memo, and taken out again
                // after the edited file did (a fix refused because of the lines must come back).
                compared += inserted_both_ways(&text, at, lines, &settings, &p);
            }
        }
    }
    assert!(compared > 500, "{compared} comparisons");
}

/// The per-stage rules (`Rule::per_stage`) answer each stage whose key did not change from their last
/// check, so everything a stage's findings depend on must be in its key. Every rule fixture with two or
/// more stages, with a line inserted at every line start that changes the user, the variables, the
/// working directory, the shell or the commands of one stage, or adds a stage (also after the last line), checked right after the unmodified
/// file (every other stage is then answered from that check) and the other way round, against fresh
/// checks that run every rule on the whole file; then 20 keystrokes typed at the end of each line, each
/// checked after the one before. No rule may report outside the stage it runs on.
#[test]
fn stages_answered_from_the_last_check_equal_fresh_checks() {
    use dockward::rules::per_stage;
    use dockward::{Input, check, memo};
    let (today, settings) = every_rule();
    let before = per_stage::counts();
    let mut compared = 0;
    let lines = [
        "USER root\n",
        "USER 1000\n",
        "ENV DOCKER_HOST=tcp://docker:2376 DOCKER_TLS_VERIFY=1 HOME=/root\n",
        "ARG NPM_TOKEN=abc\n",
        "WORKDIR /root\n",
        "SHELL [\"/bin/bash\", \"-c\"]\n",
        "RUN echo \"$NPM_TOKEN\" > /root/.npmrc && sudo rm -f /root/.npmrc id_rsa && curl -k https://x.test/i | sh\n",
        "FROM busybox:1.36 AS extra\n",
        // Copied by name, `.git` and `.env` are no longer asked for by DW301 in any stage.
        "COPY .git .env /src/\n",
    ];
    // Besides the fixtures: a builder stage whose findings say whether the final stage is built on it
    // (typing at the end of `FROM build` makes it a stage the final image does not contain), and a stage
    // whose findings depend on the stage it is built on (typing there turns TLS on; a USER inserted there
    // changes who runs `sudo`).
    let written = [
        (
            "builder",
            "FROM alpine:3.20 AS build\nRUN echo \"$TOKEN\" > /root/.netrc\nRUN rm /root/.netrc\nFROM build\nUSER nobody\n",
        ),
        (
            "chain",
            "FROM docker:27 AS base\nENV DOCKER_TLS_VERIFY=\nFROM base\nENV DOCKER_HOST=tcp://docker:2376\nRUN sudo apt-get update\nUSER nobody\n",
        ),
    ];
    let files = written
        .iter()
        .map(|(name, text)| (std::path::PathBuf::from(format!("{name}/Dockerfile")), text.to_string()))
        .chain(rule_fixture_dockerfiles());
    for (p, text) in files {
        let stages = text
            .lines()
            .filter(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
            .count();
        if stages < 2 {
            continue;
        }
        let mut starts = line_starts(&text);
        // And after the last line: a stage added there leaves the others' items as they were, but the
        // one before it is no longer the last (nor, maybe, one the final stage is built on).
        starts.extend(text.ends_with('\n').then_some(text.len()));
        for &at in &starts {
            for line in lines {
                compared += inserted_both_ways(&text, at, line, &settings, &p);
            }
        }
        // Typing at the end of each line: every keystroke a text no check has seen.
        let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
        for &end in &ends {
            let mut typed = text.clone();
            check(&Input::new(&typed, today), &settings);
            for k in 0..20 {
                typed.insert(end + k, ['x', ' ', '$', 'A', '/'][k % 5]);
                let warm = check(&Input::new(&typed, today), &settings);
                let fresh = memo::bypassed(|| check(&Input::new(&typed, today), &settings));
                assert_eq!(
                    warm,
                    fresh,
                    "{}: typing at byte {end}: {:?}",
                    p.display(),
                    &typed[..end + k + 1]
                );
                compared += 1;
            }
        }
    }
    let after = per_stage::counts();
    assert!(compared > 5_000, "{compared} comparisons");
    assert_eq!(
        after.fell_back, before.fell_back,
        "a per-stage rule reported outside its stage"
    );
    assert!(
        after.answered - before.answered > 10_000,
        "stages answered from the last check: {}",
        after.answered - before.answered
    );
}

/// The date and settings of the per-stage tests: every rule enabled.
fn every_rule() -> (dockward::date::Date, dockward::settings::Settings) {
    let settings = dockward::settings::Settings {
        select: Some(vec!["ALL".into()]),
        ..Default::default()
    };
    (dockward::date::Date::new(2026, 11, 28), settings)
}

/// The image rules are answered stage by stage, and a stage's `FROM $BASE` is reported on the value of the
/// global `ARG BASE=...` it expands to, before the first `FROM`. Such a finding belongs to its stage: when
/// the first check of a file with many stages runs a rule once on the whole file and splits its findings
/// into the parts, the part of the items before the first `FROM` must not keep it (that part is run again
/// when any image line changes, and reports nothing of its own), nor may a stage (it keeps only findings
/// on its own lines). Then keystrokes in another stage's `FROM`, each checked against a fresh check.
#[test]
fn image_findings_on_a_global_arg_stay_with_their_stage() {
    use dockward::rules::per_stage;
    use dockward::{Input, check, memo};
    let (today, settings) = every_rule();
    let mut text = String::from("ARG BASE=node:latest\nFROM $BASE AS s0\nRUN true\n");
    for i in 1..90 {
        text.push_str(&format!("FROM alpine:3.20 AS s{i}\nCOPY --from=s{} /a /a\n", i - 1));
    }
    let first = check(&Input::new(&text, today), &settings);
    let on_arg = |ds: &[dockward::Diagnostic]| ds.iter().filter(|d| d.code == "DW103" && d.range.start < 20).count();
    assert_eq!(
        on_arg(&first),
        1,
        "DW103 reports `latest` on the ARG's value: {first:#?}"
    );
    let before = per_stage::counts();
    let at = text.find("alpine:3.20 AS s40").expect("stage 40") + "alpine:3.20".len();
    for (k, c) in "-x1".chars().enumerate() {
        text.insert(at + k, c);
        let warm = check(&Input::new(&text, today), &settings);
        let fresh = memo::bypassed(|| check(&Input::new(&text, today), &settings));
        assert_eq!(warm, fresh, "typing {c:?} in stage 40's FROM");
        assert_eq!(on_arg(&warm), 1);
    }
    let after = per_stage::counts();
    assert_eq!(after.fell_back, before.fell_back);
    assert!(
        after.answered - before.answered > 1_000,
        "stages answered from the last check"
    );
}

/// A file with more stages than a check runs one by one: the first check runs each per-stage rule once on
/// the whole file and keeps its findings stage by stage, except those that depend on items the rule does
/// not read (DW201's ARG removal, DW204's fold fix), whose stages are run again next time. Then keystrokes
/// in a few stages, each checked against a fresh check.
#[test]
fn a_file_of_many_stages_is_split_into_stages_after_one_whole_run() {
    use dockward::rules::per_stage;
    use dockward::{Input, check, memo};
    let (today, settings) = every_rule();
    let mut text = String::from("ARG NPM_TOKEN=abc\n");
    for i in 0..90 {
        text.push_str(&match i % 3 {
            0 => format!(
                "FROM alpine:3.20 AS s{i}\nARG GITHUB_TOKEN\nRUN echo \"$GITHUB_TOKEN\" > /root/.netrc\nRUN rm /root/.netrc\nWORKDIR app\n"
            ),
            1 => format!("FROM s{} AS s{i}\nRUN sudo apk add curl && curl -k https://x.test/a\nENV A=$UNDEFINED\n", i - 1),
            _ => format!("FROM s{} AS s{i}\nUSER 1000\nRUN sudo true\nCMD run\n", i - 1),
        });
    }
    check(&Input::new(&text, today), &settings);
    let before = per_stage::counts();
    let mut compared = 0;
    // A LABEL that mentions a stage's secret build argument: DW201 reads no LABEL, but its fix then keeps
    // the ARG; that stage's finding was not kept by the whole run, so it is computed again. And a comment
    // between two RUNs of another stage, which refuses DW204's fold fix.
    let at = text
        .match_indices("ARG GITHUB_TOKEN\n")
        .nth(2)
        .map(|(i, s)| i + s.len())
        .expect("a third stage");
    text.insert_str(at, "LABEL from=$GITHUB_TOKEN\n");
    let at = text
        .match_indices("RUN rm /root/.netrc\n")
        .nth(4)
        .map(|(i, _)| i)
        .expect("a fifth stage");
    text.insert_str(at, "# note\n");
    let warm = check(&Input::new(&text, today), &settings);
    let fresh = memo::bypassed(|| check(&Input::new(&text, today), &settings));
    assert_eq!(warm, fresh, "a LABEL and a comment inserted");
    let mut rng = Rng::new(7);
    for _ in 0..12 {
        // A line of a random stage, and 4 keystrokes at its end.
        let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
        let end = ends[rng.below(ends.len())];
        for k in 0..4 {
            text.insert(end + k, ['x', '$', ' ', '1'][k]);
            let warm = check(&Input::new(&text, today), &settings);
            let fresh = memo::bypassed(|| check(&Input::new(&text, today), &settings));
            assert_eq!(warm, fresh, "typing at byte {end}: {:?}", &text[..end + k + 1]);
            compared += 1;
        }
    }
    let after = per_stage::counts();
    assert_eq!(compared, 48);
    let _ = &mut compared;
    assert_eq!(after.fell_back, before.fell_back);
    // 15 per-stage rules, 91 parts, 48 checks: most parts of most rules answered from the last check.
    assert!(
        after.answered - before.answered > 30_000,
        "answered {} ran {}",
        after.answered - before.answered,
        after.ran - before.ran
    );
}

/// Listings of a build context for [`only_the_rules_that_declare_it_read_the_build_context`]: empty, then
/// with what the context rules look for (keys, `.env` files, `.git`, the paths `text` copies), then
/// unfinished and pruned. Entries sorted by path, as a scan gives them.
fn listings(text: &str) -> Vec<dockward::Context> {
    use dockward::{ContextEntry, EntryKind};
    let mut paths: Vec<(String, EntryKind)> = [
        (".env", EntryKind::File),
        (".env.local", EntryKind::File),
        (".git", EntryKind::Dir),
        (".git/config", EntryKind::File),
        ("id_rsa", EntryKind::File),
        ("node_modules", EntryKind::Dir),
        ("node_modules/a/index.js", EntryKind::File),
        ("secrets", EntryKind::Dir),
        ("secrets/server.key", EntryKind::File),
        ("src", EntryKind::Dir),
        ("src/app.js", EntryKind::File),
        ("package.json", EntryKind::File),
        ("tsconfig.json", EntryKind::File),
        ("README.md", EntryKind::File),
        ("dist", EntryKind::Dir),
        ("dist/app.js", EntryKind::File),
    ]
    .into_iter()
    .map(|(p, k)| (p.to_string(), k))
    .collect();
    // The sources the file copies from the context (words of COPY and ADD lines that are not flags,
    // but the destination), as files.
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("COPY") || w.eq_ignore_ascii_case("ADD"))
        {
            let sources: Vec<&str> = words[1..].iter().copied().filter(|w| !w.starts_with("--")).collect();
            for s in sources.iter().take(sources.len().saturating_sub(1)) {
                let s = s.trim_start_matches("./").trim_end_matches('/');
                if !s.is_empty() && !s.contains(['*', '?', '[', '$', '"', '\'']) && s != "." {
                    paths.push((s.to_string(), EntryKind::File));
                }
            }
        }
    }
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    paths.dedup_by(|a, b| a.0 == b.0);
    let entries: Vec<ContextEntry> = paths
        .into_iter()
        .map(|(path, kind)| ContextEntry { path, kind })
        .collect();
    let full = dockward::Context {
        entries: entries.clone(),
        complete: true,
        pruned: Vec::new(),
    };
    vec![
        dockward::Context {
            entries: Vec::new(),
            complete: true,
            pruned: Vec::new(),
        },
        full.clone(),
        dockward::Context {
            complete: false,
            ..full.clone()
        },
        dockward::Context {
            pruned: vec!["node_modules".into()],
            ..full
        },
    ]
}

/// `text` as a check's input on `today` with the ignore file `ignore` and the context listing `context`.
fn with_listing<'a>(
    text: &'a str,
    today: dockward::date::Date,
    ignore: Option<&'a str>,
    context: Option<&'a dockward::Context>,
) -> dockward::Input<'a> {
    let mut input = dockward::Input::new(text, today);
    input.ignore_file = ignore;
    input.context = context;
    input
}

/// Only the rules that declare it read the build context's listing (`Rule::reads_context`): the other
/// rules' memoised findings are not keyed on it, so that when the language server's scan of the context
/// lands, or a file in it changes, they are answered from their memos. Every rule fixture Dockerfile is
/// checked with every rule, with no listing and with each listing of [`listings`], without an ignore file
/// and with one that excludes some of the listed paths. Each memoised rule that does not declare it (and
/// each instruction rule) finds the same with all of them. And each check made right after the same file
/// was checked with another listing equals a fresh check.
#[test]
fn only_the_rules_that_declare_it_read_the_build_context() {
    use dockward::rules::{Check, RULES};
    use dockward::{check, memo};
    let (today, settings) = every_rule();
    let listing_free: Vec<&str> = RULES
        .iter()
        .filter(|r| match r.check {
            Check::Dockerfile(_) => r.reads.is_some() && !r.reads_context,
            Check::Instruction(_) => true,
            Check::IgnoreFile(_) => false,
        })
        .map(|r| r.code)
        .collect();
    assert!(RULES.iter().any(|r| r.reads_context) && listing_free.len() > 20);
    let (mut compared, mut differ) = (0, 0);
    let ignore_file = "node_modules\n*.json\n!package.json\n.env*\n*.md\ndist/\nsecrets\n";
    for (p, text) in rule_fixture_dockerfiles() {
        let listings = listings(&text);
        for ignore in [None, Some(ignore_file)] {
            let with = |context| with_listing(&text, today, ignore, context);
            let without = memo::bypassed(|| check(&with(None), &settings));
            let mine = |ds: &[dockward::Diagnostic]| -> Vec<dockward::Diagnostic> {
                ds.iter().filter(|d| listing_free.contains(&d.code)).cloned().collect()
            };
            let mut previous = None;
            for listing in &listings {
                // Warm: right after the check with the listing before (or none).
                check(&with(previous), &settings);
                let warm = check(&with(Some(listing)), &settings);
                let fresh = memo::bypassed(|| check(&with(Some(listing)), &settings));
                assert_eq!(
                    warm,
                    fresh,
                    "{}: memoised and fresh checks differ after a new listing",
                    p.display()
                );
                assert_eq!(
                    mine(&fresh),
                    mine(&without),
                    "{}: a rule that does not declare `reads_context` found otherwise with a listing",
                    p.display()
                );
                differ += usize::from(fresh != without);
                compared += 1;
                previous = Some(listing);
            }
        }
    }
    assert!(compared > 200, "{compared} comparisons");
    // The listings matter to the rules that read them.
    assert!(differ > 10, "only {differ} checks found otherwise with a listing");
}

/// A memoised check equals a fresh one after whatever *other* files this process checked before: the
/// memos are process-wide (the per-stage table per thread), and the language server checks every open
/// file. A seeded walk of line edits around a corpus file of many stages (the one the fuzz target's input
/// came from), with lines that reuse stage names and copy from the context and from other stages, each
/// step checked memoised against fresh. Such a walk found three keys
/// of the per-stage memo that two different files shared (a stage's chain of bases, part 0, items swapped
/// between a stage and its base; `rules/per_stage.rs`), which the fuzz target had met once in 186,047
/// inputs. On the code before those fixes this walk fails at step 1,795; the third bug took longer walks
/// (98,458 steps), and its unit test guards it.
#[test]
fn memoised_checks_after_other_files_equal_fresh_checks() {
    use dockward::date::Date;
    use dockward::settings::Settings;
    use dockward::{Input, check, memo};
    // The corpus file the fuzz target's input came from.
    let path = std::path::Path::new(support::ROOT)
        .join("fixtures/corpus/docker+awesome-compose/react-java-mysql/frontend/Dockerfile");
    let start_text = std::fs::read_to_string(&path).expect("the corpus file");
    const LINES: [&str; 12] = [
        "USER app\n",
        "ARG X=1\n",
        "ENV A=b\n",
        "COPY --from=build /a /b\n",
        "COPY . .\n",
        "RUN echo\n",
        "\n",
        "# c\n",
        "WORKDIR /w\n",
        "SHELL [\"/bin/bash\", \"-c\"]\n",
        "FROM development AS build\n",
        "FROM node:lts AS development\n",
    ];
    let today = Date::new(2026, 11, 28);
    let start: Vec<String> = start_text.split_inclusive('\n').map(str::to_string).collect();
    let mut rng = Rng::new(WALK_SEED);
    let mut lines = start.clone();
    // Sized for debug builds; the walks that found the bugs ran 200,000 steps in release.
    for step in 0..WALK_STEPS {
        if step % 30 == 0 {
            lines = start.clone();
        }
        let n = lines.len().max(1);
        match rng.below(6) {
            0 if lines.len() > 1 => {
                lines.remove(rng.below(n));
            }
            1 => {
                let line = lines[rng.below(n)].clone();
                lines.insert(rng.below(n), line);
            }
            2 => {
                let (i, j) = (rng.below(n), rng.below(n));
                lines.swap(i, j);
            }
            3 => {
                let line = &mut lines[rng.below(n)];
                let at = floor_boundary(line, rng.below(line.len().max(1)));
                line.insert(at, ['x', '-', ' ', 'A', '#', '$'][rng.below(6)]);
            }
            _ => lines.insert(rng.below(n), LINES[rng.below(LINES.len())].to_string()),
        }
        let text = lines.concat();
        let input = Input::new(&text, today);
        let warm = check(&input, &Settings::default());
        let fresh = memo::bypassed(|| check(&input, &Settings::default()));
        assert_eq!(warm, fresh, "step {step}: memoised and fresh checks differ on {text:?}");
    }
}

/// The walk's seed and length ([`memoised_checks_after_other_files_equal_fresh_checks`]).
const WALK_SEED: u64 = 0x5741_4C4B;
const WALK_STEPS: usize = 2_500;

/// `offset` of the text before an edit of `start..end` (which inserted `delta` more bytes than it
/// removed), in the text after it; `None` inside or at the edges of the edited bytes, which no finding
/// may touch after a quiet edit.
fn moved_offset(offset: u32, start: u32, end: u32, delta: i64) -> Option<u32> {
    if offset < start {
        Some(offset)
    } else if offset > end {
        u32::try_from(i64::from(offset) + delta).ok()
    } else {
        None
    }
}

/// `d` with every range in the Dockerfile moved by the edit (see [`moved_offset`]).
fn moved_diagnostic(d: &dockward::Diagnostic, start: u32, end: u32, delta: i64) -> Option<dockward::Diagnostic> {
    use dockward::diagnostic::FileRef;
    let range = |r: TextRange, file: &FileRef| -> Option<TextRange> {
        if *file != FileRef::Dockerfile {
            return Some(r);
        }
        Some(TextRange::new(
            moved_offset(r.start, start, end, delta)?,
            moved_offset(r.end, start, end, delta)?,
        ))
    };
    let mut d = d.clone();
    d.range = range(d.range, &d.file)?;
    for r in &mut d.related {
        r.range = range(r.range, &r.file)?;
    }
    for f in &mut d.fixes {
        for e in &mut f.edits {
            e.range = range(e.range, &e.file)?;
        }
    }
    Some(d)
}

/// A quiet edit (`Dockerfile::apply_edit` returns `true`: only the text of plain comments changed, on the
/// same lines) leaves every finding as it was, fixes and related places included, moved with the text
/// after the edit: the language server then answers without a check. Every plain comment of the rule
/// fixtures, the syntax fixtures and a fifth of the corpus gets a character typed at its end (ASCII,
/// multi-byte, a backslash) and its last character deleted, each checked fresh (every memo bypassed)
/// against the fresh findings before the edit; edits that make it a suppression comment, a directive or a
/// line too long must not be quiet, nor may a character typed in an instruction.
#[test]
fn quiet_edits_only_move_findings() {
    use dockward::{Input, check, memo};
    let (today, settings) = every_rule();
    let mut files: Vec<support::TestFile> = support::corpus().into_iter().step_by(5).collect();
    files.extend(support::syntax_fixtures());
    files.extend(
        rule_fixture_dockerfiles()
            .into_iter()
            .map(|(p, text)| support::TestFile {
                name: p.display().to_string(),
                text,
            }),
    );
    let long = "x".repeat(70_000);
    let (mut quiet, mut compared, mut loud) = (0, 0, 0);
    for f in &files {
        let tree = parse(&f.text);
        // The ends of the plain comments' text (before the line break), at most 4 per file.
        let ends: Vec<(usize, usize)> = tree
            .items()
            .filter_map(|it| {
                let c = it.comment()?;
                (!c.may_be_pragma() && c.errors.is_empty())
                    .then(|| (it.abs(c.range).start as usize, it.abs(c.range).end as usize))
            })
            .take(4)
            .collect();
        if ends.is_empty() {
            continue;
        }
        let before = memo::bypassed(|| check(&Input::new(&f.text, today), &settings));
        // A character typed at the end of the first line of a few instructions is never quiet.
        for it in tree.items().filter(|it| it.instruction().is_some()).take(4) {
            let line_end = f.text[it.start as usize..]
                .find(['\r', '\n'])
                .map_or(f.text.len(), |k| it.start as usize + k);
            let mut new = f.text.clone();
            new.insert(line_end, 'x');
            let edit = Edit {
                range: TextRange::new(line_end as u32, line_end as u32),
                new_len: 1,
            };
            let mut t = tree.clone();
            assert!(
                !t.apply_edit(&new, edit),
                "{}: a keystroke in an instruction is quiet",
                f.name
            );
            loud += 1;
        }
        for (hash, end) in ends {
            let last = f.text[hash + 1..end].chars().next_back().map(char::len_utf8);
            let mut edits: Vec<(usize, usize, &str, bool)> = vec![
                (end, end, "x", true),
                (end, end, "é", true),
                (end, end, "\\", true),
                (hash + 1, end, " hadolint ignore=DL3008", false),
                (hash + 1, end, " escape=`", false),
                (end, end, long.as_str(), false),
            ];
            if let Some(n) = last {
                edits.push((end - n, end, "", true));
            }
            for (a, b, insert, may_be_quiet) in edits {
                let mut new = f.text.clone();
                new.replace_range(a..b, insert);
                let edit = Edit {
                    range: TextRange::new(a as u32, b as u32),
                    new_len: insert.len() as u32,
                };
                let mut t = tree.clone();
                let was_quiet = t.apply_edit(&new, edit);
                assert_eq!(t, parse(&new), "{}: the tree after {a}..{b} ({insert:.20?})", f.name);
                if !was_quiet {
                    loud += 1;
                    continue;
                }
                assert!(may_be_quiet, "{}: {a}..{b} ({insert:.20?}) is no quiet edit", f.name);
                quiet += 1;
                let delta = insert.len() as i64 - (b - a) as i64;
                let moved: Vec<dockward::Diagnostic> = before
                    .iter()
                    .map(|d| {
                        moved_diagnostic(d, a as u32, b as u32, delta)
                            .unwrap_or_else(|| panic!("{}: a finding touches the quiet edit {a}..{b}: {d:?}", f.name))
                    })
                    .collect();
                let after = memo::bypassed(|| check(&Input::new(&new, today), &settings));
                assert_eq!(
                    after, moved,
                    "{}: findings after the quiet edit {a}..{b} ({insert:?})",
                    f.name
                );
                compared += 1;
            }
        }
    }
    assert!(
        quiet > 400 && compared == quiet && loud > 300,
        "{quiet} quiet, {loud} loud edits"
    );
}
