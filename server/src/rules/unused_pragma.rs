//! DW902 unused-pragma: a `# dockward ignore=` code that suppresses nothing.

use crate::diagnostic::{Applicability, FileRef, Fix, TextEdit};
use crate::rules::{Ctx, Sink, declare_rule};
use crate::suppress::{Pragma, Tool, Usage};
use crate::text::TextRange;

declare_rule! {
    /// A suppression comment suppresses nothing.
    ///
    /// ## What it does
    /// Reports each rule code of a `# dockward ignore=` comment that did not suppress any finding, for
    /// rules that ran. Codes of rules disabled in the settings are left alone, since nothing can be said
    /// about them.
    ///
    /// ## Why is this bad?
    /// Stale suppressions accumulate after fixes and hide future regressions: when the instruction
    /// changes again, the problem comes back silently suppressed.
    ///
    /// ## Example
    /// ```dockerfile
    /// # dockward ignore=DW003
    /// COPY --chown=app:app . /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// COPY --chown=app:app . /app
    /// ```
    ///
    /// ## Fix safety
    /// The fix removes the unused code, or the whole comment when it was the only one. It is safe: the
    /// code suppresses nothing today.
    ///
    /// ## References
    /// - ruff: RUF100 (unused `noqa`)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 何も抑制していない抑制コメントです。
    ///
    /// ### 検出内容
    /// `# dockward ignore=` コメントのルールのうち、実行されたのに何の指摘も抑制しなかったものを報告します。
    /// 設定で無効にしたルールは、何も判断できないので対象外です。
    ///
    /// ### なぜ問題か
    /// 不要になった抑制は修正の後に溜まっていき、将来の退行を隠します。命令がまた変わったとき、
    /// 問題が再発しても黙って抑制されてしまいます。
    ///
    /// ### 対処法
    /// 使われていないコードを抑制コメントから削除してください。
    ///
    /// ### 修正の安全性
    /// 修正は使われていないコードを削除し、それが唯一のコードだった場合はコメント全体を削除します。
    /// そのコードは現在何も抑制していないので安全です。
    pub static UNUSED_PRAGMA = {
        code: "DW902",
        name: "unused-pragma",
        severity: Info,
        tags: ["meta"],
        fix: Always,
        since: "0.1.0",
        check: check,
    }
}

/// Runs after suppression (see `check::check_tree`); the regular pass has nothing to do.
fn check(_ctx: &Ctx, _sink: &mut Sink) {}

/// Reports unused codes of dockward pragmas whose rules ran.
pub(crate) fn report(ctx: &Ctx, pragmas: &[Pragma], usage: &Usage, sink: &mut Sink) {
    for (pi, p) in pragmas.iter().enumerate().filter(|(_, p)| p.tool == Tool::Dockward) {
        let live: Vec<usize> = (0..p.codes.len()).filter(|&ci| !p.codes[ci].rules.is_empty()).collect();
        for &ci in &live {
            let c = &p.codes[ci];
            if usage.used[pi][ci] || !c.rules.iter().all(|r| ctx.settings.enabled(r)) {
                continue;
            }
            let unused_all = live.iter().all(|&k| !usage.used[pi][k]) && live.len() == p.codes.len();
            let edit = if unused_all {
                // Delete the whole comment line.
                let end = ctx.text[p.range.end as usize..]
                    .find('\n')
                    .map_or(ctx.text.len(), |i| p.range.end as usize + i + 1);
                let start = ctx.text[..p.range.start as usize].rfind('\n').map_or(0, |i| i + 1);
                TextEdit {
                    file: FileRef::Dockerfile,
                    range: TextRange::new(start as u32, end as u32),
                    new_text: String::new().into(),
                }
            } else {
                // Delete the code and one adjacent comma.
                let after = &ctx.text[c.range.end as usize..];
                let before = &ctx.text[..c.range.start as usize];
                let range = if let Some(i) = after.find(',').filter(|&i| after[..i].trim().is_empty()) {
                    let j = after[i + 1..].len() - after[i + 1..].trim_start().len();
                    TextRange::new(c.range.start, c.range.end + (i + 1 + j) as u32)
                } else if let Some(i) = before.rfind(',').filter(|&i| before[i + 1..].trim().is_empty()) {
                    TextRange::new(i as u32, c.range.end)
                } else {
                    c.range
                };
                TextEdit {
                    file: FileRef::Dockerfile,
                    range,
                    new_text: String::new().into(),
                }
            };
            let fix = Fix {
                title: ctx.msg("fix.remove-pragma-code", &[("code", c.text.clone())]).into(),
                applicability: Applicability::Safe,
                edits: vec![edit],
                creates: None,
                resolve: None,
            };
            sink.report(c.range, "meta.unused-pragma", vec![("code", c.text.clone())])
                .fix(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_codes_that_suppress_nothing() {
        check_rule(
            "DW902",
            "FROM a\n# dockward ignore=DW002,DW003 -- both?\n#                       ^^^^^ DW902 meta.unused-pragma\nRNU x\n",
        );
    }

    #[test]
    fn removes_the_code_or_the_comment() {
        check_fix(
            "DW902",
            "FROM a\n# dockward ignore=DW002, DW003$0\nRNU x\n",
            "FROM a\n# dockward ignore=DW002\nRNU x\n",
        );
        check_fix(
            "DW902",
            "FROM a\n# dockward ignore=DW003$0 -- stale\nRUN x\n",
            "FROM a\nRUN x\n",
        );
    }
}
