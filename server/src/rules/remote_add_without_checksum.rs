//! DW401 remote-add-without-checksum: `ADD` of a URL without `--checksum`, or of a git repository at a
//! ref that can move.
//!
//! Also the classification of `ADD` sources that DW402 shares: [`add_sources`] resolves every source of an
//! `ADD` through the model and says whether it is a URL, a git repository, a heredoc or a local path.

use crate::diagnostic::{Applicability, FileRef, Fix, TextEdit};
use crate::rules::sensitive_context_copied::sources;
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::{Instruction, ItemRef, Kind};
use crate::text::TextRange;

declare_rule! {
    /// `ADD` downloads a file without `--checksum`, or clones a git repository at a branch or tag.
    ///
    /// ## What it does
    /// Checks every `ADD` whose source is an `http://` or `https://` URL and reports it when it has no
    /// `--checksum=sha256:<64 hex digits>` (a `--checksum` that is not a well-formed digest is reported
    /// too; `sha384:` and `sha512:` digests are accepted). For a git source (`https://host/org/repo.git#ref`,
    /// `git@host:org/repo.git#ref`, `git://...`, `ssh://...`) it reports a ref that is not a full commit
    /// hash (40 hexadecimal digits, 64 for SHA-256 repositories), unless `--checksum=<commit>` pins the
    /// commit. Sources and checksums written with variables are checked with the ARG and ENV defaults
    /// the Dockerfile gives them; when a variable has no known value the source is not checked.
    ///
    /// ## Why is this bad?
    /// `ADD <url>` puts whatever the server returns at build time into the image. If the server, the
    /// project's release page, a CDN or anything on the network path is compromised, or if the file is
    /// simply replaced by a new release, the build silently ships different content. With `--checksum`
    /// BuildKit verifies the download and fails the build when it differs, and the build cache keys on
    /// the checksum instead of downloading again. A branch or tag of a git repository moves the same way
    /// (tags can be deleted and recreated); a commit hash cannot.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini
    /// ADD https://github.com/moby/buildkit.git#v0.24.0 /src
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ADD --checksum=sha256:93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c \
    ///     https://github.com/krallin/tini/releases/download/v0.19.0/tini /tini
    /// ADD https://github.com/moby/buildkit.git#3b0ec5f0cbb9ce9d33d3a2ec3b9c53efc7f2fb1a /src
    /// ```
    ///
    /// ## Fix safety
    /// For a URL the fix inserts `--checksum=sha256:<sha256>` as a template: replace `<sha256>` with the
    /// SHA-256 of the file (`curl -fsSL <url> | sha256sum`, or the checksum the project publishes). It is
    /// never applied automatically. `ADD --checksum` needs Dockerfile syntax 1.6 or later (the default of
    /// current Docker releases). Git refs have no fix: only you know which commit you mean.
    ///
    /// ## References
    /// - [Dockerfile reference: ADD --checksum](https://docs.docker.com/reference/dockerfile/#add---checksum)
    ///   and [adding git repositories](https://docs.docker.com/reference/dockerfile/#adding-private-git-repositories)
    /// - CWE-494: Download of Code Without Integrity Check; CWE-829: Inclusion of Functionality from
    ///   Untrusted Control Sphere
    /// - CIS Docker Benchmark v1.6.0: 4.9 (use COPY instead of ADD; ADD can fetch files from remote URLs)
    /// - No hadolint, BuildKit, Trivy or Checkov check verifies the checksum of `ADD <url>`.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `ADD` が `--checksum` なしでファイルをダウンロードしているか、Git リポジトリをブランチやタグで取得しています。
    ///
    /// ### 検出内容
    /// コピー元が `http://` や `https://` の URL であるすべての `ADD` について、
    /// `--checksum=sha256:<64 桁の 16 進数>` がないもの (形式の正しくない `--checksum` も) を報告します。
    /// Git のソース (`https://host/org/repo.git#ref` など) では、参照が完全なコミットハッシュでなければ報告します。
    /// ただし `--checksum=<コミット>` で固定していれば対象外です。
    ///
    /// ### なぜ問題か
    /// `ADD <URL>` は、ビルド時にサーバーが返したものをそのままイメージに入れます。サーバー、リリースページ、CDN、
    /// 通信経路のどこかが侵害されたり、単に新しいリリースでファイルが差し替えられたりすれば、
    /// ビルドは黙って別の内容を出荷します。`--checksum` があれば BuildKit がダウンロードを検証し、
    /// 異なればビルドを失敗させます。Git のブランチやタグも同じように動きますが (タグは削除して作り直せます)、
    /// コミットハッシュは動きません。
    ///
    /// ### 対処法
    /// 公開されているチェックサムを `--checksum=sha256:...` で指定し、
    /// Git のソースはコミットハッシュで固定してください。
    ///
    /// ### 修正の安全性
    /// URL の場合、修正は `--checksum=sha256:<sha256>` をテンプレートとして挿入します。
    /// `<sha256>` はファイルの SHA-256 (`curl -fsSL <url> | sha256sum` の結果やプロジェクトが公開する値) に置き換えて
    /// ください。自動では適用されません。`ADD --checksum` には Dockerfile の構文 1.6 以降が必要です。
    /// Git の参照には修正がありません。どのコミットを意図しているかは本人にしか分からないためです。
    pub static REMOTE_ADD_WITHOUT_CHECKSUM = {
        code: "DW401",
        name: "remote-add-without-checksum",
        severity: Warning,
        tags: ["supply-chain"],
        fix: Sometimes,
        since: "0.1.0",
        reads: [From, Arg, Env, User, Add],
        per_stage: true,
        check: check,
    }
}

/// What an `ADD` source is, after variable expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SourceKind {
    /// An `http://` or `https://` URL that is not a git repository.
    Http,
    /// A git repository; the ref (`#ref[:subdir]`, `?ref=`, `?tag=`, `?branch=`, `?commit=`) if any, and
    /// whether a `?checksum=` query pins a commit.
    Git {
        reference: Option<String>,
        checksum: Option<String>,
    },
    /// `<<EOF`: a heredoc written in the Dockerfile.
    Heredoc,
    /// A path in the build context (or a glob).
    Local,
}

/// One source of an `ADD`.
pub(crate) struct AddSource {
    /// The source as written.
    pub text: String,
    /// Its value after ARG/ENV expansion; `None` when a variable has no known value.
    pub value: Option<String>,
    pub range: TextRange,
    pub kind: Option<SourceKind>,
}

impl AddSource {
    pub fn uses_vars(&self) -> bool {
        self.text.contains('$')
    }
}

/// The sources of an `ADD` (not its destination), each expanded and classified.
pub(crate) fn add_sources(ctx: &Ctx, it: &ItemRef, ins: &Instruction) -> Vec<AddSource> {
    let mut all = sources(it, ins);
    if all.pop().is_none() {
        return Vec::new();
    }
    let stage = ctx.model.item_stage.get(it.index).copied().flatten();
    all.into_iter()
        .map(|s| {
            let value = if s.text.starts_with("<<") {
                Some(s.text.clone())
            } else if s.text.contains('$') {
                stage.and_then(|st| ctx.model.value_in(st, it.index, &s.text))
            } else {
                Some(s.text.trim_matches(|c| c == '"' || c == '\'').to_string())
            };
            let kind = value.as_deref().map(classify);
            AddSource {
                text: s.text,
                value,
                range: s.range,
                kind,
            }
        })
        .collect()
}

/// Classifies an expanded `ADD` source the way BuildKit does.
pub(crate) fn classify(v: &str) -> SourceKind {
    if v.starts_with("<<") {
        return SourceKind::Heredoc;
    }
    let lower = v.to_ascii_lowercase();
    let http = lower.starts_with("http://") || lower.starts_with("https://");
    let git_scheme = lower.starts_with("git://") || lower.starts_with("ssh://") || lower.starts_with("git@");
    if !http && !git_scheme {
        return SourceKind::Local;
    }
    let (before_fragment, fragment) = match v.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (v, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    // BuildKit takes an HTTP(S) URL for a git repository only when its path ends with `.git`.
    if http && !path.ends_with(".git") {
        return SourceKind::Http;
    }
    let mut reference = fragment
        .map(|f| f.split(':').next().unwrap_or(f).to_string())
        .filter(|r| !r.is_empty());
    let mut checksum = None;
    for pair in query.unwrap_or("").split('&') {
        match pair.split_once('=') {
            Some(("ref" | "tag" | "branch" | "commit", r)) if !r.is_empty() => reference = Some(r.to_string()),
            Some(("checksum", c)) if !c.is_empty() => checksum = Some(c.to_string()),
            _ => {}
        }
    }
    SourceKind::Git { reference, checksum }
}

/// A full commit hash: 40 hexadecimal digits (SHA-1 repositories) or 64 (SHA-256).
pub(crate) fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A content digest BuildKit accepts for `ADD --checksum`: `sha256:`, `sha384:` or `sha512:` and the hex
/// digits of that length.
fn is_digest(s: &str) -> bool {
    let Some((alg, hex)) = s.split_once(':') else {
        return false;
    };
    let len = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for (it, ins) in ctx.instructions() {
        if ins.kind != Kind::Add {
            continue;
        }
        let stage = ctx.model.item_stage.get(it.index).copied().flatten();
        // The checksum as BuildKit reads it: `None` without the flag, `Some(None)` when it depends on a
        // value we do not know.
        let checksum = ins.flag("checksum").map(|f| {
            let v = f.value.clone().unwrap_or_default();
            if v.contains('$') {
                stage.and_then(|st| ctx.model.value_in(st, it.index, &v))
            } else {
                Some(v)
            }
        });
        let checksum_range = ins.flag("checksum").map(|f| it.abs(f.span.range));
        for src in add_sources(ctx, &it, ins) {
            let (Some(kind), Some(value)) = (&src.kind, &src.value) else {
                continue;
            };
            match kind {
                SourceKind::Http => match &checksum {
                    None => {
                        let f = sink.report(
                            src.range,
                            "remote-add-without-checksum.url",
                            vec![("url", value.clone())],
                        );
                        f.fix(add_checksum_fix(ctx, &it, ins));
                    }
                    Some(Some(c)) if !is_digest(c) => {
                        sink.report(
                            checksum_range.unwrap_or(src.range),
                            "remote-add-without-checksum.bad-checksum",
                            vec![("checksum", c.clone())],
                        );
                    }
                    _ => {}
                },
                SourceKind::Git {
                    reference,
                    checksum: query_sum,
                } => {
                    let pinned_by_flag =
                        matches!(&checksum, Some(Some(c)) if is_commit(c)) || matches!(checksum, Some(None));
                    let pinned_by_query = query_sum.as_deref().is_some_and(is_commit);
                    let pinned_ref = reference.as_deref().is_some_and(is_commit);
                    if pinned_by_flag || pinned_by_query || pinned_ref {
                        continue;
                    }
                    match reference {
                        Some(r) => sink.report(
                            src.range,
                            "remote-add-without-checksum.git-ref",
                            vec![("url", value.clone()), ("ref", r.clone())],
                        ),
                        None => sink.report(
                            src.range,
                            "remote-add-without-checksum.git-default",
                            vec![("url", value.clone())],
                        ),
                    };
                }
                _ => {}
            }
        }
    }
}

/// The template fix: `--checksum=sha256:<sha256>` right after the keyword.
fn add_checksum_fix(ctx: &Ctx, it: &ItemRef, ins: &Instruction) -> Fix {
    let at = it.abs(ins.keyword.range).end;
    Fix {
        title: ctx.msg("fix.add-checksum", &[]).into(),
        applicability: Applicability::DisplayOnly,
        edits: vec![TextEdit {
            file: FileRef::Dockerfile,
            range: TextRange::empty(at),
            new_text: " --checksum=sha256:<sha256>".to_string().into(),
        }],
        creates: None,
        resolve: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{SourceKind, classify, is_commit, is_digest};
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn classifies_sources_like_buildkit() {
        assert_eq!(classify("https://example.com/a.tar.gz"), SourceKind::Http);
        assert_eq!(classify("./src"), SourceKind::Local);
        assert_eq!(classify("github.com/o/r"), SourceKind::Local);
        assert_eq!(
            classify("https://github.com/o/r.git#v1.2:sub"),
            SourceKind::Git {
                reference: Some("v1.2".into()),
                checksum: None
            }
        );
        assert_eq!(
            classify("git@github.com:o/r.git"),
            SourceKind::Git {
                reference: None,
                checksum: None
            }
        );
        assert_eq!(
            classify("https://github.com/o/r.git?tag=v1&checksum=abc"),
            SourceKind::Git {
                reference: Some("v1".into()),
                checksum: Some("abc".into())
            }
        );
        assert!(is_commit(&"a".repeat(40)) && !is_commit("abc123"));
        assert!(is_digest(&format!("sha256:{}", "0".repeat(64))) && !is_digest("md5:abc"));
    }

    #[test]
    fn flags_urls_without_checksum() {
        check_rule(
            "DW401",
            concat!(
                "FROM alpine:3.22\n",
                "ADD https://example.com/tool.tar.gz /opt/\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW401 remote-add-without-checksum.url\n",
                "ADD --checksum=sha256:1234 https://example.com/x /x\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^ DW401 remote-add-without-checksum.bad-checksum\n",
                "ARG VERSION=1.2.3\n",
                "ADD [\"https://example.com/v${VERSION}/tool\", \"/usr/local/bin/tool\"]\n",
                "#     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW401 remote-add-without-checksum.url\n",
            ),
        );
    }

    #[test]
    fn flags_git_sources_at_moving_refs() {
        check_rule(
            "DW401",
            concat!(
                "FROM alpine:3.22\n",
                "ADD https://github.com/moby/buildkit.git#v0.24.0 /src\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW401 remote-add-without-checksum.git-ref\n",
                "ADD git@github.com:org/private.git /src\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW401 remote-add-without-checksum.git-default\n",
            ),
        );
    }

    #[test]
    fn pinned_and_unknown_sources_are_clean() {
        check_rule(
            "DW401",
            concat!(
                "FROM alpine:3.22\n",
                "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x /x\n",
                "ADD https://github.com/moby/buildkit.git#3b0ec5f0cbb9ce9d33d3a2ec3b9c53efc7f2fb1a /src\n",
                "ADD --checksum=3b0ec5f0cbb9ce9d33d3a2ec3b9c53efc7f2fb1a https://github.com/moby/buildkit.git#v0.24.0 /src\n",
                "ADD --checksum=${TOOL_SHA} https://example.com/tool /tool\n",
                "ADD ${TOOL_URL} /tool\n",
                "ADD rootfs.tar.xz /\n",
            ),
        );
    }

    #[test]
    fn the_template_fix_inserts_a_checksum_flag() {
        check_fix(
            "DW401",
            "FROM alpine:3.22\nADD $0https://example.com/tool /tool\n",
            "FROM alpine:3.22\nADD --checksum=sha256:<sha256> https://example.com/tool /tool\n",
        );
    }
}
