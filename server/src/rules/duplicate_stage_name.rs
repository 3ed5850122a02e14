//! DW604 duplicate-stage-name: two build stages with the same name.

use crate::rules::{Ctx, Sink, declare_rule};

declare_rule! {
    /// Two build stages have the same name.
    ///
    /// ## What it does
    /// Reports a `FROM ... AS name` whose name (compared in lower case, as BuildKit does) an earlier
    /// stage already has.
    ///
    /// ## Why is this bad?
    /// BuildKit cannot tell which stage `COPY --from=name`, `FROM name` or `--target name` mean and
    /// stops the build with "duplicate stage name".
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// FROM node:22 AS build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS build-api
    /// FROM node:22 AS build-web
    /// ```
    ///
    /// ## References
    /// - BuildKit: `DuplicateStageName`
    /// - hadolint: DL3024
    /// - dockerfile-utils: `DUPLICATE_BUILD_STAGE_NAME`
    /// - [DuplicateStageName](https://docs.docker.com/reference/build-checks/duplicate-stage-name/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 二つのビルドステージが同じ名前を持っています。
    ///
    /// ### 検出内容
    /// `FROM ... AS name` のステージ名が、前のステージと (BuildKit と同じく小文字にして比べて) 重複している場合に報告
    /// します。
    ///
    /// ### なぜ問題か
    /// BuildKit は `COPY --from=name`、`FROM name`、`--target name` がどのステージを指すのか判断できず、
    /// "duplicate stage name" でビルドを止めます。
    ///
    /// ### 対処法
    /// ステージごとに役割の分かる別の名前を付けてください (`build-api`、`build-web` など)。
    pub static DUPLICATE_STAGE_NAME = {
        code: "DW604",
        name: "duplicate-stage-name",
        severity: Error,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:DuplicateStageName", "hadolint:DL3024"],
        reads: [From, Arg, Env, User],
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for p in ctx
        .model
        .problems
        .iter()
        .filter(|p| p.message == "invalid.duplicate-stage")
    {
        let finding = sink.report(p.range, p.message, p.args.clone());
        let name = p.args.first().map(|(_, n)| n.as_str()).unwrap_or("");
        if let Some(first) = ctx
            .model
            .first_stage_named(name)
            .and_then(|i| ctx.model.stages[i].name_range)
        {
            finding.related(first, "duplicate-stage-name.first", vec![]);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_the_second_stage() {
        check_rule(
            "DW604",
            "FROM alpine AS one\nFROM alpine AS two\nFROM alpine AS ONE\n#              ^^^ DW604 invalid.duplicate-stage\n",
        );
    }
}
