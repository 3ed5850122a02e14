//! DW606 json-args-recommended: CMD or ENTRYPOINT in shell form.

use crate::diagnostic::{Applicability, Fix};
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::{Args, CommandForm, Kind};

declare_rule! {
    /// CMD or ENTRYPOINT is written in the shell form.
    ///
    /// ## What it does
    /// Reports `CMD` and `ENTRYPOINT` in the shell form (`CMD node server.js`) in a stage where no
    /// `SHELL` instruction is in effect (in the stage or the stages it is built on), as BuildKit does.
    ///
    /// ## Why is this bad?
    /// The shell form runs the command as `/bin/sh -c "..."`: the shell is the container's PID 1 and
    /// does not pass on `SIGTERM`, so `docker stop` waits for its timeout and then kills the program
    /// without a chance to shut down cleanly. An `ENTRYPOINT` in the shell form also ignores the
    /// arguments given to `docker run`.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD node server.js
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes the exec form when the command is on one line and uses no shell feature
    /// (operators, quotes, variables, globs). It is unsafe: the program then runs without a shell, as
    /// PID 1, which is the point but can change how it behaves.
    ///
    /// ## References
    /// - BuildKit: `JSONArgsRecommended`
    /// - hadolint: DL3025
    /// - [JSONArgsRecommended](https://docs.docker.com/reference/build-checks/json-args-recommended/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `CMD` または `ENTRYPOINT` がシェル形式で書かれています。
    ///
    /// ### 検出内容
    /// ステージ (またはその元になったステージ) で `SHELL` 命令が有効になっていないときに、
    /// シェル形式の `CMD` と `ENTRYPOINT` (`CMD node server.js`) を BuildKit と同じように報告します。
    ///
    /// ### なぜ問題か
    /// シェル形式ではコマンドが `/bin/sh -c "..."` として実行されます。シェルがコンテナの PID 1 になって `SIGTERM` を
    /// 転送しないため、`docker stop` はタイムアウトまで待ったうえでプログラムを強制終了し、
    /// 正常に終了処理をする機会がありません。シェル形式の `ENTRYPOINT` は `docker run` に渡した引数も無視します。
    ///
    /// ### 対処法
    /// exec 形式で書いてください (`CMD ["node", "server.js"]`)。シェルの機能が必要なら、
    /// スクリプトの中で `exec` を使ってプログラムを起動します。
    ///
    /// ### 修正の安全性
    /// コマンドが一行で、シェルの機能 (演算子、引用符、変数、グロブ) を使っていない場合に、
    /// 修正は exec 形式で書き直します。プログラムがシェルなしで PID 1 として動くようになり、
    /// それが狙いではあるものの動作が変わることがあるため、安全ではありません。
    pub static JSON_ARGS_RECOMMENDED = {
        code: "DW606",
        name: "json-args-recommended",
        severity: Warning,
        tags: ["correctness"],
        fix: Sometimes,
        since: "0.2.0",
        also: ["buildkit:JSONArgsRecommended", "hadolint:DL3025"],
        reads: [From, Arg, Env, User, Cmd, Entrypoint, Shell],
        per_stage: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    // Whether a SHELL instruction is in effect at the end of each stage (of those looked at so far).
    let mut shell_at_end = vec![None; ctx.model.stages.len()];
    for stage in ctx.stages() {
        let mut shell = match stage.base {
            crate::model::Base::Stage(p) => crate::rules::per_stage::at_end(ctx, p, &mut shell_at_end, Kind::Shell),
            _ => false,
        };
        for item in stage.items.clone() {
            let Some(ins) = ctx.tree.item(item).and_then(|it| it.instruction()) else {
                continue;
            };
            match (ins.kind, &ins.args) {
                (Kind::Shell, _) => shell = true,
                (Kind::Cmd | Kind::Entrypoint, Args::Command(CommandForm::Shell(span))) if !shell => {
                    let Some(it) = ctx.tree.item(item) else { continue };
                    let keyword = ins.kind.keyword();
                    let finding = sink.report(
                        it.abs(span.range),
                        "json-args-recommended",
                        vec![("instruction", keyword.to_string())],
                    );
                    if let Some(edit) = crate::assists::exec_form_edit(ins, it.start, ctx.text) {
                        finding.fix(Fix {
                            title: ctx
                                .msg("assist.exec-form", &[("instruction", keyword.to_string())])
                                .into(),
                            applicability: Applicability::Unsafe,
                            edits: vec![edit],
                            creates: None,
                            resolve: None,
                        });
                    }
                }
                _ => {}
            }
        }
        if let Some(slot) = shell_at_end.get_mut(stage.index) {
            *slot = Some(shell);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_the_shell_form() {
        check_rule(
            "DW606",
            "FROM alpine AS base\nCMD node server.js\n#   ^^^^^^^^^^^^^^ DW606 json-args-recommended\nENTRYPOINT [\"tini\"]\nFROM base\nSHELL [\"/bin/bash\", \"-c\"]\nCMD echo hi\nFROM base AS two\nCMD echo two\n#   ^^^^^^^^ DW606 json-args-recommended\n",
        );
        check_rule(
            "DW606",
            "FROM alpine AS base\nSHELL [\"/bin/ash\", \"-c\"]\nFROM base\nENTRYPOINT exec app\n",
        );
    }

    #[test]
    fn writes_the_exec_form() {
        check_fix(
            "DW606",
            "FROM alpine\nCMD no$0de server.js\n",
            "FROM alpine\nCMD [\"node\", \"server.js\"]\n",
        );
    }
}
