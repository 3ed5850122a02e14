//! dockward: a Dockerfile and `.dockerignore` security linter, language server and CLI.
//!
//! The engine is pure: [`syntax`] parses text into trees, [`model`] derives facts from them, [`rules`]
//! turn facts into diagnostics, and [`check()`] runs the rules. Only `cli`, `lsp` and [`registry`] (the network, on
//! request) do IO.

pub mod assists;
pub mod check;
pub mod cli;
pub mod config;
pub mod context;
pub mod data;
pub mod date;
pub mod diagnostic;
pub mod fix;
pub mod ide;
pub mod images;
pub mod lsp;
pub mod memo;
pub mod messages;
pub mod model;
pub mod registry;
pub mod rules;
pub mod secrets;
pub mod settings;
pub mod shell;
pub mod suppress;
pub mod syntax;
#[cfg(test)]
pub(crate) mod testing;
pub mod text;

pub use check::{Context, ContextEntry, EntryKind, IgnoreInput, Input, check, check_ignore, check_tree};
pub use diagnostic::{Applicability, Diagnostic, FileRef, Fix, Severity, TextEdit};
