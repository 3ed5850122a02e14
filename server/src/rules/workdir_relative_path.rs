//! DW610 workdir-relative-path: the first WORKDIR of a stage chain is a relative path.

use crate::model::Base;
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::{Args, Kind};

declare_rule! {
    /// The first WORKDIR of a stage is a relative path.
    ///
    /// ## What it does
    /// Reports a relative `WORKDIR` (after variable expansion) when no earlier `WORKDIR` of the stage,
    /// or of the stages it is built on, set the directory, as BuildKit does. Later relative `WORKDIR`s
    /// build on that first one and are not reported.
    ///
    /// ## Why is this bad?
    /// A relative path is resolved against the base image's working directory, which the Dockerfile does
    /// not control: when the base image changes it, files land somewhere else and commands run in
    /// another directory.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// ```
    ///
    /// ## References
    /// - BuildKit: `WorkdirRelativePath`
    /// - hadolint: DL3000 (which reports every relative `WORKDIR`)
    /// - dockerfile-utils: `WORKDIR_IS_NOT_ABSOLUTE`
    /// - [WorkdirRelativePath](https://docs.docker.com/reference/build-checks/workdir-relative-path/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ステージで最初の `WORKDIR` が相対パスです。
    ///
    /// ### 検出内容
    /// そのステージ (または元になったステージ) の前の `WORKDIR` で作業ディレクトリが設定されていないのに、
    /// (変数の展開後に) 相対パスになっている `WORKDIR` を BuildKit と同じように報告します。
    /// 最初の `WORKDIR` を基準にする後続の相対パスは報告しません。
    ///
    /// ### なぜ問題か
    /// 相対パスは、Dockerfile では制御できないベースイメージの作業ディレクトリを基準に解決されます。
    /// ベースイメージがそれを変えると、ファイルの置き場所もコマンドを実行するディレクトリも変わってしまいます。
    ///
    /// ### 対処法
    /// 最初の `WORKDIR` は絶対パスで書いてください (`WORKDIR /app`)。
    pub static WORKDIR_RELATIVE_PATH = {
        code: "DW610",
        name: "workdir-relative-path",
        severity: Warning,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:WorkdirRelativePath", "hadolint:DL3000"],
        reads: [From, Arg, Env, User, Workdir],
        per_stage: true,
        check: check,
    }
}

/// Whether a path is absolute for Linux, or looks like an absolute Windows path (`C:\`, `\dir`), which
/// a Windows image would take as absolute.
fn absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with(['/', '\\']) || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    // Whether a WORKDIR has set the directory by the end of each stage (of those looked at so far).
    let mut set_at_end = vec![None; ctx.model.stages.len()];
    for stage in ctx.stages() {
        let mut set = match stage.base {
            Base::Stage(p) => crate::rules::per_stage::at_end(ctx, p, &mut set_at_end, Kind::Workdir),
            _ => false,
        };
        for item in stage.items.clone() {
            if set {
                break;
            }
            let Some(it) = ctx.tree.item(item) else { continue };
            let Some(ins) = it.instruction() else { continue };
            let (Kind::Workdir, Args::Text(Some(text))) = (ins.kind, &ins.args) else {
                continue;
            };
            set = true;
            let raw = ins.text(text);
            let Some(value) = ctx.model.value_in(stage.index, item, raw) else {
                continue;
            };
            if !absolute(&value) {
                sink.report(it.abs(text.range), "workdir-relative-path", vec![("path", value)]);
            }
        }
        // Any WORKDIR in the stage sets the directory for the stages built on it.
        if let Some(slot) = set_at_end.get_mut(stage.index) {
            *slot = Some(set || crate::rules::per_stage::stage_has(ctx, stage, Kind::Workdir));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_the_first_relative_workdir() {
        check_rule(
            "DW610",
            "FROM alpine AS base\nWORKDIR app\n#       ^^^ DW610 workdir-relative-path\nWORKDIR sub\nFROM base\nWORKDIR rel\nFROM alpine\nARG D=/srv\nWORKDIR $D\nWORKDIR x\nFROM alpine\nWORKDIR $UNKNOWN\nFROM alpine\nWORKDIR C:\\\\app\n",
        );
    }
}
