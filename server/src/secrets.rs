//! What a secret looks like: by the name it is stored under, and by its value.
//!
//! - [`name_is_secret`] splits a variable name into words (`DB_PASSWORD`, `apiKey`, `npm-token`,
//!   `aws.secret.key`) and matches secret words, with the exclusions that official images and real
//!   projects need: `*_FILE`, `*_PATH`, `*_DIR`, `*_URL`, `*_HEADER`, `*_VERSION`, checksums, public
//!   `*_ID`s, and GPG key fingerprints (`GPG_KEY`, `NODE_GPG_KEYS`).
//! - [`value_kind`] recognises credential formats (cloud keys, forge and registry tokens, private key
//!   headers, JWTs, passwords in URLs).
//! - [`redact`] shows at most the first 4 characters of a secret: messages never print one.
//!
//! Pure functions over strings: no IO.

use std::sync::{LazyLock, OnceLock};

use regex::Regex;

/// Splits a name into lower-case words at `_`, `-`, `.`, spaces and lower→upper case changes.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if let Some(p) = prev
            && p.is_lowercase()
            && c.is_uppercase()
            && !cur.is_empty()
        {
            words.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
        prev = Some(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Words that name a secret by themselves.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "apikey",
    "credential",
    "credentials",
    "creds",
    "privatekey",
    "accesskey",
    "secretkey",
    "authtoken",
    "auth",
    "pat",
];

/// Words that make a following `key` a secret (`API_KEY`, `SIGNING_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "signing",
    "sign",
    "encryption",
    "encrypt",
    "crypto",
    "master",
    "ssh",
    "deploy",
    "license",
    "licence",
    "client",
    "app",
    "service",
    "account",
    "auth",
    "session",
    "jwt",
    "hmac",
    "storage",
    "admin",
    "root",
];

/// Last words that make the name about something else than the secret itself.
const NOT_THE_SECRET: &[&str] = &[
    "file",
    "files",
    "path",
    "dir",
    "directory",
    "url",
    "uri",
    "header",
    "version",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "checksum",
    "hash",
    "id",
    "ids",
    "name",
    "user",
    "username",
    "length",
    "len",
    "min",
    "max",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "type",
    "mode",
    "method",
    "policy",
    "endpoint",
    "host",
    "port",
    "prefix",
    "suffix",
    "format",
    "algorithm",
    "algo",
    "expiry",
    "expires",
    "ttl",
    "lifetime",
    "timeout",
    "count",
    "size",
    "location",
    "env",
    "var",
    "field",
    "param",
    "prompt",
    "hint",
    "regex",
    "pattern",
    "rotation",
    "server",
    "provider",
    "store",
    "manager",
    "helper",
];

/// Whether the variable `name` is meant to hold a secret.
pub fn name_is_secret(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if words
        .iter()
        .any(|w| w == "gpg" || w == "pgp" || w == "fingerprint" || w == "public" || w == "pub")
    {
        return false;
    }
    if NOT_THE_SECRET.contains(&last.as_str()) {
        return false;
    }
    // `PASS` is a secret word only as a whole word that is not part of a phrase like `PASS_THROUGH`.
    words.iter().enumerate().any(|(i, w)| {
        let w = w.as_str();
        match w {
            "key" | "keys" => {
                (i == 0 && words.len() == 1) || (i > 0 && KEY_QUALIFIERS.contains(&words[i - 1].as_str()))
            }
            // `PWD` alone is the working directory; `DB_PWD` is a password.
            "pwd" => words.len() > 1 && !words.iter().any(|w| w == "old"),
            "pat" => words
                .iter()
                .any(|w| w == "github" || w == "gitlab" || w == "docker" || w == "access"),
            // Glued words: `PGPASSWORD`, `dbpassword`, `githubtoken`.
            _ => {
                SECRET_WORDS.contains(&w)
                    || ["password", "passwd", "secret", "token", "apikey"]
                        .iter()
                        .any(|s| w.len() > s.len() + 1 && w.ends_with(s))
            }
        }
    })
}

/// A recognised credential format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    AwsAccessKeyId,
    GitHubToken,
    GitLabToken,
    SlackToken,
    StripeKey,
    GoogleApiKey,
    NpmToken,
    PypiToken,
    PrivateKey,
    Jwt,
    UrlPassword,
    OpenAiKey,
    HuggingFaceToken,
    SendGridKey,
    DockerHubToken,
}

impl ValueKind {
    /// Every kind, for catalog checks.
    pub const ALL: [ValueKind; 15] = [
        ValueKind::AwsAccessKeyId,
        ValueKind::GitHubToken,
        ValueKind::GitLabToken,
        ValueKind::SlackToken,
        ValueKind::StripeKey,
        ValueKind::GoogleApiKey,
        ValueKind::NpmToken,
        ValueKind::PypiToken,
        ValueKind::PrivateKey,
        ValueKind::Jwt,
        ValueKind::UrlPassword,
        ValueKind::OpenAiKey,
        ValueKind::HuggingFaceToken,
        ValueKind::SendGridKey,
        ValueKind::DockerHubToken,
    ];

    /// The message catalog id of the kind's name (`secret.kind.github-token`).
    pub fn message_id(self) -> &'static str {
        match self {
            ValueKind::AwsAccessKeyId => "secret.kind.aws-access-key-id",
            ValueKind::GitHubToken => "secret.kind.github-token",
            ValueKind::GitLabToken => "secret.kind.gitlab-token",
            ValueKind::SlackToken => "secret.kind.slack-token",
            ValueKind::StripeKey => "secret.kind.stripe-key",
            ValueKind::GoogleApiKey => "secret.kind.google-api-key",
            ValueKind::NpmToken => "secret.kind.npm-token",
            ValueKind::PypiToken => "secret.kind.pypi-token",
            ValueKind::PrivateKey => "secret.kind.private-key",
            ValueKind::Jwt => "secret.kind.jwt",
            ValueKind::UrlPassword => "secret.kind.url-password",
            ValueKind::OpenAiKey => "secret.kind.openai-key",
            ValueKind::HuggingFaceToken => "secret.kind.huggingface-token",
            ValueKind::SendGridKey => "secret.kind.sendgrid-key",
            ValueKind::DockerHubToken => "secret.kind.dockerhub-token",
        }
    }

    /// A short English name (`GitHub token`).
    pub fn label(self) -> &'static str {
        match self {
            ValueKind::AwsAccessKeyId => "AWS access key ID",
            ValueKind::GitHubToken => "GitHub token",
            ValueKind::GitLabToken => "GitLab token",
            ValueKind::SlackToken => "Slack token",
            ValueKind::StripeKey => "Stripe live key",
            ValueKind::GoogleApiKey => "Google API key",
            ValueKind::NpmToken => "npm token",
            ValueKind::PypiToken => "PyPI token",
            ValueKind::PrivateKey => "private key",
            ValueKind::Jwt => "JSON Web Token",
            ValueKind::UrlPassword => "password in a URL",
            ValueKind::OpenAiKey => "OpenAI API key",
            ValueKind::HuggingFaceToken => "Hugging Face token",
            ValueKind::SendGridKey => "SendGrid API key",
            ValueKind::DockerHubToken => "Docker Hub access token",
        }
    }
}

/// The credential formats. Word boundaries are ASCII (`(?-u:\b)`, written `\b` below and rewritten
/// when compiled): every format is ASCII, and ASCII boundaries keep the fast DFA engines usable.
///
/// Each format comes with its needles: literals that every match contains (all of the groups, any
/// literal of a group). A text without them cannot match, so its automaton is neither run nor, in a
/// one-file process, built: most values hold no needle at all. The test
/// `every_format_needs_its_needles` checks each needle against the pattern.
static FORMAT_TABLE: [(ValueKind, &[&[&str]], &str); FORMAT_COUNT] = [
    (
        ValueKind::AwsAccessKeyId,
        &[&["AKIA", "ASIA", "ABIA", "ACCA"]],
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
    ),
    (
        ValueKind::GitHubToken,
        &[&["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]],
        r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}",
    ),
    (ValueKind::GitLabToken, &[&["glpat-"]], r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    (ValueKind::SlackToken, &[&["xox"]], r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    (
        ValueKind::StripeKey,
        &[&["_live_"]],
        r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}",
    ),
    (ValueKind::GoogleApiKey, &[&["AIza"]], r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    (ValueKind::NpmToken, &[&["npm_"]], r"\bnpm_[A-Za-z0-9]{36}\b"),
    (ValueKind::PypiToken, &[&["pypi-AgE"]], r"\bpypi-AgE[A-Za-z0-9_\-]{50,}"),
    (
        ValueKind::PrivateKey,
        &[&["-----BEGIN "], &["PRIVATE KEY"]],
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
    ),
    (
        ValueKind::Jwt,
        &[&["eyJ"]],
        r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
    ),
    (
        ValueKind::OpenAiKey,
        &[&["sk-"]],
        r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{32,}",
    ),
    (ValueKind::HuggingFaceToken, &[&["hf_"]], r"\bhf_[A-Za-z0-9]{34}\b"),
    (
        ValueKind::SendGridKey,
        &[&["SG."]],
        r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b",
    ),
    (
        ValueKind::DockerHubToken,
        &[&["dckr_pat_"]],
        r"\bdckr_pat_[A-Za-z0-9_\-]{20,}",
    ),
    // scheme://user:password@host with a literal password (not a variable reference).
    (
        ValueKind::UrlPassword,
        &[&["://"], &["@"]],
        r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@$]+:[^/\s@$]{3,}@",
    ),
];

const FORMAT_COUNT: usize = 15;

fn ascii_boundaries(re: &str) -> String {
    re.replace(r"\b", r"(?-u:\b)")
}

/// Each format's automaton, built the first time a text holds the format's needles.
static FORMATS: [OnceLock<Option<Regex>>; FORMAT_COUNT] = [const { OnceLock::new() }; FORMAT_COUNT];

fn format_regex(i: usize) -> Option<&'static Regex> {
    let (_, _, re) = FORMAT_TABLE.get(i)?;
    FORMATS
        .get(i)?
        .get_or_init(|| Regex::new(&ascii_boundaries(re)).ok())
        .as_ref()
}

/// Every needle of every format in one automaton, and for each format, one bit set per group: a text can
/// hold format `i` only when each of its groups has a needle in the text. A single pass over the text
/// answers all fifteen formats (instead of one substring search per needle: this runs on every word
/// of every RUN, and was a third of a corpus check).
struct Needles {
    automaton: aho_corasick::AhoCorasick,
    /// Per format, per group, the bit set of the needles (by automaton pattern id) of that group.
    groups: Vec<Vec<u64>>,
}

static NEEDLES: LazyLock<Option<Needles>> = LazyLock::new(|| {
    let mut patterns: Vec<&str> = Vec::new();
    let mut groups = Vec::new();
    for (_, needle_groups, _) in &FORMAT_TABLE {
        let mut masks = Vec::new();
        for group in needle_groups.iter() {
            let mut mask = 0u64;
            for n in group.iter() {
                let id = patterns.iter().position(|p| p == n).unwrap_or_else(|| {
                    patterns.push(n);
                    patterns.len() - 1
                });
                mask |= 1u64.checked_shl(id as u32)?;
            }
            masks.push(mask);
        }
        groups.push(masks);
    }
    let automaton = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::Standard)
        .build(&patterns)
        .ok()?;
    Some(Needles { automaton, groups })
});

/// Which formats `text` may hold, as a bit set by format index (all of them if the automaton is missing).
fn candidate_formats(text: &str) -> u32 {
    let Some(needles) = NEEDLES.as_ref() else {
        return u32::MAX;
    };
    let mut seen = 0u64;
    for m in needles.automaton.find_overlapping_iter(text) {
        seen |= 1u64 << m.pattern().as_u32();
    }
    if seen == 0 {
        return 0;
    }
    let mut formats = 0u32;
    for (i, masks) in needles.groups.iter().enumerate() {
        if masks.iter().all(|m| seen & m != 0) {
            formats |= 1 << i;
        }
    }
    formats
}

/// The first credential found in `text`: its kind and byte range.
pub fn find_value(text: &str) -> Option<(ValueKind, std::ops::Range<usize>)> {
    let candidates = candidate_formats(text);
    if candidates == 0 {
        return None;
    }
    FORMAT_TABLE
        .iter()
        .enumerate()
        .filter(|(i, _)| candidates & (1 << i) != 0)
        .filter_map(|(i, (k, _, _))| {
            format_regex(i)?
                .find_iter(text)
                .find(|m| {
                    // A password in a URL must be followed by a host.
                    *k != ValueKind::UrlPassword
                        || text[m.end()..]
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '[')
                })
                .map(|m| {
                    // For a URL, the password alone: between the `:` after the user and the `@`.
                    if *k == ValueKind::UrlPassword {
                        let s = &text[m.range()];
                        let after_scheme = s.find("://").map_or(0, |i| i + 3);
                        let colon = s[after_scheme..]
                            .find(':')
                            .map_or(after_scheme, |i| after_scheme + i + 1);
                        let at = s.len() - 1;
                        return (*k, m.start() + colon..m.start() + at.max(colon));
                    }
                    (*k, m.range())
                })
        })
        .min_by_key(|(_, r)| r.start)
}

/// The credential format `value` contains, if any.
pub fn value_kind(value: &str) -> Option<ValueKind> {
    find_value(value).map(|(k, _)| k)
}

/// Shannon entropy of `s` in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// Whether a value under a secret-like name looks like a real secret rather than a placeholder, a
/// path, a variable or a switch: 12+ characters, no spaces, mixed character classes, entropy ≥ 3.
pub fn looks_random(value: &str) -> bool {
    let v = value.trim();
    if v.len() < 12 || v.contains(char::is_whitespace) || v.contains('$') || v.starts_with('/') {
        return false;
    }
    let classes = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    classes >= 2 && entropy(v) >= 3.0
}

/// Values that are obviously not secrets: empty, a variable reference, a path, a switch, a dummy
/// (`changeme`, `<token>`, `xxxx`, `00000000-0000-...`).
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let lower = v.to_ascii_lowercase();
    let mut distinct: Vec<char> = lower.chars().filter(char::is_ascii_alphanumeric).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let dummy = [
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "placeholder",
        "dummy",
        "example",
        "redacted",
    ]
    .iter()
    .any(|d| lower.contains(d))
        || lower.starts_with("your")
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || (v.len() >= 3 && distinct.len() <= 2);
    // GPG key ids and fingerprints, checksums: hex of those lengths (`key='B97B0AFC…'` in postgres).
    let hex = v.strip_prefix("0x").unwrap_or(v);
    let fingerprint = matches!(hex.len(), 16 | 40 | 64 | 128) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    dummy
        || fingerprint
        || v.is_empty()
        || v.starts_with('$')
        || v.starts_with('/')
        || v.starts_with("./")
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1" | "none" | "null" | "nil" | "-" | "''" | "\"\""
        )
}

/// What a file that holds secrets is, by its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretFile {
    /// `.env`, `.env.production` (not `.env.example`).
    EnvFile,
    /// `id_rsa`, `id_ed25519` (not `.pub`), or a `.ssh/` directory.
    SshKey,
    /// `*.pem`, `*.key`, `*.p12`, `*.pfx`, keystores (not certificates or GPG public keys).
    PrivateKey,
    /// `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `pip.conf`, `.pgpass`, `.my.cnf`.
    ToolConfig,
    /// `.aws/`, `.docker/config.json`, kubeconfig, `.kube/config`, gcloud credentials.
    CloudCredentials,
    /// `credentials.json`, `client_secret*.json`, service-account keys, `secrets.yml`, `.htpasswd`.
    CredentialsFile,
    /// `*.tfstate`: Terraform state holds every secret the configuration touched.
    TerraformState,
}

impl SecretFile {
    /// The message catalog id of the kind's name.
    pub fn message_id(self) -> &'static str {
        match self {
            SecretFile::EnvFile => "secret.file.env",
            SecretFile::SshKey => "secret.file.ssh-key",
            SecretFile::PrivateKey => "secret.file.private-key",
            SecretFile::ToolConfig => "secret.file.tool-config",
            SecretFile::CloudCredentials => "secret.file.cloud-credentials",
            SecretFile::CredentialsFile => "secret.file.credentials",
            SecretFile::TerraformState => "secret.file.tfstate",
        }
    }

    pub const ALL: [SecretFile; 7] = [
        SecretFile::EnvFile,
        SecretFile::SshKey,
        SecretFile::PrivateKey,
        SecretFile::ToolConfig,
        SecretFile::CloudCredentials,
        SecretFile::CredentialsFile,
        SecretFile::TerraformState,
    ];
}

/// Whether the file or directory at `path` (relative or absolute, `/`-separated) holds secrets.
pub fn secret_file(path: &str) -> Option<SecretFile> {
    let path = path.trim_end_matches('/');
    let comps: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_ascii_lowercase)
        .collect();
    let name = comps.last()?.as_str();
    let parent = comps.len().checked_sub(2).map(|i| comps[i].as_str());
    // Directories whose content is credentials.
    for (i, c) in comps.iter().enumerate() {
        let rest = &comps[i + 1..];
        match c.as_str() {
            ".ssh"
                if rest
                    .iter()
                    .all(|r| !r.ends_with(".pub") && r != "known_hosts" && r != "config") =>
            {
                return Some(SecretFile::SshKey);
            }
            ".aws" | ".gnupg" | ".azure" => return Some(SecretFile::CloudCredentials),
            _ => {}
        }
    }
    if name == ".env" || (name.starts_with(".env.") && !is_template(name)) {
        return Some(SecretFile::EnvFile);
    }
    if ["id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"]
        .iter()
        .any(|k| name.starts_with(k))
        && !name.ends_with(".pub")
    {
        return Some(SecretFile::SshKey);
    }
    if matches!(
        name,
        ".npmrc"
            | ".pypirc"
            | ".netrc"
            | "_netrc"
            | ".git-credentials"
            | ".pgpass"
            | ".my.cnf"
            | "pip.conf"
            | ".yarnrc.yml"
            | ".gem/credentials"
    ) {
        return Some(SecretFile::ToolConfig);
    }
    if (name == "config.json" && parent == Some(".docker"))
        || (name == "config" && parent == Some(".kube"))
        || name == "kubeconfig"
        || name.ends_with(".kubeconfig")
        || name == "application_default_credentials.json"
    {
        return Some(SecretFile::CloudCredentials);
    }
    if name == "credentials.json"
        || (name.starts_with("client_secret") && name.ends_with(".json"))
        || ((name.contains("service-account") || name.contains("service_account") || name.contains("serviceaccount"))
            && name.ends_with(".json"))
        || matches!(
            name,
            "secrets.yml" | "secrets.yaml" | "secrets.json" | ".htpasswd" | "htpasswd"
        )
    {
        return Some(SecretFile::CredentialsFile);
    }
    if name.ends_with(".tfstate") || name.ends_with(".tfstate.backup") {
        return Some(SecretFile::TerraformState);
    }
    let public_words = [
        "cert", "crt", "ca-", "ca.", "cacert", "chain", "bundle", "public", "pub", "gpg", "pgp", "asc", "dhparam",
        "root",
    ];
    let is_public = |n: &str| public_words.iter().any(|w| n.contains(w));
    if [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk"]
        .iter()
        .any(|e| name.ends_with(e))
        && !is_public(name)
    {
        return Some(SecretFile::PrivateKey);
    }
    None
}

/// `.env.example` and its kin hold no secrets.
fn is_template(name: &str) -> bool {
    ["example", "sample", "template", "dist", "defaults", "test", "ci"]
        .iter()
        .any(|w| name.ends_with(&format!(".{w}")) || name.contains(&format!(".{w}.")))
}

/// `value` with everything after its first 4 characters hidden (`ghp_…`).
pub fn redact(value: &str) -> String {
    let shown: String = value.chars().take(4).collect();
    if value.chars().count() <= 4 {
        "…".to_string()
    } else {
        format!("{shown}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The automaton's prefilter answers what one substring search per needle answers: every format
    /// whose every needle group has a needle in the text, on texts made of needles, their pieces and
    /// filler.
    #[test]
    fn the_needle_automaton_finds_the_formats_substring_search_finds() {
        assert!(NEEDLES.is_some(), "the needle automaton builds");
        let naive = |text: &str| {
            let mut formats = 0u32;
            for (i, (_, groups, _)) in FORMAT_TABLE.iter().enumerate() {
                if groups.iter().all(|g| g.iter().any(|n| text.contains(n))) {
                    formats |= 1 << i;
                }
            }
            formats
        };
        let pieces: Vec<&str> = FORMAT_TABLE
            .iter()
            .flat_map(|(_, groups, _)| groups.iter().flat_map(|g| g.iter().copied()))
            .chain(["x", " ", "://", "@", "-----BEGIN", "KEY", "ghp", "_", "AKI", "é"])
            .collect();
        let mut next = crate::testing::numbers_below();
        for _ in 0..20_000 {
            let text: String = (0..next(6)).map(|_| pieces[next(pieces.len())]).collect();
            assert_eq!(candidate_formats(&text), naive(&text), "{text:?}");
        }
    }

    #[test]
    fn every_credential_format_compiles() {
        for i in 0..FORMAT_COUNT {
            assert!(format_regex(i).is_some(), "format {i} does not compile");
        }
    }

    /// Every needle group is spelled by every top-level alternative of its pattern: a group's literal
    /// appears in the alternative outside a leading `(?:a|b|..)` choice, or, when the alternative starts
    /// with such a choice, every choice together with what follows it spells one of the group's
    /// literals (`(?:ghp|gho)_` needs both `ghp_` and `gho_`). The needles chosen lie in mandatory
    /// parts of the patterns (reviewed by hand: no needle sits inside an optional group).
    #[test]
    fn every_format_needs_its_needles() {
        for (kind, needles, re) in &FORMAT_TABLE {
            let unescaped = re.replace(r"\.", ".");
            for alternative in split_top_level(&unescaped) {
                for group in needles.iter() {
                    let spelled = match leading_choices(alternative) {
                        Some((choices, after)) => {
                            group.iter().any(|n| after.contains(n))
                                || choices.iter().all(|c| {
                                    group
                                        .iter()
                                        .any(|n| n.strip_prefix(c).is_some_and(|tail| after.starts_with(tail)))
                                })
                        }
                        None => group.iter().any(|n| alternative.contains(n)),
                    };
                    assert!(
                        spelled,
                        "{kind:?}: the alternative {alternative:?} does not spell any of {group:?}"
                    );
                }
            }
        }
    }

    /// The top-level `|` alternatives of a pattern (not those inside groups).
    fn split_top_level(re: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let (mut depth, mut start) = (0i32, 0);
        for (i, c) in re.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                '|' if depth == 0 => {
                    out.push(&re[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(&re[start..]);
        out
    }

    /// The choices of a leading `(?:a|b|..)` (after `\b`) and what follows the group.
    fn leading_choices(alt: &str) -> Option<(Vec<&str>, &str)> {
        let rest = alt.trim_start_matches(r"\b").strip_prefix("(?:")?;
        let (choices, after) = rest.split_once(')')?;
        Some((choices.split('|').collect(), after))
    }

    #[test]
    fn texts_without_needles_are_never_searched() {
        // No needle: no automaton runs, whatever the text looks like.
        assert_eq!(find_value("curl -fsSL https://example.com/install.sh | sh"), None);
        // Needles present: the automaton decides.
        assert_eq!(
            find_value("https://user:hunter2@example.com/").map(|(k, _)| k),
            Some(ValueKind::UrlPassword)
        );
        assert_eq!(find_value("git@github.com:org/repo.git https://example.com"), None);
    }

    #[test]
    fn names_split_into_words() {
        assert_eq!(name_words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(name_words("apiKey"), ["api", "key"]);
        assert_eq!(name_words("npm-token"), ["npm", "token"]);
        assert_eq!(name_words("aws.secret.accessKey"), ["aws", "secret", "access", "key"]);
        assert_eq!(name_words("GITHUB_PAT"), ["github", "pat"]);
        assert_eq!(name_words("__"), Vec::<String>::new());
    }

    #[test]
    fn secret_names() {
        for n in [
            "PASSWORD",
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "PGPASSWORD",
            "githubToken",
            "POSTGRES_PASS",
            "NPM_TOKEN",
            "GITHUB_TOKEN",
            "GITHUB_PAT",
            "API_KEY",
            "apiKey",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY",
            "SECRET",
            "SECRET_KEY_BASE",
            "CLIENT_SECRET",
            "PRIVATE_KEY",
            "SSH_PRIVATE_KEY",
            "SIGNING_KEY",
            "REGISTRY_CREDENTIALS",
            "AUTH_TOKEN",
            "PASSPHRASE",
            "KEY",
        ] {
            assert!(name_is_secret(n), "{n} should be a secret name");
        }
    }

    #[test]
    fn names_that_are_not_secrets() {
        for n in [
            "PASSWORD_FILE",
            "MYSQL_ROOT_PASSWORD_FILE",
            "TOKEN_PATH",
            "SECRETS_DIR",
            "TOKEN_URL",
            "AUTH_HEADER",
            "TOKEN_VERSION",
            "SECRET_SHA256",
            "CLIENT_ID",
            "AWS_ACCESS_KEY_ID",
            "GPG_KEY",
            "GPG_KEYS",
            "NODE_GPG_KEYS",
            "PYTHON_GPG_KEY",
            "PUBLIC_KEY",
            "KEY_FINGERPRINT",
            "KEYRING",
            "MONKEY",
            "PASSENGER_VERSION",
            "BYPASS",
            "COMPASS_HOME",
            "PATH",
            "AUTHOR",
            "PWD",
            "OLDPWD",
            "TOKENIZER",
            "PAT",
            "AUTH_TYPE",
            "OAUTH_CLIENT_ID",
        ] {
            assert!(!name_is_secret(n), "{n} should not be a secret name");
        }
    }

    #[test]
    fn credential_formats() {
        let cases: &[(&str, ValueKind)] = &[
            ("AKIAIOSFODNN7EXAMPLE", ValueKind::AwsAccessKeyId),
            ("ghp_0123456789abcdefghijklmnopqrstuvwxyz", ValueKind::GitHubToken),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU",
                ValueKind::GitHubToken,
            ),
            ("glpat-abcdefghij0123456789", ValueKind::GitLabToken),
            ("xoxb-1234567890-abcdefghij", ValueKind::SlackToken),
            ("sk_live_abcdefghijklmnopqrstuvwx", ValueKind::StripeKey),
            ("AIzaSyA-abcdefghijklmnopqrstuvwxyz01234", ValueKind::GoogleApiKey),
            ("npm_abcdefghijklmnopqrstuvwxyz0123456789", ValueKind::NpmToken),
            (
                "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejAxMjM0NQ",
                ValueKind::PypiToken,
            ),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", ValueKind::PrivateKey),
            ("-----BEGIN RSA PRIVATE KEY-----", ValueKind::PrivateKey),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                ValueKind::Jwt,
            ),
            (
                "https://deploy:s3cr3tPass@git.example.com/repo.git",
                ValueKind::UrlPassword,
            ),
            (
                "https://x-access-token:abc123def456@github.com/org/repo",
                ValueKind::UrlPassword,
            ),
            ("dckr_pat_abcdefghijklmnopqrstuvwxyz", ValueKind::DockerHubToken),
        ];
        for (v, k) in cases {
            assert_eq!(value_kind(v), Some(*k), "{v}");
        }
    }

    #[test]
    fn non_credentials() {
        for v in [
            "https://github.com/org/repo",
            "https://user:${TOKEN}@github.com",
            "https://user:$TOKEN@github.com",
            "git@github.com:org/repo.git",
            "B42F6819007F00F88E364FD4036A9C25BF357DD4",
            "3.12.1",
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "-----BEGIN PUBLIC KEY-----",
            "postgres://db:5432/app",
        ] {
            assert_eq!(value_kind(v), None, "{v}");
        }
    }

    #[test]
    fn randomness_and_placeholders() {
        assert!(looks_random("q8Z!r2v#Lm9x"));
        assert!(looks_random("4f9d8e7c6b5a4f3e2d1c0b9a8f7e6d5c"));
        assert!(!looks_random("changeme"));
        assert!(!looks_random("/run/secrets/db_password"));
        assert!(!looks_random("${DB_PASSWORD}"));
        assert!(!looks_random("aaaaaaaaaaaaaaaa"));
        assert!(is_placeholder(""));
        assert!(is_placeholder("$TOKEN"));
        assert!(is_placeholder("/run/secrets/x"));
        assert!(!is_placeholder("hunter2"));
        assert!(is_placeholder("00000000-0000-0000-0000-000000000000"));
        assert!(is_placeholder("FFFFFFFFFFFFFFFF0000000000000000"));
        assert!(is_placeholder("<your-token>"));
        assert!(is_placeholder("your_api_key_here"));
        assert!(is_placeholder("CHANGEME"));
        assert!(is_placeholder("xxxxxxxx"));
        assert!(!is_placeholder("admin"));
        assert!(is_placeholder("B97B0AFCAA1A47F044F244A07FCC7D46ACCC4CF8"));
        assert!(is_placeholder("0x7FCC7D46ACCC4CF8"));
        assert!(!is_placeholder("4f9d8e7c6b5a4f3e2d1c0b9a8f7e6d5c"));
    }

    #[test]
    fn secret_files_by_path() {
        let yes: &[(&str, SecretFile)] = &[
            (".env", SecretFile::EnvFile),
            ("./.env.production", SecretFile::EnvFile),
            ("config/.env.local", SecretFile::EnvFile),
            ("id_rsa", SecretFile::SshKey),
            ("/root/.ssh/id_ed25519", SecretFile::SshKey),
            (".ssh/", SecretFile::SshKey),
            ("deploy_key.pem", SecretFile::PrivateKey),
            ("certs/server.key", SecretFile::PrivateKey),
            ("app.p12", SecretFile::PrivateKey),
            (".npmrc", SecretFile::ToolConfig),
            (".pypirc", SecretFile::ToolConfig),
            (".netrc", SecretFile::ToolConfig),
            (".git-credentials", SecretFile::ToolConfig),
            (".aws/", SecretFile::CloudCredentials),
            (".aws/credentials", SecretFile::CloudCredentials),
            (".docker/config.json", SecretFile::CloudCredentials),
            ("kubeconfig", SecretFile::CloudCredentials),
            (".kube/config", SecretFile::CloudCredentials),
            ("credentials.json", SecretFile::CredentialsFile),
            ("gcp-service-account.json", SecretFile::CredentialsFile),
            (
                "client_secret_123.apps.googleusercontent.com.json",
                SecretFile::CredentialsFile,
            ),
            ("terraform.tfstate", SecretFile::TerraformState),
        ];
        for (p, k) in yes {
            assert_eq!(secret_file(p), Some(*k), "{p}");
        }
        for p in [
            ".env.example",
            ".env.sample",
            "id_rsa.pub",
            ".ssh/known_hosts",
            "ca.pem",
            "cacert.pem",
            "fullchain.pem",
            "server.crt",
            "nodesource.gpg.key",
            "repo-public.key",
            "config.json",
            "package.json",
            ".envrc",
            "environment.yml",
            "keys.txt",
            "src/",
            ".",
        ] {
            assert_eq!(secret_file(p), None, "{p}");
        }
    }

    #[test]
    fn every_kind_has_a_name_in_every_language() {
        let ids = ValueKind::ALL
            .iter()
            .map(|k| k.message_id())
            .chain(SecretFile::ALL.iter().map(|k| k.message_id()));
        for id in ids {
            for l in [crate::messages::Locale::En, crate::messages::Locale::Ja] {
                let s = crate::messages::render(l, id, &[]);
                assert!(!s.is_empty() && !s.starts_with("secret."), "{id} {l:?}: {s}");
            }
        }
    }

    #[test]
    fn redaction_shows_at_most_four_characters() {
        assert_eq!(redact("ghp_0123456789"), "ghp_…");
        assert_eq!(redact("abc"), "…");
        assert_eq!(redact("パスワード秘密"), "パスワー…");
        assert_eq!(redact(""), "…");
    }
}
