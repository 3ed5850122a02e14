//! `dockward fmt [--check] [paths]`: formats Dockerfiles in place with the language server's formatter
//! (`ide::format`) and the `[format]` settings of the nearest `.dockward.toml`. `--check` writes nothing
//! and exits with 1 when a file would change (for CI). Files that are not valid UTF-8 are left alone:
//! rewriting them would replace their invalid bytes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Env, cli_locale, discover};
use crate::ide::format::{self, FormatOptions};
use crate::messages::{Locale, render};
use crate::settings::FormatSettings;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Dockerfiles, or directories searched for them (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that would change, and exit with 1 if any would.
    #[arg(long)]
    pub check: bool,
    /// Language of messages (en, ja); default from LC_ALL/LC_MESSAGES/LANG, else English.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

/// The formatter's options on the command line: the settings, four spaces by default.
pub fn options(s: &FormatSettings) -> FormatOptions {
    FormatOptions {
        keyword_case: s.keyword_case,
        indent: s.continuation_indent.clone().unwrap_or_else(|| "    ".into()),
        max_blank_lines: s.max_blank_lines.unwrap_or(1),
        ..FormatOptions::default()
    }
}

fn settings_for(path: &Path, locale: Locale, err: &mut dyn Write) -> FormatSettings {
    let dir = path.parent().unwrap_or(Path::new("."));
    let Some(p) = discover::project_file_for(dir) else {
        return FormatSettings::default();
    };
    match &p.config {
        Ok(c) => {
            let (s, warnings) = c.to_settings(locale);
            for w in warnings {
                let args = [("path", p.path.display().to_string()), ("message", w)];
                let _ = writeln!(err, "{}", render(locale, "cli.warning-in", &args));
            }
            s.format
        }
        Err(e) => {
            let args = [("path", p.path.display().to_string()), ("message", e.clone())];
            let _ = writeln!(err, "{}", render(locale, "cli.warning-in", &args));
            FormatSettings::default()
        }
    }
}

pub fn run(a: &FmtArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(locale) = cli_locale(a.lang.as_deref(), env, err) else {
        return EXIT_ERROR;
    };
    let paths = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let found = discover::find(&paths);
    let mut code = EXIT_OK;
    for e in &found.errors {
        let _ = writeln!(err, "error: {e}");
        code = EXIT_ERROR;
    }
    let (mut changed, mut total) = (0usize, 0usize);
    for path in &found.files {
        let shown = path.display().to_string();
        // Never written through a symbolic link: it could point anywhere.
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            let _ = writeln!(err, "{}", render(locale, "fmt.symlink", &[("path", shown)]));
            code = EXIT_ERROR;
            continue;
        }
        let text = match fs::read(path).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                let _ = writeln!(err, "{}", render(locale, "fmt.not-utf8", &[("path", shown)]));
                code = EXIT_ERROR;
                continue;
            }
            Err(e) => {
                let _ = writeln!(err, "error: {shown}: {}", discover::io_reason(&e));
                code = EXIT_ERROR;
                continue;
            }
        };
        total += 1;
        let opts = options(&settings_for(path, locale, err));
        let tree = crate::syntax::parse(&text);
        let edits = format::format(&text, &tree, &opts);
        if edits.is_empty() {
            continue;
        }
        changed += 1;
        if a.check {
            let _ = writeln!(out, "{}", render(locale, "fmt.would-reformat", &[("path", shown)]));
            continue;
        }
        match fs::write(path, format::apply(&text, &edits)) {
            Ok(()) => {
                let _ = writeln!(out, "{}", render(locale, "fmt.reformatted", &[("path", shown)]));
            }
            Err(e) => {
                let _ = writeln!(err, "error: {shown}: {}", discover::io_reason(&e));
                code = EXIT_ERROR;
            }
        }
    }
    let id = if a.check { "fmt.summary-check" } else { "fmt.summary" };
    let _ = writeln!(
        out,
        "{}",
        render(
            locale,
            id,
            &[("count", changed.to_string()), ("total", total.to_string())]
        )
    );
    if code == EXIT_OK && a.check && changed > 0 {
        EXIT_FINDINGS
    } else {
        code
    }
}
