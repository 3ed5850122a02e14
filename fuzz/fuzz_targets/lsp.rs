//! Arbitrary bytes on the language server's stdin, in process: the transport's framing (`read_loop`,
//! the code `dockward lsp` runs on stdin) turns them into events, and the server's main loop
//! (`lsp::serve`) handles them all, then the input ends. Nothing may panic (a panicking handler is
//! caught by the server, but the fuzzer still reports it: a caught panic is a bug too), the loop must
//! end when the input does, and everything written must be a framed JSON-RPC 2.0 message.
//!
//! The seeds (`tests/fuzz/seeds.py`) are whole sessions: initialize, open, edits, hover, completion,
//! code actions, formatting of ignore files, shutdown, exit. Document URIs in the seeds live under
//! `file:///dockward-fuzz/`, which does not exist: mutated URIs can still name real directories, whose
//! context scans are bounded (entries and time) and run on the scanner thread without delaying the
//! loop.

#![no_main]

use std::io::Cursor;
use std::sync::Once;

use crossbeam_channel::unbounded;
use dockward::lsp::transport::{self, Incoming, Outgoing};
use libfuzzer_sys::fuzz_target;

/// The one panic the server provokes on purpose (`dockward/debug/panic`, which tests use to check that
/// a panicking handler is answered): it is let through; any other panic aborts, as libFuzzer expects.
fn allow_only_the_deliberate_panic() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
                .unwrap_or("");
            if msg == "panic requested by dockward/debug/panic" {
                return;
            }
            fuzzer_hook(info);
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    allow_only_the_deliberate_panic();
    let (events_tx, events_rx) = unbounded::<Incoming>();
    transport::read_loop(Cursor::new(data), events_tx);
    let (out_tx, out_rx) = unbounded::<Outgoing>();
    let code = dockward::lsp::serve(events_rx, out_tx);
    assert!(code == 0 || code == 1, "exit code {code}");
    for msg in out_rx.try_iter() {
        let mut bytes = Vec::new();
        transport::write_message(&mut bytes, &msg).expect("writing to memory");
        let split = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header ends with a blank line");
        let header = std::str::from_utf8(&bytes[..split]).expect("an ASCII header");
        let body = &bytes[split + 4..];
        assert_eq!(header, format!("Content-Length: {}", body.len()));
        let v: serde_json::Value = serde_json::from_slice(body).expect("a JSON body");
        assert_eq!(v["jsonrpc"], "2.0", "not JSON-RPC 2.0: {v}");
    }
});
