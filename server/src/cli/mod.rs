//! The command line: `dockward check`, `dockward rule`, `dockward lsp`. A thin edge: it reads files,
//! calls the same `check()` as the language server, and renders the result.

pub mod check_cmd;
pub mod discover;
pub mod fmt_cmd;
pub mod output;
pub mod parallel;
pub mod rule_cmd;
pub mod width;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::rules::Rule;

/// Base URL of the rule documentation pages, when the build was given one (`DOCKWARD_DOCS_URL`); the
/// generated pages are in `server/docs/rules/` either way.
pub const DOCS_URL: Option<&str> = option_env!("DOCKWARD_DOCS_URL");

/// The documentation URL of a rule, when a documentation site is configured.
pub fn rule_url(r: &Rule) -> Option<String> {
    DOCS_URL.map(|base| format!("{}/{}", base.trim_end_matches('/'), r.doc_file()))
}

/// The version line: the crate version and the dates of the embedded data.
pub fn version() -> String {
    let oi = crate::data::official_images_snapshot();
    let eol = crate::data::eol_snapshot();
    format!(
        "{} (official images: {}; end-of-life data: {})",
        env!("CARGO_PKG_VERSION"),
        oi,
        eol
    )
}

#[derive(Parser, Debug)]
#[command(
    name = "dockward",
    about = "Finds security problems in Dockerfiles and .dockerignore files, and fixes them.",
    disable_version_flag = true
)]
struct Cli {
    /// Print the version and the dates of the embedded data.
    #[arg(short = 'V', long, global = false)]
    version: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check Dockerfiles (files, or directories searched for Dockerfile, Containerfile, *.Dockerfile,
    /// Dockerfile.*).
    Check(Box<CheckArgs>),
    /// Show a rule's documentation, or list all rules.
    Rule(RuleArgs),
    /// Run the language server on stdio (for editors).
    Lsp(LspArgs),
    /// Format Dockerfiles in place (`--check`: only report the files that would change).
    Fmt(fmt_cmd::FmtArgs),
}

#[derive(Args, Debug)]
pub struct LspArgs {
    /// Communicate over stdio (the default and only transport; accepted because clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// Output format of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

/// When to color the human output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Lowest severity that makes `check` exit with 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    Error,
    Warning,
    Info,
    Hint,
    /// Never fail because of findings.
    None,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The date to check end-of-life data against (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Exit with 1 when a finding has at least this severity.
    /// [default: warning, or `fail-level` in .dockward.toml]
    #[arg(long, value_enum)]
    pub fail_level: Option<FailLevel>,
    /// Build context directory for every Dockerfile (default: each Dockerfile's folder).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// Apply safe fixes to the files.
    #[arg(long)]
    pub fix: bool,
    /// With --fix, apply unsafe fixes too.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// With --fix, ask the registries for the digests that digest-pinning fixes need (the only time
    /// dockward uses the network; anonymous, nothing else is sent).
    #[arg(long, requires = "fix")]
    pub resolve_digests: bool,
    /// Ask URL instead of registry DOMAIN when resolving digests, e.g. docker.io=https://mirror.gcr.io
    /// (repeatable).
    #[arg(long, value_name = "DOMAIN=URL")]
    pub registry_mirror: Vec<String>,
    /// A registry host (host or host:port) that may be reached over plain http (repeatable).
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// Seconds each registry request may take [default: 10].
    #[arg(long, value_name = "SECONDS")]
    pub registry_timeout: Option<f64>,
    /// Run only these rules (codes, prefixes like DW1, names or tags; comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Run these rules besides the selection; opt-in rules (such as DW104) must be named here or in
    /// --select by code or name.
    #[arg(long, value_delimiter = ',', value_name = "SELECT")]
    pub extend_select: Vec<String>,
    /// Skip these rules (same forms as --select).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Ignore suppression comments (`# dockward ignore=`, `# hadolint ignore=`, `# check=skip=`).
    #[arg(long)]
    pub disable_pragmas: bool,
    /// The build target stage (docker build --target).
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,
    /// Language of messages (en, ja); default from LC_ALL/LC_MESSAGES/LANG, else English.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Color the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Files checked at once (default: one per CPU). `--fix` and `--resolve-digests` check one at a time.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<std::num::NonZeroUsize>,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// Rule code or name, for example DW001 or syntax-error.
    pub rule: Option<String>,
    /// List every rule.
    #[arg(long, conflicts_with = "rule")]
    pub all: bool,
    /// Print as JSON (always English `summary` and `doc`, with `summary_ja` and `doc_ja` beside them).
    #[arg(long)]
    pub json: bool,
    /// Language of the documentation (en, ja); default from LC_ALL/LC_MESSAGES/LANG, else English.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

/// Process-level facts the CLI reads at the edge: the environment and whether stdout is a terminal.
pub struct Env {
    pub vars: Vec<(String, String)>,
    pub stdout_is_terminal: bool,
    /// Today's date from the system clock (UTC).
    pub today: crate::date::Date,
}

impl Env {
    /// Reads the real process environment.
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Env {
            vars: std::env::vars().collect(),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            today: crate::date::Date::from_days_since_epoch((secs / 86_400) as i64),
        }
    }

    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The locale from `LC_ALL`, `LC_MESSAGES`, then `LANG`.
    pub fn locale(&self) -> Option<crate::messages::Locale> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|k| self.var(k))
            .and_then(crate::messages::Locale::from_tag)
    }
}

/// The locale of a command: `--lang` when given, else the environment's ([`Env::locale`]), else English.
/// A `--lang` dockward does not speak is reported on `err` (in the environment's language) and gives
/// `None`: the command then exits with [`EXIT_ERROR`].
pub fn cli_locale(lang: Option<&str>, env: &Env, err: &mut dyn Write) -> Option<crate::messages::Locale> {
    let ambient = env.locale().unwrap_or_default();
    match lang {
        Some(l) => crate::messages::Locale::from_tag(l).or_else(|| {
            let args = [("lang", format!("{l:?}"))];
            let _ = writeln!(err, "{}", crate::messages::render(ambient, "cli.unknown-lang", &args));
            None
        }),
        None => Some(ambient),
    }
}

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Runs the CLI with `args` (program name first), writing to `out` and `err`; returns the exit code.
pub fn run(args: Vec<OsString>, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // An editor starts the server with exactly these arguments: the server starts without the argument
    // parser, whose code is a few hundred kilobytes the server would otherwise page in for nothing
    // (the server's peak memory is one of its targets). Anything else goes through the parser.
    if is_plain_lsp(&args) {
        let _ = out.flush();
        return crate::lsp::run_stdio();
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = if e.use_stderr() {
                write!(err, "{}", e.render())
            } else {
                write!(out, "{}", e.render())
            };
            return code;
        }
    };
    if cli.version {
        let _ = writeln!(out, "dockward {}", version());
        return EXIT_OK;
    }
    match cli.command {
        Some(Command::Check(a)) => check_cmd::run(&a, env, out, err),
        Some(Command::Rule(a)) => rule_cmd::run(&a, env, out, err),
        Some(Command::Fmt(a)) => fmt_cmd::run(&a, env, out, err),
        Some(Command::Lsp(_)) => {
            let _ = out.flush();
            crate::lsp::run_stdio()
        }
        None => {
            let _ = writeln!(
                err,
                "dockward {}\n\nUsage: dockward <check|rule|lsp> ...   (dockward --help for details)",
                version()
            );
            EXIT_ERROR
        }
    }
}

/// `dockward lsp` or `dockward lsp --stdio`, which the argument parser reads as `Command::Lsp`.
fn is_plain_lsp(args: &[OsString]) -> bool {
    match args {
        [_, lsp] => lsp == "lsp",
        [_, lsp, stdio] => lsp == "lsp" && stdio == "--stdio",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    /// The server's start without the argument parser is taken exactly for arguments that the parser
    /// reads as `lsp` with nothing else; help, repeated flags and other commands still go through it.
    #[test]
    fn plain_lsp_arguments_are_those_the_parser_reads_as_lsp() {
        for plain in [&["dockward", "lsp"][..], &["dockward", "lsp", "--stdio"]] {
            assert!(is_plain_lsp(&args(plain)), "{plain:?}");
            let cli = Cli::try_parse_from(args(plain)).expect("parses");
            assert!(
                matches!(cli.command, Some(Command::Lsp(_))) && !cli.version,
                "{plain:?}"
            );
        }
        for other in [
            &["dockward"][..],
            &["dockward", "lsp", "--help"],
            &["dockward", "lsp", "--stdio", "--stdio"],
            &["dockward", "--version", "lsp"],
            &["dockward", "check", "lsp"],
            &["dockward", "LSP"],
        ] {
            assert!(!is_plain_lsp(&args(other)), "{other:?}");
        }
    }
}
