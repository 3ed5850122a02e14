//! `DOCKWARD_TIMINGS`: where the language server's time goes, one line per phase on standard error.
//!
//! Set `DOCKWARD_TIMINGS` (to anything) in the server's environment and it writes, for every change it
//! handles and every diagnostics message it sends, lines of the form
//!
//! ```text
//! dockward-timings apply 312 version=7
//! dockward-timings check 3201 version=7 diagnostics=8696
//! dockward-timings publication 1344 version=7
//! dockward-timings write 2520 version=7 bytes=4550654 by=dockward-lsp-writer
//! ```
//!
//! The number is the phase's wall time in microseconds:
//! - `apply`: a `didChange` notification applied: the text edited, the line index and the syntax tree
//!   updated in place;
//! - `check`: the engine's check of the document;
//! - `publication`: the diagnostics turned into the JSON sent (reused for the diagnostics that did not
//!   change), and the previous publication dropped;
//! - `write`: writing the whole `publishDiagnostics` message (or pull report) to the editor's pipe,
//!   from its first byte to its last; `by` names the thread that wrote it: the writer thread
//!   (`dockward-lsp-writer`), or the main thread itself (`main`) when the message could be written at
//!   once (`transport::Outbox`).
//!
//! The benchmark (`tests/bench/bench.py`) reads these lines to show where an edit's time goes at 5,000
//! and 50,000 lines. Without the variable the server reads no clock for this and writes nothing.
//! Timings go to a duplicate of the standard error descriptor, never to the client: they are for
//! measuring, and some editors show everything a server writes to standard error as an error.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// Where the lines go, when timings are on.
static SINK: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();

/// Turns timings on when `DOCKWARD_TIMINGS` is set. Called once by the stdio server before its threads
/// start; a server that never calls it (the in-memory one of the tests) times nothing.
pub fn init_from_env() {
    SINK.get_or_init(|| {
        std::env::var_os("DOCKWARD_TIMINGS")
            .and_then(|_| duplicate_stderr())
            .map(Mutex::new)
    });
}

/// A duplicate of the standard error descriptor, written directly: the process's `Stderr` is locked
/// by the main thread for the whole run (`main.rs`), and the writer thread times too.
fn duplicate_stderr() -> Option<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        std::io::stderr()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(std::fs::File::from)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The start of a phase: `None` (no clock read) when timings are off.
pub fn start() -> Option<Instant> {
    matches!(SINK.get(), Some(Some(_))).then(Instant::now)
}

/// Ends the phase `what` begun at `started` (when timings are on), with `details` after the time
/// (`version=7 bytes=…`); `details` is only called when the line is written.
pub fn end(started: Option<Instant>, what: &str, details: impl FnOnce() -> String) {
    let (Some(t0), Some(Some(sink))) = (started, SINK.get()) else {
        return;
    };
    let micros = t0.elapsed().as_micros();
    let line = format!("dockward-timings {what} {micros} {}\n", details());
    if let Ok(mut f) = sink.lock() {
        // A failed write loses one line of timings, nothing else.
        let _ = f.write_all(line.as_bytes());
    }
}
