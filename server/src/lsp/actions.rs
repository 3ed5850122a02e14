//! Code actions: one quick fix per fix of a diagnostic, "ignore this rule here", fix-all (resolved
//! lazily), and refactor rewrites. Everything is recomputed from the current text.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, CreateFile, CreateFileOptions, DocumentChangeOperation, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, ResourceOp, TextDocumentEdit, TextEdit as LspTextEdit, WorkspaceEdit,
};
use serde_json::json;

use crate::assists;
use crate::diagnostic::{Applicability, Diagnostic, FileRef, Fix, Resolve, TextEdit};
use crate::fix;
use crate::lsp::convert;
use crate::lsp::diagnostics::to_lsp;
use crate::lsp::document::{DocKind, Document};
use crate::messages::{self, Locale};
use crate::text::{Encoding, LineIndex, TextRange};

/// The source kind of dockward's fix-all action.
pub const FIX_ALL: &str = "source.fixAll.dockward";

/// What the client can apply.
#[derive(Clone, Copy, Debug, Default)]
pub struct EditCaps {
    pub document_changes: bool,
    pub create_files: bool,
    pub resolve_edit: bool,
}

/// The ignore file a Dockerfile's fixes may edit.
pub struct IgnoreTarget<'a> {
    pub path: &'a Path,
    /// Its current text (open buffer or disk); `None` when it does not exist.
    pub text: Option<&'a str>,
    /// Its version when open in the editor.
    pub version: Option<i32>,
}

/// Everything code actions read.
pub struct Actions<'a> {
    pub doc: &'a Document,
    /// Fresh diagnostics of the document (all of them).
    pub diagnostics: &'a [Diagnostic],
    pub ignore: Option<IgnoreTarget<'a>>,
    pub enc: Encoding,
    pub caps: EditCaps,
    pub locale: Locale,
}

fn edits_for(text: &str, edits: &[&TextEdit], enc: Encoding) -> Vec<LspTextEdit> {
    let idx = LineIndex::new(text);
    edits
        .iter()
        .map(|e| LspTextEdit {
            range: convert::range(text, &idx, e.range, enc),
            new_text: e.new_text.to_string(),
        })
        .collect()
}

impl Actions<'_> {
    /// A workspace edit for engine edits, or `None` when the client cannot apply it (a file to create
    /// without resource-operation support).
    pub fn workspace_edit(&self, edits: &[TextEdit], creates: Option<&FileRef>) -> Option<WorkspaceEdit> {
        let mut by_file: Vec<(FileRef, Vec<&TextEdit>)> = Vec::new();
        for e in edits {
            match by_file.iter_mut().find(|(f, _)| *f == e.file) {
                Some((_, v)) => v.push(e),
                None => by_file.push((e.file.clone(), vec![e])),
            }
        }
        let mut files: Vec<(String, Option<i32>, Vec<LspTextEdit>, bool)> = Vec::new();
        for (file, es) in by_file {
            match file {
                FileRef::Dockerfile => files.push((
                    self.doc.uri.clone(),
                    Some(self.doc.version),
                    edits_for(&self.doc.text, &es, self.enc),
                    false,
                )),
                FileRef::IgnoreFile => {
                    let t = self.ignore.as_ref()?;
                    let create = creates == Some(&FileRef::IgnoreFile) || t.text.is_none();
                    files.push((
                        convert::path_to_uri(t.path),
                        t.version,
                        edits_for(t.text.unwrap_or(""), &es, self.enc),
                        create,
                    ));
                }
            }
        }
        let creating = files.iter().any(|f| f.3);
        if creating && !(self.caps.document_changes && self.caps.create_files) {
            return None;
        }
        if self.caps.document_changes {
            let mut ops = Vec::new();
            for (uri, version, edits, create) in files {
                let uri: lsp_types::Uri = uri.parse().ok()?;
                if create {
                    ops.push(DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    })));
                }
                ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri,
                        version: if create { None } else { version },
                    },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }));
            }
            return Some(WorkspaceEdit {
                changes: None,
                document_changes: Some(DocumentChanges::Operations(ops)),
                change_annotations: None,
            });
        }
        // lsp-types keys `changes` by `Uri`, which clippy considers interior-mutable; it is only hashed here.
        #[allow(clippy::mutable_key_type)]
        let mut changes = HashMap::new();
        for (uri, _, edits, _) in files {
            changes.insert(uri.parse().ok()?, edits);
        }
        Some(WorkspaceEdit {
            changes: Some(changes),
            document_changes: None,
            change_annotations: None,
        })
    }

    fn fix_action(&self, d: &Diagnostic, f: &Fix, preferred: bool) -> Option<CodeAction> {
        if !f.is_resolved() {
            return self.digest_action(d, f);
        }
        let edit = self.workspace_edit(&f.edits, f.creates.as_ref())?;
        Some(CodeAction {
            title: f.title.to_string(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![to_lsp(d, &self.doc.text, &self.doc.index, self.enc)]),
            edit: Some(edit),
            command: None,
            is_preferred: Some(preferred),
            disabled: None,
            data: None,
        })
    }

    /// A fix that waits for a digest: offered without its edit when the client resolves actions; the
    /// registry is asked only when the user picks it (`codeAction/resolve`), never while listing.
    fn digest_action(&self, d: &Diagnostic, f: &Fix) -> Option<CodeAction> {
        let Some(Resolve::Digest { reference }) = &f.resolve else {
            return None;
        };
        if !self.caps.resolve_edit {
            return None;
        }
        let edit = self.workspace_edit(&f.edits, f.creates.as_ref())?;
        Some(CodeAction {
            title: f.title.to_string(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![to_lsp(d, &self.doc.text, &self.doc.index, self.enc)]),
            edit: None,
            command: None,
            is_preferred: Some(false),
            disabled: None,
            data: Some(json!({
                "kind": "digest",
                "uri": self.doc.uri,
                "version": self.doc.version,
                "reference": reference,
                "edit": edit,
            })),
        })
    }

    /// "Ignore DWxxx for this instruction": a `# dockward ignore=` comment above the instruction, or the
    /// code added to one that is already there.
    fn ignore_action(&self, d: &Diagnostic) -> Option<CodeAction> {
        let tree = self.doc.tree.as_ref()?;
        let text = &self.doc.text;
        let i = tree.item_at(d.range.start)?;
        let item = tree.item(i)?;
        item.instruction()?;
        // An existing pragma directly above?
        let prev = i.checked_sub(1).and_then(|p| tree.item(p));
        let existing = prev.and_then(|p| {
            let c = p.comment()?;
            let line = &text[p.abs(c.range).as_usize()];
            let body = line.trim_start_matches('#').trim_start();
            let list = body.strip_prefix("dockward ignore=")?;
            let end = list.find("--").unwrap_or(list.len());
            let codes_end = p.abs(c.range).start as usize + (line.len() - list.len()) + list[..end].trim_end().len();
            Some(codes_end as u32)
        });
        let edit = match existing {
            Some(at) => TextEdit {
                file: FileRef::Dockerfile,
                range: TextRange::empty(at),
                new_text: format!(",{}", d.code).into(),
            },
            None => {
                let line_start = item.start;
                let indent: String = text[line_start as usize..]
                    .chars()
                    .take_while(|c| *c == ' ' || *c == '\t')
                    .collect();
                let reason = messages::render(self.locale, "action.ignore-reason", &[]);
                TextEdit {
                    file: FileRef::Dockerfile,
                    range: TextRange::empty(line_start),
                    new_text: format!("{indent}# dockward ignore={} -- {reason}\n", d.code).into(),
                }
            }
        };
        Some(CodeAction {
            title: messages::render(self.locale, "action.ignore", &[("code", d.code.to_string())]),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![to_lsp(d, text, &self.doc.index, self.enc)]),
            edit: self.workspace_edit(&[edit], None),
            command: None,
            is_preferred: Some(false),
            disabled: None,
            data: None,
        })
    }

    /// The quick fixes and ignore actions for diagnostics touching `range`. For an ignore document
    /// (`.dockerignore`), its own findings' fixes, whose edits are on [`FileRef::IgnoreFile`] (the
    /// document itself, given as [`Actions::ignore`]).
    pub fn quick_fixes(&self, range: TextRange) -> Vec<CodeAction> {
        let own = if self.doc.kind == DocKind::Ignore {
            FileRef::IgnoreFile
        } else {
            FileRef::Dockerfile
        };
        let mut out = Vec::new();
        for d in self
            .diagnostics
            .iter()
            .filter(|d| d.file == own && d.range.intersects(range))
        {
            for (k, f) in d.fixes.iter().enumerate() {
                if let Some(a) = self.fix_action(d, f, k == 0 && f.applicability == Applicability::Safe) {
                    out.push(a);
                }
            }
            if own == FileRef::Dockerfile
                && !d.code.starts_with("DW9")
                && let Some(a) = self.ignore_action(d)
            {
                out.push(a);
            }
        }
        out
    }

    /// Refactor rewrites for the instructions `range` touches; a rewrite that a quick fix of the same
    /// request already makes (DW606's exec form, DW613's `key=value`) is not offered twice.
    pub fn rewrites(&self, range: TextRange) -> Vec<CodeAction> {
        let Some(tree) = &self.doc.tree else {
            return Vec::new();
        };
        let fixed: Vec<&[crate::diagnostic::TextEdit]> = self
            .diagnostics
            .iter()
            .filter(|d| d.file == FileRef::Dockerfile && d.range.intersects(range))
            .flat_map(|d| d.fixes.iter().map(|f| f.edits.as_slice()))
            .collect();
        assists::assists(tree, &self.doc.text, range, self.locale)
            .into_iter()
            .filter(|a| !fixed.contains(&a.edits.as_slice()))
            .filter_map(|a| {
                Some(CodeAction {
                    title: a.title,
                    kind: Some(CodeActionKind::REFACTOR_REWRITE),
                    edit: Some(self.workspace_edit(&a.edits, None)?),
                    ..CodeAction::default()
                })
            })
            .collect()
    }

    /// The fix-all action without its edit: `codeAction/resolve` computes it (or the caller does at
    /// once for clients that cannot resolve).
    pub fn fix_all(&self) -> Option<CodeAction> {
        // Only fixes with edits to this Dockerfile count: fix-all edits the document alone.
        if !fix::select_fixes(self.diagnostics, Applicability::Safe)
            .iter()
            .any(|f| f.edits.iter().any(|e| e.file == FileRef::Dockerfile))
        {
            return None;
        }
        Some(CodeAction {
            title: messages::render(self.locale, "action.fix-all", &[]),
            kind: Some(CodeActionKind::from(FIX_ALL)),
            data: Some(json!({ "uri": self.doc.uri, "version": self.doc.version, "kind": "fixAll" })),
            ..CodeAction::default()
        })
    }
}

/// Applies safe Dockerfile fixes to a fixpoint with `recheck`, returning the new text (or `None` when
/// nothing changes).
pub fn fix_all_text(text: &str, mut recheck: impl FnMut(&str) -> Vec<Diagnostic>) -> Option<String> {
    let mut cur = text.to_string();
    for _ in 0..10 {
        let ds = recheck(&cur);
        let chosen = fix::select_fixes(&ds, Applicability::Safe);
        let edits: Vec<&TextEdit> = chosen
            .iter()
            .flat_map(|f| f.edits.iter().filter(|e| e.file == FileRef::Dockerfile))
            .collect();
        if edits.is_empty() {
            break;
        }
        match fix::apply_edits(&cur, &edits) {
            Ok(next) if next != cur => cur = next,
            _ => break,
        }
    }
    (cur != text).then_some(cur)
}

/// The smallest single edit turning `old` into `new` (common prefix and suffix kept).
pub fn minimal_edit(old: &str, new: &str) -> TextEdit {
    let prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    let mut prefix = prefix.min(old.len()).min(new.len());
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    TextEdit {
        file: FileRef::Dockerfile,
        range: TextRange::new(prefix as u32, (old.len() - suffix) as u32),
        new_text: new[prefix..new.len() - suffix].to_string().into(),
    }
}

/// Whether an action of `kind` passes the client's `only` filter (kinds are hierarchical).
pub fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    match only {
        None => true,
        Some(list) => list.iter().any(|k| {
            let k = k.as_str();
            kind == k || kind.starts_with(&format!("{k}."))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_edits_keep_common_text() {
        let e = minimal_edit("FROM a\nRUN a \\\n\n  b\n", "FROM a\nRUN a \\\n  b\n");
        assert_eq!((e.range, e.new_text.as_str()), (TextRange::new(15, 16), ""));
        let e = minimal_edit("日本", "日本語");
        assert_eq!((e.range, e.new_text.as_str()), (TextRange::new(6, 6), "語"));
    }

    #[test]
    fn file_creating_edits_use_create_file_or_are_withheld() {
        use crate::lsp::document::Document;
        let doc = Document::new(
            "file:///p/Dockerfile".into(),
            "dockerfile".into(),
            3,
            "FROM a\nCOPY . .\n".into(),
        );
        let path = std::path::Path::new("/p/.dockerignore");
        let edits = [
            TextEdit {
                file: FileRef::IgnoreFile,
                range: TextRange::empty(0),
                new_text: ".git\n".into(),
            },
            TextEdit {
                file: FileRef::Dockerfile,
                range: TextRange::new(0, 4),
                new_text: "FROM".into(),
            },
        ];
        let actions = |caps: EditCaps| Actions {
            doc: &doc,
            diagnostics: &[],
            ignore: Some(IgnoreTarget {
                path,
                text: None,
                version: None,
            }),
            enc: Encoding::Utf16,
            caps,
            locale: Locale::En,
        };
        let full = EditCaps {
            document_changes: true,
            create_files: true,
            resolve_edit: true,
        };
        let we = actions(full)
            .workspace_edit(&edits, Some(&FileRef::IgnoreFile))
            .unwrap();
        let v = serde_json::to_value(we).unwrap();
        assert_eq!(v["documentChanges"][0]["kind"], "create");
        assert_eq!(v["documentChanges"][0]["uri"], "file:///p/.dockerignore");
        assert_eq!(v["documentChanges"][0]["options"]["ignoreIfExists"], true);
        assert_eq!(
            v["documentChanges"][1]["textDocument"]["version"],
            serde_json::Value::Null
        );
        assert_eq!(
            v["documentChanges"][2]["textDocument"]["version"], 3,
            "the open document's version guards the edit"
        );
        // A client without resource operations cannot create the file: the action is withheld.
        assert!(
            actions(EditCaps {
                create_files: false,
                ..full
            })
            .workspace_edit(&edits, Some(&FileRef::IgnoreFile))
            .is_none()
        );
        // Without documentChanges, edits to existing files use the `changes` map.
        let plain = EditCaps::default();
        let v = serde_json::to_value(actions(plain).workspace_edit(&edits[1..], None).unwrap()).unwrap();
        assert_eq!(v["changes"]["file:///p/Dockerfile"][0]["newText"], "FROM");
    }

    #[test]
    fn kind_filters_are_hierarchical() {
        let only = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(wanted(Some(&only), FIX_ALL));
        assert!(!wanted(Some(&only), "quickfix"));
        assert!(wanted(Some(&[CodeActionKind::REFACTOR]), "refactor.rewrite"));
        assert!(wanted(None, "quickfix"));
    }
}
