//! `dockward rule CODE` prints a rule's documentation; `dockward rule --all` lists the rules.

use std::io::Write;

use serde_json::json;

use crate::cli::width::str_width;
use crate::cli::{EXIT_ERROR, EXIT_OK, Env, RuleArgs, cli_locale};
use crate::messages::{Locale, render};
use crate::rules::{self, RULES, Rule};

/// A rule as JSON. The English `summary` and `doc` do not depend on the locale, so scripts read the same
/// output under any `LANG`; the Japanese versions are beside them.
fn as_json(r: &Rule) -> serde_json::Value {
    json!({
        "code": r.code,
        "name": r.name,
        "severity": r.severity.as_str(),
        "tags": r.tags,
        "fix": r.fix.as_str(),
        "since": r.since,
        "summary": r.summary(),
        "doc": r.doc(),
        "summary_ja": r.summary_in(Locale::Ja),
        "doc_ja": r.doc_in(Locale::Ja),
    })
}

/// `s` padded with spaces to `width` terminal columns (wide characters count two).
fn pad(s: &str, width: usize) -> String {
    let w = str_width(s, 8);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

pub fn run(a: &RuleArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(locale) = cli_locale(a.lang.as_deref(), env, err) else {
        return EXIT_ERROR;
    };
    let m = |id: &str| render(locale, id, &[]);
    if a.all || a.rule.is_none() {
        let written = if a.json {
            serde_json::to_writer_pretty(&mut *out, &RULES.iter().map(|r| as_json(r)).collect::<Vec<_>>())
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        } else {
            let mut s = String::new();
            s.push_str(&format!(
                "{}  {}  {}  {}  {}\n",
                pad(&m("rule.column.code"), 6),
                pad(&m("rule.column.name"), 24),
                pad(&m("rule.column.severity"), 8),
                pad(&m("rule.column.fix"), 9),
                m("rule.column.summary")
            ));
            for r in RULES {
                s.push_str(&format!(
                    "{:<6}  {:<24}  {:<8}  {:<9}  {}\n",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.fix.as_str(),
                    r.summary_in(locale)
                ));
            }
            out.write_all(s.as_bytes())
        };
        return if written.is_ok() { EXIT_OK } else { EXIT_ERROR };
    }
    let name = a.rule.as_deref().unwrap_or_default();
    let Some(r) = rules::rule(name) else {
        let _ = writeln!(err, "{}", render(locale, "rule.unknown", &[("name", name.to_string())]));
        return EXIT_ERROR;
    };
    let written = if a.json {
        serde_json::to_writer_pretty(&mut *out, &as_json(r))
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        let facts = render(
            locale,
            "rule.facts",
            &[
                ("severity", r.severity.as_str().to_string()),
                ("fix", r.fix.as_str().to_string()),
                ("tags", r.tags.join(", ")),
                ("since", r.since.to_string()),
            ],
        );
        writeln!(out, "# {} {}\n\n{facts}\n\n{}", r.code, r.name, r.doc_in(locale))
    };
    if written.is_ok() { EXIT_OK } else { EXIT_ERROR }
}
