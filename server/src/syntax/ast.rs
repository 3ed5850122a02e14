//! The Dockerfile syntax tree: items (instructions and comments) with typed arguments and exact ranges.
//!
//! Ranges inside an item are relative to the item's start, so that an edit elsewhere in the file leaves
//! the item untouched and shareable (see `syntax::incremental`). [`ItemRef`] pairs an item with its
//! absolute start and turns relative ranges into absolute ones.

use std::sync::Arc;

use crate::syntax::errors::SyntaxError;
use crate::text::TextRange;

/// The 18 Dockerfile instructions, and everything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// Not an instruction Docker knows: Docker rejects the file.
    Unknown,
}

/// A keyword (at most 11 upper-case letters) as two integers: its first eight bytes, and the other
/// three with its length in the top byte.
const fn keyword_key(k: &[u8]) -> (u64, u32) {
    let mut lo = 0u64;
    let mut hi = (k.len() as u32) << 24;
    let mut i = 0;
    while i < k.len() {
        if i < 8 {
            lo |= (k[i] as u64) << (8 * i);
        } else {
            hi |= (k[i] as u32) << (8 * (i - 8));
        }
        i += 1;
    }
    (lo, hi)
}

const KEY_ADD: (u64, u32) = keyword_key(b"ADD");
const KEY_ARG: (u64, u32) = keyword_key(b"ARG");
const KEY_CMD: (u64, u32) = keyword_key(b"CMD");
const KEY_COPY: (u64, u32) = keyword_key(b"COPY");
const KEY_ENTRYPOINT: (u64, u32) = keyword_key(b"ENTRYPOINT");
const KEY_ENV: (u64, u32) = keyword_key(b"ENV");
const KEY_EXPOSE: (u64, u32) = keyword_key(b"EXPOSE");
const KEY_FROM: (u64, u32) = keyword_key(b"FROM");
const KEY_HEALTHCHECK: (u64, u32) = keyword_key(b"HEALTHCHECK");
const KEY_LABEL: (u64, u32) = keyword_key(b"LABEL");
const KEY_MAINTAINER: (u64, u32) = keyword_key(b"MAINTAINER");
const KEY_ONBUILD: (u64, u32) = keyword_key(b"ONBUILD");
const KEY_RUN: (u64, u32) = keyword_key(b"RUN");
const KEY_SHELL: (u64, u32) = keyword_key(b"SHELL");
const KEY_STOPSIGNAL: (u64, u32) = keyword_key(b"STOPSIGNAL");
const KEY_USER: (u64, u32) = keyword_key(b"USER");
const KEY_VOLUME: (u64, u32) = keyword_key(b"VOLUME");
const KEY_WORKDIR: (u64, u32) = keyword_key(b"WORKDIR");

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Add,
        Kind::Arg,
        Kind::Cmd,
        Kind::Copy,
        Kind::Entrypoint,
        Kind::Env,
        Kind::Expose,
        Kind::From,
        Kind::Healthcheck,
        Kind::Label,
        Kind::Maintainer,
        Kind::Onbuild,
        Kind::Run,
        Kind::Shell,
        Kind::Stopsignal,
        Kind::User,
        Kind::Volume,
        Kind::Workdir,
    ];

    /// The instruction for a keyword, in any case.
    pub fn from_keyword(word: &str) -> Kind {
        let b = word.as_bytes();
        if b.len() > 11 || b.len() < 3 {
            return Kind::Unknown;
        }
        // Every keyword byte is an upper-case letter L, and `x & 0xDF == L` holds exactly for L and its
        // lower case: the word folds into one integer compared with each keyword's (this runs for every
        // instruction of every parse).
        let mut buf = [0u8; 12];
        buf[..b.len()].copy_from_slice(b);
        buf[11] = b.len() as u8;
        let [a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, len] = buf;
        let key = (
            u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7]) & 0xDFDF_DFDF_DFDF_DFDF,
            u32::from_le_bytes([b0, b1, b2, len]) & 0xFFDF_DFDF,
        );
        match key {
            KEY_ADD => Kind::Add,
            KEY_ARG => Kind::Arg,
            KEY_CMD => Kind::Cmd,
            KEY_COPY => Kind::Copy,
            KEY_ENTRYPOINT => Kind::Entrypoint,
            KEY_ENV => Kind::Env,
            KEY_EXPOSE => Kind::Expose,
            KEY_FROM => Kind::From,
            KEY_HEALTHCHECK => Kind::Healthcheck,
            KEY_LABEL => Kind::Label,
            KEY_MAINTAINER => Kind::Maintainer,
            KEY_ONBUILD => Kind::Onbuild,
            KEY_RUN => Kind::Run,
            KEY_SHELL => Kind::Shell,
            KEY_STOPSIGNAL => Kind::Stopsignal,
            KEY_USER => Kind::User,
            KEY_VOLUME => Kind::Volume,
            KEY_WORKDIR => Kind::Workdir,
            _ => Kind::Unknown,
        }
    }

    /// The canonical upper-case keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Add => "ADD",
            Kind::Arg => "ARG",
            Kind::Cmd => "CMD",
            Kind::Copy => "COPY",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Env => "ENV",
            Kind::Expose => "EXPOSE",
            Kind::From => "FROM",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Label => "LABEL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Onbuild => "ONBUILD",
            Kind::Run => "RUN",
            Kind::Shell => "SHELL",
            Kind::Stopsignal => "STOPSIGNAL",
            Kind::User => "USER",
            Kind::Volume => "VOLUME",
            Kind::Workdir => "WORKDIR",
            Kind::Unknown => "",
        }
    }

    /// The flags Docker accepts on this instruction (the BuildKit Dockerfile frontend, stable and labs).
    pub fn flags(self) -> &'static [FlagSpec] {
        match self {
            Kind::From => FROM_FLAGS,
            Kind::Run => RUN_FLAGS,
            Kind::Copy => COPY_FLAGS,
            Kind::Add => ADD_FLAGS,
            Kind::Healthcheck => HEALTHCHECK_FLAGS,
            _ => &[],
        }
    }

    /// Whether Docker expands `$variables` in this instruction's arguments (RUN, CMD and ENTRYPOINT leave
    /// that to the shell at run time).
    pub fn expands_variables(self) -> bool {
        matches!(
            self,
            Kind::Add
                | Kind::Copy
                | Kind::Env
                | Kind::Expose
                | Kind::From
                | Kind::Label
                | Kind::Stopsignal
                | Kind::User
                | Kind::Volume
                | Kind::Workdir
                | Kind::Arg
        )
    }

    /// Whether the instruction writes to the image filesystem (a new layer).
    pub fn layer(self) -> Layer {
        match self {
            Kind::Run | Kind::Copy | Kind::Add => Layer::Filesystem,
            Kind::Workdir => Layer::Directory,
            _ => Layer::Metadata,
        }
    }
}

/// What an instruction leaves in the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// A filesystem layer: everything it writes stays readable in the image, even if a later layer deletes it.
    Filesystem,
    /// WORKDIR: creates the directory when it does not exist, nothing else.
    Directory,
    /// Image configuration only (ENV, LABEL, USER, CMD, ...), recorded in the image config and history.
    Metadata,
}

/// How Docker parses a flag's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagType {
    /// `--name=value`; given at most once.
    String,
    /// `--name` or `--name=true|false`; given at most once.
    Bool,
    /// `--name=value`, repeatable.
    Strings,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagSpec {
    pub name: &'static str,
    pub ty: FlagType,
}

const fn f(name: &'static str, ty: FlagType) -> FlagSpec {
    FlagSpec { name, ty }
}

const FROM_FLAGS: &[FlagSpec] = &[f("platform", FlagType::String)];
const RUN_FLAGS: &[FlagSpec] = &[
    f("mount", FlagType::Strings),
    f("network", FlagType::String),
    f("security", FlagType::String),
    f("device", FlagType::Strings),
];
const COPY_FLAGS: &[FlagSpec] = &[
    f("from", FlagType::String),
    f("chown", FlagType::String),
    f("chmod", FlagType::String),
    f("link", FlagType::Bool),
    f("parents", FlagType::Bool),
    f("exclude", FlagType::Strings),
];
const ADD_FLAGS: &[FlagSpec] = &[
    f("chown", FlagType::String),
    f("chmod", FlagType::String),
    f("link", FlagType::Bool),
    f("keep-git-dir", FlagType::Bool),
    f("checksum", FlagType::String),
    f("exclude", FlagType::Strings),
    f("unpack", FlagType::Bool),
    f("parents", FlagType::Bool),
];
const HEALTHCHECK_FLAGS: &[FlagSpec] = &[
    f("interval", FlagType::String),
    f("timeout", FlagType::String),
    f("start-period", FlagType::String),
    f("start-interval", FlagType::String),
    f("retries", FlagType::String),
];

/// A piece of an instruction's text: its source range (relative to the item start) and its position in
/// the instruction's logical line (`lo..hi`), which is where its text is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub range: TextRange,
    pub lo: u32,
    pub hi: u32,
}

/// A parser directive (`# syntax=`, `# escape=`, `# check=`), with absolute ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub value: String,
    /// The whole comment line.
    pub range: TextRange,
    pub name_range: TextRange,
    pub value_range: TextRange,
}

/// A `--name[=value]` flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The whole word, `--` included.
    pub span: Span,
    /// The name without `--`, as written (quotes removed).
    pub name: String,
    pub name_range: TextRange,
    /// The value after `=`, quotes removed and escapes applied; `None` for a bare `--name`.
    pub value: Option<String>,
    /// Source range of the value as written (after `=`).
    pub value_range: Option<TextRange>,
    /// Whether the written value equals its cooked form byte for byte (no quotes or escapes), so that
    /// offsets inside `value` map directly onto `value_range`.
    pub value_is_verbatim: bool,
}

impl Flag {
    /// `--mount` and other comma-separated flags split into `key[=value]` fields, with ranges when the
    /// value is written verbatim (else every field gets the whole value's range).
    pub fn fields(&self) -> Vec<FlagField> {
        let Some(value) = &self.value else {
            return Vec::new();
        };
        let vr = self.value_range.unwrap_or_default();
        let mut out = Vec::new();
        for (lo, hi) in csv_fields(value) {
            let field = &value[lo..hi];
            let (key, val, eq) = match field.find('=') {
                Some(i) => (&field[..i], Some(&field[i + 1..]), Some(i)),
                None => (field, None, None),
            };
            let at = |a: usize, b: usize| {
                if self.value_is_verbatim {
                    TextRange::new(vr.start + a as u32, vr.start + b as u32)
                } else {
                    vr
                }
            };
            out.push(FlagField {
                key: unquote_csv(key.trim()),
                value: val.map(unquote_csv),
                range: at(lo, hi),
                key_range: at(lo, lo + key.len()),
                value_range: eq.map(|i| at(lo + i + 1, hi)),
            });
        }
        out
    }
}

/// One `key=value` field of a comma-separated flag value such as `--mount=type=cache,target=/x`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagField {
    pub key: String,
    pub value: Option<String>,
    pub range: TextRange,
    pub key_range: TextRange,
    pub value_range: Option<TextRange>,
}

/// Splits a CSV record the way Go's `encoding/csv` does for a single line: commas separate fields, and a
/// field that starts with `"` runs to its closing quote (`""` inside is one quote).
fn csv_fields(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        if i < b.len() && b[i] == b'"' {
            i += 1;
            while i < b.len() {
                if b[i] == b'"' {
                    if i + 1 < b.len() && b[i + 1] == b'"' {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < b.len() && b[i] != b',' {
            i += 1;
        }
        out.push((start, i));
        if i >= b.len() {
            break;
        }
        i += 1;
    }
    out
}

fn unquote_csv(s: &str) -> String {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        s[1..s.len() - 1].replace("\"\"", "\"")
    } else {
        s.to_string()
    }
}

/// A string element of a JSON (exec-form) array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonString {
    /// The element as written, quotes included.
    pub span: Span,
    /// The decoded string.
    pub value: String,
}

/// The exec form: a JSON array of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonArray {
    pub span: Span,
    pub items: Box<[JsonString]>,
}

/// RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK CMD arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandForm {
    /// `["executable", "arg"]`.
    Exec(JsonArray),
    /// Anything else: run by the shell. The span covers the whole argument text.
    Shell(Span),
    /// No arguments at all.
    Empty,
}

/// COPY, ADD and VOLUME arguments: a JSON array, or words split on whitespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathList {
    Exec(JsonArray),
    Words(Box<[Span]>),
}

/// One `key=value` pair of ENV or LABEL (or the legacy `ENV key value` form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    /// The whole pair.
    pub span: Span,
    pub key: Span,
    /// The value as written (quotes and escapes kept; the model processes them).
    pub value: Span,
    /// `ENV key value with spaces`: the legacy form, where the value is the rest of the line verbatim.
    pub legacy: bool,
}

/// One `name[=default]` of ARG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgDecl {
    pub span: Span,
    pub name: Span,
    /// The default as written (after `=`).
    pub default: Option<Span>,
}

/// FROM's arguments: `image [AS name]`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FromArgs {
    pub image: Option<Span>,
    pub as_keyword: Option<Span>,
    pub name: Option<Span>,
    /// Words beyond the three Docker accepts.
    pub extra: Vec<Span>,
}

/// HEALTHCHECK's arguments: `NONE`, or `CMD` and a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthcheckArgs {
    /// `NONE`, `CMD`, or whatever was written there.
    pub kind: Option<Span>,
    pub command: CommandForm,
}

/// Arguments, typed by instruction. The two largest variants are boxed: every instruction's node holds
/// an `Args`, and few are `FROM` or `HEALTHCHECK`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Args {
    From(Box<FromArgs>),
    /// RUN, CMD, ENTRYPOINT, SHELL.
    Command(CommandForm),
    /// COPY, ADD, VOLUME.
    Paths(PathList),
    /// ENV, LABEL.
    KeyValues(Box<[KeyValue]>),
    Arg(Box<[ArgDecl]>),
    /// EXPOSE: whitespace-separated words.
    Words(Box<[Span]>),
    /// USER, WORKDIR, STOPSIGNAL, MAINTAINER: the rest of the line as one string.
    Text(Option<Span>),
    Healthcheck(Box<HealthcheckArgs>),
    /// The instruction ONBUILD adds to images built from this one.
    Onbuild(Option<Box<Instruction>>),
    /// Unknown instruction: the argument text.
    Unknown(Option<Span>),
}

/// A heredoc: `<<EOF` ... `EOF`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The `<<EOF` word in the instruction line.
    pub marker: Span,
    /// The delimiter with quotes removed.
    pub name: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// The delimiter was unquoted, so Docker expands variables in the body (COPY/ADD only; RUN leaves it to the shell).
    pub expand: bool,
    /// `2<<EOF`: the file descriptor the body is connected to.
    pub fd: u32,
    /// The body, relative to the item start: from the line after the instruction line (or the previous
    /// heredoc's terminator) to the end of the last body line (newline included).
    pub body: TextRange,
    /// The terminator line; `None` when the heredoc is never closed.
    pub terminator: Option<TextRange>,
}

/// A variable reference such as `$x`, `${x}` or `${x:-default}`. Offsets are into the text it was found
/// in (a logical line for [`Instruction::var_refs`], converted to relative source ranges there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef {
    pub lo: u32,
    pub hi: u32,
    pub name_lo: u32,
    pub name_hi: u32,
    pub braced: bool,
    pub modifier: Option<VarModifier>,
}

/// The `:-default`, `+alt`, `#pattern`, `/pat/repl` part of `${name...}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarModifier {
    /// `:-`, `-`, `:+`, `+`, `:?`, `?`, `#`, `%`, `/` or `//`.
    pub op: String,
    pub word_lo: u32,
    pub word_hi: u32,
}

/// A variable reference in an instruction, with source ranges relative to the item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarUse {
    /// `$x` or the whole `${...}`.
    pub range: TextRange,
    /// The variable's name: read it with [`Instruction::text`].
    pub name: Span,
    pub braced: bool,
    pub modifier: Option<String>,
    /// Docker expands it (true), or the shell does at run time (RUN, CMD, ENTRYPOINT, heredoc bodies).
    pub expanded_by_docker: bool,
}

/// A mapping point between the logical line and the source: logical offset `logical` corresponds to
/// source offset `source` (relative), up to the next piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub logical: u32,
    pub source: u32,
    pub len: u32,
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub kind: Kind,
    /// The keyword as written.
    pub keyword: Span,
    /// Which letters the keyword has (casing checks read this instead of the text).
    pub keyword_case: KeywordCase,
    /// The logical line: the instruction's lines joined with continuations and inner comments removed,
    /// starting at the keyword. Every [`Span`] reads its text from here.
    ///
    /// This and the other lists of a node are boxed slices, not vectors: a node is never changed once
    /// built, and the vectors' capacity words made a node 40 bytes larger (every item of a file is one).
    pub logical: Box<str>,
    pub pieces: Box<[Piece]>,
    pub flags: Box<[Flag]>,
    pub args: Args,
    /// Range of the argument text after the flags (may be empty).
    pub args_span: Span,
    pub var_uses: Box<[VarUse]>,
    /// Heredocs, problems, and comment and blank lines inside a continuation: `None` when the
    /// instruction has none of them (most have none, and every node would otherwise hold four vectors).
    /// Read through [`Instruction::heredocs`] and its siblings.
    pub rare: Option<Box<Rare>>,
    /// From the keyword to the end of the instruction line's last piece (heredoc bodies excluded).
    pub range: TextRange,
    /// From the keyword to the end of the last heredoc terminator, or `range` without heredocs.
    pub full_range: TextRange,
}

/// The parts of an instruction that few instructions have (see [`Instruction::rare`]). Never all empty
/// when kept: an instruction without any of them has `rare: None`, so that equal instructions are equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rare {
    pub heredocs: Vec<Heredoc>,
    pub errors: Vec<SyntaxError>,
    /// Comment lines inside a continuation (Docker drops them).
    pub inner_comments: Vec<TextRange>,
    /// Blank lines inside a continuation (Docker warns about them).
    pub empty_continuation_lines: Vec<TextRange>,
}

impl Rare {
    fn is_empty(&self) -> bool {
        self.heredocs.is_empty()
            && self.errors.is_empty()
            && self.inner_comments.is_empty()
            && self.empty_continuation_lines.is_empty()
    }
}

/// Which letters an instruction keyword has: `RUN` upper only, `run` lower only, `Run` both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeywordCase {
    pub upper: bool,
    pub lower: bool,
}

impl KeywordCase {
    pub fn of(keyword: &str) -> KeywordCase {
        KeywordCase {
            upper: keyword.bytes().any(|b| b.is_ascii_uppercase()),
            lower: keyword.bytes().any(|b| b.is_ascii_lowercase()),
        }
    }

    /// 0 for a keyword without upper-case letters, 1 for upper case only, 2 for mixed case (BuildKit
    /// counts the first two; DW603).
    pub fn class(self) -> usize {
        match (self.upper, self.lower) {
            (false, _) => 0,
            (true, false) => 1,
            (true, true) => 2,
        }
    }
}

impl Instruction {
    pub fn heredocs(&self) -> &[Heredoc] {
        self.rare.as_ref().map_or(&[], |r| &r.heredocs)
    }

    pub fn errors(&self) -> &[SyntaxError] {
        self.rare.as_ref().map_or(&[], |r| &r.errors)
    }

    /// Comment lines inside a continuation (Docker drops them).
    pub fn inner_comments(&self) -> &[TextRange] {
        self.rare.as_ref().map_or(&[], |r| &r.inner_comments)
    }

    /// Blank lines inside a continuation (Docker warns about them).
    pub fn empty_continuation_lines(&self) -> &[TextRange] {
        self.rare.as_ref().map_or(&[], |r| &r.empty_continuation_lines)
    }

    /// The rare parts, to add to (made when missing; see [`Instruction::tidy_rare`]).
    pub fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Default::default)
    }

    /// Drops the rare parts when they are all empty, as [`Instruction::rare`] requires.
    pub fn tidy_rare(&mut self) {
        if self.rare.as_ref().is_some_and(|r| r.is_empty()) {
            self.rare = None;
        }
    }

    /// Whether the instruction can hold an image reference: `FROM`, `COPY --from`, and `RUN` with a
    /// `--mount` that mentions `from`. `model::refs::image_uses` reads no other instruction (besides those
    /// the model is built from), which is what the image rules declare they read.
    pub fn may_hold_image(&self) -> bool {
        match self.kind {
            Kind::From => true,
            Kind::Copy => self.flags.iter().any(|f| f.name == "from"),
            Kind::Run => self
                .flags
                .iter()
                .any(|f| f.name == "mount" && f.value.as_deref().is_some_and(|v| v.contains("from"))),
            _ => false,
        }
    }

    /// The text of a span.
    pub fn text(&self, span: &Span) -> &str {
        self.logical.get(span.lo as usize..span.hi as usize).unwrap_or("")
    }

    /// Relative source offset of logical offset `lo` when it starts a range.
    pub fn source_start(&self, lo: u32) -> u32 {
        map_start(&self.pieces, lo)
    }

    /// Relative source offset of logical offset `hi` when it ends a range.
    pub fn source_end(&self, hi: u32) -> u32 {
        map_end(&self.pieces, hi)
    }

    /// A span for the logical range `lo..hi`.
    pub fn span(&self, lo: u32, hi: u32) -> Span {
        span_of(&self.pieces, lo, hi)
    }

    /// The flag named `name` (the last one when repeated).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The exec or shell form of RUN, CMD, ENTRYPOINT, SHELL or HEALTHCHECK CMD.
    pub fn command(&self) -> Option<&CommandForm> {
        match &self.args {
            Args::Command(c) => Some(c),
            Args::Healthcheck(h) => Some(&h.command),
            _ => None,
        }
    }

    /// The variable references the shell expands in a shell-form RUN, CMD, ENTRYPOINT or HEALTHCHECK
    /// command, computed on demand (long scripts would otherwise cost every parse).
    pub fn shell_var_uses(&self) -> Vec<VarUse> {
        let Some(CommandForm::Shell(sp)) = self.command() else {
            return Vec::new();
        };
        let (lo, text) = (sp.lo as usize, self.text(sp));
        crate::syntax::shellword::shell_var_refs(text)
            .into_iter()
            .map(|r| VarUse {
                range: self
                    .span((lo + r.lo as usize) as u32, (lo + r.hi as usize) as u32)
                    .range,
                name: self.span((lo + r.name_lo as usize) as u32, (lo + r.name_hi as usize) as u32),
                braced: r.braced,
                modifier: r.modifier.map(|m| m.op),
                expanded_by_docker: false,
            })
            .collect()
    }

    /// The instruction ONBUILD wraps, if this is ONBUILD.
    pub fn onbuild_inner(&self) -> Option<&Instruction> {
        match &self.args {
            Args::Onbuild(Some(inner)) => Some(inner),
            _ => None,
        }
    }
}

pub(crate) fn map_start(pieces: &[Piece], lo: u32) -> u32 {
    // The last piece whose logical start is <= lo.
    let i = pieces.partition_point(|p| p.logical <= lo).saturating_sub(1);
    match pieces.get(i) {
        Some(p) => {
            let off = lo - p.logical.min(lo);
            if off >= p.len && i + 1 < pieces.len() {
                pieces[i + 1].source
            } else {
                p.source + off.min(p.len)
            }
        }
        None => 0,
    }
}

pub(crate) fn map_end(pieces: &[Piece], hi: u32) -> u32 {
    // The first piece whose logical end is >= hi.
    let i = pieces.partition_point(|p| p.logical + p.len < hi);
    match pieces.get(i) {
        Some(p) => p.source + (hi.saturating_sub(p.logical)).min(p.len),
        None => pieces.last().map_or(0, |p| p.source + p.len),
    }
}

pub(crate) fn span_of(pieces: &[Piece], lo: u32, hi: u32) -> Span {
    // One piece (an instruction on one line): plain arithmetic.
    if let [p] = pieces {
        let start = p.source + lo.min(p.len);
        let end = p.source + hi.min(p.len);
        return Span {
            range: TextRange::new(start, end.max(start)),
            lo,
            hi,
        };
    }
    let start = map_start(pieces, lo);
    let end = if hi == lo { start } else { map_end(pieces, hi) };
    Span {
        range: TextRange::new(start, end.max(start)),
        lo,
        hi,
    }
}

/// A comment line outside any instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The comment text after `#`, trimmed.
    pub text: Box<str>,
    /// From `#` to the end of the line (relative to the item start).
    pub range: TextRange,
    pub errors: Vec<SyntaxError>,
}

/// The words a suppression comment starts with, after `#` and any white space (`# dockward ignore=...`,
/// `# hadolint ignore=...`).
pub const PRAGMA_TOOLS: [&str; 2] = ["dockward", "hadolint"];

impl Comment {
    /// Whether the comment starts like a suppression comment ([`PRAGMA_TOOLS`]). `suppress::pragmas`
    /// reads no other comment.
    pub fn may_be_pragma(&self) -> bool {
        PRAGMA_TOOLS.iter().any(|t| self.text.starts_with(t))
    }
}

/// What an item holds.
// Instructions are the common case; boxing them would add an allocation to every one.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Instruction(Instruction),
    Comment(Comment),
}

/// An item's content; shared between versions of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// Bytes from the item's start (the start of its first line) to the start of the line after it.
    pub len: u32,
    /// Bytes from the item's start that the parser read to build it (at least `len`): an edit inside
    /// this window can change the item.
    pub lookahead: u32,
}

impl Node {
    /// Whether the item has problems of its own (those [`crate::syntax::Dockerfile::errors`] collects).
    pub fn has_errors(&self) -> bool {
        match &self.kind {
            NodeKind::Instruction(i) => {
                !i.errors().is_empty() || i.onbuild_inner().is_some_and(|inner| !inner.errors().is_empty())
            }
            NodeKind::Comment(c) => !c.errors.is_empty(),
        }
    }
}

/// A 128-bit hash of an item's text, kept with the item once computed; equality and `Debug` ignore it
/// (it is a cache, not content). Kept as two `u64`s: a `u128`'s 16-byte alignment padded every item of
/// the item vector from 56 to 64 bytes.
#[derive(Clone, Default)]
pub struct TextHash(std::sync::OnceLock<[u64; 2]>);

impl TextHash {
    /// The kept hash, or `f()` kept now.
    pub fn get_or_init(&self, f: impl FnOnce() -> u128) -> u128 {
        join(*self.0.get_or_init(|| split(f())))
    }

    /// The kept hash, if computed.
    pub fn get(&self) -> Option<u128> {
        self.0.get().copied().map(join)
    }
}

fn split(h: u128) -> [u64; 2] {
    [h as u64, (h >> 64) as u64]
}

fn join([lo, hi]: [u64; 2]) -> u128 {
    (u128::from(hi) << 64) | u128::from(lo)
}

impl PartialEq for TextHash {
    fn eq(&self, _: &TextHash) -> bool {
        true
    }
}

impl Eq for TextHash {}

impl std::fmt::Debug for TextHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextHash")
    }
}

/// An item of the file: a node, with what passes over every item read of it kept beside the node. The
/// item vector is far smaller than the nodes: an incremental parse and the engine's compact item table
/// read it on every keystroke without touching a node. Where it starts is kept apart
/// ([`crate::syntax::Dockerfile::starts`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The node's [`Node::lookahead`].
    pub lookahead: u32,
    pub facts: ItemFacts,
    pub node: Arc<Node>,
    /// The hash of the item's text, computed by the first check that needs it. A node is reused by an
    /// incremental parse only while its text is unchanged, so the hash stays right for every later tree.
    pub text_hash: TextHash,
}

/// What an item's node says of it in a few bytes (derived from the node when the item is made).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemFacts {
    /// The node's [`Node::len`].
    pub len: u32,
    /// The instruction kind; `None` for a comment.
    pub kind: Option<Kind>,
    pub keyword_case: KeywordCase,
    /// [`Node::has_errors`].
    pub has_errors: bool,
    /// [`Instruction::may_hold_image`].
    pub may_hold_image: bool,
    /// [`Comment::may_be_pragma`] (`false` for an instruction): the suppression comments are found
    /// from the item vector, without reading every comment's node at every check.
    pub may_be_pragma: bool,
}

impl ItemFacts {
    /// A comment that no check reads: not a possible suppression comment, and without problems of its
    /// own (a directive Docker ignores there, a line too long). Checks read only that a comment is
    /// there, never its text.
    pub fn is_plain_comment(&self) -> bool {
        self.kind.is_none() && !self.may_be_pragma && !self.has_errors
    }
}

/// Items as the lexer makes them, with their starts (the offset of each item's first line), side by
/// side as a tree keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Run {
    pub starts: Vec<u32>,
    pub items: Vec<Item>,
}

impl Run {
    pub fn with_capacity(n: usize) -> Run {
        Run {
            starts: Vec::with_capacity(n),
            items: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, start: u32, item: Item) {
        self.starts.push(start);
        self.items.push(item);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Appends `other`'s items from its `from`-th on.
    pub fn append_from(&mut self, mut other: Run, from: usize) {
        self.starts.extend(other.starts.drain(from..));
        self.items.extend(other.items.drain(from..));
    }
}

impl Item {
    pub fn new(node: Node) -> Item {
        let (ins, comment) = match &node.kind {
            NodeKind::Instruction(i) => (Some(i), None),
            NodeKind::Comment(c) => (None, Some(c)),
        };
        Item {
            lookahead: node.lookahead,
            facts: ItemFacts {
                len: node.len,
                kind: ins.map(|i| i.kind),
                keyword_case: ins.map(|i| i.keyword_case).unwrap_or_default(),
                has_errors: node.has_errors(),
                may_hold_image: ins.is_some_and(Instruction::may_hold_image),
                may_be_pragma: comment.is_some_and(Comment::may_be_pragma),
            },
            node: Arc::new(node),
            text_hash: TextHash::default(),
        }
    }

    /// The 128-bit hash of the item's text in `text` (the text it is an item of, where it starts at
    /// `start`), kept with the item: an unchanged item is hashed once per edit session. An item cut short
    /// by the end of the text is hashed afresh each time and its hash not kept (its text could grow with
    /// the file).
    pub fn text_hash_in(&self, start: u32, text: &str) -> u128 {
        // A kept hash is of the whole item: a node is reused only while its text is unchanged, and an
        // item cut short is never kept. Reading it first leaves the text untouched.
        if let Some(h) = self.text_hash.get() {
            return h;
        }
        let (lo, len) = (start as usize, self.facts.len as usize);
        match text.get(lo..lo + len) {
            Some(whole) => self.text_hash.get_or_init(|| crate::memo::text_hash(whole)),
            None => crate::memo::text_hash(text.get(lo..(lo + len).min(text.len())).unwrap_or("")),
        }
    }
}

/// An item viewed with its absolute position: converts relative ranges to absolute ones.
#[derive(Clone, Copy, Debug)]
pub struct ItemRef<'a> {
    pub index: usize,
    pub start: u32,
    pub node: &'a Node,
}

impl<'a> ItemRef<'a> {
    pub fn abs(&self, r: TextRange) -> TextRange {
        r.shift(self.start)
    }

    pub fn instruction(&self) -> Option<&'a Instruction> {
        match &self.node.kind {
            NodeKind::Instruction(i) => Some(i),
            NodeKind::Comment(_) => None,
        }
    }

    pub fn comment(&self) -> Option<&'a Comment> {
        match &self.node.kind {
            NodeKind::Comment(c) => Some(c),
            NodeKind::Instruction(_) => None,
        }
    }

    /// The item's whole extent, absolute.
    pub fn extent(&self) -> TextRange {
        TextRange::at(self.start, self.node.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item of a file is a node: its size is most of a tree's memory (a 5,000-line file has about
    /// 3,700). 344 bytes before rare parts were boxed, 216 before the lists were boxed slices; at 176, a
    /// shared node with its two counts takes mimalloc's 192-byte size class instead of the 256-byte one.
    /// An item of the item vector was 64 bytes while its text hash was a `u128`.
    #[test]
    fn nodes_and_items_stay_small() {
        let size = std::mem::size_of::<Node>();
        assert!(size <= 176, "a node is {size} bytes");
        let item = std::mem::size_of::<Item>();
        assert!(item <= 56, "an item is {item} bytes");
        let hash = TextHash::default();
        assert_eq!(hash.get(), None);
        let h = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
        assert_eq!(hash.get_or_init(|| h), h);
        assert_eq!((hash.get(), hash.get_or_init(|| 0)), (Some(h), h));
    }

    #[test]
    fn keywords_are_read_in_any_case_and_nothing_else_is_one() {
        for k in Kind::ALL {
            let word = k.keyword();
            assert_eq!(Kind::from_keyword(word), k);
            assert_eq!(Kind::from_keyword(&word.to_ascii_lowercase()), k);
            let mixed: String = word
                .chars()
                .enumerate()
                .map(|(i, c)| if i % 2 == 1 { c.to_ascii_lowercase() } else { c })
                .collect();
            assert_eq!(Kind::from_keyword(&mixed), k, "{mixed}");
            // One byte changed to another that folds to the same bits, or to none of the letters.
            for i in 0..word.len() {
                for other in [b'@', b'`', b'[', b'{', b'0', b' ', 0, 0xC3] {
                    let mut bytes = word.as_bytes().to_vec();
                    bytes[i] = other;
                    let w = String::from_utf8_lossy(&bytes).into_owned();
                    assert_eq!(Kind::from_keyword(&w), Kind::Unknown, "{w:?}");
                }
            }
            assert_eq!(Kind::from_keyword(&format!("{word}S")), Kind::Unknown);
            assert_eq!(Kind::from_keyword(&word[..word.len() - 1]), Kind::Unknown);
            assert_eq!(Kind::from_keyword(&format!("{word}\0")), Kind::Unknown);
        }
        for w in ["", "R", "RU", "ÀDD", "ＲＵＮ", "ENTRYPOINTXX", "HEALTHCHECKS"] {
            assert_eq!(Kind::from_keyword(w), Kind::Unknown, "{w}");
        }
    }
}
