//! The editor integrations under `editors/` agree with the server: the VS Code extension's settings
//! mirror the server's settings schema (`ClientSettings` in server/src/config.rs), every integration
//! starts the server with the binary's real subcommand, and Helix's `languages.toml` (Helix cannot be
//! installed on the test machines) starts a server that answers `initialize`.
//! The integrations themselves run in real editors in tests/clients/run.sh.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use dockward::config::Config;
use dockward::diagnostic::Severity;
use dockward::messages::Locale;
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The field names of `pub struct NAME { ... }` in Rust source, as written (snake_case).
fn struct_fields(src: &str, name: &str) -> Vec<String> {
    let start = src
        .find(&format!("pub struct {name} {{"))
        .unwrap_or_else(|| panic!("no struct {name}"));
    let body = &src[start..];
    let end = body.find("\n}").expect("end of struct");
    body[..end]
        .lines()
        .skip(1)
        .filter_map(|l| l.trim().strip_prefix("pub "))
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.trim().to_string()))
        .collect()
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn vscode_manifest() -> Value {
    serde_json::from_str(&read("editors/vscode/package.json")).expect("editors/vscode/package.json is JSON")
}

fn vscode_properties() -> serde_json::Map<String, Value> {
    vscode_manifest()["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("contributes.configuration.properties")
        .clone()
}

/// Settings that only the extension reads; the server never sees them.
const EDITOR_ONLY: &[&str] = &["dockward.server.path", "dockward.trace.server"];

#[test]
fn vscode_settings_are_the_servers_settings() {
    let config_rs = read("server/src/config.rs");
    let server: BTreeSet<String> = struct_fields(&config_rs, "ClientSettings")
        .iter()
        .map(|f| format!("dockward.{}", camel(f)))
        .collect();
    assert!(server.len() >= 12, "ClientSettings parsed: {server:?}");
    let props = vscode_properties();
    let extension: BTreeSet<String> = props
        .keys()
        .filter(|k| !EDITOR_ONLY.contains(&k.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        extension, server,
        "editors/vscode/package.json settings must mirror ClientSettings in server/src/config.rs"
    );

    // dockward.registry: the fields of RegistrySettings, and only from the user (machine scope).
    let registry = &props["dockward.registry"];
    let fields: BTreeSet<String> = struct_fields(&config_rs, "RegistrySettings")
        .iter()
        .map(|f| camel(f.as_str()))
        .collect();
    let declared: BTreeSet<String> = registry["properties"]
        .as_object()
        .expect("dockward.registry.properties")
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        declared, fields,
        "dockward.registry properties must mirror RegistrySettings"
    );
    for key in ["dockward.registry", "dockward.server.path"] {
        let scope = props[key]["scope"].as_str().unwrap_or("window");
        assert!(
            scope == "machine" || scope == "application",
            "{key} must never come from a workspace; its scope is {scope}"
        );
    }
    let manifest = vscode_manifest();
    let restricted = &manifest["capabilities"]["untrustedWorkspaces"];
    assert_eq!(restricted["supported"], "limited");
    let list = restricted["restrictedConfigurations"]
        .as_array()
        .expect("restrictedConfigurations");
    assert!(list.contains(&json!("dockward.server.path")));
    assert!(list.contains(&json!("dockward.registry")));
}

/// A value that a user could write for a setting, from its JSON schema.
fn sample(schema: &Value) -> Value {
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null);
    }
    let ty = match &schema["type"] {
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_string(),
        _ => "null".into(),
    };
    match ty.as_str() {
        "string" => json!("runtime"),
        "boolean" => json!(true),
        "number" | "integer" => json!(2.5),
        "array" => match sample(&schema["items"]) {
            // A rule selector is the most common list item.
            Value::String(_) => json!(["DW005"]),
            item => json!([item]),
        },
        "object" => match schema["properties"].as_object() {
            Some(props) => Value::Object(props.iter().map(|(k, s)| (k.clone(), sample(s))).collect()),
            None => {
                let value = sample(&schema["additionalProperties"]);
                json!({ "DW005": value })
            }
        },
        _ => Value::Null,
    }
}

#[test]
fn vscode_settings_deserialize_in_the_server() {
    let props = vscode_properties();
    // The section VS Code hands the server: every setting at its default, then at a sample value.
    let mut defaults = serde_json::Map::new();
    let mut samples = serde_json::Map::new();
    for (key, schema) in &props {
        if EDITOR_ONLY.contains(&key.as_str()) {
            continue;
        }
        let name = key.trim_start_matches("dockward.").to_string();
        defaults.insert(name.clone(), schema["default"].clone());
        samples.insert(name, sample(schema));
    }
    let (config, _) = Config::from_client_json(&Value::Object(defaults)).expect("the defaults are valid settings");
    assert_eq!(
        config,
        Config::default(),
        "the defaults must not override .dockward.toml"
    );
    let (config, client) = Config::from_client_json(&Value::Object(samples.clone())).unwrap_or_else(|e| {
        panic!("sample settings {samples:?} rejected: {e}");
    });
    assert_eq!(config.ignore.as_deref(), Some(&["DW005".to_string()][..]));
    assert_eq!(config.severity.as_ref().map(|s| s["DW005"].as_str()), Some("error"));
    assert!(client.registry.and_then(|r| r.timeout).is_some());
    assert_eq!(client.diagnostic_mode.as_deref(), Some("auto"));

    // Every enumerated value means something to the server.
    let values = |key: &str| -> Vec<String> {
        let s = &props[key];
        s["enum"]
            .as_array()
            .or(s["additionalProperties"]["enum"].as_array())
            .unwrap_or_else(|| panic!("{key} has no enum"))
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    for v in values("dockward.severity") {
        assert!(Severity::parse(&v).is_some(), "severity {v}");
    }
    for v in values("dockward.failLevel") {
        assert!(v == "none" || Severity::parse(&v).is_some(), "failLevel {v}");
    }
    for v in values("dockward.locale") {
        assert!(Locale::from_tag(&v).is_some(), "locale {v}");
    }
    assert_eq!(values("dockward.diagnosticMode"), ["auto", "push", "pull"]);
}

#[test]
fn vscode_manifest_matches_the_extension_code() {
    let manifest = vscode_manifest();
    let source = read("editors/vscode/src/extension.ts");
    let declared: BTreeSet<String> = manifest["contributes"]["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .map(|c| c["command"].as_str().expect("command id").to_string())
        .collect();
    let registered: BTreeSet<String> = source
        .match_indices("registerCommand('")
        .map(|(i, m)| {
            let rest = &source[i + m.len()..];
            rest[..rest.find('\'').expect("quote")].to_string()
        })
        .collect();
    assert_eq!(declared, registered, "commands in package.json and extension.ts");
    for id in ["dockward.restartServer", "dockward.showLog", "dockward.fixAll"] {
        assert!(declared.contains(id), "{id}");
    }
    let events = manifest["activationEvents"].as_array().expect("activationEvents");
    assert!(events.contains(&json!("onLanguage:dockerfile")));
    assert!(
        events
            .iter()
            .any(|e| e.as_str().is_some_and(|e| e.contains(".dockerignore"))),
        "activates in workspaces with .dockerignore files"
    );
    assert!(source.contains("'**/{.dockerignore,*.dockerignore,.containerignore}'"));
    assert!(
        source.contains("SourceFixAll.append('dockward')"),
        "the server's fix-all kind"
    );
    assert!(read("server/src/lsp/actions.rs").contains("\"source.fixAll.dockward\""));
    // Where bundle.sh puts the binary is where the extension looks for it.
    let bundle = read("editors/vscode/scripts/bundle.sh");
    assert!(bundle.contains("PLATFORM=linux-x64") && bundle.contains("DEST=$EXT/server/$PLATFORM"));
    let discovery = read("editors/vscode/src/discovery.ts");
    assert!(discovery.contains("path.join('server', `${platform}-${arch}`, exeName(platform))"));
}

/// The `%key%` placeholders of a manifest value, recursively.
fn nls_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) if s.len() > 2 && s.starts_with('%') && s.ends_with('%') => {
            out.insert(s[1..s.len() - 1].to_string());
        }
        Value::Array(a) => a.iter().for_each(|v| nls_keys(v, out)),
        Value::Object(o) => o.values().for_each(|v| nls_keys(v, out)),
        _ => {}
    }
}

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}

/// The VS Code way to translate an extension: the manifest's texts are `%key%` placeholders filled from
/// `package.nls.json` (English) and `package.nls.<lang>.json`; the code's messages go through
/// `vscode.l10n.t`, translated in `l10n/bundle.l10n.<lang>.json`.
#[test]
fn vscode_extension_is_translated_into_japanese() {
    let manifest = vscode_manifest();
    let mut used = BTreeSet::new();
    nls_keys(&manifest, &mut used);
    let en: serde_json::Map<String, Value> =
        serde_json::from_str(&read("editors/vscode/package.nls.json")).expect("package.nls.json");
    let ja: serde_json::Map<String, Value> =
        serde_json::from_str(&read("editors/vscode/package.nls.ja.json")).expect("package.nls.ja.json");
    let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        keys(&en),
        used,
        "package.nls.json holds exactly the manifest's placeholders"
    );
    assert_eq!(keys(&ja), used, "package.nls.ja.json translates every placeholder");
    for (k, v) in &ja {
        assert!(has_japanese(v.as_str().unwrap()), "{k} is not translated: {v}");
    }
    // Every description and title of the settings and commands is a placeholder.
    for (name, schema) in vscode_properties() {
        for f in ["description", "markdownDescription"] {
            if let Some(d) = schema.get(f) {
                assert!(d.as_str().unwrap().starts_with('%'), "{name}.{f} is not translatable");
            }
        }
    }
    for c in manifest["contributes"]["commands"].as_array().unwrap() {
        assert!(c["title"].as_str().unwrap().starts_with('%'), "{c}");
    }
    // The code's messages: every `vscode.l10n.t('...')` has its Japanese translation.
    assert_eq!(manifest["l10n"], "./l10n");
    let bundle: serde_json::Map<String, Value> =
        serde_json::from_str(&read("editors/vscode/l10n/bundle.l10n.ja.json")).expect("bundle.l10n.ja.json");
    let source = read("editors/vscode/src/extension.ts");
    let called: BTreeSet<String> = source
        .match_indices("vscode.l10n.t('")
        .map(|(i, m)| {
            let rest = &source[i + m.len()..];
            rest[..rest.find('\'').expect("quote")].to_string()
        })
        .collect();
    assert!(called.len() >= 8, "{called:?}");
    assert_eq!(
        called,
        keys(&bundle),
        "l10n/bundle.l10n.ja.json translates exactly the code's messages"
    );
    for (k, v) in &bundle {
        let v = v.as_str().unwrap();
        assert!(has_japanese(v), "{k} is not translated: {v}");
        for p in ["{0}", "{1}"] {
            assert_eq!(k.contains(p), v.contains(p), "{k}: placeholder {p}");
        }
    }
    // The user-facing messages of extension.ts are all translated (log lines stay English).
    for m in ["showInformationMessage('", "showErrorMessage('", "showWarningMessage('"] {
        assert!(!source.contains(m), "an untranslated {m}");
    }
}

/// `["lsp"]` as every integration writes the server's arguments.
#[test]
fn every_editor_starts_the_lsp_subcommand() {
    let cases = [
        ("editors/neovim/lsp/dockward.lua", "cmd = { 'dockward', 'lsp' }"),
        ("editors/neovim/lua/dockward.lua", "cmd = { 'dockward', 'lsp' }"),
        ("editors/emacs/dockward.el", "'(\"dockward\" \"lsp\")"),
        ("editors/vscode/src/extension.ts", "args: ['lsp']"),
    ];
    for (file, needle) in cases {
        assert!(
            read(file).contains(needle),
            "{file} should start the server with {needle}"
        );
    }
    let help = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(["lsp", "--help"])
        .output()
        .expect("run dockward lsp --help");
    assert!(help.status.success(), "dockward lsp --help: {help:?}");
    assert!(String::from_utf8_lossy(&help.stdout).contains("stdio"));
}

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads LSP messages from the server's stdout until the response with `id`.
fn read_response(out: &mut impl BufRead, id: i64) -> Value {
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            assert!(
                out.read_line(&mut line).expect("read header") > 0,
                "server closed stdout"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; len.expect("Content-Length")];
        out.read_exact(&mut body).expect("read body");
        let msg: Value = serde_json::from_slice(&body).expect("JSON body");
        if msg["id"] == json!(id) && msg.get("method").is_none() {
            return msg;
        }
    }
}

/// Starts `command args` from an editor configuration, initializes it, shuts it down; returns the
/// initialize result.
fn handshake(command: &Path, args: &[String]) -> Value {
    let mut child = Command::new(command)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = BufReader::new(stdout);
        let init = read_response(&mut out, 1);
        let shutdown = read_response(&mut out, 2);
        let _ = tx.send((init, shutdown));
    });
    let msgs = [
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {}, "processId": null, "rootUri": null } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }),
        json!({ "jsonrpc": "2.0", "method": "exit", "params": null }),
    ];
    for m in &msgs {
        stdin.write_all(&frame(m)).expect("write to the server");
    }
    stdin.flush().expect("flush");
    let (init, shutdown) = rx.recv_timeout(Duration::from_secs(30)).expect("answers within 30 s");
    drop(stdin);
    let status = child.wait().expect("the server exits");
    assert!(status.success(), "exit status after shutdown and exit: {status}");
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    init["result"].clone()
}

#[test]
fn helix_languages_toml_starts_dockward() {
    let text = read("editors/helix/languages.toml");
    let doc: toml::Table = toml::from_str(&text).expect("editors/helix/languages.toml parses");
    let server = &doc["language-server"]["dockward"];
    assert_eq!(server["command"].as_str(), Some("dockward"));
    let args: Vec<String> = server["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("string arg").to_string())
        .collect();
    assert_eq!(args, ["lsp"]);
    assert!(
        server.get("config").and_then(|c| c.get("dockward")).is_some(),
        "config.dockward section"
    );

    let languages = doc["language"].as_array().expect("[[language]]");
    let language = |name: &str| {
        languages
            .iter()
            .find(|l| l["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no language {name}"))
    };
    let servers = |name: &str| -> Vec<String> {
        language(name)["language-servers"]
            .as_array()
            .expect("language-servers")
            .iter()
            .map(|s| s.as_str().expect("server name").to_string())
            .collect()
    };
    let dockerfile = servers("dockerfile");
    assert!(dockerfile.contains(&"dockward".to_string()), "{dockerfile:?}");
    assert!(
        dockerfile.contains(&"docker-langserver".to_string()),
        "keeps Helix's own server: {dockerfile:?}"
    );
    assert_eq!(servers("dockerignore"), ["dockward"]);
    let globs: Vec<&str> = language("dockerignore")["file-types"]
        .as_array()
        .expect("file-types")
        .iter()
        .filter_map(|t| t.get("glob").and_then(|g| g.as_str()))
        .collect();
    for g in [".dockerignore", "*.dockerignore"] {
        assert!(globs.contains(&g), "dockerignore file-types: {globs:?}");
    }

    // The command line Helix would run, with the binary under test for `dockward`: it is a language
    // server that answers initialize and exits cleanly.
    let result = handshake(Path::new(env!("CARGO_BIN_EXE_dockward")), &args);
    assert_eq!(result["serverInfo"]["name"], "dockward", "{result}");
    assert!(result["capabilities"]["codeActionProvider"].is_object(), "{result}");
}
