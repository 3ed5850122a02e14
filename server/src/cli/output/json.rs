//! The JSON format: an array of findings with 1-based positions (columns in Unicode scalar values).

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::cli::output::FileReport;
use crate::diagnostic::Diagnostic;

/// One finding as a JSON object.
pub fn diagnostic(report: &FileReport, d: &Diagnostic) -> Value {
    let (path, _) = report.file(&d.file);
    let (s, e) = report.positions(&d.file, d.range);
    let fixes: Vec<Value> = d
        .fixes
        .iter()
        .map(|f| {
            let edits: Vec<Value> = f
                .edits
                .iter()
                .map(|ed| {
                    let (p, _) = report.file(&ed.file);
                    let (es, ee) = report.positions(&ed.file, ed.range);
                    json!({
                        "path": p,
                        "line": es.line, "column": es.column, "endLine": ee.line, "endColumn": ee.column,
                        "newText": ed.new_text,
                    })
                })
                .collect();
            json!({ "title": f.title, "applicability": f.applicability.as_str(), "createsFile": f.creates.is_some(), "edits": edits })
        })
        .collect();
    let related: Vec<Value> = d
        .related
        .iter()
        .map(|r| {
            let (p, _) = report.file(&r.file);
            let (rs, re) = report.positions(&r.file, r.range);
            json!({ "path": p, "line": rs.line, "column": rs.column, "endLine": re.line, "endColumn": re.column, "message": r.message })
        })
        .collect();
    json!({
        "path": path,
        "code": d.code,
        "name": d.name,
        "severity": d.severity.as_str(),
        "message": d.message,
        "help": d.help,
        "line": s.line,
        "column": s.column,
        "endLine": e.line,
        "endColumn": e.column,
        "fixes": fixes,
        "related": related,
    })
}

pub fn render_all(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let all: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(move |d| diagnostic(r, d)))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    writeln!(out)
}
