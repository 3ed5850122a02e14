//! DW202 secret-file-copied: COPY or ADD puts a file that holds secrets into the image.

use crate::diagnostic::{Applicability, FileRef, Fix, TextEdit};
use crate::rules::sensitive_context_copied::{Source, sources};
use crate::rules::{Ctx, Sink, declare_rule, syntax_directive_edit};
use crate::secrets::{self, SecretFile};
use crate::syntax::{Instruction, ItemRef, Kind};
use crate::text::TextRange;

declare_rule! {
    /// COPY or ADD puts a file that holds secrets into the image.
    ///
    /// ## What it does
    /// Checks the sources of every `COPY` and `ADD` against the files that hold secrets by name:
    /// `.env` and `.env.*` (not `.env.example` and other templates), SSH keys (`id_rsa*`,
    /// `id_ed25519*`, `.ssh/`, not `.pub`), private keys and keystores (`*.pem`, `*.key`, `*.p12`,
    /// `*.pfx`, `*.jks`; not certificates or GPG public keys), tool credentials (`.npmrc`, `.pypirc`,
    /// `.netrc`, `.git-credentials`, `pip.conf`, `.pgpass`), cloud credentials (`.aws/`,
    /// `.docker/config.json`, kubeconfig, `.kube/config`, gcloud credentials), credential files
    /// (`credentials.json`, service-account keys, `client_secret*.json`, `secrets.yml`, `.htpasswd`)
    /// and Terraform state (`*.tfstate`). Globs are checked as written (`COPY *.pem /certs/`).
    ///
    /// Secret files that a copied directory carries (`COPY . .`) are reported by DW301
    /// sensitive-context-copied, which reads the `.dockerignore` and the build context.
    ///
    /// ## Why is this bad?
    /// Every file copied is stored in a layer of the image. Deleting it in a later instruction does not
    /// remove it from that layer: anyone who can pull the image extracts it with `docker save` or
    /// `docker cp`. Keys and tokens leaked this way have to be revoked.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// COPY .npmrc /root/.npmrc
    /// RUN npm ci
    /// COPY id_rsa /root/.ssh/id_rsa
    /// RUN git clone git@github.com:org/private.git
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// FROM node:22-alpine
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// RUN --mount=type=ssh git clone git@github.com:org/private.git
    /// ```
    /// built with `docker build --secret id=npmrc,src=$HOME/.npmrc --ssh default .`, and a
    /// `.dockerignore` that excludes `.env*`, keys and credentials.
    ///
    /// ## Fix safety
    /// For a single tool-credential file copied to an absolute path (`COPY .npmrc /root/.npmrc`), the fix
    /// removes the COPY and mounts the file as a secret at that path in the RUN instructions after it
    /// in the stage; for an SSH key, it removes the COPY and gives the RUN instructions that use `git`,
    /// `ssh` or `scp` an SSH agent mount (`--mount=type=ssh`). It adds `# syntax=docker/dockerfile:1`
    /// when missing. It is unsafe: the build command must pass the secret (`--secret id=...,src=...`)
    /// or the agent (`--ssh default`), as the fix's title says.
    ///
    /// ## References
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [Docker: SSH mounts](https://docs.docker.com/reference/dockerfile/#run---mounttypessh)
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory;
    ///   CWE-312: Cleartext Storage of Sensitive Information
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `COPY` や `ADD` が機微情報を含むファイルをイメージに入れています。
    ///
    /// ### 検出内容
    /// すべての `COPY` と `ADD` のコピー元を、名前から機微情報を含むと分かるファイルと照合します。
    /// `.env` と `.env.*` (`.env.example` などのテンプレートは除く)、SSH 鍵 (`id_rsa*`、`.ssh/`)、
    /// 秘密鍵やキーストア (`*.pem`、`*.key`、`*.p12` など)、ツールの認証情報 (`.npmrc`、`.pypirc`、`.netrc`、
    /// `.git-credentials`)、クラウドの認証情報 (`.aws/`、`.docker/config.json`、kubeconfig)、
    /// Terraform のステート (`*.tfstate`) などです。
    ///
    /// ### なぜ問題か
    /// コピーしたファイルはすべてイメージのレイヤーに保存されます。後の命令で削除してもそのレイヤーからは消えず、
    /// イメージを取得できる人なら `docker save` や `docker cp` で取り出せます。
    /// この経路で漏れた鍵やトークンは失効させるしかありません。
    ///
    /// ### 対処法
    /// ビルド中に必要な認証情報はシークレットマウント (`RUN --mount=type=secret`) や SSH エージェントの転送 (`RUN
    /// --mount=type=ssh`) で渡し、`.dockerignore` で `.env*` や鍵ファイルをビルドコンテキストから除外してください。
    ///
    /// ### 修正の安全性
    /// 絶対パスにコピーされるツールの認証情報ファイルが一つだけの場合 (`COPY .npmrc /root/.npmrc`)、
    /// 修正は `COPY` を削除し、後続の `RUN` でそのパスにシークレットとしてマウントします。
    /// SSH 鍵の場合は `COPY` を削除し、`git`、`ssh`、`scp` を使う `RUN` に SSH エージェントのマウントを付けます。
    /// ビルドコマンドでシークレット (`--secret id=...,src=...`) やエージェント (`--ssh default`) を渡す必要があるた
    /// め、安全な修正ではありません。
    pub static SECRET_FILE_COPIED = {
        code: "DW202",
        name: "secret-file-copied",
        severity: Error,
        tags: ["secrets"],
        fix: Sometimes,
        since: "0.1.0",
        reads: [From, Arg, Env, User, Copy, Add, Run],
        per_stage: true,
        check: check,
    }
}

fn sources_and_dest(it: &ItemRef, ins: &Instruction) -> Option<(Vec<Source>, Source)> {
    let mut all = sources(it, ins);
    let dest = all.pop()?;
    Some((all, dest))
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The kind of secret a glob as written names: `*.pem` (as `x.pem`), `.env*` and `id_rsa*` (a trailing
/// wildcard also matches nothing). `*.env` names `meta.env`-like files, not `.env`.
fn glob_kind(pattern: &str) -> Option<SecretFile> {
    if pattern.contains('[') {
        return None;
    }
    let trimmed = pattern.trim_end_matches(['*', '?']);
    secrets::secret_file(&trimmed.replace(['*', '?'], "x"))
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for (it, ins) in ctx.instructions() {
        if !matches!(ins.kind, Kind::Copy | Kind::Add) {
            continue;
        }
        let Some((sources, dest)) = sources_and_dest(&it, ins) else {
            continue;
        };
        for s in &sources {
            if s.text.starts_with("<<") || s.text.contains("://") || s.text.starts_with("git@") {
                continue;
            }
            let kind = if is_glob(&s.text) {
                glob_kind(&s.text)
            } else {
                secrets::secret_file(&s.text)
            };
            if let Some(kind) = kind {
                let fix = if sources.len() == 1 {
                    fix_for(ctx, &it, kind, &s.text, &dest.text)
                } else {
                    None
                };
                let f = sink.report(
                    s.range,
                    "secret-file-copied",
                    vec![("path", s.text.clone()), ("kind", ctx.msg(kind.message_id(), &[]))],
                );
                if let Some(fix) = fix {
                    f.fix(fix);
                }
            }
        }
    }
}

/// The secret-mount (or SSH-agent) fix for `COPY <secret> <dest>`.
fn fix_for(ctx: &Ctx, it: &ItemRef, kind: SecretFile, source: &str, dest: &str) -> Option<Fix> {
    if is_glob(source) || !dest.starts_with('/') {
        return None;
    }
    let stage = ctx.model.stage_of(it.index)?;
    let later_runs: Vec<(ItemRef, &Instruction)> = stage
        .items
        .clone()
        .filter(|&i| i > it.index)
        .filter_map(|i| ctx.tree.item(i))
        .filter_map(|r| r.instruction().map(|x| (r, x)))
        .filter(|(_, x)| x.kind == Kind::Run)
        .collect();
    let basename = source.trim_end_matches('/').rsplit('/').next().unwrap_or(source);
    type Plan<'a, 'b> = (
        String,
        &'static str,
        Vec<(&'static str, String)>,
        Vec<&'a (ItemRef<'b>, &'b Instruction)>,
    );
    let (mount, title_id, args, runs): Plan = match kind {
        SecretFile::ToolConfig => {
            let target = if dest.ends_with('/') {
                format!("{dest}{basename}")
            } else {
                dest.to_string()
            };
            let id = basename.trim_start_matches(['.', '_']).replace('.', "_");
            (
                format!(" --mount=type=secret,id={id},target={target}"),
                "fix.secret-file-mount",
                vec![("id", id.clone()), ("path", source.to_string())],
                later_runs.iter().collect(),
            )
        }
        SecretFile::SshKey if !dest.contains(".ssh/config") => {
            let uses_ssh = |x: &Instruction| {
                let t: &str = &x.logical;
                ["git ", "ssh ", "scp ", "git@", "ssh://"].iter().any(|w| t.contains(w))
            };
            (
                " --mount=type=ssh".to_string(),
                "fix.ssh-mount",
                vec![],
                later_runs.iter().filter(|(_, x)| uses_ssh(x)).collect(),
            )
        }
        _ => return None,
    };
    if runs.is_empty() {
        return None;
    }
    let mut edits = vec![TextEdit {
        file: FileRef::Dockerfile,
        range: it.extent(),
        new_text: String::new().into(),
    }];
    for (r, x) in runs {
        edits.push(TextEdit {
            file: FileRef::Dockerfile,
            range: TextRange::empty(r.abs(x.keyword.range).end),
            new_text: mount.clone().into(),
        });
    }
    edits.extend(syntax_directive_edit(ctx));
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    Some(Fix {
        title: ctx.msg(title_id, &args).into(),
        applicability: Applicability::Unsafe,
        edits,
        creates: None,
        resolve: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_secret_files_by_name_and_glob() {
        check_rule(
            "DW202",
            "FROM alpine:3.22\nCOPY .env /app/.env\n#    ^^^^ DW202 secret-file-copied\nCOPY id_rsa /root/.ssh/id_rsa\n#    ^^^^^^ DW202 secret-file-copied\nADD [\"certs/server.key\", \"/etc/ssl/private/\"]\n#     ^^^^^^^^^^^^^^^^ DW202 secret-file-copied\nCOPY *.pem /certs/\n#    ^^^^^ DW202 secret-file-copied\nCOPY .env* /app/\n#    ^^^^^ DW202 secret-file-copied\nCOPY scripts/*.env /tmp/\nCOPY --from=build /root/.aws /root/.aws\n#                 ^^^^^^^^^^ DW202 secret-file-copied\n",
        );
    }

    #[test]
    fn leaves_public_and_template_files_alone() {
        check_rule(
            "DW202",
            "FROM alpine:3.22\nCOPY .env.example /app/\nCOPY ca.pem /usr/local/share/ca-certificates/ca.crt\nCOPY id_rsa.pub /root/.ssh/authorized_keys\nCOPY nodesource.gpg.key /tmp/\nCOPY package.json package-lock.json ./\nCOPY <<EOF /app/.env\nPORT=80\nEOF\nADD https://example.com/key.pem /tmp/\n",
        );
    }

    #[test]
    fn mounts_tool_credentials_as_secrets() {
        check_fix(
            "DW202",
            "FROM node:22-alpine\nWORKDIR /app\nCOPY .np$0mrc /root/.npmrc\nCOPY package.json ./\nRUN npm ci\n",
            "# syntax=docker/dockerfile:1\nFROM node:22-alpine\nWORKDIR /app\nCOPY package.json ./\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n",
        );
    }

    #[test]
    fn ssh_keys_become_an_agent_mount() {
        check_fix(
            "DW202",
            "# syntax=docker/dockerfile:1\nFROM alpine/git\nCOPY id_$0ed25519 /root/.ssh/id_ed25519\nRUN git clone git@github.com:org/private.git /src\nRUN ls /src\n",
            "# syntax=docker/dockerfile:1\nFROM alpine/git\nRUN --mount=type=ssh git clone git@github.com:org/private.git /src\nRUN ls /src\n",
        );
    }
}
