//! The language server end to end, in process: a scripted client talks to `lsp::serve` over channels,
//! exactly the messages a real editor would send. JSON snapshots pin the protocol surface.

#[path = "support/lsp_client.rs"]
mod lsp_client;
mod support;

use lsp_client::*;

use std::fs;

use dockward::lsp::Incoming;
use lsp_server::{Message, Request, RequestId, Response};
use serde_json::{Value, json};

#[test]
fn initialize_result_for_two_kinds_of_client() {
    let mut c = Client::start();
    let r = c.initialize(vscode_caps(), "file:///tmp/none");
    insta::assert_json_snapshot!("initialize_vscode", r["result"]);
    assert_eq!(c.finish(), 0);
    let mut c = Client::start();
    let r = c.initialize(minimal_caps(), "file:///tmp/none");
    insta::assert_json_snapshot!("initialize_minimal", r["result"]);
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], "utf-8");
    assert!(
        r["result"]["capabilities"].get("diagnosticProvider").is_none(),
        "push mode"
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn open_edit_and_fix_with_push_diagnostics() {
    let d = scratch("push");
    let path = d.join("Dockerfile");
    let text = "FROM alpine:3.24\nRNU echo hi\nUSER 10001\n";
    fs::write(&path, text).unwrap();
    let mut c = Client::start();
    c.initialize(minimal_caps(), &uri(&d));
    let u = uri(&path);
    c.open(&u, text);
    let diags = c.diagnostics(&u);
    assert_eq!(diags["version"], 1);
    insta::assert_json_snapshot!("push_open", diags["diagnostics"]);
    // Type a fix by hand, one character at a time: RNU -> RUN.
    c.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [
        { "range": { "start": { "line": 1, "character": 1 }, "end": { "line": 1, "character": 3 } }, "text": "UN" } ] }));
    let diags = c.diagnostics(&u);
    assert_eq!(diags["version"], 2);
    assert_eq!(diags["diagnostics"], json!([]));
    // Break it again and take the quick fix.
    c.notify("textDocument/didChange", json!({ "textDocument": { "uri": u, "version": 3 }, "contentChanges": [
        { "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 3 } }, "text": "RNU" } ] }));
    let diags = c.diagnostics(&u);
    let d0 = diags["diagnostics"][0].clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": u }, "range": d0["range"], "context": { "diagnostics": [d0] } }),
    );
    let fix = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Replace with `RUN`")
        .expect("quick fix")
        .clone();
    let edits = fix["edit"]["changes"][&u].as_array().unwrap().clone();
    assert_eq!(
        apply(text, &edits, dockward::text::Encoding::Utf8),
        "FROM alpine:3.24\nRUN echo hi\nUSER 10001\n"
    );
    let titles: Vec<&str> = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Ignore DW002 for this instruction"), "{titles:?}");
    assert_eq!(c.finish(), 0);
}

/// An editor may open a URI again without closing it. The new text's findings can sit at the same bytes
/// as the old text's, on other lines; the publication must not place them where the old ones were.
#[test]
fn a_document_opened_again_has_its_findings_placed_afresh() {
    let d = scratch("reopen");
    let path = d.join("Dockerfile");
    let before = "FROM alpine:3.24\n#ab\nUSER root\n";
    let after = "FROM alpine:3.24\n#a\n\nUSER root\n";
    let mut c = Client::start();
    c.initialize(minimal_caps(), &uri(&d));
    let u = uri(&path);
    let root_line = |diags: &Value| {
        let all = diags["diagnostics"].as_array().unwrap().clone();
        let root = all.iter().find(|d| d["code"] == "DW101").expect("DW101 on USER root");
        root["range"]["start"]["line"].clone()
    };
    c.open(&u, before);
    assert_eq!(root_line(&c.diagnostics(&u)), 2);
    c.open(&u, after);
    assert_eq!(root_line(&c.diagnostics(&u)), 3);
    assert_eq!(c.finish(), 0);
}

#[test]
fn pull_diagnostics_with_result_ids_and_refresh_on_ignore_file_edit() {
    let d = scratch("pull");
    let df = d.join("Dockerfile");
    let ig = d.join(".dockerignore");
    fs::write(&df, "FROM alpine:3.24\nRNU x\nUSER 10001\n").unwrap();
    fs::write(&ig, ".git\n").unwrap();
    let mut c = Client::start();
    c.initialize(vscode_caps(), &uri(&d));
    c.answer_server_requests(|r| {
        if r["method"] == "workspace/configuration" {
            Ok(json!([{}, {}]))
        } else {
            Ok(Value::Null)
        }
    });
    let u = uri(&df);
    c.open(&u, "FROM alpine:3.24\nRNU x\nUSER 10001\n");
    let first = c.request("textDocument/diagnostic", json!({ "textDocument": { "uri": u } }));
    assert_eq!(first["result"]["kind"], "full");
    assert_eq!(first["result"]["items"][0]["code"], "DW002");
    let id = first["result"]["resultId"].clone();
    let again = c.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": u }, "previousResultId": id }),
    );
    assert_eq!(again["result"]["kind"], "unchanged");
    let ws = c.request("workspace/diagnostic", json!({ "previousResultIds": [] }));
    assert_eq!(ws["result"]["items"][0]["uri"], json!(u));
    // Editing the ignore file (open, unsaved) asks the client to pull again.
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri(&ig), "languageId": "ignore", "version": 1, "text": ".git\n" } }),
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&ig), "version": 2 }, "contentChanges": [{ "text": ".git\n.env\n" }] }),
    );
    let refresh = c.wait("refresh", |m| m["method"] == "workspace/diagnostic/refresh");
    c.send(Message::Response(Response::new_ok(
        serde_json::from_value::<RequestId>(refresh["id"].clone()).unwrap(),
        Value::Null,
    )));
    // A change on disk (watched files) does the same.
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&d.join("api.Dockerfile.dockerignore")), "type": 1 }] }),
    );
    c.wait("refresh after a watched-file event", |m| {
        m["method"] == "workspace/diagnostic/refresh"
    });
    assert_eq!(c.finish(), 0);
}

#[test]
fn positions_in_utf16_and_utf8_on_emoji_and_japanese_lines() {
    let text = "FROM alpine:3.24\nLABEL 説明=\"😀\" 版 ok\n";
    for (caps, enc, col) in [
        (json!({}), "utf-16", 14),
        (json!({ "general": { "positionEncodings": ["utf-8"] } }), "utf-8", 20),
    ] {
        let mut c = Client::start();
        let r = c.initialize(caps, "file:///tmp/none");
        assert_eq!(r["result"]["capabilities"]["positionEncoding"], enc);
        c.open("file:///tmp/none/Dockerfile", text);
        let diags = c.diagnostics("file:///tmp/none/Dockerfile");
        let d = diags["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["message"].as_str().unwrap().contains("`版`"))
            .unwrap()
            .clone();
        assert_eq!(d["range"]["start"], json!({ "line": 1, "character": col }), "{enc}");
        // An edit given in the same encoding lands where the client meant it.
        let end = if enc == "utf-16" { 15 } else { 23 };
        c.notify("textDocument/didChange", json!({ "textDocument": { "uri": "file:///tmp/none/Dockerfile", "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 1, "character": col }, "end": { "line": 1, "character": end } }, "text": "版=1" } ] }));
        let diags = c.diagnostics("file:///tmp/none/Dockerfile");
        let msgs: Vec<&str> = diags["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap())
            .collect();
        assert!(
            msgs.iter().all(|m| !m.contains("`版`")) && msgs.iter().any(|m| m.contains("`ok`")),
            "{enc}: {msgs:?}"
        );
        assert_eq!(c.finish(), 0);
    }
}

#[test]
fn configuration_from_the_client_and_the_project_file() {
    let d = scratch("config");
    let a = d.join("a");
    let b = d.join("b");
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    fs::write(b.join(".dockward.toml"), "ignore = [\"DW005\"]\n").unwrap();
    let text = "FROM alpine:3.24\nRNU x\nRUN a \\\n\n  b\nUSER 10001\n";
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({ "capabilities": vscode_caps(), "workspaceFolders": [{ "uri": uri(&a), "name": "a" }, { "uri": uri(&b), "name": "b" }] }),
    );
    c.notify("initialized", json!({}));
    // Global settings ignore nothing; folder `a` ignores DW002.
    c.answer_server_requests(|r| {
        if r["method"] == "workspace/configuration" {
            Ok(json!([{}, { "ignore": ["DW002"] }, {}]))
        } else {
            Ok(Value::Null)
        }
    });
    let codes = |c: &mut Client, u: &str| -> Vec<String> {
        let r = c.request("textDocument/diagnostic", json!({ "textDocument": { "uri": u } }));
        r["result"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    let ua = uri(&a.join("Dockerfile"));
    let ub = uri(&b.join("Dockerfile"));
    c.open(&ua, text);
    c.open(&ub, text);
    assert_eq!(
        codes(&mut c, &ua),
        vec!["DW005"],
        "folder a ignores DW002 through its settings"
    );
    assert_eq!(
        codes(&mut c, &ub),
        vec!["DW002"],
        "folder b ignores DW005 through .dockward.toml"
    );
    // A settings change arrives: the server asks again; this time the client refuses.
    c.notify("workspace/didChangeConfiguration", json!({ "settings": {} }));
    c.answer_server_requests(|_| Err((-32601, "no configuration here".into())));
    assert_eq!(
        codes(&mut c, &ua),
        vec!["DW005"],
        "a refused request keeps the last settings"
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn hover_shows_rule_and_instruction_docs() {
    let mut c = Client::start();
    c.initialize(vscode_caps(), "file:///tmp/none");
    c.answer_server_requests(|_| Ok(json!([{}])));
    c.open("file:///tmp/none/Dockerfile", "FROM node:22\nRNU x\n");
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///tmp/none/Dockerfile" }, "position": { "line": 1, "character": 1 } }),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**DW002 unknown-instruction**")
    );
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///tmp/none/Dockerfile" }, "position": { "line": 0, "character": 2 } }),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("starts a build stage")
    );
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///tmp/none/Dockerfile" }, "position": { "line": 0, "character": 7 } }),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Docker Official Image")
    );
    assert_eq!(c.finish(), 0);
}

/// The hover on line 2 (`RNU x`) and the message of its diagnostic, for a client whose display language
/// is `locale` and whose `dockward` settings are `settings`.
fn hover_and_message(locale: &str, settings: Value) -> (String, String) {
    let mut c = Client::start();
    c.initialize_in(vscode_caps(), "file:///tmp/none", locale);
    c.answer_server_requests(move |_| Ok(json!([settings.clone()])));
    let u = "file:///tmp/none/Dockerfile";
    c.open(u, "FROM node:22\nRNU x\n");
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 1, "character": 1 } }),
    );
    let d = c.request("textDocument/diagnostic", json!({ "textDocument": { "uri": u } }));
    let hover = h["result"]["contents"]["value"].as_str().unwrap().to_string();
    let message = d["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DW002")
        .expect("DW002")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(c.finish(), 0);
    (hover, message)
}

#[test]
fn hover_shows_the_japanese_rule_doc_for_a_japanese_client() {
    let (hover, message) = hover_and_message("ja", json!({}));
    assert!(
        hover.starts_with("**DW002 unknown-instruction**: 行頭の語が Dockerfile の命令ではありません。"),
        "{hover}"
    );
    for h in ["### 検出内容", "### なぜ問題か", "### 対処法", "### 修正の安全性"] {
        assert!(hover.contains(h), "{h} in {hover}");
    }
    assert!(
        hover.contains("BuildKit は `unknown instruction` でビルドを止めます"),
        "{hover}"
    );
    assert!(
        !hover.contains("Why is this bad?") && !hover.contains("## 日本語"),
        "{hover}"
    );
    assert!(message.contains("Dockerfile の命令ではありません"), "{message}");
    // A region tag counts as its language.
    let (hover, _) = hover_and_message("ja-JP", json!({}));
    assert!(hover.contains("### なぜ問題か"), "{hover}");
}

#[test]
fn the_locale_setting_beats_the_clients_display_language() {
    // `dockward.locale` is a deliberate choice; the display language is only the default.
    let (hover, message) = hover_and_message("ja", json!({ "locale": "en" }));
    assert!(
        hover.contains("### Why is this bad?") && !hover.contains("なぜ問題か"),
        "{hover}"
    );
    assert!(message.contains("is not a Dockerfile instruction"), "{message}");
    let (hover, message) = hover_and_message("en", json!({ "locale": "ja" }));
    assert!(hover.contains("### なぜ問題か"), "{hover}");
    assert!(message.contains("Dockerfile の命令ではありません"), "{message}");
    // A language dockward does not speak falls back to English.
    let (hover, _) = hover_and_message("fr", json!({}));
    assert!(hover.contains("### Why is this bad?"), "{hover}");
}

#[test]
fn fix_all_is_resolved_lazily_and_creates_nothing_stale() {
    let mut c = Client::start();
    c.initialize(vscode_caps(), "file:///tmp/none");
    c.answer_server_requests(|_| Ok(json!([{}])));
    let u = "file:///tmp/none/Dockerfile";
    let text = "FROM scratch\nRUN a \\\n\n  b\nRUN c \\\n\n  d\n";
    c.open(u, text);
    let r = c.request("textDocument/codeAction", json!({ "textDocument": { "uri": u }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [], "only": ["source.fixAll"] } }));
    let action = r["result"][0].clone();
    assert_eq!(action["kind"], "source.fixAll.dockward");
    assert!(action.get("edit").is_none(), "the edit is computed at resolve time");
    let resolved = c.request("codeAction/resolve", action);
    let edits = resolved["result"]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        apply(text, &edits, dockward::text::Encoding::Utf16),
        "FROM scratch\nRUN a \\\n  b\nRUN c \\\n  d\n"
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn robustness_errors_cancellation_and_exit_codes() {
    let mut c = Client::start();
    // Before initialize: an error, not a crash.
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002);
    c.initialize(minimal_caps(), "file:///tmp/none");
    let r = c.request("dockward/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    let r = c.request("textDocument/hover", json!({ "garbage": true }));
    assert_eq!(r["error"]["code"], -32602);
    // Malformed JSON on the wire gets a parse error with a null id.
    c.to_server
        .send(dockward::lsp::transport::decode(b"{not json"))
        .unwrap();
    let e = c.wait("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(e["id"], Value::Null);
    // A request cancelled before it is handled is answered with RequestCanceled: keep the server busy
    // with a large document so that the request and its cancellation arrive in one batch.
    let big = "RUN echo a long line to keep the server busy for a while\n".repeat(20_000);
    c.open("file:///tmp/none/big.Dockerfile", &format!("FROM scratch\n{big}"));
    let mut cancelled = 0;
    for round in 0..20 {
        c.notify("textDocument/didChange", json!({ "textDocument": { "uri": "file:///tmp/none/big.Dockerfile", "version": 2 + round }, "contentChanges": [{ "text": format!("FROM scratch\n{big}# {round}\n") }] }));
        let id = c.next_id;
        c.next_id += 1;
        c.send(Message::Request(Request {
            id: RequestId::from(id),
            method: "textDocument/hover".into(),
            params: json!({ "textDocument": { "uri": "file:///x" }, "position": { "line": 0, "character": 0 } }),
        }));
        c.notify("$/cancelRequest", json!({ "id": id }));
        let r = c.response(id);
        if r["error"]["code"] == -32800 {
            cancelled += 1;
            break;
        } else {
            assert!(r.get("result").is_some(), "{r}");
        }
    }
    assert!(cancelled > 0, "no request was cancelled in 20 rounds");
    // A panicking handler is answered with InternalError, and the server keeps serving.
    let r = c.request("dockward/debug/panic", json!({}));
    assert_eq!(r["error"]["code"], -32603);
    let r = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///x" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(r["result"], Value::Null);
    // Edits with positions past the end are clamped, and the server goes on.
    c.open("file:///tmp/none/Dockerfile", "FROM scratch\nUSER 1\n");
    c.diagnostics("file:///tmp/none/Dockerfile");
    c.notify("textDocument/didChange", json!({ "textDocument": { "uri": "file:///tmp/none/Dockerfile", "version": 2 }, "contentChanges": [{ "range": { "start": { "line": 50, "character": 9 }, "end": { "line": 60, "character": 0 } }, "text": "RNU x\n" }] }));
    let d = c.diagnostics("file:///tmp/none/Dockerfile");
    assert_eq!(d["diagnostics"][0]["code"], "DW002");
    // After shutdown, requests are invalid; exit then returns 0.
    let id = c.request_async("shutdown", Value::Null);
    c.response(id);
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32600);
    c.notify("exit", Value::Null);
    assert_eq!(c.server.take().unwrap().join().unwrap(), 0);

    // Exit without shutdown: 1. The client going away: 1 as well.
    let mut c = Client::start();
    c.initialize(minimal_caps(), "file:///tmp/none");
    c.notify("exit", Value::Null);
    assert_eq!(c.server.take().unwrap().join().unwrap(), 1);
    let mut c = Client::start();
    c.initialize(minimal_caps(), "file:///tmp/none");
    c.to_server.send(Incoming::Closed).unwrap();
    assert_eq!(c.server.take().unwrap().join().unwrap(), 1);
}

#[test]
fn error_replies_to_the_servers_own_requests_are_survived() {
    let mut c = Client::start();
    c.initialize(vscode_caps(), "file:///tmp/none");
    // The client refuses registerCapability and workspace/configuration, as pytest-lsp's client does.
    c.answer_server_requests(|r| Err((-32601, format!("Method Not Found: {}", r["method"].as_str().unwrap()))));
    c.open("file:///tmp/none/Dockerfile", "FROM scratch\nUSER 1\nRNU x\n");
    let r = c.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": "file:///tmp/none/Dockerfile" } }),
    );
    assert_eq!(r["result"]["items"][0]["code"], "DW002");
    assert_eq!(c.finish(), 0);
}

/// Pinning a digest from the editor: the action is listed without asking anything, the registry (a
/// real one on 127.0.0.1) is asked when the action is resolved, and a failure reaches the user.
#[test]
fn digest_actions_ask_the_registry_only_when_picked() {
    let reg = support::registry::registry();
    let d = scratch("digest");
    let u = uri(&d.join("Dockerfile"));
    let text = "FROM alpine:3.22\nCOPY --from=alpine:0.0-nope /x /x\nUSER 10001\n";
    let mut c = Client::start();
    c.initialize(vscode_caps(), &uri(&d));
    let url = reg.url();
    c.answer_server_requests(move |r| {
        if r["method"] == "workspace/configuration" {
            let s = json!({ "extendSelect": ["DW104"], "registry": { "mirrors": { "docker.io": url } } });
            Ok(json!([s]))
        } else {
            Ok(Value::Null)
        }
    });
    c.open(&u, text);
    let actions = |c: &mut Client, line: u32| -> Vec<Value> {
        let r = c.request("textDocument/codeAction", json!({ "textDocument": { "uri": u }, "range": { "start": { "line": line, "character": 20 }, "end": { "line": line, "character": 20 } }, "context": { "diagnostics": [] } }));
        r["result"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["data"]["kind"] == "digest")
            .cloned()
            .collect()
    };
    let pin = actions(&mut c, 0);
    assert_eq!(pin.len(), 1, "one digest action for line 1");
    assert!(pin[0].get("edit").is_none(), "listing asks nothing: {:#}", pin[0]);
    assert_eq!(pin[0]["data"]["reference"], "docker.io/library/alpine:3.22");
    let resolved = c.request("codeAction/resolve", pin[0].clone());
    let edits = resolved["result"]["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap_or_else(|| panic!("no edit: {resolved:#}"))
        .clone();
    assert_eq!(
        apply(text, &edits, dockward::text::Encoding::Utf16),
        format!(
            "FROM alpine:3.22@{}\nCOPY --from=alpine:0.0-nope /x /x\nUSER 10001\n",
            reg.digest("library/alpine:3.22")
        )
    );
    // A tag the registry does not have: an error reply and a message the user sees.
    let missing = actions(&mut c, 1);
    assert_eq!(missing.len(), 1);
    let r = c.request("codeAction/resolve", missing[0].clone());
    assert_eq!(r["error"]["code"], -32803, "{r:#}");
    let shown = c.wait("showMessage", |m| m["method"] == "window/showMessage");
    assert!(
        shown["params"]["message"].as_str().unwrap().contains("alpine:0.0-nope"),
        "{shown:#}"
    );
    // After an edit, an action offered for the old text is refused instead of applied.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": "FROM busybox:1.37\n" }] }),
    );
    let r = c.request("codeAction/resolve", pin[0].clone());
    assert_eq!(r["error"]["code"], -32801, "{r:#}");
    assert_eq!(c.finish(), 0);
}

/// The message ids of published diagnostics.
fn ids(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["data"]["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn editing_the_dockerignore_changes_the_dockerfile_diagnostics() {
    let d = scratch("ignore-doc");
    let df = d.join("Dockerfile");
    let ig = d.join(".dockerignore");
    let text = "FROM alpine:3.24\nCOPY . /app\nUSER 10001\n";
    fs::write(&df, text).unwrap();
    fs::write(&ig, "node_modules\n").unwrap();
    fs::write(d.join(".env"), "SECRET=1").unwrap();
    fs::create_dir_all(d.join("src")).unwrap();
    fs::write(d.join("src/app.py"), "").unwrap();
    let mut c = Client::start();
    c.initialize(minimal_caps(), &uri(&d));
    let u = uri(&df);
    c.open(&u, text);
    // Once the context is scanned, the `.env` on disk is named.
    let has = |id: &'static str| move |p: &Value| ids(p).iter().any(|x| x == id);
    let first = c.diagnostics_until(&u, has("sensitive-context-copied.files"));
    assert!(
        first["diagnostics"][0]["message"].as_str().unwrap().contains("`.env`"),
        "{first}"
    );
    // The ignore file as a document: its own diagnostics, and every edit rechecks the Dockerfile.
    let iu = uri(&ig);
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": iu, "languageId": "ignore", "version": 1, "text": "node_modules\n" } }),
    );
    let own = c.diagnostics(&iu);
    assert_eq!(own["diagnostics"], json!([]));
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": iu, "version": 2 }, "contentChanges": [{ "text": "node_modules\n.env   # secrets\n" }] }),
    );
    let own = c.diagnostics_until(&iu, has("misleading-ignore-line.trailing-comment"));
    assert_eq!(
        own["diagnostics"][0]["range"]["start"],
        json!({ "line": 1, "character": 0 })
    );
    // `.env   # secrets` matches nothing: the Dockerfile still copies `.env`. The quick fix on the ignore
    // document moves the comment.
    let d0 = own["diagnostics"][0].clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": iu }, "range": d0["range"], "context": { "diagnostics": [d0] } }),
    );
    let fix = &actions["result"][0];
    assert_eq!(fix["title"], "Move the comment to its own line");
    let edits = fix["edit"]["changes"][&iu].as_array().unwrap().clone();
    let fixed = apply(
        "node_modules\n.env   # secrets\n",
        &edits,
        dockward::text::Encoding::Utf8,
    );
    assert_eq!(fixed, "node_modules\n# secrets\n.env\n");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": iu, "version": 3 }, "contentChanges": [{ "text": fixed }] }),
    );
    let after = c.diagnostics_until(&u, |p| !ids(p).iter().any(|x| x == "sensitive-context-copied.files"));
    assert_eq!(ids(&after), vec!["sensitive-context-copied.missing"], "{after}");
    // Hover on a pattern: what it matches in the context.
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": iu }, "position": { "line": 2, "character": 1 } }),
    );
    let md = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(md.contains("files 1, directories 0") && md.contains("`.env`"), "{md}");
    // Completion of context paths.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": iu, "version": 4 }, "contentChanges": [{ "text": "node_modules\n# secrets\n.env\n!sr" }] }),
    );
    let items = c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": iu }, "position": { "line": 3, "character": 3 } }),
    );
    let labels: Vec<&str> = items["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, vec!["src/"]);
    assert_eq!(
        items["result"]["items"][0]["textEdit"]["range"]["start"],
        json!({ "line": 3, "character": 1 })
    );
    // A file created in the context (watched files) is seen.
    fs::write(d.join("id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&d.join("id_rsa")), "type": 1 }] }),
    );
    let again = c.diagnostics_until(&u, has("sensitive-context-copied.files"));
    assert!(
        again["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`id_rsa`"),
        "{again}"
    );
    assert_eq!(c.finish(), 0);
}

/// A rewrite that a quick fix in the same answer already makes is offered once: DW606's fix and the
/// exec-form assist both turn `CMD make serve` into `CMD ["make", "serve"]`. On the keyword alone, outside
/// the diagnostic, the assist is still offered.
#[test]
fn a_rewrite_a_quick_fix_already_makes_is_offered_once() {
    let d = scratch("rewrite-once");
    let path = d.join("Dockerfile");
    let text = "FROM alpine:3.24\nUSER 10001\nCMD make serve\n";
    fs::write(&path, text).unwrap();
    let mut c = Client::start();
    c.initialize(minimal_caps(), &uri(&d));
    let u = uri(&path);
    c.open(&u, text);
    let diags = c.diagnostics(&u);
    let cmd = diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "DW606")
        .expect("DW606 on the shell-form CMD")
        .clone();
    let titles = |c: &mut Client, start: u32, end: u32| -> Vec<(String, String)> {
        let r = c.request("textDocument/codeAction", json!({ "textDocument": { "uri": u }, "range": { "start": { "line": 2, "character": start }, "end": { "line": 2, "character": end } }, "context": { "diagnostics": [] } }));
        r["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["title"].as_str().unwrap().to_string(),
                    a["kind"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let start = cmd["range"]["start"]["character"].as_u64().unwrap() as u32;
    let on_args = titles(&mut c, start, start);
    let exec: Vec<_> = on_args.iter().filter(|(t, _)| t.contains("exec form")).collect();
    assert_eq!(exec.len(), 1, "{on_args:?}");
    assert_eq!(exec[0].1, "quickfix", "{on_args:?}");
    let on_keyword = titles(&mut c, 1, 1);
    let exec: Vec<_> = on_keyword.iter().filter(|(t, _)| t.contains("exec form")).collect();
    assert_eq!(exec.len(), 1, "{on_keyword:?}");
    assert_eq!(exec[0].1, "refactor.rewrite", "{on_keyword:?}");
    assert_eq!(c.finish(), 0);
}

/// Quiet changes (only the text of a plain comment, away from every published position) are answered
/// from the last publication without a check: a pulling client gets "unchanged" for them, and every
/// report, after any mix of quiet and other changes, shows what a fresh server shows for the same text.
/// Typing on the comment line many times between two checks (its changes joined into one), a comment
/// turned into a suppression comment, typing in an instruction and removing a line, each pulled.
#[test]
fn quiet_changes_are_answered_from_the_last_publication_and_stay_right() {
    let d = scratch("quiet");
    let path = d.join("Dockerfile");
    let mut text = "# build stage\nFROM node:14 AS build\n# a note to type in\nRUN echo hi\nFROM alpine:3.20 AS build\n# runs as root\nUSER root\n".to_string();
    let answer = |r: &Value| {
        if r["method"] == "workspace/configuration" {
            Ok(json!([{}, {}]))
        } else {
            Ok(Value::Null)
        }
    };
    let u = uri(&path);
    let mut c = Client::start();
    c.initialize(vscode_caps(), &uri(&d));
    c.answer_server_requests(answer);
    c.open(&u, &text);
    let mut fresh = Client::start();
    fresh.initialize(vscode_caps(), &uri(&d));
    fresh.answer_server_requests(answer);
    // What a server that never saw the earlier texts reports.
    let mut fresh_items = |text: &str| {
        fresh.open(&u, text);
        let r = fresh.request("textDocument/diagnostic", json!({ "textDocument": { "uri": u } }));
        assert_eq!(r["result"]["kind"], "full");
        r["result"]["items"].clone()
    };
    let first = c.request("textDocument/diagnostic", json!({ "textDocument": { "uri": u } }));
    let mut id = first["result"]["resultId"].clone();
    let mut shown = first["result"]["items"].clone();
    assert!(
        shown.as_array().unwrap().iter().any(|d| d["code"] == "DW101"),
        "{shown}"
    );
    assert_eq!(shown, fresh_items(&text));
    // (line, start column, end line, end column, inserted text, whether the report may stay unchanged)
    let mut steps: Vec<(u32, u32, u32, u32, &str, bool)> = Vec::new();
    for k in 0..20 {
        let col = 19 + k;
        steps.push((2, col, 2, col, "x", true));
    }
    steps.extend([
        (2, 38, 2, 39, "", true),
        (5, 2, 5, 14, "dockward ignore=DW101", false),
        (2, 5, 2, 5, "é", true),
        (3, 11, 3, 11, " there", false),
        (2, 0, 2, 0, "", true),
        (0, 0, 0, 13, "", false),
        (0, 0, 1, 0, "", false),
        (1, 2, 1, 2, "x", true),
    ]);
    let mut version = 1;
    let mut unchanged = 0;
    for (line, from, end_line, to, insert, may_stay) in steps {
        version += 1;
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        // Columns are UTF-16 units; every line edited here is ASCII before the column.
        let (a, b) = (
            starts[line as usize] + from as usize,
            starts[end_line as usize] + to as usize,
        );
        text.replace_range(a..b, insert);
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": [
                { "range": { "start": { "line": line, "character": from }, "end": { "line": end_line, "character": to } }, "text": insert }
            ] }),
        );
        let r = c.request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": u }, "previousResultId": id }),
        );
        if r["result"]["kind"] == "unchanged" {
            unchanged += 1;
        } else {
            assert!(!may_stay || r["result"]["kind"] == "full", "{r}");
            shown = r["result"]["items"].clone();
        }
        id = r["result"]["resultId"].clone();
        assert_eq!(
            shown,
            fresh_items(&text),
            "after {insert:?} at {line}:{from}..{end_line}:{to} in\n{text}"
        );
    }
    assert!(unchanged >= 23, "{unchanged} unchanged reports");
    assert!(
        !shown.as_array().unwrap().iter().any(|d| d["code"] == "DW101"),
        "suppressed: {shown}"
    );
    assert_eq!(c.finish(), 0);
    assert_eq!(fresh.finish(), 0);
}
