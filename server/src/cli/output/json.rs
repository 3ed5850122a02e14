//! The JSON format: an array of findings with 1-based positions (columns in Unicode scalar values).
//!
//! Findings are serialised straight from borrowed structs (no intermediate `serde_json::Value` per
//! finding); the keys of each object are in alphabetical order, as they always were.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::output::FileReport;
use crate::diagnostic::Diagnostic;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Finding<'a> {
    code: &'a str,
    column: u32,
    end_column: u32,
    end_line: u32,
    fixes: Vec<FixOut<'a>>,
    help: Option<&'a str>,
    line: u32,
    message: &'a str,
    name: &'a str,
    path: &'a str,
    related: Vec<RelatedOut<'a>>,
    severity: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FixOut<'a> {
    applicability: &'a str,
    creates_file: bool,
    edits: Vec<EditOut<'a>>,
    title: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EditOut<'a> {
    column: u32,
    end_column: u32,
    end_line: u32,
    line: u32,
    new_text: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedOut<'a> {
    column: u32,
    end_column: u32,
    end_line: u32,
    line: u32,
    message: &'a str,
    path: &'a str,
}

/// One finding, ready to serialise.
fn finding<'a>(report: &'a FileReport, d: &'a Diagnostic) -> Finding<'a> {
    let (path, _) = report.file(&d.file);
    let (s, e) = report.positions(&d.file, d.range);
    let fixes = d
        .fixes
        .iter()
        .map(|f| FixOut {
            applicability: f.applicability.as_str(),
            creates_file: f.creates.is_some(),
            edits: f
                .edits
                .iter()
                .map(|ed| {
                    let (p, _) = report.file(&ed.file);
                    let (es, ee) = report.positions(&ed.file, ed.range);
                    EditOut {
                        column: es.column,
                        end_column: ee.column,
                        end_line: ee.line,
                        line: es.line,
                        new_text: &ed.new_text,
                        path: p,
                    }
                })
                .collect(),
            title: &f.title,
        })
        .collect();
    let related = d
        .related
        .iter()
        .map(|r| {
            let (p, _) = report.file(&r.file);
            let (rs, re) = report.positions(&r.file, r.range);
            RelatedOut {
                column: rs.column,
                end_column: re.column,
                end_line: re.line,
                line: rs.line,
                message: &r.message,
                path: p,
            }
        })
        .collect();
    Finding {
        code: d.code,
        column: s.column,
        end_column: e.column,
        end_line: e.line,
        fixes,
        help: d.help.as_deref(),
        line: s.line,
        message: &d.message,
        name: d.name,
        path,
        related,
        severity: d.severity.as_str(),
    }
}

pub fn render_all(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let all: Vec<Finding> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(move |d| finding(r, d)))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    writeln!(out)
}
