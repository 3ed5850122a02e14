//! Formatting through the language server: document, range and on-type (newline) formatting, minimal
//! edits in UTF-16 positions on lines with emoji and Japanese text, the editor's `FormattingOptions`,
//! and the `dockward.format` settings from the client and from `.dockward.toml`.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::fs;

use dockward::text::Encoding;
use lsp_client::*;
use serde_json::{Value, json};

const TEXT: &str = "from alpine\nLABEL  note=\"😀 日本\"   x=1  \nrun echo 日本 \\\n  && echo 😀\n\n\n\ncopy  a  b";

fn edits(r: &Value) -> Vec<Value> {
    r["result"].as_array().cloned().unwrap_or_default()
}

#[test]
fn document_range_and_on_type_formatting_in_utf16() {
    let mut c = Client::start();
    let caps = vscode_caps();
    assert_eq!(
        c.initialize(caps, "file:///tmp/none")["result"]["capabilities"]["documentOnTypeFormattingProvider"],
        json!({ "firstTriggerCharacter": "\n" })
    );
    let u = "file:///tmp/none/Dockerfile";
    c.open(u, TEXT);
    let opts = json!({ "tabSize": 4, "insertSpaces": true });
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": opts }),
    );
    insta::assert_json_snapshot!("format_document_utf16", r["result"]);
    assert_eq!(
        apply(TEXT, &edits(&r), Encoding::Utf16),
        "from alpine\nlabel note=\"😀 日本\" x=1\nrun echo 日本 \\\n    && echo 😀\n\ncopy a b\n"
    );
    // Tabs from the editor's options.
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 8, "insertSpaces": false, "insertFinalNewline": false } }),
    );
    assert_eq!(
        apply(TEXT, &edits(&r), Encoding::Utf16),
        "from alpine\nlabel note=\"😀 日本\" x=1\nrun echo 日本 \\\n\t&& echo 😀\n\ncopy a b"
    );
    // Only the LABEL line.
    let r = c.request(
        "textDocument/rangeFormatting",
        json!({ "textDocument": { "uri": u }, "options": opts, "range": { "start": { "line": 1, "character": 12 }, "end": { "line": 1, "character": 14 } } }),
    );
    insta::assert_json_snapshot!("format_range_utf16", r["result"]);
    assert_eq!(
        apply(TEXT, &edits(&r), Encoding::Utf16),
        TEXT.replacen("LABEL  note=\"😀 日本\"   x=1  ", "label note=\"😀 日本\" x=1", 1)
    );
    // Enter after the continuation escape: the new line is indented.
    let typed = "FROM a\nRUN echo 😀 \\\n\nCOPY a b\n";
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": typed }] }),
    );
    let r = c.request(
        "textDocument/onTypeFormatting",
        json!({ "textDocument": { "uri": u }, "position": { "line": 2, "character": 0 }, "ch": "\n", "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        r["result"],
        json!([{ "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 0 } }, "newText": "  " }])
    );
    // Another trigger character does nothing.
    let r = c.request(
        "textDocument/onTypeFormatting",
        json!({ "textDocument": { "uri": u }, "position": { "line": 2, "character": 0 }, "ch": "a", "options": opts }),
    );
    assert_eq!(r["result"], json!([]));
    assert_eq!(c.finish(), 0);
}

#[test]
fn format_settings_from_the_client_and_the_project_file() {
    let d = scratch("format-settings");
    fs::write(
        d.join(".dockward.toml"),
        "[format]\nkeyword-case = \"lower\"\ncontinuation-indent = 2\n",
    )
    .unwrap();
    let path = d.join("Dockerfile");
    let text = "FROM a\nRUN x \\\n        y\n\n\nCOPY a b\n";
    fs::write(&path, text).unwrap();
    let mut c = Client::start();
    c.initialize(minimal_caps(), &uri(&d));
    c.open(&uri(&path), text);
    let opts = json!({ "tabSize": 4, "insertSpaces": true });
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) }, "options": opts }),
    );
    assert_eq!(
        apply(text, &edits(&r), Encoding::Utf8),
        "from a\nrun x \\\n  y\n\ncopy a b\n"
    );
    // The editor's settings win over the project file.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "dockward": { "format": { "keywordCase": "preserve", "maxBlankLines": 2 } } } }),
    );
    let r = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) }, "options": opts }),
    );
    assert_eq!(
        apply(text, &edits(&r), Encoding::Utf8),
        "FROM a\nRUN x \\\n  y\n\n\nCOPY a b\n"
    );
    assert_eq!(c.finish(), 0);
}
