//! `textDocument/completion`: in Dockerfiles the items of `ide::completion` converted with the negotiated
//! position encoding (snippets, markdown and deprecation tags only for clients that advertise them); in
//! `.dockerignore` files the build context's paths below the directory typed so far.

use serde_json::{Value, json};

use lsp_server::ResponseError;
use lsp_types::CompletionParams;

use crate::ide::completion::{self, Input, Item, ItemKind};
use crate::lsp::convert;
use crate::lsp::document::DocKind;
use crate::lsp::server::{INVALID_PARAMS, Server, error, today_from_clock};

/// What the client's `textDocument.completion.completionItem` capabilities allow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompletionCaps {
    pub snippets: bool,
    pub markdown: bool,
    /// `tags: [1]` (deprecated) is understood.
    pub deprecated_tag: bool,
}

impl CompletionCaps {
    /// From the raw `initialize` parameters.
    pub fn from_initialize(raw: &Value) -> CompletionCaps {
        let item = &raw["capabilities"]["textDocument"]["completion"]["completionItem"];
        CompletionCaps {
            snippets: item["snippetSupport"] == json!(true),
            markdown: item["documentationFormat"]
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == "markdown")),
            deprecated_tag: item["tagSupport"]["valueSet"]
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == 1)),
        }
    }
}

/// Characters after which clients ask for completion by themselves: `/` for ignore-file paths, `=` for
/// flag and option values, `$` and `{` for variables, `:` for tags, `,` for `--mount` options, `-` for
/// flags.
pub fn trigger_characters() -> Vec<String> {
    ["/", "=", "$", "{", ":", ",", "-"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The protocol's `CompletionItemKind` of an item.
fn kind(k: ItemKind) -> u32 {
    match k {
        ItemKind::Instruction | ItemKind::Keyword | ItemKind::Directive => 14,
        ItemKind::Flag => 5,
        ItemKind::Option => 10,
        ItemKind::Value => 12,
        ItemKind::Variable => 6,
        ItemKind::Stage => 18,
        ItemKind::Image => 9,
        ItemKind::Tag | ItemKind::Code => 21,
    }
}

/// One item as the protocol's `CompletionItem`; `order` becomes its `sortText`.
pub fn to_json(item: &Item, order: usize, range: lsp_types::Range, caps: CompletionCaps) -> Value {
    let (new_text, format) = match (&item.snippet, caps.snippets) {
        (Some(s), true) => (s.as_str(), 2),
        _ => (item.insert.as_str(), 1),
    };
    let mut v = json!({
        "label": item.label,
        "kind": kind(item.kind),
        "sortText": format!("{order:05}"),
        "filterText": item.filter,
        "textEdit": { "range": range, "newText": new_text },
        "insertTextFormat": format,
    });
    if let Some(d) = &item.detail {
        v["detail"] = json!(d);
    }
    if let Some(d) = &item.doc {
        v["documentation"] = json!({ "kind": if caps.markdown { "markdown" } else { "plaintext" }, "value": d });
    }
    if item.deprecated {
        if caps.deprecated_tag {
            v["tags"] = json!([1]);
        } else {
            v["deprecated"] = json!(true);
        }
    }
    v
}

impl Server {
    /// `textDocument/completion`.
    pub(super) fn completion(&mut self, params: Value) -> Result<Value, ResponseError> {
        let p: CompletionParams = serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let uri = p.text_document_position.text_document.uri.as_str().to_string();
        let position = p.text_document_position.position;
        match self.docs.get(&uri).map(|d| d.kind) {
            Some(DocKind::Ignore) => self.ignore_completion(&uri, position),
            Some(DocKind::Dockerfile) => self.dockerfile_completion(&uri, position),
            _ => Ok(Value::Null),
        }
    }

    fn dockerfile_completion(&mut self, uri: &str, position: lsp_types::Position) -> Result<Value, ResponseError> {
        let locale = self.locale_of(uri);
        let today = self.today.unwrap_or_else(today_from_clock);
        let (enc, caps) = (self.enc, self.caps.completion);
        let Some(doc) = self.docs.get(uri) else {
            return Ok(Value::Null);
        };
        let Some(tree) = &doc.tree else {
            return Ok(Value::Null);
        };
        let offset = convert::offset(&doc.text, &doc.index, position, enc);
        let items = completion::complete(&Input {
            text: &doc.text,
            lines: &doc.index,
            tree,
            model: None,
            offset,
            today,
            locale,
        });
        // Every item of one answer usually shares a range: convert each distinct range once.
        let mut last: Option<(crate::text::TextRange, lsp_types::Range)> = None;
        let items: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let range = match last {
                    Some((r, lr)) if r == item.range => lr,
                    _ => {
                        let lr = convert::range(&doc.text, &doc.index, item.range, enc);
                        last = Some((item.range, lr));
                        lr
                    }
                };
                to_json(item, i, range, caps)
            })
            .collect();
        Ok(json!({ "isIncomplete": false, "items": items }))
    }

    /// Completion in a `.dockerignore`: the build context's paths below the directory typed so far.
    fn ignore_completion(&mut self, uri: &str, position: lsp_types::Position) -> Result<Value, ResponseError> {
        let (_, context) = self.resolve_ignore(uri);
        let Some(context) = context else {
            return Ok(json!({ "isIncomplete": true, "items": [] }));
        };
        let Some(doc) = self.docs.get(uri) else {
            return Ok(Value::Null);
        };
        let offset = convert::offset(&doc.text, &doc.index, position, self.enc) as usize;
        let line_start = doc.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = &doc.text[line_start..offset];
        let typed = line.trim_start();
        if typed.starts_with('#') {
            return Ok(json!({ "isIncomplete": false, "items": [] }));
        }
        let typed = typed.strip_prefix('!').map_or(typed, str::trim_start);
        let segment = typed.rfind('/').map_or(typed, |i| &typed[i + 1..]);
        let start = (offset - segment.len()) as u32;
        let range = convert::range(
            &doc.text,
            &doc.index,
            crate::text::TextRange::new(start, offset as u32),
            self.enc,
        );
        let items: Vec<Value> = crate::context::complete_paths(&context, typed)
            .into_iter()
            .map(|c| {
                json!({
                    "label": c.label,
                    "kind": if c.is_dir { 19 } else { 17 },
                    "textEdit": { "range": range, "newText": c.label },
                })
            })
            .collect();
        Ok(json!({ "isIncomplete": !context.complete, "items": items }))
    }
}
