//! DW901 unknown-pragma-code: a `# dockward ignore=` comment names no rule.

use crate::rules::{Ctx, Sink, declare_rule};
use crate::suppress::{Pragma, Tool};

declare_rule! {
    /// A suppression comment names a rule that does not exist.
    ///
    /// ## What it does
    /// Checks every code in `# dockward ignore=...` and `# dockward global ignore=...` comments against
    /// the rule registry (codes such as `DW001` and names such as `syntax-error` are both accepted).
    ///
    /// ## Why is this bad?
    /// A misspelt code suppresses nothing, so the finding the author meant to accept keeps failing
    /// the build, or, worse, the author believes a risk was reviewed when the comment does nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// # dockward ignore=DW00l -- typo: the letter l
    /// RNU echo hi
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # dockward ignore=DW002 -- kept on purpose for the demo
    /// RNU echo hi
    /// ```
    ///
    /// ## References
    /// - hadolint: inline `# hadolint ignore=` comments
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 抑制コメントが存在しないルールを指定しています。
    ///
    /// ### 検出内容
    /// `# dockward ignore=...` と `# dockward global ignore=...` のコメントにあるすべてのコードを、
    /// ルールの一覧と照合します (`DW001` のようなコードと `syntax-error` のような名前のどちらも使えます)。
    ///
    /// ### なぜ問題か
    /// つづりを間違えたコードは何も抑制しません。許容するつもりだった指摘でビルドが失敗し続けるか、さらに悪いことに、
    /// コメントが何もしていないのにリスクをレビュー済みだと思い込んでしまいます。
    ///
    /// ### 対処法
    /// 正しいルールのコードか名前を書いてください (`dockward rule --all` で一覧を確認できます)。
    pub static UNKNOWN_PRAGMA_CODE = {
        code: "DW901",
        name: "unknown-pragma-code",
        severity: Warning,
        tags: ["meta"],
        fix: None,
        since: "0.1.0",
        check: check,
    }
}

/// Runs after suppression (see `check::check_tree`); the regular pass has nothing to do.
fn check(_ctx: &Ctx, _sink: &mut Sink) {}

/// Reports the codes of dockward pragmas that designate no rule.
pub(crate) fn report(pragmas: &[Pragma], sink: &mut Sink) {
    for p in pragmas.iter().filter(|p| p.tool == Tool::Dockward) {
        for c in p.codes.iter().filter(|c| c.rules.is_empty()) {
            sink.report(c.range, "meta.unknown-pragma-code", vec![("code", c.text.clone())]);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_unknown_codes_only() {
        check_rule(
            "DW901",
            "FROM a\n# dockward ignore=DW002,DW00l,unknown-flag\n#                       ^^^^^ DW901 meta.unknown-pragma-code\nRNU x\n# hadolint ignore=DL3006\nFROM b\n",
        );
    }
}
