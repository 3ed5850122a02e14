//! DW204 secret-left-in-layer: a secret file written by one RUN and deleted by a later one.

use crate::diagnostic::{Applicability, FileRef, Fix, Severity, TextEdit};
use crate::rules::{Ctx, Sink, declare_rule};
use crate::secrets;
use crate::shell::{Command, RedirectOp, Word};
use crate::syntax::{Args, CommandForm, Kind};
use crate::text::TextRange;

declare_rule! {
    /// A secret file written by one `RUN` and deleted (or overwritten) by a later instruction.
    ///
    /// ## What it does
    /// Follows the files each `RUN` of a stage writes (redirects, `tee`, `cp`, `curl -o`, `wget -O`,
    /// `ssh-keygen -f`, `openssl … -out`/`-keyout`) and the later instructions of the same stage that
    /// remove them (`rm`, `shred`, `unlink`, `truncate -s 0`, `> file`) or overwrite them. It reports the
    /// writes of files that hold secrets: secret files by name (`.npmrc`, `.netrc`, keys, `.env`,
    /// credentials; see DW202), and files written from a secret-named variable or a literal credential
    /// (`echo "$NPM_TOKEN" > /tmp/token`). The finding is on the write; the related location is the
    /// deletion. Relative paths follow `WORKDIR`.
    ///
    /// In a build stage that does not reach the final image (files are copied out of it with
    /// `COPY --from`), the layers are not shipped: the finding is information only. Files that
    /// `COPY`/`ADD` bring in are DW202's.
    ///
    /// ## Why is this bad?
    /// Each instruction makes a layer, and a layer keeps every file it wrote. Deleting the file later
    /// adds a "whiteout" in a new layer: the file disappears from the container's view but its content
    /// is still in the earlier layer, which anyone with the image reads with `docker save` and `tar`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > /root/.npmrc
    /// RUN npm ci
    /// RUN rm /root/.npmrc
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    /// or, at least, write, use and delete the file in one `RUN`.
    ///
    /// ## Fix safety
    /// When the `RUN` that writes the file, the `RUN`s after it and the `RUN` that deletes it follow
    /// each other and are all shell form without flags or heredocs, the fix folds them into one `RUN`,
    /// each command list in its own subshell `( … )` joined with `&&`, so that every part starts in the
    /// same directory and environment as before and a failure still stops the build. It is unsafe: the
    /// layer cache changes, and a secret mount is the better fix.
    ///
    /// ## References
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    /// - [Docker: image layers](https://docs.docker.com/get-started/docker-concepts/building-images/understanding-image-layers/)
    /// - CWE-212: Improper Removal of Sensitive Information Before Storage or Transfer
    /// - CIS Docker Benchmark 4.10
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ある `RUN` が書き込んだ機微情報のファイルを、後の命令で削除 (または上書き) しています。
    ///
    /// ### 検出内容
    /// ステージの各 `RUN` が書き込むファイル (リダイレクト、`tee`、`cp`、`curl -o`、`ssh-keygen -f` など) と、
    /// 同じステージの後の命令でそれを削除・上書きする処理 (`rm`、`shred`、`truncate -s 0` など) を追跡します。
    /// 名前から機微情報と分かるファイル (`.npmrc`、`.netrc`、鍵など) や、
    /// 機微情報を表す名前の変数・直書きの認証情報から書き込まれたファイルを報告します。指摘は書き込み側に、
    /// 関連箇所として削除側を示します。
    ///
    /// ### なぜ問題か
    /// 命令ごとにレイヤーが作られ、レイヤーは書き込まれたファイルをすべて保持します。
    /// 後で削除しても新しいレイヤーに「ホワイトアウト」が追加されるだけで、
    /// コンテナからは見えなくなっても中身は前の中間レイヤーに残り、`docker save` と `tar` で誰でも読めます。
    ///
    /// ### 対処法
    /// シークレットマウント (`RUN --mount=type=secret`) を使ってファイルをレイヤーに書き込まないようにしてください。
    /// どうしても書き込む場合は、書き込み・使用・削除を一つの `RUN` の中で済ませます。
    ///
    /// ### 修正の安全性
    /// 書き込む `RUN`、その後の `RUN`、削除する `RUN` が連続していて、
    /// いずれもフラグやヒアドキュメントのないシェル形式の場合、修正はそれらを一つの `RUN` にまとめます。
    /// 各コマンド列はそれぞれサブシェル `( … )` に入れて `&&` でつなぐので、作業ディレクトリや環境は従来どおりで、
    /// 失敗すればビルドは止まります。レイヤーキャッシュが変わり、本来はシークレットマウントがより良い修正であるため、
    /// 安全な修正ではありません。
    pub static SECRET_LEFT_IN_LAYER = {
        code: "DW204",
        name: "secret-left-in-layer",
        severity: Error,
        tags: ["secrets"],
        fix: Sometimes,
        since: "0.1.0",
        reads: [From, Arg, Env, User, Run, Workdir],
        per_stage: true,
        check: check,
    }
}

/// A file a RUN wrote.
struct Written {
    path: String,
    item: usize,
    range: TextRange,
}

/// Joins `p` to `dir` and removes `.` and `..` components.
fn absolute(dir: &str, p: &str) -> String {
    let joined = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{dir}/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in joined.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The home directory `~` stands for (the user is usually root while building).
fn expand_home(p: &str) -> String {
    match p.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/root{rest}"),
        _ => p.to_string(),
    }
}

/// Whether `pattern` (a path possibly with `*`) covers `path`: equal, a parent directory, or a glob match.
fn covers(pattern: &str, path: &str) -> bool {
    if pattern == path || path.starts_with(&format!("{}/", pattern.trim_end_matches('/'))) {
        return true;
    }
    if !pattern.contains('*') {
        return false;
    }
    glob(pattern.as_bytes(), path.as_bytes())
}

/// `*` matches within one path component.
fn glob(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (None, Some(_)) => false,
        (Some(b'*'), _) => glob(&p[1..], s) || (s.first().is_some_and(|&c| c != b'/') && glob(p, &s[1..])),
        (Some(a), Some(b)) if a == b => glob(&p[1..], &s[1..]),
        _ => false,
    }
}

/// The literal path of a word, if it has no expansion.
fn path_of(w: &Word) -> Option<String> {
    (!w.has_expansion && !w.value.is_empty()).then(|| expand_home(&w.value))
}

/// Whether a command writes secret content: a secret-named variable or a literal credential.
fn writes_secret_content(c: &Command, script: &str) -> bool {
    c.words
        .iter()
        .chain(c.redirects.iter().filter_map(|r| r.heredoc.as_ref().map(|_| &r.target)))
        .any(|w| secrets::find_value(&w.value).is_some() || secret_variable(&w.value))
        || c.redirects.iter().filter_map(|r| r.heredoc.as_ref()).any(|h| {
            let body = crate::text::slice(script, h.body);
            secrets::find_value(body).is_some() || secret_variable(body)
        })
}

/// Whether `text` refers to a secret-named variable (`$NPM_TOKEN`, `${DB_PASSWORD}`).
fn secret_variable(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let name: String = rest
            .trim_start_matches('{')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && secrets::name_is_secret(&name) {
            return true;
        }
    }
    false
}

/// The files a command writes, as words.
fn writes(c: &Command) -> Vec<&Word> {
    let mut out: Vec<&Word> = c.redirects.iter().filter_map(|r| r.written_file()).collect();
    let args = c.args();
    let plain = || args.iter().filter(|w| !w.value.starts_with('-'));
    match c.name() {
        "tee" => out.extend(plain()),
        "cp" | "install" => out.extend(plain().next_back()),
        "curl" => out.extend(c.flag(&["-o", "--output"]).map(|f| f.word)),
        "wget" => out.extend(c.flag(&["-O", "--output-document"]).map(|f| f.word)),
        "ssh-keygen" => out.extend(c.flag(&["-f"]).map(|f| f.word)),
        "openssl" => {
            out.extend(c.flag(&["-out"]).map(|f| f.word));
            out.extend(c.flag(&["-keyout"]).map(|f| f.word));
        }
        _ => {}
    }
    out
}

/// The paths a command deletes or truncates (`rm`, `shred`, `unlink`, `truncate -s 0`, `: > f`).
fn deletes(c: &Command) -> Vec<&Word> {
    let args = c.args();
    let plain = || args.iter().filter(|w| !w.value.starts_with('-'));
    match c.name() {
        "rm" | "unlink" | "shred" => plain().collect(),
        "truncate" if c.flag(&["-s", "--size"]).is_some_and(|f| f.value() == "0") => {
            plain().filter(|w| w.value != "0").collect()
        }
        ":" | "true" | "" => c
            .redirects
            .iter()
            .filter(|r| matches!(r.op, RedirectOp::Out | RedirectOp::Clobber))
            .map(|r| &r.target)
            .collect(),
        _ => Vec::new(),
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    let model = ctx.model;
    let final_chain = model
        .final_stage(ctx.settings.target.as_deref())
        .map(|s| model.chain(s.index))
        .unwrap_or_default();
    for st in ctx.stages() {
        let mut workdir = "/".to_string();
        let mut written: Vec<Written> = Vec::new();
        let mut reported: Vec<usize> = Vec::new();
        for idx in st.items.clone() {
            let Some(it) = ctx.tree.item(idx) else { continue };
            let Some(ins) = it.instruction() else { continue };
            match ins.kind {
                Kind::Workdir => {
                    if let Args::Text(Some(t)) = &ins.args {
                        let v = ins.text(t).trim();
                        if v.contains('$') {
                            workdir = "/?".to_string();
                        } else {
                            workdir = absolute(&workdir, v);
                        }
                    }
                }
                Kind::Run => {
                    let scripts = ctx.run_scripts(idx);
                    let mut removed: Vec<String> = Vec::new();
                    let mut new: Vec<Written> = Vec::new();
                    for rs in scripts {
                        for c in &rs.script.commands {
                            for w in deletes(c) {
                                if let Some(p) = path_of(w) {
                                    removed.push(absolute(&workdir, &p));
                                }
                            }
                            // An overwrite (`>`) of a file an earlier RUN wrote also leaves the old content.
                            for r in c
                                .redirects
                                .iter()
                                .filter(|r| matches!(r.op, RedirectOp::Out | RedirectOp::Clobber))
                            {
                                if let Some(p) = path_of(&r.target) {
                                    removed.push(absolute(&workdir, &p));
                                }
                            }
                            // Asked only of commands that write a file (most write none): it reads every word.
                            let secret_content = std::cell::OnceCell::new();
                            for w in writes(c) {
                                let Some(p) = path_of(w) else { continue };
                                let path = absolute(&workdir, &p);
                                if p.starts_with("/dev/") || path.starts_with("/dev/") {
                                    continue;
                                }
                                if *secret_content.get_or_init(|| writes_secret_content(c, &rs.text))
                                    || secrets::secret_file(&path).is_some()
                                {
                                    new.push(Written {
                                        path,
                                        item: idx,
                                        range: rs.abs_range(&it, w.raw_span),
                                    });
                                }
                            }
                        }
                    }
                    for r in &removed {
                        let hits: Vec<usize> = written
                            .iter()
                            .enumerate()
                            .filter(|(_, w)| covers(r, &w.path))
                            .map(|(i, _)| i)
                            .collect();
                        for i in hits {
                            if reported.contains(&i) {
                                continue;
                            }
                            reported.push(i);
                            let w = &written[i];
                            let shipped = final_chain.contains(&st.index);
                            let id = if shipped {
                                "secret-left-in-layer"
                            } else {
                                "secret-left-in-layer.builder"
                            };
                            // Whether the RUNs can be folded depends on the items between them, comments
                            // and instructions this rule does not read: not memoised.
                            sink.read_unread_items();
                            let fix = fold_fix(ctx, w.item, idx);
                            // No line number in the message: memoised findings move with their items, and a
                            // number would go stale when lines are inserted between the two instructions.
                            let f = sink.report(w.range, id, vec![("path", w.path.clone())]);
                            f.related(
                                it.abs(ins.range),
                                "secret-left-in-layer.deleted",
                                vec![("path", w.path.clone())],
                            );
                            if !shipped {
                                f.severity(Severity::Info);
                            }
                            if let Some(fix) = fix {
                                f.fix(fix);
                            }
                        }
                    }
                    written.extend(new);
                }
                _ => {}
            }
        }
    }
}

/// Folds RUN items `from..=to` into one RUN when every one is a shell-form RUN without flags or
/// heredocs, and nothing else lies between them.
fn fold_fix(ctx: &Ctx, from: usize, to: usize) -> Option<Fix> {
    let mut parts = Vec::new();
    for idx in from..=to {
        let it = ctx.tree.item(idx)?;
        let Some(ins) = it.instruction() else {
            // Comments between them go away with the fold: keep it simple and refuse.
            return None;
        };
        if ins.kind != Kind::Run || !ins.flags.is_empty() || !ins.heredocs().is_empty() {
            return None;
        }
        let Some(CommandForm::Shell(sp)) = ins.command() else {
            return None;
        };
        let range = it.abs(sp.range);
        let end = it.abs(ins.range).end;
        parts.push(ctx.text.get(range.start as usize..end as usize)?.trim_end().to_string());
    }
    let first = ctx.tree.item(from)?;
    let first_ins = first.instruction()?;
    let Some(CommandForm::Shell(sp)) = first_ins.command() else {
        return None;
    };
    let start = first.abs(sp.range).start;
    let last = ctx.tree.item(to)?;
    let end = last.abs(last.instruction()?.range).end;
    let joined = parts
        .iter()
        .map(|p| format!("({p})"))
        .collect::<Vec<_>>()
        .join(" \\\n && ");
    Some(Fix {
        title: ctx.msg("fix.fold-into-one-run", &[]).into(),
        applicability: Applicability::Unsafe,
        edits: vec![TextEdit {
            file: FileRef::Dockerfile,
            range: TextRange::new(start, end),
            new_text: joined.into(),
        }],
        creates: None,
        resolve: None,
    })
}

#[cfg(test)]
mod tests {
    use super::{covers, glob};
    use crate::rules::testing::{check_fix, check_rule, run};

    #[test]
    fn flags_secrets_written_then_deleted_in_a_later_layer() {
        check_rule(
            "DW204",
            concat!(
                "FROM node:22-alpine\n",
                "WORKDIR /app\n",
                "ARG NPM_TOKEN\n",
                "RUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc\n",
                "#                                                          ^^^^^^ DW204 secret-left-in-layer\n",
                "RUN npm ci\n",
                "RUN rm -f .npmrc\n",
                "RUN curl -fsSL -o /tmp/id_rsa https://keys.example.com/deploy\n",
                "#                 ^^^^^^^^^^^ DW204 secret-left-in-layer\n",
                "RUN rm -rf /tmp/*\n",
                "USER node\n",
            ),
        );
    }

    #[test]
    fn same_layer_and_non_secret_files_are_fine() {
        check_rule(
            "DW204",
            concat!(
                "FROM alpine:3.22\n",
                "RUN echo \"$API_TOKEN\" > /tmp/t && use /tmp/t && rm /tmp/t\n",
                "RUN curl -o /tmp/app.tgz https://example.com/app.tgz\n",
                "RUN rm /tmp/app.tgz\n",
                "RUN echo hello > /etc/motd\n",
                "RUN rm /etc/motd\n",
            ),
        );
    }

    #[test]
    fn builder_stages_get_information_only() {
        let d = run(
            "DW204",
            "FROM alpine:3.22 AS build\nRUN ssh-keygen -t ed25519 -N '' -f /root/.ssh/id_ed25519\nRUN rm -r /root/.ssh\nFROM alpine:3.22\nCOPY --from=build /etc/os-release /x\n",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message_id, "secret-left-in-layer.builder");
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Info);
        assert_eq!(d[0].related.len(), 1);
    }

    #[test]
    fn folds_the_runs_into_one_layer() {
        check_fix(
            "DW204",
            "FROM alpine:3.22\nARG NPM_TOKEN\nRUN echo \"$NPM_TOKEN\" > /root/.np$0mrc\nRUN npm ci\nRUN rm /root/.npmrc\n",
            "FROM alpine:3.22\nARG NPM_TOKEN\nRUN (echo \"$NPM_TOKEN\" > /root/.npmrc) \\\n && (npm ci) \\\n && (rm /root/.npmrc)\n",
        );
    }

    #[test]
    fn paths_and_globs() {
        assert!(covers("/tmp/*", "/tmp/id_rsa"));
        assert!(!covers("/tmp/*", "/tmp/a/id_rsa") || covers("/tmp", "/tmp/a/id_rsa"));
        assert!(covers("/root/.ssh", "/root/.ssh/id_rsa"));
        assert!(!covers("/root/.s", "/root/.ssh/id_rsa"));
        assert!(glob(b"/app/*.pem", b"/app/key.pem"));
        assert!(!glob(b"/app/*.pem", b"/app/x/key.pem"));
        assert_eq!(super::absolute("/app", "../etc/./x"), "/etc/x");
        assert_eq!(super::expand_home("~/.npmrc"), "/root/.npmrc");
    }
}
