//! DW614 redundant-target-platform: `FROM --platform=$TARGETPLATFORM`, the default.

use crate::diagnostic::Applicability;
use crate::rules::{Ctx, Sink, declare_rule, with_one_space};
use crate::syntax::Kind;

declare_rule! {
    /// `FROM --platform=$TARGETPLATFORM` repeats the default.
    ///
    /// ## What it does
    /// Reports a `--platform` flag whose value is just `$TARGETPLATFORM` (or `${TARGETPLATFORM}`), unless
    /// a global `ARG TARGETPLATFORM=...` gives it another default.
    ///
    /// ## Why is this bad?
    /// A stage is built for the target platform anyway: the flag adds nothing, and it suggests that the
    /// stage is meant for cross-compilation, where `$BUILDPLATFORM` would be the right value.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine
    /// ```
    ///
    /// ## Fix safety
    /// The fix removes the flag. It is safe: the stage's platform stays the target platform.
    ///
    /// ## References
    /// - BuildKit: `RedundantTargetPlatform`
    /// - [RedundantTargetPlatform](https://docs.docker.com/reference/build-checks/redundant-target-platform/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `FROM --platform=$TARGETPLATFORM` は既定値を繰り返しているだけです。
    ///
    /// ### 検出内容
    /// 値が `$TARGETPLATFORM` (または `${TARGETPLATFORM}`) だけの `--platform` フラグを報告します。
    /// グローバルな `ARG TARGETPLATFORM=...` が別の既定値を与えている場合は対象外です。
    ///
    /// ### なぜ問題か
    /// ステージはもともとターゲットプラットフォーム向けにビルドされるので、このフラグは何も加えません。
    /// むしろクロスコンパイル用のステージであるかのように見せますが、その場合に正しい値は `$BUILDPLATFORM` です。
    ///
    /// ### 対処法
    /// フラグを削除してください。クロスコンパイルのつもりなら `--platform=$BUILDPLATFORM` を使います。
    ///
    /// ### 修正の安全性
    /// 修正はフラグを削除します。ステージのプラットフォームはターゲットプラットフォームのままなので安全です。
    pub static REDUNDANT_TARGET_PLATFORM = {
        code: "DW614",
        name: "redundant-target-platform",
        severity: Warning,
        tags: ["correctness"],
        fix: Always,
        since: "0.2.0",
        also: ["buildkit:RedundantTargetPlatform"],
        reads: [From, Arg, Env, User],
        per_stage: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    if ctx
        .model
        .global_args
        .iter()
        .any(|g| g.name == "TARGETPLATFORM" && g.raw.is_some())
    {
        return;
    }
    for (item, ins) in ctx.instructions().filter(|(_, i)| i.kind == Kind::From) {
        let Some(flag) = ins.flag("platform") else { continue };
        let (Some(value), Some(value_range)) = (&flag.value, flag.value_range) else {
            continue;
        };
        if value != "$TARGETPLATFORM" && value != "${TARGETPLATFORM}" {
            continue;
        }
        let whole = item.abs(flag.span.range);
        let fix = ctx.replace(
            "fix.remove-platform-flag",
            &[],
            with_one_space(ctx.text, whole),
            "",
            Applicability::Safe,
        );
        sink.report(
            item.abs(value_range),
            "redundant-target-platform",
            vec![("platform", value.clone())],
        )
        .fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_the_default_platform() {
        check_rule(
            "DW614",
            "FROM --platform=$TARGETPLATFORM alpine\n#               ^^^^^^^^^^^^^^^ DW614 redundant-target-platform\nFROM --platform=${TARGETPLATFORM} alpine AS b\n#               ^^^^^^^^^^^^^^^^^ DW614 redundant-target-platform\nFROM --platform=$BUILDPLATFORM alpine\nFROM --platform=linux/$TARGETARCH alpine\n",
        );
        check_rule(
            "DW614",
            "ARG TARGETPLATFORM=linux/arm64\nFROM --platform=$TARGETPLATFORM alpine\n",
        );
    }

    #[test]
    fn removes_the_flag() {
        check_fix("DW614", "FROM --platform=$TARGET$0PLATFORM alpine\n", "FROM alpine\n");
    }
}
