//! Completion, hover and inlay hints through the language server, end to end: a scripted client sends
//! exactly what an editor sends; JSON snapshots pin the answers (ranges in the negotiated encoding,
//! snippets and markdown only when the client advertises them, deprecation tags, settings).
//!
//! The server reads the clock for "today" here, so snapshots hold nothing that depends on the date
//! (end-of-life tooltips are checked by shape, their dates are fixed data).

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{Value, json};

const URI: &str = "file:///tmp/none/Dockerfile";

/// A client like VS Code, with completion snippets, markdown and the deprecated tag.
fn rich_caps() -> Value {
    let mut caps = vscode_caps();
    caps["textDocument"]["completion"] = json!({
        "completionItem": {
            "snippetSupport": true,
            "documentationFormat": ["markdown", "plaintext"],
            "tagSupport": { "valueSet": [1] },
            "deprecatedSupport": true
        }
    });
    caps["textDocument"]["inlayHint"] = json!({ "dynamicRegistration": false });
    caps
}

fn complete(c: &mut Client, line: u32, character: u32) -> Value {
    let r = c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } }),
    );
    r["result"].clone()
}

fn labels(result: &Value) -> Vec<String> {
    result["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["label"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The first `n` items, for snapshots of long lists.
fn first(result: &Value, n: usize) -> Value {
    json!({
        "isIncomplete": result["isIncomplete"],
        "count": result["items"].as_array().map_or(0, Vec::len),
        "items": result["items"].as_array().map(|a| a.iter().take(n).cloned().collect::<Vec<_>>()),
    })
}

const TEXT: &str = "# syntax=docker/dockerfile:1\nARG GO_VERSION=1.26\nFROM golang:${GO_VERSION} AS build\nRUN --mount=type=cache,\nFROM alpine:3.24\nCOPY --from=\nRU\n";

#[test]
fn completion_with_snippets_markdown_and_exact_ranges() {
    let mut c = Client::start();
    let init = c.initialize(rich_caps(), "file:///tmp/none");
    assert_eq!(
        init["result"]["capabilities"]["completionProvider"]["triggerCharacters"],
        json!(["/", "=", "$", "{", ":", ",", "-"])
    );
    c.answer_server_requests(|_| Ok(json!([{}])));
    c.open(URI, TEXT);
    // An instruction keyword, replacing what is typed, as a snippet.
    let kw = complete(&mut c, 6, 2);
    insta::assert_json_snapshot!("keywords_with_snippets", first(&kw, 3));
    // `--mount` options of a cache mount, without `type` (given).
    let mount = complete(&mut c, 3, 23);
    assert!(!labels(&mount).contains(&"type".to_string()));
    insta::assert_json_snapshot!("mount_options", first(&mount, 4));
    // Earlier stages after `COPY --from=`, then official images.
    let from = complete(&mut c, 5, 12);
    assert_eq!(labels(&from)[0], "build");
    insta::assert_json_snapshot!("copy_from", first(&from, 2));
    // A variable in FROM, with its value.
    let var = complete(&mut c, 2, 14);
    let go = var["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "GO_VERSION")
        .expect("GO_VERSION")
        .clone();
    insta::assert_json_snapshot!("variable_in_from", go);
    // On a directive's name: the directive names, replacing the name only.
    let names = complete(&mut c, 0, 5);
    assert_eq!(labels(&names)[..3], ["syntax", "escape", "check"]);
    assert_eq!(
        names["items"][0]["textEdit"]["range"],
        json!({ "start": { "line": 0, "character": 2 }, "end": { "line": 0, "character": 8 } })
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn completion_without_snippet_support_inserts_plain_text() {
    let mut c = Client::start();
    c.initialize(minimal_caps(), "file:///tmp/none");
    c.open(URI, TEXT);
    let kw = complete(&mut c, 6, 2);
    let run = &kw["items"][0];
    assert_eq!(run["label"], "RUN");
    assert_eq!(run["insertTextFormat"], 1);
    assert_eq!(run["textEdit"]["newText"], "RUN");
    assert_eq!(run["documentation"]["kind"], "plaintext");
    // Deprecated without tag support: the `deprecated` property.
    let m = kw["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "MAINTAINER")
        .expect("MAINTAINER")
        .clone();
    assert_eq!(m["deprecated"], true);
    assert!(m.get("tags").is_none());
    assert_eq!(c.finish(), 0);
}

#[test]
fn utf16_positions_on_a_line_with_emoji_and_japanese() {
    let text = "FROM alpine:3.24\nENV GREETING=hello\nLABEL note=\"日本語 😀\" greeting=${GR\n";
    let mut c = Client::start();
    c.initialize(rich_caps(), "file:///tmp/none");
    c.answer_server_requests(|_| Ok(json!([{}])));
    c.open(URI, text);
    let line = "LABEL note=\"日本語 😀\" greeting=${GR";
    let end = line.encode_utf16().count() as u32;
    let r = complete(&mut c, 2, end);
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "GREETING")
        .expect("GREETING")
        .clone();
    let start = line.find("GR").map(|b| line[..b].encode_utf16().count()).unwrap() as u32;
    assert_eq!(
        item["textEdit"]["range"],
        json!({ "start": { "line": 2, "character": start }, "end": { "line": 2, "character": end } })
    );
    assert_eq!(item["textEdit"]["newText"], "GREETING}");
    insta::assert_json_snapshot!("utf16_variable", item);
    // The same hover range in UTF-16.
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 1, "character": 6 } }),
    );
    assert_eq!(h["result"]["range"]["start"], json!({ "line": 1, "character": 4 }));
    assert_eq!(c.finish(), 0);
}

#[test]
fn hover_on_flags_variables_stages_and_images() {
    let text = "ARG GO_VERSION=1.26\nFROM golang:${GO_VERSION} AS build\nRUN --mount=type=secret,id=npmrc --network=none go build\nFROM alpine:3.24\nCOPY --from=build /app /app\n";
    let mut c = Client::start();
    c.initialize(rich_caps(), "file:///tmp/none");
    c.answer_server_requests(|_| Ok(json!([{}])));
    c.open(URI, text);
    let mut hover = |line: u32, character: u32| {
        let r = c.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } }),
        );
        r["result"].clone()
    };
    let variable = hover(1, 16);
    let flag = hover(2, 7);
    let secret = hover(2, 19);
    let network = hover(2, 45);
    let stage = hover(4, 14);
    insta::assert_json_snapshot!("hovers", json!([variable, flag, secret, network, stage]));
    let image = hover(3, 8);
    let md = image["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**docker.io/library/alpine:3.24**"), "{md}");
    assert!(md.contains("Alpine Linux 3.24: end of life on 2028-"), "{md}");
}

#[test]
fn inlay_hints_for_values_users_and_end_of_life_with_settings() {
    let text = "ARG NODE=22\nFROM node:${NODE}-alpine AS build\nRUN npm ci\nFROM node:24-alpine\nUSER node\nCMD [\"node\", \"app.js\"]\n";
    let mut c = Client::start();
    c.initialize(rich_caps(), "file:///tmp/none");
    c.answer_server_requests(|_| Ok(json!([{}])));
    c.open(URI, text);
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 6, "character": 0 } });
    let hints = c.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": URI }, "range": range }),
    )["result"]
        .clone();
    // Tooltips of end-of-life hints count days from today: keep their shape, not their text.
    let mut shown = hints.clone();
    for h in shown.as_array_mut().unwrap() {
        if h["label"].as_str().unwrap().starts_with("EOL") {
            let t = h["tooltip"]["value"].as_str().unwrap();
            assert!(t.contains("end of life on"), "{t}");
            h["tooltip"]["value"] = json!("<days from today>");
        }
    }
    insta::assert_json_snapshot!("inlay_hints", shown);
    // Only the requested range.
    let line1 = json!({ "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 40 } });
    let some = c.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": URI }, "range": line1 }),
    )["result"]
        .clone();
    assert!(
        some.as_array().unwrap().iter().all(|h| h["position"]["line"] == 1),
        "{some}"
    );
    // Settings turn kinds off.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "dockward": { "inlayHints": { "user": false, "eol": false } } } }),
    );
    c.answer_server_requests(|_| Ok(json!([{ "inlayHints": { "user": false, "eol": false } }])));
    let only_values = c.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": URI }, "range": range }),
    )["result"]
        .clone();
    let labels: Vec<&str> = only_values
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["= node:22-alpine"]);
    assert_eq!(c.finish(), 0);
}
