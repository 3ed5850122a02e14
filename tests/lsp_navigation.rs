//! The navigation requests end to end, in process, through the scripted client: document and workspace
//! symbols, folding and selection ranges, definition, references, highlights, rename and document links.
//! JSON snapshots pin the protocol answers.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;

use std::fs;

use serde_json::{Value, json};

fn pos(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": pos(line, character) })
}

const DOCKERFILE: &str = "# syntax=docker/dockerfile:1\n# check=error=true\nARG GO=1.23\nFROM golang:${GO} AS build\nWORKDIR /src\nCOPY go.mod ./\nRUN --mount=type=cache,target=/root/.cache \\\n    go build -o /out/app .\n\n# Runtime\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /out/app /app\nCOPY missing.txt link.txt /etc/\nENTRYPOINT [\"/app\"]\n";

#[test]
fn symbols_folding_selection_and_links_of_an_open_dockerfile() {
    let d = scratch("nav-basic");
    fs::write(d.join("go.mod"), "module x\n").unwrap();
    // A link out of the context is never offered, even to an existing file.
    fs::write(d.join("..").join("outside.txt"), "secret\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("..").join("outside.txt"), d.join("link.txt")).unwrap();
    let path = d.join("Dockerfile");
    fs::write(&path, DOCKERFILE).unwrap();
    let mut c = Client::start();
    c.initialize(minimal_caps(), &uri(&d));
    let u = uri(&path);
    c.open(&u, DOCKERFILE);
    let doc = json!({ "textDocument": { "uri": u } });
    let r = c.request("textDocument/documentSymbol", doc.clone());
    insta::assert_json_snapshot!("document_symbols", r["result"]);
    let r = c.request("textDocument/foldingRange", doc.clone());
    insta::assert_json_snapshot!("folding_ranges", r["result"]);
    let r = c.request(
        "textDocument/selectionRange",
        json!({ "textDocument": { "uri": u }, "positions": [pos(6, 30), pos(3, 24)] }),
    );
    insta::assert_json_snapshot!("selection_ranges", r["result"]);
    let r = c.request("textDocument/documentLink", doc);
    let mut links = r["result"].clone();
    // The context is a scratch folder: show the file link relative to it.
    for l in links.as_array_mut().unwrap() {
        let t = l["target"].as_str().unwrap().replace(&uri(&d), "file://<context>");
        l["target"] = json!(t);
    }
    insta::assert_json_snapshot!("document_links", links);
    assert_eq!(c.finish(), 0);
}

#[test]
fn definition_references_highlights_and_rename() {
    let d = scratch("nav-refs");
    let path = d.join("Dockerfile");
    fs::write(&path, DOCKERFILE).unwrap();
    let mut c = Client::start();
    c.initialize(minimal_caps(), &uri(&d));
    let u = uri(&path);
    c.open(&u, DOCKERFILE);
    // `--from=build` → `AS build`.
    // Snapshots show the document as `file:///<dir>/Dockerfile`, wherever the scratch folder is.
    let local =
        |v: &Value| -> Value { serde_json::from_str(&v.to_string().replace(&uri(&d), "file:///<dir>")).unwrap() };
    let r = c.request("textDocument/definition", at(&u, 11, 14));
    insta::assert_json_snapshot!("definition_stage", local(&r["result"]));
    // `${GO}` → `ARG GO`.
    let r = c.request("textDocument/definition", at(&u, 3, 15));
    assert_eq!(r["result"][0]["range"], json!({ "start": pos(2, 4), "end": pos(2, 6) }));
    let mut p = at(&u, 3, 22);
    p["context"] = json!({ "includeDeclaration": true });
    let r = c.request("textDocument/references", p);
    insta::assert_json_snapshot!("references_stage", local(&r["result"]));
    let r = c.request("textDocument/documentHighlight", at(&u, 2, 5));
    insta::assert_json_snapshot!("highlights_arg", r["result"]);
    let r = c.request("textDocument/prepareRename", at(&u, 3, 22));
    insta::assert_json_snapshot!("prepare_rename_stage", r["result"]);
    let mut p = at(&u, 3, 22);
    p["newName"] = json!("compile");
    let r = c.request("textDocument/rename", p);
    let edits = r["result"]["changes"][&u].as_array().unwrap().clone();
    let renamed = apply(DOCKERFILE, &edits, dockward::text::Encoding::Utf8);
    assert!(
        renamed.contains("AS compile\n") && renamed.contains("--from=compile "),
        "{renamed}"
    );
    // Invalid names are refused with a message that says why.
    let mut p = at(&u, 3, 22);
    p["newName"] = json!("9lives");
    let r = c.request("textDocument/rename", p);
    insta::assert_json_snapshot!("rename_refused", r["error"]);
    let r = c.request("textDocument/prepareRename", at(&u, 4, 2));
    assert_eq!(r["error"]["code"], -32803, "{r}");
    assert_eq!(c.finish(), 0);
}

#[test]
fn utf16_positions_on_lines_with_emoji_and_japanese_text() {
    let d = scratch("nav-utf16");
    let path = d.join("Dockerfile");
    let text =
        "FROM alpine AS ビルド😀\nARG 名前=1 NAME=😀\nRUN echo \"😀 $NAME 日本語\" && echo ${NAME}\nFROM ビルド😀\n";
    fs::write(&path, text).unwrap();
    let mut c = Client::start();
    c.initialize(vscode_caps(), &uri(&d));
    c.answer_server_requests(|_| Ok(Value::Null));
    let u = uri(&path);
    c.open(&u, text);
    // UTF-16: `RUN echo "😀 $` is 13 code units before `NAME` (the emoji counts two).
    let r = c.request("textDocument/documentHighlight", at(&u, 2, 14));
    insta::assert_json_snapshot!("utf16_highlights", r["result"]);
    let mut p = at(&u, 2, 14);
    p["newName"] = json!("USER_NAME");
    let r = c.request("textDocument/rename", p);
    let edits = r["result"]["changes"][&u].as_array().unwrap().clone();
    assert_eq!(
        apply(text, &edits, dockward::text::Encoding::Utf16),
        "FROM alpine AS ビルド😀\nARG 名前=1 USER_NAME=😀\nRUN echo \"😀 $USER_NAME 日本語\" && echo ${USER_NAME}\nFROM ビルド😀\n"
    );
    let r = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": u } }));
    insta::assert_json_snapshot!("utf16_symbols", r["result"]);
    assert_eq!(c.finish(), 0);
}

#[test]
fn workspace_symbols_cover_open_and_disk_dockerfiles_within_bounds() {
    let d = scratch("nav-workspace");
    fs::create_dir_all(d.join("api")).unwrap();
    fs::create_dir_all(d.join("node_modules/pkg")).unwrap();
    fs::create_dir_all(d.join("web")).unwrap();
    fs::write(
        d.join("api/Dockerfile"),
        "ARG GO_VERSION=1.23\nFROM golang AS api-build\nFROM scratch AS api\n",
    )
    .unwrap();
    fs::write(d.join("web/web.Dockerfile"), "FROM node AS web-build\n").unwrap();
    fs::write(d.join("web/notes.txt"), "FROM x AS not-a-dockerfile\n").unwrap();
    fs::write(d.join("node_modules/pkg/Dockerfile"), "FROM x AS vendored\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("api"), d.join("linked")).unwrap();
    let open_path = d.join("Containerfile");
    fs::write(&open_path, "FROM alpine AS on-disk-text\n").unwrap();
    let mut c = Client::start();
    c.initialize(minimal_caps(), &uri(&d));
    let open_uri = uri(&open_path);
    c.open(&open_uri, "FROM alpine AS edited-build\n");
    let names = |c: &mut Client, q: &str| -> Vec<String> {
        let r = c.request("workspace/symbol", json!({ "query": q }));
        r["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let file = s["location"]["uri"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches(&uri(&d))
                    .to_string();
                format!("{} {} {}", s["name"].as_str().unwrap(), s["kind"], file)
            })
            .collect()
    };
    insta::assert_json_snapshot!("workspace_all", names(&mut c, ""));
    assert_eq!(
        names(&mut c, "BLD"),
        vec![
            "edited-build 2 /Containerfile".to_string(),
            "api-build 2 /api/Dockerfile".to_string(),
            "web-build 2 /web/web.Dockerfile".to_string()
        ]
    );
    // A new Dockerfile on disk is found after the watched-file event.
    fs::write(d.join("web/Dockerfile.dev"), "FROM node AS dev-server\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&d.join("web/Dockerfile.dev")), "type": 1 }] }),
    );
    assert_eq!(
        names(&mut c, "devserv"),
        vec!["dev-server 2 /web/Dockerfile.dev".to_string()]
    );
    assert_eq!(c.finish(), 0);
}
