//! The server's state and its ordered main loop.
//!
//! Messages are handled strictly in order. Everything available at once is taken as a batch: requests
//! that a `$/cancelRequest` in the batch cancels are answered with `RequestCanceled`, and diagnostics
//! are computed once per touched document at the end of the batch, so a burst of keystrokes costs one
//! check. A panic in a handler is caught, logged and answered with `InternalError`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, select};
use lsp_server::{Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability, CompletionOptions,
    DiagnosticOptions, DiagnosticServerCapabilities, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentDiagnosticParams, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeParams, MarkupContent, MarkupKind, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, WorkspaceDiagnosticParams,
};
use serde_json::{Value, json};

use crate::check::{Context, IgnoreInput, Input, check_ignore, check_tree};
use crate::config::Config;
use crate::date::Date;
use crate::diagnostic::DIGEST_PLACEHOLDER;
use crate::diagnostic::{Diagnostic, FileRef};
use crate::lsp::actions::{self, Actions, EditCaps, IgnoreTarget};
use crate::lsp::convert;
use crate::lsp::diagnostics::Published;
use crate::lsp::document::{DocKind, Document};
use crate::lsp::hover;
use crate::lsp::scan::{Scanned, Scanner};
use crate::lsp::timings;
use crate::lsp::transport::{Incoming, Outbox, Outgoing};
use crate::lsp::workspace::{self, DiskCache, Folder, Resolved};
use crate::messages::{self, Locale};
use crate::model::image::ImageRef;
use crate::registry::{RegistryConfig, Resolver};
use crate::text::Encoding;
use std::sync::{Arc, Mutex};

/// Why a document needs new diagnostics: only its own text changed, or something else it is checked
/// with (it was opened, its ignore file, context, settings or configuration changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Dirt {
    Text,
    Inputs,
}

/// How diagnostics reach the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `textDocument/publishDiagnostics` after every change.
    Push,
    /// The client asks with `textDocument/diagnostic`; the server asks it to refresh on cross-file changes.
    Pull,
}

/// What the client said it supports.
#[derive(Clone, Debug, Default)]
pub struct ClientCaps {
    pub edits: EditCaps,
    pub pull: bool,
    pub refresh: bool,
    pub watched_files_dynamic: bool,
    pub configuration: bool,
    pub markdown_hover: bool,
    pub related_document_support: bool,
    pub completion: crate::lsp::completion::CompletionCaps,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Uninitialized,
    Running,
    ShutDown,
}

/// Why the server sent a request to the client.
#[derive(Debug)]
enum Pending {
    /// `workspace/configuration` for the global section (index 0) and each folder.
    Configuration(Vec<Option<String>>),
    Register,
    Refresh,
}

pub struct Server {
    out: Outbox,
    state: State,
    pub(super) enc: Encoding,
    pub(super) caps: ClientCaps,
    mode: Mode,
    pub(super) locale: Locale,
    pub(super) docs: HashMap<String, Document>,
    pub(super) folders: Vec<Folder>,
    client_config: Config,
    disk: DiskCache,
    scanner: Scanner,
    pending: HashMap<RequestId, Pending>,
    next_id: i32,
    /// Documents whose diagnostics must be recomputed at the end of the batch, and what changed.
    dirty: BTreeMap<String, Dirt>,
    /// Last published (push) or reported (pull) diagnostics per document (with their JSON and result
    /// id, reused for the next check), the date they were computed for, and the document version they
    /// are for (later than the one they were built for after quiet changes, `Document::quiet`).
    published: HashMap<String, (Arc<Published>, Date, i32)>,
    /// Warnings already shown, so that a broken configuration is reported once.
    warned: HashSet<String>,
    exit_code: Option<i32>,
    /// The date checks run against; `None` reads the clock.
    pub(super) today: Option<Date>,
    /// Digest lookups for the code actions that pin digests (made only when the user picks one).
    digests: Digests,
    /// The last semantic tokens of each document, for deltas.
    pub(super) semantic: crate::lsp::semantic::TokenCache,
    /// Workspace symbols read from disk (`navigation.rs`).
    pub(super) nav: crate::lsp::navigation::WorkspaceSymbols,
}

/// The registry configuration and the resolver, created on the first lookup and shared with the
/// threads that do lookups (so that the main loop never waits for the network).
struct Digests {
    config: RegistryConfig,
    resolver: Option<Arc<Mutex<Resolver>>>,
}

impl Digests {
    fn new(config: RegistryConfig) -> Digests {
        Digests { config, resolver: None }
    }

    fn resolver(&mut self) -> Arc<Mutex<Resolver>> {
        self.resolver
            .get_or_insert_with(|| Arc::new(Mutex::new(Resolver::new(self.config.clone()))))
            .clone()
    }
}

pub(super) fn today_from_clock() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Date::from_days_since_epoch((secs / 86_400) as i64)
}

pub(super) fn error(code: i32, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code,
        message: message.into(),
        data: None,
    }
}

const SERVER_NOT_INITIALIZED: i32 = -32002;
const INVALID_REQUEST: i32 = -32600;
const METHOD_NOT_FOUND: i32 = -32601;
pub(super) const INVALID_PARAMS: i32 = -32602;
pub(super) const INTERNAL_ERROR: i32 = -32603;
const REQUEST_CANCELLED: i32 = -32800;
const CONTENT_MODIFIED: i32 = -32801;
const REQUEST_FAILED: i32 = -32803;

impl Server {
    pub fn new(out: impl Into<Outbox>) -> Server {
        Server {
            out: out.into(),
            state: State::Uninitialized,
            enc: Encoding::Utf16,
            caps: ClientCaps::default(),
            mode: Mode::Push,
            locale: Locale::En,
            docs: HashMap::new(),
            folders: Vec::new(),
            client_config: Config::default(),
            disk: DiskCache::default(),
            scanner: Scanner::new(),
            pending: HashMap::new(),
            next_id: 1,
            dirty: BTreeMap::new(),
            published: HashMap::new(),
            warned: HashSet::new(),
            exit_code: None,
            today: std::env::var("DOCKWARD_TODAY").ok().and_then(|d| Date::parse(&d)),
            digests: Digests::new(RegistryConfig::default()),
            semantic: Default::default(),
            nav: Default::default(),
        }
    }

    /// The main loop; returns the exit code.
    pub fn run(mut self, incoming: Receiver<Incoming>) -> i32 {
        let results = self.scanner.results.clone();
        loop {
            let mut batch = Vec::new();
            select! {
                recv(incoming) -> m => match m {
                    Ok(m) => batch.push(m),
                    Err(_) => return 1,
                },
                recv(results) -> s => if let Ok(s) = s { self.scanned(s) },
            }
            while batch.len() < 1024 {
                match incoming.try_recv() {
                    Ok(m) => batch.push(m),
                    Err(_) => break,
                }
            }
            let cancelled: HashSet<RequestId> = batch
                .iter()
                .filter_map(|m| match m {
                    Incoming::Message(Message::Notification(n)) if n.method == "$/cancelRequest" => {
                        n.params.get("id").cloned()
                    }
                    _ => None,
                })
                .filter_map(|id| serde_json::from_value(id).ok())
                .collect();
            for m in batch {
                match m {
                    Incoming::Closed => {
                        self.log("the client closed the connection");
                        return if self.state == State::ShutDown { 0 } else { 1 };
                    }
                    Incoming::Malformed { id, code, message } => {
                        self.log(&format!("malformed message: {message}"));
                        let id = id.unwrap_or(Value::Null);
                        self.send(Outgoing::Raw(
                            json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } }),
                        ));
                    }
                    Incoming::Message(Message::Request(r)) if cancelled.contains(&r.id) => {
                        self.respond(r.id, Err(error(REQUEST_CANCELLED, "cancelled")));
                    }
                    Incoming::Message(msg) => self.handle(msg),
                }
                if let Some(code) = self.exit_code {
                    return code;
                }
            }
            self.flush();
        }
    }

    fn send(&self, m: Outgoing) {
        let _ = self.out.send(m);
    }

    fn respond(&self, id: RequestId, result: Result<Value, ResponseError>) {
        let resp = Response {
            id,
            response_result: result,
        };
        self.send(Outgoing::Message(Message::Response(resp)));
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Outgoing::Message(Message::Notification(Notification {
            method: method.into(),
            params,
        })));
    }

    fn request(&mut self, method: &str, params: Value, why: Pending) {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.pending.insert(id.clone(), why);
        self.send(Outgoing::Message(Message::Request(Request {
            id,
            method: method.into(),
            params,
        })));
    }

    /// Logs to the client's log (`window/logMessage`), and to stderr when `DOCKWARD_LOG` is set: some
    /// editors show everything a server writes to stderr as an error.
    fn log(&self, msg: &str) {
        if std::env::var_os("DOCKWARD_LOG").is_some() || self.state == State::Uninitialized {
            let _ = writeln!(std::io::stderr(), "dockward: {msg}");
        }
        if self.state != State::Uninitialized {
            self.notify("window/logMessage", json!({ "type": 3, "message": msg }));
        }
    }

    /// Shows a configuration problem once.
    fn warn_once(&mut self, msg: String) {
        if self.warned.insert(msg.clone()) {
            let _ = writeln!(std::io::stderr(), "dockward: {msg}");
            self.notify(
                "window/showMessage",
                json!({ "type": 2, "message": format!("dockward: {msg}") }),
            );
        }
    }

    fn handle(&mut self, msg: Message) {
        let what = match &msg {
            Message::Request(r) => Some((r.id.clone(), r.method.clone())),
            _ => None,
        };
        let result = catch_unwind(AssertUnwindSafe(|| match msg {
            Message::Request(r) => self.on_request(r),
            Message::Notification(n) => self.on_notification(n),
            Message::Response(r) => self.on_response(r),
        }));
        if result.is_err() {
            match what {
                Some((id, method)) => {
                    self.log(&format!(
                        "internal error while handling {method}; the server keeps running"
                    ));
                    self.respond(id, Err(error(INTERNAL_ERROR, format!("dockward failed on {method}"))));
                }
                None => self.log("internal error while handling a notification; the server keeps running"),
            }
        }
    }

    fn on_request(&mut self, r: Request) {
        match self.state {
            State::Uninitialized if r.method != "initialize" => {
                return self.respond(
                    r.id,
                    Err(error(SERVER_NOT_INITIALIZED, "the server is not initialized")),
                );
            }
            State::ShutDown => {
                return self.respond(r.id, Err(error(INVALID_REQUEST, "the server is shut down")));
            }
            State::Running if r.method == "initialize" => {
                return self.respond(r.id, Err(error(INVALID_REQUEST, "initialize was already received")));
            }
            _ => {}
        }
        let id = r.id.clone();
        let result = match r.method.as_str() {
            "initialize" => self.initialize(r.params),
            "shutdown" => {
                self.state = State::ShutDown;
                Ok(Value::Null)
            }
            "textDocument/diagnostic" => return self.pull_diagnostics(id, r.params),
            "workspace/diagnostic" => self.workspace_diagnostics(r.params),
            "textDocument/codeAction" => self.code_actions(r.params),
            "codeAction/resolve" if r.params["data"]["kind"] == "digest" => {
                return self.resolve_digest_action(id, r.params);
            }
            "codeAction/resolve" => self.resolve_code_action(r.params),
            "textDocument/hover" => self.hover(r.params),
            "textDocument/completion" => self.completion(r.params),
            "textDocument/inlayHint" => self.inlay_hints(r.params),
            "textDocument/semanticTokens/full" => self.semantic_tokens_full(r.params),
            "textDocument/semanticTokens/full/delta" => self.semantic_tokens_delta(r.params),
            "textDocument/semanticTokens/range" => self.semantic_tokens_range(r.params),
            "textDocument/formatting" => self.formatting(r.params),
            "textDocument/rangeFormatting" => self.range_formatting(r.params),
            "textDocument/onTypeFormatting" => self.on_type_formatting(r.params),
            "textDocument/documentSymbol" => self.document_symbols(r.params),
            "workspace/symbol" => self.workspace_symbols(r.params),
            "textDocument/foldingRange" => self.folding_ranges(r.params),
            "textDocument/selectionRange" => self.selection_ranges(r.params),
            "textDocument/definition" => self.definition(r.params),
            "textDocument/references" => self.references(r.params),
            "textDocument/documentHighlight" => self.document_highlights(r.params),
            "textDocument/prepareRename" => self.prepare_rename(r.params),
            "textDocument/rename" => self.rename(r.params),
            "textDocument/documentLink" => self.document_links(r.params),
            // Lets tests check that a panicking handler is answered and survived (debug builds only).
            #[cfg(debug_assertions)]
            "dockward/debug/panic" => panic!("panic requested by dockward/debug/panic"),
            m => Err(error(METHOD_NOT_FOUND, format!("unknown method {m}"))),
        };
        self.respond(id, result);
    }

    fn on_notification(&mut self, n: Notification) {
        if n.method == "exit" {
            self.exit_code = Some(if self.state == State::ShutDown { 0 } else { 1 });
            return;
        }
        if self.state != State::Running {
            return;
        }
        let p = n.params;
        let r = match n.method.as_str() {
            "initialized" => {
                self.initialized();
                Ok(())
            }
            "textDocument/didOpen" => parse::<DidOpenTextDocumentParams>(p).map(|p| self.did_open(p)),
            "textDocument/didChange" => parse::<DidChangeTextDocumentParams>(p).map(|p| self.did_change(p)),
            "textDocument/didSave" => parse::<DidSaveTextDocumentParams>(p).map(|p| self.did_save(p)),
            "textDocument/didClose" => parse::<DidCloseTextDocumentParams>(p).map(|p| self.did_close(p)),
            "workspace/didChangeConfiguration" => {
                self.did_change_configuration(p);
                Ok(())
            }
            "workspace/didChangeWatchedFiles" => {
                parse::<DidChangeWatchedFilesParams>(p).map(|p| self.did_change_watched_files(p))
            }
            "workspace/didChangeWorkspaceFolders" => {
                self.did_change_workspace_folders(p);
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = r {
            self.log(&format!("ignored {}: {}", n.method, e.message));
        }
    }

    fn on_response(&mut self, r: Response) {
        let Some(why) = self.pending.remove(&r.id) else {
            return;
        };
        match (why, r.response_result) {
            (Pending::Configuration(scopes), Ok(v)) => self.configuration_received(scopes, v),
            (Pending::Configuration(_), Err(e)) => {
                // The client refused: keep the defaults (and any project files).
                self.log(&format!(
                    "workspace/configuration failed ({}); using defaults",
                    e.message
                ));
            }
            (Pending::Register, Err(e)) => self.log(&format!(
                "the client refused file watching ({}); ignore files are re-read when opened",
                e.message
            )),
            (Pending::Refresh, Err(e)) => self.log(&format!("the client refused a diagnostic refresh ({})", e.message)),
            _ => {}
        }
    }

    // ----- lifecycle ------------------------------------------------------------------------------

    fn initialize(&mut self, params: Value) -> Result<Value, ResponseError> {
        let raw = params.clone();
        let p: InitializeParams = match serde_json::from_value(params) {
            Ok(p) => p,
            Err(e) => {
                // Some clients send capabilities this version of lsp-types does not know: keep the basics.
                self.log(&format!(
                    "initialize parameters not fully understood ({e}); using defaults"
                ));
                InitializeParams::default()
            }
        };
        let caps = &p.capabilities;
        let get = |path: &[&str]| {
            let mut v = &raw["capabilities"];
            for k in path {
                v = &v[*k];
            }
            v.clone()
        };
        self.enc = convert::negotiate(caps.general.as_ref().and_then(|g| g.position_encodings.as_deref()));
        let resource_ops = get(&["workspace", "workspaceEdit", "resourceOperations"]);
        let resolve_props = get(&["textDocument", "codeAction", "resolveSupport", "properties"]);
        self.caps = ClientCaps {
            edits: EditCaps {
                document_changes: get(&["workspace", "workspaceEdit", "documentChanges"]) == json!(true),
                create_files: resource_ops.as_array().is_some_and(|a| a.iter().any(|v| v == "create")),
                resolve_edit: resolve_props.as_array().is_some_and(|a| a.iter().any(|v| v == "edit")),
            },
            pull: !get(&["textDocument", "diagnostic"]).is_null(),
            refresh: get(&["workspace", "diagnostics", "refreshSupport"]) == json!(true),
            watched_files_dynamic: get(&["workspace", "didChangeWatchedFiles", "dynamicRegistration"]) == json!(true),
            configuration: get(&["workspace", "configuration"]) == json!(true),
            markdown_hover: get(&["textDocument", "hover", "contentFormat"])
                .as_array()
                .is_none_or(|a| a.iter().any(|v| v == "markdown")),
            related_document_support: get(&["textDocument", "diagnostic", "relatedDocumentSupport"]) == json!(true),
            completion: crate::lsp::completion::CompletionCaps::from_initialize(&raw),
        };
        self.locale = p.locale.as_deref().and_then(Locale::from_tag).unwrap_or_default();
        self.semantic = crate::lsp::semantic::TokenCache::from_initialize(&raw);
        // Settings can come with initialize (Neovim's `init_options`, some clients' `settings`).
        if let Some(opts) = p.initialization_options.as_ref() {
            let section = opts
                .get("settings")
                .and_then(|s| s.get("dockward"))
                .or(opts.get("dockward"))
                .unwrap_or(opts);
            self.client_config = self.apply_client_settings(section, true);
        }
        let mode = self.client_mode_override(&raw);
        self.mode = match mode.as_deref() {
            Some("push") => Mode::Push,
            Some("pull") => Mode::Pull,
            _ if self.caps.pull => Mode::Pull,
            _ => Mode::Push,
        };
        self.folders = match &p.workspace_folders {
            Some(fs) if !fs.is_empty() => fs
                .iter()
                .map(|f| Folder {
                    uri: f.uri.as_str().to_string(),
                    path: convert::uri_to_path(f.uri.as_str()),
                    config: Config::default(),
                })
                .collect(),
            _ => {
                #[allow(deprecated)]
                let root = p.root_uri.as_ref().map(|u| u.as_str().to_string());
                root.map(|u| {
                    vec![Folder {
                        path: convert::uri_to_path(&u),
                        uri: u,
                        config: Config::default(),
                    }]
                })
                .unwrap_or_default()
            }
        };
        self.state = State::Running;
        let capabilities = ServerCapabilities {
            position_encoding: Some(convert::encoding_kind(self.enc)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            })),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::from(actions::FIX_ALL),
                    CodeActionKind::REFACTOR_REWRITE,
                ]),
                resolve_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            inlay_hint_provider: Some(lsp_types::OneOf::Left(true)),
            // Dockerfiles (lsp/completion.rs) and paths of the build context in `.dockerignore` files.
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(crate::lsp::completion::trigger_characters()),
                ..CompletionOptions::default()
            }),
            semantic_tokens_provider: Some(crate::lsp::semantic::capability()),
            document_formatting_provider: Some(lsp_types::OneOf::Left(true)),
            document_range_formatting_provider: Some(lsp_types::OneOf::Left(true)),
            document_on_type_formatting_provider: Some(crate::lsp::format::on_type_capability()),
            diagnostic_provider: (self.mode == Mode::Pull).then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("dockward".into()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: true,
                    work_done_progress_options: Default::default(),
                })
            }),
            ..ServerCapabilities::default()
        };
        let mut caps_json = serde_json::to_value(capabilities).map_err(|e| error(INTERNAL_ERROR, e.to_string()))?;
        for (k, v) in crate::lsp::navigation::capabilities().as_object().into_iter().flatten() {
            caps_json[k] = v.clone();
        }
        caps_json["workspace"] = json!({ "workspaceFolders": { "supported": true, "changeNotifications": true } });
        Ok(json!({
            "capabilities": caps_json,
            "serverInfo": ServerInfo { name: "dockward".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
        }))
    }

    fn client_mode_override(&self, raw: &Value) -> Option<String> {
        let opts = &raw["initializationOptions"];
        [
            &opts["diagnosticMode"],
            &opts["dockward"]["diagnosticMode"],
            &opts["settings"]["dockward"]["diagnosticMode"],
        ]
        .iter()
        .find_map(|v| v.as_str().map(str::to_string))
    }

    fn initialized(&mut self) {
        if self.caps.watched_files_dynamic {
            let watchers: Vec<Value> = ["**/.dockerignore", "**/*.dockerignore", "**/.dockward.toml", "**/*"]
                .iter()
                .map(|g| json!({ "globPattern": g }))
                .collect();
            self.request(
                "client/registerCapability",
                json!({ "registrations": [{ "id": "dockward-watch", "method": "workspace/didChangeWatchedFiles", "registerOptions": { "watchers": watchers } }] }),
                Pending::Register,
            );
        } else {
            self.log("the client cannot watch files: changes to ignore files on disk are seen when a Dockerfile is edited or opened");
        }
        self.request_configuration();
    }

    fn request_configuration(&mut self) {
        if !self.caps.configuration {
            return;
        }
        let mut scopes: Vec<Option<String>> = vec![None];
        scopes.extend(self.folders.iter().map(|f| Some(f.uri.clone())));
        let items: Vec<Value> = scopes
            .iter()
            .map(|s| match s {
                Some(uri) => json!({ "scopeUri": uri, "section": "dockward" }),
                None => json!({ "section": "dockward" }),
            })
            .collect();
        self.request(
            "workspace/configuration",
            json!({ "items": items }),
            Pending::Configuration(scopes),
        );
    }

    /// The configuration of a settings section; the global section (`global`) also sets where
    /// registries are (folder sections cannot: a repository's workspace settings must not choose where
    /// pinned digests come from).
    fn apply_client_settings(&mut self, section: &Value, global: bool) -> Config {
        match Config::from_client_json(section) {
            Ok((c, client)) => {
                if global {
                    let (config, warnings) = RegistryConfig::from_settings(&client.registry.unwrap_or_default());
                    for w in warnings {
                        let msg = w.render(self.locale);
                        self.warn_once(messages::render(
                            self.locale,
                            "lsp.settings-warning",
                            &[("message", msg)],
                        ));
                    }
                    if config != self.digests.config {
                        self.digests = Digests::new(config);
                    }
                }
                c
            }
            Err(e) => {
                self.warn_once(messages::render(
                    self.locale,
                    "lsp.settings-warning",
                    &[("message", e.to_string())],
                ));
                Config::default()
            }
        }
    }

    fn configuration_received(&mut self, scopes: Vec<Option<String>>, v: Value) {
        let items = v.as_array().cloned().unwrap_or_default();
        for (scope, item) in scopes.into_iter().zip(items) {
            let cfg = self.apply_client_settings(&item, scope.is_none());
            match scope {
                None => self.client_config = cfg,
                Some(uri) => {
                    if let Some(f) = self.folders.iter_mut().find(|f| f.uri == uri) {
                        f.config = cfg;
                    }
                }
            }
        }
        self.recheck_all();
    }

    fn did_change_configuration(&mut self, p: Value) {
        if self.caps.configuration {
            self.request_configuration();
        } else if let Some(section) = p.get("settings").map(|s| s.get("dockward").unwrap_or(s)) {
            let section = section.clone();
            self.client_config = self.apply_client_settings(&section, true);
            self.recheck_all();
        }
    }

    fn did_change_workspace_folders(&mut self, p: Value) {
        for f in p["event"]["removed"].as_array().into_iter().flatten() {
            if let Some(uri) = f["uri"].as_str() {
                self.folders.retain(|x| x.uri != uri);
            }
        }
        for f in p["event"]["added"].as_array().into_iter().flatten() {
            if let Some(uri) = f["uri"].as_str() {
                self.folders.push(Folder {
                    uri: uri.into(),
                    path: convert::uri_to_path(uri),
                    config: Config::default(),
                });
            }
        }
        self.request_configuration();
        self.recheck_all();
    }

    // ----- documents ------------------------------------------------------------------------------

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let d = p.text_document;
        let doc = Document::new(d.uri.as_str().to_string(), d.language_id, d.version, d.text);
        let uri = doc.uri.clone();
        let kind = doc.kind;
        self.docs.insert(uri.clone(), doc);
        self.touched(&uri, kind, Dirt::Inputs);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri.as_str().to_string();
        let enc = self.enc;
        let Some(doc) = self.docs.get_mut(&uri) else {
            return self.log(&format!("change for a document that is not open: {uri}"));
        };
        if p.text_document.version <= doc.version {
            let (old, new) = (doc.version, p.text_document.version);
            self.log(&format!(
                "{uri}: version {new} after {old}; applying the change in order anyway"
            ));
        }
        let doc = self.docs.get_mut(&uri).expect("checked above");
        let started = timings::start();
        // Whether the diagnostics last published for the document have no position at or after a place.
        let published = self.published.get(&uri).map(|(p, _, _)| p);
        let untouched = |line, col| published.is_some_and(|p| p.untouched(line, col, enc));
        let clamped = doc.apply_changes(p.text_document.version, p.content_changes, enc, untouched);
        timings::end(started, "apply", || format!("version={}", doc.version));
        let kind = doc.kind;
        if clamped > 0 {
            self.log(&format!(
                "{uri}: {clamped} change(s) had positions outside the document and were clamped; if the editor \
                 shows other text than dockward checks, close and reopen the document"
            ));
        }
        self.touched(&uri, kind, Dirt::Text);
    }

    fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        let uri = p.text_document.uri.as_str().to_string();
        if let Some(path) = convert::uri_to_path(&uri) {
            self.file_changed(&path);
        }
        let kind = self.docs.get(&uri).map_or(DocKind::Other, |d| d.kind);
        self.touched(&uri, kind, Dirt::Inputs);
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri.as_str().to_string();
        let kind = self.docs.remove(&uri).map_or(DocKind::Other, |d| d.kind);
        self.published.remove(&uri);
        self.dirty.remove(&uri);
        if self.mode == Mode::Push {
            self.notify(
                "textDocument/publishDiagnostics",
                json!({ "uri": uri, "diagnostics": [] }),
            );
        }
        // A closed ignore file falls back to its text on disk: dependents may change.
        if kind == DocKind::Ignore {
            self.dependents_changed(convert::uri_to_path(&uri).as_deref());
        }
    }

    fn did_change_watched_files(&mut self, p: DidChangeWatchedFilesParams) {
        for change in p.changes {
            if let Some(path) = convert::uri_to_path(change.uri.as_str()) {
                self.file_changed(&path);
            }
        }
    }

    /// A file changed on disk: forget what was read from it and recheck what depends on it.
    fn file_changed(&mut self, path: &Path) {
        self.disk.invalidate(path);
        self.nav.file_changed(path);
        let forgotten = self.scanner.invalidate(path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == crate::config::FILE_NAME {
            return self.recheck_all();
        }
        if crate::cli::discover::is_ignore_name(&name) || !forgotten.is_empty() {
            self.dependents_changed(Some(path));
        }
    }

    /// A document changed: it needs new diagnostics, and so do the Dockerfiles that depend on it.
    fn touched(&mut self, uri: &str, kind: DocKind, dirt: Dirt) {
        self.mark(uri, dirt);
        if kind == DocKind::Ignore {
            self.dependents_changed(convert::uri_to_path(uri).as_deref());
        }
    }

    /// Marks a document as needing new diagnostics because of `dirt` (inputs beside its own text outrank
    /// its text); whether it was not marked before.
    fn mark(&mut self, uri: &str, dirt: Dirt) -> bool {
        match self.dirty.get_mut(uri) {
            Some(d) => {
                *d = (*d).max(dirt);
                false
            }
            None => {
                self.dirty.insert(uri.to_string(), dirt);
                true
            }
        }
    }

    /// Marks the open Dockerfiles whose ignore file or context contains `path` (all of them when `None`).
    fn dependents_changed(&mut self, path: Option<&Path>) {
        let uris: Vec<String> = self
            .docs
            .values()
            .filter(|d| d.kind == DocKind::Dockerfile)
            .map(|d| d.uri.clone())
            .collect();
        let mut any = false;
        // Ignore documents read the listing of their folder's context.
        let ignore_docs: Vec<String> = self
            .docs
            .values()
            .filter(|d| d.kind == DocKind::Ignore)
            .filter(|d| {
                path.is_none_or(|p| {
                    d.path
                        .as_deref()
                        .and_then(Path::parent)
                        .is_some_and(|dir| p.starts_with(dir))
                })
            })
            .map(|d| d.uri.clone())
            .collect();
        for uri in ignore_docs {
            any |= self.mark(&uri, Dirt::Inputs);
        }
        for uri in uris {
            let r = self.resolve(&uri);
            let affected = match path {
                None => true,
                Some(p) => {
                    r.ignore_path.as_deref() == Some(p)
                        || r.context_dir.as_deref().is_some_and(|c| p.starts_with(c))
                        || p.file_name()
                            .is_some_and(|n| n.to_string_lossy().ends_with(".dockerignore"))
                            && p.parent()
                                == self
                                    .docs
                                    .get(&uri)
                                    .and_then(|d| d.path.as_deref())
                                    .and_then(Path::parent)
                }
            };
            if affected {
                self.mark(&uri, Dirt::Inputs);
                any = true;
            }
        }
        if any && self.mode == Mode::Pull && self.caps.refresh {
            self.request("workspace/diagnostic/refresh", Value::Null, Pending::Refresh);
        }
    }

    fn recheck_all(&mut self) {
        let uris: Vec<String> = self.docs.keys().cloned().collect();
        for uri in uris {
            self.mark(&uri, Dirt::Inputs);
        }
        if self.mode == Mode::Pull && self.caps.refresh {
            self.request("workspace/diagnostic/refresh", Value::Null, Pending::Refresh);
        }
    }

    fn scanned(&mut self, s: Scanned) {
        let dir = s.dir.clone();
        if !s.context.complete {
            self.log(&format!(
                "{}: the build context is larger than dockward lists ({} entries or {} s); findings about its \
                 files (DW301, DW302) may be incomplete: exclude large directories in .dockerignore",
                dir.display(),
                crate::cli::discover::CONTEXT_MAX_ENTRIES,
                crate::cli::discover::CONTEXT_MAX_TIME.as_secs()
            ));
        }
        if self.scanner.finished(s) {
            self.dependents_changed(Some(&dir));
            self.flush();
        }
    }

    // ----- checking -------------------------------------------------------------------------------

    pub(super) fn resolve(&mut self, uri: &str) -> Resolved {
        let path = self.docs.get(uri).and_then(|d| d.path.clone());
        let mut r = workspace::resolve(
            path.as_deref(),
            &self.folders,
            &self.client_config,
            self.locale,
            &mut self.disk,
        );
        // An open, unsaved `<Dockerfile>.dockerignore` counts as existing.
        if let Some(p) = &path {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let specific = p.with_file_name(format!("{name}.dockerignore"));
            if self.open_doc_at(&specific).is_some() {
                r.ignore_path = Some(specific);
            }
        }
        for w in std::mem::take(&mut r.warnings) {
            self.warn_once(w);
        }
        r
    }

    fn open_doc_at(&self, path: &Path) -> Option<&Document> {
        self.docs.values().find(|d| d.path.as_deref() == Some(path))
    }

    fn ignore_text(&mut self, r: &Resolved) -> (Option<String>, Option<i32>) {
        let Some(p) = &r.ignore_path else {
            return (None, None);
        };
        if let Some(d) = self.open_doc_at(p) {
            return (Some(d.text.clone()), Some(d.version));
        }
        (self.disk.ignore_text(p), None)
    }

    /// What an ignore document depends on: its settings, and its build context (the mapped context of
    /// the Dockerfile `<name>.dockerignore` belongs to, else the ignore file's folder) as listed so far.
    pub(super) fn resolve_ignore(&mut self, uri: &str) -> (Resolved, Option<std::sync::Arc<Context>>) {
        let path = self.docs.get(uri).and_then(|d| d.path.clone());
        let name = path
            .as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dockerfile = name
            .strip_suffix(".dockerignore")
            .filter(|n| !n.is_empty())
            .and_then(|n| path.as_deref().map(|p| p.with_file_name(n)));
        let mut r = workspace::resolve(
            dockerfile.as_deref().or(path.as_deref()),
            &self.folders,
            &self.client_config,
            self.locale,
            &mut self.disk,
        );
        for w in std::mem::take(&mut r.warnings) {
            self.warn_once(w);
        }
        if dockerfile.is_none() {
            r.context_dir = path.as_deref().and_then(Path::parent).map(Path::to_path_buf);
        }
        r.ignore_path = path;
        let context = match (&r.context_dir, &r.ignore_path) {
            (Some(d), ignore) => self.scanner.get(d, ignore.as_deref()),
            _ => None,
        };
        (r, context)
    }

    /// Fresh engine diagnostics for an ignore document: its own findings.
    fn check_ignore_doc(&mut self, uri: &str) -> Vec<Diagnostic> {
        let (r, context) = self.resolve_ignore(uri);
        let Some(doc) = self.docs.get(uri) else {
            return Vec::new();
        };
        let input = IgnoreInput {
            text: &doc.text,
            context: context.as_deref(),
        };
        check_ignore(&input, &r.settings)
    }

    /// Fresh engine diagnostics for a document; with their fixes only when `fixes` (code actions): the
    /// published diagnostics do not show them.
    fn check_doc(&mut self, uri: &str, fixes: bool) -> Vec<Diagnostic> {
        let Some(kind) = self.docs.get(uri).map(|d| d.kind) else {
            return Vec::new();
        };
        if kind == DocKind::Ignore {
            return self.check_ignore_doc(uri);
        }
        if kind != DocKind::Dockerfile {
            return Vec::new();
        }
        let r = self.resolve(uri);
        let (ignore, _) = self.ignore_text(&r);
        let context: Option<std::sync::Arc<Context>> = r
            .context_dir
            .as_deref()
            .and_then(|d| self.scanner.get(d, r.ignore_path.as_deref()));
        let today = self.today.unwrap_or_else(today_from_clock);
        let doc = &self.docs[uri];
        let Some(tree) = &doc.tree else {
            return Vec::new();
        };
        let input = Input {
            dockerfile: &doc.text,
            ignore_file: ignore.as_deref(),
            context: context.as_deref(),
            today,
            invalid_utf8_at: None,
            fixes,
        };
        let mut ds = check_tree(tree, &input, &r.settings);
        ds.retain(|d| d.file == FileRef::Dockerfile);
        ds
    }

    /// The diagnostics of an open document as published: recomputed when the document (or what it
    /// depends on) changed since, or the date moved on; the JSON of diagnostics that did not change is
    /// reused.
    fn publication(&mut self, uri: &str) -> Option<&Arc<Published>> {
        let today = self.today.unwrap_or_else(today_from_clock);
        let doc = self.docs.get(uri)?;
        let version = doc.version;
        let same_day = self.published.get(uri).filter(|(_, day, _)| *day == today);
        let fresh = match self.dirty.get(uri) {
            None => same_day.is_some_and(|(_, _, v)| *v == version),
            // Only quiet changes of its own text since the last publication: every diagnostic is where
            // it was and shows the same position (`Document::quiet`), so that publication is this
            // version's, and no check is needed.
            Some(Dirt::Text) if doc.quiet() && same_day.is_some() => {
                let started = timings::start();
                let (p, _, v) = self.published.get_mut(uri)?;
                *v = version;
                self.dirty.remove(uri);
                timings::end(started, "check", || {
                    format!("version={version} diagnostics={} quiet", p.len())
                });
                timings::end(started, "publication", || format!("version={version} reused"));
                true
            }
            Some(_) => false,
        };
        if !fresh {
            let started = timings::start();
            let ds = self.check_doc(uri, false);
            timings::end(started, "check", || {
                format!("version={version} diagnostics={}", ds.len())
            });
            let started = timings::start();
            let prev = self.published.remove(uri).map(|(p, _, _)| p);
            let doc = self.docs.get_mut(uri)?;
            // The changes since the last publication tell where its diagnostics are now.
            let changes = doc.take_changes();
            let p = Published::build(
                prev.map(|p| (p, changes.as_deref())),
                ds,
                uri,
                doc.version,
                &doc.text,
                &doc.index,
                self.enc,
            );
            timings::end(started, "publication", || format!("version={version}"));
            self.published.insert(uri.to_string(), (Arc::new(p), today, version));
            self.dirty.remove(uri);
        }
        self.published.get(uri).map(|(p, _, _)| p)
    }

    /// Computes diagnostics for the documents touched in this batch and pushes them (push mode). In
    /// pull mode nothing is computed here: the client's next pull computes what is dirty, once.
    fn flush(&mut self) {
        if self.mode == Mode::Pull {
            return;
        }
        let dirty: Vec<String> = self.dirty.keys().cloned().collect();
        for uri in dirty {
            if !self.docs.contains_key(&uri) {
                self.dirty.remove(&uri);
                continue;
            }
            let before = self.published.get(&uri).map(|(p, _, v)| (p.result_id.clone(), *v));
            let version = self.docs[&uri].version;
            if let Some(p) = self.publication(&uri) {
                // The same diagnostics for the same version need not be sent again.
                if before.as_ref() != Some(&(p.result_id.clone(), version)) {
                    let m = Outgoing::Diagnostics {
                        head: crate::lsp::diagnostics::publish_head(&uri, version).into_bytes(),
                        diagnostics: p.clone(),
                        tail: b"}}",
                        version,
                    };
                    self.send(m);
                }
            }
        }
    }

    fn pull_diagnostics(&mut self, id: RequestId, params: Value) {
        let p: DocumentDiagnosticParams = match serde_json::from_value(params) {
            Ok(p) => p,
            Err(e) => return self.respond(id, Err(error(INVALID_PARAMS, e.to_string()))),
        };
        let uri = p.text_document.uri.as_str().to_string();
        if !self.docs.contains_key(&uri) {
            return self.respond(id, Ok(json!({ "kind": "full", "items": [] })));
        }
        let version = self.docs[&uri].version;
        let Some(published) = self.publication(&uri) else {
            return self.respond(id, Ok(json!({ "kind": "full", "items": [] })));
        };
        let rid = published.result_id.clone();
        if p.previous_result_id.as_deref() == Some(rid.as_str()) {
            return self.respond(id, Ok(json!({ "kind": "unchanged", "resultId": rid })));
        }
        // Written from the kept JSON of the diagnostics, without a `Value` tree of the items.
        let head = format!(
            r#"{{"jsonrpc":"2.0","id":{},"result":{{"kind":"full","resultId":"{rid}","items":"#,
            serde_json::to_string(&id).unwrap_or_else(|_| "null".into())
        );
        let m = Outgoing::Diagnostics {
            head: head.into_bytes(),
            diagnostics: published.clone(),
            tail: b"}}",
            version,
        };
        self.send(m);
    }

    fn workspace_diagnostics(&mut self, params: Value) -> Result<Value, ResponseError> {
        let p: WorkspaceDiagnosticParams =
            serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let previous: HashMap<String, String> = p
            .previous_result_ids
            .into_iter()
            .map(|r| (r.uri.as_str().to_string(), r.value))
            .collect();
        let mut uris: Vec<String> = self
            .docs
            .iter()
            .filter(|(_, d)| d.kind != DocKind::Other)
            .map(|(u, _)| u.clone())
            .collect();
        uris.sort();
        let mut items = Vec::new();
        for uri in uris {
            let version = self.docs[&uri].version;
            let Some(published) = self.publication(&uri) else {
                continue;
            };
            let id = published.result_id.clone();
            if previous.get(&uri) == Some(&id) {
                items.push(json!({ "kind": "unchanged", "uri": uri, "version": version, "resultId": id }));
            } else {
                let diags: Value = serde_json::from_slice(&published.array()).unwrap_or_else(|_| json!([]));
                items.push(json!({ "kind": "full", "uri": uri, "version": version, "resultId": id, "items": diags }));
            }
        }
        Ok(json!({ "items": items }))
    }

    // ----- code actions and hover -----------------------------------------------------------------

    fn code_actions(&mut self, params: Value) -> Result<Value, ResponseError> {
        let p: CodeActionParams = serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let uri = p.text_document.uri.as_str().to_string();
        let Some(kind) = self.docs.get(&uri).map(|d| d.kind) else {
            return Ok(json!([]));
        };
        if kind == DocKind::Ignore {
            return self.ignore_code_actions(&uri, p);
        }
        if kind != DocKind::Dockerfile {
            return Ok(json!([]));
        }
        // Recompute from the current text: never an edit computed for an older version.
        let ds = self.check_doc(&uri, true);
        let r = self.resolve(&uri);
        let (ignore_text, ignore_version) = self.ignore_text(&r);
        let doc = &self.docs[&uri];
        let range = convert::text_range(&doc.text, &doc.index, p.range, self.enc);
        let only = p.context.only.as_deref();
        let a = Actions {
            doc,
            diagnostics: &ds,
            ignore: r.ignore_path.as_deref().map(|path| IgnoreTarget {
                path,
                text: ignore_text.as_deref(),
                version: ignore_version,
            }),
            enc: self.enc,
            caps: self.caps.edits,
            locale: r.settings.locale,
        };
        let mut out = Vec::new();
        if actions::wanted(only, "quickfix") {
            out.extend(a.quick_fixes(range));
        }
        if actions::wanted(only, "refactor.rewrite") {
            out.extend(a.rewrites(range));
        }
        if actions::wanted(only, actions::FIX_ALL)
            && let Some(mut fa) = a.fix_all()
        {
            if !self.caps.edits.resolve_edit {
                fa.edit = self.fix_all_edit(&uri);
            }
            if fa.edit.is_some() || self.caps.edits.resolve_edit {
                out.push(fa);
            }
        }
        serde_json::to_value(out).map_err(|e| error(INTERNAL_ERROR, e.to_string()))
    }

    /// Quick fixes of an ignore document's own findings, recomputed from its current text.
    fn ignore_code_actions(&mut self, uri: &str, p: CodeActionParams) -> Result<Value, ResponseError> {
        let ds = self.check_ignore_doc(uri);
        let locale = self.resolve_ignore(uri).0.settings.locale;
        let Some(doc) = self.docs.get(uri) else {
            return Ok(json!([]));
        };
        let range = convert::text_range(&doc.text, &doc.index, p.range, self.enc);
        let a = Actions {
            doc,
            diagnostics: &ds,
            ignore: doc.path.as_deref().map(|path| IgnoreTarget {
                path,
                text: Some(&doc.text),
                version: Some(doc.version),
            }),
            enc: self.enc,
            caps: self.caps.edits,
            locale,
        };
        let out = if actions::wanted(p.context.only.as_deref(), "quickfix") {
            a.quick_fixes(range)
        } else {
            Vec::new()
        };
        serde_json::to_value(out).map_err(|e| error(INTERNAL_ERROR, e.to_string()))
    }

    /// The edit of the fix-all action, computed on the current text.
    fn fix_all_edit(&mut self, uri: &str) -> Option<lsp_types::WorkspaceEdit> {
        let r = self.resolve(uri);
        let (ignore, _) = self.ignore_text(&r);
        let today = self.today.unwrap_or_else(today_from_clock);
        let doc = self.docs.get(uri)?;
        let fixed = actions::fix_all_text(&doc.text, |t| {
            let input = Input {
                dockerfile: t,
                ignore_file: ignore.as_deref(),
                context: None,
                today,
                invalid_utf8_at: None,
                fixes: true,
            };
            crate::check::check(&input, &r.settings)
        })?;
        let edit = actions::minimal_edit(&doc.text, &fixed);
        let a = Actions {
            doc,
            diagnostics: &[],
            ignore: None,
            enc: self.enc,
            caps: self.caps.edits,
            locale: r.settings.locale,
        };
        a.workspace_edit(&[edit], None)
    }

    fn resolve_code_action(&mut self, params: Value) -> Result<Value, ResponseError> {
        let mut action: lsp_types::CodeAction =
            serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let data = action.data.clone().unwrap_or(Value::Null);
        if data["kind"] == "fixAll"
            && let Some(uri) = data["uri"].as_str()
        {
            let uri = uri.to_string();
            if self.docs.contains_key(&uri) {
                action.edit = self.fix_all_edit(&uri);
            }
        }
        serde_json::to_value(action).map_err(|e| error(INTERNAL_ERROR, e.to_string()))
    }

    /// Resolves a digest-pinning action: the registry is asked on a worker thread, which answers the
    /// request itself (with the edit, or with an error the editor shows). Nothing is asked when the
    /// document changed since the action was offered.
    fn resolve_digest_action(&mut self, id: RequestId, params: Value) {
        let data = &params["data"];
        let (Some(uri), Some(reference)) = (data["uri"].as_str(), data["reference"].as_str()) else {
            return self.respond(
                id,
                Err(error(INVALID_PARAMS, "a digest action needs uri and reference")),
            );
        };
        let current = self.docs.get(uri).map(|d| d.version);
        if current.is_none() || data["version"].as_i64() != current.map(i64::from) {
            let msg = messages::render(self.locale_of(uri), "action.digest-stale", &[]);
            return self.respond(id, Err(error(CONTENT_MODIFIED, msg)));
        }
        let locale = self.locale_of(uri);
        let Ok(image) = ImageRef::parse(reference) else {
            let msg = messages::render(
                locale,
                "registry.not-a-reference",
                &[("reference", reference.to_string())],
            );
            return self.respond(id, Err(error(INVALID_PARAMS, msg)));
        };
        let resolver = self.digests.resolver();
        let out = self.out.clone();
        let reference = reference.to_string();
        std::thread::spawn(move || {
            let result = resolver
                .lock()
                .map_err(|_| messages::render(locale, "registry.cache-unusable", &[]))
                .and_then(|mut r| r.resolve(&image).map_err(|e| e.render(locale)));
            let reply = match result {
                Ok(resolved) => {
                    let mut action = params.clone();
                    let edit = action["data"]["edit"]
                        .to_string()
                        .replace(DIGEST_PLACEHOLDER, &resolved.digest);
                    match serde_json::from_str::<Value>(&edit) {
                        Ok(edit) => {
                            action["edit"] = edit;
                            Ok(action)
                        }
                        Err(e) => Err(error(INTERNAL_ERROR, e.to_string())),
                    }
                }
                Err(why) => {
                    let msg = messages::render(
                        locale,
                        "action.digest-failed",
                        &[("image", reference.clone()), ("reason", why)],
                    );
                    let _ = out.send(Outgoing::Message(Message::Notification(Notification::new(
                        "window/showMessage".to_string(),
                        json!({ "type": 1, "message": msg }),
                    ))));
                    Err(error(REQUEST_FAILED, msg))
                }
            };
            let _ = out.send(Outgoing::Message(Message::Response(Response {
                id,
                response_result: reply,
            })));
        });
    }

    pub(super) fn locale_of(&mut self, uri: &str) -> Locale {
        self.resolve(uri).settings.locale
    }

    fn hover(&mut self, params: Value) -> Result<Value, ResponseError> {
        let p: HoverParams = serde_json::from_value(params).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
        let uri = p.text_document_position_params.text_document.uri.as_str().to_string();
        let Some(kind) = self.docs.get(&uri).map(|d| d.kind) else {
            return Ok(Value::Null);
        };
        if kind == DocKind::Ignore {
            return self.ignore_hover(&uri, p.text_document_position_params.position);
        }
        if kind != DocKind::Dockerfile {
            return Ok(Value::Null);
        }
        let ds = self.check_doc(&uri, false);
        let settings = self.resolve(&uri).settings;
        let today = self.today.unwrap_or_else(today_from_clock);
        let doc = &self.docs[&uri];
        let Some(tree) = &doc.tree else {
            return Ok(Value::Null);
        };
        let offset = convert::offset(
            &doc.text,
            &doc.index,
            p.text_document_position_params.position,
            self.enc,
        );
        let Some((md, range)) = hover::hover(&hover::HoverInput {
            tree,
            text: &doc.text,
            lines: &doc.index,
            diagnostics: &ds,
            offset,
            locale: settings.locale,
            today,
            trusted: &settings.trusted_registries,
        }) else {
            return Ok(Value::Null);
        };
        let kind = if self.caps.markdown_hover {
            MarkupKind::Markdown
        } else {
            MarkupKind::PlainText
        };
        let h = Hover {
            contents: HoverContents::Markup(MarkupContent { kind, value: md }),
            range: Some(convert::range(&doc.text, &doc.index, range, self.enc)),
        };
        serde_json::to_value(h).map_err(|e| error(INTERNAL_ERROR, e.to_string()))
    }
}

impl Server {
    fn markup(&self, md: String, text: &str, index: &crate::text::LineIndex, range: crate::text::TextRange) -> Hover {
        let kind = if self.caps.markdown_hover {
            MarkupKind::Markdown
        } else {
            MarkupKind::PlainText
        };
        Hover {
            contents: HoverContents::Markup(MarkupContent { kind, value: md }),
            range: Some(convert::range(text, index, range, self.enc)),
        }
    }

    /// Hover on a `.dockerignore` pattern: what it matches in the build context.
    fn ignore_hover(&mut self, uri: &str, position: lsp_types::Position) -> Result<Value, ResponseError> {
        let ds = self.check_ignore_doc(uri);
        let (r, context) = self.resolve_ignore(uri);
        let Some(doc) = self.docs.get(uri) else {
            return Ok(Value::Null);
        };
        let offset = convert::offset(&doc.text, &doc.index, position, self.enc);
        let Some((md, range)) = hover::ignore_hover(&doc.text, &ds, offset, context.as_deref(), r.settings.locale)
        else {
            return Ok(Value::Null);
        };
        let h = self.markup(md, &doc.text, &doc.index, range);
        serde_json::to_value(h).map_err(|e| error(INTERNAL_ERROR, e.to_string()))
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ResponseError> {
    serde_json::from_value(v).map_err(|e| error(INVALID_PARAMS, e.to_string()))
}

/// The directory of a document path (its default build context).
pub fn dir_of(path: &Path) -> Option<PathBuf> {
    path.parent().map(Path::to_path_buf)
}
