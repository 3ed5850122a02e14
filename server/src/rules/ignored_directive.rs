//! DW006 ignored-directive: a parser directive written where Docker does not read it.

use crate::rules::{Ctx, Sink, declare_rule, report_parse_problems};
use crate::syntax::ProblemKind;

declare_rule! {
    /// A parser directive Docker ignores because of where it is written.
    ///
    /// ## What it does
    /// Docker reads `# syntax=`, `# escape=` and `# check=` only in the first lines of the file, before
    /// any instruction, blank line or other comment. This rule flags such a directive anywhere else,
    /// where Docker treats it as an ordinary comment.
    ///
    /// ## Why is this bad?
    /// The author expects an effect that does not happen: `# escape=`` ` `` after a comment leaves `\` as
    /// the escape character, so Windows paths break; `# syntax=` after a blank line does not pin the
    /// frontend version, so the build may use another Dockerfile syntax than the one tested;
    /// `# check=error=true` does not make the build fail on warnings.
    ///
    /// ## Example
    /// ```dockerfile
    /// # Build the web server
    /// # syntax=docker/dockerfile:1.7
    /// FROM nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1.7
    /// # Build the web server
    /// FROM nginx:1.27
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: parser directives](https://docs.docker.com/reference/dockerfile/#parser-directives)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 書かれた位置のせいで Docker に無視されるパーサーディレクティブです。
    ///
    /// ### 検出内容
    /// Docker は `# syntax=`、`# escape=`、`# check=` をファイル冒頭、
    /// つまり命令・空行・他のコメントより前でしか読みません。それ以外の位置にあるディレクティブを報告します。
    /// そこでは通常のコメントとして扱われます。
    ///
    /// ### なぜ問題か
    /// 書いた人が期待する効果が得られません。コメントの後の `# escape=` ではエスケープ文字が `\` のままで Windows の
    /// パスが壊れ、空行の後の `# syntax=` ではフロントエンドのバージョンが固定されず、
    /// `# check=error=true` を書いても警告でビルドが失敗しません。
    ///
    /// ### 対処法
    /// ディレクティブをファイルの先頭、空行やコメントより前に移動してください。
    pub static IGNORED_DIRECTIVE = {
        code: "DW006",
        name: "ignored-directive",
        severity: Warning,
        tags: ["syntax"],
        fix: None,
        since: "0.1.0",
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    report_parse_problems(ctx, sink, ProblemKind::IgnoredDirective, None);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_late_directives_only() {
        check_rule(
            "DW006",
            "# syntax=docker/dockerfile:1\n# escape=\\\n# hello\n# check=skip=all\n#^^^^^^^^^^^^^^^ DW006 ignored-directive\nFROM a\n# note=this is not a directive name Docker knows\n",
        );
    }
}
