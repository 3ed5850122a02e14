//! DW605 reserved-stage-name: a stage named `scratch` or `context`.

use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::{Args, Kind};

declare_rule! {
    /// A build stage is named `scratch` or `context`.
    ///
    /// ## What it does
    /// Reports `FROM ... AS scratch` and `FROM ... AS context`, in any case.
    ///
    /// ## Why is this bad?
    /// BuildKit gives these names a meaning of their own: `scratch` is the empty image and `context`
    /// names the build context in `--build-context` and `COPY --from`. A stage with such a name makes
    /// later references ambiguous, and BuildKit warns about it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine AS scratch
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine AS base
    /// ```
    ///
    /// ## References
    /// - BuildKit: `ReservedStageName`
    /// - [ReservedStageName](https://docs.docker.com/reference/build-checks/reserved-stage-name/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ビルドステージに `scratch` または `context` という名前が付いています。
    ///
    /// ### 検出内容
    /// 大文字・小文字を問わず、`FROM ... AS scratch` と `FROM ... AS context` を報告します。
    ///
    /// ### なぜ問題か
    /// BuildKit ではこれらの名前に固有の意味があります。`scratch` は空のイメージ、
    /// `context` は `--build-context` や `COPY --from` でビルドコンテキストを指す名前です。
    /// こうした名前のステージがあると後の参照があいまいになり、BuildKit も警告します。
    ///
    /// ### 対処法
    /// ステージに別の名前を付けてください (`base`、`build` など)。
    pub static RESERVED_STAGE_NAME = {
        code: "DW605",
        name: "reserved-stage-name",
        severity: Warning,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:ReservedStageName"],
        instruction_check: check,
    }
}

fn check(_ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let ins = instr.ins;
    let (Kind::From, Args::From(from)) = (ins.kind, &ins.args) else {
        return;
    };
    let Some(name) = from.name else { return };
    let lower = ins.text(&name).to_ascii_lowercase();
    if lower == "scratch" || lower == "context" {
        sink.report(instr.item.abs(name.range), "reserved-stage-name", vec![("name", lower)]);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_reserved_names() {
        check_rule(
            "DW605",
            "FROM alpine AS scratch\n#              ^^^^^^^ DW605 reserved-stage-name\nFROM alpine AS Context\n#              ^^^^^^^ DW605 reserved-stage-name\nFROM scratch AS base\nFROM alpine AS contexts\n",
        );
    }
}
