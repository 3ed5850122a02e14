//! DW402 add-instead-of-copy: `ADD` of local files that are not archives, which `COPY` does without
//! ADD's implicit behaviours.

use crate::diagnostic::{Applicability, FileRef, Fix, TextEdit};
use crate::rules::remote_add_without_checksum::{AddSource, SourceKind, add_sources};
use crate::rules::{Ctx, Sink, declare_rule, with_one_space};
use crate::syntax::{Instruction, ItemRef, Kind};
use crate::text::TextRange;

declare_rule! {
    /// `ADD` copies local files that are not archives: `COPY` does the same without ADD's implicit behaviours.
    ///
    /// ## What it does
    /// Reports an `ADD` whose sources are all local paths of the build context (or heredocs) and none of
    /// them looks like an archive ADD would unpack (`.tar`, `.tar.gz`, `.tgz`, `.tar.bz2`, `.tbz2`,
    /// `.tar.xz`, `.txz`, `.tar.zst`, or a bare `.gz`, `.bz2`, `.xz`, `.zst`). A `.zip` is not unpacked by
    /// `ADD`, so it is a plain file. `ADD --unpack=false` never unpacks, so it is reported whatever its
    /// sources; `ADD --unpack` (or `--unpack=true`) asks for unpacking and is left alone, as are URLs and
    /// git sources (see DW401). Sources written with variables are checked with their ARG and ENV
    /// defaults; a variable without a known value is not checked.
    ///
    /// ## Why is this bad?
    /// `ADD` does more than copy: it unpacks any local file it recognises as a tar archive (by its
    /// content, not its name) and it downloads URLs. A reader cannot tell whether an `ADD` means the
    /// plain copy or the extra behaviour, and a file that becomes an archive (a vendored tarball renamed,
    /// a build output that changes format) is silently unpacked into the image instead of copied. `COPY`
    /// says exactly what happens. Docker's best practices and the CIS Docker Benchmark recommend `COPY`
    /// unless ADD's extra behaviour is wanted.
    ///
    /// The severity is `info`: the `ADD` does what a `COPY` would today, so nothing is wrong with the
    /// image; the finding is about intent and the risk of an unwanted unpacking later.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD --chown=app:app . /app
    /// ADD entrypoint.sh /usr/local/bin/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY --chown=app:app . /app
    /// COPY entrypoint.sh /usr/local/bin/
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces `ADD` with `COPY` and keeps the flags, which `COPY` accepts (`--chown`, `--chmod`,
    /// `--link`, `--exclude`, `--parents`); `--unpack=false` is dropped. It is safe when no source can
    /// be an archive: every source is a path without an archive extension or a glob that only matches a
    /// non-archive extension (`*.sh`), or the `ADD` says `--unpack=false`. Since ADD recognises archives
    /// by content, a glob such as `files/*` may match a tarball that ADD unpacks and COPY does not:
    /// then the fix is unsafe. There is no fix when a source is a variable, or when an ADD-only flag
    /// (`--checksum`, `--keep-git-dir`) is present.
    ///
    /// ## References
    /// - [Dockerfile best practices: ADD or COPY](https://docs.docker.com/build/building/best-practices/#add-or-copy)
    /// - [Dockerfile reference: ADD](https://docs.docker.com/reference/dockerfile/#add)
    /// - CIS Docker Benchmark v1.6.0: 4.9 (ensure that COPY is used instead of ADD in Dockerfiles)
    /// - CWE-706: Use of Incorrectly-Resolved Name or Reference
    /// - hadolint [DL3020](https://github.com/hadolint/hadolint/wiki/DL3020) (use COPY instead of ADD for
    ///   files and folders); Trivy DS005 (ADD instead of COPY); Checkov CKV_DOCKER_4 (ensure that COPY is
    ///   used instead of ADD)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// アーカイブではないローカルファイルを `ADD` でコピーしています。暗黙の動作のない `COPY` で同じことができます。
    ///
    /// ### 検出内容
    /// コピー元がすべてビルドコンテキストのローカルパス (またはヒアドキュメント) で、
    /// `ADD` が展開するアーカイブ (`.tar`、`.tar.gz`、`.tgz` など) に見えるものがない `ADD` を報告します。
    /// `ADD --unpack=false` は常に報告し、`ADD --unpack` や URL、Git のソースは対象外です (DW401 を参照)。
    ///
    /// ### なぜ問題か
    /// `ADD` はコピー以上のことをします。tar アーカイブと認識したローカルファイルを (名前ではなく内容で判断して) 展開
    /// し、URL からダウンロードもします。読む人には単なるコピーなのか追加の動作を意図しているのか分からず、
    /// ファイルがアーカイブに変わったとき (同梱の tarball の名前変更、ビルド成果物の形式変更など) には、
    /// コピーされずに黙って展開されます。`COPY` なら何が起きるかが明確です。重大度は `info` で、
    /// イメージが今おかしいわけではなく、意図の明確さと将来の意図しない展開の危険についての指摘です。
    ///
    /// ### 対処法
    /// `ADD` を `COPY` に置き換えてください。フラグ (`--chown`、`--chmod`、`--link` など) はそのまま使えます。
    ///
    /// ### 修正の安全性
    /// 修正は `ADD` を `COPY` に置き換え、フラグを残します (`--unpack=false` は削除します)。
    /// どのコピー元もアーカイブになりえない場合 (アーカイブの拡張子を持たないパスや、
    /// アーカイブでない拡張子だけに一致するワイルドカード、または `--unpack=false`) は安全です。
    /// `ADD` はアーカイブを内容で判断するので、`files/*` のようなワイルドカードが tarball に一致する可能性があるとき
    /// は安全ではありません。コピー元が変数の場合や、`ADD` 専用のフラグ (`--checksum`、
    /// `--keep-git-dir`) がある場合は修正を提供しません。
    pub static ADD_INSTEAD_OF_COPY = {
        code: "DW402",
        name: "add-instead-of-copy",
        severity: Info,
        tags: ["supply-chain"],
        fix: Sometimes,
        since: "0.1.0",
        also: ["hadolint:DL3020", "trivy:DS005", "checkov:CKV_DOCKER_4"],
        reads: [From, Arg, Env, User, Add],
        per_stage: true,
        check: check,
    }
}

/// Extensions of files ADD may unpack (tar, possibly compressed).
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".tar", ".tgz", ".tbz2", ".tbz", ".txz", ".tzst", ".gz", ".bz2", ".xz", ".zst",
];

/// Whether a path's name says it may be an archive ADD unpacks.
fn looks_like_archive(path: &str) -> bool {
    let lower = path.trim_end_matches('/').to_ascii_lowercase();
    ARCHIVE_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Whether a local path can only name non-archives: no glob in its last component, or a glob that ends
/// in a literal extension that is not an archive's (`*.sh`).
fn surely_not_archive(path: &str) -> bool {
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    if !name.contains(['*', '?', '[']) {
        return !looks_like_archive(name);
    }
    match name.rsplit_once('.') {
        Some((_, ext)) => {
            !ext.is_empty()
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                && !looks_like_archive(&format!(".{ext}"))
                && !ext.eq_ignore_ascii_case("tar")
        }
        None => false,
    }
}

/// `--unpack`'s value: `Some(true)` for `--unpack` or `--unpack=true`, `Some(false)` for `--unpack=false`.
fn unpack(ins: &Instruction) -> Option<bool> {
    let f = ins.flag("unpack")?;
    Some(match f.value.as_deref() {
        None => true,
        Some(v) => !v.eq_ignore_ascii_case("false") && v != "0",
    })
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for (it, ins) in ctx.instructions() {
        if ins.kind != Kind::Add {
            continue;
        }
        let unpack = unpack(ins);
        if unpack == Some(true) {
            continue;
        }
        let sources = add_sources(ctx, &it, ins);
        if sources.is_empty() {
            continue;
        }
        let local = |s: &AddSource| matches!(s.kind, Some(SourceKind::Local | SourceKind::Heredoc));
        if !sources.iter().all(local) {
            continue;
        }
        let plain = |s: &AddSource| match (&s.kind, &s.value) {
            (Some(SourceKind::Heredoc), _) => true,
            (_, Some(v)) => !looks_like_archive(v),
            _ => false,
        };
        if unpack != Some(false) && !sources.iter().all(plain) {
            continue;
        }
        let keyword = it.abs(ins.keyword.range);
        let f = sink.report(keyword, "add-instead-of-copy", vec![]);
        if let Some(fix) = copy_fix(ctx, &it, ins, &sources, unpack == Some(false), keyword) {
            f.fix(fix);
        }
    }
}

fn copy_fix(
    ctx: &Ctx,
    it: &ItemRef,
    ins: &Instruction,
    sources: &[AddSource],
    no_unpack: bool,
    keyword: TextRange,
) -> Option<Fix> {
    if sources.iter().any(AddSource::uses_vars)
        || ins
            .flags
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case("checksum") || f.name.eq_ignore_ascii_case("keep-git-dir"))
    {
        return None;
    }
    let written = crate::text::slice(ctx.text, keyword);
    let copy = if written.starts_with(|c: char| c.is_ascii_lowercase()) {
        "copy"
    } else {
        "COPY"
    };
    let mut edits = vec![TextEdit {
        file: FileRef::Dockerfile,
        range: keyword,
        new_text: copy.to_string().into(),
    }];
    for f in ins.flags.iter().filter(|f| f.name.eq_ignore_ascii_case("unpack")) {
        edits.push(TextEdit {
            file: FileRef::Dockerfile,
            range: with_one_space(ctx.text, it.abs(f.span.range)),
            new_text: String::new().into(),
        });
    }
    let safe = no_unpack
        || sources
            .iter()
            .all(|s| s.kind == Some(SourceKind::Heredoc) || surely_not_archive(&s.text));
    Some(Fix {
        title: ctx.msg("fix.add-to-copy", &[]).into(),
        applicability: if safe {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        edits,
        creates: None,
        resolve: None,
    })
}

#[cfg(test)]
mod tests {
    use super::surely_not_archive;
    use crate::rules::testing::{check_fix, check_rule, run};

    #[test]
    fn flags_add_of_plain_local_files() {
        check_rule(
            "DW402",
            concat!(
                "FROM alpine:3.22\n",
                "ADD . /app\n",
                "#^^ DW402 add-instead-of-copy\n",
                "add --chown=app:app entrypoint.sh config/*.yml /etc/app/\n",
                "#^^ DW402 add-instead-of-copy\n",
                "ADD [\"app.jar\", \"/opt/app.jar\"]\n",
                "#^^ DW402 add-instead-of-copy\n",
                "ADD --unpack=false vendor.tar.gz /opt/\n",
                "#^^ DW402 add-instead-of-copy\n",
                "ARG JAR=target/app.jar\n",
                "ADD ${JAR} /app.jar\n",
                "#^^ DW402 add-instead-of-copy\n",
            ),
        );
    }

    #[test]
    fn archives_urls_git_and_unknown_sources_are_left_alone() {
        check_rule(
            "DW402",
            concat!(
                "FROM alpine:3.22\n",
                "ADD rootfs.tar.xz /\n",
                "ADD app.tgz README.md /opt/\n",
                "ADD https://example.com/x /x\n",
                "ADD https://github.com/moby/buildkit.git#v0.24.0 /src\n",
                "ADD --unpack https://example.com/x.tar.gz /opt/\n",
                "ADD ${SOURCE} /x\n",
            ),
        );
    }

    #[test]
    fn fixes_keep_copy_flags_and_say_when_a_glob_may_hide_an_archive() {
        check_fix(
            "DW402",
            "FROM alpine:3.22\n$0ADD --chown=app:app --chmod=755 run.sh /usr/local/bin/\n",
            "FROM alpine:3.22\nCOPY --chown=app:app --chmod=755 run.sh /usr/local/bin/\n",
        );
        check_fix(
            "DW402",
            "FROM alpine:3.22\n$0add --unpack=false vendor.tar.gz /opt/\n",
            "FROM alpine:3.22\ncopy vendor.tar.gz /opt/\n",
        );
        let d = run(
            "DW402",
            "FROM alpine:3.22\nADD files/* /opt/\nADD *.sh /opt/\nARG JAR=app.jar\nADD ${JAR} /\n",
        );
        let kinds: Vec<_> = d
            .iter()
            .map(|d| d.fixes.first().map(|f| f.applicability.as_str()))
            .collect();
        assert_eq!(kinds, vec![Some("unsafe"), Some("safe"), None]);
    }

    #[test]
    fn only_non_archive_globs_are_sure() {
        assert!(surely_not_archive("src/*.py"));
        assert!(surely_not_archive("config/"));
        assert!(!surely_not_archive("dist/*"));
        assert!(!surely_not_archive("*.gz"));
        assert!(!surely_not_archive("pkg.tar"));
    }
}
