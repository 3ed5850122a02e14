//! DW607 maintainer-deprecated: the deprecated MAINTAINER instruction.

use crate::diagnostic::Applicability;
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::{Args, Kind};

declare_rule! {
    /// The MAINTAINER instruction is deprecated.
    ///
    /// ## What it does
    /// Reports every `MAINTAINER` instruction.
    ///
    /// ## Why is this bad?
    /// `MAINTAINER` sets the image's `Author` field, which the OCI image format no longer carries and
    /// which tools do not show. The standard place for the author is the
    /// `org.opencontainers.image.authors` label. BuildKit warns about `MAINTAINER` on every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// MAINTAINER Jane Doe <jane@example.com>
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine
    /// LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces the instruction with the label. It is unsafe: the image no longer has an
    /// `Author` field, which a tool might still read. It is offered when the text has no quote,
    /// backslash, backtick or `$` (a label value would give them a meaning).
    ///
    /// ## References
    /// - BuildKit: `MaintainerDeprecated`
    /// - hadolint: DL4000
    /// - dockerfile-utils: `DEPRECATED_MAINTAINER`
    /// - [MaintainerDeprecated](https://docs.docker.com/reference/build-checks/maintainer-deprecated/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `MAINTAINER` 命令は非推奨です。
    ///
    /// ### 検出内容
    /// すべての `MAINTAINER` 命令を報告します。
    ///
    /// ### なぜ問題か
    /// `MAINTAINER` はイメージの `Author` フィールドを設定しますが、このフィールドは OCI イメージ形式にはもうなく、
    /// ツールにも表示されません。作成者を記録する標準の場所は `org.opencontainers.image.authors` ラベルです。
    /// BuildKit もビルドのたびに警告します。
    ///
    /// ### 対処法
    /// `LABEL org.opencontainers.image.authors="..."` に置き換えてください。
    ///
    /// ### 修正の安全性
    /// 修正は命令をラベルに置き換えます。イメージから `Author` フィールドがなくなり、
    /// それを読むツールがまだあるかもしれないため、安全ではありません。値に引用符、バックスラッシュ、バッククォート、
    /// `$` が含まれない場合にだけ提供します (ラベルの値ではそれらが特別な意味を持つためです)。
    pub static MAINTAINER_DEPRECATED = {
        code: "DW607",
        name: "maintainer-deprecated",
        severity: Warning,
        tags: ["correctness"],
        fix: Sometimes,
        since: "0.2.0",
        also: ["buildkit:MaintainerDeprecated", "hadolint:DL4000"],
        instruction_check: check,
    }
}

fn check(ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let ins = instr.ins;
    if ins.kind != Kind::Maintainer {
        return;
    }
    let finding = sink.report(instr.item.abs(ins.keyword.range), "maintainer-deprecated", vec![]);
    let Args::Text(Some(text)) = &ins.args else { return };
    let author = ins.text(text).trim();
    let source = ctx.text.get(instr.item.abs(ins.range).as_usize()).unwrap_or("");
    if author.is_empty() || source.contains('\n') || author.contains(['"', '\\', '`', '$']) {
        return;
    }
    let fix = ctx.replace(
        "fix.maintainer-label",
        &[],
        instr.item.abs(ins.range),
        format!("LABEL org.opencontainers.image.authors=\"{author}\""),
        Applicability::Unsafe,
    );
    finding.fix(fix);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_maintainer() {
        check_rule(
            "DW607",
            "FROM alpine\nMAINTAINER Jane <jane@example.com>\n#^^^^^^^^^ DW607 maintainer-deprecated\nLABEL org.opencontainers.image.authors=jane\n",
        );
    }

    #[test]
    fn rewrites_it_as_a_label() {
        check_fix(
            "DW607",
            "FROM alpine\nMAINT$0AINER Jane <jane@example.com>\n",
            "FROM alpine\nLABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\"\n",
        );
    }
}
