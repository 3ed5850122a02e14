//! Tidy checks: every invariant of the code base that is not a behaviour is still a test.
//!
//! Generated files (rule pages, the README rules table) are rewritten with `DOCKWARD_UPDATE_DOCS=1`.

use std::fs;
use std::path::{Path, PathBuf};

use dockward::rules::{FixAvailability, RULES, docs};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn update() -> bool {
    std::env::var("DOCKWARD_UPDATE_DOCS").is_ok_and(|v| v == "1")
}

/// Compares a generated text with its committed copy, or rewrites it in update mode.
fn fresh(path: &Path, expected: &str, problems: &mut Vec<String>) {
    let actual = fs::read_to_string(path).unwrap_or_default();
    if actual != expected {
        if update() {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, expected).unwrap();
        } else {
            problems.push(format!(
                "{} is stale: run `DOCKWARD_UPDATE_DOCS=1 cargo test --test tidy`",
                path.display()
            ));
        }
    }
}

#[test]
fn generated_rule_docs_and_readme_table_are_fresh() {
    let mut problems = Vec::new();
    let dir = root().join("server/docs/rules");
    for locale in dockward::messages::Locale::ALL {
        let dir = dir.join(docs::dir(locale));
        for r in RULES {
            fresh(&dir.join(r.doc_file()), &docs::page_in(r, locale), &mut problems);
        }
        // No page for a rule that no longer exists.
        for e in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") && !RULES.iter().any(|r| r.doc_file() == name) {
                if update() {
                    fs::remove_file(e.path()).unwrap();
                } else {
                    problems.push(format!("{} belongs to no rule", dir.join(name).display()));
                }
            }
        }
    }
    let readme_path = root().join("README.md");
    let readme = fs::read_to_string(&readme_path).unwrap();
    let (begin, end) = ("<!-- BEGIN GENERATED RULES -->\n", "<!-- END GENERATED RULES -->");
    let b = readme.find(begin).expect("README has the BEGIN GENERATED RULES marker") + begin.len();
    let e = readme.find(end).expect("README has the END GENERATED RULES marker");
    let expected = format!("{}{}{}", &readme[..b], docs::table(), &readme[e..]);
    fresh(&readme_path, &expected, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rule_registry_is_well_formed() {
    let mut prev = "";
    for r in RULES {
        assert!(
            r.code.len() == 5 && r.code.starts_with("DW") && r.code[2..].bytes().all(|b| b.is_ascii_digit()),
            "{}",
            r.code
        );
        assert!(
            r.code > prev,
            "codes must be unique and sorted: {} after {prev}",
            r.code
        );
        prev = r.code;
        assert!(
            !r.name.is_empty()
                && r.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: names are lowercase kebab-case",
            r.name
        );
        assert!(
            !r.name.starts_with("no-") && !r.name.starts_with("disallow"),
            "{}: name the flagged pattern",
            r.name
        );
        assert_eq!(
            RULES.iter().filter(|x| x.name == r.name).count(),
            1,
            "{} is not unique",
            r.name
        );
        assert!(!r.tags.is_empty(), "{} has no tags", r.code);
    }
}

/// The families `--select` accepts by tag, as `Rule::tags` documents them.
const FAMILIES: &[&str] = &[
    "syntax",
    "privilege",
    "secrets",
    "supply-chain",
    "build-context",
    "hardening",
    "correctness",
    "meta",
];

#[test]
fn every_tag_is_a_family_and_every_family_selects_its_rules() {
    for r in RULES {
        for t in r.tags {
            assert!(FAMILIES.contains(t), "{}: unknown family `{t}`", r.code);
        }
    }
    for family in FAMILIES {
        let settings = dockward::settings::Settings {
            select: Some(vec![family.to_string()]),
            ..Default::default()
        };
        assert!(dockward::settings::Settings::selector_is_known(family), "{family}");
        let selected: Vec<&str> = RULES.iter().filter(|r| settings.enabled(r)).map(|r| r.code).collect();
        let tagged: Vec<&str> = RULES
            .iter()
            .filter(|r| r.tags.contains(family) && !r.opt_in)
            .map(|r| r.code)
            .collect();
        assert_eq!(selected, tagged, "--select {family}");
    }
    let hardening = dockward::settings::Settings {
        select: Some(vec!["hardening".to_string()]),
        ..Default::default()
    };
    let codes: Vec<&str> = RULES.iter().filter(|r| hardening.enabled(r)).map(|r| r.code).collect();
    assert_eq!(codes, ["DW502", "DW503", "DW504", "DW505"]);
}

#[test]
fn every_rule_doc_has_the_required_sections() {
    for r in RULES {
        assert!(
            !r.summary().is_empty() && !r.summary().starts_with('#'),
            "{}: the doc starts with a one-line summary",
            r.code
        );
        let mut required = vec![
            "What it does",
            "Why is this bad?",
            "Example",
            "Use instead",
            "References",
        ];
        if r.fix != FixAvailability::None {
            required.push("Fix safety");
        }
        for h in required {
            let body = r.section(h).unwrap_or_else(|| panic!("{}: missing `## {h}`", r.code));
            assert!(!body.trim().is_empty(), "{}: empty `## {h}`", r.code);
        }
        // The English doc carries nothing of the Japanese section.
        assert!(
            !r.doc().chars().any(is_japanese),
            "{}: Japanese text outside the `## 日本語` section",
            r.code
        );
    }
}

/// Kana, kanji and the Japanese punctuation marks.
fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// The text of a Japanese section without its code spans and code blocks, which stay as written.
fn prose(body: &str) -> String {
    let mut out = String::new();
    let mut in_block = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                out.push_str(part);
            } else {
                out.push(' ');
            }
        }
        out.push('\n');
    }
    out
}

/// The longest run of consecutive English words (letters only, separated by blanks) in `text`.
fn longest_english_run(text: &str) -> (usize, String) {
    let mut best = (0, String::new());
    let mut run: Vec<&str> = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || is_japanese(c) || "()\"'.,:;!?/".contains(c)) {
        // A separator other than a blank ends the run, as an empty token.
        if !token.is_empty() && token.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
            run.push(token);
            if run.len() > best.0 {
                best = (run.len(), run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    best
}

#[test]
fn every_rule_doc_has_a_japanese_section() {
    use dockward::messages::Locale;
    use dockward::rules::ja;
    for r in RULES {
        let mut required = vec![ja::SUMMARY];
        required.extend(ja::SECTIONS.iter().filter(|h| **h != ja::FIX_SAFETY));
        // A rule whose English doc explains its fix explains it in Japanese too.
        if r.section("Fix safety").is_some() {
            required.push(ja::FIX_SAFETY);
        }
        for h in &required {
            let body = r
                .ja_section(h)
                .unwrap_or_else(|| panic!("{}: missing `### {h}` in `## 日本語`", r.code));
            let text = prose(&body);
            let japanese = text.chars().filter(|c| is_japanese(*c)).count();
            let latin = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
            // A kana or kanji carries about as much as a short English word: names and options written
            // in Latin letters may outnumber the Japanese characters a little, not by far.
            assert!(
                japanese > 0 && japanese * 2 >= latin,
                "{}: `### {h}` is not written in Japanese: {body}",
                r.code
            );
            // Proper names and quoted tool output are a few words; an untranslated sentence is more.
            let (n, run) = longest_english_run(&text);
            assert!(
                n < 5,
                "{}: `### {h}` has an untranslated English passage: {run:?}",
                r.code
            );
        }
        let summary = r.ja_section(ja::SUMMARY).unwrap();
        assert_eq!(summary.lines().count(), 1, "{}: `### 概要` is one line", r.code);
        assert_eq!(r.summary_in(Locale::Ja), summary, "{}", r.code);
        // Only the known subsections, so that a misspelt heading is not silently dropped.
        let doc = r.doc_in(Locale::Ja);
        for line in doc.lines().filter(|l| l.starts_with("## ")) {
            let h = &line[3..];
            assert!(
                ja::SECTIONS.contains(&h) || ja::ENGLISH_REFERENCE.contains(&h),
                "{}: unexpected heading {line:?} in the Japanese doc",
                r.code
            );
        }
        let source = fs::read_to_string(
            root()
                .join("server/src/rules")
                .join(format!("{}.rs", r.name.replace('-', "_"))),
        )
        .unwrap();
        let headings: Vec<&str> = source
            .lines()
            .filter_map(|l| l.trim().strip_prefix("/// ### "))
            .collect();
        for h in &headings {
            assert!(
                *h == ja::SUMMARY || ja::SECTIONS.contains(h),
                "{}: unknown Japanese subsection `### {h}`",
                r.code
            );
        }
        // The Japanese section comes last, after the English references.
        let last = source.lines().rev().find_map(|l| l.trim().strip_prefix("/// ## "));
        assert_eq!(last, Some("日本語"), "{}: `## 日本語` is the last section", r.code);
    }
}

#[test]
fn every_rule_has_a_fixture_folder_and_inline_tests() {
    for r in RULES {
        let dir = root().join("fixtures/rules").join(format!("{}-{}", r.code, r.name));
        let files: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("missing {}", dir.display()))
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with("Dockerfile"))
            .collect();
        assert!(!files.is_empty(), "{} has no fixture Dockerfiles", dir.display());
        let src = fs::read_to_string(
            root()
                .join("server/src/rules")
                .join(format!("{}.rs", r.name.replace('-', "_"))),
        )
        .expect("rule file named after the rule");
        assert!(
            src.contains("#[cfg(test)]") && src.contains(r.code),
            "{}: inline tests",
            r.code
        );
    }
}

#[test]
fn every_module_starts_with_a_doc_comment() {
    for f in rust_files(&root().join("server"))
        .into_iter()
        .chain(rust_files(&root().join("tests")))
    {
        let text = fs::read_to_string(&f).unwrap();
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with("#!["))
            .unwrap_or("");
        assert!(
            first.starts_with("//!"),
            "{} must start with a `//!` module doc",
            f.display()
        );
    }
}

#[test]
fn the_engine_does_no_io_and_knows_no_protocol() {
    let src = root().join("server/src");
    let io = [
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "std::time::SystemTime",
        "Instant::now",
        "SystemTime::now",
        "crate::registry",
    ];
    let proto = ["lsp_types", "lsp_server"];
    for f in rust_files(&src) {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        // registry.rs is the one network edge (digest lookups the user asks for); the engine never names it.
        let edge = rel.starts_with("cli/") || rel.starts_with("lsp/") || rel == "main.rs" || rel == "registry.rs";
        let text = fs::read_to_string(&f).unwrap();
        // Test modules may build fixtures however they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
        if !edge {
            for needle in io {
                assert!(
                    !code.contains(needle),
                    "{rel} uses {needle}: only cli/, lsp/ and registry.rs do IO"
                );
            }
        }
        if !rel.starts_with("lsp/") {
            for needle in proto {
                assert!(
                    !code.contains(needle),
                    "{rel} uses {needle}: only lsp/ speaks the protocol"
                );
            }
        }
    }
}

/// The threat model's promises that are about the code rather than a behaviour (server/ARCHITECTURE.md,
/// "Threat model"): no process is ever started; only `registry.rs` opens network connections, and only
/// the two places where the user asks for a digest call it; the language server writes no file.
/// `unsafe` is denied crate-wide (`Cargo.toml`); the one module allowed it is the per-process allocator
/// choice in `main.rs` (which calls two allocators and reads the process's arguments before the runtime
/// starts). Nothing else opts out of the lint.
#[test]
fn unsafe_code_is_only_in_the_allocator_choice() {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("unsafe_code = \"deny\"") || manifest.contains("unsafe_code = \"forbid\""),
        "Cargo.toml must deny unsafe code"
    );
    let mut allowed = Vec::new();
    for dir in ["server", "tests", "fuzz"] {
        for f in rust_files(&root().join(dir)) {
            let rel = f.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
            let text = fs::read_to_string(&f).unwrap();
            for (at, _) in text.match_indices("allow(unsafe_code)") {
                let next = text[at..].lines().nth(1).unwrap_or("").trim().to_string();
                allowed.push(format!("{rel}: {next}"));
            }
        }
    }
    // This test's own needle is a string, not an attribute.
    allowed.retain(|a| !a.starts_with("tests/tidy.rs"));
    assert_eq!(allowed, ["server/src/main.rs: mod allocator {"]);
}

#[test]
fn no_process_is_spawned_and_only_the_registry_touches_the_network() {
    let src = root().join("server/src");
    // `main.rs` only sets the exit code (`std::process::exit`); nothing else names processes.
    let process = [
        "std::process",
        "process::Command",
        "Command::new",
        "os::unix::process",
        "libc::",
    ];
    let network = ["std::net", "ureq", "TcpStream", "UdpSocket", "ToSocketAddrs", "rustls"];
    let writes = [
        "fs::write",
        "File::create",
        "OpenOptions",
        "fs::remove",
        "fs::rename",
        "fs::create_dir",
        "fs::copy",
        "set_permissions",
    ];
    let mut registry_callers = Vec::new();
    for f in rust_files(&src) {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let text = fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
        for needle in process {
            let allowed =
                rel == "main.rs" && code.matches(needle).count() == code.matches("std::process::exit(").count();
            assert!(
                allowed || !code.contains(needle),
                "{rel} names {needle}: dockward never starts a process"
            );
        }
        if rel != "registry.rs" {
            for needle in network {
                assert!(
                    !code.contains(needle),
                    "{rel} names {needle}: only registry.rs touches the network"
                );
            }
            if code.contains("registry::") {
                registry_callers.push(rel.clone());
            }
        }
        if rel.starts_with("lsp/") {
            for needle in writes {
                assert!(
                    !code.contains(needle),
                    "{rel} names {needle}: the language server writes no file (the client applies edits)"
                );
            }
        }
    }
    // The digest lookups the user asks for: `check --fix --resolve-digests` and the editor's digest action.
    assert_eq!(registry_callers, ["cli/check_cmd.rs", "lsp/server.rs"]);
}

#[test]
fn architecture_code_map_names_existing_paths() {
    let arch = fs::read_to_string(root().join("server/ARCHITECTURE.md")).unwrap();
    let mut checked = 0;
    for line in arch.lines() {
        // Code-map entries are headings like "### `server/src/syntax/`".
        if let Some(rest) = line.strip_prefix("### `") {
            let path = rest.split('`').next().unwrap();
            assert!(
                root().join(path).exists(),
                "ARCHITECTURE.md names {path}, which does not exist"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 8,
        "the code map should cover the main modules ({checked} entries found)"
    );
}

#[test]
fn architecture_invariants_name_their_tests() {
    let arch = fs::read_to_string(root().join("server/ARCHITECTURE.md")).unwrap();
    let all_tests: String = rust_files(&root().join("server"))
        .into_iter()
        .chain(rust_files(&root().join("tests")))
        .map(|f| fs::read_to_string(f).unwrap())
        .collect();
    let mut n = 0;
    for line in arch.lines().filter(|l| l.contains("**Invariant**")) {
        n += 1;
        let test = line
            .split("Guarded by `")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .unwrap_or_else(|| panic!("invariant without `Guarded by` test: {line}"));
        let name = test.rsplit("::").next().unwrap();
        assert!(
            all_tests.contains(&format!("fn {name}(")),
            "ARCHITECTURE.md names test {test}, which does not exist"
        );
    }
    assert!(n >= 8, "expected the invariants to be listed ({n} found)");
}
