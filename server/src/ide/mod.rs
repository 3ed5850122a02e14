//! Editing features over the engine's tree and model: completion, symbols, navigation, rename,
//! folding, links, semantic tokens, inlay hints and formatting (issue 11).
//!
//! Pure like the rest of the engine: every function takes the text, the tree, the model and a byte
//! offset or range, and returns byte ranges and plain values. `lsp/` converts them to the protocol.

pub mod completion;
pub mod flags;
pub mod folding;
pub mod format;
pub mod hover;
pub mod inlay;
pub mod links;
pub mod navigate;
pub mod selection;
pub mod semantic;
pub mod symbols;
