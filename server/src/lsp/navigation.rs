//! The navigation requests: document and workspace symbols, folding and selection ranges, definition,
//! references, document highlights, rename (with prepareRename) and document links. Each request builds
//! the model once from the document's kept tree, calls `ide::*`, and converts byte ranges in the negotiated
//! encoding.
//!
//! Workspace symbols also read the Dockerfiles under the workspace folders: found as the CLI finds them
//! (same names, the same heavy folders skipped), never through a symbolic link, within bounds (files,
//! entries visited, bytes, time), parsed once and kept until a watched-file event or a change of size or
//! modification time says otherwise. Open documents always win over their copy on disk.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use lsp_server::ResponseError;
use lsp_types::{
    DocumentHighlight, DocumentHighlightKind, DocumentHighlightParams, DocumentLink, DocumentLinkParams,
    DocumentSymbol, DocumentSymbolParams, FoldingRange, FoldingRangeKind, FoldingRangeParams, GotoDefinitionParams,
    Location, PrepareRenameResponse, ReferenceParams, RenameParams, SelectionRange, SelectionRangeParams,
    SymbolInformation, SymbolKind, TextDocumentPositionParams, TextEdit, Uri, WorkspaceSymbolParams,
};
use serde_json::{Value, json};

use crate::cli::discover::is_dockerfile_name;
use crate::ide::folding::{self, FoldKind};
use crate::ide::links::{self, LinkTarget};
use crate::ide::navigate::Navigation;
use crate::ide::selection;
use crate::ide::symbols::{self, SymbolKind as Kind};
use crate::lsp::convert;
use crate::lsp::document::{DocKind, Document};
use crate::lsp::server::Server;
use crate::messages::{self, Locale};
use crate::model::Model;
use crate::syntax::{self, Dockerfile};
use crate::text::{Encoding, LineIndex};

const INVALID_PARAMS: i32 = -32602;
const INTERNAL_ERROR: i32 = -32603;
const REQUEST_FAILED: i32 = -32803;

/// At most this many Dockerfiles are read from disk for workspace symbols.
pub const WORKSPACE_MAX_FILES: usize = 1_000;
/// At most this many directory entries are looked at per walk.
pub const WORKSPACE_MAX_ENTRIES: usize = 50_000;
/// Files larger than this are skipped.
pub const WORKSPACE_MAX_FILE_BYTES: u64 = 1 << 20;
/// At most this many bytes are read per walk.
pub const WORKSPACE_MAX_TOTAL_BYTES: u64 = 16 << 20;
/// A walk stops after this long.
pub const WORKSPACE_MAX_TIME: Duration = Duration::from_secs(1);
/// At most this many results are returned.
pub const WORKSPACE_MAX_RESULTS: usize = 1_000;

fn error(code: i32, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code,
        message: message.into(),
        data: None,
    }
}

fn params<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ResponseError> {
    serde_json::from_value(v).map_err(|e| error(INVALID_PARAMS, e.to_string()))
}

fn to_value<T: serde::Serialize>(v: T) -> Result<Value, ResponseError> {
    serde_json::to_value(v).map_err(|e| error(INTERNAL_ERROR, e.to_string()))
}

/// Directories never descended into (those the CLI skips).
fn skip_dir(name: &str) -> bool {
    matches!(
        name,
        ".git" | ".hg" | ".svn" | "node_modules" | "target" | ".venv" | "__pycache__"
    )
}

/// A symbol of a file on disk, converted once.
#[derive(Clone, Debug)]
struct DiskSymbol {
    name: String,
    kind: SymbolKind,
    range: lsp_types::Range,
}

#[derive(Clone, Debug)]
struct DiskFile {
    modified: Option<SystemTime>,
    len: u64,
    symbols: Vec<DiskSymbol>,
}

/// What workspace symbols keep between requests.
#[derive(Debug, Default)]
pub struct WorkspaceSymbols {
    /// The folders the listing was made for, and the Dockerfiles found.
    listing: Option<(Vec<PathBuf>, Vec<PathBuf>)>,
    files: HashMap<PathBuf, DiskFile>,
    /// The encoding and locale the kept symbols were converted with.
    made_with: Option<(Encoding, Locale)>,
    /// The last walk stopped at a bound.
    pub incomplete: bool,
}

impl WorkspaceSymbols {
    /// A file changed on disk: forget it, and list the folders again if it is a Dockerfile (it may be new).
    pub fn file_changed(&mut self, path: &Path) {
        self.files.remove(path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_dockerfile_name(&name)
            || self
                .listing
                .as_ref()
                .is_some_and(|(_, l)| l.iter().any(|p| p.starts_with(path)))
        {
            self.listing = None;
        }
    }

    fn listing(&mut self, roots: &[PathBuf]) -> Vec<PathBuf> {
        if let Some((r, l)) = &self.listing
            && r == roots
        {
            return l.clone();
        }
        let (found, complete) = find_dockerfiles(roots);
        self.incomplete = !complete;
        self.listing = Some((roots.to_vec(), found.clone()));
        found
    }
}

/// The Dockerfiles under `roots`, within the bounds; whether the walk was complete.
fn find_dockerfiles(roots: &[PathBuf]) -> (Vec<PathBuf>, bool) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut seen = 0usize;
    let mut stack: Vec<PathBuf> = roots.iter().rev().cloned().collect();
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        let mut dirs = Vec::new();
        for e in entries {
            seen += 1;
            if seen > WORKSPACE_MAX_ENTRIES
                || out.len() >= WORKSPACE_MAX_FILES
                || started.elapsed() > WORKSPACE_MAX_TIME
            {
                return (out, false);
            }
            let name = e.file_name().to_string_lossy().into_owned();
            // `file_type` does not follow symbolic links: a link is neither a directory nor a file here.
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if !skip_dir(&name) {
                    dirs.push(e.path());
                }
            } else if ft.is_file() && is_dockerfile_name(&name) {
                out.push(e.path());
            }
        }
        stack.extend(dirs.into_iter().rev());
    }
    (out, true)
}

/// Whether `rel` (a `/`-separated path without `..`) names a regular file under `root`, no component being a
/// symbolic link.
fn file_in_context(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut p = root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (n, c) in parts.iter().enumerate() {
        p.push(c);
        let m = fs::symlink_metadata(&p).ok()?;
        let last = n + 1 == parts.len();
        if m.file_type().is_symlink() || (!last && !m.is_dir()) || (last && !m.is_file()) {
            return None;
        }
    }
    Some(p)
}

fn symbol_kind(k: Kind) -> SymbolKind {
    match k {
        Kind::Stage => SymbolKind::MODULE,
        Kind::Variable => SymbolKind::VARIABLE,
        Kind::VariableInstruction => SymbolKind::VARIABLE,
        Kind::Label => SymbolKind::PROPERTY,
        Kind::Port => SymbolKind::INTERFACE,
        Kind::Instruction => SymbolKind::FUNCTION,
    }
}

impl Server {
    /// The open Dockerfile `uri` with its tree.
    fn nav_doc(&self, uri: &Uri) -> Option<(&Document, &Dockerfile)> {
        let doc = self.docs.get(uri.as_str())?;
        if doc.kind != DocKind::Dockerfile {
            return None;
        }
        Some((doc, doc.tree.as_ref()?))
    }

    fn position_in(&self, p: &TextDocumentPositionParams) -> Option<(&Document, &Dockerfile, u32)> {
        let (doc, tree) = self.nav_doc(&p.text_document.uri)?;
        let offset = convert::offset(&doc.text, &doc.index, p.position, self.enc);
        Some((doc, tree, offset))
    }

    pub(super) fn document_symbols(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: DocumentSymbolParams = params(v)?;
        let locale = self.locale_of(p.text_document.uri.as_str());
        let Some((doc, tree)) = self.nav_doc(&p.text_document.uri) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let syms = symbols::document_symbols(&doc.text, tree, &model, locale);
        fn convert_all(doc: &Document, enc: Encoding, syms: Vec<symbols::Symbol>) -> Vec<DocumentSymbol> {
            syms.into_iter()
                .map(|s| {
                    #[allow(deprecated)]
                    DocumentSymbol {
                        name: if s.name.is_empty() { " ".into() } else { s.name },
                        detail: s.detail,
                        kind: symbol_kind(s.kind),
                        tags: None,
                        deprecated: None,
                        range: convert::range(&doc.text, &doc.index, s.range, enc),
                        selection_range: convert::range(&doc.text, &doc.index, s.selection, enc),
                        children: (!s.children.is_empty()).then(|| convert_all(doc, enc, s.children)),
                    }
                })
                .collect()
        }
        to_value(convert_all(doc, self.enc, syms))
    }

    pub(super) fn workspace_symbols(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: WorkspaceSymbolParams = params(v)?;
        let query = p.query;
        let enc = self.enc;
        let locale = self.locale;
        if self.nav.made_with != Some((enc, locale)) {
            self.nav.files.clear();
            self.nav.made_with = Some((enc, locale));
        }
        let mut out: Vec<SymbolInformation> = Vec::new();
        let push = |out: &mut Vec<SymbolInformation>,
                    uri: &Uri,
                    name: &str,
                    kind: SymbolKind,
                    range,
                    container: Option<String>| {
            if out.len() < WORKSPACE_MAX_RESULTS && symbols::matches_query(&query, name) {
                #[allow(deprecated)]
                out.push(SymbolInformation {
                    name: name.to_string(),
                    kind,
                    tags: None,
                    deprecated: None,
                    location: Location {
                        uri: uri.clone(),
                        range,
                    },
                    container_name: container,
                });
            }
        };
        let file_name = |p: Option<&Path>, uri: &str| {
            p.and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| uri.rsplit('/').next().unwrap_or(uri).to_string())
        };
        // Open documents first, as the editor has them.
        let mut open_paths = Vec::new();
        let mut uris: Vec<&String> = self.docs.keys().collect();
        uris.sort();
        for uri in uris {
            let doc = &self.docs[uri];
            let (Some(tree), DocKind::Dockerfile) = (&doc.tree, doc.kind) else {
                continue;
            };
            if let Some(p) = &doc.path {
                open_paths.push(p.clone());
            }
            let Ok(u) = uri.parse::<Uri>() else { continue };
            let model = Model::build(tree);
            let container = file_name(doc.path.as_deref(), uri);
            for s in symbols::workspace_symbols(&doc.text, tree, &model, locale) {
                let range = convert::range(&doc.text, &doc.index, s.selection, enc);
                push(
                    &mut out,
                    &u,
                    &s.name,
                    symbol_kind(s.kind),
                    range,
                    Some(container.clone()),
                );
            }
        }
        // Then the Dockerfiles on disk.
        let roots: Vec<PathBuf> = self.folders.iter().filter_map(|f| f.path.clone()).collect();
        let files = self.nav.listing(&roots);
        let mut budget = WORKSPACE_MAX_TOTAL_BYTES;
        for path in files {
            if open_paths.contains(&path) {
                continue;
            }
            let Ok(meta) = fs::symlink_metadata(&path) else {
                self.nav.files.remove(&path);
                continue;
            };
            if !meta.is_file() || meta.len() > WORKSPACE_MAX_FILE_BYTES {
                continue;
            }
            let modified = meta.modified().ok();
            let fresh = self
                .nav
                .files
                .get(&path)
                .is_some_and(|f| f.modified == modified && f.len == meta.len());
            if !fresh {
                if budget < meta.len() {
                    self.nav.incomplete = true;
                    continue;
                }
                budget -= meta.len();
                let Ok(loaded) = crate::cli::discover::load(&path) else {
                    continue;
                };
                let text = loaded.text;
                let tree = syntax::parse(&text);
                let model = Model::build(&tree);
                let index = LineIndex::new(&text);
                let symbols = symbols::workspace_symbols(&text, &tree, &model, locale)
                    .into_iter()
                    .map(|s| DiskSymbol {
                        name: s.name,
                        kind: symbol_kind(s.kind),
                        range: convert::range(&text, &index, s.selection, enc),
                    })
                    .collect();
                self.nav.files.insert(
                    path.clone(),
                    DiskFile {
                        modified,
                        len: meta.len(),
                        symbols,
                    },
                );
            }
            let Some(f) = self.nav.files.get(&path) else { continue };
            let uri_text = convert::path_to_uri(&path);
            let Ok(u) = uri_text.parse::<Uri>() else { continue };
            let container = file_name(Some(&path), &uri_text);
            for s in &f.symbols {
                push(&mut out, &u, &s.name, s.kind, s.range, Some(container.clone()));
            }
        }
        to_value(out)
    }

    pub(super) fn folding_ranges(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: FoldingRangeParams = params(v)?;
        let Some((doc, tree)) = self.nav_doc(&p.text_document.uri) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let folds: Vec<FoldingRange> = folding::folding_ranges(&doc.index, tree, &model)
            .into_iter()
            .map(|f| FoldingRange {
                start_line: f.start_line,
                start_character: None,
                end_line: f.end_line,
                end_character: None,
                kind: match f.kind {
                    FoldKind::Region => Some(FoldingRangeKind::Region),
                    FoldKind::Comment => Some(FoldingRangeKind::Comment),
                    FoldKind::Directives => Some(FoldingRangeKind::Imports),
                },
                collapsed_text: None,
            })
            .collect();
        to_value(folds)
    }

    pub(super) fn selection_ranges(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: SelectionRangeParams = params(v)?;
        let Some((doc, tree)) = self.nav_doc(&p.text_document.uri) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let mut out = Vec::new();
        for pos in p.positions {
            let offset = convert::offset(&doc.text, &doc.index, pos, self.enc);
            let chain = selection::selection_ranges(&doc.text, tree, &model, offset);
            // Outermost first, so that each one can be the parent of the next.
            let mut sel: Option<SelectionRange> = None;
            for r in chain.into_iter().rev() {
                sel = Some(SelectionRange {
                    range: convert::range(&doc.text, &doc.index, r, self.enc),
                    parent: sel.map(Box::new),
                });
            }
            let empty = convert::range(&doc.text, &doc.index, crate::text::TextRange::empty(offset), self.enc);
            out.push(sel.unwrap_or(SelectionRange {
                range: empty,
                parent: None,
            }));
        }
        to_value(out)
    }

    pub(super) fn definition(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: GotoDefinitionParams = params(v)?;
        let pp = p.text_document_position_params;
        let Some((doc, tree, offset)) = self.position_in(&pp) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let nav = Navigation::new(&doc.text, tree, &model);
        let locs: Vec<Location> = nav
            .definition(offset)
            .into_iter()
            .map(|r| Location {
                uri: pp.text_document.uri.clone(),
                range: convert::range(&doc.text, &doc.index, r, self.enc),
            })
            .collect();
        if locs.is_empty() {
            Ok(Value::Null)
        } else {
            to_value(locs)
        }
    }

    pub(super) fn references(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: ReferenceParams = params(v)?;
        let pp = p.text_document_position;
        let Some((doc, tree, offset)) = self.position_in(&pp) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let nav = Navigation::new(&doc.text, tree, &model);
        let locs: Vec<Location> = nav
            .references(offset, p.context.include_declaration)
            .into_iter()
            .map(|r| Location {
                uri: pp.text_document.uri.clone(),
                range: convert::range(&doc.text, &doc.index, r, self.enc),
            })
            .collect();
        to_value(locs)
    }

    pub(super) fn document_highlights(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: DocumentHighlightParams = params(v)?;
        let Some((doc, tree, offset)) = self.position_in(&p.text_document_position_params) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let nav = Navigation::new(&doc.text, tree, &model);
        let hs: Vec<DocumentHighlight> = nav
            .highlights(offset)
            .into_iter()
            .map(|h| DocumentHighlight {
                range: convert::range(&doc.text, &doc.index, h.range, self.enc),
                kind: Some(if h.write {
                    DocumentHighlightKind::WRITE
                } else {
                    DocumentHighlightKind::READ
                }),
            })
            .collect();
        to_value(hs)
    }

    pub(super) fn prepare_rename(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: TextDocumentPositionParams = params(v)?;
        let locale = self.locale_of(p.text_document.uri.as_str());
        let Some((doc, tree, offset)) = self.position_in(&p) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let nav = Navigation::new(&doc.text, tree, &model);
        match nav.prepare_rename(offset) {
            Ok((range, placeholder)) => to_value(PrepareRenameResponse::RangeWithPlaceholder {
                range: convert::range(&doc.text, &doc.index, range, self.enc),
                placeholder,
            }),
            Err(e) => Err(error(REQUEST_FAILED, messages::render(locale, e.id, &e.args))),
        }
    }

    pub(super) fn rename(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: RenameParams = params(v)?;
        let pp = p.text_document_position;
        let locale = self.locale_of(pp.text_document.uri.as_str());
        let Some((doc, tree, offset)) = self.position_in(&pp) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let nav = Navigation::new(&doc.text, tree, &model);
        match nav.rename(offset, &p.new_name) {
            Ok(edits) => {
                let edits: Vec<TextEdit> = edits
                    .into_iter()
                    .map(|(r, t)| TextEdit {
                        range: convert::range(&doc.text, &doc.index, r, self.enc),
                        new_text: t,
                    })
                    .collect();
                let edits = to_value(edits)?;
                Ok(json!({ "changes": { pp.text_document.uri.as_str(): edits } }))
            }
            Err(e) => Err(error(REQUEST_FAILED, messages::render(locale, e.id, &e.args))),
        }
    }

    pub(super) fn document_links(&mut self, v: Value) -> Result<Value, ResponseError> {
        let p: DocumentLinkParams = params(v)?;
        let uri = p.text_document.uri.as_str().to_string();
        if self.nav_doc(&p.text_document.uri).is_none() {
            return Ok(Value::Null);
        }
        let resolved = self.resolve(&uri);
        let locale = resolved.settings.locale;
        let context = resolved.context_dir;
        let Some((doc, tree)) = self.nav_doc(&p.text_document.uri) else {
            return Ok(Value::Null);
        };
        let model = Model::build(tree);
        let mut out = Vec::new();
        for l in links::document_links(&doc.text, tree, &model) {
            let (target, tooltip) = match l.target {
                LinkTarget::Image {
                    url,
                    registry,
                    image,
                    tag,
                } => {
                    let tooltip = match tag {
                        Some(tag) => messages::render(
                            locale,
                            "nav.link.tag",
                            &[("tag", tag), ("image", image), ("registry", registry.to_string())],
                        ),
                        None => messages::render(
                            locale,
                            "nav.link.image",
                            &[("image", image), ("registry", registry.to_string())],
                        ),
                    };
                    (url, tooltip)
                }
                LinkTarget::ContextFile(rel) => {
                    let Some(file) = context.as_deref().and_then(|c| file_in_context(c, &rel)) else {
                        continue;
                    };
                    let tooltip = messages::render(locale, "nav.link.file", &[("path", rel)]);
                    (convert::path_to_uri(&file), tooltip)
                }
            };
            let Ok(target) = target.parse::<Uri>() else { continue };
            out.push(DocumentLink {
                range: convert::range(&doc.text, &doc.index, l.range, self.enc),
                target: Some(target),
                tooltip: Some(tooltip),
                data: None,
            });
        }
        to_value(out)
    }
}

/// The capabilities of these requests, merged into the server's.
pub fn capabilities() -> Value {
    json!({
        "documentSymbolProvider": true,
        "workspaceSymbolProvider": true,
        "foldingRangeProvider": true,
        "selectionRangeProvider": true,
        "definitionProvider": true,
        "referencesProvider": true,
        "documentHighlightProvider": true,
        "renameProvider": { "prepareProvider": true },
        "documentLinkProvider": { "resolveProvider": false },
    })
}
