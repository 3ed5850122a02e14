//! Settings the engine reads: which rules run, their severities, trusted registries, the language, the
//! build target. The CLI and the language server build them from flags, `.dockward.toml` and client
//! configuration; the engine only reads them.

use crate::diagnostic::Severity;
use crate::messages::Locale;
use crate::rules::Rule;

/// Engine settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// Rules to run, by selector; `None` runs every rule. A selector is `ALL`, a code (`DW001`), a code
    /// prefix (`DW1`), a rule name (`syntax-error`) or a tag (`secrets`).
    pub select: Option<Vec<String>>,
    /// Rules to run besides the selection (the way to turn on an opt-in rule without restating
    /// `select`).
    pub extend_select: Vec<String>,
    /// Rules not to run, by selector (applied after `select`).
    pub ignore: Vec<String>,
    /// Severity per selector, overriding the rules' defaults (later entries win).
    pub severity: Vec<(String, Severity)>,
    /// Registries and repository prefixes the user trusts besides Docker Official Images
    /// (`ghcr.io/my-org/`, `registry.example.com`).
    pub trusted_registries: Vec<String>,
    pub locale: Locale,
    /// The stage `docker build --target` builds; the last stage when `None`.
    pub target: Option<String>,
    /// Ignore suppression comments (`# dockward ignore=`, `# hadolint ignore=`, `# check=skip=`), as a CI
    /// policy that every finding must be fixed or configured centrally.
    pub disable_pragmas: bool,
    /// Which inlay hints the language server shows.
    pub inlay_hints: InlayHints,
    /// How `dockward fmt` and the editor's formatting requests lay out a Dockerfile.
    pub format: FormatSettings,
}

/// The case instruction keywords are written in by the formatter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeywordCase {
    /// The file's dominant case: lower case when most keywords are lower case, else upper case.
    #[default]
    Auto,
    Upper,
    Lower,
    /// Keywords are left as written.
    Preserve,
}

impl KeywordCase {
    pub fn parse(s: &str) -> Option<KeywordCase> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Some(KeywordCase::Auto),
            "upper" => Some(KeywordCase::Upper),
            "lower" => Some(KeywordCase::Lower),
            "preserve" => Some(KeywordCase::Preserve),
            _ => None,
        }
    }
}

/// Formatter settings (`[format]` in `.dockward.toml`, `dockward.format` in the editor).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormatSettings {
    pub keyword_case: KeywordCase,
    /// The indentation of continuation lines; `None` takes the editor's tab size and spaces-or-tabs
    /// choice (four spaces on the command line).
    pub continuation_indent: Option<String>,
    /// The most blank lines kept between instructions (default 1).
    pub max_blank_lines: Option<u32>,
}

/// Which inlay hints the language server shows (`[inlay-hints]`, `dockward.inlayHints`); all by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlayHints {
    /// The image a `FROM` with variables resolves to.
    pub values: bool,
    /// The effective user at the end of each stage.
    pub user: bool,
    /// The end-of-life date beside an image.
    pub eol: bool,
}

impl Default for InlayHints {
    fn default() -> InlayHints {
        InlayHints {
            values: true,
            user: true,
            eol: true,
        }
    }
}

/// Whether `selector` designates `rule`.
pub fn matches(selector: &str, rule: &Rule) -> bool {
    let s = selector.trim();
    s.eq_ignore_ascii_case("ALL")
        || (s.len() >= 3 && rule.code.len() >= s.len() && rule.code[..s.len()].eq_ignore_ascii_case(s))
        || s == rule.name
        || rule.tags.contains(&s)
}

/// Whether `selector` turns `rule` on: [`matches`], except that an opt-in rule must be named by its code or
/// name.
pub fn selects(selector: &str, rule: &Rule) -> bool {
    if rule.opt_in {
        let s = selector.trim();
        s.eq_ignore_ascii_case(rule.code) || s == rule.name
    } else {
        matches(selector, rule)
    }
}

impl Settings {
    pub fn enabled(&self, rule: &Rule) -> bool {
        let selected = match &self.select {
            None => !rule.opt_in,
            Some(sel) => sel.iter().any(|s| selects(s, rule)),
        } || self.extend_select.iter().any(|s| selects(s, rule));
        selected && !self.ignore.iter().any(|s| matches(s, rule))
    }

    /// The severity the user configured for `rule`, if any (later entries win).
    pub fn configured_severity(&self, rule: &Rule) -> Option<Severity> {
        self.severity
            .iter()
            .rev()
            .find(|(s, _)| matches(s, rule))
            .map(|(_, sev)| *sev)
    }

    /// The severity of `rule`'s findings: configured, else the rule's default.
    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.configured_severity(rule).unwrap_or(rule.severity)
    }

    /// Whether a selector names at least one known rule (for warning about typos in configuration).
    pub fn selector_is_known(selector: &str) -> bool {
        crate::rules::RULES.iter().any(|r| matches(selector, r))
    }
}
