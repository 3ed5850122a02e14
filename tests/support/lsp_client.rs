//! The scripted language-server client of the end-to-end suites: it talks to `lsp::serve` over
//! channels with exactly the messages a real editor would send. Include it with
//! `#[path = "support/lsp_client.rs"] mod lsp_client;`.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};
use dockward::lsp::{Incoming, Outgoing};
use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

pub struct Client {
    pub to_server: Sender<Incoming>,
    pub from_server: Receiver<Outgoing>,
    pub server: Option<thread::JoinHandle<i32>>,
    pub next_id: i32,
    /// Messages received while waiting for something else.
    pub backlog: Vec<Value>,
}

pub fn to_json(o: Outgoing) -> Value {
    match o {
        Outgoing::Message(m) => serde_json::to_value(m).unwrap(),
        Outgoing::Raw(v) => v,
        o @ Outgoing::Diagnostics { .. } => serde_json::from_slice(&o.body().unwrap()).unwrap(),
    }
}

impl Client {
    pub fn start() -> Client {
        let (to_server, rx) = unbounded();
        let (tx, from_server) = unbounded();
        let server = thread::spawn(move || {
            // SAFETY of the environment: tests set `DOCKWARD_TODAY` only through this process.
            dockward::lsp::serve(rx, tx)
        });
        Client {
            to_server,
            from_server,
            server: Some(server),
            next_id: 1,
            backlog: Vec::new(),
        }
    }

    pub fn send(&self, m: Message) {
        // Round-trip through JSON, as the wire would.
        let wire = serde_json::to_vec(&m).unwrap();
        self.to_server.send(dockward::lsp::transport::decode(&wire)).unwrap();
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(Message::Notification(Notification {
            method: method.into(),
            params,
        }));
    }

    pub fn request_async(&mut self, method: &str, params: Value) -> i32 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(Message::Request(Request {
            id: RequestId::from(id),
            method: method.into(),
            params,
        }));
        id
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.response(id)
    }

    /// The next message matching `pred`, answering the server's own requests on the way.
    pub fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        loop {
            let m = to_json(
                self.from_server
                    .recv_timeout(Duration::from_secs(10))
                    .unwrap_or_else(|_| panic!("timed out waiting for {what}; backlog: {:#?}", self.backlog)),
            );
            if pred(&m) {
                return m;
            }
            self.backlog.push(m);
        }
    }

    pub fn response(&mut self, id: i32) -> Value {
        self.wait(&format!("response {id}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    pub fn diagnostics(&mut self, uri: &str) -> Value {
        let uri = uri.to_string();
        self.wait(&format!("diagnostics for {uri}"), move |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri)
        })["params"]
            .clone()
    }

    /// The next diagnostics published for `uri` that satisfy `pred` (earlier ones are skipped).
    pub fn diagnostics_until(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..20 {
            let p = self.diagnostics(uri);
            if pred(&p) {
                return p;
            }
        }
        panic!("no diagnostics for {uri} as expected");
    }

    /// Answers the server's pending requests (configuration, registration) with `reply`.
    pub fn answer_server_requests(&mut self, reply: impl Fn(&Value) -> Result<Value, (i32, String)>) {
        thread::sleep(Duration::from_millis(50));
        while let Ok(o) = self.from_server.try_recv() {
            self.backlog.push(to_json(o));
        }
        let reqs: Vec<Value> = self
            .backlog
            .iter()
            .filter(|m| m.get("method").is_some() && m.get("id").is_some())
            .cloned()
            .collect();
        self.backlog
            .retain(|m| !(m.get("method").is_some() && m.get("id").is_some()));
        for r in reqs {
            let id: RequestId = serde_json::from_value(r["id"].clone()).unwrap();
            let resp = match reply(&r) {
                Ok(v) => Response::new_ok(id, v),
                Err((code, msg)) => Response::new_err(id, code, msg),
            };
            self.send(Message::Response(resp));
        }
    }

    pub fn initialize(&mut self, capabilities: Value, root: &str) -> Value {
        self.initialize_in(capabilities, root, "en")
    }

    /// `initialize` with the client's display language `locale` (`"ja"`, `"en-US"`, ...).
    pub fn initialize_in(&mut self, capabilities: Value, root: &str, locale: &str) -> Value {
        let r = self.request(
            "initialize",
            json!({ "capabilities": capabilities, "rootUri": root, "locale": locale }),
        );
        self.notify("initialized", json!({}));
        r
    }

    pub fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "dockerfile", "version": 1, "text": text } }),
        );
    }

    pub fn finish(mut self) -> i32 {
        let id = self.request_async("shutdown", Value::Null);
        self.response(id);
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap()
    }
}

/// Capabilities of a client like VS Code: UTF-16, pull diagnostics, resource operations, resolve.
pub fn vscode_caps() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "textDocument": {
            "diagnostic": { "dynamicRegistration": true, "relatedDocumentSupport": false },
            "codeAction": { "resolveSupport": { "properties": ["edit"] }, "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "refactor", "source"] } } },
            "hover": { "contentFormat": ["markdown", "plaintext"] }
        },
        "workspace": {
            "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename", "delete"] },
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "configuration": true,
            "diagnostics": { "refreshSupport": true }
        }
    })
}

/// A minimal client: push diagnostics, plain `changes` edits.
pub fn minimal_caps() -> Value {
    json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } })
}

pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp").join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d.canonicalize().unwrap()
}

pub fn uri(p: &Path) -> String {
    dockward::lsp::convert::path_to_uri(p)
}

/// Applies protocol text edits (UTF-16 or UTF-8 positions) to a text.
pub fn apply(text: &str, edits: &[Value], enc: dockward::text::Encoding) -> String {
    let idx = dockward::text::LineIndex::new(text);
    let mut es: Vec<(u32, u32, String)> = edits
        .iter()
        .map(|e| {
            let p = |v: &Value| dockward::text::LineCol {
                line: v["line"].as_u64().unwrap() as u32,
                col: v["character"].as_u64().unwrap() as u32,
            };
            (
                idx.to_offset(text, p(&e["range"]["start"]), enc),
                idx.to_offset(text, p(&e["range"]["end"]), enc),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    es.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, t) in es {
        out.replace_range(a as usize..b as usize, &t);
    }
    out
}
