//! Test helpers for rules: inline annotations under the offending line, and fixes selected with `$0`.
//!
//! An annotation is a Dockerfile comment whose carets mark columns of the nearest line above that is
//! not an annotation: `#    ^^^^ DW001 message-id`. The check compares in both directions: nothing
//! missing, nothing extra.

use crate::check::{Input, check};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, FileRef};
use crate::fix;
use crate::settings::Settings;
use crate::text::{Encoding, LineIndex};

/// The date used by rule tests.
pub const TODAY: Date = Date::new(2026, 11, 28);

fn is_annotation(line: &str) -> bool {
    let t = line.trim_start_matches('#');
    line.starts_with('#') && t.trim_start().starts_with('^') && t.contains(" DW")
}

/// (line, start column, end column, code, message id), columns in characters.
type Expected = (u32, u32, u32, String, String);

fn annotations(src: &str) -> Vec<Expected> {
    let mut out = Vec::new();
    let mut target: Option<u32> = None;
    for (n, line) in src.lines().enumerate() {
        if is_annotation(line) {
            let target = target.expect("annotation without a line above");
            let chars: Vec<char> = line.chars().collect();
            let first = chars.iter().position(|&c| c == '^').expect("carets") as u32;
            let end = first + chars[first as usize..].iter().take_while(|&&c| c == '^').count() as u32;
            // `#^^` marks columns 0..3: the `#` counts as the first caret when the carets touch it.
            let start = if first == 1 { 0 } else { first };
            let rest: String = chars[end as usize..].iter().collect();
            let mut words = rest.split_whitespace();
            let code = words.next().expect("code").to_string();
            let id = words.next().expect("message id").to_string();
            out.push((target, start, end, code, id));
        } else {
            target = Some(n as u32);
        }
    }
    out
}

fn settings_for(code: &str) -> Settings {
    // Meta rules (DW9xx) judge the other rules' findings, so everything runs; only `code` is compared.
    if code.starts_with("DW9") {
        return Settings::default();
    }
    Settings {
        select: Some(vec![code.to_string()]),
        ..Settings::default()
    }
}

/// Runs rule `code` on `src` and compares with the annotations in `src`.
pub fn check_rule(code: &str, src: &str) {
    check_rule_with(code, src, &Input::new(src, TODAY), &settings_for(code));
}

/// The diagnostics of rule `code` alone on `src`.
pub fn run(code: &str, src: &str) -> Vec<Diagnostic> {
    check(&Input::new(src, TODAY), &settings_for(code))
        .into_iter()
        .filter(|d| d.code == code)
        .collect()
}

/// [`check_rule`] with a custom input and settings.
pub fn check_rule_with(code: &str, src: &str, input: &Input, settings: &Settings) {
    let diags = check(input, settings);
    let idx = LineIndex::new(src);
    let mut actual: Vec<Expected> = diags
        .iter()
        .filter(|d| d.code == code && d.file == FileRef::Dockerfile)
        .map(|d| {
            let s = idx.to_line_col(src, d.range.start, Encoding::Utf32);
            let e = idx.to_line_col(src, d.range.end, Encoding::Utf32);
            let end_col = if e.line == s.line { e.col } else { s.col + 1 };
            (
                s.line,
                s.col,
                end_col.max(s.col + u32::from(d.range.is_empty())),
                d.code.to_string(),
                d.message_id.to_string(),
            )
        })
        .collect();
    let mut expected = annotations(src);
    // An empty range is annotated with one caret.
    actual.sort();
    expected.sort();
    assert_eq!(
        actual, expected,
        "\nrule {code} on:\n{src}\nall diagnostics: {diags:#?}"
    );
    check_fix_invariants(src, &diags);
}

/// Every fix applies cleanly, and applying it removes its diagnostic.
pub fn check_fix_invariants(src: &str, diags: &[Diagnostic]) {
    for d in diags {
        for f in &d.fixes {
            assert!(!f.title.is_empty(), "{} fix without title", d.code);
            if f.creates.is_none() {
                let edits: Vec<_> = f.edits.iter().filter(|e| e.file == FileRef::Dockerfile).collect();
                fix::apply_edits(src, &edits).unwrap_or_else(|e| panic!("{} fix does not apply: {e:?}", d.code));
            }
        }
    }
}

/// `before` contains `$0` inside the range of a `code` diagnostic; its first fix turns it into `after`.
pub fn check_fix(code: &str, before: &str, after: &str) {
    let cursor = before.find("$0").expect("$0 marker") as u32;
    let src = before.replacen("$0", "", 1);
    let settings = settings_for(code);
    let diags = check(&Input::new(&src, TODAY), &settings);
    let d = diags
        .iter()
        .find(|d| d.code == code && d.range.contains_inclusive(cursor))
        .unwrap_or_else(|| panic!("no {code} diagnostic at the cursor in:\n{src}\n{diags:#?}"));
    let fix = d.fixes.first().unwrap_or_else(|| panic!("{code} offers no fix"));
    let fixed = fix::apply_fix(&src, fix, &FileRef::Dockerfile).expect("fix applies");
    assert_eq!(fixed, after, "\nfix of {code}");
    // The fixed text no longer has this finding at that place, and fixing again changes nothing there.
    let again = check(&Input::new(&fixed, TODAY), &settings);
    assert!(
        !again
            .iter()
            .any(|x| x.code == code && x.message_id == d.message_id && x.range.start == d.range.start),
        "{code} still fires after its fix:\n{fixed}"
    );
}

/// A context listing for tests: `dir/` is a directory, `link@` a symbolic link, anything else a file.
pub fn listing(paths: &[&str]) -> crate::check::Context {
    use crate::check::{Context, ContextEntry, EntryKind};
    let mut entries: Vec<ContextEntry> = paths
        .iter()
        .map(|p| ContextEntry {
            path: p.trim_end_matches(['/', '@']).to_string(),
            kind: if p.ends_with('/') {
                EntryKind::Dir
            } else if p.ends_with('@') {
                EntryKind::Symlink
            } else {
                EntryKind::File
            },
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Context {
        entries,
        complete: true,
        pruned: Vec::new(),
    }
}

/// Runs ignore-file rule `code` on the ignore file `src` (with an optional context listing) and compares
/// with the annotations in `src` (annotations are comment lines there too). Every fix must apply to
/// the ignore file and remove its finding.
pub fn check_ignore_rule(code: &str, src: &str, context: Option<&crate::check::Context>) {
    use crate::check::{IgnoreInput, check_ignore};
    let settings = settings_for(code);
    let diags = check_ignore(&IgnoreInput { text: src, context }, &settings);
    let idx = LineIndex::new(src);
    let mut actual: Vec<Expected> = diags
        .iter()
        .filter(|d| d.code == code)
        .map(|d| {
            assert_eq!(d.file, FileRef::IgnoreFile);
            let s = idx.to_line_col(src, d.range.start, Encoding::Utf32);
            let e = idx.to_line_col(src, d.range.end, Encoding::Utf32);
            let end_col = if e.line == s.line { e.col } else { s.col + 1 };
            (
                s.line,
                s.col,
                end_col.max(s.col + u32::from(d.range.is_empty())),
                d.code.to_string(),
                d.message_id.to_string(),
            )
        })
        .collect();
    let mut expected = annotations(src);
    actual.sort();
    expected.sort();
    assert_eq!(
        actual, expected,
        "\nrule {code} on:\n{src}\nall diagnostics: {diags:#?}"
    );
    for d in &diags {
        for f in &d.fixes {
            let fixed = fix::apply_fix(src, f, &FileRef::IgnoreFile)
                .unwrap_or_else(|e| panic!("{} fix does not apply: {e:?}", d.code));
            let again = check_ignore(&IgnoreInput { text: &fixed, context }, &settings);
            assert!(
                !again.iter().any(|x| x.code == d.code && x.message == d.message),
                "{} still fires after its fix `{}`:\n{fixed}",
                d.code,
                f.title
            );
        }
    }
}

/// The ignore file after the first fix of the `code` finding that contains `$0`.
pub fn check_ignore_fix(code: &str, before: &str, after: &str, context: Option<&crate::check::Context>) {
    use crate::check::{IgnoreInput, check_ignore};
    let cursor = before.find("$0").expect("$0 marker") as u32;
    let src = before.replacen("$0", "", 1);
    let diags = check_ignore(&IgnoreInput { text: &src, context }, &settings_for(code));
    let d = diags
        .iter()
        .find(|d| d.code == code && d.range.contains_inclusive(cursor))
        .unwrap_or_else(|| panic!("no {code} finding at the cursor in:\n{src}\n{diags:#?}"));
    let f = d.fixes.first().unwrap_or_else(|| panic!("{code} offers no fix"));
    let fixed = fix::apply_fix(&src, f, &FileRef::IgnoreFile).expect("fix applies");
    assert_eq!(fixed, after, "\nfix of {code}");
}
