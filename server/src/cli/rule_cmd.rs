//! `dockward rule CODE` prints a rule's documentation; `dockward rule --all` lists the rules.

use std::io::Write;

use serde_json::json;

use crate::cli::{EXIT_ERROR, EXIT_OK, Env, RuleArgs};
use crate::rules::{self, RULES, Rule};

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
    })
}

pub fn run(a: &RuleArgs, _env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if a.all || a.rule.is_none() {
        let written = if a.json {
            serde_json::to_writer_pretty(&mut *out, &RULES.iter().map(|r| as_json(r)).collect::<Vec<_>>())
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        } else {
            let mut s = String::new();
            s.push_str(&format!(
                "{:<6}  {:<24}  {:<8}  {:<9}  {}\n",
                "CODE", "NAME", "SEVERITY", "FIX", "SUMMARY"
            ));
            for r in RULES {
                s.push_str(&format!(
                    "{:<6}  {:<24}  {:<8}  {:<9}  {}\n",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.fix.as_str(),
                    r.summary()
                ));
            }
            out.write_all(s.as_bytes())
        };
        return if written.is_ok() { EXIT_OK } else { EXIT_ERROR };
    }
    let name = a.rule.as_deref().unwrap_or_default();
    let Some(r) = rules::rule(name) else {
        let _ = writeln!(err, "error: no rule `{name}` (see `dockward rule --all`)");
        return EXIT_ERROR;
    };
    let written = if a.json {
        serde_json::to_writer_pretty(&mut *out, &as_json(r))
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        writeln!(
            out,
            "# {} {}\n\nSeverity: {} · Fix: {} · Tags: {} · Since: {}\n\n{}",
            r.code,
            r.name,
            r.severity.as_str(),
            r.fix.as_str(),
            r.tags.join(", "),
            r.since,
            r.doc()
        )
    };
    if written.is_ok() { EXIT_OK } else { EXIT_ERROR }
}
