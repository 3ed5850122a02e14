//! The promises every offered fix keeps, as functions returning what went wrong: shared by the rule
//! fixtures (`tests/rules.rs`), the property tests (`tests/properties.rs`) and the `fixes` fuzz target
//! (`fuzz/fuzz_targets/fixes.rs`, which includes this file by path).

#![allow(dead_code)]

use dockward::diagnostic::{Applicability, Diagnostic, FileRef, Fix};
use dockward::settings::Settings;
use dockward::{Input, check, fix};

/// A well-formed digest for fixes that wait for a registry, as `--resolve-digests` would fill in.
pub fn test_digest() -> String {
    format!("sha256:{}", "0".repeat(64))
}

/// Applies a fix to the Dockerfile and the ignore file; returns both texts.
pub fn apply_both(text: &str, ignore: Option<&str>, f: &Fix) -> Result<(String, Option<String>), String> {
    let fixed = fix::apply_fix(text, f, &FileRef::Dockerfile).map_err(|e| format!("fix does not apply: {e:?}"))?;
    let touches_ignore = f.edits.iter().any(|e| e.file == FileRef::IgnoreFile);
    let ignore = if touches_ignore {
        Some(
            fix::apply_fix(ignore.unwrap_or(""), f, &FileRef::IgnoreFile)
                .map_err(|e| format!("fix does not apply to the ignore file: {e:?}"))?,
        )
    } else {
        ignore.map(str::to_string)
    };
    Ok((fixed, ignore))
}

/// The number of syntax errors (DW001) among `diags`.
pub fn syntax_errors(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.code == "DW001").count()
}

/// One fix of diagnostic `d` keeps its promise: it applies, the result has no more syntax errors than
/// `syntax_before`, and `d` is not reported again at the same place.
pub fn fix_keeps_its_promise(
    input: &Input,
    d: &Diagnostic,
    f: &Fix,
    syntax_before: usize,
    settings: &Settings,
) -> Result<(), String> {
    let f = &f.with_digest(&test_digest());
    let (fixed, fixed_ignore) = apply_both(input.dockerfile, input.ignore_file, f)?;
    let after = check(
        &Input {
            dockerfile: &fixed,
            ignore_file: fixed_ignore.as_deref(),
            ..input.clone()
        },
        settings,
    );
    if syntax_errors(&after) > syntax_before {
        return Err(format!("{} fix {:?} adds a syntax error:\n{fixed}", d.code, f.title));
    }
    if after.iter().any(|x| {
        x.code == d.code
            && x.file == d.file
            && x.message_id == d.message_id
            && before_fix(x.range.start, f, &x.file) == d.range.start
            && x.message == d.message
    }) {
        return Err(format!(
            "{} still fires at the same place after its fix {:?}:\n{fixed}",
            d.code, f.title
        ));
    }
    Ok(())
}

/// Where offset `at` of the fixed file `file` was before the fix: offsets after an edit move back by what
/// the edit added; an offset inside an edit's new text is the edit's start. (A second, identical finding
/// that slides into the place of a removed one is then not taken for the removed one.)
pub fn before_fix(at: u32, f: &Fix, file: &FileRef) -> u32 {
    let mut edits: Vec<_> = f.edits.iter().filter(|e| &e.file == file).collect();
    edits.sort_by_key(|e| e.range.start);
    let mut delta: i64 = 0;
    for e in edits {
        let start = i64::from(e.range.start) + delta;
        let new_len = e.new_text.len() as i64;
        if i64::from(at) < start {
            break;
        }
        if i64::from(at) < start + new_len {
            return e.range.start;
        }
        delta += new_len - i64::from(e.range.end - e.range.start);
    }
    (i64::from(at) - delta).max(0) as u32
}

/// Applies every safe fix, again and again; returns the texts at the fixpoint, or an error when ten
/// rounds do not reach one, or when the chosen edits do not apply.
pub fn safe_fixpoint(input: &Input, settings: &Settings) -> Result<(String, Option<String>), String> {
    let mut cur = input.dockerfile.to_string();
    let mut cur_ignore = input.ignore_file.map(str::to_string);
    for _ in 0..10 {
        let ds = check(
            &Input {
                dockerfile: &cur,
                ignore_file: cur_ignore.as_deref(),
                ..input.clone()
            },
            settings,
        );
        let chosen = fix::select_fixes(&ds, Applicability::Safe);
        if chosen.is_empty() {
            return Ok((cur, cur_ignore));
        }
        let edits: Vec<_> = chosen
            .iter()
            .flat_map(|f| f.edits.iter().filter(|e| e.file == FileRef::Dockerfile))
            .collect();
        cur = fix::apply_edits(&cur, &edits).map_err(|e| format!("safe fixes do not apply together: {e:?}"))?;
        let ignore_edits: Vec<_> = chosen
            .iter()
            .flat_map(|f| f.edits.iter().filter(|e| e.file == FileRef::IgnoreFile))
            .collect();
        if !ignore_edits.is_empty() {
            cur_ignore = Some(
                fix::apply_edits(cur_ignore.as_deref().unwrap_or(""), &ignore_edits)
                    .map_err(|e| format!("safe ignore-file fixes do not apply together: {e:?}"))?,
            );
        }
    }
    Err(format!("safe fixes do not reach a fixpoint in ten rounds:\n{cur}"))
}

/// Every promise on one input: each offered fix of each diagnostic keeps its promise, and applying all
/// safe fixes reaches a fixpoint that a second pass leaves unchanged (idempotence).
pub fn all_promises(input: &Input, settings: &Settings) -> Result<(), String> {
    let diags = check(input, settings);
    let before = syntax_errors(&diags);
    for d in &diags {
        for f in &d.fixes {
            fix_keeps_its_promise(input, d, f, before, settings)?;
        }
    }
    let (once, once_ignore) = safe_fixpoint(input, settings)?;
    let again = Input {
        dockerfile: &once,
        ignore_file: once_ignore.as_deref(),
        ..input.clone()
    };
    let (twice, twice_ignore) = safe_fixpoint(&again, settings)?;
    if (&twice, &twice_ignore) != (&once, &once_ignore) {
        return Err(format!(
            "applying the safe fixes twice differs from once:\n{once}\n---\n{twice}"
        ));
    }
    Ok(())
}
