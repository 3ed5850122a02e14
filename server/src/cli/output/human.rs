//! The human format: one block per finding with the source line and an underline, like rustc and ruff.

use std::io::{self, Write};

use crate::cli::output::FileReport;
use crate::cli::width::{char_width, str_width};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::messages::{self, Locale};
use crate::text::{LineIndex, slice};

const TAB: usize = 4;

/// Terminal styling, and the language of the labels and the summary.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub locale: Locale,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn severity(&self, sev: Severity) -> &'static str {
        match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;34",
            Severity::Hint => "1;36",
        }
    }
}

/// Text shown for a fix's applicability (and, for a fix that needs a digest, how to get it).
fn fix_note(f: &Fix, locale: Locale) -> String {
    let id = match (f.applicability, f.is_resolved()) {
        (Applicability::Safe, true) => "human.fix.safe",
        (Applicability::Safe, false) => "human.fix.safe-registry",
        (Applicability::Unsafe, true) => "human.fix.unsafe",
        (Applicability::Unsafe, false) => "human.fix.unsafe-registry",
        (Applicability::DisplayOnly, _) => "human.fix.display-only",
    };
    messages::render(locale, id, &[])
}

/// The message `<base>.one` or `<base>.other` for `count`, with `{count}` filled.
fn counted(locale: Locale, base: &str, count: usize) -> String {
    let form = if count == 1 { "one" } else { "other" };
    messages::render(locale, &format!("{base}.{form}"), &[("count", count.to_string())])
}

/// Renders one finding.
pub fn render(out: &mut dyn Write, report: &FileReport, d: &Diagnostic, style: Style) -> io::Result<()> {
    let m = |id: &str| messages::render(style.locale, id, &[]);
    let (path, text) = report.file(&d.file);
    let (start, end) = report.positions(&d.file, d.range);
    let sev = style.severity(d.severity);
    writeln!(
        out,
        "{}{} {}",
        style.paint(sev, &format!("{}[{}]", d.severity.as_str(), d.code)),
        style.paint("1", ":"),
        style.paint("1", &d.message)
    )?;
    let gutter = end.line.to_string().len();
    let blue = "1;34";
    writeln!(
        out,
        "{}{} {path}:{}:{}",
        " ".repeat(gutter),
        style.paint(blue, "-->"),
        start.line,
        start.column
    )?;
    writeln!(out, "{} {}", " ".repeat(gutter), style.paint(blue, "|"))?;
    let idx = LineIndex::new(text);
    let first = start.line - 1;
    let last = end.line - 1;
    // A range ending at the start of a line does not mark that line.
    let last = if last > first && idx.line_start(last) == d.range.end {
        last - 1
    } else {
        last
    };
    let lines: Vec<u32> = if last - first > 5 {
        vec![first, first + 1, u32::MAX, last - 1, last]
    } else {
        (first..=last).collect()
    };
    for line in lines {
        if line == u32::MAX {
            writeln!(out, "{}", style.paint(blue, "..."))?;
            continue;
        }
        let lr = idx.line_range(text, line);
        let content = slice(text, lr);
        let shown: String = content
            .chars()
            .map(|c| {
                if c == '\t' {
                    "    ".to_string()
                } else if char_width(c) == 0 && c != '\u{200d}' && (c as u32) < 0x20 {
                    " ".into()
                } else {
                    c.to_string()
                }
            })
            .collect();
        writeln!(
            out,
            "{} {} {}",
            style.paint(blue, &format!("{:>gutter$}", line + 1)),
            style.paint(blue, "|"),
            shown.trim_end()
        )?;
        let s = d.range.start.max(lr.start).min(lr.end);
        let e = d.range.end.min(lr.end).max(s);
        let pad = str_width(slice(text, crate::text::TextRange::new(lr.start, s)), TAB);
        let width = str_width(slice(text, crate::text::TextRange::new(s, e)), TAB).max(1);
        writeln!(
            out,
            "{} {} {}{}",
            " ".repeat(gutter),
            style.paint(blue, "|"),
            " ".repeat(pad),
            style.paint(sev, &"^".repeat(width))
        )?;
    }
    if let Some(help) = &d.help {
        writeln!(
            out,
            "{} {} {}",
            " ".repeat(gutter),
            style.paint(blue, "="),
            format_args!("{} {help}", style.paint("1", &m("human.help")))
        )?;
    }
    for r in &d.related {
        let (rs, _) = report.positions(&r.file, r.range);
        let note = messages::render(
            style.locale,
            "human.related-line",
            &[("message", r.message.clone()), ("line", rs.line.to_string())],
        );
        writeln!(
            out,
            "{} {} {} {note}",
            " ".repeat(gutter),
            style.paint(blue, "="),
            style.paint("1", &m("human.note")),
        )?;
    }
    for f in &d.fixes {
        writeln!(
            out,
            "{} {} {} {} ({})",
            " ".repeat(gutter),
            style.paint(blue, "="),
            style.paint("1", &m("human.fix")),
            f.title,
            fix_note(f, style.locale)
        )?;
    }
    writeln!(out)
}

/// Renders every finding of every file (on up to `threads` threads), then a summary line.
pub fn render_all(out: &mut dyn Write, reports: &[FileReport], style: Style, threads: usize) -> io::Result<()> {
    let parts = super::render_parts(reports, threads, |r, buf| {
        r.diagnostics.iter().try_for_each(|d| render(buf, r, d, style))
    })?;
    for part in &parts {
        out.write_all(part)?;
    }
    let mut counts = [0usize; 4];
    let mut fixable = 0;
    let mut fixed = 0;
    for r in reports {
        fixed += r.fixed;
        for d in &r.diagnostics {
            counts[d.severity as usize] += 1;
            if d.fixes
                .iter()
                .any(|f| f.applicability == Applicability::Safe && f.is_resolved())
            {
                fixable += 1;
            }
        }
    }
    let total: usize = counts.iter().sum();
    let files = reports.iter().filter(|r| !r.diagnostics.is_empty()).count();
    let locale = style.locale;
    if fixed > 0 {
        writeln!(out, "{}", counted(locale, "summary.fixed", fixed))?;
    }
    if total == 0 {
        writeln!(
            out,
            "{} {}",
            style.paint("1;32", "✓"),
            counted(locale, "summary.clean", reports.len())
        )?;
        return Ok(());
    }
    let parts = [
        (Severity::Error, "summary.error"),
        (Severity::Warning, "summary.warning"),
        (Severity::Info, "summary.info"),
        (Severity::Hint, "summary.hint"),
    ]
    .into_iter()
    .filter(|(sev, _)| counts[*sev as usize] > 0)
    .map(|(sev, id)| counted(locale, id, counts[sev as usize]))
    .reduce(|a, b| messages::render(locale, "summary.list", &[("a", a), ("b", b)]))
    .unwrap_or_default();
    let found = messages::render(
        locale,
        "summary.found",
        &[
            ("problems", counted(locale, "summary.problems", total)),
            ("counts", parts),
            ("files", counted(locale, "summary.files", files)),
        ],
    );
    write!(out, "{found}")?;
    if fixable > 0 {
        let n = [("count", fixable.to_string())];
        write!(out, "{}", messages::render(locale, "summary.fixable", &n))?;
    }
    writeln!(out, "{}", messages::render(locale, "summary.end", &[]))
}
