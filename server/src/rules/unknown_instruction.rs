//! DW002 unknown-instruction: a line that is not one of the 18 Dockerfile instructions.

use crate::rules::{Ctx, Sink, declare_rule, report_parse_problems};
use crate::syntax::ProblemKind;

declare_rule! {
    /// A line starts with a word that is not a Dockerfile instruction.
    ///
    /// ## What it does
    /// Flags the first word of an instruction when it is not one of the 18 instructions (`FROM`, `RUN`,
    /// `CMD`, `LABEL`, `MAINTAINER`, `EXPOSE`, `ENV`, `ADD`, `COPY`, `ENTRYPOINT`, `VOLUME`, `USER`,
    /// `WORKDIR`, `ARG`, `ONBUILD`, `STOPSIGNAL`, `HEALTHCHECK`, `SHELL`), and suggests the closest one.
    ///
    /// The usual causes are a typo (`RNU`) and a shell command whose previous line lost its trailing
    /// escape character, so the command became an instruction of its own.
    ///
    /// ## Why is this bad?
    /// BuildKit stops the build with `unknown instruction`. When the cause is a missing continuation, the
    /// intended command (often a cleanup or a verification step) is not part of the RUN it belongs to.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm
    /// RUN apt-get update
    ///     apt-get install -y curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:bookworm
    /// RUN apt-get update \
    ///     && apt-get install -y curl
    /// ```
    ///
    /// ## Fix safety
    /// When a known instruction is within a small edit distance, the fix replaces the word with it. It is
    /// unsafe: the word may instead be a shell command that belongs to the previous line. It is not
    /// offered when the arguments would be a syntax error for the corrected instruction.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    /// - BuildKit: `unknown instruction` error
    /// - hadolint: DL1000 (parse error)
    /// - dockerfile-utils: `UNKNOWN_INSTRUCTION`
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 行頭の語が Dockerfile の命令ではありません。
    ///
    /// ### 検出内容
    /// 命令の先頭の語が 18 種類の命令 (`FROM`、`RUN`、`COPY` など) のどれでもない場合に報告し、
    /// 最も近い命令を提案します。よくある原因はタイプミス (`RNU`) と、
    /// 前の行の末尾のエスケープ文字が抜けてシェルコマンドが独立した命令になってしまったケースです。
    ///
    /// ### なぜ問題か
    /// BuildKit は `unknown instruction` でビルドを止めます。行継続の抜けが原因の場合、
    /// 本来 `RUN` に含まれるはずだったコマンド (後片付けや検証の処理であることが多い) が実行されません。
    ///
    /// ### 対処法
    /// 命令名のタイプミスを直すか、前の行の末尾にエスケープ文字 (`\`) を補って、
    /// コマンドを元の `RUN` に戻してください。
    ///
    /// ### 修正の安全性
    /// 近い命令名への置き換えは安全ではありません。その語は前の行に属するシェルコマンドかもしれないためです。
    /// 置き換えると構文エラーになる場合は提案しません。
    pub static UNKNOWN_INSTRUCTION = {
        code: "DW002",
        name: "unknown-instruction",
        severity: Error,
        tags: ["syntax"],
        fix: Sometimes,
        since: "0.1.0",
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    report_parse_problems(ctx, sink, ProblemKind::UnknownInstruction, Some("fix.replace-keyword"));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_unknown_keywords() {
        check_rule(
            "DW002",
            "FROM alpine\nRNU echo hi\n#^^ DW002 unknown-instruction\napk add curl\n#^^ DW002 unknown-instruction\nrun ok\n",
        );
    }

    #[test]
    fn fixes_typos() {
        check_fix(
            "DW002",
            "FROM alpine\nENTRYPIONT$0 [\"sh\"]\n",
            "FROM alpine\nENTRYPOINT [\"sh\"]\n",
        );
    }
}
