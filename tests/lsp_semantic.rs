//! Semantic tokens through the language server: the legend and capability, full results in UTF-16 on
//! lines with emoji and Japanese text, a delta after an edit (small, and equal to a fresh full result
//! once applied), range requests, and multi-line tokens for clients that support them.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{Value, json};

const TEXT: &str = "FROM alpine:3.20 AS build\nLABEL note=\"😀 日本\" x=1\nRUN echo \"$HOME 😀\" \\\n    && echo 日本 $X\nCOPY <<EOF /x\n😀 $A\nEOF\n";

fn caps(multiline: bool) -> Value {
    let mut c = vscode_caps();
    c["textDocument"]["semanticTokens"] = json!({
        "requests": { "full": { "delta": true }, "range": true },
        "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"],
        "multilineTokenSupport": multiline
    });
    c
}

/// The tokens as `line:character length type [modifiers]` with the text they cover (UTF-16 columns).
fn decode(text: &str, data: &[Value], legend: &Value) -> Vec<String> {
    let types = legend["tokenTypes"].as_array().unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    let (mut line, mut col) = (0u64, 0u64);
    let mut out = Vec::new();
    for c in data.chunks(5) {
        let n = |i: usize| c[i].as_u64().unwrap();
        if n(0) > 0 {
            line += n(0);
            col = n(1);
        } else {
            col += n(1);
        }
        let units: Vec<u16> = lines[line as usize].encode_utf16().collect();
        let covered = String::from_utf16_lossy(&units[col as usize..((col + n(2)) as usize).min(units.len())]);
        out.push(format!(
            "{}:{} {:?} {} {}",
            line,
            col,
            covered,
            types[n(3) as usize].as_str().unwrap(),
            n(4)
        ));
    }
    out
}

fn apply_delta(old: &[Value], edits: &[Value]) -> Vec<Value> {
    let mut data = old.to_vec();
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e["start"].as_u64().unwrap()));
    for e in edits {
        let start = e["start"].as_u64().unwrap() as usize;
        let del = e["deleteCount"].as_u64().unwrap() as usize;
        let ins: Vec<Value> = e["data"].as_array().cloned().unwrap_or_default();
        data.splice(start..start + del, ins);
    }
    data
}

#[test]
fn full_delta_and_range_in_utf16() {
    let mut c = Client::start();
    let init = c.initialize(caps(false), "file:///tmp/none");
    let provider = &init["result"]["capabilities"]["semanticTokensProvider"];
    insta::assert_json_snapshot!("semantic_provider", provider);
    let legend = provider["legend"].clone();
    let u = "file:///tmp/none/Dockerfile";
    c.open(u, TEXT);
    let full = c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": u } }),
    );
    let data = full["result"]["data"].as_array().unwrap().clone();
    insta::assert_snapshot!("semantic_full_utf16", decode(TEXT, &data, &legend).join("\n"));
    let id = full["result"]["resultId"].as_str().unwrap().to_string();

    // Type in the RUN line: a delta replaces only the tokens around the edit.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 2, "character": 9 }, "end": { "line": 2, "character": 9 } }, "text": "'日本' " } ] }),
    );
    let edited = TEXT.replacen("RUN echo ", "RUN echo '日本' ", 1);
    let delta = c.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": u }, "previousResultId": id }),
    );
    let edits = delta["result"]["edits"].as_array().unwrap().clone();
    insta::assert_json_snapshot!("semantic_delta", delta["result"]);
    let sent: usize = edits.iter().map(|e| e["data"].as_array().map_or(0, Vec::len)).sum();
    assert!(
        sent <= 15,
        "a one-string edit sends at most three tokens, sent {sent} integers"
    );
    let patched = apply_delta(&data, &edits);
    let fresh = c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": u } }),
    );
    assert_eq!(&patched, fresh["result"]["data"].as_array().unwrap());
    assert!(decode(&edited, &patched, &legend).contains(&"2:9 \"'日本'\" string 0".to_string()));

    // An unknown result id gets a full result.
    let stale = c.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": u }, "previousResultId": "nope" }),
    );
    assert_eq!(stale["result"]["data"], fresh["result"]["data"]);

    // A range: the tokens of line 1 only.
    let range = c.request(
        "textDocument/semanticTokens/range",
        json!({ "textDocument": { "uri": u }, "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 30 } } }),
    );
    let r = decode(&edited, range["result"]["data"].as_array().unwrap(), &legend);
    insta::assert_snapshot!("semantic_range", r.join("\n"));
    assert_eq!(c.finish(), 0);
}

#[test]
fn multiline_tokens_when_the_client_supports_them() {
    let mut c = Client::start();
    c.initialize(caps(true), "file:///tmp/none");
    let u = "file:///tmp/none/Dockerfile";
    c.open(u, "FROM a\nRUN <<EOF\n😀 one\ntwo\nEOF\n");
    let full = c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": u } }),
    );
    let data: Vec<u64> = full["result"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    // The body `😀 one\ntwo\n` is one token of 11 UTF-16 units at line 2.
    assert!(data.chunks(5).any(|c| c[0] == 1 && c[1] == 0 && c[2] == 11), "{data:?}");
    // Not a Dockerfile: no tokens.
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "file:///tmp/none/notes.txt", "languageId": "plaintext", "version": 1, "text": "FROM a\n" } }),
    );
    let none = c.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": "file:///tmp/none/notes.txt" } }),
    );
    assert_eq!(none["result"], Value::Null);
    assert_eq!(c.finish(), 0);
}
