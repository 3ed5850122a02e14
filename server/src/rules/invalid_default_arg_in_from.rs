//! DW609 invalid-default-arg-in-from: a FROM image that the ARG defaults make empty or invalid.

use crate::model::refs::parsed_image;
use crate::rules::undefined_arg_in_from::FROM_DEFAULT_ARGS;
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::shellword::{Lookup, Options, expand_value};

declare_rule! {
    /// With the default values of the global ARGs, a FROM image is empty or invalid.
    ///
    /// ## What it does
    /// Expands the image of every `FROM` that uses variables with the global ARGs' defaults, as a build
    /// without `--build-arg` would (an ARG without a default and an undeclared variable are empty), and
    /// reports the result when it is not a valid image reference: `alpine:` from `FROM alpine:$TAG`
    /// with `ARG TAG`, or an empty image.
    ///
    /// ## Why is this bad?
    /// The build fails unless every caller passes the right `--build-arg`. A default that works makes
    /// the Dockerfile buildable as it is, and keeps it checkable.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG TAG
    /// FROM alpine:$TAG
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ARG TAG=3.20
    /// FROM alpine:$TAG
    /// ```
    ///
    /// ## References
    /// - BuildKit: `InvalidDefaultArgInFrom`
    /// - dockerfile-utils: `BASE_NAME_EMPTY`
    /// - [InvalidDefaultArgInFrom](https://docs.docker.com/reference/build-checks/invalid-default-arg-in-from/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// グローバルな `ARG` の既定値のままだと、`FROM` のイメージが空または不正になります。
    ///
    /// ### 検出内容
    /// 変数を使う `FROM` のイメージを、`--build-arg` なしのビルドと同じようにグローバルな `ARG` の既定値で展開し (既
    /// 定値のない `ARG` や未宣言の変数は空)、結果が正しいイメージ参照にならない場合に報告します。
    /// `ARG TAG` と `FROM alpine:$TAG` から得られる `alpine:` や、空のイメージなどです。
    ///
    /// ### なぜ問題か
    /// 呼び出し側が毎回正しい `--build-arg` を渡さない限り、ビルドは失敗します。動作する既定値があれば、
    /// Dockerfile はそのままビルドでき、チェックもしやすくなります。
    ///
    /// ### 対処法
    /// `ARG` に動作する既定値を与えてください (`ARG TAG=3.20`)。
    pub static INVALID_DEFAULT_ARG_IN_FROM = {
        code: "DW609",
        name: "invalid-default-arg-in-from",
        severity: Warning,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:InvalidDefaultArgInFrom"],
        reads: [From, Arg, Env, User],
        check: check,
    }
}

/// A stand-in value of a BuildKit default argument (any real value is a valid part of a reference).
fn default_arg(name: &str) -> &'static str {
    match name {
        "BUILDPLATFORM" | "TARGETPLATFORM" => "linux/amd64",
        "BUILDOS" | "TARGETOS" => "linux",
        "BUILDARCH" | "TARGETARCH" => "amd64",
        "TARGETSTAGE" => "stage",
        _ => "",
    }
}

/// The value of a global variable in a build without build arguments; `None` when it cannot be known.
fn defaults(ctx: &Ctx, name: &str) -> Option<String> {
    match ctx.model.global_args.iter().rev().find(|g| g.name == name) {
        Some(g) if g.raw.is_none() => Some(String::new()),
        Some(g) => g.value.known().map(str::to_string),
        None if FROM_DEFAULT_ARGS.contains(&name) => Some(default_arg(name).to_string()),
        None => Some(String::new()),
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    let escape = ctx.tree.escape;
    for stage in &ctx.model.stages {
        let (Some(raw), Some(range), true) = (&stage.image_text, stage.image_range, stage.image_uses_vars) else {
            continue;
        };
        let lookup = |n: &str| match defaults(ctx, n) {
            Some(v) => Lookup::Set(v),
            None => Lookup::Unknown,
        };
        let (value, error) = expand_value(raw, Options::expand(escape), &lookup);
        if error.is_some() {
            continue;
        }
        let Some(value) = value else { continue };
        let earlier_stage = ctx
            .model
            .first_stage_named(&value.to_ascii_lowercase())
            .is_some_and(|i| i < stage.index);
        if earlier_stage || value == "scratch" || (!value.is_empty() && parsed_image(&value).is_ok()) {
            continue;
        }
        sink.report(
            range,
            "invalid-default-arg-in-from",
            vec![("image", raw.clone()), ("value", value)],
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_images_the_defaults_break() {
        check_rule(
            "DW609",
            "ARG TAG\nARG GOOD=3.20\nARG IMG=Alpine\nFROM alpine:$TAG\n#    ^^^^^^^^^^^ DW609 invalid-default-arg-in-from\nFROM alpine:$GOOD AS base\nFROM $IMG\n#    ^^^^ DW609 invalid-default-arg-in-from\nFROM ${NOPE}\n#    ^^^^^^^ DW609 invalid-default-arg-in-from\nFROM base\nFROM --platform=$BUILDPLATFORM alpine:${TAG:-3}\n",
        );
    }
}
