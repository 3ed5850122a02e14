//! `textDocument/semanticTokens/{full,full/delta,range}`: the tokens of `ide::semantic` encoded in the
//! negotiated position encoding, one token per line unless the client supports multi-line tokens.
//!
//! The last full result of each open document is kept with its result id; a delta request for that id
//! is answered with one edit replacing the tokens between the common prefix and the common suffix of the
//! old and new arrays (typing in one line sends the tokens of that line, not the file).

use std::collections::HashMap;

use lsp_server::ResponseError;
use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensDelta,
    SemanticTokensDeltaParams, SemanticTokensEdit, SemanticTokensFullOptions, SemanticTokensLegend,
    SemanticTokensOptions, SemanticTokensParams, SemanticTokensRangeParams, SemanticTokensServerCapabilities,
};
use serde_json::Value;

use crate::ide::semantic::{self, MODIFIERS, Token, TokenType};
use crate::lsp::convert;
use crate::lsp::server::Server;
use crate::text::{Encoding, LineIndex, TextRange};

const INVALID_PARAMS: i32 = -32602;
const INTERNAL_ERROR: i32 = -32603;

fn error(code: i32, message: String) -> ResponseError {
    ResponseError {
        code,
        message,
        data: None,
    }
}

/// The legend: the token types of `ide::semantic` and its modifiers, all standard names.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TokenType::ALL
            .iter()
            .map(|t| SemanticTokenType::new(t.name()))
            .collect(),
        token_modifiers: MODIFIERS.iter().map(|m| SemanticTokenModifier::new(m)).collect(),
    }
}

/// The `semanticTokensProvider` capability: full with delta, range.
pub fn capability() -> SemanticTokensServerCapabilities {
    SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
        work_done_progress_options: Default::default(),
        legend: legend(),
        range: Some(true),
        full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
    })
}

/// What the server keeps between semantic-token requests.
#[derive(Debug, Default)]
pub struct TokenCache {
    /// The client accepts tokens that span lines (`multilineTokenSupport`).
    pub multiline: bool,
    next_id: u64,
    /// Per document: the result id and the encoded data of the last full result.
    last: HashMap<String, (String, Vec<u32>)>,
}

impl TokenCache {
    /// Reads the client's capability from the raw `initialize` parameters.
    pub fn from_initialize(raw: &Value) -> TokenCache {
        TokenCache {
            multiline: raw["capabilities"]["textDocument"]["semanticTokens"]["multilineTokenSupport"] == true,
            ..TokenCache::default()
        }
    }
}

/// Length of `s` in the units of `enc`.
fn units(s: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.chars().map(|c| c.len_utf16() as u32).sum(),
        Encoding::Utf32 => s.chars().count() as u32,
    }
}

/// Encodes sorted tokens as the protocol's relative integers. Columns are found by walking forward from
/// the previous token, so the cost is linear in the text the tokens cover.
pub fn encode(text: &str, index: &LineIndex, tokens: &[Token], enc: Encoding, multiline: bool) -> Vec<u32> {
    let mut data = Vec::with_capacity(tokens.len() * 5);
    // Where the last emitted token started: line, column, byte offset.
    let (mut pl, mut pc, mut po) = (0u32, 0u32, 0usize);
    let mut emit = |data: &mut Vec<u32>, start: usize, end: usize, t: &Token| {
        let Some(s) = text.get(start..end) else {
            return;
        };
        if s.is_empty() {
            return;
        }
        let line = index.line_of(start as u32);
        let col = if line == pl && start >= po {
            pc + units(text.get(po..start).unwrap_or(""), enc)
        } else {
            let ls = index.line_start(line) as usize;
            units(text.get(ls..start).unwrap_or(""), enc)
        };
        let (dl, ds) = if line == pl {
            (0, col.saturating_sub(pc))
        } else {
            (line.saturating_sub(pl), col)
        };
        data.extend_from_slice(&[dl, ds, units(s, enc), t.ty.index(), t.modifiers]);
        (pl, pc, po) = (line, col, start);
    };
    for t in tokens {
        let (start, end) = (t.range.start as usize, (t.range.end as usize).min(text.len()));
        if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        if multiline || !text[start..end].contains('\n') {
            emit(&mut data, start, end, t);
            continue;
        }
        // One token per line, without the line terminators.
        let mut line = index.line_of(start as u32);
        let mut from = start;
        while from < end {
            let lr = index.line_range(text, line);
            let to = (lr.end as usize).min(end);
            if to > from {
                emit(&mut data, from, to, t);
            }
            line += 1;
            from = index.line_start(line) as usize;
            if line as usize >= index.line_count() {
                break;
            }
        }
    }
    data
}

fn to_tokens(data: &[u32]) -> Vec<SemanticToken> {
    data.chunks_exact(5)
        .map(|c| SemanticToken {
            delta_line: c[0],
            delta_start: c[1],
            length: c[2],
            token_type: c[3],
            token_modifiers_bitset: c[4],
        })
        .collect()
}

/// The edits that turn `old` into `new`: one replacement of the tokens between their common prefix and
/// suffix (whole tokens of five integers), or none.
pub fn diff(old: &[u32], new: &[u32]) -> Vec<SemanticTokensEdit> {
    let (o, n) = (old.len() / 5, new.len() / 5);
    let tok = |v: &[u32], i: usize| -> [u32; 5] { [v[5 * i], v[5 * i + 1], v[5 * i + 2], v[5 * i + 3], v[5 * i + 4]] };
    let mut pre = 0;
    while pre < o && pre < n && tok(old, pre) == tok(new, pre) {
        pre += 1;
    }
    let mut suf = 0;
    while suf < o - pre && suf < n - pre && tok(old, o - 1 - suf) == tok(new, n - 1 - suf) {
        suf += 1;
    }
    if pre == o && pre == n {
        return Vec::new();
    }
    let inserted = &new[5 * pre..5 * (n - suf)];
    vec![SemanticTokensEdit {
        start: (5 * pre) as u32,
        delete_count: (5 * (o - pre - suf)) as u32,
        data: (!inserted.is_empty()).then(|| to_tokens(inserted)),
    }]
}

impl Server {
    /// The encoded tokens of an open Dockerfile (of the items meeting `range` when given).
    fn encoded_tokens(&self, uri: &str, range: Option<lsp_types::Range>) -> Option<Vec<u32>> {
        let doc = self.docs.get(uri)?;
        let tree = doc.tree.as_ref()?;
        let r: Option<TextRange> = range.map(|r| convert::text_range(&doc.text, &doc.index, r, self.enc));
        let tokens = semantic::tokens(&doc.text, tree, r);
        Some(encode(
            &doc.text,
            &doc.index,
            &tokens,
            self.enc,
            self.semantic.multiline,
        ))
    }

    fn remember_tokens(&mut self, uri: &str, data: Vec<u32>) -> String {
        let docs = &self.docs;
        self.semantic.last.retain(|u, _| docs.contains_key(u));
        self.semantic.next_id += 1;
        let id = self.semantic.next_id.to_string();
        self.semantic.last.insert(uri.to_string(), (id.clone(), data));
        id
    }

    pub(super) fn semantic_tokens_full(&mut self, params: Value) -> Result<Value, ResponseError> {
        let p: SemanticTokensParams =
            serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let uri = p.text_document.uri.as_str().to_string();
        let Some(data) = self.encoded_tokens(&uri, None) else {
            return Ok(Value::Null);
        };
        let tokens = to_tokens(&data);
        let id = self.remember_tokens(&uri, data);
        let result = SemanticTokens {
            result_id: Some(id),
            data: tokens,
        };
        serde_json::to_value(result).map_err(|e| error(INTERNAL_ERROR, e.to_string()))
    }

    pub(super) fn semantic_tokens_delta(&mut self, params: Value) -> Result<Value, ResponseError> {
        let p: SemanticTokensDeltaParams =
            serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let uri = p.text_document.uri.as_str().to_string();
        let Some(data) = self.encoded_tokens(&uri, None) else {
            return Ok(Value::Null);
        };
        let previous = self
            .semantic
            .last
            .get(&uri)
            .filter(|(id, _)| *id == p.previous_result_id)
            .map(|(_, old)| diff(old, &data));
        let result = match previous {
            Some(edits) => {
                let id = self.remember_tokens(&uri, data);
                serde_json::to_value(SemanticTokensDelta {
                    result_id: Some(id),
                    edits,
                })
            }
            // An unknown result id: the whole result.
            None => {
                let tokens = to_tokens(&data);
                let id = self.remember_tokens(&uri, data);
                serde_json::to_value(SemanticTokens {
                    result_id: Some(id),
                    data: tokens,
                })
            }
        };
        result.map_err(|e| error(INTERNAL_ERROR, e.to_string()))
    }

    pub(super) fn semantic_tokens_range(&mut self, params: Value) -> Result<Value, ResponseError> {
        let p: SemanticTokensRangeParams =
            serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let uri = p.text_document.uri.as_str().to_string();
        let Some(data) = self.encoded_tokens(&uri, Some(p.range)) else {
            return Ok(Value::Null);
        };
        serde_json::to_value(SemanticTokens {
            result_id: None,
            data: to_tokens(&data),
        })
        .map_err(|e| error(INTERNAL_ERROR, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_replace_only_what_changed() {
        let a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        b[22] = 99;
        let e = diff(&a, &b);
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].start, e[0].delete_count), (20, 5));
        assert_eq!(e[0].data.as_ref().map(Vec::len), Some(1));
        assert!(diff(&a, &a).is_empty());
        let shorter = &a[..45];
        let e = diff(&a, shorter);
        assert_eq!((e[0].start, e[0].delete_count, e[0].data.is_none()), (45, 5, true));
    }

    #[test]
    fn multi_line_tokens_are_split_unless_supported() {
        let text = "FROM a\nCOPY <<EOF /x\n😀 a\nb\nEOF\n";
        let tree = crate::syntax::parse(text);
        let index = LineIndex::new(text);
        let tokens = semantic::tokens(text, &tree, None);
        let split = encode(text, &index, &tokens, Encoding::Utf16, false);
        let whole = encode(text, &index, &tokens, Encoding::Utf16, true);
        assert_eq!(split.len(), whole.len() + 5);
        // The body's first line: "😀 a" is 4 UTF-16 units.
        let body: Vec<&[u32]> = split.chunks(5).filter(|c| c[3] == TokenType::String.index()).collect();
        assert_eq!(body[1], &[1, 0, 4, TokenType::String.index(), 0]);
        assert_eq!(body[2], &[1, 0, 1, TokenType::String.index(), 0]);
    }
}
