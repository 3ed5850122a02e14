//! The configuration schema, shared by `.dockward.toml`, the editor's `dockward` settings section and
//! the CLI: parsing and merging are pure; finding the file on disk is the edges' job.
//!
//! ```toml
//! select = ["ALL"]                      # rules to run: codes, prefixes (DW1), names, tags
//! extend-select = ["DW104"]             # rules to run besides those (opt-in rules are named here)
//! ignore = ["DW005"]                    # rules to skip
//! trusted-registries = ["ghcr.io/my-org/"]
//! fail-level = "warning"                # CLI exit threshold: error, warning, info, hint, none
//! locale = "ja"                         # en or ja
//! target = "runtime"                    # the stage `docker build --target` builds
//! disable-pragmas = false               # ignore suppression comments
//!
//! [inlay-hints]                         # editor inlay hints (all true by default)
//! values = true                         # `= node:22.1` after a FROM that uses variables
//! user = true                           # `user: root` at the end of each stage
//! eol = true                            # `EOL 2027-04-30` beside an image
//!
//! [severity]                            # per-rule severity overrides
//! DW005 = "error"
//!
//! [contexts]                            # build context of a Dockerfile (paths relative to this file)
//! "docker/api.Dockerfile" = "."
//!
//! [format]                              # `dockward fmt` and editor formatting
//! keyword-case = "auto"                 # auto (the file's dominant case), upper, lower, preserve
//! continuation-indent = 4               # spaces, or "tab"; default: the editor's, else 4 spaces
//! max-blank-lines = 1                   # blank lines kept between instructions
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::messages::{self, Locale};
use crate::settings::Settings;

/// The name of the project configuration file, searched upward from a Dockerfile.
pub const FILE_NAME: &str = ".dockward.toml";

/// Configuration as written; every key is optional, so layers can be merged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub severity: Option<BTreeMap<String, String>>,
    pub trusted_registries: Option<Vec<String>>,
    pub fail_level: Option<String>,
    pub locale: Option<String>,
    pub target: Option<String>,
    pub disable_pragmas: Option<bool>,
    /// Dockerfile path (relative to the configuration file) → build context directory (relative too).
    pub contexts: Option<BTreeMap<String, String>>,
    pub inlay_hints: Option<InlayHintsConfig>,
    pub format: Option<FormatConfig>,
}

/// The formatter's settings as written (`[format]` in TOML, `dockward.format` in the editor).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FormatConfig {
    #[serde(alias = "keywordCase")]
    pub keyword_case: Option<String>,
    #[serde(alias = "continuationIndent")]
    pub continuation_indent: Option<IndentConfig>,
    #[serde(alias = "maxBlankLines")]
    pub max_blank_lines: Option<f64>,
}

/// A continuation indent: a number of spaces, or `"tab"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum IndentConfig {
    Spaces(f64),
    Word(String),
}

impl Eq for FormatConfig {}

impl FormatConfig {
    /// `self` with `over`'s keys taking precedence.
    fn merged(&self, over: &FormatConfig) -> FormatConfig {
        FormatConfig {
            keyword_case: over.keyword_case.clone().or_else(|| self.keyword_case.clone()),
            continuation_indent: over
                .continuation_indent
                .clone()
                .or_else(|| self.continuation_indent.clone()),
            max_blank_lines: over.max_blank_lines.or(self.max_blank_lines),
        }
    }

    /// The engine's formatter settings; invalid values are warnings and fall back to the defaults.
    fn to_settings(&self, locale: Locale, warnings: &mut Vec<String>) -> crate::settings::FormatSettings {
        let m = |id: &str, value: String| messages::render(locale, id, &[("value", value)]);
        use crate::settings::{FormatSettings, KeywordCase};
        let keyword_case = match &self.keyword_case {
            None => KeywordCase::Auto,
            Some(k) => KeywordCase::parse(k).unwrap_or_else(|| {
                warnings.push(m("config.format-keyword-case", k.clone()));
                KeywordCase::Auto
            }),
        };
        let whole = |n: f64, max: f64| (n.fract() == 0.0 && (0.0..=max).contains(&n)).then_some(n as u32);
        let continuation_indent = match &self.continuation_indent {
            None => None,
            Some(IndentConfig::Word(w)) if w.eq_ignore_ascii_case("tab") => Some("\t".to_string()),
            Some(IndentConfig::Spaces(n)) if whole(*n, 16.0).is_some() => Some(" ".repeat(*n as usize)),
            Some(other) => {
                warnings.push(m("config.format-continuation-indent", format!("{other:?}")));
                None
            }
        };
        let max_blank_lines = match self.max_blank_lines {
            None => None,
            Some(n) => whole(n, 100.0).or_else(|| {
                warnings.push(m("config.format-max-blank-lines", n.to_string()));
                None
            }),
        };
        FormatSettings {
            keyword_case,
            continuation_indent,
            max_blank_lines,
        }
    }
}

/// Which inlay hints the language server shows; a missing key keeps the layer below (default true).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InlayHintsConfig {
    pub values: Option<bool>,
    pub user: Option<bool>,
    pub eol: Option<bool>,
}

impl InlayHintsConfig {
    fn merged(self, over: InlayHintsConfig) -> InlayHintsConfig {
        InlayHintsConfig {
            values: over.values.or(self.values),
            user: over.user.or(self.user),
            eol: over.eol.or(self.eol),
        }
    }
}

/// The editor settings section `dockward`, in the camelCase editors use; converted to [`Config`].
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSettings {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub severity: Option<BTreeMap<String, String>>,
    pub trusted_registries: Option<Vec<String>>,
    pub fail_level: Option<String>,
    pub locale: Option<String>,
    pub target: Option<String>,
    pub disable_pragmas: Option<bool>,
    pub contexts: Option<BTreeMap<String, String>>,
    pub inlay_hints: Option<InlayHintsConfig>,
    /// How formatting lays out Dockerfiles (`keywordCase`, `continuationIndent`, `maxBlankLines`).
    pub format: Option<FormatConfig>,
    /// `auto` (default), `push` or `pull`: how the language server delivers diagnostics.
    pub diagnostic_mode: Option<String>,
    /// Where registries are, for the digest lookups the user asks for. Read from the editor's (user)
    /// settings and the command line only, never from `.dockward.toml`: a repository must not choose
    /// where dockward fetches the digests it pins.
    pub registry: Option<RegistrySettings>,
}

/// Registry access for digest lookups (`dockward.registry` in the editor; `--registry-mirror`,
/// `--insecure-registry`, `--registry-timeout` on the command line).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrySettings {
    /// Registry domain (`docker.io`, `ghcr.io`) → base URL to ask instead (a mirror or pull-through cache).
    pub mirrors: Option<BTreeMap<String, String>>,
    /// Hosts (`host` or `host:port`) that may be reached over plain http.
    pub insecure: Option<Vec<String>>,
    /// Seconds each request may take (default 10).
    pub timeout: Option<f64>,
    /// Never contact a registry: digest fixes stay unavailable.
    pub offline: Option<bool>,
}

impl From<ClientSettings> for Config {
    fn from(c: ClientSettings) -> Config {
        Config {
            select: c.select,
            extend_select: c.extend_select,
            ignore: c.ignore,
            severity: c.severity,
            trusted_registries: c.trusted_registries,
            fail_level: c.fail_level,
            locale: c.locale,
            target: c.target,
            disable_pragmas: c.disable_pragmas,
            contexts: c.contexts,
            // `{}` (the editor's default) sets nothing.
            inlay_hints: c.inlay_hints.filter(|h| *h != InlayHintsConfig::default()),
            format: c.format,
        }
    }
}

/// A problem in a configuration, with where it is when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Config {
    /// Parses `.dockward.toml` text.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let mut message = e.to_string().trim().to_string();
            if message.contains("unknown field `registry`") {
                message.push_str(
                    "\nregistry settings are not read from .dockward.toml: a repository must not choose where \
                     pinned digests come from; use the editor's user settings (`dockward.registry`) or \
                     --registry-mirror / --insecure-registry",
                );
            }
            ConfigError { message }
        })
    }

    /// Parses the editor's `dockward` settings object; unknown keys are ignored (editors add their own).
    pub fn from_client_json(value: &serde_json::Value) -> Result<(Config, ClientSettings), ConfigError> {
        if value.is_null() {
            return Ok((Config::default(), ClientSettings::default()));
        }
        let c: ClientSettings =
            serde_json::from_value(value.clone()).map_err(|e| ConfigError { message: e.to_string() })?;
        Ok((c.clone().into(), c))
    }

    /// `self` with `over`'s keys taking precedence.
    pub fn merged(&self, over: &Config) -> Config {
        Config {
            select: over.select.clone().or_else(|| self.select.clone()),
            extend_select: over.extend_select.clone().or_else(|| self.extend_select.clone()),
            ignore: over.ignore.clone().or_else(|| self.ignore.clone()),
            severity: match (&self.severity, &over.severity) {
                (Some(a), Some(b)) => Some(a.iter().chain(b).map(|(k, v)| (k.clone(), v.clone())).collect()),
                (a, b) => b.clone().or_else(|| a.clone()),
            },
            trusted_registries: over
                .trusted_registries
                .clone()
                .or_else(|| self.trusted_registries.clone()),
            fail_level: over.fail_level.clone().or_else(|| self.fail_level.clone()),
            locale: over.locale.clone().or_else(|| self.locale.clone()),
            target: over.target.clone().or_else(|| self.target.clone()),
            disable_pragmas: over.disable_pragmas.or(self.disable_pragmas),
            contexts: over.contexts.clone().or_else(|| self.contexts.clone()),
            inlay_hints: match (self.inlay_hints, over.inlay_hints) {
                (Some(a), Some(b)) => Some(a.merged(b)),
                (a, b) => b.or(a),
            },
            format: match (&self.format, &over.format) {
                (Some(a), Some(b)) => Some(a.merged(b)),
                (a, b) => b.clone().or_else(|| a.clone()),
            },
        }
    }

    /// Engine settings from this configuration; problems (unknown severities or locales) are returned
    /// as warnings and the offending keys ignored.
    /// The warnings are in the resulting locale (`default_locale` when this configuration names none,
    /// or names one dockward does not speak).
    pub fn to_settings(&self, default_locale: Locale) -> (Settings, Vec<String>) {
        let mut warnings = Vec::new();
        let locale = match &self.locale {
            Some(l) => Locale::from_tag(l).unwrap_or_else(|| {
                warnings.push(messages::render(
                    default_locale,
                    "config.locale-unknown",
                    &[("value", l.clone())],
                ));
                default_locale
            }),
            None => default_locale,
        };
        let mut severity = Vec::new();
        for (k, v) in self.severity.iter().flatten() {
            match Severity::parse(v) {
                Some(s) => severity.push((k.clone(), s)),
                None => warnings.push(messages::render(
                    locale,
                    "config.severity-unknown",
                    &[("key", k.clone()), ("value", v.clone())],
                )),
            }
        }
        for sel in self
            .select
            .iter()
            .flatten()
            .chain(self.extend_select.iter().flatten())
            .chain(self.ignore.iter().flatten())
            .chain(severity.iter().map(|(k, _)| k))
        {
            if !Settings::selector_is_known(sel) {
                warnings.push(messages::render(
                    locale,
                    "config.selector-unknown",
                    &[("selector", sel.clone())],
                ));
            }
        }
        let settings = Settings {
            select: self.select.clone(),
            extend_select: self.extend_select.clone().unwrap_or_default(),
            ignore: self.ignore.clone().unwrap_or_default(),
            severity,
            trusted_registries: self.trusted_registries.clone().unwrap_or_default(),
            locale,
            target: self.target.clone(),
            disable_pragmas: self.disable_pragmas.unwrap_or(false),
            inlay_hints: {
                let h = self.inlay_hints.unwrap_or_default();
                crate::settings::InlayHints {
                    values: h.values.unwrap_or(true),
                    user: h.user.unwrap_or(true),
                    eol: h.eol.unwrap_or(true),
                }
            },
            format: self
                .format
                .as_ref()
                .map(|f| f.to_settings(locale, &mut warnings))
                .unwrap_or_default(),
        };
        (settings, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_client_settings_share_one_schema() {
        let toml = r#"
select = ["ALL"]
ignore = ["DW005"]
trusted-registries = ["ghcr.io/acme/"]
locale = "ja"
disable-pragmas = true
[severity]
DW005 = "error"
syntax = "warning"
[contexts]
"docker/api.Dockerfile" = "."
"#;
        let c = Config::from_toml(toml).unwrap();
        let (s, warnings) = c.to_settings(Locale::En);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(s.locale, Locale::Ja);
        assert!(s.disable_pragmas);
        assert_eq!(s.trusted_registries, vec!["ghcr.io/acme/"]);
        assert_eq!(c.contexts.unwrap()["docker/api.Dockerfile"], ".");
        let json = serde_json::json!({ "ignore": ["DW005"], "severity": { "DW005": "error" }, "trustedRegistries": ["ghcr.io/acme/"], "diagnosticMode": "push", "editorOnly": 1 });
        let (jc, client) = Config::from_client_json(&json).unwrap();
        assert_eq!(client.diagnostic_mode.as_deref(), Some("push"));
        assert_eq!(
            jc.trusted_registries.as_deref(),
            Some(&["ghcr.io/acme/".to_string()][..])
        );
    }

    #[test]
    fn registry_settings_come_only_from_the_user() {
        let e = Config::from_toml("[registry]\nmirrors = { \"docker.io\" = \"http://evil\" }\n").unwrap_err();
        assert!(e.message.contains("must not choose"), "{e}");
        let json = serde_json::json!({ "registry": { "mirrors": { "docker.io": "https://mirror.gcr.io" }, "insecure": ["localhost:5000"], "timeout": 3.5 } });
        let (_, client) = Config::from_client_json(&json).unwrap();
        let r = client.registry.unwrap();
        assert_eq!(r.mirrors.unwrap()["docker.io"], "https://mirror.gcr.io");
        assert_eq!(r.timeout, Some(3.5));
    }

    #[test]
    fn errors_and_warnings_are_reported() {
        let e = Config::from_toml("selct = [\"ALL\"]\n").unwrap_err();
        assert!(e.message.contains("selct"), "{e}");
        let c = Config::from_toml("[severity]\nDW001 = \"loud\"\nDW999 = \"error\"\n").unwrap();
        let (_, warnings) = c.to_settings(Locale::En);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn inlay_hint_settings_merge_key_by_key_and_default_to_true() {
        let project = Config::from_toml("[inlay-hints]\nuser = false\neol = false\n").unwrap();
        let json = serde_json::json!({ "inlayHints": { "eol": true } });
        let (client, _) = Config::from_client_json(&json).unwrap();
        let (s, warnings) = project.merged(&client).to_settings(Locale::En);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            s.inlay_hints,
            crate::settings::InlayHints {
                values: true,
                user: false,
                eol: true
            }
        );
        assert_eq!(
            Config::default().to_settings(Locale::En).0.inlay_hints,
            Default::default()
        );
        assert!(
            Config::from_toml("[inlay-hints]\nvalue = true\n").is_err(),
            "typos are reported"
        );
    }

    #[test]
    fn later_layers_win() {
        let base =
            Config::from_toml("ignore = [\"DW005\"]\nlocale = \"ja\"\n[severity]\nDW001 = \"warning\"\n").unwrap();
        let over = Config::from_toml("locale = \"en\"\n[severity]\nDW002 = \"info\"\n").unwrap();
        let m = base.merged(&over);
        assert_eq!(m.locale.as_deref(), Some("en"));
        assert_eq!(m.ignore.as_deref(), Some(&["DW005".to_string()][..]));
        assert_eq!(m.severity.unwrap().len(), 2);
    }

    #[test]
    fn format_settings_from_toml_and_the_editor() {
        use crate::settings::KeywordCase;
        let c = Config::from_toml("[format]\nkeyword-case = \"lower\"\ncontinuation-indent = 2\nmax-blank-lines = 0\n")
            .unwrap();
        let (s, warnings) = c.to_settings(Locale::En);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(s.format.keyword_case, KeywordCase::Lower);
        assert_eq!(s.format.continuation_indent.as_deref(), Some("  "));
        assert_eq!(s.format.max_blank_lines, Some(0));
        assert!(Config::from_toml("[format]\nkeyword-kase = \"lower\"\n").is_err());
        // The editor's keys override the file's one by one.
        let json = serde_json::json!({ "format": { "keywordCase": "preserve", "continuationIndent": "tab" } });
        let (jc, _) = Config::from_client_json(&json).unwrap();
        let (s, _) = c.merged(&jc).to_settings(Locale::En);
        assert_eq!(s.format.keyword_case, KeywordCase::Preserve);
        assert_eq!(s.format.continuation_indent.as_deref(), Some("\t"));
        assert_eq!(s.format.max_blank_lines, Some(0));
        // Invalid values are warnings, and the defaults stand.
        let bad =
            serde_json::json!({ "format": { "keywordCase": "shout", "continuationIndent": 2.5, "maxBlankLines": -1 } });
        let (jc, _) = Config::from_client_json(&bad).unwrap();
        let (s, warnings) = jc.to_settings(Locale::En);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(s.format, crate::settings::FormatSettings::default());
    }
}
