//! Protocol fault injection on the real `dockward lsp` process over pipes: what a broken, hostile or
//! vanishing client does to the server. Behaviour that does not depend on the process (ordering,
//! cancellation within a batch, panicking handlers, error replies to the server's own requests) is
//! tested in process by `tests/lsp.rs` (`robustness_errors_cancellation_and_exit_codes`,
//! `error_replies_to_the_servers_own_requests_are_survived`).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The largest body the server accepts (`lsp::transport::MAX_MESSAGE`).
const MAX_MESSAGE: usize = dockward::lsp::transport::MAX_MESSAGE;

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    backlog: Vec<Value>,
    /// How long `wait` waits for one message.
    patience: Duration,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dockward"))
            .arg("lsp")
            .env("DOCKWARD_TODAY", "2026-11-28")
            .env_remove("DOCKWARD_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dockward lsp");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    let (name, value) = line.split_once(':').expect("a header line");
                    assert_eq!(name, "Content-Length", "the server writes only Content-Length");
                    len = Some(value.trim().parse::<usize>().unwrap());
                }
                let mut body = vec![0; len.expect("Content-Length")];
                r.read_exact(&mut body).unwrap();
                let v: Value = serde_json::from_slice(&body).expect("the server writes JSON");
                assert_eq!(v["jsonrpc"], "2.0");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Server {
            stdin: child.stdin.take(),
            child,
            messages: rx,
            backlog: Vec::new(),
            patience: Duration::from_secs(20),
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_vec(&msg).unwrap();
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.raw(&framed);
    }

    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait(&format!("response {id}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        loop {
            let m = self
                .messages
                .recv_timeout(self.patience)
                .unwrap_or_else(|_| panic!("timed out waiting for {what}; got {:#?}", self.backlog));
            if pred(&m) {
                return m;
            }
            self.backlog.push(m);
        }
    }

    fn initialize(&mut self) {
        let r = self.request(
            1,
            "initialize",
            json!({ "capabilities": { "general": { "positionEncodings": ["utf-16"] } }, "rootUri": null, "initializationOptions": { "registry": { "offline": true } } }),
        );
        assert!(r.get("result").is_some(), "{r}");
        self.notify("initialized", json!({}));
    }

    /// Closes stdin and waits for the process; returns its exit code and how long it took to exit.
    fn close(mut self) -> (Option<i32>, Duration) {
        drop(self.stdin.take());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("the server did not exit within 10 s of stdin closing");
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    fn logs(&mut self) -> Vec<String> {
        thread::sleep(Duration::from_millis(100));
        while let Ok(m) = self.messages.try_recv() {
            self.backlog.push(m);
        }
        self.backlog
            .iter()
            .filter(|m| m["method"] == "window/logMessage")
            .map(|m| m["params"]["message"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

const URI: &str = "file:///dockward-faults/Dockerfile";

fn diagnostics_for_version(s: &mut Server, version: i64) -> Value {
    s.wait(&format!("diagnostics of version {version}"), |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == json!(version)
    })["params"]
        .clone()
}

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn stdin_closing_ends_the_server_within_a_second() {
    // Right after start, before initialize.
    let s = Server::start();
    let (code, took) = s.close();
    assert_eq!(code, Some(1));
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // While serving, with an open document and a context scan possibly under way.
    let mut s = Server::start();
    s.initialize();
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "dockerfile", "version": 1, "text": "FROM alpine:3.20\n" } }),
    );
    diagnostics_for_version(&mut s, 1);
    let (code, took) = s.close();
    assert_eq!(code, Some(1), "the client vanished without shutdown");
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn exit_codes_of_the_process() {
    // shutdown then exit: 0.
    let mut s = Server::start();
    s.initialize();
    let r = s.request(2, "shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    s.notify("exit", Value::Null);
    let (code, took) = s.close();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // exit without shutdown: 1.
    let mut s = Server::start();
    s.initialize();
    s.notify("exit", Value::Null);
    assert_eq!(s.close().0, Some(1));
    // exit before initialize: 1.
    let mut s = Server::start();
    s.notify("exit", Value::Null);
    assert_eq!(s.close().0, Some(1));
}

#[test]
fn broken_frames_are_answered_and_the_server_keeps_serving() {
    let mut s = Server::start();
    // A request before initialize: ServerNotInitialized, not a crash.
    let r = s.request(100, "textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002);
    s.initialize();
    let null_id_error = |code: i64| move |m: &Value| m["id"] == Value::Null && m["error"]["code"] == json!(code);
    // Missing Content-Length.
    s.raw(b"Content-Type: application/vscode-jsonrpc\r\n\r\n");
    s.wait("missing length", null_id_error(-32700));
    // A Content-Length that is not a number.
    s.raw(b"Content-Length: twelve\r\n\r\n");
    s.wait("bad length", null_id_error(-32700));
    // Malformed JSON, and JSON that is not JSON-RPC (its id is used for the answer).
    s.raw(b"Content-Length: 9\r\n\r\n{not json");
    s.wait("parse error", null_id_error(-32700));
    let not_rpc = br#"{"id":41,"params":[]}"#;
    s.raw(format!("Content-Length: {}\r\n\r\n", not_rpc.len()).as_bytes());
    s.raw(not_rpc);
    s.wait("invalid request", |m| m["id"] == 41 && m["error"]["code"] == -32600);
    // A Content-Length shorter than the body: the rest runs into the next header; the server
    // resynchronises on it and answers the next request.
    let body = serde_json::to_vec(&json!({ "jsonrpc": "2.0", "id": 42, "method": "textDocument/hover", "params": {} }))
        .unwrap();
    s.raw(b"Content-Length: 10\r\n\r\n");
    s.raw(&body);
    let r = s.request(43, "dockward/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601, "unknown methods are MethodNotFound");
    // A Content-Length longer than the body swallows the start of the next message; the one after
    // is answered.
    s.raw(format!("Content-Length: {}\r\n\r\n", body.len() + 25).as_bytes());
    s.raw(&body);
    s.send(json!({ "jsonrpc": "2.0", "id": 44, "method": "dockward/noSuchMethod" }));
    let r = s.request(45, "textDocument/hover", json!({ "garbage": true }));
    assert_eq!(r["error"]["code"], -32602, "invalid params");
    // A message over the size bound is refused without being held in memory, and the server goes on.
    let started = Instant::now();
    s.raw(format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1).as_bytes());
    let chunk = vec![b' '; 1 << 20];
    let mut left = MAX_MESSAGE + 1;
    while left > 0 {
        let n = left.min(chunk.len());
        s.raw(&chunk[..n]);
        left -= n;
    }
    let e = s.wait("too large", |m| {
        m["id"] == Value::Null
            && m["error"]["message"]
                .as_str()
                .is_some_and(|t| t.contains("larger than"))
    });
    assert_eq!(e["error"]["code"], -32700);
    let r = s.request(
        46,
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(r["result"], Value::Null, "{r}");
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    // Cancelling an unknown or already answered request changes nothing.
    s.notify("$/cancelRequest", json!({ "id": 46 }));
    s.notify("$/cancelRequest", json!({ "id": "no such request" }));
    // A response to a request the server never sent is ignored.
    s.send(json!({ "jsonrpc": "2.0", "id": 9999, "result": null }));
    s.send(json!({ "jsonrpc": "2.0", "id": 9998, "error": { "code": -32603, "message": "client failure" } }));
    // After shutdown: InvalidRequest.
    let r = s.request(47, "shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    let r = s.request(48, "textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32600);
    s.notify("exit", Value::Null);
    assert_eq!(s.close().0, Some(0));
}

#[test]
fn stale_versions_and_out_of_range_edits_are_applied_in_order_and_logged() {
    let mut s = Server::start();
    s.initialize();
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "dockerfile", "version": 5, "text": "FROM scratch\nUSER 1\n" } }),
    );
    assert!(codes(&diagnostics_for_version(&mut s, 5)).is_empty());
    // A stale version (lower than the current one): applied in order, logged.
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 3 }, "contentChanges": [{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "RNU a\n" }] }),
    );
    assert_eq!(codes(&diagnostics_for_version(&mut s, 3)), ["DW002"]);
    // The same version again: applied, logged.
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 3 }, "contentChanges": [{ "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 3 } }, "text": "RUN" }] }),
    );
    // Positions past the end of a line and of the document, and a reversed range: clamped, logged.
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 7 }, "contentChanges": [
            { "range": { "start": { "line": 0, "character": 400 }, "end": { "line": 0, "character": 999 } }, "text": "" },
            { "range": { "start": { "line": 90, "character": 0 }, "end": { "line": 80, "character": 5 } }, "text": "LABEL a=b\n" },
            { "range": { "start": { "line": 4294967295u32, "character": 4294967295u32 }, "end": { "line": 4294967295u32, "character": 4294967295u32 } }, "text": "" }
        ] }),
    );
    let d = diagnostics_for_version(&mut s, 7);
    assert!(!codes(&d).contains(&"DW002".to_string()), "{d}");
    // A change to a document that is not open: logged, ignored.
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///dockward-faults/never-opened/Dockerfile", "version": 1 }, "contentChanges": [{ "text": "FROM x\n" }] }),
    );
    // The server still has the text the changes produced: a hover on the last line is answered.
    let r = s.request(
        2,
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 1 } }),
    );
    assert!(r.get("result").is_some(), "{r}");
    let logs = s.logs();
    let has = |needle: &str| logs.iter().any(|l| l.contains(needle));
    assert!(has("version 3 after 5"), "{logs:#?}");
    assert!(has("version 3 after 3"), "{logs:#?}");
    assert!(has("2 change(s) had positions outside the document"), "{logs:#?}");
    assert!(has("not open"), "{logs:#?}");
    let r = s.request(3, "shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    s.notify("exit", Value::Null);
    assert_eq!(s.close().0, Some(0));
}

#[test]
fn a_ten_megabyte_document_is_served_within_bounds() {
    let mut s = Server::start();
    // Checking 10 MB takes about 7 s of CPU in a debug build; a busy machine stretches that.
    s.patience = Duration::from_secs(150);
    s.initialize();
    let mut text = String::from("FROM alpine:3.20\n");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("RUN echo \"a reasonably long line of shell to make the file large\" && true\n");
    }
    text.push_str("USER 10001\n");
    let started = Instant::now();
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "dockerfile", "version": 1, "text": text } }),
    );
    let d = diagnostics_for_version(&mut s, 1);
    assert!(!codes(&d).contains(&"DW101".to_string()), "{:?}", codes(&d));
    // An edit at the end of the 10 MB document is incremental.
    let lines = text.lines().count() as i64;
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "range": { "start": { "line": lines - 1, "character": 0 }, "end": { "line": lines - 1, "character": 10 } }, "text": "USER root" }] }),
    );
    let d = diagnostics_for_version(&mut s, 2);
    assert!(codes(&d).contains(&"DW101".to_string()), "{:?}", codes(&d));
    // A bound against pathological (say quadratic) slowness in a debug build on a busy machine, not a
    // benchmark.
    assert!(started.elapsed() < Duration::from_secs(300), "{:?}", started.elapsed());
    let r = s.request(2, "shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    s.notify("exit", Value::Null);
    assert_eq!(s.close().0, Some(0));
}

/// The language server lexes on its own thread (`syntax::lex_on_calling_thread`): opening a document large
/// enough for the command line's lexing workers starts none in the server, whose memory they would cost.
/// (Vacuous on a machine with one CPU, where no worker is ever started.)
#[cfg(target_os = "linux")]
#[test]
fn opening_a_large_document_starts_no_lexing_thread() {
    let mut s = Server::start();
    s.initialize();
    let mut text = String::from("FROM alpine:3.20\n");
    while text.len() < 256 * 1024 {
        text.push_str("RUN echo \"a line of shell long enough to make the file large\" && true\n");
    }
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "dockerfile", "version": 1, "text": text } }),
    );
    diagnostics_for_version(&mut s, 1);
    let threads: Vec<String> = std::fs::read_dir(format!("/proc/{}/task", s.child.id()))
        .expect("the server's threads")
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_string())
        .collect();
    assert!(threads.iter().any(|t| t.starts_with("dockward-lsp")), "{threads:?}");
    assert!(!threads.iter().any(|t| t.starts_with("dockward-lex")), "{threads:?}");
    let r = s.request(2, "shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    s.notify("exit", Value::Null);
    assert_eq!(s.close().0, Some(0));
}

/// A build context of 1,000,000 files, five times the scan bound (`cli::discover::CONTEXT_MAX_ENTRIES`):
/// the walk stops at the bound, in bounded time, and the user is told, by the CLI on stderr and by the
/// language server in its log. The files are hard links of one empty file (one system call each), 1,000
/// directories of 1,000, built once per target directory. (`a_hundred_thousand_file_context_is_scanned_within_bounds`
/// in `tests/cli.rs` checks where the cut falls with a smaller bound.)
#[test]
fn a_context_over_the_entry_bound_is_cut_and_the_user_is_told() {
    use std::fs;
    use std::path::Path;
    let bound = dockward::cli::discover::CONTEXT_MAX_ENTRIES;
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("faults")
        .join("huge-context");
    let done = d.join("big/.complete-1m");
    if !done.exists() {
        let _ = fs::remove_dir_all(&d);
        let dirs = 1000;
        assert!(dirs * 1000 >= 5 * bound);
        for i in 0..dirs {
            let dir = d.join(format!("big/d{i:04}"));
            fs::create_dir_all(&dir).unwrap();
            let first = dir.join("f000");
            fs::write(&first, "").unwrap();
            for j in 1..1000 {
                fs::hard_link(&first, dir.join(format!("f{j:03}"))).unwrap();
            }
        }
        fs::write(&done, "").unwrap();
    }
    fs::write(d.join("Dockerfile"), "FROM alpine:3.20\nCOPY . /app\nUSER 1\n").unwrap();
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(["check", d.join("Dockerfile").to_str().unwrap(), "--today", "2026-11-28"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("the build context is larger than dockward lists") && stderr.contains(&bound.to_string()),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    // The language server scans the context on its worker thread and logs the same.
    let mut s = Server::start();
    s.initialize();
    let uri = format!("file://{}", d.join("Dockerfile").display());
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "dockerfile", "version": 1, "text": "FROM alpine:3.20\nCOPY . /app\nUSER 1\n" } }),
    );
    let log = s.wait("the incomplete-context log", |m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|t| t.contains("the build context is larger than dockward lists"))
    });
    assert!(
        log["params"]["message"].as_str().unwrap().contains("huge-context"),
        "{log}"
    );
    // Answering requests did not wait for the scan.
    let r = s.request(2, "shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    s.notify("exit", Value::Null);
    assert_eq!(s.close().0, Some(0));
}
