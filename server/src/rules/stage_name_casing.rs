//! DW601 stage-name-casing: a build stage name with upper-case letters.

use crate::diagnostic::Applicability;
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::{Args, Kind, parser::valid_stage_name};

declare_rule! {
    /// A build stage name has upper-case letters.
    ///
    /// ## What it does
    /// Reports a `FROM ... AS Name` whose stage name is not all lower case.
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases stage names: `AS Build` defines the stage `build`, and `COPY --from=BUILD`
    /// or `--target Build` find it too. Writing the name in another case suggests a distinction that does
    /// not exist, and BuildKit warns about it on every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS Builder
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes the name in lower case. It is safe: BuildKit already reads it in lower case, and
    /// references to the stage match it in any case.
    ///
    /// ## References
    /// - BuildKit: `StageNameCasing`
    /// - [StageNameCasing](https://docs.docker.com/reference/build-checks/stage-name-casing/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ビルドステージ名に大文字が含まれています。
    ///
    /// ### 検出内容
    /// ステージ名がすべて小文字ではない `FROM ... AS Name` を報告します。
    ///
    /// ### なぜ問題か
    /// BuildKit はステージ名を小文字に変換します。`AS Build` は `build` というステージを定義し、
    /// `COPY --from=BUILD` や `--target Build` でも同じステージが見つかります。
    /// 大文字と小文字を書き分けると存在しない区別があるように見え、BuildKit もビルドのたびに警告します。
    ///
    /// ### 対処法
    /// ステージ名は小文字で書いてください (`AS builder`)。
    ///
    /// ### 修正の安全性
    /// 修正は名前を小文字で書き直します。BuildKit はもともと小文字として読み、
    /// ステージへの参照は大文字・小文字を問わず一致するので安全です。
    pub static STAGE_NAME_CASING = {
        code: "DW601",
        name: "stage-name-casing",
        severity: Warning,
        tags: ["correctness"],
        fix: Always,
        since: "0.2.0",
        also: ["buildkit:StageNameCasing"],
        instruction_check: check,
    }
}

fn check(ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let ins = instr.ins;
    let (Kind::From, Args::From(from)) = (ins.kind, &ins.args) else {
        return;
    };
    let Some(name) = from.name else { return };
    let written = ins.text(&name);
    let lower = written.to_ascii_lowercase();
    if written == lower || !valid_stage_name(&lower) {
        return;
    }
    let range = instr.item.abs(name.range);
    let fix = ctx.replace(
        "fix.stage-name-casing",
        &[("name", lower.clone())],
        range,
        lower.clone(),
        Applicability::Safe,
    );
    sink.report(
        range,
        "stage-name-casing",
        vec![("name", written.to_string()), ("lower", lower)],
    )
    .fix(fix);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_names_with_upper_case() {
        check_rule(
            "DW601",
            "FROM alpine AS Build\n#              ^^^^^ DW601 stage-name-casing\nFROM alpine AS test-1\nFROM build\n",
        );
    }

    #[test]
    fn lowers_the_name() {
        check_fix(
            "DW601",
            "FROM alpine AS Bu$0ild\nFROM build\n",
            "FROM alpine AS build\nFROM build\n",
        );
    }
}
