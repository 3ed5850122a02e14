//! `dockward lsp`: the language server. A thin edge around the engine: it keeps the open documents,
//! reads the files a Dockerfile depends on, calls the same `check()` as the CLI, and converts.
//!
//! One ordered main loop owns all state (`server::Server`); every cause of work is an [`Event`]. The
//! only module that knows `lsp_types` and `lsp_server`.

pub mod actions;
pub mod completion;
pub mod convert;
pub mod diagnostics;
pub mod document;
pub mod format;
pub mod hover;
pub mod inlay;
pub mod navigation;
pub mod scan;
pub mod semantic;
pub mod server;
pub mod timings;
pub mod transport;
pub mod workspace;

use crossbeam_channel::Receiver;

pub use transport::{Incoming, Outgoing};

/// Everything that makes the server work: a message from the client, or a finished context scan.
#[derive(Debug)]
pub enum Event {
    Client(Incoming),
    Scanned(scan::Scanned),
}

/// Runs the server on stdio until `exit` (or the client goes away); returns the process exit code:
/// 0 after `shutdown` then `exit`, 1 otherwise.
pub fn run_stdio() -> i32 {
    // No lexing workers in the server: a thread with its own heap costs more memory than it saves time
    // (see `syntax::lex_on_calling_thread`).
    crate::syntax::lex_on_calling_thread();
    timings::init_from_env();
    let io = transport::Stdio::start();
    let code = serve(io.incoming.clone(), io.outgoing.clone());
    io.finish();
    code
}

/// Runs the server over channels (stdio, or in-memory in tests).
pub fn serve(incoming: Receiver<Incoming>, outgoing: impl Into<transport::Outbox>) -> i32 {
    server::Server::new(outgoing).run(incoming)
}
