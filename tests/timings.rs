//! The real `dockward lsp` process. `DOCKWARD_TIMINGS`: with the variable set, every phase of an edit is
//! timed on standard error and agrees with what was sent; without it, nothing is written. And the
//! allocator it runs on, which is not the command line's.

use std::io::{BufRead, Read, Write};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn frame(v: Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads one message from the server: its JSON (which must be whole) and its size on the wire, header
/// included; `None` at the end of the output.
fn read_message(stdout: &mut impl BufRead) -> Option<(Value, usize)> {
    let mut head = String::new();
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap_or(0) > 0 {
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
        line.clear();
    }
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))?
        .trim()
        .parse()
        .unwrap();
    let mut body = vec![0; len];
    stdout.read_exact(&mut body).unwrap();
    let v = serde_json::from_slice(&body).expect("a whole JSON message");
    Some((v, head.len() + len))
}

/// The text every session opens, and the change it makes (a word typed at the end of the `RUN`).
const TEXT: &str = "FROM node:14\n# a note\nARG TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\nRUN echo hi\n";

fn typed(line: u32, character: u32, text: &str) -> Value {
    json!({"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}, "text": text})
}

/// Runs a whole session (initialize, open, one change once the opened text's diagnostics came, then
/// shutdown and exit once the change's came) with the environment variables `env` set, and returns the messages the server
/// sent, each with its size on the wire (header included), and its stderr.
fn session(env: &[(&str, &str)]) -> (Vec<(Value, usize)>, String) {
    session_with(env, FILE, typed(3, 11, " there"))
}

/// A document on disk: its first check starts a scan of its folder (the build context), and the scan's end
/// checks it again, which may come after the change.
const FILE: &str = "file:///tmp/dockward-timings/Dockerfile";

/// A document with no path, so with no build context to scan: only the session's own messages check it.
const UNTITLED: &str = "untitled:Untitled-1";

/// [`session`] with another document and another change of its text.
fn session_with(env: &[(&str, &str)], uri: &str, change: Value) -> (Vec<(Value, usize)>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockward"));
    cmd.arg("lsp")
        .env("DOCKWARD_TODAY", "2026-11-28")
        .env_remove("DOCKWARD_LOG")
        .env_remove("DOCKWARD_TIMINGS")
        .env_remove("MIMALLOC_SHOW_STATS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.envs(env.iter().copied());
    let mut child = cmd.spawn().expect("start dockward lsp");
    let text = TEXT;
    let mut stdin = child.stdin.take().unwrap();
    let mut send = |m: Value| {
        stdin.write_all(&frame(m)).unwrap();
        stdin.flush().unwrap();
    };
    let mut err = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let (tx, rx) = std::sync::mpsc::channel();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        while let Some(message) = read_message(&mut stdout) {
            if tx.send(message).is_err() {
                return;
            }
        }
    });
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
        {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}}),
    );
    let mut messages = Vec::new();
    // The opened version's diagnostics first, then the change's.
    for version in [1, 2] {
        if version == 2 {
            send(
                json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 2},
                "contentChanges": [change.clone()]}}),
            );
        }
        while !messages.iter().any(|(m, _): &(Value, usize)| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        }) {
            messages.push(
                rx.recv_timeout(std::time::Duration::from_secs(20))
                    .unwrap_or_else(|_| panic!("diagnostics of version {version}")),
            );
        }
    }
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert!(
        child.wait().unwrap().success(),
        "the session ends with shutdown and exit"
    );
    messages.extend(rx.iter());
    (messages, errors.join().unwrap())
}

/// The timing lines of `phase` for `version`: (microseconds, the other fields).
fn lines<'a>(stderr: &'a str, phase: &str, version: i64) -> Vec<(u64, Vec<&'a str>)> {
    stderr
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f.len() >= 4 && f[0] == "dockward-timings" && f[1] == phase && f[3] == format!("version={version}"))
                .then(|| (f[2].parse().expect("microseconds"), f[4..].to_vec()))
        })
        .collect()
}

#[test]
fn timings_describe_every_phase_of_an_edit_and_agree_with_what_was_sent() {
    let (messages, stderr) = session(&[("DOCKWARD_TIMINGS", "1")]);
    let (published, size) = messages
        .iter()
        .find(|(m, _)| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 2)
        .expect("diagnostics for the changed document");
    let count = published["params"]["diagnostics"].as_array().unwrap().len();
    assert!(count >= 2, "the example has findings: {published}");
    assert_eq!(lines(&stderr, "apply", 2).len(), 1, "one change applied:\n{stderr}");
    let checks = lines(&stderr, "check", 2);
    assert!(!checks.is_empty(), "the change was checked:\n{stderr}");
    for (_, fields) in &checks {
        assert_eq!(fields, &vec![format!("diagnostics={count}").as_str()], "{stderr}");
    }
    assert_eq!(lines(&stderr, "publication", 2).len(), checks.len(), "{stderr}");
    let writes = lines(&stderr, "write", 2);
    assert_eq!(writes.len(), 1, "one message written for the version:\n{stderr}");
    assert_eq!(writes[0].1.len(), 2, "{stderr}");
    assert_eq!(writes[0].1[0], format!("bytes={size}"), "the bytes the client read");
    // Written by the main thread itself when the pipe was empty, else by the writer thread.
    assert!(
        ["by=main", "by=dockward-lsp-writer"].contains(&writes[0].1[1]),
        "{stderr}"
    );
    // Only timing lines: nothing else of the server's reaches stderr in this session.
    assert!(stderr.lines().all(|l| l.starts_with("dockward-timings ")), "{stderr}");
}

/// A quiet change (only the text of a plain comment, away from every published position) is published
/// without a check: the timings say so, and the diagnostics are those of the version before, for the new
/// version. The document has no build context, whose scan could end after the change and check again.
#[test]
fn a_quiet_change_is_published_without_a_check() {
    let (messages, stderr) = session_with(&[("DOCKWARD_TIMINGS", "1")], UNTITLED, typed(1, 8, " typed"));
    let published = |version: i64| {
        messages
            .iter()
            .find(|(m, _)| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version)
            .map(|(m, _)| m["params"]["diagnostics"].clone())
            .unwrap_or_else(|| panic!("diagnostics of version {version}: {messages:?}"))
    };
    assert!(published(1).as_array().unwrap().len() >= 2, "{}", published(1));
    assert_eq!(published(2), published(1));
    let checks = lines(&stderr, "check", 2);
    assert_eq!(checks.len(), 1, "{stderr}");
    let count = published(1).as_array().unwrap().len();
    assert_eq!(
        checks[0].1,
        vec![format!("diagnostics={count}").as_str(), "quiet"],
        "{stderr}"
    );
    assert_eq!(lines(&stderr, "publication", 2)[0].1, vec!["reused"], "{stderr}");
    assert_eq!(lines(&stderr, "write", 2).len(), 1, "{stderr}");
    // The same change in the `RUN` is checked.
    let (_, stderr) = session_with(&[("DOCKWARD_TIMINGS", "1")], UNTITLED, typed(3, 11, " typed"));
    assert!(
        !lines(&stderr, "check", 2).iter().any(|(_, f)| f.contains(&"quiet")),
        "{stderr}"
    );
}

#[test]
fn without_the_variable_nothing_is_timed() {
    let (messages, stderr) = session(&[]);
    assert!(
        messages
            .iter()
            .any(|(m, _)| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 2)
    );
    assert!(!stderr.contains("dockward-timings"), "{stderr}");
}

/// The peak number of pages mimalloc held, from the statistics it prints at exit when
/// `MIMALLOC_SHOW_STATS` is set (`None` when it printed none: it never allocated).
fn mimalloc_pages(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|l| {
        let (name, figures) = l.split_once(':')?;
        (name.trim() == "pages").then(|| figures.split_whitespace().next()?.parse().ok())?
    })
}

/// The language server runs on the system's allocator and a command-line check on mimalloc (see
/// `allocator` in `server/src/main.rs`: glibc passes the arguments that choose it, so on Linux with glibc).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_language_server_allocates_with_the_system_and_the_command_line_with_mimalloc() {
    let (messages, stderr) = session(&[("MIMALLOC_SHOW_STATS", "1")]);
    assert!(
        messages
            .iter()
            .any(|(m, _)| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 2),
        "the session ran"
    );
    assert_eq!(
        mimalloc_pages(&stderr).unwrap_or(0),
        0,
        "mimalloc held no page in the server:\n{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(["check", "--fail-level", "none", "--today", "2026-11-28"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo/Dockerfile"))
        .env("MIMALLOC_SHOW_STATS", "1")
        .output()
        .expect("run dockward check");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        mimalloc_pages(&stderr).is_some_and(|p| p > 0),
        "the check allocated with mimalloc:\n{stderr}"
    );
}

/// An editor that stops reading never blocks the server's main loop: the main thread writes a
/// diagnostics message itself only when the write cannot block (`transport::Outbox`), and leaves every
/// other to the writer thread, and never waits for the writer thread, which may be blocked on the full
/// pipe. The editor here reads the first publication, then reads nothing while the document is changed
/// five times, each publication about 400 KB (three fill the 1 MiB pipe): each change is still checked
/// and published. Once the editor reads again, every message arrives whole and in order.
#[cfg(target_os = "linux")]
#[test]
fn an_editor_that_stops_reading_never_blocks_the_main_loop() {
    use std::sync::mpsc;
    use std::time::Duration;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dockward"))
        .arg("lsp")
        .env("DOCKWARD_TODAY", "2026-11-28")
        .env("DOCKWARD_TIMINGS", "1")
        .env_remove("DOCKWARD_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dockward lsp");
    let mut stdin = child.stdin.take().unwrap();
    let mut send = |m: Value| {
        stdin.write_all(&frame(m)).unwrap();
        stdin.flush().unwrap();
    };
    // The timing lines, as they come.
    let (lines_tx, lines_rx) = mpsc::channel::<String>();
    let err = std::io::BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in err.lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });
    // Waits for the timing line of `phase` for `version`.
    let wait_for = |phase: &str, version: i64| {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let (prefix, field) = (format!("dockward-timings {phase} "), format!("version={version}"));
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match lines_rx.recv_timeout(left) {
                Ok(line) if line.starts_with(&prefix) && line.split(' ').any(|f| f == field) => return line,
                Ok(_) => {}
                Err(_) => panic!("no `{phase}` line for version {version}: the main loop is blocked"),
            }
        }
    };
    // The editor: reads every message until the first publication, then only once `gate` opens.
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    let (msg_tx, msg_rx) = mpsc::channel::<Value>();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        let mut paused = false;
        while let Some((v, _)) = read_message(&mut stdout) {
            let first_publication = v["method"] == "textDocument/publishDiagnostics";
            if msg_tx.send(v).is_err() {
                return;
            }
            if first_publication && !paused {
                paused = true;
                let _ = gate_rx.recv();
            }
        }
    });
    let uri = "file:///tmp/dockward-blocked/Dockerfile";
    let text: String = (0..450)
        .map(|i| format!("FROM node:14 AS s{i}\nARG TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\nRUN echo hi\n"))
        .collect();
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
        {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}}),
    );
    let first = loop {
        let m = msg_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the first publication");
        if m["method"] == "textDocument/publishDiagnostics" {
            break m;
        }
    };
    assert_eq!(first["params"]["version"], 1);
    let size = wait_for("write", 1);
    let bytes: usize = size
        .split(' ')
        .find_map(|f| f.strip_prefix("bytes="))
        .unwrap()
        .parse()
        .unwrap();
    assert!((300_000..500_000).contains(&bytes), "about 400 KB: {size}");
    // The editor reads nothing now. Each change is checked all the same.
    for version in 2..=6 {
        send(
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": 2, "character": 11}, "end": {"line": 2, "character": 11}}, "text": "x"}]}}),
        );
        wait_for("publication", version);
    }
    gate_tx.send(()).unwrap();
    let mut versions = Vec::new();
    while versions.last() != Some(&6) {
        let m = msg_rx.recv_timeout(Duration::from_secs(60)).expect("the publications");
        if m["method"] == "textDocument/publishDiagnostics" {
            assert_eq!(m["params"]["diagnostics"].as_array().unwrap().len(), 901, "whole");
            versions.push(m["params"]["version"].as_i64().unwrap());
        }
    }
    assert_eq!(versions, vec![2, 3, 4, 5, 6], "every publication, in order");
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert!(child.wait().unwrap().success());
}
