//! Engine diagnostics as protocol diagnostics, and result ids for pull diagnostics.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use lsp_types::{CodeDescription, DiagnosticSeverity, DiagnosticTag, NumberOrString};
use serde_json::json;

use crate::diagnostic::{Diagnostic, Severity};
use crate::lsp::convert;
use crate::text::{Encoding, LineIndex};

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// One engine diagnostic in protocol form. `data` carries only the rule code and message id: code
/// actions recompute fixes from the current text, so a stale edit can never be applied.
pub fn to_lsp(d: &Diagnostic, text: &str, idx: &LineIndex, enc: Encoding) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push('\n');
        message.push_str(h);
    }
    let href = crate::rules::rule(d.code)
        .and_then(crate::cli::rule_url)
        .and_then(|u| u.parse::<lsp_types::Uri>().ok())
        .map(|href| CodeDescription { href });
    lsp_types::Diagnostic {
        range: convert::range(text, idx, d.range, enc),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: href,
        source: Some("dockward".into()),
        message,
        related_information: None,
        tags: (d.code == "DW902").then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: Some(json!({ "rule": d.code, "id": d.message_id })),
    }
}

/// A result id for a set of diagnostics: equal ids mean equal diagnostics.
pub fn result_id(items: &[lsp_types::Diagnostic]) -> String {
    result_id_of(&serde_json::to_vec(items).unwrap_or_default())
}

/// [`result_id`] of diagnostics already serialised as a JSON array.
pub fn result_id_of(json: &[u8]) -> String {
    let mut h = DefaultHasher::new();
    json.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// The `textDocument/publishDiagnostics` notification, serialised once: `diagnostics` is the JSON
/// array of the items (as [`result_id_of`] hashed it).
pub fn publish_notification(uri: &str, version: i32, diagnostics: &[u8]) -> Vec<u8> {
    let head = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{{"uri":{},"version":{version},"diagnostics":"#,
        serde_json::Value::String(uri.to_string())
    );
    let mut out = Vec::with_capacity(head.len() + diagnostics.len() + 2);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(diagnostics);
    out.extend_from_slice(b"}}");
    out
}
