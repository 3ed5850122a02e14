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

/// Writes the findings of all reports as one pretty-printed JSON array, rendered on up to `threads`
/// threads. The bytes are those of `serde_json::to_writer_pretty` on the whole array.
pub fn render_all(out: &mut dyn Write, reports: &[FileReport], threads: usize) -> io::Result<()> {
    // Each part holds its report's findings, each one preceded by `,` and at the array's indentation.
    let parts = super::render_parts(reports, threads, |r, buf| {
        let mut one = Vec::with_capacity(1024);
        for d in &r.diagnostics {
            one.clear();
            serde_json::to_writer_pretty(&mut one, &finding(r, d))?;
            buf.extend_from_slice(b",\n  ");
            // Newlines inside strings are escaped: every raw one is between two lines of the object.
            for (i, line) in one.split(|&b| b == b'\n').enumerate() {
                if i > 0 {
                    buf.extend_from_slice(b"\n  ");
                }
                buf.extend_from_slice(line);
            }
        }
        Ok(())
    })?;
    let mut first = true;
    out.write_all(b"[")?;
    for part in parts.iter().filter(|p| !p.is_empty()) {
        out.write_all(if first { &part[1..] } else { part })?;
        first = false;
    }
    out.write_all(if first { b"]\n" } else { b"\n]\n" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Input, check};
    use crate::settings::Settings;

    #[test]
    fn threads_write_the_bytes_of_one_pretty_array() {
        let text =
            "FROM node:14\nRNU x\nRUN curl -k https://x.example/a.sh | sh\nADD http://e.example/a.tgz /a\nCOPY . .\n";
        let diags = check(
            &Input::new(text, crate::date::Date::new(2026, 11, 28)),
            &Settings::default(),
        );
        assert!(diags.len() >= 4, "{diags:?}");
        // Enough findings to be rendered on threads, and reports without findings between them.
        let reports: Vec<FileReport> = (0..120)
            .map(|i| {
                let found = if i % 3 == 0 { Vec::new() } else { diags.clone() };
                FileReport::new(format!("d{i}/Dockerfile"), text.to_string(), None, found, 0)
            })
            .collect();
        let whole: Vec<Finding> = reports
            .iter()
            .flat_map(|r| r.diagnostics.iter().map(move |d| finding(r, d)))
            .collect();
        let mut expected = serde_json::to_vec_pretty(&whole).unwrap();
        expected.push(b'\n');
        let expected = String::from_utf8(expected).unwrap();
        for threads in [1, 2, 4] {
            let mut out = Vec::new();
            render_all(&mut out, &reports, threads).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{threads} threads");
        }
        let mut out = Vec::new();
        render_all(&mut out, &reports[..1], 2).unwrap();
        assert_eq!(out, b"[]\n");
    }
}
