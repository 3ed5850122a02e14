//! `textDocument/inlayHint`: the hints of `ide::inlay` in the requested range, with the kinds the
//! document's settings (`dockward.inlayHints`, `[inlay-hints]`) turn on.

use lsp_server::ResponseError;
use lsp_types::InlayHintParams;
use serde_json::{Value, json};

use crate::ide::inlay::{self, HintKind, Input};
use crate::lsp::convert;
use crate::lsp::document::DocKind;
use crate::lsp::server::{INVALID_PARAMS, Server, error, today_from_clock};
use crate::model::Model;

impl Server {
    /// `textDocument/inlayHint`.
    pub(super) fn inlay_hints(&mut self, params: Value) -> Result<Value, ResponseError> {
        let p: InlayHintParams = serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let uri = p.text_document.uri.as_str().to_string();
        if self.docs.get(&uri).map(|d| d.kind) != Some(DocKind::Dockerfile) {
            return Ok(json!([]));
        }
        let settings = self.resolve(&uri).settings;
        let today = self.today.unwrap_or_else(today_from_clock);
        let (enc, markdown) = (self.enc, self.caps.markdown_hover);
        let Some(doc) = self.docs.get(&uri) else {
            return Ok(json!([]));
        };
        let Some(tree) = &doc.tree else {
            return Ok(json!([]));
        };
        let o = settings.inlay_hints;
        if !(o.values || o.user || o.eol) {
            return Ok(json!([]));
        }
        let model = Model::build(tree);
        let hints = inlay::inlay_hints(&Input {
            text: &doc.text,
            lines: &doc.index,
            tree,
            model: &model,
            range: convert::text_range(&doc.text, &doc.index, p.range, enc),
            today,
            locale: settings.locale,
            options: o,
        });
        let out: Vec<Value> = hints
            .iter()
            .map(|h| {
                let mut v = json!({
                    "position": convert::position(&doc.text, &doc.index, h.offset, enc),
                    "label": h.label,
                    "paddingLeft": true,
                });
                if h.kind == HintKind::Value {
                    v["kind"] = json!(1);
                }
                if let Some(t) = &h.tooltip {
                    v["tooltip"] = json!({ "kind": if markdown { "markdown" } else { "plaintext" }, "value": t });
                }
                v
            })
            .collect();
        Ok(Value::Array(out))
    }
}
