//! Rule fixtures: every `fixtures/rules/<CODE>-<name>/*.Dockerfile` is checked with its rule, rendered
//! as the human report plus the diff of every fix, and compared with a snapshot; the fix invariants are
//! enforced on every fixture. A fixture's ignore file is `<fixture>.Dockerfile.dockerignore` beside it,
//! as Docker reads it.

use std::fs;
use std::path::{Path, PathBuf};

use dockward::cli::discover;
use dockward::cli::output::{FileReport, human};
use dockward::date::Date;
use dockward::diagnostic::Applicability;
use dockward::fix;
use dockward::rules::{FixAvailability, RULES};
use dockward::settings::Settings;
use dockward::{Input, check};

#[path = "support/fixes.rs"]
mod fixes;

const TODAY: Date = Date::new(2026, 11, 28);

fn fixtures() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut out = Vec::new();
    for r in RULES {
        let dir = root.join(format!("{}-{}", r.code, r.name));
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with("Dockerfile"))
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (r.code.to_string(), f)));
    }
    out
}

fn settings(code: &str) -> Settings {
    // Meta rules judge suppression comments against the other rules' findings: run everything.
    if code.starts_with("DW9") {
        return Settings::default();
    }
    Settings {
        select: Some(vec![code.to_string()]),
        ..Settings::default()
    }
}

/// The findings of rule `code` only.
fn only(code: &str, mut diags: Vec<dockward::Diagnostic>) -> Vec<dockward::Diagnostic> {
    diags.retain(|d| d.code == code);
    diags
}

fn load(path: &Path) -> (String, Option<u32>) {
    let l = discover::load(path).expect("fixture loads");
    (l.text, l.invalid_utf8_at)
}

/// The fixture's own ignore file, `<fixture>.dockerignore`.
fn ignore_of(path: &Path) -> Option<String> {
    fs::read_to_string(format!("{}.dockerignore", path.display())).ok()
}

fn input<'a>(text: &'a str, ignore: Option<&'a str>) -> Input<'a> {
    Input {
        ignore_file: ignore,
        ..Input::new(text, TODAY)
    }
}

/// A minimal line diff for snapshots: removed lines with `-`, added with `+`.
fn diff(a: &str, b: &str) -> String {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let pre = al.iter().zip(&bl).take_while(|(x, y)| x == y).count();
    let suf = al[pre..]
        .iter()
        .rev()
        .zip(bl[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = String::new();
    for l in &al[pre..al.len() - suf] {
        out.push_str(&format!("-{l}\n"));
    }
    for l in &bl[pre..bl.len() - suf] {
        out.push_str(&format!("+{l}\n"));
    }
    if out.is_empty() {
        out.push_str("(no change)\n");
    }
    out
}

#[test]
fn rule_fixtures_match_their_snapshots() {
    let fx = fixtures();
    assert!(fx.len() >= RULES.len());
    for (code, path) in fx {
        let (text, bad_utf8) = load(&path);
        let ignore = ignore_of(&path);
        let input = Input {
            invalid_utf8_at: bad_utf8,
            fixes: true,
            ignore_file: ignore.as_deref(),
            ..Input::new(&text, TODAY)
        };
        let diags = only(&code, check(&input, &settings(&code)));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let rel = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if name.starts_with("negative") {
            assert!(
                diags.is_empty(),
                "{rel}: a negative fixture must be clean, got {diags:#?}"
            );
        } else {
            assert!(
                !diags.is_empty(),
                "{rel}: a positive fixture must have findings for {code}"
            );
        }
        let mut rendered = Vec::new();
        let report = FileReport::new(
            rel.clone(),
            text.clone(),
            ignore
                .as_ref()
                .map(|t| (format!("{rel}.dockerignore"), Some(t.clone()))),
            diags.clone(),
            0,
        );
        human::render_all(
            &mut rendered,
            std::slice::from_ref(&report),
            human::Style {
                color: false,
                locale: settings(&code).locale,
            },
            1,
        )
        .unwrap();
        let mut snap = String::from_utf8(rendered).unwrap();
        for d in &diags {
            for f in &d.fixes {
                let (fixed, fixed_ignore) = fixes::apply_both(&text, ignore.as_deref(), f).expect("fix applies");
                let mut change = String::new();
                if fixed != text || fixed_ignore == ignore {
                    change.push_str(&diff(&text, &fixed));
                }
                if fixed_ignore != ignore {
                    change.push_str(&format!(
                        "(.dockerignore{})\n{}",
                        if f.creates.is_some() { ", created" } else { "" },
                        diff(ignore.as_deref().unwrap_or(""), fixed_ignore.as_deref().unwrap_or(""))
                    ));
                }
                snap.push_str(&format!(
                    "--- fix `{}` ({}) for {} at {:?}\n{}",
                    f.title,
                    f.applicability.as_str(),
                    d.code,
                    d.range,
                    change
                ));
            }
        }
        let snap_name = format!("{}__{}", code, name.trim_end_matches(".Dockerfile").replace('.', "_"));
        insta::with_settings!({ snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false, description => rel.clone() }, {
            insta::assert_snapshot!(snap_name, snap);
        });
    }
}

#[test]
fn fixes_keep_their_promises() {
    for (code, path) in fixtures() {
        let (text, _) = load(&path);
        let ignore = ignore_of(&path);
        let rule = dockward::rules::rule(&code).unwrap();
        let diags = only(&code, check(&input(&text, ignore.as_deref()), &settings(&code)));
        let all = check(&input(&text, ignore.as_deref()), &Settings::default());
        let syntax_before = fixes::syntax_errors(&all);
        for d in &diags {
            if rule.fix == FixAvailability::None {
                assert!(d.fixes.is_empty(), "{code} declares no fix but offers one");
            }
            if rule.fix == FixAvailability::Always {
                assert!(!d.fixes.is_empty(), "{code} declares it always fixes");
            }
            for f in &d.fixes {
                assert!(!f.title.is_empty());
                // A fix waiting for a registry gets a well-formed digest, as `--resolve-digests` would.
                if let Err(e) = fixes::fix_keeps_its_promise(
                    &input(&text, ignore.as_deref()),
                    d,
                    f,
                    syntax_before,
                    &Settings::default(),
                ) {
                    panic!("{}: {e}", path.display());
                }
            }
        }
        // Applying every safe fix to a fixpoint, then once more, changes nothing the second time.
        let (cur, cur_ignore) = fixes::safe_fixpoint(&input(&text, ignore.as_deref()), &Settings::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let ds = check(&input(&cur, cur_ignore.as_deref()), &Settings::default());
        assert!(
            fix::select_fixes(&ds, Applicability::Safe).is_empty(),
            "safe fixes do not reach a fixpoint on {}",
            path.display()
        );
    }
}

/// Realistic files that follow the guidance (`fixtures/clean/`): every rule that runs by default stays
/// silent on them.
#[test]
fn clean_files_have_no_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clean");
    let ignore = fs::read_to_string(dir.join(".dockerignore")).expect("fixtures/clean/.dockerignore");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".Dockerfile"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for f in files {
        let (text, invalid) = load(&f);
        let input = Input {
            dockerfile: &text,
            ignore_file: Some(&ignore),
            context: None,
            today: TODAY,
            invalid_utf8_at: invalid,
            fixes: true,
        };
        let diags = check(&input, &Settings::default());
        assert!(diags.is_empty(), "{}:\n{diags:#?}", f.display());
    }
}
