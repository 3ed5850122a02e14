//! DW612 multiple-instructions-disallowed: a CMD, ENTRYPOINT or HEALTHCHECK that a later one of the
//! same stage replaces.

use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::Kind;

declare_rule! {
    /// A stage has several CMD, ENTRYPOINT or HEALTHCHECK instructions.
    ///
    /// ## What it does
    /// Reports every `CMD`, `ENTRYPOINT` and `HEALTHCHECK` that a later instruction of the same kind in
    /// the same stage replaces, as BuildKit does (it points at the one that has no effect).
    ///
    /// ## Why is this bad?
    /// Only the last one counts: the earlier ones are dead code that misleads readers, often a leftover
    /// of an edit or a copy.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.13
    /// CMD ["python", "manage.py", "migrate"]
    /// CMD ["gunicorn", "app.wsgi"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.13
    /// CMD ["gunicorn", "app.wsgi"]
    /// ```
    ///
    /// ## References
    /// - BuildKit: `MultipleInstructionsDisallowed`
    /// - hadolint: DL4003 (multiple `CMD`), DL4004 (multiple `ENTRYPOINT`), DL3012 (multiple `HEALTHCHECK`)
    /// - dockerfile-utils: `MULTIPLE_INSTRUCTIONS`
    /// - [MultipleInstructionsDisallowed](https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 一つのステージに `CMD`、`ENTRYPOINT`、`HEALTHCHECK` が複数あります。
    ///
    /// ### 検出内容
    /// 同じステージにある同じ種類の後の命令によって上書きされる `CMD`、`ENTRYPOINT`、`HEALTHCHECK` を、
    /// BuildKit と同じように (効果のない方を指して) 報告します。
    ///
    /// ### なぜ問題か
    /// 有効なのは最後の一つだけです。それより前のものは読む人を誤解させる不要なコードで、
    /// 多くは編集やコピーの名残です。
    ///
    /// ### 対処法
    /// 最後の一つだけを残し、それ以外は削除してください。
    pub static MULTIPLE_INSTRUCTIONS_DISALLOWED = {
        code: "DW612",
        name: "multiple-instructions-disallowed",
        severity: Warning,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:MultipleInstructionsDisallowed", "hadolint:DL4003", "hadolint:DL4004", "hadolint:DL3012"],
        reads: [From, Arg, Env, User, Cmd, Entrypoint, Healthcheck],
        per_stage: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for stage in ctx.stages() {
        // The last instruction of each kind seen so far: (item, keyword range).
        let mut last: [Option<crate::text::TextRange>; 3] = [None; 3];
        for item in stage.items.clone() {
            let Some(it) = ctx.tree.item(item) else { continue };
            let Some(ins) = it.instruction() else { continue };
            let slot = match ins.kind {
                Kind::Cmd => 0,
                Kind::Entrypoint => 1,
                Kind::Healthcheck => 2,
                _ => continue,
            };
            let here = it.abs(ins.keyword.range);
            if let Some(previous) = last[slot] {
                sink.report(
                    previous,
                    "multiple-instructions-disallowed",
                    vec![("instruction", ins.kind.keyword().to_string())],
                )
                .related(here, "multiple-instructions-disallowed.later", vec![]);
            }
            last[slot] = Some(here);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_the_replaced_ones() {
        check_rule(
            "DW612",
            "FROM alpine AS a\nCMD one\n#^^ DW612 multiple-instructions-disallowed\nENTRYPOINT [\"x\"]\nCMD two\n#^^ DW612 multiple-instructions-disallowed\nHEALTHCHECK NONE\nCMD three\nFROM a\nCMD four\nHEALTHCHECK CMD true\n",
        );
    }
}
