//! DW203 credential-in-run: a password or token written into a RUN command.

use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::secrets;
use crate::shell::{Command, RunScript, Word};
use crate::syntax::ItemRef;
use crate::text::TextRange;

declare_rule! {
    /// A password, token or key written into a `RUN` command.
    ///
    /// ## What it does
    /// Parses the shell of every `RUN` (shell form, exec form, and the heredoc scripts a shell reads,
    /// `bash -c '...'` and `$(...)` included) and flags literal credentials:
    /// - `curl -u user:password`, `curl -H 'Authorization: Bearer …'`, `wget --password=…`,
    ///   `--http-password`, `--header='Authorization: …'`;
    /// - `docker login -p …` / `--password …` (also `podman`, `buildah`, `skopeo`, `helm registry`),
    ///   `mysql -p…` / `--password=…` and the other MySQL clients, `sshpass -p …`, `htpasswd -b … pass`;
    /// - passwords and tokens in URLs (`https://user:token@host`, `x-access-token:…@`);
    /// - `npm config set //registry/:_authToken …`, `yarn config set npmAuthToken …`, and
    ///   `_authToken=` / `password=` lines that a heredoc or `echo` writes into `.npmrc`, `.netrc`, `pip.conf`;
    /// - secret-named assignments with a literal value (`PGPASSWORD=… psql`, `export API_TOKEN=…`);
    /// - any word that matches a known credential format (GitHub, GitLab, AWS, Slack, Stripe, npm,
    ///   PyPI, Docker Hub tokens, private key headers, JWTs).
    ///
    /// Values built from variables (`$TOKEN`) are left to DW201, which reports the build argument
    /// they come from. Messages show at most the first 4 characters of a value.
    ///
    /// ## Why is this bad?
    /// The command line of every `RUN` is stored in the image history (`docker history --no-trunc`),
    /// and files it writes stay in the layer even when a later step deletes them. The Dockerfile is in
    /// the repository. A credential written there must be considered leaked.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -u deploy:Sup3rS3cret https://repo.example.com/pkg.tgz -o /tmp/pkg.tgz
    /// RUN git clone https://oauth2:glpat-AbCdEfGhIjKlMnOpQrSt@gitlab.com/org/app.git
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// RUN --mount=type=secret,id=repo_password,env=REPO_PASSWORD \
    ///     curl -u "deploy:$REPO_PASSWORD" https://repo.example.com/pkg.tgz -o /tmp/pkg.tgz
    /// RUN --mount=type=ssh git clone git@gitlab.com:org/app.git
    /// ```
    ///
    /// ## References
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    /// - CWE-798: Use of Hard-coded Credentials; CWE-214: Invocation of Process Using Visible Sensitive
    ///   Information
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// パスワード、トークン、鍵などが `RUN` のコマンドに直接書かれています。
    ///
    /// ### 検出内容
    /// すべての `RUN` のシェルを解析し (ヒアドキュメントや `bash -c '...'`、`$(...)` の中も含む)、
    /// 直書きされた認証情報を検出します。`curl -u user:password` や `Authorization: Bearer` ヘッダー、
    /// `docker login -p`、`mysql -p...`、`sshpass -p`、
    /// URL に埋め込まれたパスワードやトークン (`https://user:token@host`)、npm や yarn の認証トークンの設定などです。
    ///
    /// ### なぜ問題か
    /// すべての `RUN` のコマンドラインはイメージの履歴 (`docker history --no-trunc`) に保存され、
    /// 書き込まれたファイルは後のステップで消してもレイヤーに残ります。Dockerfile 自体もリポジトリにあります。
    /// ここに書いた認証情報は漏えいしたものとして扱う必要があります。
    ///
    /// ### 対処法
    /// 認証情報はシークレットマウント (`RUN --mount=type=secret,id=...,env=...`) で渡してコマンドからは変数で参照し、
    /// Git の取得には SSH エージェントの転送 (`RUN --mount=type=ssh`) を使ってください。
    /// すでに書いてしまった認証情報は失効させます。
    pub static CREDENTIAL_IN_RUN = {
        code: "DW203",
        name: "credential-in-run",
        severity: Error,
        tags: ["secrets"],
        fix: None,
        since: "0.1.0",
        instruction_check: check,
    }
}

/// A credential found in a script: its range in the script and what it is (a catalog id).
struct Found {
    span: TextRange,
    what: String,
    value: String,
}

fn check(ctx: &Ctx, run: &Instr, sink: &mut Sink) {
    for rs in run.scripts {
        let mut found = Vec::new();
        for c in &rs.script.commands {
            command_credentials(c, &mut found);
        }
        heredoc_credentials(rs, &mut found);
        report(ctx, sink, &run.item, rs, found);
    }
}

fn report(ctx: &Ctx, sink: &mut Sink, it: &ItemRef, rs: &RunScript, mut found: Vec<Found>) {
    found.sort_by_key(|f| (f.span.start, f.span.end));
    found.dedup_by(|a, b| a.span.start < b.span.end && b.span.start < a.span.end);
    for f in found {
        let range = rs.abs_range(it, f.span);
        if range.is_empty() {
            continue;
        }
        sink.report(
            range,
            "credential-in-run",
            vec![("what", ctx.msg(&f.what, &[])), ("start", secrets::redact(&f.value))],
        );
    }
}

/// A literal value (no expansion) that is not a placeholder.
fn literal(v: &str) -> bool {
    !v.contains('$') && !v.contains('`') && !secrets::is_placeholder(v)
}

fn push(found: &mut Vec<Found>, span: TextRange, what: &str, value: &str) {
    found.push(Found {
        span,
        what: what.to_string(),
        value: value.to_string(),
    });
}

/// The password part of `user:password`.
fn password_of(w: &Word, offset: usize, found: &mut Vec<Found>, what: &str) {
    let v = w.value.get(offset..).unwrap_or("");
    if let Some(colon) = v.find(':') {
        let pass = &v[colon + 1..];
        if !pass.is_empty() && literal(pass) {
            push(found, w.range_of(offset + colon + 1, w.value.len()), what, pass);
        }
    }
}

/// An `Authorization: …` header with a literal credential.
fn auth_header(w: &Word, offset: usize, found: &mut Vec<Found>) {
    let v = w.value.get(offset..).unwrap_or("");
    let lower = v.to_ascii_lowercase();
    let names = [
        "authorization:",
        "private-token:",
        "x-api-key:",
        "x-auth-token:",
        "job-token:",
    ];
    if let Some(n) = names.iter().find(|n| lower.starts_with(*n)) {
        let rest = v[n.len()..].trim_start();
        let token = rest
            .strip_prefix("Bearer ")
            .or_else(|| rest.strip_prefix("Basic "))
            .or_else(|| rest.strip_prefix("token "))
            .unwrap_or(rest)
            .trim();
        if !token.is_empty()
            && literal(token)
            && let Some(i) = v.rfind(token)
        {
            let start = offset + i;
            push(
                found,
                w.range_of(start, start + token.len()),
                "credential.header",
                token,
            );
        }
    }
}

fn command_credentials(c: &Command, found: &mut Vec<Found>) {
    // Secret-named assignments: `PGPASSWORD=x psql`, `export TOKEN=x`.
    let exported: Vec<&Word> = if c.name() == "export" || c.name() == "declare" || c.name() == "local" {
        c.args().iter().filter(|w| !w.value.starts_with('-')).collect()
    } else {
        Vec::new()
    };
    for w in c.assignments.iter().chain(exported) {
        if let Some((name, value)) = w.value.split_once('=')
            && secrets::name_is_secret(name)
            && literal(value)
        {
            push(
                found,
                w.range_of(name.len() + 1, w.value.len()),
                "credential.assignment",
                value,
            );
        }
    }
    let name = c.name();
    match name {
        "curl" => {
            if let Some(f) = c.flag(&["-u", "--user", "--proxy-user", "-U"]) {
                password_of(f.word, f.offset, found, "credential.curl-user");
            }
            for (i, w) in c.args().iter().enumerate() {
                if (w.value == "-H" || w.value == "--header")
                    && let Some(next) = c.args().get(i + 1)
                {
                    auth_header(next, 0, found);
                }
                if let Some(rest) = w.value.strip_prefix("--header=") {
                    auth_header(w, w.value.len() - rest.len(), found);
                }
            }
        }
        "wget" => {
            for f in ["--password", "--http-password", "--ftp-password", "--proxy-password"] {
                if let Some(v) = c.flag(&[f])
                    && literal(v.value())
                {
                    push(found, v.range(), "credential.password-option", v.value());
                }
            }
            if let Some(h) = c.flag(&["--header"]) {
                auth_header(h.word, h.offset, found);
            }
        }
        "docker" | "podman" | "buildah" | "skopeo" | "helm" | "nerdctl" | "crane" | "oras" => {
            let login = c.args().iter().any(|w| w.value == "login");
            if login
                && let Some(v) = c.flag(&["-p", "--password"])
                && literal(v.value())
            {
                push(found, v.range(), "credential.login-password", v.value());
            }
        }
        "mysql" | "mysqladmin" | "mysqldump" | "mariadb" | "mariadb-dump" | "mysqlimport" => {
            for w in c.args() {
                let v = w.value.as_str();
                let pass = v
                    .strip_prefix("--password=")
                    .or_else(|| v.strip_prefix("-p").filter(|p| !p.is_empty() && !v.starts_with("--")));
                if let Some(p) = pass
                    && literal(p)
                {
                    let off = v.len() - p.len();
                    push(found, w.range_of(off, v.len()), "credential.password-option", p);
                }
            }
        }
        "sshpass" => {
            if let Some(v) = c.flag(&["-p"])
                && literal(v.value())
            {
                push(found, v.range(), "credential.password-option", v.value());
            }
        }
        "htpasswd" if c.has_flag(&["-b"]) => {
            let plain: Vec<&Word> = c.args().iter().filter(|w| !w.value.starts_with('-')).collect();
            if let Some(pass) = plain.get(2)
                && literal(&pass.value)
            {
                push(found, pass.raw_span, "credential.password-option", &pass.value);
            }
        }
        "npm" | "yarn" | "pnpm" => {
            let args = c.args();
            if let Some(i) = args.iter().position(|w| w.value == "set") {
                let key = args.get(i + 1).map(|w| w.value.as_str()).unwrap_or("");
                let secret_key = key.ends_with("_authToken")
                    || key.ends_with("_auth")
                    || key.ends_with("_password")
                    || key == "npmAuthToken";
                match (key.split_once('='), args.get(i + 2)) {
                    (Some((k, v)), _) if (k.ends_with("_authToken") || k.ends_with("_auth")) && literal(v) => {
                        let w = &args[i + 1];
                        push(found, w.range_of(k.len() + 1, w.value.len()), "credential.npm-token", v);
                    }
                    (None, Some(v)) if secret_key && literal(&v.value) => {
                        push(found, v.raw_span, "credential.npm-token", &v.value);
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    // Tokens in URLs and known formats, in every word.
    for w in c.words.iter().chain(c.redirects.iter().map(|r| &r.target)) {
        if let Some((kind, r)) = secrets::find_value(&w.value) {
            push(
                found,
                w.range_of(r.start, r.end),
                kind.message_id(),
                &w.value[r.clone()],
            );
        }
        // `_authToken=literal` echoed into a config file.
        npmrc_line(w, found);
    }
}

/// `_authToken=…`, `_auth=…`, `password …`/`password=…` written literally (npmrc, netrc, pip.conf).
fn npmrc_line(w: &Word, found: &mut Vec<Found>) {
    // Every key has `_auth` or `_password`: most words have neither and cost one scan.
    if !w.value.contains("_auth") && !w.value.contains("_password") {
        return;
    }
    for key in [":_authToken=", ":_auth=", "_authToken=", "//:_password="] {
        if let Some(i) = w.value.find(key) {
            let start = i + key.len();
            let end = w.value[start..]
                .find(char::is_whitespace)
                .map_or(w.value.len(), |e| start + e);
            let v = &w.value[start..end];
            if !v.is_empty() && literal(v) {
                push(found, w.range_of(start, end), "credential.npm-token", v);
            }
            return;
        }
    }
}

/// Heredoc bodies a command writes (`cat > ~/.npmrc <<EOF`): config lines with literal secrets.
fn heredoc_credentials(rs: &RunScript, found: &mut Vec<Found>) {
    for c in &rs.script.commands {
        for r in &c.redirects {
            let Some(h) = &r.heredoc else { continue };
            let body = crate::text::slice(&rs.text, h.body);
            let mut at = h.body.start as usize;
            for line in body.split_inclusive('\n') {
                let trimmed = line.trim_end();
                let lead = line.len() - line.trim_start().len();
                let t = trimmed.trim_start();
                let value_at = |v: &str| -> Option<usize> { t.rfind(v).map(|i| at + lead + i) };
                if let Some((kind, r)) = secrets::find_value(t) {
                    let s = at + lead + r.start;
                    push(
                        found,
                        TextRange::new(s as u32, (s + r.len()) as u32),
                        kind.message_id(),
                        &t[r.clone()],
                    );
                } else if let Some(v) = config_secret(t)
                    && let Some(s) = value_at(v)
                {
                    push(
                        found,
                        TextRange::new(s as u32, (s + v.len()) as u32),
                        "credential.config-line",
                        v,
                    );
                }
                at += line.len();
            }
        }
    }
}

/// The literal secret of a config line: `//registry/:_authToken=x`, `password x` (netrc),
/// `password = x` (ini), `token: x` (yaml).
fn config_secret(line: &str) -> Option<&str> {
    if line.starts_with('#') || line.starts_with(';') {
        return None;
    }
    for key in ["_authToken=", "_auth=", "_password="] {
        if let Some(i) = line.find(key) {
            let v = line[i + key.len()..].trim();
            return (!v.is_empty() && literal(v)).then_some(v);
        }
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    // netrc: `machine h login u password p`
    if let Some(i) = words.iter().position(|w| *w == "password" || *w == "passwd")
        && matches!(words.first(), Some(&"machine") | Some(&"default"))
        && let Some(v) = words.get(i + 1)
        && literal(v)
    {
        return Some(v);
    }
    let (k, v) = line.split_once('=').or_else(|| line.split_once(": "))?;
    let (k, v) = (k.trim(), v.trim().trim_matches(|c| c == '"' || c == '\''));
    (secrets::name_is_secret(k) && !v.is_empty() && literal(v)).then_some(v)
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_rule, run};

    #[test]
    fn flags_literal_credentials_in_commands() {
        check_rule(
            "DW203",
            concat!(
                "FROM alpine:3.22\n",
                "RUN curl -fsSL -u deploy:Sup3rS3cret https://repo.example.com/pkg.tgz -o /tmp/pkg.tgz\n",
                "#                        ^^^^^^^^^^^ DW203 credential-in-run\n",
                "RUN docker login -u bot -p hunter2hunter2 registry.example.com\n",
                "#                          ^^^^^^^^^^^^^^ DW203 credential-in-run\n",
                "RUN mysql -uroot -pS3cretPw -e 'select 1'\n",
                "#                  ^^^^^^^^ DW203 credential-in-run\n",
                "RUN git clone https://oauth2:glpat-AbCdEfGhIjKlMnOpQrSt@gitlab.com/org/app.git\n",
                "#                            ^^^^^^^^^^^^^^^^^^^^^^^^^^ DW203 credential-in-run\n",
                "RUN npm config set //registry.npmjs.org/:_authToken npm_abcdefghijklmnopqrstuvwxyz0123456789\n",
                "#                                                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW203 credential-in-run\n",
                "RUN PGPASSWORD=pg-pass-42 psql -h db -U app -c 'select 1'\n",
                "#              ^^^^^^^^^^ DW203 credential-in-run\n",
                "RUN curl -H \"Authorization: Bearer abcdEFGH12345678\" https://api.example.com\n",
                "#                                  ^^^^^^^^^^^^^^^^ DW203 credential-in-run\n",
            ),
        );
    }

    #[test]
    fn flags_credentials_written_by_heredocs_and_nested_shells() {
        check_rule(
            "DW203",
            concat!(
                "FROM alpine:3.22\n",
                "RUN cat > /root/.netrc <<EOF\n",
                "machine example.com login bot password n3tRcPa55\n",
                "#                                      ^^^^^^^^^ DW203 credential-in-run\n",
                "EOF\n",
                "RUN bash -c 'wget --password=W3tPa55 https://x.example.com/f'\n",
                "#                            ^^^^^^^ DW203 credential-in-run\n",
            ),
        );
    }

    #[test]
    fn variables_and_safe_forms_are_left_alone() {
        check_rule(
            "DW203",
            concat!(
                "FROM alpine:3.22\n",
                "RUN --mount=type=secret,id=t,env=TOKEN curl -u \"bot:$TOKEN\" https://x.example.com\n",
                "RUN curl -H \"Authorization: Bearer ${API_TOKEN}\" https://api.example.com\n",
                "RUN docker login -u bot --password-stdin registry.example.com < /run/secrets/pw\n",
                "RUN mysql -p -e 'select 1'\n",
                "RUN git clone https://github.com/org/repo.git && curl -u anonymous: https://ftp.example.com\n",
                "RUN echo 'PASSWORD_FILE=/run/secrets/db' >> /etc/app.env\n",
            ),
        );
    }

    #[test]
    fn never_prints_a_credential() {
        let d = run(
            "DW203",
            "FROM alpine:3.22\nRUN curl -u deploy:Sup3rS3cret https://x.example.com\n",
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("Sup3…") && !d[0].message.contains("Sup3rS"),
            "{}",
            d[0].message
        );
    }
}
