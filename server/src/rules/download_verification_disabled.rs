//! DW404 download-verification-disabled: TLS certificate or package signature checks turned off, or
//! packages fetched from plain-HTTP indexes (`curl -k`, `pip --trusted-host`, `NODE_TLS_REJECT_UNAUTHORIZED=0`,
//! `apk --allow-untrusted`, `yum --nogpgcheck`, `[trusted=yes]`, `pip --index-url http://...`).

use crate::diagnostic::{Applicability, FileRef, Fix, TextEdit};
use crate::model::VarDef;
use crate::rules::{Ctx, Sink, declare_rule, with_one_space};
use crate::shell::{Command, RunScript, Word};
use crate::syntax::ItemRef;
use crate::text::TextRange;

declare_rule! {
    /// TLS certificate or package signature verification is turned off, or packages come from a plain-HTTP index.
    ///
    /// ## What it does
    /// Reports, in `RUN` commands (heredoc scripts and `sh -c` strings included):
    /// - TLS certificate checks turned off: `curl -k` / `--insecure` (also inside `-kfsSL`),
    ///   `wget --no-check-certificate`, `pip install --trusted-host`, `uv --allow-insecure-host`,
    ///   `npm`/`yarn`/`pnpm config set strict-ssl false` (and `--strict-ssl=false`),
    ///   `git config http.sslVerify false`, `git -c http.sslVerify=false`, `conda config --set ssl_verify
    ///   false`, `conda --insecure`, yum/dnf `--setopt=sslverify=0`, apt `-o Acquire::https::Verify-Peer=false`;
    /// - package signature checks turned off: `apk add --allow-untrusted`, `apt-get --allow-unauthenticated`,
    ///   `--force-yes`, `--allow-insecure-repositories`, `-o APT::Get::AllowUnauthenticated=true`,
    ///   `-o Acquire::AllowInsecureRepositories=true`, yum/dnf/microdnf/tdnf `--nogpgcheck` and
    ///   `--setopt=gpgcheck=0`, `zypper --no-gpg-checks`, `rpm --nosignature` / `--nodigest`;
    /// - the same settings written into configuration files by `echo`, `printf`, `sed` or a heredoc:
    ///   `[trusted=yes]` in an apt sources line, `gpgcheck=0` or `sslverify=0` in a yum repository file,
    ///   `strict-ssl=false` in `.npmrc`, `trusted-host` in `pip.conf`, `check_certificate = off` in
    ///   `.wgetrc`, `insecure` in `.curlrc`;
    /// - environment settings, in `RUN` (`export X=...`, `X=... cmd`) and in `ENV` and `ARG`:
    ///   `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `NPM_CONFIG_STRICT_SSL=false`,
    ///   `YARN_ENABLE_STRICT_SSL=false`, `GIT_SSL_NO_VERIFY` (git honours it whatever its value),
    ///   `PIP_TRUSTED_HOST`, `UV_INSECURE_HOST`, `GOINSECURE`;
    /// - package indexes reached over plain HTTP: `pip install --index-url http://...` (`-i`,
    ///   `--extra-index-url`, `--find-links`), `PIP_INDEX_URL=http://...`, `npm config set registry
    ///   http://...`, `--registry=http://...`, `NPM_CONFIG_REGISTRY=http://...`. Loopback hosts are
    ///   not reported.
    ///
    /// Packages built earlier in the same build have no signature to check, so installing them is not
    /// reported: `apk add --allow-untrusted` of local `.apk` files when the `RUN` downloads nothing (the
    /// official nginx images install their modules this way; `apk index --allow-untrusted` only reads
    /// packages), and `[trusted=yes]` on a `file:` or `copy:` apt repository (the official postgres and
    /// nginx images build such a repository from packages compiled in the build). A package downloaded
    /// in an earlier `RUN` and installed with `--allow-untrusted` in a later one is not recognised.
    ///
    /// Plain `http://` apt mirrors (`deb http://deb.debian.org/debian ...`) are **not** reported: apt
    /// verifies the signed `Release` files of the repository with the keys in the image, so a mirror
    /// reached over HTTP cannot change a package without apt refusing it. That is the Debian and
    /// Ubuntu default. The same holds for yum and dnf repositories with `gpgcheck=1`.
    ///
    /// ## Why is this bad?
    /// TLS certificate checks and package signatures are what stop a machine in the middle (a corporate
    /// proxy, a hostile network, a hijacked mirror or DNS entry) from handing the build content of its
    /// choice. With them turned off, whatever comes back is installed and run as root in the build and
    /// shipped in the image. Settings kept in `ENV` (`NODE_TLS_REJECT_UNAUTHORIZED=0`) stay active in every
    /// container started from the image, turning off the checks of the application itself. A proxy
    /// that re-signs TLS traffic needs its CA certificate installed, not the checks turned off.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -kfsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    /// RUN pip install --trusted-host pypi.org --trusted-host files.pythonhosted.org -r requirements.txt
    /// ENV NODE_TLS_REJECT_UNAUTHORIZED=0
    /// RUN apk add --allow-untrusted --repository https://apk.example.com/v3.22/main tool
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # Trust the proxy's CA instead of turning the checks off.
    /// COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt
    /// RUN update-ca-certificates
    /// RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
    /// RUN pip install -r requirements.txt
    /// ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/corp-ca.crt
    /// COPY apk.example.com.rsa.pub /etc/apk/keys/
    /// RUN apk add --repository https://apk.example.com/v3.22/main tool
    /// ```
    ///
    /// ## Fix safety
    /// Where the setting is only an option of a command (`-k`, `--insecure`, `--no-check-certificate`,
    /// `--trusted-host <host>`, `--allow-insecure-host <host>`, `--allow-untrusted`,
    /// `--allow-unauthenticated`, `--force-yes`, `--allow-insecure-repositories`, `--nogpgcheck`,
    /// `--no-gpg-checks`, `--nosignature`, `--nodigest`, `--strict-ssl=false`, `conda --insecure`), the fix
    /// removes it with one adjoining space, and only the `k`s from a cluster such as `-kfsSL`. It is safe:
    /// the command then does what it does with the checks on, and fails where a check fails, which is the
    /// point. Settings in configuration files, `ENV`, `ARG` and `-o`/`--setopt` values have no fix: what
    /// replaces them (a CA certificate, a signing key) depends on the environment.
    ///
    /// ## References
    /// - CWE-295: Improper Certificate Validation; CWE-347: Improper Verification of Cryptographic
    ///   Signature; CWE-319: Cleartext Transmission of Sensitive Information; CWE-494: Download of Code
    ///   Without Integrity Check
    /// - CIS Docker Benchmark v1.6.0: 4.11 (ensure only verified packages are installed)
    /// - Checkov CKV2_DOCKER_2 (curl), CKV2_DOCKER_3 (wget), CKV2_DOCKER_4 (pip `--trusted-host`),
    ///   CKV2_DOCKER_5 (`PYTHONHTTPSVERIFY`), CKV2_DOCKER_6 (`NODE_TLS_REJECT_UNAUTHORIZED`),
    ///   CKV2_DOCKER_7 (apk), CKV2_DOCKER_8 and CKV2_DOCKER_11 (apt-get), CKV2_DOCKER_9 (yum/dnf
    ///   `--nogpgcheck`), CKV2_DOCKER_10 (rpm), CKV2_DOCKER_12 (`NPM_CONFIG_STRICT_SSL`), CKV2_DOCKER_13
    ///   (npm/yarn `strict-ssl`), CKV2_DOCKER_14 (`GIT_SSL_NO_VERIFY`), CKV2_DOCKER_15 (`sslverify`),
    ///   CKV2_DOCKER_16 (`PIP_TRUSTED_HOST`)
    /// - [apt-secure(8)](https://manpages.debian.org/apt-secure): why apt over HTTP is safe
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// TLS 証明書やパッケージ署名の検証が無効にされているか、平文 HTTP のインデックスからパッケージを取得しています。
    ///
    /// ### 検出内容
    /// `RUN` のコマンド (ヒアドキュメントや `sh -c` の文字列も含む) で、TLS 証明書の検証を無効にする指定 (`curl -k`、
    /// `wget --no-check-certificate`、`pip install --trusted-host`、`npm config set strict-ssl false`、
    /// `git config http.sslVerify false` など)、パッケージ署名の検証を無効にする指定 (`apk add --allow-untrusted`、
    /// `apt-get --allow-unauthenticated`、`--nogpgcheck` など)、平文 HTTP のパッケージインデックスを報告します。
    /// `ENV` に置かれた同種の設定 (`NODE_TLS_REJECT_UNAUTHORIZED=0` など) も対象です。
    ///
    /// ### なぜ問題か
    /// TLS 証明書の検証とパッケージ署名は、途中にいる者 (社内プロキシ、悪意あるネットワーク、
    /// 乗っ取られたミラーや DNS) が好きな内容をビルドに渡すのを防ぐ仕組みです。これを無効にすると、
    /// 返ってきたものが何であれビルド中に root でインストール・実行され、イメージに入って出荷されます。
    /// `ENV` に置いた設定はイメージから起動するすべてのコンテナでも有効なままで、
    /// アプリケーション自身の検証まで無効にします。
    ///
    /// ### 対処法
    /// 検証を無効にせず、TLS を中継するプロキシがあるならその CA 証明書をインストールしてくださ
    /// い (`update-ca-certificates`、`NODE_EXTRA_CA_CERTS` など)。パッケージは HTTPS のインデックスから取得します。
    ///
    /// ### 修正の安全性
    /// コマンドのオプションにすぎない設定 (`-k`、`--insecure`、`--no-check-certificate`、
    /// `--allow-untrusted` など) は、修正が隣接する空白一つとともに削除します (`-kfsSL` のようなまとめ書きから
    /// は `k` だけを削除します)。コマンドは検証ありの本来の動作になり、検証に失敗すれば止まります。
    /// それが目的なので安全です。設定ファイル、`ENV`、`ARG`、`-o`/`--setopt` の値には修正がありません。
    /// 代わりに必要なもの (CA 証明書や署名鍵) は環境によって異なるためです。
    pub static DOWNLOAD_VERIFICATION_DISABLED = {
        code: "DW404",
        name: "download-verification-disabled",
        severity: Error,
        tags: ["supply-chain"],
        fix: Sometimes,
        since: "0.1.0",
        also: [
            "checkov:CKV2_DOCKER_2", "checkov:CKV2_DOCKER_3", "checkov:CKV2_DOCKER_4", "checkov:CKV2_DOCKER_5",
            "checkov:CKV2_DOCKER_6", "checkov:CKV2_DOCKER_7", "checkov:CKV2_DOCKER_8", "checkov:CKV2_DOCKER_9",
            "checkov:CKV2_DOCKER_10", "checkov:CKV2_DOCKER_11", "checkov:CKV2_DOCKER_12", "checkov:CKV2_DOCKER_13",
            "checkov:CKV2_DOCKER_14", "checkov:CKV2_DOCKER_15", "checkov:CKV2_DOCKER_16",
        ],
        reads: [From, Arg, Env, User, Run],
        per_stage: true,
        check: check,
    }
}

/// What a setting turns off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Certificate,
    Signature,
    PlainHttp,
}

impl What {
    fn message(self) -> &'static str {
        match self {
            What::Certificate => "download-verification-disabled.certificate",
            What::Signature => "download-verification-disabled.signature",
            What::PlainHttp => "download-verification-disabled.plain-http",
        }
    }
}

/// How to remove a setting from a script.
#[derive(Clone, Debug)]
enum Removal {
    None,
    /// Remove this script span (an option, or an option and its value) with one adjoining blank.
    Span(TextRange),
    /// Remove every `k` of the short-option cluster `cluster` (these one-byte script spans, in order).
    Letters(Vec<TextRange>, String),
}

/// A setting found in a script.
struct Hit {
    span: TextRange,
    what: What,
    setting: String,
    tool: &'static str,
    removal: Removal,
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for run in ctx.runs() {
        for rs in run.scripts.iter() {
            let mut hits = Vec::new();
            let downloads = rs
                .script
                .commands
                .iter()
                .any(|c| matches!(c.name(), "curl" | "wget" | "fetch"));
            for c in &rs.script.commands {
                let first = hits.len();
                command(c, downloads, &mut hits);
                assignments(c, &mut hits);
                written_config(c, &rs.text, &mut hits);
                if c.widened {
                    // Its words' spans are the whole rejoined text: removing one would remove it all.
                    hits[first..].iter_mut().for_each(|h| h.removal = Removal::None);
                }
            }
            report_hits(ctx, sink, &run.item, rs, hits);
        }
    }
    for v in ctx.global_args() {
        variable(sink, v);
    }
    for st in ctx.stages() {
        for v in st.vars.iter().filter(|v| v.item >= st.from_item) {
            variable(sink, v);
        }
    }
}

fn report_hits(ctx: &Ctx, sink: &mut Sink, item: &ItemRef, rs: &RunScript, mut hits: Vec<Hit>) {
    hits.sort_by_key(|h| (h.span.start, h.span.end));
    hits.dedup_by(|a, b| a.span.start < b.span.end && b.span.start < a.span.end);
    for h in hits {
        let range = rs.abs_range(item, h.span);
        if range.is_empty() {
            continue;
        }
        let fix = removal_fix(ctx, item, rs, &h);
        let f = sink.report(
            range,
            h.what.message(),
            vec![("setting", short(&h.setting)), ("tool", h.tool.to_string())],
        );
        if let Some(fix) = fix {
            f.fix(fix);
        }
    }
}

/// A setting as shown in a message: at most 80 characters.
fn short(s: &str) -> String {
    if s.chars().count() <= 80 {
        return s.to_string();
    }
    let cut: String = s.chars().take(79).collect();
    format!("{cut}…")
}

/// Removes whitespace and line continuations, to compare a script's text with its source.
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\\' | '\n' | '\r'))
        .collect()
}

fn removal_fix(ctx: &Ctx, item: &ItemRef, rs: &RunScript, h: &Hit) -> Option<Fix> {
    // The ranges to delete, and the fix's title.
    let (ranges, title) = match &h.removal {
        Removal::None => return None,
        Removal::Span(s) => {
            let abs = rs.abs_range(item, *s);
            let written = crate::text::slice(ctx.text, abs);
            let script = crate::text::slice(&rs.text, *s);
            if abs.is_empty() || squeeze(written) != squeeze(script) || written.contains('#') {
                return None;
            }
            (
                vec![with_one_space(ctx.text, abs)],
                ctx.msg("fix.remove-option", &[("option", script.to_string())]),
            )
        }
        Removal::Letters(letters, cluster) => {
            if letters.is_empty() || !letters.iter().all(|s| rs.is_exact(*s)) {
                return None;
            }
            // All of them at once (`-kkfsSL` has two): removing one per round would leave the rest
            // reported, and a fix must not need another. Adjacent letters are one edit.
            let mut ranges: Vec<TextRange> = Vec::new();
            for s in letters {
                let abs = rs.abs_range(item, *s);
                match ranges.last_mut() {
                    Some(last) if last.end == abs.start => last.end = abs.end,
                    _ => ranges.push(abs),
                }
            }
            let letter = crate::text::slice(&rs.text, letters[0]).to_string();
            (
                ranges,
                ctx.msg(
                    "fix.remove-option-letter",
                    &[("letter", letter), ("option", cluster.clone())],
                ),
            )
        }
    };
    Some(Fix {
        title: title.into(),
        applicability: Applicability::Safe,
        edits: ranges
            .into_iter()
            .map(|range| TextEdit {
                file: FileRef::Dockerfile,
                range,
                new_text: String::new().into(),
            })
            .collect(),
        creates: None,
        resolve: None,
    })
}

fn hit(hits: &mut Vec<Hit>, span: TextRange, what: What, setting: &str, tool: &'static str, removal: Removal) {
    hits.push(Hit {
        span,
        what,
        setting: setting.to_string(),
        tool,
        removal,
    });
}

/// The arguments before `--`.
fn options(c: &Command) -> impl Iterator<Item = (usize, &Word)> {
    c.args().iter().enumerate().take_while(|(_, w)| w.value != "--")
}

/// A whole option word: `--insecure`.
fn flag_words(c: &Command, names: &[&str], what: What, tool: &'static str, hits: &mut Vec<Hit>) {
    for (_, w) in options(c) {
        if names.iter().any(|n| w.value.eq_ignore_ascii_case(n)) {
            hit(hits, w.raw_span, what, &w.value, tool, Removal::Span(w.raw_span));
        }
    }
}

/// An option with a value, `--name value` or `--name=value`: `(option span, value)` for each.
fn valued<'a>(c: &'a Command, names: &[&str]) -> Vec<(TextRange, &'a str)> {
    let args = c.args();
    let mut out = Vec::new();
    for (i, w) in options(c) {
        for n in names {
            if w.value == *n
                && let Some(v) = args.get(i + 1)
            {
                out.push((w.raw_span.cover(v.raw_span), v.value.as_str()));
            } else if let Some(v) = w.value.strip_prefix(n).and_then(|r| r.strip_prefix('='))
                && n.starts_with("--")
            {
                out.push((w.raw_span, v));
            }
        }
    }
    out
}

/// An `http://` URL to a host that is not this machine.
fn plain_http(url: &str) -> bool {
    let Some(rest) = url
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or(host).trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or(host)
    };
    !(host.is_empty()
        || host.contains('$')
        || host.eq_ignore_ascii_case("localhost")
        || host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0")
}

fn is_false(v: &str) -> bool {
    let v = v.trim_matches(|c| c == '"' || c == '\'');
    matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no" | "off")
}

fn is_true(v: &str) -> bool {
    let v = v.trim_matches(|c| c == '"' || c == '\'');
    matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on")
}

/// Short options of curl that take a value: a cluster ends at them.
const CURL_VALUED: &[u8] = b"AbcCdDeEFHKmoPQrtTuUwxXyYz";

fn curl(c: &Command, hits: &mut Vec<Hit>) {
    for (_, w) in options(c) {
        let v = w.value.as_str();
        if v == "--insecure" || v == "--proxy-insecure" || v == "--doh-insecure" {
            hit(
                hits,
                w.raw_span,
                What::Certificate,
                v,
                "curl",
                Removal::Span(w.raw_span),
            );
            continue;
        }
        let b = v.as_bytes();
        if b.len() < 2 || b[0] != b'-' || b[1] == b'-' {
            continue;
        }
        // Every `k` of the cluster, up to the first option that takes a value (the rest is its value).
        let mut ks = Vec::new();
        for (p, &l) in b.iter().enumerate().skip(1) {
            if l == b'k' {
                ks.push(p);
                continue;
            }
            if CURL_VALUED.contains(&l) || !l.is_ascii_alphanumeric() && l != b'#' {
                break;
            }
        }
        if !ks.is_empty() {
            let removal = if ks.len() == b.len() - 1 {
                // Nothing but `k`s: the whole word goes.
                Removal::Span(w.raw_span)
            } else {
                ks.iter()
                    .map(|&p| w.exact_range(p, p + 1))
                    .collect::<Option<Vec<_>>>()
                    .map_or(Removal::None, |letters| Removal::Letters(letters, v.to_string()))
            };
            hit(hits, w.raw_span, What::Certificate, v, "curl", removal);
        }
    }
}

fn is_pip(c: &Command) -> bool {
    let name = c.name();
    if name == "pip" || name.starts_with("pip3") || name.starts_with("pip2") {
        return true;
    }
    name.starts_with("python") && {
        let a = c.args();
        a.iter()
            .position(|w| w.value == "-m")
            .and_then(|i| a.get(i + 1))
            .is_some_and(|w| w.value == "pip" || w.value == "pip3")
    }
}

fn pip(c: &Command, hits: &mut Vec<Hit>) {
    for (span, host) in valued(c, &["--trusted-host"]) {
        let setting = format!("--trusted-host {host}");
        hit(hits, span, What::Certificate, &setting, "pip", Removal::Span(span));
    }
    for (span, url) in valued(c, &["--index-url", "-i", "--extra-index-url", "--find-links", "-f"]) {
        if plain_http(url) {
            hit(hits, span, What::PlainHttp, url, "pip", Removal::None);
        }
    }
    // `pip config set global.trusted-host x`, `pip config set global.index-url http://...`
    let a = c.args();
    if let Some(i) = a.iter().position(|w| w.value == "set")
        && a.iter().take(i).any(|w| w.value == "config")
        && let (Some(k), Some(v)) = (a.get(i + 1), a.get(i + 2))
    {
        let key = k.value.rsplit('.').next().unwrap_or("");
        let span = k.raw_span.cover(v.raw_span);
        if key == "trusted-host" {
            hit(hits, span, What::Certificate, &k.value, "pip", Removal::None);
        } else if matches!(key, "index-url" | "extra-index-url" | "find-links") && plain_http(&v.value) {
            hit(hits, span, What::PlainHttp, &v.value, "pip", Removal::None);
        }
    }
}

fn uv(c: &Command, hits: &mut Vec<Hit>) {
    for (span, host) in valued(c, &["--allow-insecure-host", "--trusted-host"]) {
        let setting = format!("--allow-insecure-host {host}");
        hit(hits, span, What::Certificate, &setting, "uv", Removal::Span(span));
    }
    for (span, url) in valued(
        c,
        &[
            "--index-url",
            "-i",
            "--extra-index-url",
            "--index",
            "--default-index",
            "--find-links",
            "-f",
        ],
    ) {
        if plain_http(url) {
            hit(hits, span, What::PlainHttp, url, "uv", Removal::None);
        }
    }
}

fn npm(c: &Command, hits: &mut Vec<Hit>) {
    let tool: &'static str = match c.name() {
        "yarn" => "yarn",
        "pnpm" => "pnpm",
        _ => "npm",
    };
    let a = c.args();
    // `npm config set strict-ssl false`, `npm config set strict-ssl=false`, `yarn config set enableStrictSsl false`
    if let Some(i) = a.iter().position(|w| w.value == "set") {
        let key = a.get(i + 1);
        let (k, v, span) = match key.map(|w| (w, w.value.split_once('='))) {
            Some((w, Some((k, v)))) => (k.to_string(), v.to_string(), w.raw_span),
            Some((w, None)) => match a.get(i + 2) {
                Some(v) => (w.value.clone(), v.value.clone(), w.raw_span.cover(v.raw_span)),
                None => (String::new(), String::new(), w.raw_span),
            },
            None => (String::new(), String::new(), TextRange::default()),
        };
        let k = k.trim_matches(|c| c == '"' || c == '\'');
        if (k == "strict-ssl" || k == "enableStrictSsl") && is_false(&v) {
            hit(hits, span, What::Certificate, &format!("{k} {v}"), tool, Removal::None);
        }
        if (k == "registry" || k.ends_with(":registry") || k == "npmRegistryServer") && plain_http(&v) {
            hit(hits, span, What::PlainHttp, &v, tool, Removal::None);
        }
    }
    for (_, w) in options(c) {
        if w.value == "--no-strict-ssl" || w.value.strip_prefix("--strict-ssl=").is_some_and(is_false) {
            hit(
                hits,
                w.raw_span,
                What::Certificate,
                &w.value,
                tool,
                Removal::Span(w.raw_span),
            );
        }
    }
    for (span, url) in valued(c, &["--registry"]) {
        if plain_http(url) {
            hit(hits, span, What::PlainHttp, url, tool, Removal::None);
        }
    }
}

/// `http.sslVerify` and `http.<url>.sslVerify`.
fn is_ssl_verify_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k.starts_with("http.") && k.ends_with(".sslverify")
}

fn git(c: &Command, hits: &mut Vec<Hit>) {
    let w = &c.words;
    let at = c.name_index();
    for i in at + 1..w.len() {
        let v = w[i].value.as_str();
        // `git -c http.sslVerify=false clone ...`
        if v == "-c"
            && let Some(kv) = w.get(i + 1)
            && let Some((k, val)) = kv.value.split_once('=')
            && is_ssl_verify_key(k)
            && is_false(val)
        {
            let span = w[i].raw_span.cover(kv.raw_span);
            hit(hits, span, What::Certificate, &kv.value, "git", Removal::None);
        }
        // `git config --global http.sslVerify false`
        if is_ssl_verify_key(v)
            && w[at + 1..i].iter().any(|x| x.value == "config")
            && let Some(val) = w.get(i + 1)
            && is_false(&val.value)
        {
            let span = w[i].raw_span.cover(val.raw_span);
            hit(
                hits,
                span,
                What::Certificate,
                &format!("{v} {}", val.value),
                "git",
                Removal::None,
            );
        }
    }
}

fn apt(c: &Command, hits: &mut Vec<Hit>) {
    flag_words(
        c,
        &[
            "--allow-unauthenticated",
            "--force-yes",
            "--allow-insecure-repositories",
        ],
        What::Signature,
        "apt",
        hits,
    );
    let a = c.args();
    for (i, w) in options(c) {
        let opt = if w.value == "-o" {
            a.get(i + 1).map(|v| (w.raw_span.cover(v.raw_span), v.value.as_str()))
        } else {
            w.value
                .strip_prefix("-o")
                .or_else(|| w.value.strip_prefix("--option="))
                .filter(|v| !v.is_empty())
                .map(|v| (w.raw_span, v))
        };
        let Some((span, kv)) = opt else { continue };
        let Some((k, v)) = kv.split_once('=') else { continue };
        if let Some(what) = apt_option(k, v) {
            hit(hits, span, what, kv, "apt", Removal::None);
        }
    }
}

/// An apt configuration option that turns a check off.
fn apt_option(key: &str, value: &str) -> Option<What> {
    let k = key.to_ascii_lowercase();
    let signature = matches!(
        k.as_str(),
        "apt::get::allowunauthenticated"
            | "acquire::allowinsecurerepositories"
            | "acquire::allowdowngradetoinsecurerepositories"
    );
    if signature && is_true(value) {
        return Some(What::Signature);
    }
    let tls = k.starts_with("acquire::https") && (k.ends_with("::verify-peer") || k.ends_with("::verify-host"));
    (tls && is_false(value)).then_some(What::Certificate)
}

fn yum(c: &Command, tool: &'static str, hits: &mut Vec<Hit>) {
    flag_words(c, &["--nogpgcheck", "--no-gpgcheck"], What::Signature, tool, hits);
    for (span, kv) in valued(c, &["--setopt"]) {
        let Some((k, v)) = kv.split_once('=') else { continue };
        let key = k.rsplit('.').next().unwrap_or(k).to_ascii_lowercase();
        if key == "gpgcheck" && is_false(v) {
            hit(hits, span, What::Signature, kv, tool, Removal::None);
        } else if key == "sslverify" && is_false(v) {
            hit(hits, span, What::Certificate, kv, tool, Removal::None);
        }
    }
}

fn conda(c: &Command, hits: &mut Vec<Hit>) {
    flag_words(c, &["--insecure", "-k"], What::Certificate, "conda", hits);
    let a = c.args();
    if let Some(i) = a.iter().position(|w| w.value == "--set")
        && let (Some(k), Some(v)) = (a.get(i + 1), a.get(i + 2))
        && k.value == "ssl_verify"
        && is_false(&v.value)
    {
        hit(
            hits,
            k.raw_span.cover(v.raw_span),
            What::Certificate,
            "ssl_verify false",
            "conda",
            Removal::None,
        );
    }
}

/// `apk add --allow-untrusted` of packages from the network or downloaded in the same script; not of
/// local package files built in this build (`apk add --allow-untrusted /tmp/packages/*.apk` with no
/// download in the script), and not `apk index`, which only reads packages.
fn apk(c: &Command, downloads: bool, hits: &mut Vec<Hit>) {
    let mut operands = c.args().iter().filter(|w| !w.value.starts_with('-'));
    let sub = operands.next().map(|w| w.value.as_str()).unwrap_or("");
    if !matches!(sub, "add" | "upgrade" | "fix" | "update" | "fetch") {
        return;
    }
    let mut packages = operands.peekable();
    let local_files =
        packages.peek().is_some() && packages.all(|w| w.value.ends_with(".apk") && !w.value.contains("://"));
    if local_files && !downloads {
        return;
    }
    flag_words(c, &["--allow-untrusted"], What::Signature, "apk", hits);
}

fn command(c: &Command, downloads: bool, hits: &mut Vec<Hit>) {
    match c.name() {
        "curl" => curl(c, hits),
        "wget" => flag_words(c, &["--no-check-certificate"], What::Certificate, "wget", hits),
        "uv" => uv(c, hits),
        "npm" | "yarn" | "pnpm" => npm(c, hits),
        "git" => git(c, hits),
        "apk" => apk(c, downloads, hits),
        "apt-get" | "apt" | "aptitude" => apt(c, hits),
        "yum" | "yum-config-manager" => yum(c, "yum", hits),
        "dnf" | "dnf5" | "microdnf" | "tdnf" => yum(c, "dnf", hits),
        "zypper" => flag_words(
            c,
            &["--no-gpg-checks", "--no-gpgcheck"],
            What::Signature,
            "zypper",
            hits,
        ),
        "rpm" => flag_words(
            c,
            &["--nosignature", "--nodigest", "--nosignatures"],
            What::Signature,
            "rpm",
            hits,
        ),
        "conda" | "mamba" | "micromamba" => conda(c, hits),
        "sed" => sed(c, hits),
        _ if is_pip(c) => pip(c, hits),
        _ => {}
    }
}

/// An environment variable that turns a check off, for the tool that reads it.
fn variable_setting(name: &str, value: &str) -> Option<(What, &'static str)> {
    let v = value.trim_matches(|c| c == '"' || c == '\'');
    match name.to_ascii_uppercase().as_str() {
        "NODE_TLS_REJECT_UNAUTHORIZED" if v == "0" => Some((What::Certificate, "Node.js")),
        "PYTHONHTTPSVERIFY" if v == "0" => Some((What::Certificate, "Python")),
        "NPM_CONFIG_STRICT_SSL" if is_false(v) => Some((What::Certificate, "npm")),
        "YARN_ENABLE_STRICT_SSL" if is_false(v) => Some((What::Certificate, "yarn")),
        // git tests only whether the variable is set.
        "GIT_SSL_NO_VERIFY" => Some((What::Certificate, "git")),
        "PIP_TRUSTED_HOST" if !v.is_empty() => Some((What::Certificate, "pip")),
        "UV_INSECURE_HOST" if !v.is_empty() => Some((What::Certificate, "uv")),
        "GOINSECURE" if !v.is_empty() => Some((What::Certificate, "Go")),
        "PIP_INDEX_URL" | "PIP_EXTRA_INDEX_URL" | "PIP_FIND_LINKS" if plain_http(v) => Some((What::PlainHttp, "pip")),
        "UV_INDEX_URL" | "UV_EXTRA_INDEX_URL" | "UV_DEFAULT_INDEX" | "UV_INDEX" if plain_http(v) => {
            Some((What::PlainHttp, "uv"))
        }
        "NPM_CONFIG_REGISTRY" if plain_http(v) => Some((What::PlainHttp, "npm")),
        _ => None,
    }
}

/// `X=v cmd`, `export X=v`, `env X=v cmd`.
fn assignments(c: &Command, hits: &mut Vec<Hit>) {
    let exported = matches!(c.name(), "export" | "declare" | "typeset" | "readonly");
    let words = c.assignments.iter().chain(
        c.words
            .iter()
            .take(c.name_index())
            .chain(c.args().iter().filter(|_| exported)),
    );
    for w in words {
        let Some((name, value)) = w.value.split_once('=') else {
            continue;
        };
        if value.contains('$') || value.contains('`') {
            continue;
        }
        if let Some((what, tool)) = variable_setting(name, value) {
            hit(hits, w.raw_span, what, &w.value, tool, Removal::None);
        }
    }
}

/// An `ENV` or `ARG` setting.
fn variable(sink: &mut Sink, v: &VarDef) {
    let Some(value) = v.value.known() else { return };
    let Some((what, tool)) = variable_setting(&v.name, value) else {
        return;
    };
    let range = match v.value_range {
        Some(r) => v.name_range.cover(r),
        None => v.name_range,
    };
    sink.report(
        range,
        what.message(),
        vec![
            ("setting", short(&format!("{}={}", v.name, value))),
            ("tool", tool.to_string()),
        ],
    );
}

/// A configuration line that turns a check off: `[trusted=yes]` in an apt sources line, `gpgcheck=0`,
/// `sslverify=false`, `strict-ssl=false`, `trusted-host = x`, `check_certificate = off`,
/// `Acquire::AllowInsecureRepositories "true";`. Returns the part to report (offsets in `line`).
fn config_line(line: &str) -> Option<(usize, usize, What, &'static str)> {
    let t = line.trim();
    if t.starts_with('#') || t.starts_with(';') {
        return None;
    }
    let lead = line.len() - line.trim_start().len();
    let whole = |what, tool| Some((lead, lead + t.len(), what, tool));
    if (t.starts_with("deb ") || t.starts_with("deb-src ") || t.starts_with("deb\t"))
        && let Some(open) = t.find('[')
        && let Some(close) = t[open..].find(']')
    {
        let opts = &t[open + 1..open + close];
        // A repository on the local filesystem holds packages built in this build (`file:`, `copy:`).
        let uri = t[open + close + 1..].trim_start();
        let local = uri.starts_with("file:") || uri.starts_with("copy:");
        if !local
            && opts
                .split_whitespace()
                .any(|o| o == "trusted=yes" || o == "allow-insecure=yes" || o == "allow-weak=yes")
        {
            return Some((lead + open, lead + open + close + 1, What::Signature, "apt"));
        }
        return None;
    }
    // `Trusted: yes` in a deb822 `.sources` file.
    if let Some(v) = t.strip_prefix("Trusted:")
        && is_true(v.trim())
    {
        return whole(What::Signature, "apt");
    }
    // apt.conf: `Acquire::AllowInsecureRepositories "true";` or `APT::Get::AllowUnauthenticated 1;`
    if t.contains("::") {
        let kv = t.trim_end_matches(';');
        if let Some((k, v)) = kv.split_once(char::is_whitespace)
            && let Some(what) = apt_option(k, v.trim())
        {
            return whole(what, "apt");
        }
        return None;
    }
    let (k, v) = t.split_once('=')?;
    let (k, v) = (k.trim(), v.trim());
    let is = |name: &str| k.eq_ignore_ascii_case(name);
    if is("gpgcheck") && is_false(v) {
        whole(What::Signature, "yum")
    } else if is("sslverify") && is_false(v) {
        whole(What::Certificate, "yum")
    } else if is("strict-ssl") && is_false(v) {
        whole(What::Certificate, "npm")
    } else if is("trusted-host") && !v.is_empty() {
        whole(What::Certificate, "pip")
    } else if (is("check_certificate") || is("check-certificate")) && is_false(v) {
        whole(What::Certificate, "wget")
    } else {
        None
    }
}

/// Configuration written by `echo`/`printf` (every argument, split at newlines and `\n`) or a heredoc body,
/// and `insecure` written into `.curlrc`.
fn written_config(c: &Command, text: &str, hits: &mut Vec<Hit>) {
    if matches!(c.name(), "echo" | "printf") {
        let to_curlrc = c
            .redirects
            .iter()
            .filter_map(|r| r.written_file())
            .any(|w| w.value.ends_with(".curlrc"));
        for w in c.args() {
            let mut at = 0;
            for part in w.value.split_inclusive('\n').flat_map(|l| l.split_inclusive("\\n")) {
                let line = part.trim_end_matches('\n').trim_end_matches("\\n");
                if let Some((s, e, what, tool)) = config_line(line) {
                    hit(
                        hits,
                        w.range_of(at + s, at + e),
                        what,
                        line[s..e].trim(),
                        tool,
                        Removal::None,
                    );
                } else if to_curlrc && matches!(line.trim(), "insecure" | "-k" | "--insecure") {
                    hit(hits, w.raw_span, What::Certificate, line.trim(), "curl", Removal::None);
                }
                at += part.len();
            }
        }
    }
    for r in &c.redirects {
        let Some(h) = &r.heredoc else { continue };
        let body = crate::text::slice(text, h.body);
        let mut at = h.body.start as usize;
        for line in body.split_inclusive('\n') {
            if let Some((s, e, what, tool)) = config_line(line.trim_end()) {
                let span = TextRange::new((at + s) as u32, (at + e) as u32);
                hit(hits, span, what, line[s..e].trim(), tool, Removal::None);
            }
            at += line.len();
        }
    }
}

/// `sed -i 's/gpgcheck=1/gpgcheck=0/' /etc/yum.repos.d/x.repo`: a replacement that writes a setting.
fn sed(c: &Command, hits: &mut Vec<Hit>) {
    for w in c.args() {
        let v = w.value.as_str();
        let Some(rest) = v.strip_prefix('s') else { continue };
        let Some(d) = rest
            .chars()
            .next()
            .filter(|d| !d.is_alphanumeric() && *d != '\\' && *d != ' ')
        else {
            continue;
        };
        let parts: Vec<&str> = rest[d.len_utf8()..].split(d).collect();
        let Some(replacement) = parts.get(1) else { continue };
        let Some((s, e, what, tool)) = config_line(replacement) else {
            continue;
        };
        // The replacement starts after `s`, the delimiter, the pattern and the delimiter.
        let off = 1 + d.len_utf8() + parts[0].len() + d.len_utf8();
        hit(
            hits,
            w.range_of(off + s, off + e),
            what,
            replacement[s..e].trim(),
            tool,
            Removal::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_options_that_turn_checks_off() {
        check_rule(
            "DW404",
            concat!(
                "FROM debian:13\n",
                "RUN curl -kfsSL https://example.com/x.tgz | tar -xz\n",
                "#        ^^^^^^ DW404 download-verification-disabled.certificate\n",
                "RUN wget --no-check-certificate https://example.com/x.tgz\n",
                "#        ^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "RUN pip install --trusted-host pypi.org -r requirements.txt\n",
                "#               ^^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "RUN apk add --allow-untrusted --repository https://apk.example.com/main tool\n",
                "#           ^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.signature\n",
                "RUN apt-get install -y --allow-unauthenticated -o Acquire::AllowInsecureRepositories=true foo\n",
                "#                      ^^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.signature\n",
                "#                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.signature\n",
                "RUN yum install -y --nogpgcheck foo && rpm -i --nosignature x.rpm\n",
                "#                  ^^^^^^^^^^^^ DW404 download-verification-disabled.signature\n",
                "#                                             ^^^^^^^^^^^^^ DW404 download-verification-disabled.signature\n",
                "RUN npm config set strict-ssl false && git config --global http.sslVerify false\n",
                "#                  ^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "#                                                          ^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "RUN python3 -m pip install -i http://pypi.internal/simple app\n",
                "#                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.plain-http\n",
            ),
        );
    }

    #[test]
    fn flags_environment_settings_in_env_arg_and_run() {
        check_rule(
            "DW404",
            concat!(
                "FROM node:22\n",
                "ENV NODE_TLS_REJECT_UNAUTHORIZED=0\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "ARG GIT_SSL_NO_VERIFY=true\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "RUN PYTHONHTTPSVERIFY=0 python3 fetch.py && export PIP_TRUSTED_HOST=pypi.org\n",
                "#   ^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "#                                                  ^^^^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "ENV NPM_CONFIG_STRICT_SSL=false PIP_INDEX_URL=http://mirror.example.com/simple\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.certificate\n",
                "#                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW404 download-verification-disabled.plain-http\n",
            ),
        );
    }

    #[test]
    fn flags_configuration_written_to_files() {
        check_rule(
            "DW404",
            concat!(
                "FROM debian:13\n",
                "RUN echo 'deb [trusted=yes] http://repo.example.com/apt stable main' > /etc/apt/sources.list.d/x.list\n",
                "#             ^^^^^^^^^^^^^ DW404 download-verification-disabled.signature\n",
                "RUN cat > /etc/yum.repos.d/x.repo <<EOF\n",
                "[x]\n",
                "baseurl=https://repo.example.com/el9\n",
                "gpgcheck=0\n",
                "#^^^^^^^^^ DW404 download-verification-disabled.signature\n",
                "EOF\n",
                "RUN sed -i 's/gpgcheck=1/gpgcheck=0/' /etc/yum.repos.d/x.repo\n",
                "#                        ^^^^^^^^^^ DW404 download-verification-disabled.signature\n",
            ),
        );
    }

    #[test]
    fn flags_other_package_managers_and_config_writers() {
        let d = crate::rules::testing::run(
            "DW404",
            concat!(
                "FROM debian:13\n",
                "RUN git -c http.sslVerify=false clone https://git.example.com/x.git\n",
                "RUN conda config --set ssl_verify false && conda install --insecure numpy\n",
                "RUN uv pip install --allow-insecure-host pypi.example.com app\n",
                "RUN zypper --no-gpg-checks install -y tool\n",
                "RUN echo insecure >> ~/.curlrc\n",
                "RUN printf '[main]\\nsslverify=0\\n' > /etc/dnf/dnf.conf\n",
                "RUN echo 'APT::Get::AllowUnauthenticated \"true\";' > /etc/apt/apt.conf.d/99insecure\n",
                "RUN GIT_SSL_NO_VERIFY= git clone https://git.example.com/y.git\n",
            ),
        );
        let got: Vec<(&str, &str)> = d
            .iter()
            .map(|d| {
                (
                    d.message_id,
                    d.fixes.first().map_or("none", |f| f.applicability.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("download-verification-disabled.certificate", "none"),
                ("download-verification-disabled.certificate", "none"),
                ("download-verification-disabled.certificate", "safe"),
                ("download-verification-disabled.certificate", "safe"),
                ("download-verification-disabled.signature", "safe"),
                ("download-verification-disabled.certificate", "none"),
                ("download-verification-disabled.certificate", "none"),
                ("download-verification-disabled.signature", "none"),
                ("download-verification-disabled.certificate", "none"),
            ]
        );
    }

    #[test]
    fn secure_and_unrelated_settings_are_clean() {
        check_rule(
            "DW404",
            concat!(
                "FROM debian:13\n",
                "RUN echo 'deb http://deb.debian.org/debian trixie main' > /etc/apt/sources.list\n",
                "RUN curl -fsSL -o out.txt https://example.com/x && curl -H 'k: v' https://example.com\n",
                "RUN curl -ok https://example.com/x\n",
                "RUN pip install --index-url https://pypi.example.com/simple -i http://localhost:8080/simple app\n",
                "RUN sort -k 2 file && ssh-keygen -k && git config --global http.sslVerify true\n",
                "RUN NODE_TLS_REJECT_UNAUTHORIZED=1 node app.js && yum install -y --setopt=gpgcheck=1 foo\n",
                "RUN sed -i 's/gpgcheck=0/gpgcheck=1/' /etc/yum.repos.d/x.repo\n",
                "ENV PIP_INDEX_URL=https://pypi.example.com/simple NODE_TLS_REJECT_UNAUTHORIZED=${TLS}\n",
            ),
        );
    }

    #[test]
    fn fixes_remove_the_option_cleanly() {
        check_fix(
            "DW404",
            "FROM debian:13\nRUN curl $0-kfsSL https://example.com/x\n",
            "FROM debian:13\nRUN curl -fsSL https://example.com/x\n",
        );
        check_fix(
            "DW404",
            "FROM debian:13\nRUN curl -fsSL $0-k https://example.com/x\n",
            "FROM debian:13\nRUN curl -fsSL https://example.com/x\n",
        );
        check_fix(
            "DW404",
            "FROM debian:13\nRUN pip install $0--trusted-host pypi.org \\\n    -r requirements.txt\n",
            "FROM debian:13\nRUN pip install \\\n    -r requirements.txt\n",
        );
        check_fix(
            "DW404",
            "FROM alpine:3.22\nRUN apk add --no-cache $0--allow-untrusted\n",
            "FROM alpine:3.22\nRUN apk add --no-cache\n",
        );
    }
}
