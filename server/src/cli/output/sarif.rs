//! SARIF 2.1.0 output, for code-scanning services.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::cli::output::{FileReport, Pos};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{RULES, Rule};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn region(s: Pos, e: Pos) -> Value {
    json!({ "startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column })
}

/// The SARIF `reportingDescriptor` of a rule.
pub fn rule_descriptor(r: &Rule) -> Value {
    let mut v = json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.summary() },
        "fullDescription": { "text": r.section("What it does").unwrap_or_else(|| r.summary()) },
        "help": { "text": r.doc(), "markdown": r.doc() },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": { "tags": r.tags },
    });
    if let Some(url) = crate::cli::rule_url(r) {
        v["helpUri"] = Value::String(url);
    }
    v
}

fn result(report: &FileReport, d: &Diagnostic) -> Value {
    let (path, _) = report.file(&d.file);
    let (s, e) = report.positions(&d.file, d.range);
    let index = RULES.iter().position(|r| r.code == d.code).unwrap_or(0);
    let text = match &d.help {
        Some(h) => format!("{} {h}", d.message),
        None => d.message.to_string(),
    };
    let fixes: Vec<Value> = d
        .fixes
        .iter()
        .map(|f| {
            let changes: Vec<Value> = f
                .edits
                .iter()
                .map(|ed| {
                    let (p, _) = report.file(&ed.file);
                    let (es, ee) = report.positions(&ed.file, ed.range);
                    json!({
                        "artifactLocation": { "uri": uri(p) },
                        "replacements": [{ "deletedRegion": region(es, ee), "insertedContent": { "text": ed.new_text } }],
                    })
                })
                .collect();
            json!({ "description": { "text": f.title }, "artifactChanges": changes })
        })
        .collect();
    let mut v = json!({
        "ruleId": d.code,
        "ruleIndex": index,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(path) }, "region": region(s, e) } }],
    });
    if !fixes.is_empty() {
        v["fixes"] = Value::Array(fixes);
    }
    if !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let (p, _) = report.file(&r.file);
                let (rs, re) = report.positions(&r.file, r.range);
                json!({ "id": i, "message": { "text": r.message }, "physicalLocation": { "artifactLocation": { "uri": uri(p) }, "region": region(rs, re) } })
            })
            .collect();
        v["relatedLocations"] = Value::Array(related);
    }
    v
}

/// A relative path as a URI reference (`/` separators, spaces and other reserved bytes escaped).
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn document(reports: &[FileReport]) -> Value {
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(move |d| result(r, d)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "dockward",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": RULES.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

pub fn render_all(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(reports))?;
    writeln!(out)
}
