//! Semantic tokens: what each piece of a Dockerfile is, for editors to colour.
//!
//! Only standard token types and modifiers are used, so that every theme colours them:
//!
//! | What | Type | Modifiers |
//! | --- | --- | --- |
//! | instruction keywords, `AS`, HEALTHCHECK `CMD`/`NONE` | `keyword` | `deprecated` on MAINTAINER |
//! | flags (`--mount`) | `parameter` | |
//! | keys inside a flag value (`type=`, `target=`), LABEL keys | `property` | `declaration` on LABEL keys |
//! | quoted strings, exec-form JSON strings, heredoc delimiters and bodies | `string` | |
//! | ARG and ENV names, `$x` and `${x}` | `variable` | `declaration` where defined; `defaultLibrary` for BuildKit's predefined ARGs |
//! | comments, shell comments in RUN | `comment` | |
//! | parser directive names (`syntax`, `escape`, `check`) | `macro` | |
//! | stage names (`AS build`, `FROM build`, `--from=build`) | `namespace` | `declaration` at `AS name` |
//! | image references (`FROM alpine:3.20`, `--from=image`) | `type` | `defaultLibrary` on `scratch` |
//! | `=`, `<<`, the line-continuation escape, `/` in ports | `operator` | |
//! | EXPOSE ports, numeric and duration flag values, numeric STOPSIGNAL | `number` | |
//! | known values (`type=cache`, `--network=host`, `tcp`, `SIGTERM`) | `enumMember` | |
//!
//! Heredoc bodies are strings: a body is data handed to a command or written to a file, and a theme then
//! shows `<<EOF` … `EOF` as one literal the way shell grammars show heredocs; the variables Docker or the
//! shell expands in a body with an unquoted delimiter are still marked as variables inside it.
//!
//! Tokens never overlap and never cover a continuation escape's line break: a string or word that runs
//! across continuation lines gives one token per line, without the escape and the indentation between.
//! Heredoc bodies are the only tokens that span lines; `lsp/semantic.rs` splits them per line unless the
//! client supports multi-line tokens.

use std::collections::HashMap;

use crate::model::Model;
use crate::model::refs::{Target, image_uses};
use crate::syntax::{Args, CommandForm, Dockerfile, Instruction, Kind, PathList, VarUse};
use crate::text::TextRange;

/// A token type; the order of [`TokenType::ALL`] is the legend's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenType {
    Keyword,
    Parameter,
    Property,
    String,
    Variable,
    Comment,
    Macro,
    Namespace,
    Type,
    Operator,
    Number,
    EnumMember,
}

impl TokenType {
    pub const ALL: [TokenType; 12] = [
        TokenType::Keyword,
        TokenType::Parameter,
        TokenType::Property,
        TokenType::String,
        TokenType::Variable,
        TokenType::Comment,
        TokenType::Macro,
        TokenType::Namespace,
        TokenType::Type,
        TokenType::Operator,
        TokenType::Number,
        TokenType::EnumMember,
    ];

    /// The standard name of the type in the protocol.
    pub fn name(self) -> &'static str {
        match self {
            TokenType::Keyword => "keyword",
            TokenType::Parameter => "parameter",
            TokenType::Property => "property",
            TokenType::String => "string",
            TokenType::Variable => "variable",
            TokenType::Comment => "comment",
            TokenType::Macro => "macro",
            TokenType::Namespace => "namespace",
            TokenType::Type => "type",
            TokenType::Operator => "operator",
            TokenType::Number => "number",
            TokenType::EnumMember => "enumMember",
        }
    }

    /// The index in the legend.
    pub fn index(self) -> u32 {
        TokenType::ALL.iter().position(|&t| t == self).unwrap_or(0) as u32
    }
}

/// Token modifiers, as bits in the order of [`MODIFIERS`].
pub const DECLARATION: u32 = 1;
pub const DEFAULT_LIBRARY: u32 = 2;
pub const DEPRECATED: u32 = 4;

/// The standard names of the modifiers, bit 0 first.
pub const MODIFIERS: [&str; 3] = ["declaration", "defaultLibrary", "deprecated"];

/// A token: an absolute byte range, a type and modifier bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub range: TextRange,
    pub ty: TokenType,
    pub modifiers: u32,
}

/// The ARGs BuildKit defines without a declaration.
pub fn is_predefined_arg(name: &str) -> bool {
    matches!(
        name,
        "TARGETPLATFORM"
            | "TARGETOS"
            | "TARGETARCH"
            | "TARGETVARIANT"
            | "TARGETSTAGE"
            | "BUILDPLATFORM"
            | "BUILDOS"
            | "BUILDARCH"
            | "BUILDVARIANT"
            | "HTTP_PROXY"
            | "http_proxy"
            | "HTTPS_PROXY"
            | "https_proxy"
            | "FTP_PROXY"
            | "ftp_proxy"
            | "NO_PROXY"
            | "no_proxy"
            | "ALL_PROXY"
            | "all_proxy"
            | "SOURCE_DATE_EPOCH"
    ) || name.starts_with("BUILDKIT_")
}

/// The tokens of the file, or of the items that meet `range`, sorted and non-overlapping.
pub fn tokens(text: &str, tree: &Dockerfile, range: Option<TextRange>) -> Vec<Token> {
    if tree.len as usize != text.len() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let meets = |r: TextRange| range.is_none_or(|q| r.intersects(q));
    for d in &tree.directives {
        if !meets(d.range) {
            continue;
        }
        let mut p = Painter::default();
        p.fg(TextRange::at(d.range.start, 1), TokenType::Comment, 0);
        p.fg(d.name_range, TokenType::Macro, 0);
        let between = crate::text::slice(text, TextRange::new(d.name_range.end, d.value_range.start));
        if let Some(i) = between.find('=') {
            p.fg(TextRange::at(d.name_range.end + i as u32, 1), TokenType::Operator, 0);
        }
        p.fg(d.value_range, TokenType::String, 0);
        p.finish(&mut out);
    }
    // Images and stages named by FROM, COPY --from and RUN --mount=from, by item.
    let needs_refs = tree
        .instructions()
        .any(|(it, i)| meets(it.extent()) && i.may_hold_image());
    let mut refs: HashMap<usize, Vec<(TextRange, TokenType, u32)>> = HashMap::new();
    if needs_refs {
        let model = Model::build(tree);
        for u in image_uses(text, tree, &model) {
            let (ty, m) = match u.target {
                Target::Stage(_) => (TokenType::Namespace, 0),
                Target::Scratch => (TokenType::Type, DEFAULT_LIBRARY),
                _ => (TokenType::Type, 0),
            };
            refs.entry(u.item).or_default().push((u.range, ty, m));
        }
    }
    for it in tree.items() {
        if !meets(it.extent()) {
            continue;
        }
        let mut p = Painter::default();
        if let Some(c) = it.comment() {
            p.fg(it.abs(c.range), TokenType::Comment, 0);
        } else if let Some(ins) = it.instruction() {
            let mut ctx = Ctx {
                text,
                base: it.start,
                escape: tree.escape,
                p: &mut p,
            };
            ctx.instruction(ins);
            for &(r, ty, m) in refs.get(&it.index).into_iter().flatten() {
                ctx.mapped_abs(ins, r, ty, m, false);
            }
        }
        p.finish(&mut out);
    }
    if let Some(q) = range {
        out.retain(|t| t.range.intersects(q));
    }
    out
}

/// Collects the tokens of one item in two layers: backgrounds (strings, image references, heredoc
/// bodies) and foregrounds (everything else), which cut the backgrounds they lie in.
#[derive(Default)]
struct Painter {
    bg: Vec<Token>,
    fg: Vec<Token>,
}

impl Painter {
    fn fg(&mut self, range: TextRange, ty: TokenType, modifiers: u32) {
        if !range.is_empty() {
            self.fg.push(Token { range, ty, modifiers });
        }
    }

    fn bg(&mut self, range: TextRange, ty: TokenType, modifiers: u32) {
        if !range.is_empty() {
            self.bg.push(Token { range, ty, modifiers });
        }
    }

    fn finish(self, out: &mut Vec<Token>) {
        let disjoint = |mut v: Vec<Token>| {
            v.sort_by_key(|t| (t.range.start, std::cmp::Reverse(t.range.end)));
            let mut kept: Vec<Token> = Vec::with_capacity(v.len());
            for t in v {
                match kept.last() {
                    Some(l) if t.range.start < l.range.end => {}
                    _ => kept.push(t),
                }
            }
            kept
        };
        let fg = disjoint(self.fg);
        let bg = disjoint(self.bg);
        let mut cut = Vec::with_capacity(bg.len());
        let mut j = 0;
        for t in bg {
            while j < fg.len() && fg[j].range.end <= t.range.start {
                j += 1;
            }
            let mut cur = t.range.start;
            let mut k = j;
            while k < fg.len() && fg[k].range.start < t.range.end {
                if fg[k].range.start > cur {
                    cut.push(Token {
                        range: TextRange::new(cur, fg[k].range.start),
                        ..t
                    });
                }
                cur = cur.max(fg[k].range.end);
                k += 1;
            }
            if cur < t.range.end {
                cut.push(Token {
                    range: TextRange::new(cur, t.range.end),
                    ..t
                });
            }
        }
        let start = out.len();
        out.extend(cut);
        out.extend(fg);
        out[start..].sort_by_key(|t| t.range.start);
    }
}

struct Ctx<'a, 'p> {
    text: &'a str,
    base: u32,
    escape: char,
    p: &'p mut Painter,
}

/// Known values of flags and mount fields.
fn is_enum_value(key: &str, value: &str) -> bool {
    match key {
        "type" => matches!(value, "bind" | "cache" | "tmpfs" | "secret" | "ssh"),
        "sharing" => matches!(value, "shared" | "private" | "locked"),
        "network" => matches!(value, "default" | "none" | "host"),
        "security" => matches!(value, "sandbox" | "insecure"),
        "readonly" | "ro" | "rw" | "readwrite" | "required" | "link" | "parents" | "unpack" | "keep-git-dir" => {
            matches!(value, "true" | "false")
        }
        _ => false,
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

impl Ctx<'_, '_> {
    /// A range relative to the item, split at the instruction's continuation lines.
    fn mapped(&mut self, ins: &Instruction, r: TextRange, ty: TokenType, m: u32, bg: bool) {
        self.mapped_abs(ins, r.shift(self.base), ty, m, bg);
    }

    fn mapped_abs(&mut self, ins: &Instruction, r: TextRange, ty: TokenType, m: u32, bg: bool) {
        let rel = TextRange::new(r.start.saturating_sub(self.base), r.end.saturating_sub(self.base));
        let pieces = &ins.pieces;
        let first = pieces.partition_point(|p| p.source + p.len <= rel.start);
        for p in &pieces[first..] {
            if p.source >= rel.end {
                break;
            }
            let a = rel.start.max(p.source);
            let z = rel.end.min(p.source + p.len);
            if a < z {
                let piece = TextRange::new(a, z).shift(self.base);
                if bg {
                    self.p.bg(piece, ty, m);
                } else {
                    self.p.fg(piece, ty, m);
                }
            }
        }
    }

    /// A logical range of the instruction.
    fn logical(&mut self, ins: &Instruction, lo: usize, hi: usize, ty: TokenType, m: u32, bg: bool) {
        let r = ins.span(lo as u32, hi as u32).range;
        self.mapped(ins, r, ty, m, bg);
    }

    fn src(&self, rel: TextRange) -> &str {
        crate::text::slice(self.text, rel.shift(self.base))
    }

    fn var(&mut self, ins: &Instruction, v: &VarUse) {
        let name = ins.text(&v.name);
        let m = if is_predefined_arg(name) { DEFAULT_LIBRARY } else { 0 };
        match &v.modifier {
            None => self.mapped(ins, v.range, TokenType::Variable, m, false),
            Some(op) => {
                let head = TextRange::new(v.range.start, v.name.range.end);
                self.mapped(ins, head, TokenType::Variable, m, false);
                let op_range = TextRange::at(v.name.range.end, op.len() as u32);
                if self.src(op_range) == op {
                    self.mapped(ins, op_range, TokenType::Operator, 0, false);
                }
                let close = TextRange::new(v.range.end.saturating_sub(1), v.range.end);
                if v.braced && self.src(close) == "}" {
                    self.mapped(ins, close, TokenType::Variable, m, false);
                }
            }
        }
    }

    /// Quoted strings (and, for the shell, comments) in the logical range `lo..hi`.
    fn quotes(&mut self, ins: &Instruction, lo: usize, hi: usize, shell: bool) {
        let s = ins.logical.as_bytes();
        let hi = hi.min(s.len());
        let esc = if shell { b'\\' } else { self.escape as u8 };
        let mut i = lo;
        let mut word_start = true;
        while i < hi {
            let c = s[i];
            if c == esc || (shell && c == b'\\') {
                i = (i + 2).min(hi);
                word_start = false;
                continue;
            }
            match c {
                b'\'' => {
                    let st = i;
                    i += 1;
                    while i < hi && s[i] != b'\'' {
                        i += 1;
                    }
                    i = (i + 1).min(hi);
                    self.logical(ins, st, i, TokenType::String, 0, true);
                    word_start = false;
                    continue;
                }
                b'"' => {
                    let st = i;
                    i += 1;
                    while i < hi {
                        if s[i] == esc || (shell && s[i] == b'\\') {
                            i += 2;
                            continue;
                        }
                        if s[i] == b'"' {
                            i += 1;
                            break;
                        }
                        i += 1;
                    }
                    i = i.min(hi);
                    self.logical(ins, st, i, TokenType::String, 0, true);
                    word_start = false;
                    continue;
                }
                b'#' if shell && word_start => {
                    self.logical(ins, i, hi, TokenType::Comment, 0, false);
                    return;
                }
                _ => {}
            }
            word_start = c.is_ascii_whitespace() || matches!(c, b';' | b'&' | b'|' | b'(' | b')');
            i += 1;
        }
    }

    fn command(&mut self, ins: &Instruction, form: &CommandForm) {
        match form {
            CommandForm::Exec(a) => {
                for s in &a.items {
                    self.mapped(ins, s.span.range, TokenType::String, 0, true);
                }
            }
            CommandForm::Shell(sp) => {
                self.quotes(ins, sp.lo as usize, sp.hi as usize, true);
                for v in ins.shell_var_uses() {
                    self.var(ins, &v);
                }
            }
            CommandForm::Empty => {}
        }
    }

    fn flags(&mut self, ins: &Instruction) {
        for f in &ins.flags {
            self.mapped(
                ins,
                TextRange::new(f.span.range.start, f.name_range.end),
                TokenType::Parameter,
                0,
                false,
            );
            let (Some(value), Some(vr)) = (&f.value, f.value_range) else {
                continue;
            };
            if vr.start > 0 && self.src(TextRange::at(vr.start - 1, 1)) == "=" {
                self.mapped(ins, TextRange::at(vr.start - 1, 1), TokenType::Operator, 0, false);
            }
            let name = f.name.to_ascii_lowercase();
            let whole = |ty| (vr, ty);
            let tok = match name.as_str() {
                "mount" if f.value_is_verbatim => {
                    for field in f.fields() {
                        self.mapped(ins, field.key_range, TokenType::Property, 0, false);
                        if let Some(fv) = field.value_range {
                            if fv.start > field.key_range.end {
                                let eq = TextRange::new(field.key_range.end, fv.start);
                                self.mapped(ins, eq, TokenType::Operator, 0, false);
                            }
                            let v = field.value.as_deref().unwrap_or("");
                            if is_enum_value(&field.key, v) {
                                self.mapped(ins, fv, TokenType::EnumMember, 0, false);
                            } else if is_number(v) {
                                self.mapped(ins, fv, TokenType::Number, 0, false);
                            }
                        }
                    }
                    None
                }
                "interval" | "timeout" | "start-period" | "start-interval"
                    if crate::syntax::parser::parse_go_duration(value).is_some() =>
                {
                    Some(whole(TokenType::Number))
                }
                _ if is_number(value) => Some(whole(TokenType::Number)),
                _ if is_enum_value(&name, value) => Some(whole(TokenType::EnumMember)),
                _ => None,
            };
            if let Some((r, ty)) = tok {
                self.mapped(ins, r, ty, 0, false);
            }
        }
    }

    fn instruction(&mut self, ins: &Instruction) {
        if ins.kind != Kind::Unknown {
            let m = if ins.kind == Kind::Maintainer { DEPRECATED } else { 0 };
            self.mapped(ins, ins.keyword.range, TokenType::Keyword, m, false);
        }
        self.flags(ins);
        for v in &ins.var_uses {
            self.var(ins, v);
        }
        match &ins.args {
            Args::From(a) => {
                if let Some(k) = &a.as_keyword {
                    self.mapped(ins, k.range, TokenType::Keyword, 0, false);
                }
                if let Some(n) = &a.name {
                    self.mapped(ins, n.range, TokenType::Namespace, DECLARATION, false);
                }
            }
            Args::Arg(decls) => {
                for d in decls {
                    let m = if is_predefined_arg(ins.text(&d.name)) {
                        DECLARATION | DEFAULT_LIBRARY
                    } else {
                        DECLARATION
                    };
                    self.mapped(ins, d.name.range, TokenType::Variable, m, false);
                    if let Some(def) = &d.default {
                        self.logical(ins, d.name.hi as usize, def.lo as usize, TokenType::Operator, 0, false);
                        self.quotes(ins, def.lo as usize, def.hi as usize, false);
                    }
                }
            }
            Args::KeyValues(kvs) => {
                let key_ty = if ins.kind == Kind::Label {
                    TokenType::Property
                } else {
                    TokenType::Variable
                };
                for kv in kvs {
                    self.mapped(ins, kv.key.range, key_ty, DECLARATION, false);
                    if !kv.legacy {
                        self.logical(
                            ins,
                            kv.key.hi as usize,
                            kv.value.lo as usize,
                            TokenType::Operator,
                            0,
                            false,
                        );
                    }
                    self.quotes(ins, kv.value.lo as usize, kv.value.hi as usize, false);
                }
            }
            Args::Words(words) => {
                for w in words {
                    self.port(ins, w.lo as usize, w.hi as usize);
                }
            }
            Args::Text(Some(t)) => {
                let s = ins.text(t);
                if ins.kind == Kind::Stopsignal && !s.contains('$') {
                    let ty = if is_number(s) {
                        TokenType::Number
                    } else {
                        TokenType::EnumMember
                    };
                    self.mapped(ins, t.range, ty, 0, false);
                } else {
                    self.quotes(ins, t.lo as usize, t.hi as usize, false);
                }
            }
            Args::Command(form) => self.command(ins, form),
            Args::Healthcheck(h) => {
                if let Some(k) = &h.kind
                    && matches!(ins.text(k).to_ascii_uppercase().as_str(), "CMD" | "NONE")
                {
                    self.mapped(ins, k.range, TokenType::Keyword, 0, false);
                }
                self.command(ins, &h.command);
            }
            Args::Paths(PathList::Exec(a)) => {
                for s in &a.items {
                    self.mapped(ins, s.span.range, TokenType::String, 0, true);
                }
            }
            Args::Onbuild(Some(inner)) => self.instruction(inner),
            Args::Paths(PathList::Words(_)) | Args::Text(None) | Args::Onbuild(None) | Args::Unknown(_) => {}
        }
        self.heredocs(ins);
        // Continuation escapes and the comment lines inside a continuation.
        let b = self.text.as_bytes();
        for p in &ins.pieces {
            let at = (self.base + p.source + p.len) as usize;
            if b.get(at) == Some(&(self.escape as u8)) {
                let rest = b[at + 1..].iter().take_while(|&&c| c != b'\n' && c != b'\r');
                if rest.clone().all(|&c| c == b' ' || c == b'\t') {
                    self.p.fg(TextRange::at(at as u32, 1), TokenType::Operator, 0);
                }
            }
        }
        for r in ins.inner_comments() {
            self.p.fg(r.shift(self.base), TokenType::Comment, 0);
        }
    }

    /// An EXPOSE word: `80`, `8000-8010/udp`.
    fn port(&mut self, ins: &Instruction, lo: usize, hi: usize) {
        let w = &ins.logical[lo..hi];
        if w.contains('$') {
            return;
        }
        let (num, proto) = match w.find('/') {
            Some(i) => (&w[..i], Some(i)),
            None => (w, None),
        };
        let ok = num.split('-').count() <= 2 && num.split('-').all(is_number);
        if !ok {
            return;
        }
        self.logical(ins, lo, lo + num.len(), TokenType::Number, 0, false);
        if let Some(i) = proto {
            self.logical(ins, lo + i, lo + i + 1, TokenType::Operator, 0, false);
            let p = &w[i + 1..];
            if matches!(p.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp") {
                self.logical(ins, lo + i + 1, hi, TokenType::EnumMember, 0, false);
            }
        }
    }

    fn heredocs(&mut self, ins: &Instruction) {
        for h in ins.heredocs() {
            let marker = ins.text(&h.marker);
            let lo = h.marker.lo as usize;
            let digits = marker.bytes().take_while(u8::is_ascii_digit).count();
            let arrows = if marker[digits..].starts_with("<<-") { 3 } else { 2 };
            if digits > 0 {
                self.logical(ins, lo, lo + digits, TokenType::Number, 0, false);
            }
            self.logical(ins, lo + digits, lo + digits + arrows, TokenType::Operator, 0, false);
            self.logical(
                ins,
                lo + digits + arrows,
                h.marker.hi as usize,
                TokenType::String,
                0,
                false,
            );
            let body = h.body.shift(self.base);
            self.p.bg(body, TokenType::String, 0);
            if h.expand {
                let text = crate::text::slice(self.text, body);
                for (a, z) in body_vars(text) {
                    self.p.fg(
                        TextRange::new(body.start + a as u32, body.start + z as u32),
                        TokenType::Variable,
                        0,
                    );
                }
            }
            if let Some(t) = h.terminator {
                // The terminator line: the delimiter after any tabs `<<-` strips.
                let t = t.shift(self.base);
                let line = crate::text::slice(self.text, t);
                let tabs = line.len() - line.trim_start_matches('\t').len();
                self.p
                    .fg(TextRange::new(t.start + tabs as u32, t.end), TokenType::String, 0);
            }
        }
    }
}

/// `$name` and `${...}` in a heredoc body with an unquoted delimiter (quotes are not special there;
/// `\$` is a literal dollar).
fn body_vars(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'$' if i + 1 < b.len() && b[i + 1] == b'{' => {
                let mut j = i + 2;
                let mut depth = 1;
                while j < b.len() && b[j] != b'\n' {
                    match b[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j < b.len() && b[j] == b'}' {
                    out.push((i, j + 1));
                    i = j + 1;
                } else {
                    i += 1;
                }
            }
            b'$' => {
                let j = i
                    + 1
                    + b[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count();
                if j > i + 1 {
                    out.push((i, j));
                }
                i = j.max(i + 1);
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn show(text: &str) -> Vec<String> {
        let tree = parse(text);
        tokens(text, &tree, None)
            .iter()
            .map(|t| {
                let mods: Vec<&str> = MODIFIERS
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| t.modifiers & (1 << i) != 0)
                    .map(|(_, m)| *m)
                    .collect();
                let m = if mods.is_empty() {
                    String::new()
                } else {
                    format!(" +{}", mods.join("+"))
                };
                format!("{:?} {}{}", &text[t.range.as_usize()], t.ty.name(), m)
            })
            .collect()
    }

    #[test]
    fn from_stage_and_image() {
        assert_eq!(
            show("FROM alpine:3.20 AS build\nFROM build\nCOPY --from=build /a /b\n"),
            [
                "\"FROM\" keyword",
                "\"alpine:3.20\" type",
                "\"AS\" keyword",
                "\"build\" namespace +declaration",
                "\"FROM\" keyword",
                "\"build\" namespace",
                "\"COPY\" keyword",
                "\"--from\" parameter",
                "\"=\" operator",
                "\"build\" namespace",
            ]
        );
    }

    #[test]
    fn strings_are_cut_by_variables_and_split_at_continuations() {
        assert_eq!(
            show("FROM a\nRUN echo \"x $HOME \\\n  y\"\n"),
            [
                "\"FROM\" keyword",
                "\"a\" type",
                "\"RUN\" keyword",
                "\"\\\"x \" string",
                "\"$HOME\" variable",
                "\" \" string",
                "\"\\\\\" operator",
                "\"  y\\\"\" string",
            ]
        );
    }

    #[test]
    fn heredoc_bodies_are_strings_with_variables() {
        assert_eq!(
            show("FROM a\nCOPY <<EOF /x\nhi $A\nEOF\n"),
            [
                "\"FROM\" keyword",
                "\"a\" type",
                "\"COPY\" keyword",
                "\"<<\" operator",
                "\"EOF\" string",
                "\"hi \" string",
                "\"$A\" variable",
                "\"\\n\" string",
                "\"EOF\" string",
            ]
        );
    }
}
