//! DW201 secret-in-arg-or-env: a secret handed to the build through ARG or ENV.

use crate::diagnostic::{Applicability, FileRef, Fix, Severity, TextEdit};
use crate::model::{VarDef, VarKind};
use crate::rules::{Ctx, Sink, declare_rule, syntax_directive_edit};
use crate::secrets;
use crate::syntax::Kind;
use crate::text::TextRange;

declare_rule! {
    /// A password, token or key passed through `ARG` or `ENV`.
    ///
    /// ## What it does
    /// Looks at every `ARG` and `ENV` variable:
    /// - by name: the name is split into words (`DB_PASSWORD`, `npmToken`, `aws.secret.key`) and matched
    ///   against secret words (password, passwd, passphrase, secret, token, api key, access key, private
    ///   key, signing key, credentials, auth, ...). Names about something else are left alone: `*_FILE`,
    ///   `*_PATH`, `*_DIR`, `*_URL`, `*_HEADER`, `*_VERSION`, checksums, `*_ID`, and GPG key fingerprints
    ///   (`GPG_KEY`, `NODE_GPG_KEYS`, as the official images use them);
    /// - by value: known credential formats (AWS access key IDs, GitHub `ghp_`/`github_pat_`, GitLab
    ///   `glpat-`, Slack `xox?-`, Stripe live keys, Google API keys, npm `npm_`, PyPI `pypi-`, Docker Hub
    ///   `dckr_pat_`, OpenAI keys, private key headers, JWTs, `scheme://user:password@host`) under any
    ///   name.
    ///
    /// It reports a secret-like `ARG` that a later `RUN` of its stage can see (its value is then
    /// recorded in the image history even if it never reaches `ENV`), a literal secret in an `ARG`
    /// default or an `ENV` value (an error), and an `ENV` that copies a secret `ARG`. Messages show at
    /// most the first 4 characters of a value.
    ///
    /// ## Why is this bad?
    /// `ENV` values are stored in the image configuration: anyone who can pull the image reads them
    /// with `docker inspect`, and every container and child image inherits them. Build arguments are
    /// recorded in the image history (`docker history --no-trunc`) for each `RUN` that runs with them,
    /// and in build caches and CI logs. A default in the Dockerfile is in the repository for everyone.
    /// BuildKit's secret mounts give a command the secret for its duration only, and leave no trace in
    /// the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// ARG NPM_TOKEN
    /// RUN NPM_TOKEN=$NPM_TOKEN npm ci
    /// ENV API_KEY=sk_live_0123456789abcdefghijklmn
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// FROM node:22-alpine
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    /// ```
    /// built with `docker build --secret id=npm_token,env=NPM_TOKEN .`; runtime secrets come from the
    /// orchestrator (Docker secrets, Kubernetes Secrets), not the image.
    ///
    /// ## Fix safety
    /// For an `ARG` used by `RUN` instructions, the fix gives those instructions
    /// `--mount=type=secret,id=<id>,env=<NAME>`, removes the `ARG` when nothing else uses it, and adds
    /// `# syntax=docker/dockerfile:1` when the file has no syntax directive (`env=` needs Dockerfile
    /// syntax 1.10 or later). It is unsafe: the build command must change from `--build-arg` to the
    /// `docker build --secret id=<id>,env=<NAME>` shown in the fix's title. No fix is offered for `ENV`:
    /// the secret must leave the Dockerfile.
    ///
    /// ## References
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [BuildKit check SecretsUsedInArgOrEnv](https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/)
    /// - CWE-798: Use of Hard-coded Credentials; CWE-538: Insertion of Sensitive Information into
    ///   Externally-Accessible File or Directory
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// パスワード、トークン、鍵などが `ARG` や `ENV` で渡されています。
    ///
    /// ### 検出内容
    /// すべての `ARG` と `ENV` の変数を調べます。名前を単語に分け (`DB_PASSWORD`、`npmToken` など)、`password`、
    /// `secret`、`token`、`api key` などの機微情報を表す語と照合します。`*_FILE`、`*_PATH`、`*_URL`、
    /// `*_VERSION` や GPG 鍵のフィンガープリントなど、別のものを指す名前は対象外です。値についても、
    /// AWS のアクセスキー ID、GitHub の `ghp_`、GitLab の `glpat-` など既知の認証情報の形式を検出します。
    ///
    /// ### なぜ問題か
    /// `ENV` の値はイメージの設定に保存され、イメージを取得できる人なら誰でも `docker inspect` で読めます。
    /// すべてのコンテナと派生イメージにも引き継がれます。ビルド引数は、
    /// それを使う `RUN` ごとにイメージの履歴 (`docker history --no-trunc`) に記録され、
    /// ビルドキャッシュや CI のログにも残ります。Dockerfile に書いた既定値はリポジトリを見る全員の目に触れます。
    ///
    /// ### 対処法
    /// ビルド時に必要な機微情報は BuildKit のシークレットマウント (`RUN --mount=type=secret,id=...,env=...`) で渡して
    /// ください。そのコマンドの実行中だけ使え、イメージには痕跡が残りません。
    /// 実行時の機微情報はオーケストレーター (Docker secrets、Kubernetes の Secret) から渡し、イメージには含めません。
    ///
    /// ### 修正の安全性
    /// `RUN` が使う `ARG` については、その `RUN` に `--mount=type=secret,id=<id>,env=<NAME>` を付け、
    /// ほかに使われていなければ `ARG` を削除し、必要なら `# syntax=docker/dockerfile:1` を追加します。
    /// ビルドコマンドを `--build-arg` から修正のタイトルに示した `docker build --secret id=<id>,env=<NAME>` に変える
    /// 必要があるため、安全な修正ではありません。`ENV` には修正を提供しません。
    /// 機微情報を Dockerfile から取り除く必要があるためです。
    pub static SECRET_IN_ARG_OR_ENV = {
        code: "DW201",
        name: "secret-in-arg-or-env",
        severity: Warning,
        tags: ["secrets"],
        fix: Sometimes,
        since: "0.1.0",
        also: ["buildkit:SecretsUsedInArgOrEnv"],
        reads: [From, Arg, Env, User, Run],
        per_stage: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for v in ctx.global_args() {
        literal(ctx, sink, v);
    }
    for st in ctx.stages() {
        // Variables inherited from an earlier stage are that stage's findings.
        for v in st.vars.iter().filter(|v| v.item >= st.from_item) {
            if literal(ctx, sink, v) {
                continue;
            }
            match v.kind {
                VarKind::Arg if secrets::name_is_secret(&v.name) => arg_used_by_run(ctx, sink, st.index, v),
                VarKind::Env => env_from_secret_arg(ctx, sink, st.index, v),
                _ => {}
            }
        }
    }
}

/// A literal secret in an ARG default or an ENV value. Returns whether it reported.
fn literal(ctx: &Ctx, sink: &mut Sink, v: &VarDef) -> bool {
    let (Some(raw), Some(vr)) = (&v.raw, v.value_range) else {
        return false;
    };
    let what = match v.kind {
        VarKind::Arg => "ARG",
        VarKind::Env => "ENV",
    };
    if let Some((kind, r)) = secrets::find_value(raw) {
        let found = &raw[r.clone()];
        let range = TextRange::new(vr.start + r.start as u32, vr.start + r.end as u32);
        sink.report(
            range,
            "secret-in-arg-or-env.format",
            vec![
                ("kind", ctx.msg(kind.message_id(), &[])),
                ("what", what.to_string()),
                ("name", v.name.clone()),
                ("start", secrets::redact(found)),
            ],
        )
        .severity(Severity::Error);
        return true;
    }
    let value = raw.trim_matches(|c| c == '"' || c == '\'');
    if secrets::name_is_secret(&v.name) && !secrets::is_placeholder(value) {
        sink.report(
            v.name_range,
            "secret-in-arg-or-env.literal",
            vec![
                ("what", what.to_string()),
                ("name", v.name.clone()),
                ("start", secrets::redact(value)),
            ],
        )
        .severity(Severity::Error);
        return true;
    }
    false
}

/// The shell variable names a RUN refers to, with the instruction's item index.
fn run_uses(ctx: &Ctx, stage: usize, after: usize, name: &str) -> Vec<usize> {
    let Some(st) = ctx.model.stages.get(stage) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for idx in st.items.clone().filter(|&i| i > after) {
        let Some(it) = ctx.tree.item(idx) else { continue };
        let Some(ins) = it.instruction() else { continue };
        if ins.kind != Kind::Run {
            continue;
        }
        let uses = ins
            .shell_var_uses()
            .into_iter()
            .chain(ins.var_uses.iter().filter(|u| !u.expanded_by_docker).cloned());
        if uses.into_iter().any(|u| ins.text(&u.name) == name) {
            out.push(idx);
        }
    }
    out
}

/// A secret-named ARG that RUN instructions after it can see.
fn arg_used_by_run(ctx: &Ctx, sink: &mut Sink, stage: usize, v: &VarDef) {
    let Some(st) = ctx.model.stages.get(stage) else {
        return;
    };
    let any_run_after = st.items.clone().filter(|&i| i > v.item).any(|i| {
        ctx.tree
            .item(i)
            .and_then(|it| it.instruction())
            .is_some_and(|ins| ins.kind == Kind::Run)
    });
    if !any_run_after {
        return;
    }
    let users = run_uses(ctx, stage, v.item, &v.name);
    // Every RUN that uses it already reads it from a secret mount: the ARG is a leftover, not a leak.
    if !users.is_empty() && users.iter().all(|&i| has_secret_env(ctx, i, &v.name)) {
        return;
    }
    if !users.is_empty() {
        // Whether the fix also removes the ARG depends on every instruction that could mention it,
        // kinds this rule does not read: not memoised.
        sink.read_unread_items();
    }
    let fix = secret_mount_fix(ctx, stage, v, &users);
    let f = sink.report(v.name_range, "secret-in-arg-or-env.arg", vec![("name", v.name.clone())]);
    if let Some(fix) = fix {
        f.fix(fix);
    }
}

/// Whether RUN item `idx` already mounts a secret as environment variable `name`.
fn has_secret_env(ctx: &Ctx, idx: usize, name: &str) -> bool {
    let Some(ins) = ctx.tree.item(idx).and_then(|it| it.instruction()) else {
        return false;
    };
    ins.flags.iter().any(|f| {
        f.name == "mount"
            && f.fields()
                .iter()
                .any(|x| x.key == "env" && x.value.as_deref() == Some(name))
    })
}

/// The secret id for a variable name: lower case (`NPM_TOKEN` → `npm_token`).
fn secret_id(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// `RUN --mount=type=secret,id=<id>,env=<NAME>` on every RUN that uses the ARG, the ARG removed when
/// nothing else uses it, and a syntax directive when missing.
fn secret_mount_fix(ctx: &Ctx, stage: usize, v: &VarDef, users: &[usize]) -> Option<Fix> {
    if users.is_empty() {
        return None;
    }
    let id = secret_id(&v.name);
    let mut edits = Vec::new();
    for &idx in users {
        let it = ctx.tree.item(idx)?;
        let ins = it.instruction()?;
        if has_secret_env(ctx, idx, &v.name) {
            continue;
        }
        let at = it.abs(ins.keyword.range).end;
        edits.push(TextEdit {
            file: FileRef::Dockerfile,
            range: TextRange::empty(at),
            new_text: format!(" --mount=type=secret,id={id},env={}", v.name).into(),
        });
    }
    if edits.is_empty() {
        return None;
    }
    // Remove the ARG when it declares only this variable and nothing but those RUNs refers to it.
    let arg_item = ctx.tree.item(v.item)?;
    let arg_ins = arg_item.instruction()?;
    let single = matches!(&arg_ins.args, crate::syntax::Args::Arg(d) if d.len() == 1);
    if single && !used_elsewhere(ctx, stage, v, users) {
        let line = arg_item.extent();
        edits.push(TextEdit {
            file: FileRef::Dockerfile,
            range: line,
            new_text: String::new().into(),
        });
    }
    edits.extend(syntax_directive_edit(ctx));
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    Some(Fix {
        title: ctx
            .msg("fix.use-build-secret", &[("name", v.name.clone()), ("id", id.clone())])
            .into(),
        applicability: Applicability::Unsafe,
        edits,
        creates: None,
        resolve: None,
    })
}

/// Whether anything besides `users` (RUNs that will get the secret mount) refers to the ARG.
fn used_elsewhere(ctx: &Ctx, stage: usize, v: &VarDef, users: &[usize]) -> bool {
    let Some(st) = ctx.model.stages.get(stage) else {
        return true;
    };
    st.items.clone().filter(|&i| i > v.item).any(|idx| {
        let Some(ins) = ctx.tree.item(idx).and_then(|it| it.instruction()) else {
            return false;
        };
        let docker = ins.var_uses.iter().filter(|u| u.expanded_by_docker);
        let mentions = docker.into_iter().any(|u| ins.text(&u.name) == v.name);
        let shell = !users.contains(&idx) && ins.shell_var_uses().iter().any(|u| ins.text(&u.name) == v.name);
        mentions || shell
    })
}

/// `ENV X=$SECRET_ARG`: the build argument's value becomes part of the image configuration.
fn env_from_secret_arg(ctx: &Ctx, sink: &mut Sink, stage: usize, v: &VarDef) {
    let (Some(it), Some(vr), Some(st)) = (ctx.tree.item(v.item), v.value_range, ctx.model.stages.get(stage)) else {
        return;
    };
    let Some(ins) = it.instruction() else {
        return;
    };
    for u in ins.var_uses.iter().filter(|u| u.expanded_by_docker) {
        let range = it.abs(u.range);
        if range.start < vr.start || range.end > vr.end {
            continue;
        }
        let name = ins.text(&u.name);
        let is_secret_arg = secrets::name_is_secret(name)
            && st
                .vars
                .iter()
                .chain(&ctx.model.global_args)
                .any(|a| a.kind == VarKind::Arg && a.name == name);
        if is_secret_arg {
            sink.report(
                range,
                "secret-in-arg-or-env.env-from-arg",
                vec![("name", v.name.clone()), ("arg", name.to_string())],
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule, run};

    #[test]
    fn flags_secret_args_seen_by_run() {
        check_rule(
            "DW201",
            "FROM node:22\nARG NPM_TOKEN\n#   ^^^^^^^^^ DW201 secret-in-arg-or-env.arg\nRUN echo \"//registry.npmjs.org/:_authToken=$NPM_TOKEN\" > .npmrc && npm ci\n",
        );
    }

    #[test]
    fn flags_literal_secrets_by_name_and_by_format() {
        check_rule(
            "DW201",
            "FROM alpine\nENV DB_PASSWORD=hunter2-hunter2\n#   ^^^^^^^^^^^ DW201 secret-in-arg-or-env.literal\nENV GH=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n#      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW201 secret-in-arg-or-env.format\nARG URL=https://deploy:s3cretpw@git.example.com/r.git\n#                      ^^^^^^^^ DW201 secret-in-arg-or-env.format\n",
        );
    }

    #[test]
    fn flags_env_copied_from_a_secret_arg() {
        check_rule(
            "DW201",
            "FROM alpine\nARG API_TOKEN\n#   ^^^^^^^^^ DW201 secret-in-arg-or-env.arg\nENV TOKEN_VALUE=$API_TOKEN\n#               ^^^^^^^^^^ DW201 secret-in-arg-or-env.env-from-arg\nRUN true\n",
        );
    }

    #[test]
    fn leaves_official_image_patterns_alone() {
        check_rule(
            "DW201",
            "FROM debian:trixie-slim\nENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305\nENV NODE_GPG_KEYS=\"C4F0DFFF4E8C1A8236409D08E73BC641CC11F4C8\"\nENV MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root\nENV PASSWORD_PATH=/etc/app/password\nENV TOKEN_URL=https://auth.example.com/token\nENV PYTHON_SHA256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nARG SECRET_VERSION=1.2.3\nENV POSTGRES_PASSWORD=\nENV DB_PASSWORD=$DB_PASSWORD_FROM_BASE\nRUN true\n",
        );
    }

    #[test]
    fn secret_args_without_a_later_run_or_only_in_from_are_not_in_history() {
        check_rule("DW201", "ARG REGISTRY_TOKEN\nFROM alpine\nARG DEPLOY_KEY\n");
    }

    #[test]
    fn never_prints_a_secret() {
        let d = run(
            "DW201",
            "FROM alpine\nENV GH=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("ghp_…"), "{}", d[0].message);
        assert!(!d[0].message.contains("ghp_0"), "{}", d[0].message);
    }

    #[test]
    fn converts_an_arg_to_a_secret_mount() {
        check_fix(
            "DW201",
            "FROM node:22\nARG NPM_T$0OKEN\nRUN NPM_TOKEN=$NPM_TOKEN npm ci\nRUN echo done\n",
            "# syntax=docker/dockerfile:1\nFROM node:22\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN NPM_TOKEN=$NPM_TOKEN npm ci\nRUN echo done\n",
        );
        // The ARG stays when something else uses it; an existing syntax directive is kept.
        check_fix(
            "DW201",
            "# syntax=docker/dockerfile:1.10\nFROM node:22\nARG GITHUB_TO$0KEN\nRUN git clone https://x-access-token:${GITHUB_TOKEN}@github.com/o/r.git\nLABEL t=$GITHUB_TOKEN\n",
            "# syntax=docker/dockerfile:1.10\nFROM node:22\nARG GITHUB_TOKEN\nRUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN git clone https://x-access-token:${GITHUB_TOKEN}@github.com/o/r.git\nLABEL t=$GITHUB_TOKEN\n",
        );
    }
}
