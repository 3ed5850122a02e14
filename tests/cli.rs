//! The real `dockward` binary: output formats, exit codes, fixes, bad input, and the `rule` command.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dockward"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run dockward")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli").join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

const TODAY: &str = "--today=2026-11-28";

#[test]
fn human_output_on_the_demo() {
    let o = run(&["check", "fixtures/demo", TODAY]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("human_demo", stdout(&o));
}

#[test]
fn human_output_in_japanese_aligns_under_wide_characters() {
    let d = scratch("ja");
    fs::write(
        d.join("Dockerfile"),
        "FROM alpine:3.24\nLABEL 説明=\"日本語😀\" 版 ok\n",
    )
    .unwrap();
    let o = bin()
        .args(["check", d.join("Dockerfile").to_str().unwrap(), TODAY, "--lang", "ja"])
        .output()
        .unwrap();
    let out = stdout(&o).replace(d.to_str().unwrap(), "<tmp>");
    assert!(out.contains("`版` に `=` がありません"), "{out}");
    insta::assert_snapshot!("human_ja_wide", out);
}

#[test]
fn json_output_has_one_based_positions() {
    let o = run(&["check", "fixtures/demo", TODAY, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let arr = v.as_array().unwrap();
    assert!(!arr.is_empty());
    for d in arr {
        for k in [
            "path",
            "code",
            "name",
            "severity",
            "message",
            "line",
            "column",
            "endLine",
            "endColumn",
            "fixes",
        ] {
            assert!(d.get(k).is_some(), "missing {k} in {d}");
        }
        assert!(d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1);
    }
    let chonw = arr.iter().find(|d| d["code"] == "DW003").unwrap();
    assert_eq!(
        (
            chonw["line"].as_u64(),
            chonw["column"].as_u64(),
            chonw["endColumn"].as_u64()
        ),
        (Some(7), Some(8), Some(13))
    );
    insta::assert_snapshot!("json_demo", stdout(&o));
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif/sarif-schema-2.1.0.json"))
        .unwrap();
    // The published schema's `run.language` pattern has a stray `]` that ECMAScript reads as a literal
    // and Rust's regex engine rejects; escape it (same meaning) so that the schema compiles.
    let text = text.replace(r#"[a-zA-Z]{2}]?$"#, r#"[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    for target in ["fixtures/demo", "fixtures/rules"] {
        let o = run(&["check", target, TODAY, "--format", "sarif"]);
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "SARIF for {target} is invalid:\n{}",
            errors.join("\n")
        );
        assert_eq!(doc["version"], "2.1.0");
        assert!(!doc["runs"][0]["results"].as_array().unwrap().is_empty());
    }
    let o = run(&["check", "fixtures/demo", TODAY, "--format", "sarif"]);
    insta::assert_snapshot!("sarif_demo", stdout(&o));
}

#[test]
fn exit_codes_follow_the_fail_level() {
    let d = scratch("exit");
    fs::write(d.join("Dockerfile"), "FROM alpine:3.24\nRUN apk add curl \\\n\n  jq\n").unwrap();
    let p = d.join("Dockerfile");
    let p = p.to_str().unwrap();
    assert_eq!(
        run(&["check", p, TODAY]).status.code(),
        Some(1),
        "a warning fails at the default level"
    );
    assert_eq!(
        run(&["check", p, TODAY, "--fail-level", "error"]).status.code(),
        Some(0)
    );
    assert_eq!(run(&["check", p, TODAY, "--fail-level", "none"]).status.code(), Some(0));
    fs::write(
        d.join("Dockerfile"),
        "FROM alpine:3.24\nRUN apk add curl jq\nUSER 10001\n",
    )
    .unwrap();
    let clean = run(&["check", p, TODAY]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(stdout(&clean).contains("No problems found in 1 file"));
    assert_eq!(run(&["check", "--no-such-flag"]).status.code(), Some(2));
    let bad_date = run(&["check", p, "--today", "2026-13-01"]);
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(stderr(&bad_date).contains("YYYY-MM-DD"));
    assert_eq!(run(&["check", p, "--lang", "fr"]).status.code(), Some(2));
}

#[test]
fn bad_input_is_reported_and_the_rest_still_runs() {
    let d = scratch("bad");
    fs::create_dir_all(d.join("empty")).unwrap();
    fs::create_dir_all(d.join("ok")).unwrap();
    fs::write(d.join("ok/Dockerfile"), "FROM alpine:3.24\nRNU x\n").unwrap();
    fs::write(d.join("binary.Dockerfile"), b"FROM a\0\x01\x02").unwrap();
    fs::write(d.join("latin1.Dockerfile"), b"FROM alpine:3.24\nLABEL a=\"caf\xe9\"\n").unwrap();
    let s = |p: &str| d.join(p).to_string_lossy().into_owned();
    let o = run(&[
        "check",
        &s("missing"),
        &s("empty"),
        &s("ok"),
        &s("binary.Dockerfile"),
        &s("latin1.Dockerfile"),
        TODAY,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(2), "IO problems exit with 2");
    let err = stderr(&o);
    assert!(err.contains("missing: no such file or directory"), "{err}");
    assert!(err.contains("empty: no Dockerfile found"), "{err}");
    assert!(
        err.contains("binary.Dockerfile: skipped: it looks like a binary file"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"DW002"), "the good file is still checked: {codes:?}");
    assert!(
        codes.contains(&"DW007"),
        "invalid UTF-8 is decoded with a diagnostic: {codes:?}"
    );
}

#[test]
fn a_ten_megabyte_file_is_checked() {
    let d = scratch("big");
    let mut text = String::from("FROM alpine:3.24\n");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("RUN echo \"a reasonably long line of shell to make the file large\" && true\n");
    }
    text.push_str("USER 10001\n");
    fs::write(d.join("Dockerfile"), &text).unwrap();
    let started = std::time::Instant::now();
    let o = run(&["check", d.join("Dockerfile").to_str().unwrap(), TODAY]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A bound against pathological slowness in a debug build on a busy machine, not a benchmark.
    assert!(started.elapsed().as_secs() < 90, "took {:?}", started.elapsed());
}

#[test]
fn fix_applies_safe_fixes_and_unsafe_ones_on_request() {
    let d = scratch("fix");
    let p = d.join("Dockerfile");
    let src = "FROM alpine:3.24\nCOPY --chonw=1 a /a\nRUN apk add \\\n\n  curl\nUSER 10001\n";
    fs::write(&p, src).unwrap();
    let o = run(&["check", p.to_str().unwrap(), TODAY, "--fix"]);
    assert_eq!(
        fs::read_to_string(&p).unwrap(),
        "FROM alpine:3.24\nCOPY --chonw=1 a /a\nRUN apk add \\\n  curl\nUSER 10001\n",
        "only the safe fix"
    );
    assert!(stdout(&o).contains("Fixed 1 problem."), "{}", stdout(&o));
    assert_eq!(o.status.code(), Some(1), "the unknown flag remains");
    let o = run(&["check", p.to_str().unwrap(), TODAY, "--fix", "--unsafe-fixes"]);
    assert_eq!(
        fs::read_to_string(&p).unwrap(),
        "FROM alpine:3.24\nCOPY --chown=1 a /a\nRUN apk add \\\n  curl\nUSER 10001\n"
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Nothing left to fix: the file is not rewritten.
    let before = fs::metadata(&p).unwrap().modified().unwrap();
    run(&["check", p.to_str().unwrap(), TODAY, "--fix", "--unsafe-fixes"]);
    assert_eq!(fs::metadata(&p).unwrap().modified().unwrap(), before);
}

#[test]
fn project_file_configures_the_check_and_flags_override_it() {
    let d = scratch("project");
    fs::create_dir_all(d.join("docker")).unwrap();
    fs::write(
        d.join(".dockward.toml"),
        "ignore = [\"DW002\"]\nfail-level = \"error\"\nlocale = \"ja\"\n[severity]\nDW005 = \"error\"\n",
    )
    .unwrap();
    fs::write(
        d.join("docker/Dockerfile"),
        "FROM alpine:3.24\nRNU x\nRUN a \\\n\n  b\nUSER 10001\n",
    )
    .unwrap();
    let p = d.join("docker/Dockerfile");
    let p = p.to_str().unwrap();
    let o = run(&["check", p, TODAY, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let found: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        vec![("DW005", "error")],
        "DW002 ignored, DW005 raised to error by the project file"
    );
    assert!(
        v[0]["message"].as_str().unwrap().contains("空行"),
        "locale from the project file"
    );
    assert_eq!(o.status.code(), Some(1));
    // Command-line options win over the project file.
    let o = run(&[
        "check",
        p,
        TODAY,
        "--format",
        "json",
        "--lang",
        "en",
        "--select",
        "DW002",
        "--fail-level",
        "none",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["code"], "DW002");
    assert!(
        v[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("`RNU` is not a Dockerfile instruction"),
        "--lang beats the project file's locale"
    );
    assert_eq!(o.status.code(), Some(0));
    // A broken project file is reported, and the check goes on with defaults.
    fs::write(d.join(".dockward.toml"), "selct = 1\n").unwrap();
    let o = run(&["check", p, TODAY]);
    assert!(stderr(&o).contains("selct"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn rule_command_prints_docs() {
    let o = run(&["rule", "DW001"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.starts_with("# DW001 syntax-error")
            && out.contains("## What it does")
            && out.contains("## Why is this bad?")
    );
    assert_eq!(stdout(&run(&["rule", "syntax-error"])), out, "by name too");
    let all = stdout(&run(&["rule", "--all"]));
    for r in dockward::rules::RULES {
        assert!(all.contains(r.code) && all.contains(r.name));
    }
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(&["rule", "--all", "--json"]))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), dockward::rules::RULES.len());
    let o = run(&["rule", "DW999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no rule `DW999`"));
}

#[test]
fn rule_command_speaks_japanese() {
    let o = run(&["rule", "DW101", "--lang", "ja"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // The Japanese summary and sections first, then the English examples and references.
    let pos = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s:?} missing in:\n{out}"));
    assert!(pos("最終ステージが root で実行されます。") < pos("## 検出内容"));
    assert!(pos("## 対処法") < pos("## Example") && pos("## Example") < pos("## References"));
    assert!(!out.contains("## What it does") && !out.contains("## 日本語"), "{out}");
    insta::assert_snapshot!("rule_DW101_ja", out);
    // The language comes from LANG too, and `--lang` wins over it.
    let from_env = bin()
        .args(["rule", "DW101"])
        .env("LANG", "ja_JP.UTF-8")
        .output()
        .unwrap();
    assert_eq!(stdout(&from_env), out);
    let en = bin()
        .args(["rule", "DW101", "--lang", "en"])
        .env("LC_ALL", "ja_JP.UTF-8")
        .output()
        .unwrap();
    assert!(stdout(&en).contains("## What it does") && !stdout(&en).contains("## 検出内容"));
    // The list: Japanese headers and summaries, columns aligned by display width.
    let all = stdout(&run(&["rule", "--all", "--lang", "ja"]));
    let mut lines = all.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("コード  名前"), "{header}");
    let first = lines.next().unwrap();
    assert!(first.starts_with("DW001   syntax-error"), "{first}");
    let column = |l: &str, s: &str| dockward::cli::width::str_width(&l[..l.find(s).unwrap()], 8);
    assert_eq!(column(header, "概要"), column(first, "Docker の"), "{header}\n{first}");
    assert!(all.contains("Docker の Dockerfile パーサーがファイルを受け付けません。"));
    // JSON keeps the English fields whatever the language, with the Japanese beside them.
    let json = |args: &[&str], lang: &str| -> serde_json::Value {
        let o = bin().args(args).env("LANG", lang).output().unwrap();
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let v = json(&["rule", "DW101", "--json"], "ja_JP.UTF-8");
    assert_eq!(
        v,
        json(&["rule", "DW101", "--json"], "C"),
        "JSON does not depend on LANG"
    );
    assert_eq!(v["summary"], "The final stage runs as root.");
    assert_eq!(v["summary_ja"], "最終ステージが root で実行されます。");
    assert!(v["doc"].as_str().unwrap().contains("## Why is this bad?"));
    assert!(!v["doc"].as_str().unwrap().contains("日本語"));
    assert!(v["doc_ja"].as_str().unwrap().contains("## なぜ問題か"));
    // An unknown rule and an unknown language, in Japanese and in English.
    let o = run(&["rule", "DW999", "--lang", "ja"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ルール `DW999` はありません"), "{}", stderr(&o));
    let o = run(&["rule", "DW101", "--lang", "fr"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("dockward speaks en and ja"), "{}", stderr(&o));
}

#[test]
fn locale_precedence_on_the_command_line() {
    // --lang, then the project file's `locale`, then LC_ALL/LC_MESSAGES/LANG, then English.
    let d = scratch("locale-precedence");
    fs::write(d.join("Dockerfile"), "FROM alpine:3.24\nRNU x\nUSER 10001\n").unwrap();
    let p = d.join("Dockerfile");
    let p = p.to_str().unwrap();
    let check = |extra: &[&str], env: &[(&str, &str)]| -> String {
        let mut c = bin();
        c.args(["check", p, TODAY]).args(extra);
        for (k, v) in env {
            c.env(k, v);
        }
        stdout(&c.output().unwrap())
    };
    let (ja, en) = (
        "1 ファイルで 1 件の問題が見つかりました",
        "Found 1 problem (1 error) in 1 file.",
    );
    assert!(check(&[], &[]).contains(en), "English by default");
    assert!(check(&[], &[("LANG", "ja_JP.UTF-8")]).contains(ja));
    assert!(
        check(&[], &[("LANG", "en_US.UTF-8"), ("LC_ALL", "ja_JP.UTF-8")]).contains(ja),
        "LC_ALL first"
    );
    assert!(
        check(&[], &[("LANG", "ja_JP.UTF-8"), ("LC_MESSAGES", "C")]).contains(en),
        "LC_MESSAGES before LANG"
    );
    assert!(
        check(&["--lang", "en"], &[("LANG", "ja_JP.UTF-8")]).contains(en),
        "--lang beats the environment"
    );
    fs::write(d.join(".dockward.toml"), "locale = \"ja\"\n").unwrap();
    let out = check(&[], &[("LANG", "en_US.UTF-8")]);
    assert!(out.contains(ja), "the project file beats the environment: {out}");
    assert!(out.contains("= ヘルプ:"), "labels follow: {out}");
    assert!(
        check(&["--lang", "en"], &[]).contains(en),
        "--lang beats the project file"
    );
    fs::write(d.join(".dockward.toml"), "locale = \"en\"\n").unwrap();
    assert!(check(&[], &[("LANG", "ja_JP.UTF-8")]).contains(en));
    assert!(check(&["--lang", "ja"], &[]).contains(ja));
}

#[test]
fn errors_warnings_and_fmt_speak_japanese() {
    let o = run(&["check", "fixtures/demo", "--today=tomorrow", "--lang", "ja"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("エラー: --today \"tomorrow\" は YYYY-MM-DD 形式の日付ではありません"),
        "{}",
        stderr(&o)
    );
    let d = scratch("warnings-ja");
    fs::write(d.join("Dockerfile"), "FROM alpine:3.24\nuser 10001\n").unwrap();
    fs::write(
        d.join(".dockward.toml"),
        "locale = \"ja\"\n[severity]\nDW001 = \"loud\"\n",
    )
    .unwrap();
    let p = d.join("Dockerfile");
    let p = p.to_str().unwrap();
    // The project file's `locale` words the warnings about the project file.
    let o = run(&["check", p, TODAY]);
    assert!(stderr(&o).contains("警告: `DW001` の重大度"), "{}", stderr(&o));
    let o = run(&["check", p, TODAY, "--select", "DW9XX", "--lang", "ja"]);
    let err = stderr(&o);
    assert!(err.contains("警告: `DW9XX` に一致するルールはありません"), "{err}");
    assert!(
        err.contains("警告: `DW001` の重大度: `loud` は error、warning、info、hint のいずれでもありません"),
        "{err}"
    );
    let o = run(&["fmt", "--check", p, "--lang", "ja"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1 個のファイルのうち 1 個は整形が必要です。"),
        "{}",
        stdout(&o)
    );
    assert!(!stderr(&o).contains("warning:"), "{}", stderr(&o));
}

#[test]
fn digest_failures_are_reported_in_the_users_language() {
    // A registry that refuses connections: nothing listens on port 9 of localhost.
    let d = scratch("digest-ja");
    fs::write(d.join("Dockerfile"), "FROM node:22\nUSER node\n").unwrap();
    let p = d.join("Dockerfile");
    let o = bin()
        .args(["check", p.to_str().unwrap(), TODAY, "--extend-select", "DW104", "--fix"])
        .args(["--resolve-digests", "--registry-mirror", "docker.io=http://127.0.0.1:9"])
        .args(["--lang", "ja", "--fail-level", "none"])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(
        err.contains("警告: ")
            && err.contains("node:22 をダイジェストに固定できませんでした: 127.0.0.1:9 に接続できませんでした"),
        "{err}"
    );
    assert!(!err.contains("could not"), "{err}");
}

#[test]
fn version_names_the_data_dates() {
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let v = stdout(&o);
    assert!(v.starts_with(&format!("dockward {}", env!("CARGO_PKG_VERSION"))), "{v}");
    assert!(
        v.contains("official images: 2026-08-21") && v.contains("end-of-life data: 2026-08-22"),
        "{v}"
    );
}

#[test]
fn specific_ignore_file_wins_over_the_context_one() {
    use dockward::cli::discover::ignore_file_for;
    let d = scratch("ignore");
    fs::write(d.join("Dockerfile"), "FROM a\n").unwrap();
    fs::write(d.join("api.Dockerfile"), "FROM a\n").unwrap();
    fs::write(d.join(".dockerignore"), ".git\n").unwrap();
    fs::write(d.join("api.Dockerfile.dockerignore"), ".env\n").unwrap();
    assert_eq!(
        ignore_file_for(&d.join("api.Dockerfile"), &d),
        Some(d.join("api.Dockerfile.dockerignore"))
    );
    assert_eq!(
        ignore_file_for(&d.join("Dockerfile"), &d),
        Some(d.join(".dockerignore"))
    );
    let other = scratch("ignore-none");
    assert_eq!(ignore_file_for(&other.join("Dockerfile"), &other), None);
}

#[test]
fn directories_are_searched_for_dockerfile_names() {
    let d = scratch("find");
    for f in [
        "Dockerfile",
        "Containerfile",
        "web.Dockerfile",
        "Dockerfile.dev",
        "Dockerfile.dockerignore",
        "README.md",
        "node_modules/x/Dockerfile",
    ] {
        let p = d.join(f);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, "FROM alpine:3.24\n").unwrap();
    }
    let found = dockward::cli::discover::find(std::slice::from_ref(&d));
    let names: Vec<String> = found
        .files
        .iter()
        .map(|p| p.strip_prefix(&d).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["Containerfile", "Dockerfile", "Dockerfile.dev", "web.Dockerfile"]
    );
}

#[cfg(unix)]
#[test]
fn context_scan_does_not_follow_symlinks() {
    use dockward::EntryKind;
    let d = scratch("symlink");
    let outside = scratch("symlink-outside");
    fs::write(outside.join("secret.env"), "TOKEN=x").unwrap();
    fs::create_dir_all(d.join("src")).unwrap();
    fs::write(d.join("src/app.py"), "").unwrap();
    std::os::unix::fs::symlink(&outside, d.join("linked")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.env"), d.join(".env")).unwrap();
    let ctx = dockward::cli::discover::scan_context(&d);
    let listed: Vec<(&str, EntryKind)> = ctx.entries.iter().map(|e| (e.path.as_str(), e.kind)).collect();
    assert_eq!(
        listed,
        vec![
            (".env", EntryKind::Symlink),
            ("linked", EntryKind::Symlink),
            ("src", EntryKind::Dir),
            ("src/app.py", EntryKind::File)
        ]
    );
    assert!(ctx.complete);
}

/// Writes `files` (path → content) under `dir`, creating folders.
fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let p = dir.join(p);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

fn json_findings(o: &Output) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&stdout(o))
        .unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
        .as_array()
        .unwrap()
        .clone()
}

#[cfg(unix)]
#[test]
fn sensitive_files_of_a_real_context_are_reported_and_the_ignore_file_is_created() {
    let d = scratch("exposure");
    let outside = scratch("exposure-outside");
    write_tree(
        &outside,
        &[("id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----"), ("creds/.env", "X=1")],
    );
    write_tree(
        &d,
        &[
            (
                "Dockerfile",
                "FROM python:3.13-slim\nCOPY requirements.txt .\nCOPY . /srv\nUSER 10001\n",
            ),
            ("requirements.txt", "flask\n"),
            ("app/main.py", ""),
            (".env", "SECRET=1"),
            ("config/.env.local", "X=1"),
            (".git/HEAD", "ref: refs/heads/main"),
        ],
    );
    // Links to files outside the context are sent as links: never followed, never reported.
    std::os::unix::fs::symlink(outside.join("id_rsa"), d.join("id_rsa")).unwrap();
    std::os::unix::fs::symlink(outside.join("creds"), d.join("creds")).unwrap();
    let df = d.join("Dockerfile");
    let df = df.to_str().unwrap();
    let o = run(&["check", df, TODAY, "--select", "DW3", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found = json_findings(&o);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0]["code"].as_str(), found[0]["severity"].as_str()),
        (Some("DW301"), Some("error"))
    );
    let msg = found[0]["message"].as_str().unwrap();
    assert!(msg.contains("(`.env`, `.git`, `config/.env.local`)"), "{msg}");
    assert!(!msg.contains("id_rsa") && !msg.contains("creds"), "{msg}");
    // `--fix` alone leaves the unsafe creation; with `--unsafe-fixes` the ignore file is created, fitted to
    // the Python project, and the context is clean.
    run(&["check", df, TODAY, "--select", "DW3", "--fix"]);
    assert!(!d.join(".dockerignore").exists());
    let o = run(&["check", df, TODAY, "--select", "DW3", "--fix", "--unsafe-fixes"]);
    let created = fs::read_to_string(d.join(".dockerignore")).expect("created");
    assert!(created.contains("**/__pycache__\n") && created.contains("**/.env*\n") && created.contains(".git\n"));
    assert!(!created.contains("node_modules"), "{created}");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // The ignore file's own findings are reported on it, once, with their fixes.
    fs::write(d.join(".dockerignore"), format!("{created}coverage   # test reports\n")).unwrap();
    let o = run(&["check", df, TODAY, "--select", "DW3", "--format", "json"]);
    let found = json_findings(&o);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["code"], "DW305");
    assert!(
        found[0]["path"].as_str().unwrap().ends_with(".dockerignore"),
        "{}",
        found[0]
    );
}

#[test]
fn a_copy_of_an_ignored_file_is_reported_across_the_two_files() {
    let d = scratch("ignored-copy");
    write_tree(
        &d,
        &[
            (
                "web.Dockerfile",
                "FROM nginx:1.29-alpine\nCOPY dist/ /usr/share/nginx/html/\nUSER nginx\n",
            ),
            ("web.Dockerfile.dockerignore", "**/dist\n"),
            (".dockerignore", ".git\n"),
            ("dist/index.html", "<html></html>"),
        ],
    );
    let df = d.join("web.Dockerfile");
    let o = run(&["check", df.to_str().unwrap(), TODAY, "--select", "DW302"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("line 1 of .dockerignore (`**/dist`)"), "{out}");
    let o = run(&[
        "check",
        df.to_str().unwrap(),
        TODAY,
        "--select",
        "DW302",
        "--fix",
        "--unsafe-fixes",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(
        fs::read_to_string(d.join("web.Dockerfile.dockerignore")).unwrap(),
        "**/dist\n!dist\n"
    );
    assert_eq!(
        fs::read_to_string(d.join(".dockerignore")).unwrap(),
        ".git\n",
        "the specific file was edited"
    );
}

#[test]
fn a_hundred_thousand_file_context_is_scanned_within_bounds() {
    use dockward::cli::discover::{scan_context_pruned, scan_context_with};
    // The tree is built once per target directory (mostly hard links: one system call each) and reused
    // by later runs.
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli").join("bounds");
    let done = d.join("node_modules/.complete");
    if !done.exists() {
        let _ = fs::remove_dir_all(&d);
        for i in 0..1000 {
            let dir = d.join(format!("node_modules/pkg{i:04}"));
            fs::create_dir_all(&dir).unwrap();
            let first = dir.join("f000.js");
            fs::write(&first, "").unwrap();
            for j in 1..100 {
                fs::hard_link(&first, dir.join(format!("f{j:03}.js"))).unwrap();
            }
        }
        fs::write(&done, "").unwrap();
    }
    let _ = fs::remove_file(d.join(".dockerignore"));
    write_tree(
        &d,
        &[
            ("Dockerfile", "FROM node:22-alpine\nCOPY . /app\nUSER node\n"),
            (".env", "X=1"),
        ],
    );
    let started = std::time::Instant::now();
    // A bound smaller than the tree: the scan stops, says so, and still lists the root first.
    let small = scan_context_with(&d, None, 50_000, std::time::Duration::from_secs(30));
    assert!(!small.complete);
    assert_eq!(small.entries.len(), 50_000);
    assert!(small.entries.iter().any(|e| e.path == ".env"));
    // The ignore file prunes the excluded tree: the scan is complete and small.
    let pruned = scan_context_pruned(&d, Some("**/node_modules\n"));
    assert!(pruned.complete);
    assert_eq!(pruned.pruned, vec!["node_modules".to_string()]);
    assert_eq!(pruned.entries.len(), 3, "{:?}", pruned.entries);
    fs::write(d.join(".dockerignore"), "**/node_modules\n").unwrap();
    let o = run(&[
        "check",
        d.join("Dockerfile").to_str().unwrap(),
        TODAY,
        "--select",
        "DW301",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("`.env`"), "{}", stdout(&o));
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
}

/// Checking files on several threads gives the report of one thread, byte for byte, in every format
/// (ignore files shared by several Dockerfiles included), and the same exit code.
#[test]
fn parallel_checks_give_the_report_of_one_thread() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/corpus/docker-library+python");
    for format in ["json", "human", "sarif"] {
        let args = |jobs: &'static str| {
            vec![
                "check",
                "--jobs",
                jobs,
                "--format",
                format,
                "--today",
                "2026-11-28",
                corpus,
                "fixtures/rules",
            ]
        };
        let one = run(&args("1"));
        let many = run(&args("4"));
        assert!(!stdout(&one).is_empty(), "{format}: no report");
        assert_eq!(stdout(&one), stdout(&many), "{format}: reports differ");
        assert_eq!(stderr(&one), stderr(&many), "{format}: warnings differ");
        assert_eq!(one.status.code(), many.status.code(), "{format}: exit codes differ");
    }
}

/// A directory search answers project-file and ignore-file lookups from the directories it read: the
/// answers must be those the file system gives (nearest regular `.dockward.toml`, links ignored; the
/// ignore file beside the Dockerfile before the context's one), for files found by the search and for a
/// file named through a linked directory.
#[test]
fn a_directory_search_finds_the_same_project_and_ignore_files_as_the_file_system() {
    let d = scratch("walk-listings");
    let write = |rel: &str, text: &str| {
        let p = d.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    let dockerfile = "FROM alpine:3.24\nRNU x\nUSER 10001\n";
    // Above the searched folder: DW002 (unknown instruction) is ignored everywhere below...
    write(".dockward.toml", "ignore = [\"DW002\"]\n");
    write("repo/a/Dockerfile", dockerfile);
    write("repo/a/.dockerignore", "[\n");
    // ...except in b, whose own project file is the nearest.
    write("repo/b/.dockward.toml", "select = [\"DW002\", \"DW303\"]\n");
    write("repo/b/Dockerfile", dockerfile);
    write("repo/b/Dockerfile.dockerignore", "[\n");
    write("repo/b/.dockerignore", ".git\n");
    // In c, the project file and the ignore file are links: neither is read.
    write("outside/select.toml", "select = [\"DW002\"]\n");
    write("outside/ignore", "[\n");
    write("repo/c/Dockerfile", dockerfile);
    std::os::unix::fs::symlink(d.join("outside/select.toml"), d.join("repo/c/.dockward.toml")).unwrap();
    std::os::unix::fs::symlink(d.join("outside/ignore"), d.join("repo/c/.dockerignore")).unwrap();
    std::os::unix::fs::symlink(d.join("repo/b"), d.join("alias")).unwrap();
    let findings = |args: &[&str]| -> Vec<(String, String)> {
        let o = bin()
            .args(["check", "--format", "json", "--fail-level", "none", TODAY])
            .args(args)
            .current_dir(&d)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let mut got: Vec<(String, String)> = v
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| ["DW002", "DW303"].contains(&f["code"].as_str().unwrap()))
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        got.sort();
        got
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect()
    };
    assert_eq!(
        findings(&["repo"]),
        pairs(&[
            ("repo/a/.dockerignore", "DW303"),
            ("repo/b/Dockerfile", "DW002"),
            ("repo/b/Dockerfile.dockerignore", "DW303"),
        ])
    );
    // The same answers for files named one by one, and through the linked directory.
    assert_eq!(
        findings(&["repo/a/Dockerfile", "repo/c/Dockerfile", "alias/Dockerfile"]),
        pairs(&[
            ("alias/Dockerfile", "DW002"),
            ("alias/Dockerfile.dockerignore", "DW303"),
            ("repo/a/.dockerignore", "DW303"),
        ])
    );
}

/// `--fix` creates the ignore file once for the Dockerfiles of a folder: the second one finds the file the
/// first one's fix wrote (the directory search's listings, made before, do not hold it).
#[test]
fn an_ignore_file_created_by_a_fix_is_found_by_the_next_dockerfile() {
    let d = scratch("fix-shared-ignore");
    fs::write(d.join("Dockerfile"), "FROM alpine:3.24\nCOPY . /app\nUSER 10001\n").unwrap();
    fs::write(d.join("api.Dockerfile"), "FROM alpine:3.24\nCOPY . /srv\nUSER 10001\n").unwrap();
    fs::write(d.join(".env"), "SECRET=1\n").unwrap();
    let o = bin()
        .args(["check", "--fix", "--unsafe-fixes", TODAY, "."])
        .current_dir(&d)
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(out.contains("Fixed 1 problem."), "{out}");
    assert!(
        fs::read_to_string(d.join(".dockerignore"))
            .unwrap()
            .contains("**/.env*")
    );
    assert_eq!(o.status.code(), Some(0), "{out}");
}
