//! DW101 root-user: the image the Dockerfile builds runs its process as root.

use crate::diagnostic::{Applicability, FileRef, Fix, TextEdit};
use crate::images::users::{self, DefaultUser, Dropper, Family};
use crate::model::{Base, EffectiveUser, Stage};
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::{CommandForm, Kind};
use crate::text::TextRange;

declare_rule! {
    /// The final stage runs as root.
    ///
    /// ## What it does
    /// Finds the user the built image runs as: the last `USER` of the final stage (the build target, or
    /// the last stage), following `FROM <stage>` to the stages it is built on. It reports
    ///
    /// - a last `USER` that is root: `root` or uid `0`, with any group (`0:0`, `root:wheel`). Variables
    ///   are expanded with their `ARG` and `ENV` defaults; a user that depends on a value only known at
    ///   build time or from the base image (`USER $APP_UID`) is left alone;
    /// - no `USER` at all, when the base image starts as root: `FROM scratch`, the Docker Official Images
    ///   (except the few that set a non-root `USER` themselves, such as `memcached`, `haproxy`, `solr`,
    ///   `sonarqube`, `kong` or `jetty`), distroless tags without `nonroot`, Bitnami's `minideb`, plain
    ///   Red Hat UBI and the non-chiseled .NET images.
    ///
    /// Images known to start as a non-root user are not reported: distroless `:nonroot` tags, Chainguard,
    /// Bitnami, `*-unprivileged` images, .NET chiseled images, the Red Hat UBI language images and others.
    /// The default user of an arbitrary image is part of its configuration on the registry, which
    /// dockward does not read, so an image it does not know is not reported. The list is kept in
    /// `server/src/images/users.rs`, each entry with its source.
    ///
    /// Some official images start as root and switch to an unprivileged user in their entrypoint before
    /// starting their server (`postgres`, `mysql`, `mariadb`, `redis`, `mongo`, `rabbitmq`, `cassandra`,
    /// `couchdb`, `ghost`, `neo4j`, ...). They are reported only when the final stage replaces the
    /// image's `ENTRYPOINT`, or sets a `CMD` that the entrypoint does not recognise as the server's own
    /// command: then the switch does not happen and the process keeps running as root.
    ///
    /// Only the final stage counts: builder stages may run as root, since their processes do not ship.
    /// Windows images are not checked.
    ///
    /// ## Why is this bad?
    /// A process that runs as root in a container is root on the container's filesystem and, with the
    /// default user namespace, uid 0 on the host kernel. A vulnerability in the application then gives
    /// an attacker every capability the container has: it can change the image's binaries, read every
    /// mounted secret, and is one kernel or runtime flaw away from the host. Kubernetes clusters that
    /// enforce `runAsNonRoot` refuse to start such an image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci --omit=dev
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci --omit=dev
    /// USER 1000:1000
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds a `USER` line after the last `RUN` of the final stage, before its `CMD`,
    /// `ENTRYPOINT` or `HEALTHCHECK` (or at the end of the stage), fitted to the base image: the
    /// unprivileged user the image ships (`node` as `1000:1000`, `ubuntu` on Ubuntu 23.04 and later,
    /// `nonroot` as `65532:65532` on distroless and Chainguard, the service account of images such as
    /// `postgres`), a new system user `app` (uid and gid 10001) created with `groupadd`/`useradd` on
    /// Debian- and Ubuntu-based images or BusyBox's `addgroup`/`adduser` on Alpine-based ones, and a
    /// numeric `65532:65532` on `scratch` or `10001:10001` on an image whose distribution is unknown
    /// (a numeric user needs no account). It writes numeric ids where they are stable, because
    /// Kubernetes can only verify `runAsNonRoot` for a numeric user.
    ///
    /// The fix is unsafe: the application may need to write to files owned by root, bind a port below
    /// 1024 or read a root-only file, and it then fails at run time until those files are given to the
    /// new user (`COPY --chown`, `chown` in a `RUN`). No fix is offered when the file ends inside a
    /// continuation (its last line ends with the escape character) or inside a heredoc that is never
    /// closed: Docker would read an added line as part of that instruction.
    ///
    /// ## References
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - CWE-269: Improper Privilege Management
    /// - CIS Docker Benchmark 4.1: Ensure that a user for the container has been created
    /// - hadolint DL3002: Last USER should not be root
    /// - Trivy DS002 (AVD-DS-0002): Image user should not be 'root'
    /// - Checkov CKV_DOCKER_3 (a user is created) and CKV_DOCKER_8 (the last USER is not root)
    /// - [Dockerfile best practices: USER](https://docs.docker.com/build/building/best-practices/#user)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 最終ステージが root で実行されます。
    ///
    /// ### 検出内容
    /// ビルドされるイメージがどのユーザーで動くかを調べます。対象は最終ステージ (ビルドターゲット、
    /// または最後のステージ) の最後の `USER` で、`FROM <ステージ>` をたどって元のステージも見ます。
    /// 最後の `USER` が root (`root` や uid `0`) の場合と、`USER` がなくベースイメージが root で起動する場合 (`FROM
    /// scratch`、多くの Docker 公式イメージなど) を報告します。非 root ユーザーで起動すると分かっているイメー
    /// ジ (distroless の `nonroot` タグ、Chainguard など) は報告しません。
    /// ビルド用のステージは成果物として出荷されないので対象外です。
    ///
    /// ### なぜ問題か
    /// コンテナ内で root として動くプロセスは、コンテナのファイルシステム上で root であり、
    /// 既定のユーザー名前空間ではホストのカーネルから見ても uid 0 です。アプリケーションに脆弱性があれば、
    /// 攻撃者はコンテナが持つすべての権限を得ます。イメージ内のバイナリを書き換え、マウントされた機微情報を読み、
    /// カーネルやランタイムの欠陥一つでホストに到達できます。`runAsNonRoot` を強制している Kubernetes クラスターでは
    /// 起動すら拒否されます。
    ///
    /// ### 対処法
    /// 最終ステージの最後に、非 root ユーザーに切り替える `USER` を追加してください (例: `USER 1000:1000`)。
    /// root 権限が必要な処理は `USER` より前に置きます。
    ///
    /// ### 修正の安全性
    /// 修正は最終ステージの最後の `RUN` の後 (`CMD` や `ENTRYPOINT` の前) に、
    /// ベースイメージに合わせた `USER` 行を追加します。イメージに同梱の非特権ユーザーがあればそれを使い、
    /// なければシステムユーザー `app` を作ります。Kubernetes が `runAsNonRoot` を検証できるよう、
    /// 可能なところでは数値の ID を書きます。アプリケーションが root 所有のファイルへの書き込み、
    /// 1024 未満のポートの使用、root だけが読めるファイルを必要とする場合は実行時に失敗するため、
    /// 安全な修正ではありません (`COPY --chown` などでファイルを新しいユーザーに渡してください)。
    /// ファイルが継続行の途中 (最後の行がエスケープ文字で終わる) や閉じられていないヒアドキュメントの中で
    /// 終わる場合は、追加した行がその命令の一部として読まれるため、修正を提示しません。
    pub static ROOT_USER = {
        code: "DW101",
        name: "root-user",
        severity: Warning,
        tags: ["privilege"],
        fix: Sometimes,
        since: "0.1.0",
        also: ["hadolint:DL3002", "trivy:DS002", "checkov:CKV_DOCKER_3", "checkov:CKV_DOCKER_8"],
        check: check,
    }
}

/// The entrypoint scripts official images install, written as the image writes its `ENTRYPOINT`: a
/// Dockerfile that sets one of them again keeps the image's behaviour.
const IMAGE_ENTRYPOINTS: &[&str] = &[
    "docker-entrypoint.sh",
    "/usr/local/bin/docker-entrypoint.sh",
    "/docker-entrypoint.sh",
    "/entrypoint.sh",
];

/// The uid and gid of the account the fix creates: above the ranges base images and hosts hand out
/// (system users below 1000, the first login user at 1000), as `docker init` does.
const NEW_ID: &str = "10001:10001";

fn check(ctx: &Ctx, sink: &mut Sink) {
    let model = ctx.model;
    let Some(stage) = model.final_stage(ctx.settings.target.as_deref()) else {
        return;
    };
    match model.user_at(stage.index, usize::MAX) {
        EffectiveUser::Set { stage: set_in, def } => {
            let Some(value) = def.value.known() else {
                return;
            };
            if !is_root(value) {
                return;
            }
            let anchor = if set_in == stage.index {
                def.item
            } else {
                stage.from_item
            };
            let finding = sink.report(def.range, "root-user.explicit", vec![("user", value.to_string())]);
            if let Some(fix) = add_user_fix(ctx, stage, anchor) {
                finding.fix(fix);
            }
        }
        EffectiveUser::ImageDefault { stage: root } => {
            let Some(range) = stage.image_range else {
                return;
            };
            let finding = match &model.stages[root].base {
                Base::Scratch => sink.report(range, "root-user.scratch", Vec::new()),
                Base::Image(image) => match users::default_user(image) {
                    DefaultUser::Root => {
                        sink.report(range, "root-user.image-default", vec![("image", image.written.clone())])
                    }
                    DefaultUser::DropsPrivileges(dropper) => {
                        let Some(instruction) = replaced_command(ctx, stage, dropper) else {
                            return;
                        };
                        sink.report(
                            range,
                            "root-user.command-replaced",
                            vec![
                                ("image", image.written.clone()),
                                ("user", dropper.user.to_string()),
                                ("instruction", instruction.to_string()),
                            ],
                        )
                    }
                    DefaultUser::NonRoot { .. } | DefaultUser::Windows | DefaultUser::Unknown => return,
                },
                Base::Stage(_) | Base::Unresolved | Base::Invalid(_) | Base::Missing => return,
            };
            if let Some(fix) = add_user_fix(ctx, stage, stage.from_item) {
                finding.fix(fix);
            }
        }
    }
}

/// `root`, or uid 0 however written, with any group.
pub(crate) fn is_root(user_group: &str) -> bool {
    let user = user_group.split(':').next().unwrap_or(user_group);
    user == "root" || (!user.is_empty() && user.bytes().all(|b| b == b'0'))
}

/// The instruction (`ENTRYPOINT` or `CMD`) of the final stage's chain that keeps an official image's
/// entrypoint from switching to its unprivileged user, if any.
fn replaced_command(ctx: &Ctx, stage: &Stage, dropper: &Dropper) -> Option<&'static str> {
    let mut chain = ctx.model.chain(stage.index);
    chain.reverse();
    let mut cmd: Option<Option<String>> = None;
    for s in chain {
        for i in ctx.model.stages[s].items.clone() {
            let Some(ins) = ctx.tree.item(i).and_then(|it| it.instruction()) else {
                continue;
            };
            match ins.kind {
                Kind::Entrypoint => {
                    let keeps =
                        matches!(first_word(ins.command()), Some(Some(w)) if IMAGE_ENTRYPOINTS.contains(&w.as_str()));
                    if !keeps {
                        return Some("ENTRYPOINT");
                    }
                }
                Kind::Cmd => cmd = first_word(ins.command()),
                _ => {}
            }
        }
    }
    match cmd {
        // The image's own command.
        None => None,
        Some(first) => (!dropper.drops_for(first.as_deref())).then_some("CMD"),
    }
}

/// The program a command starts: the first exec-form element, `/bin/sh` for the shell form, `None`
/// inside for an empty command; `None` when there is no command.
fn first_word(form: Option<&CommandForm>) -> Option<Option<String>> {
    Some(match form? {
        CommandForm::Exec(a) => a.items.first().map(|s| s.value.clone()),
        CommandForm::Shell(_) => Some("/bin/sh".to_string()),
        CommandForm::Empty => None,
    })
}

/// What the fix adds, decided by the image at the root of the final stage's chain.
enum NewUser {
    /// An account the image ships: `USER <ids or name>`.
    Existing { name: &'static str, user: &'static str },
    /// Create `app` with these account tools, then `USER 10001:10001`.
    Create(Family),
    /// A numeric user without an account.
    Numeric(&'static str),
}

fn new_user(ctx: &Ctx, stage: &Stage) -> NewUser {
    let root = *ctx.model.chain(stage.index).last().unwrap_or(&stage.index);
    match &ctx.model.stages[root].base {
        Base::Scratch => NewUser::Numeric("65532:65532"),
        Base::Image(image) => {
            if let Some(u) = users::shipped_user(image) {
                return NewUser::Existing {
                    name: u.name,
                    user: u.ids.unwrap_or(u.name),
                };
            }
            match users::family(image) {
                f @ (Family::Debian | Family::Alpine) => NewUser::Create(f),
                _ => NewUser::Numeric(NEW_ID),
            }
        }
        _ => NewUser::Numeric(NEW_ID),
    }
}

/// Where the new lines go: before the first `CMD`, `ENTRYPOINT` or `HEALTHCHECK` of the stage after
/// `anchor` and after the stage's last `RUN` (and before the comments right above it, which may be a
/// suppression comment for it), else after the stage's last instruction. Returns the offset, the
/// indentation to use, and whether the text must start on a new line (no final newline).
fn insertion_point(ctx: &Ctx, stage: &Stage, anchor: usize) -> Option<(u32, String, bool)> {
    let tree = ctx.tree;
    let mut anchor = anchor;
    let mut last_instruction = stage.from_item;
    for i in stage.items.clone() {
        if let Some(ins) = tree.item(i).and_then(|it| it.instruction()) {
            last_instruction = i;
            if ins.kind == Kind::Run && i > anchor {
                anchor = i;
            }
        }
    }
    let before = stage.items.clone().filter(|&i| i > anchor).find(|&i| {
        tree.item(i)
            .and_then(|it| it.instruction())
            .is_some_and(|ins| matches!(ins.kind, Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck))
    });
    let indent_of = |start: u32| -> String {
        ctx.text
            .get(start as usize..)
            .unwrap_or("")
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    };
    match before {
        Some(mut i) => {
            let indent = indent_of(tree.item(i)?.start);
            // Keep the comment lines directly above the instruction with it.
            while i > anchor + 1 {
                let (prev, cur) = (tree.item(i - 1)?, tree.item(i)?);
                if prev.comment().is_none() || prev.start + prev.node.len != cur.start {
                    break;
                }
                i -= 1;
            }
            Some((tree.item(i)?.start, indent, false))
        }
        None => {
            let last = tree.item(last_instruction)?;
            let end = last.start + last.node.len;
            // An instruction whose last line ends with the escape character continues into whatever
            // follows it (Docker skips blank and comment lines inside a continuation; being the last
            // instruction, nothing closes it): an added line would become part of it, so there is no
            // place to add `USER` and no fix.
            let text = ctx.text.get(last.start as usize..(end as usize).min(ctx.text.len()))?;
            let last_line = text
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .unwrap_or("");
            if last_line.ends_with(tree.escape) {
                return None;
            }
            // Nor when its heredoc is never closed: the body runs to the end of the file and an added
            // line would be more of it.
            if let Some(ins) = last.instruction()
                && std::iter::once(ins)
                    .chain(ins.onbuild_inner())
                    .any(|i| i.heredocs().iter().any(|h| h.terminator.is_none()))
            {
                return None;
            }
            let needs_newline = end as usize >= ctx.text.len() && !ctx.text.ends_with('\n');
            Some((end, indent_of(last.start), needs_newline))
        }
    }
}

fn add_user_fix(ctx: &Ctx, stage: &Stage, anchor: usize) -> Option<Fix> {
    let (offset, indent, newline_first) = insertion_point(ctx, stage, anchor)?;
    let (title, args, lines): (&str, Vec<(&str, String)>, Vec<String>) = match new_user(ctx, stage) {
        NewUser::Existing { name, user } => (
            "fix.root-user.existing",
            vec![("name", name.to_string()), ("user", user.to_string())],
            vec![format!("USER {user}")],
        ),
        NewUser::Create(family) => {
            let create = if family == Family::Alpine {
                "RUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app -s /sbin/nologin app"
            } else {
                "RUN groupadd --system --gid 10001 app \
                 && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app"
            };
            (
                "fix.root-user.create",
                vec![("name", "app".to_string()), ("user", NEW_ID.to_string())],
                vec![create.to_string(), format!("USER {NEW_ID}")],
            )
        }
        NewUser::Numeric(user) => (
            "fix.root-user.numeric",
            vec![("user", user.to_string())],
            vec![format!("USER {user}")],
        ),
    };
    let mut new_text = String::new();
    if newline_first {
        new_text.push('\n');
    }
    for (n, line) in lines.iter().enumerate() {
        new_text.push_str(&indent);
        new_text.push_str(line);
        if !newline_first || n + 1 < lines.len() {
            new_text.push('\n');
        }
    }
    Some(Fix {
        title: ctx.msg(title, &args).into(),
        applicability: Applicability::Unsafe,
        edits: vec![TextEdit {
            file: FileRef::Dockerfile,
            range: TextRange::empty(offset),
            new_text: new_text.into(),
        }],
        creates: None,
        resolve: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::check::Input;
    use crate::rules::testing::{TODAY, check_fix, check_rule, check_rule_with};
    use crate::settings::Settings;

    #[test]
    fn explicit_root_users() {
        check_rule(
            "DW101",
            "FROM alpine:3.21\nUSER root\n#    ^^^^ DW101 root-user.explicit\n",
        );
        check_rule("DW101", "FROM alpine:3.21\nUSER 0\n#    ^ DW101 root-user.explicit\n");
        check_rule(
            "DW101",
            "FROM alpine:3.21\nUSER 0:0\n#    ^^^ DW101 root-user.explicit\n",
        );
        check_rule(
            "DW101",
            "FROM alpine:3.21\nUSER root:wheel\n#    ^^^^^^^^^^ DW101 root-user.explicit\n",
        );
        check_rule(
            "DW101",
            "FROM alpine:3.21\nUSER 000\n#    ^^^ DW101 root-user.explicit\n",
        );
        // Not root: another user with group 0, a user named like root, a later non-root USER.
        check_rule("DW101", "FROM alpine:3.21\nUSER 1000:0\n");
        check_rule("DW101", "FROM alpine:3.21\nUSER rooter\n");
        check_rule("DW101", "FROM alpine:3.21\nUSER root\nRUN apk add curl\nUSER app\n");
    }

    #[test]
    fn variable_users_resolve_through_defaults() {
        check_rule(
            "DW101",
            "FROM alpine:3.21\nARG RUN_AS=root\nUSER $RUN_AS\n#    ^^^^^^^ DW101 root-user.explicit\n",
        );
        check_rule(
            "DW101",
            "FROM alpine:3.21\nENV UID=0\nUSER ${UID}:${UID}\n#    ^^^^^^^^^^^^^ DW101 root-user.explicit\n",
        );
        check_rule("DW101", "FROM alpine:3.21\nARG RUN_AS=app\nUSER $RUN_AS\n");
        // From the base image's environment or a build argument without default: unknown, not reported.
        check_rule("DW101", "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nUSER $APP_UID\n");
        check_rule("DW101", "FROM alpine:3.21\nARG RUN_AS\nUSER $RUN_AS\n");
    }

    #[test]
    fn no_user_on_images_that_start_as_root() {
        check_rule(
            "DW101",
            "FROM python:3.13-slim\n#    ^^^^^^^^^^^^^^^^ DW101 root-user.image-default\nRUN pip install flask\n",
        );
        check_rule(
            "DW101",
            "FROM scratch\n#    ^^^^^^^ DW101 root-user.scratch\nCOPY app /app\n",
        );
        check_rule(
            "DW101",
            "FROM gcr.io/distroless/static-debian12\n#    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW101 root-user.image-default\n",
        );
        check_rule(
            "DW101",
            "FROM bitnami/minideb:bookworm\n#    ^^^^^^^^^^^^^^^^^^^^^^^^ DW101 root-user.image-default\n",
        );
    }

    #[test]
    fn images_that_start_as_non_root_or_are_unknown_are_clean() {
        for image in [
            "memcached:1.6",
            "haproxy:3.0",
            "sonarqube:community",
            "solr:9",
            "docker:27-dind-rootless",
            "gcr.io/distroless/static-debian12:nonroot",
            "gcr.io/distroless/base-debian12:debug-nonroot",
            "cgr.dev/chainguard/static:latest",
            "cgr.dev/chainguard/python:latest-dev",
            "bitnami/nginx:1.27",
            "nginxinc/nginx-unprivileged:1.27-alpine",
            "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled",
            "registry.access.redhat.com/ubi9/python-312",
            "ghcr.io/acme/base:1.0",
            "mcr.microsoft.com/windows/servercore:ltsc2022",
            "golang:1.24-windowsservercore-ltsc2022",
        ] {
            check_rule("DW101", &format!("FROM {image}\nCMD [\"run\"]\n"));
        }
        // Unresolved and invalid bases say nothing about the user.
        check_rule("DW101", "ARG BASE\nFROM $BASE\n");
        check_rule("DW101", "FROM Ubuntu\n");
    }

    #[test]
    fn privilege_dropping_images_depend_on_the_command() {
        // The image's own entrypoint and command: it switches to postgres.
        check_rule(
            "DW101",
            "FROM postgres:17\nCOPY init.sql /docker-entrypoint-initdb.d/\n",
        );
        // Options or the server command keep the switch.
        check_rule(
            "DW101",
            "FROM postgres:17\nCMD [\"postgres\", \"-c\", \"shared_buffers=256MB\"]\n",
        );
        check_rule("DW101", "FROM redis:7\nCMD [\"--maxmemory\", \"256mb\"]\n");
        check_rule("DW101", "FROM rabbitmq:4\nCMD [\"rabbitmq-server\"]\n");
        check_rule(
            "DW101",
            "FROM postgres:17\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"postgres\"]\n",
        );
        // Another command or entrypoint: no switch, the process runs as root.
        check_rule(
            "DW101",
            "FROM postgres:17\n#    ^^^^^^^^^^^ DW101 root-user.command-replaced\nCMD [\"/start.sh\"]\n",
        );
        check_rule(
            "DW101",
            "FROM redis:7\n#    ^^^^^^^ DW101 root-user.command-replaced\nCMD redis-server --save 60 1\n",
        );
        check_rule(
            "DW101",
            "FROM mongo:8\n#    ^^^^^^^ DW101 root-user.command-replaced\nENTRYPOINT [\"/custom.sh\"]\n",
        );
    }

    #[test]
    fn follows_the_stage_chain_and_skips_builders() {
        // Only the builder runs as root.
        check_rule(
            "DW101",
            "FROM golang:1.24 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /app /app\n",
        );
        // The final stage inherits a root USER from the stage it is built on.
        check_rule(
            "DW101",
            "FROM alpine:3.21 AS base\nUSER root\n#    ^^^^ DW101 root-user.explicit\nFROM base\nRUN echo hi\n",
        );
        // And a non-root one.
        check_rule("DW101", "FROM alpine:3.21 AS base\nUSER nobody\nFROM base\n");
        // No USER anywhere: the chain's root image decides, reported on the final FROM.
        check_rule(
            "DW101",
            "FROM node:22 AS deps\nRUN npm ci\nFROM deps\n#    ^^^^ DW101 root-user.image-default\nCMD [\"node\", \"app.js\"]\n",
        );
    }

    #[test]
    fn the_target_setting_chooses_the_final_stage() {
        let src = "FROM alpine:3.21 AS dev\n#    ^^^^^^^^^^^ DW101 root-user.image-default\nFROM alpine:3.21 AS prod\nUSER 10001\n";
        let settings = Settings {
            select: Some(vec!["DW101".to_string()]),
            target: Some("dev".to_string()),
            ..Settings::default()
        };
        check_rule_with("DW101", src, &Input::new(src, TODAY), &settings);
        check_rule(
            "DW101",
            "FROM alpine:3.21 AS dev\nFROM alpine:3.21 AS prod\nUSER 10001\n",
        );
    }

    #[test]
    fn fixes_use_the_images_own_user() {
        check_fix(
            "DW101",
            "FROM $0node:22\nWORKDIR /app\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n",
            "FROM node:22\nWORKDIR /app\nRUN npm ci\nUSER 1000:1000\nCMD [\"node\", \"server.js\"]\n",
        );
        check_fix(
            "DW101",
            "FROM $0ubuntu:24.04\nRUN apt-get update\n",
            "FROM ubuntu:24.04\nRUN apt-get update\nUSER 1000:1000\n",
        );
        check_fix(
            "DW101",
            "FROM $0gcr.io/distroless/static-debian12\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
            "FROM gcr.io/distroless/static-debian12\nCOPY app /app\nUSER 65532:65532\nENTRYPOINT [\"/app\"]\n",
        );
        check_fix(
            "DW101",
            "FROM $0postgres:17\nCMD [\"/start.sh\"]\n",
            "FROM postgres:17\nUSER postgres\nCMD [\"/start.sh\"]\n",
        );
    }

    #[test]
    fn fixes_create_a_user_on_debian_and_alpine() {
        check_fix(
            "DW101",
            "FROM $0python:3.13-slim\nRUN pip install flask\nCMD [\"flask\", \"run\"]\n",
            "FROM python:3.13-slim\nRUN pip install flask\nRUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app\nUSER 10001:10001\nCMD [\"flask\", \"run\"]\n",
        );
        check_fix(
            "DW101",
            "FROM $0python:3.13-alpine\nRUN pip install flask\n",
            "FROM python:3.13-alpine\nRUN pip install flask\nRUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app -s /sbin/nologin app\nUSER 10001:10001\n",
        );
    }

    #[test]
    fn fixes_on_scratch_and_unknown_distributions_are_numeric() {
        check_fix(
            "DW101",
            "FROM $0scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]",
            "FROM scratch\nCOPY app /app\nUSER 65532:65532\nENTRYPOINT [\"/app\"]",
        );
        check_fix(
            "DW101",
            "FROM $0amazoncorretto:21-al2023\nCOPY app.jar /app.jar",
            "FROM amazoncorretto:21-al2023\nCOPY app.jar /app.jar\nUSER 10001:10001",
        );
    }

    #[test]
    fn fixes_go_after_the_root_user_and_the_installs() {
        // After the last RUN, before the comments that belong to CMD (a suppression comment stays put).
        check_fix(
            "DW101",
            "FROM node:22\nUSER $0root\nHEALTHCHECK CMD true\nRUN npm ci\n# start\nCMD [\"node\", \"a.js\"]\n",
            "FROM node:22\nUSER root\nHEALTHCHECK CMD true\nRUN npm ci\nUSER 1000:1000\n# start\nCMD [\"node\", \"a.js\"]\n",
        );
        // Indentation is kept.
        check_fix(
            "DW101",
            "FROM $0node:22\n  RUN npm ci\n  CMD [\"node\", \"a.js\"]\n",
            "FROM node:22\n  RUN npm ci\n  USER 1000:1000\n  CMD [\"node\", \"a.js\"]\n",
        );
        // A RUN after CMD still needs root: the USER goes at the end, after a heredoc's body.
        check_fix(
            "DW101",
            "FROM $0node:22\nCMD [\"node\", \"a.js\"]\nRUN <<EOF\nnpm ci\nEOF\n",
            "FROM node:22\nCMD [\"node\", \"a.js\"]\nRUN <<EOF\nnpm ci\nEOF\nUSER 1000:1000\n",
        );
        // A root USER in the stage the final one is built on: the USER goes into the final stage.
        check_fix(
            "DW101",
            "FROM node:22 AS base\nUSER $0root\nFROM base\nCMD [\"node\", \"a.js\"]\n",
            "FROM node:22 AS base\nUSER root\nFROM base\nUSER 1000:1000\nCMD [\"node\", \"a.js\"]\n",
        );
    }
}
