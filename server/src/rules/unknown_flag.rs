//! DW003 unknown-flag: a `--flag` the instruction does not accept.

use crate::rules::{Ctx, Sink, declare_rule, report_parse_problems};
use crate::syntax::ProblemKind;

declare_rule! {
    /// An instruction has a flag it does not accept.
    ///
    /// ## What it does
    /// Checks every `--flag` against the flags BuildKit's Dockerfile frontend accepts for that
    /// instruction (`FROM --platform`; `RUN --mount`, `--network`, `--security`, `--device`;
    /// `COPY --from`, `--chown`, `--chmod`, `--link`, `--parents`, `--exclude`; `ADD --chown`, `--chmod`,
    /// `--link`, `--keep-git-dir`, `--checksum`, `--exclude`, `--unpack`, `--parents`; the `HEALTHCHECK`
    /// timing options) and suggests the closest valid flag. Flag names are case-sensitive.
    ///
    /// ## Why is this bad?
    /// BuildKit stops the build with `unknown flag`. A misspelt security flag such as `--chown` or
    /// `--checksum` would otherwise silently not apply in tools that ignore unknown flags.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY --chonw=app:app . /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY --chown=app:app . /app
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the name with the closest valid flag. It is unsafe: the intended flag may be
    /// another one, and the flag then takes effect. It is not offered when the corrected flag would make
    /// the instruction a syntax error.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    /// - BuildKit: `unknown flag` error
    /// - dockerfile-utils: `UNKNOWN_ADD_FLAG`, `UNKNOWN_COPY_FLAG`, `UNKNOWN_FROM_FLAG`, `UNKNOWN_HEALTHCHECK_FLAG`
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 命令が受け付けないフラグが指定されています。
    ///
    /// ### 検出内容
    /// すべての `--flag` を、BuildKit の Dockerfile フロントエンドがその命令で受け付けるフラグ (`RUN --mount`、
    /// `COPY --chown`、`ADD --checksum` など) と照合し、最も近い正しいフラグを提案します。
    /// フラグ名は大文字と小文字を区別します。
    ///
    /// ### なぜ問題か
    /// BuildKit は `unknown flag` でビルドを止めます。未知のフラグを無視するツールでは、
    /// `--chown` や `--checksum` のようなセキュリティ上重要なフラグのつづり間違いが、黙って効かないままになります。
    ///
    /// ### 対処法
    /// フラグ名を正しいつづりに直してください。
    ///
    /// ### 修正の安全性
    /// 最も近いフラグへの置き換えは安全ではありません。意図したのは別のフラグかもしれず、
    /// 置き換えるとそのフラグが実際に効き始めるためです。置き換えると構文エラーになる場合は提案しません。
    pub static UNKNOWN_FLAG = {
        code: "DW003",
        name: "unknown-flag",
        severity: Error,
        tags: ["syntax"],
        fix: Sometimes,
        since: "0.1.0",
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    report_parse_problems(ctx, sink, ProblemKind::UnknownFlag, Some("fix.replace-flag"));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_unknown_flags() {
        check_rule(
            "DW003",
            "FROM --Platform=linux/amd64 alpine\n#      ^^^^^^^^ DW003 unknown-flag\nRUN --mount=type=cache,target=/x --netwrok=none true\n#                                  ^^^^^^^ DW003 unknown-flag\nUSER --x app\n#      ^ DW003 unknown-flag.none\n",
        );
    }

    #[test]
    fn fixes_misspelt_flags() {
        check_fix(
            "DW003",
            "FROM alpine\nCOPY --chonw$0=1 a b\n",
            "FROM alpine\nCOPY --chown=1 a b\n",
        );
    }
}
