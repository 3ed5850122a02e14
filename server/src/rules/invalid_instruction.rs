//! DW004 invalid-instruction: what BuildKit rejects when it reads an instruction.

use crate::rules::{Ctx, Sink, declare_rule, report_parse_problems};
use crate::syntax::ProblemKind;

declare_rule! {
    /// BuildKit rejects this instruction when it reads it.
    ///
    /// ## What it does
    /// Docker's parser accepts some lines that BuildKit then refuses while it turns them into build
    /// steps. This rule reports them: a wrong number of arguments (`FROM a b`, `COPY onlyone`, `USER` with
    /// nothing after it), a flag without its value (`COPY --from build`), a repeated flag, a boolean flag
    /// with another value, an invalid stage name, an instruction other than `ARG`
    /// before the first `FROM`, `SHELL` not in JSON form, `HEALTHCHECK` options that are not durations,
    /// `ONBUILD ONBUILD`, an invalid image reference such as `FROM Ubuntu`, and a `${...}` that Docker
    /// cannot expand.
    ///
    /// ## Why is this bad?
    /// The build fails, usually after minutes of earlier steps. Some of these mistakes also change
    /// meaning silently in other tools: `COPY --from build src dst` copies from the context in a builder
    /// that ignores the broken flag.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static
    /// COPY --from build /app /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    /// - BuildKit: `frontend/dockerfile/instructions` errors
    /// - hadolint: DL3021 (COPY with more than two arguments needs a trailing `/`), DL3023 (COPY --from
    ///   its own stage)
    /// - dockerfile-utils: `ARGUMENT_MISSING`, `ARGUMENT_EXTRA`, `ARGUMENT_REQUIRES_ONE`,
    ///   `ARGUMENT_REQUIRES_AT_LEAST_ONE`, `ARGUMENT_REQUIRES_TWO`, `ARGUMENT_REQUIRES_AT_LEAST_TWO`,
    ///   `ARGUMENT_REQUIRES_ONE_OR_THREE`, `ARGUMENT_UNNECESSARY`, `INVALID_BUILD_STAGE_NAME`, `INVALID_AS`,
    ///   `INVALID_DESTINATION`, `INVALID_REFERENCE_FORMAT`, `NO_SOURCE_IMAGE`, `FLAG_DUPLICATE`,
    ///   `FLAG_MISSING_VALUE`, `FLAG_INVALID_DURATION`, `FLAG_LESS_THAN_1MS`, `FLAG_MISSING_DURATION`,
    ///   `FLAG_UNKNOWN_UNIT`, `HEALTHCHECK_CMD_ARGUMENT_MISSING`, `UNKNOWN_TYPE`, `ONBUILD_CHAINING_DISALLOWED`,
    ///   `ONBUILD_TRIGGER_DISALLOWED`, `SHELL_JSON_FORM`, `SYNTAX_MISSING_NAMES`, `UNSUPPORTED_MODIFIER`
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// BuildKit がこの命令を読み込む段階で拒否します。
    ///
    /// ### 検出内容
    /// Docker のパーサーは受け付けても、BuildKit がビルドステップに変換するときに拒否する行を報告します。
    /// 引数の数の誤り (`FROM a b`、`COPY onlyone`)、値のないフラグ (`COPY --from build`)、フラグの重複、
    /// 不正なステージ名、最初の `FROM` より前の `ARG` 以外の命令、JSON 形式でない `SHELL`、
    /// 不正なイメージ参照 (`FROM Ubuntu`) などです。
    ///
    /// ### なぜ問題か
    /// ビルドは失敗します。それも多くの場合、前のステップに何分もかけた後です。
    /// ツールによっては意味が黙って変わることもあります。壊れたフラグを無視するビルダーでは、
    /// `COPY --from build src dst` がビルドコンテキストからコピーしてしまいます。
    ///
    /// ### 対処法
    /// メッセージに従って命令を BuildKit の構文に合わせてください (`--from=build` のように値を `=` でつなぐ、
    /// 引数を揃えるなど)。
    pub static INVALID_INSTRUCTION = {
        code: "DW004",
        name: "invalid-instruction",
        severity: Error,
        tags: ["syntax"],
        fix: None,
        since: "0.1.0",
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    report_parse_problems(ctx, sink, ProblemKind::Instruction, None);
    for p in &ctx.model.problems {
        // A duplicate stage name is DW604's; an image that only the ARG defaults make invalid is DW609's
        // (a build argument can still make it valid).
        let from_defaults = p.message.starts_with("invalid.image-")
            && ctx
                .model
                .stages
                .iter()
                .any(|s| s.image_range == Some(p.range) && s.image_uses_vars);
        if p.message == "invalid.duplicate-stage" || from_defaults {
            continue;
        }
        sink.report(p.range, p.message, p.args.clone());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn reports_what_buildkit_rejects() {
        check_rule(
            "DW004",
            r#"WORKDIR /x
#^^^^^^ DW004 invalid.before-from
FROM Ubuntu AS base
#    ^^^^^^ DW004 invalid.image-uppercase
FROM alpine AS BASE
COPY --from build /a /b
#    ^^^^^^ DW004 invalid.flag-missing-value
COPY onlyone
#    ^^^^^^^ DW004 invalid.no-destination
FROM a b
#      ^ DW004 invalid.from-arguments
SHELL /bin/bash -c
#     ^^^^^^^^^^^^ DW004 invalid.shell-not-json
HEALTHCHECK --interval=5 CMD true
#                      ^ DW004 invalid.healthcheck-duration
ENV P=${X:?}${
#     ^^^^^^^^ DW004 invalid.bad-substitution
"#,
        );
    }

    #[test]
    fn accepts_valid_files() {
        check_rule(
            "DW004",
            "ARG BASE=alpine\nFROM ${BASE}:3.20 AS build\nCOPY --from=build --chown=1:1 --link /a /b\nHEALTHCHECK --interval=30s --retries=3 CMD true\nSHELL [\"/bin/sh\", \"-c\"]\n",
        );
    }
}
