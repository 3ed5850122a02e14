//! DW001 syntax-error: what Docker's own parser rejects.

use crate::rules::{Ctx, Sink, declare_rule, report_parse_problems};
use crate::syntax::ProblemKind;

declare_rule! {
    /// Docker's parser rejects the file.
    ///
    /// ## What it does
    /// Reports what makes Docker's Dockerfile parser fail before any instruction runs: an unterminated
    /// heredoc, a repeated or invalid parser directive, an exec-form array with a non-string element,
    /// `ENV`/`LABEL` pairs that mix the two forms, a line over Docker's 65,535-byte limit, a file without
    /// instructions.
    ///
    /// dockward keeps parsing after the error, so the rest of the file is still checked.
    ///
    /// ## Why is this bad?
    /// `docker build` stops at once. In an editor, catching it as you type saves a failed CI run; a
    /// heredoc left open also swallows every following instruction, which can hide what the image really
    /// contains.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN <<EOF
    /// apk add --no-cache curl
    /// CMD ["curl", "--version"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN <<EOF
    /// apk add --no-cache curl
    /// EOF
    /// CMD ["curl", "--version"]
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: parser directives, heredocs](https://docs.docker.com/reference/dockerfile/)
    /// - BuildKit: the parser errors of `frontend/dockerfile/parser`
    /// - hadolint: DL1000 (parse error)
    /// - dockerfile-utils: `INVALID_SYNTAX`, `INVALID_ESCAPE_DIRECTIVE`, `DUPLICATED_ESCAPE_DIRECTIVE`,
    ///   `SYNTAX_MISSING_EQUALS`, `SYNTAX_MISSING_SINGLE_QUOTE`, `SYNTAX_MISSING_DOUBLE_QUOTE`
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// Docker の Dockerfile パーサーがファイルを受け付けません。
    ///
    /// ### 検出内容
    /// 命令を一つも実行する前に Docker のパーサーが失敗する原因を報告します。閉じられていないヒアドキュメント、
    /// 重複した・不正なパーサーディレクティブ、文字列以外の要素を含む exec 形式の配列、
    /// 二つの書き方が混在した `ENV`/`LABEL` の組、Docker の上限 65,535 バイトを超える行、
    /// 命令が一つもないファイルなどです。エラーの後も解析を続けるので、ファイルの残りも引き続きチェックされます。
    ///
    /// ### なぜ問題か
    /// `docker build` はその場で止まります。エディターで入力中に気付ければ、CI の失敗を一回分減らせます。
    /// 閉じ忘れたヒアドキュメントは後続の命令をすべて飲み込んでしまうため、
    /// イメージに実際に何が入るのかが分かりにくくなります。
    ///
    /// ### 対処法
    /// メッセージが示す箇所を修正してください。ヒアドキュメントは終了語 (`EOF` など) を行頭に単独で書いて閉じ、
    /// `ENV`/`LABEL` は `key=value` 形式に揃えます。
    pub static SYNTAX_ERROR = {
        code: "DW001",
        name: "syntax-error",
        severity: Error,
        tags: ["syntax"],
        fix: None,
        since: "0.1.0",
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    report_parse_problems(ctx, sink, ProblemKind::Syntax, None);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn reports_docker_parse_errors() {
        check_rule(
            "DW001",
            r#"FROM alpine
RUN ["sleep", 10]
#             ^^ DW001 syntax.json-not-strings
ENV A=1 B
#       ^ DW001 syntax.missing-equals
RUN cat <<EOF
#       ^^^^^ DW001 syntax.unterminated-heredoc
echo never closed
USER nobody
"#,
        );
    }

    #[test]
    fn valid_files_are_clean() {
        check_rule(
            "DW001",
            "# syntax=docker/dockerfile:1\nFROM alpine\nRUN <<EOF\nx\nEOF\nENV A=1 B=\"2 3\"\n",
        );
    }
}
