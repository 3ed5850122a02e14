//! DW608 undefined-arg-in-from: a FROM line that uses a variable no global ARG declares.

use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::Kind;

declare_rule! {
    /// A FROM line uses a variable that no ARG before the first FROM declares.
    ///
    /// ## What it does
    /// Reports a `$name` in a `FROM` image or `--platform` value when `name` is neither declared by an
    /// `ARG` before the first `FROM` nor one of the arguments BuildKit defines for FROM lines
    /// (`TARGETPLATFORM`, `TARGETOS`, `TARGETARCH`, `TARGETVARIANT`, `TARGETOSVERSION`, `TARGETSTAGE`
    /// and their `BUILD*` counterparts), and suggests a declared name that is close.
    ///
    /// ## Why is this bad?
    /// A FROM line sees only the global ARGs: an undeclared variable is empty, so `FROM node:$VERSION`
    /// becomes `FROM node:`, which fails, or `FROM $REGISTRY/app` silently pulls from Docker Hub. Often
    /// the ARG was declared after the first FROM, where FROM lines cannot see it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// ARG VERSION=3.20
    /// FROM alpine:$VERSION
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ARG VERSION=3.20
    /// FROM alpine
    /// FROM alpine:$VERSION
    /// ```
    ///
    /// ## References
    /// - BuildKit: `UndefinedArgInFrom`
    /// - [UndefinedArgInFrom](https://docs.docker.com/reference/build-checks/undefined-arg-in-from/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `FROM` 行が、最初の `FROM` より前の `ARG` で宣言されていない変数を使っています。
    ///
    /// ### 検出内容
    /// `FROM` のイメージや `--platform` の値に含まれる `$name` について、`name` が最初の `FROM` より前の `ARG` で宣言
    /// されておらず、BuildKit が `FROM` 行のために定義する引数 (`TARGETPLATFORM`、`TARGETARCH`、
    /// `BUILDPLATFORM` など) でもない場合に報告し、宣言済みの近い名前を提案します。
    ///
    /// ### なぜ問題か
    /// `FROM` 行から見えるのはグローバルな `ARG` だけです。宣言されていない変数は空になるため、
    /// `FROM node:$VERSION` は `FROM node:` となって失敗し、`FROM $REGISTRY/app` は黙って Docker Hub から取得してしま
    /// います。`ARG` を最初の `FROM` の後に宣言していて、`FROM` 行から見えていないことがよくあります。
    ///
    /// ### 対処法
    /// 変数を最初の `FROM` より前の `ARG` で宣言し、既定値を与えてください (`ARG VERSION=3.20`)。
    pub static UNDEFINED_ARG_IN_FROM = {
        code: "DW608",
        name: "undefined-arg-in-from",
        severity: Warning,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:UndefinedArgInFrom"],
        reads: [From, Arg, Env, User],
        per_stage: true,
        check: check,
    }
}

/// The arguments BuildKit defines for FROM lines without an ARG (`defaultArgs`).
pub(crate) const FROM_DEFAULT_ARGS: [&str; 11] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

fn check(ctx: &Ctx, sink: &mut Sink) {
    let globals = &ctx.model.global_args;
    for (item, ins) in ctx.instructions().filter(|(_, i)| i.kind == Kind::From) {
        // A `${...}` BuildKit cannot expand stops the build first (DW004).
        if ins.errors().iter().any(|e| e.message == "invalid.bad-substitution") {
            continue;
        }
        for u in ins.var_uses.iter().filter(|u| u.expanded_by_docker) {
            let name = ins.text(&u.name);
            if name.is_empty() || FROM_DEFAULT_ARGS.contains(&name) || globals.iter().any(|g| g.name == name) {
                continue;
            }
            let candidates = globals.iter().map(|g| g.name.as_str()).chain(FROM_DEFAULT_ARGS);
            let range = item.abs(u.range);
            match crate::syntax::errors::closest(name, candidates) {
                Some(s) => sink.report(
                    range,
                    "undefined-arg-in-from.suggest",
                    vec![("name", name.to_string()), ("suggestion", s.to_string())],
                ),
                None => sink.report(range, "undefined-arg-in-from", vec![("name", name.to_string())]),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_undeclared_variables() {
        check_rule(
            "DW608",
            "ARG VERSION=3\nARG EMPTY\nFROM alpine:$VERSION AS a\nFROM alpine:${VERSOIN} AS b\n#           ^^^^^^^^^^ DW608 undefined-arg-in-from.suggest\nFROM --platform=$BUILDPLATFORM alpine:$EMPTY\nARG LATE=1\nFROM alpine:$LATE\n#           ^^^^^ DW608 undefined-arg-in-from\nFROM img:${templateOption:imageVariant}\n",
        );
    }
}
