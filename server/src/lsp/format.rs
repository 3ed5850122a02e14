//! `textDocument/formatting`, `rangeFormatting` and `onTypeFormatting` (on a newline): the edits of
//! `ide::format` converted to the negotiated position encoding.
//!
//! The options come from the document's settings (`dockward.format`, `[format]` in `.dockward.toml`);
//! the continuation indent falls back to the editor's `tabSize`/`insertSpaces`, and the editor's
//! `trimTrailingWhitespace`, `insertFinalNewline` and `trimFinalNewlines` are honoured when it sends them.

use lsp_server::ResponseError;
use lsp_types::{DocumentOnTypeFormattingOptions, TextEdit};
use serde_json::Value;

use crate::ide::format::{self, Edit, FormatOptions};
use crate::lsp::convert;
use crate::lsp::document::{DocKind, Document};
use crate::lsp::server::Server;
use crate::settings::FormatSettings;
use crate::text::Encoding;

const INVALID_PARAMS: i32 = -32602;

fn error(message: String) -> ResponseError {
    ResponseError {
        code: INVALID_PARAMS,
        message,
        data: None,
    }
}

/// The `documentOnTypeFormattingProvider` capability: a typed newline indents a continuation line.
pub fn on_type_capability() -> DocumentOnTypeFormattingOptions {
    DocumentOnTypeFormattingOptions {
        first_trigger_character: "\n".into(),
        more_trigger_character: None,
    }
}

/// The formatter's options from the settings and the editor's `FormattingOptions` (read leniently: a
/// missing or odd field takes its default).
pub fn options(settings: &FormatSettings, editor: &Value) -> FormatOptions {
    let flag = |k: &str, default: bool| editor[k].as_bool().unwrap_or(default);
    let indent = settings.continuation_indent.clone().unwrap_or_else(|| {
        match (editor["insertSpaces"].as_bool(), editor["tabSize"].as_u64()) {
            (Some(false), _) => "\t".to_string(),
            (_, Some(n)) if n <= 16 => " ".repeat(n as usize),
            _ => "    ".to_string(),
        }
    });
    FormatOptions {
        keyword_case: settings.keyword_case,
        indent,
        max_blank_lines: settings.max_blank_lines.unwrap_or(1),
        trim_trailing_whitespace: flag("trimTrailingWhitespace", true),
        insert_final_newline: flag("insertFinalNewline", true),
        trim_final_newlines: flag("trimFinalNewlines", true),
    }
}

fn to_lsp(doc: &Document, edits: &[Edit], enc: Encoding) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit {
            range: convert::range(&doc.text, &doc.index, e.range, enc),
            new_text: e.new_text.clone(),
        })
        .collect()
}

/// Which of the three requests.
enum Request {
    Document,
    Range(lsp_types::Range),
    OnType(lsp_types::Position),
}

impl Server {
    fn format_request(&mut self, params: Value, what: Request) -> Result<Value, ResponseError> {
        let uri = params["textDocument"]["uri"]
            .as_str()
            .ok_or_else(|| error("textDocument.uri is missing".into()))?
            .to_string();
        if self.docs.get(&uri).is_none_or(|d| d.kind != DocKind::Dockerfile) {
            return Ok(Value::Null);
        }
        let settings = self.resolve(&uri).settings.format;
        let opts = options(&settings, &params["options"]);
        let Some(doc) = self.docs.get(&uri) else {
            return Ok(Value::Null);
        };
        let Some(tree) = &doc.tree else {
            return Ok(Value::Null);
        };
        let edits = match what {
            Request::Document => format::format(&doc.text, tree, &opts),
            Request::Range(r) => {
                let r = convert::text_range(&doc.text, &doc.index, r, self.enc);
                format::format_range(&doc.text, tree, &opts, r)
            }
            Request::OnType(p) => {
                let at = convert::offset(&doc.text, &doc.index, p, self.enc);
                format::on_type_newline(&doc.text, tree, &opts, at)
            }
        };
        serde_json::to_value(to_lsp(doc, &edits, self.enc)).map_err(|e| error(e.to_string()))
    }

    pub(super) fn formatting(&mut self, params: Value) -> Result<Value, ResponseError> {
        self.format_request(params, Request::Document)
    }

    pub(super) fn range_formatting(&mut self, params: Value) -> Result<Value, ResponseError> {
        let r: lsp_types::Range =
            serde_json::from_value(params["range"].clone()).map_err(|e| error(format!("range: {e}")))?;
        self.format_request(params, Request::Range(r))
    }

    pub(super) fn on_type_formatting(&mut self, params: Value) -> Result<Value, ResponseError> {
        if params["ch"] != "\n" {
            return Ok(Value::Array(Vec::new()));
        }
        let p: lsp_types::Position =
            serde_json::from_value(params["position"].clone()).map_err(|e| error(format!("position: {e}")))?;
        self.format_request(params, Request::OnType(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_editor_options_fill_what_the_settings_leave_open() {
        let s = FormatSettings::default();
        assert_eq!(options(&s, &json!({ "tabSize": 2, "insertSpaces": true })).indent, "  ");
        assert_eq!(
            options(&s, &json!({ "tabSize": 8, "insertSpaces": false })).indent,
            "\t"
        );
        assert_eq!(options(&s, &Value::Null).indent, "    ");
        let o = options(
            &s,
            &json!({ "tabSize": 4, "insertSpaces": true, "insertFinalNewline": false }),
        );
        assert!(!o.insert_final_newline && o.trim_trailing_whitespace);
        let s = FormatSettings {
            continuation_indent: Some("  ".into()),
            max_blank_lines: Some(0),
            ..FormatSettings::default()
        };
        let o = options(&s, &json!({ "tabSize": 8, "insertSpaces": true }));
        assert_eq!((o.indent.as_str(), o.max_blank_lines), ("  ", 0));
    }
}
