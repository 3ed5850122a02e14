//! dockward: a Dockerfile and `.dockerignore` security linter, language server and CLI.
//!
//! The engine is pure: `syntax` parses text into trees, `model` derives facts from them, `rules` turn facts
//! into diagnostics, and `check` runs the rules. Only `cli` and `lsp` do IO.

pub mod data;
pub mod syntax;
pub mod text;
