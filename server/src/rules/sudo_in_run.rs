//! DW502 sudo-in-run: `sudo` (or `doas`) in a RUN command, and images that install sudo.

use crate::diagnostic::Applicability;
use crate::images::users::{self, DefaultUser};
use crate::model::{Base, EffectiveUser};
use crate::rules::root_user::is_root;
use crate::rules::{Ctx, Sink, declare_rule};
use crate::shell::packages::{installed_packages, package_name, removed_later};
use crate::shell::{Command, RunScript, basename};
use crate::syntax::ItemRef;
use crate::text::TextRange;

declare_rule! {
    /// `sudo` in a `RUN` command, or `sudo` installed in the image.
    ///
    /// ## What it does
    /// Finds `sudo` and `doas` used as a command in `RUN`: at the start of a command, after `&&`,
    /// `;` or `|`, inside `$(...)`, in the scripts of `bash -c '...'` and in heredoc scripts, in the
    /// shell and the exec form. The message depends on the user the `RUN` runs as (the `USER` in
    /// effect, following `FROM <stage>` chains, or the base image's default user when it is known):
    /// - as root, `sudo` is unnecessary, and a fix removes it;
    /// - as another user, the command only works because the image ships sudo with a rule that lets
    ///   that user become root;
    /// - `sudo -u <user>` switches to another user, which `USER` does without sudo.
    ///
    /// It also reports installing the `sudo` (or `doas`) package with `apt-get`, `apt`, `apk`, `dnf`,
    /// `yum`, `microdnf`, `zypper` or `pacman`, as information: images that ship sudo for a
    /// development user (dev containers) do so on purpose, and can silence it in their configuration.
    /// A package that the same `RUN` removes again (by name or through its `apk --virtual` group) is
    /// not reported: it never reaches the image.
    ///
    /// ## Why is this bad?
    /// Every `RUN` already runs as the user set by the last `USER`, so sudo is never needed to build
    /// an image: commands that need root belong before the `USER` switch. sudo in a `RUN` means that
    /// sudo is installed and configured (usually `NOPASSWD`) for the image's user, and then any
    /// process running as that user (including an attacker who exploits the application) can
    /// become root, which undoes the point of running as non-root. sudo also resets the environment
    /// and `PATH` and has no TTY in a build, which makes commands behave unpredictably.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:trixie-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends sudo \
    ///  && useradd -m app && echo 'app ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/app
    /// USER app
    /// RUN sudo apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM debian:trixie-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/* && useradd -m app
    /// USER app
    /// ```
    /// To run one command as another user while root, use `USER` around it, or `runuser -u app --`
    /// or `setpriv`, which need no sudo rules; at run time, use `gosu` or `su-exec` in the entrypoint.
    ///
    /// ## Fix safety
    /// When the `RUN` runs as root and `sudo` has no options that change what runs (only `-E`,
    /// `-H`, `-n`, `-S`, `-k` or `-u root`), the fix removes `sudo` and its options. It is unsafe:
    /// sudo resets the environment and uses its `secure_path`, so without it the command sees the
    /// build's `PATH` and variables and may run a different program (for example a `pip` earlier in
    /// `PATH`). No fix is offered when the `RUN` runs as another user or the user is unknown: moving
    /// the command to a root section is a decision about the Dockerfile's structure.
    ///
    /// ## References
    /// - [Dockerfile best practices: USER](https://docs.docker.com/build/building/best-practices/#user)
    /// - CWE-250: Execution with Unnecessary Privileges; CWE-269: Improper Privilege Management
    /// - CIS Docker Benchmark 4.1 "Ensure that a user for the container has been created"
    /// - hadolint DL3004; Trivy DS010 (AVD-DS-0010); Checkov CKV2_DOCKER_1
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `RUN` のコマンドで `sudo` を使っているか、イメージに `sudo` をインストールしています。
    ///
    /// ### 検出内容
    /// `RUN` の中でコマンドとして使われている `sudo` と `doas` を検出します (コマンドの先頭、`&&` や `;`、`|` の後、
    /// `$(...)` やヒアドキュメントの中も含む)。その `RUN` を実行するユーザーによってメッセージが変わります。
    /// root なら `sudo` は不要で、修正で取り除けます。それ以外のユーザーなら、
    /// root になれる sudo の設定をイメージに含めているから動いているにすぎません。
    /// `sudo -u <ユーザー>` は `USER` で代替できます。`sudo` や `doas` パッケージのインストールも報告します。
    ///
    /// ### なぜ問題か
    /// `RUN` はもともと最後の `USER` で設定したユーザーで実行されるので、イメージのビルドに sudo は必要ありません。
    /// root が必要なコマンドは `USER` の切り替えより前に置けば済みます。`RUN` で sudo を使っているということは、
    /// イメージのユーザーに sudo が (多くは `NOPASSWD` で) 設定されているということで、
    /// そのユーザーで動くプロセス (アプリケーションを攻略した攻撃者も含む) は誰でも root になれてしまい、
    /// 非 root ユーザーで動かす意味がなくなります。
    ///
    /// ### 対処法
    /// root が必要なコマンドは `USER` の切り替えより前に移し、イメージに sudo をインストールしないでください。
    /// root のまま別のユーザーで一つのコマンドを実行するには、`USER` で囲むか、sudo の設定が不要な `runuser -u app
    /// --` や `setpriv` を使います。
    ///
    /// ### 修正の安全性
    /// `RUN` が root で実行され、`sudo` に実行内容を変えるオプションがない場合 (`-E`、`-H`、`-n`、`-S`、`-k`、
    /// `-u root` のみ)、修正は `sudo` とそのオプションを削除します。sudo は環境変数をリセットして `secure_path` を使
    /// うため、sudo なしではコマンドがビルドの `PATH` や変数を見て別のプログラムを実行する可能性があり、
    /// 安全ではありません。別のユーザーで実行される場合やユーザーが不明な場合は修正を提供しません。
    pub static SUDO_IN_RUN = {
        code: "DW502",
        name: "sudo-in-run",
        severity: Warning,
        tags: ["hardening"],
        fix: Sometimes,
        since: "0.1.0",
        also: ["hadolint:DL3004", "trivy:DS010", "checkov:CKV2_DOCKER_1"],
        reads: [From, Arg, Env, User, Run],
        per_stage: true,
        check: check,
    }
}

/// The user a RUN runs as.
enum RunUser {
    Root(String),
    Other(String),
    Unknown,
}

fn run_user(ctx: &Ctx, item: usize) -> RunUser {
    let model = ctx.model;
    let Some(stage) = model.item_stage.get(item).copied().flatten() else {
        return RunUser::Unknown;
    };
    match model.user_at(stage, item) {
        EffectiveUser::Set { def, .. } => match def.value.known() {
            Some(v) if is_root(v) => RunUser::Root(v.to_string()),
            Some(v) => RunUser::Other(v.split(':').next().unwrap_or(v).to_string()),
            None => RunUser::Unknown,
        },
        EffectiveUser::ImageDefault { stage: root } => match &model.stages[root].base {
            Base::Scratch => RunUser::Root("root".to_string()),
            Base::Image(image) => match users::default_user(image) {
                DefaultUser::Root | DefaultUser::DropsPrivileges(_) => RunUser::Root("root".to_string()),
                DefaultUser::NonRoot { user } if !user.is_empty() => RunUser::Other(user.to_string()),
                _ => RunUser::Unknown,
            },
            _ => RunUser::Unknown,
        },
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for run in ctx.runs() {
        let mut user: Option<RunUser> = None;
        for rs in run.scripts.iter() {
            for (i, c) in rs.script.commands.iter().enumerate() {
                if let Some(at) = sudo_index(c) {
                    let user = user.get_or_insert_with(|| run_user(ctx, run.item.index));
                    report_sudo(ctx, sink, &run.item, rs, c, at, user);
                }
                if let Some((_, packages)) = installed_packages(c) {
                    for w in packages {
                        let name = package_name(&w.value);
                        if (name == "sudo" || name == "doas") && !removed_later(&rs.script.commands, i, name) {
                            let range = rs.abs_range(&run.item, w.raw_span);
                            sink.report(range, "sudo-in-run.installed", vec![("tool", name.to_string())])
                                .severity(crate::diagnostic::Severity::Info);
                        }
                    }
                }
            }
        }
    }
}

/// The index of a `sudo` or `doas` word among the command's wrappers, or the program itself.
fn sudo_index(c: &Command) -> Option<usize> {
    let last = c.name_index().min(c.words.len().saturating_sub(1));
    c.words
        .get(..=last)?
        .iter()
        .position(|w| matches!(basename(&w.value), "sudo" | "doas"))
}

/// What sudo's options say: the user it switches to, and where the command starts (when the options
/// leave what runs unchanged apart from the user).
struct SudoOptions {
    /// `-u x` / `--user=x` as written.
    user: Option<String>,
    /// Index of the first word after the options, when every option is harmless to remove.
    command_at: Option<usize>,
}

fn sudo_options(c: &Command, at: usize) -> SudoOptions {
    let words = &c.words;
    let mut user = None;
    let mut removable = true;
    let mut i = at + 1;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if v == "--" {
            i += 1;
            break;
        }
        if !v.starts_with('-') || v == "-" {
            break;
        }
        if let Some(u) = v.strip_prefix("--user=") {
            user = Some(u.to_string());
        } else if v == "--user" || v == "-u" {
            user = words.get(i + 1).map(|w| w.value.clone());
            i += 1;
        } else if let Some(u) = v.strip_prefix("-u") {
            user = Some(u.to_string());
        } else if v.starts_with("--") {
            let name = v.split('=').next().unwrap_or(v);
            removable &= matches!(
                name,
                "--preserve-env" | "--non-interactive" | "--set-home" | "--stdin" | "--reset-timestamp"
            );
        } else {
            removable &= v[1..].bytes().all(|b| b"EHnSk".contains(&b));
        }
        i += 1;
    }
    let to_root = user.as_deref().is_none_or(|u| is_root(u) || u == "#0");
    SudoOptions {
        user,
        command_at: (removable && to_root && i < words.len()).then_some(i),
    }
}

fn report_sudo(ctx: &Ctx, sink: &mut Sink, item: &ItemRef, rs: &RunScript, c: &Command, at: usize, user: &RunUser) {
    let word = &c.words[at];
    let tool = basename(&word.value).to_string();
    let range = rs.abs_range(item, word.raw_span);
    let opts = sudo_options(c, at);
    if let Some(target) = opts.user.as_deref().filter(|u| !is_root(u) && *u != "#0") {
        sink.report(
            range,
            "sudo-in-run.other-user",
            vec![("tool", tool), ("user", target.to_string())],
        );
        return;
    }
    match user {
        RunUser::Root(name) => {
            let finding = sink.report(
                range,
                "sudo-in-run.root",
                vec![("tool", tool.clone()), ("user", name.clone())],
            );
            if let Some(k) = opts.command_at.filter(|_| !c.widened) {
                let span = TextRange::new(word.raw_span.start, c.words[k].raw_span.start);
                if rs.is_exact(span) {
                    let removed = crate::text::slice(&rs.text, span).trim_end().to_string();
                    let fix = ctx.replace(
                        "fix.remove-sudo",
                        &[("removed", removed)],
                        rs.abs_range(item, span),
                        "",
                        Applicability::Unsafe,
                    );
                    finding.fix(fix);
                }
            }
        }
        RunUser::Other(name) => {
            sink.report(
                range,
                "sudo-in-run.non-root",
                vec![("tool", tool), ("user", name.clone())],
            );
        }
        RunUser::Unknown => {
            sink.report(range, "sudo-in-run", vec![("tool", tool)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_sudo_by_the_user_in_effect() {
        check_rule(
            "DW502",
            concat!(
                "FROM debian:trixie-slim\n",
                "RUN apt-get update && sudo apt-get install -y curl\n",
                "#                     ^^^^ DW502 sudo-in-run.root\n",
                "USER app\n",
                "RUN sudo -E make install; echo ok | sudo tee /etc/motd\n",
                "#   ^^^^ DW502 sudo-in-run.non-root\n",
                "#                                   ^^^^ DW502 sudo-in-run.non-root\n",
                "USER $UNKNOWN\n",
                "RUN bash -c 'sudo rm -rf /var/cache/apk'\n",
                "#            ^^^^ DW502 sudo-in-run\n",
            ),
        );
    }

    #[test]
    fn flags_sudo_in_heredocs_exec_form_and_substitutions() {
        check_rule(
            "DW502",
            concat!(
                "FROM alpine:3.22\n",
                "RUN <<EOF\n",
                "set -e\n",
                "doas apk add curl\n",
                "#^^^ DW502 sudo-in-run.root\n",
                "EOF\n",
                "RUN [\"sudo\", \"id\"]\n",
                "#     ^^^^ DW502 sudo-in-run.root\n",
                "RUN echo \"$(/usr/bin/sudo -n id -u)\"\n",
                "#           ^^^^^^^^^^^^^ DW502 sudo-in-run.root\n",
            ),
        );
    }

    #[test]
    fn switching_user_and_installing_sudo_have_their_own_messages() {
        check_rule(
            "DW502",
            concat!(
                "FROM node:22\n",
                "RUN apt-get update && apt-get install -y --no-install-recommends sudo=1.9.16p2-1 git\n",
                "#                                                                ^^^^^^^^^^^^^^^ DW502 sudo-in-run.installed\n",
                "RUN sudo -u node npm install -g typescript\n",
                "#   ^^^^ DW502 sudo-in-run.other-user\n",
                "RUN apk add --no-cache doas\n",
                "#                      ^^^^ DW502 sudo-in-run.installed\n",
                "RUN apt-get install -y sudo && sudo -u node make && apt-get purge -y sudo\n",
                "#                              ^^^^ DW502 sudo-in-run.other-user\n",
            ),
        );
    }

    #[test]
    fn mentions_of_sudo_are_clean() {
        check_rule(
            "DW502",
            concat!(
                "FROM debian:trixie-slim\n",
                "RUN apt-get remove -y sudo && command -v sudo || echo 'no sudo here'\n",
                "RUN useradd -m -G sudo dev && which sudo; gosu app id; runuser -u app -- id\n",
                "RUN cat > /usr/local/bin/setup <<'EOF'\n",
                "sudo apt-get update\n",
                "EOF\n",
                "RUN printf '%s\\n' 'dev ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/dev\n",
            ),
        );
    }

    #[test]
    fn removes_sudo_when_the_run_is_root() {
        check_fix(
            "DW502",
            "FROM ubuntu:24.04\nRUN su$0do -E apt-get update\n",
            "FROM ubuntu:24.04\nRUN apt-get update\n",
        );
        check_fix(
            "DW502",
            "FROM ubuntu:24.04\nUSER root\nRUN apt-get update && sudo$0 -u root DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata\n",
            "FROM ubuntu:24.04\nUSER root\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata\n",
        );
    }

    #[test]
    fn no_fix_when_sudo_changes_what_runs() {
        let d = crate::rules::testing::run("DW502", "FROM ubuntu:24.04\nRUN sudo -i true && sudo -s id && sudo\n");
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|d| d.fixes.is_empty()), "{d:#?}");
    }
}
