//! Completion in Dockerfiles: what can be typed at a byte offset, with the exact range it replaces.
//!
//! The cursor's context is read from the tree (which instruction, its keyword, flags and arguments, its
//! heredoc bodies and continuation lines) and from the word under the cursor on its physical line:
//!
//! - instruction keywords, only where an instruction can start (the first word of a line that is not a
//!   continuation or a heredoc body; only `FROM` and `ARG` before the first `FROM`), in the file's case;
//! - flags per instruction and their values (`RUN --mount` types, options and option values,
//!   `--network`, `--security`, `--platform`, booleans), without the flags already given;
//! - parser directives at the top (`syntax`, `escape`, `check` with BuildKit's check names) and our
//!   suppression codes after `# dockward ignore=`;
//! - variables in scope after `$` or `${`, with the value they have at that point;
//! - earlier stage names (never the current stage) and official images after `FROM`, `COPY --from=`
//!   and `--mount=...,from=`, and an official image's supported tags after `name:`, newest first, those
//!   whose release cycle reached its end of life marked deprecated.
//!
//! Items come in the order they should be shown; the edge turns that order into `sortText`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::data::{self, Date};
use crate::ide::flags::{self, FlagDoc};
use crate::images::{tags, trust};
use crate::memo::Memo;
use crate::messages::{self, Locale};
use crate::model::{AUTOMATIC_ARGS, Model, Value, VarKind};
use crate::rules::RULES;
use crate::syntax::shellword::Lookup;
use crate::syntax::{Dockerfile, Instruction, Kind, NodeKind};
use crate::text::{LineIndex, TextRange, floor_char_boundary};

/// What an item completes (the edge maps it to the protocol's kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Instruction,
    /// `AS`, `CMD`/`NONE` of HEALTHCHECK.
    Keyword,
    Flag,
    /// A flag's or option's value.
    Value,
    /// A `RUN --mount` option.
    Option,
    Variable,
    Stage,
    Image,
    Tag,
    Directive,
    /// A rule code after `# dockward ignore=`, or a BuildKit check name.
    Code,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    /// The range the item replaces: on the cursor's line, containing the cursor.
    pub range: TextRange,
    /// The text inserted when the client takes no snippets.
    pub insert: String,
    /// A snippet (`${1:placeholder}`) for clients that take them.
    pub snippet: Option<String>,
    /// What the typed text in `range` is matched against.
    pub filter: String,
    pub detail: Option<String>,
    /// Markdown.
    pub doc: Option<String>,
    pub deprecated: bool,
}

/// What completion reads.
pub struct Input<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub tree: &'a Dockerfile,
    /// The model of `tree`, or `None` to build it only when an answer needs it (variables, stages):
    /// keywords, flags and directives are answered from the tree alone.
    pub model: Option<&'a Model>,
    pub offset: u32,
    /// For the end-of-life marks of tags.
    pub today: Date,
    pub locale: Locale,
}

/// The completions at `input.offset`, in display order.
pub fn complete(input: &Input) -> Vec<Item> {
    let text = input.text;
    let off = floor_char_boundary(text, (input.offset as usize).min(text.len()));
    let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[off..].find('\n').map_or(text.len(), |i| off + i);
    let line_end = if line_end > line_start && text.as_bytes()[line_end - 1] == b'\r' && line_end > off {
        line_end - 1
    } else {
        line_end
    };
    let c = Cursor {
        input,
        off,
        line_start,
        line_end,
        model: std::cell::OnceCell::new(),
    };
    c.complete()
}

struct Cursor<'a, 'i> {
    input: &'i Input<'a>,
    off: usize,
    line_start: usize,
    line_end: usize,
    /// The model, when `input` brings none and an answer needs it.
    model: std::cell::OnceCell<Model>,
}

/// A run of non-blank characters on one line.
#[derive(Clone, Copy, Debug)]
struct Word {
    start: usize,
    end: usize,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Cursor<'a, '_> {
    fn text(&self) -> &'a str {
        self.input.text
    }

    fn model(&self) -> &Model {
        match self.input.model {
            Some(m) => m,
            None => self.model.get_or_init(|| Model::build(self.input.tree)),
        }
    }

    fn msg(&self, id: &str, args: &[(&str, String)]) -> String {
        messages::render(self.input.locale, id, args)
    }

    fn range(&self, a: usize, b: usize) -> TextRange {
        TextRange::new(a as u32, b as u32)
    }

    /// The word around the cursor, on its line.
    fn word(&self) -> Word {
        let b = self.text().as_bytes();
        let mut start = self.off;
        while start > self.line_start && !is_blank(b[start - 1]) {
            start -= 1;
        }
        let mut end = self.off;
        while end < self.line_end && !is_blank(b[end]) {
            end += 1;
        }
        Word { start, end }
    }

    fn complete(&self) -> Vec<Item> {
        let tree = self.input.tree;
        let text = self.text();
        let line = &text[self.line_start..self.line_end];
        let body_start = tree.body_start as usize;
        let first = line.trim_start_matches('\u{feff}').trim_start();
        // The item holding the cursor, if the cursor is inside it (not at the start of the next line).
        let item = tree.item_at(self.off as u32).and_then(|i| tree.item(i)).filter(|it| {
            let end = it.start as usize + it.node.len as usize;
            self.off < end || (self.off == end && !text[..end].ends_with('\n'))
        });
        if first.starts_with('#') && self.line_start <= body_start {
            return self.comment(true);
        }
        match item.map(|it| (it, &it.node.kind)) {
            None => {
                if first.is_empty() {
                    self.instructions(None, TextRange::empty(self.off as u32), false)
                } else if first.starts_with('#') {
                    self.comment(false)
                } else {
                    Vec::new()
                }
            }
            Some((_, NodeKind::Comment(_))) => self.comment(false),
            Some((it, NodeKind::Instruction(ins))) => self.in_instruction(it.index, it.start as usize, ins),
        }
    }

    // ----- comments: parser directives and suppression codes ------------------------------------------

    fn comment(&self, directive_position: bool) -> Vec<Item> {
        let text = self.text();
        let before = &text[self.line_start..self.off];
        let Some(hash) = before.find('#') else {
            return Vec::new();
        };
        let after_hash = self.line_start + hash + 1;
        let rest = &text[after_hash..self.off];
        let lead = rest.len() - rest.trim_start().len();
        let t_start = after_hash + lead;
        let t = &text[t_start..self.off];
        if let Some(items) = self.pragma(t_start) {
            return items;
        }
        if directive_position && let Some(eq) = t.find('=') {
            let name = t[..eq].trim().to_ascii_lowercase();
            let v_start = t_start + eq + 1;
            let v_lead = text[v_start..self.off].len() - text[v_start..self.off].trim_start().len();
            return self.directive_value(&name, v_start + v_lead);
        }
        if t.contains(char::is_whitespace) {
            return Vec::new();
        }
        let w = self.word();
        let line_rest = &self.text()[self.off..w.end.max(self.off)];
        let end = self.off + line_rest.find('=').unwrap_or(line_rest.len());
        let range = self.range(t_start, end);
        let mut out = Vec::new();
        if directive_position {
            let here = self.line_start as u32;
            for name in ["syntax", "escape", "check"] {
                if self
                    .input
                    .tree
                    .directives
                    .iter()
                    .any(|d| d.name == name && d.range.start != here)
                {
                    continue;
                }
                let (snippet, detail) = match name {
                    "syntax" => ("syntax=${1:docker/dockerfile:1}", "syntax=docker/dockerfile:1"),
                    "escape" => ("escape=${1|\\\\,`|}", "escape=\\ | `"),
                    _ => ("check=skip=${1:checks}", "check=skip=<checks|all>;error=<boolean>"),
                };
                out.push(Item {
                    label: name.to_string(),
                    kind: ItemKind::Directive,
                    range,
                    insert: format!("{name}="),
                    snippet: Some(snippet.to_string()),
                    filter: name.to_string(),
                    detail: Some(detail.to_string()),
                    doc: Some(self.msg(&format!("directive.{name}"), &[])),
                    deprecated: false,
                });
            }
        }
        for (label, id) in [
            ("dockward ignore=", "completion.pragma.ignore"),
            ("dockward global ignore=", "completion.pragma.global"),
        ] {
            out.push(Item {
                label: label.to_string(),
                kind: ItemKind::Directive,
                range,
                insert: label.to_string(),
                snippet: None,
                filter: label.to_string(),
                detail: None,
                doc: Some(self.msg(id, &[])),
                deprecated: false,
            });
        }
        out
    }

    /// Codes after `# dockward [global] ignore=`, when the cursor is in the code list.
    fn pragma(&self, t_start: usize) -> Option<Vec<Item>> {
        let text = self.text();
        let t = &text[t_start..self.off];
        let rest = t.strip_prefix("dockward")?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let rest = rest.trim_start();
        let rest = match rest.strip_prefix("global") {
            Some(r) if r.starts_with(char::is_whitespace) => r.trim_start(),
            _ => rest,
        };
        let list = rest.strip_prefix("ignore")?.trim_start().strip_prefix('=')?;
        if list.contains("--") {
            return Some(Vec::new());
        }
        let frag = list.rsplit(',').next().unwrap_or(list);
        let frag = frag.trim_start();
        if frag.contains(char::is_whitespace) {
            return Some(Vec::new());
        }
        let start = self.off - frag.len();
        let line_rest = &text[self.off..self.line_end];
        let end = self.off + line_rest.find([',', ' ', '\t']).unwrap_or(line_rest.len());
        let range = self.range(start, end);
        let present: Vec<String> = text[t_start..self.line_end]
            .split(['=', ','])
            .skip(1)
            .map(|s| s.trim().to_ascii_uppercase())
            .collect();
        let items = RULES
            .iter()
            .filter(|r| !present.iter().any(|p| p == r.code) || frag.eq_ignore_ascii_case(r.code))
            .map(|r| Item {
                label: r.code.to_string(),
                kind: ItemKind::Code,
                range,
                insert: r.code.to_string(),
                snippet: None,
                filter: r.code.to_string(),
                detail: Some(r.name.to_string()),
                doc: Some(r.summary_in(self.input.locale)),
                deprecated: false,
            })
            .collect();
        Some(items)
    }

    fn directive_value(&self, name: &str, v_start: usize) -> Vec<Item> {
        let text = self.text();
        let typed = &text[v_start..self.off];
        let value_item = |label: &str, range: TextRange, detail: Option<String>, doc: Option<String>| Item {
            label: label.to_string(),
            kind: ItemKind::Value,
            range,
            insert: label.to_string(),
            snippet: None,
            filter: label.to_string(),
            detail,
            doc,
            deprecated: false,
        };
        let line_rest = &text[self.off..self.line_end];
        match name {
            "syntax" => {
                let range = self.range(v_start, self.off + line_rest.trim_end().len());
                ["docker/dockerfile:1", "docker/dockerfile:1-labs"]
                    .iter()
                    .map(|v| value_item(v, range, None, Some(self.msg("directive.syntax", &[]))))
                    .collect()
            }
            "escape" => {
                let range = self.range(v_start, self.off + line_rest.trim_end().len());
                ["\\", "`"]
                    .iter()
                    .map(|v| value_item(v, range, None, Some(self.msg("directive.escape", &[]))))
                    .collect()
            }
            "check" => {
                // `skip=A,B;error=true`
                let seg_start = v_start + typed.rfind(';').map_or(0, |i| i + 1);
                let seg = &text[seg_start..self.off];
                let seg_lead = seg.len() - seg.trim_start().len();
                let seg_start = seg_start + seg_lead;
                let seg = &text[seg_start..self.off];
                let end = self.off + line_rest.find([',', ';', ' ', '\t']).unwrap_or(line_rest.len());
                match seg.find('=') {
                    None => {
                        let range = self.range(seg_start, end);
                        ["skip", "error"]
                            .iter()
                            .map(|k| {
                                let mut it =
                                    value_item(k, range, None, Some(self.msg(&format!("directive.check.{k}"), &[])));
                                it.insert = format!("{k}=");
                                it.kind = ItemKind::Option;
                                it
                            })
                            .collect()
                    }
                    Some(eq) => {
                        let key = seg[..eq].trim();
                        let vals_start = seg_start + eq + 1;
                        let vals = &text[vals_start..self.off];
                        let frag_start = vals_start + vals.rfind(',').map_or(0, |i| i + 1);
                        let range = self.range(frag_start, end);
                        match key {
                            "skip" => {
                                let present: Vec<&str> = vals.split(',').map(str::trim).collect();
                                std::iter::once("all")
                                    .chain(flags::BUILD_CHECKS)
                                    .filter(|c| !present[..present.len().saturating_sub(1)].contains(c))
                                    .map(|c| {
                                        let mut it = value_item(c, range, None, None);
                                        it.kind = ItemKind::Code;
                                        it.detail = Some(self.msg(
                                            if c == "all" {
                                                "completion.check.all"
                                            } else {
                                                "completion.check"
                                            },
                                            &[],
                                        ));
                                        it
                                    })
                                    .collect()
                            }
                            "error" => ["true", "false"]
                                .iter()
                                .map(|v| value_item(v, range, None, Some(self.msg("directive.check.error", &[]))))
                                .collect(),
                            _ => Vec::new(),
                        }
                    }
                }
            }
            _ => Vec::new(),
        }
    }

    // ----- instructions ------------------------------------------------------------------------------

    /// Whether the file writes its keywords in lower case (most of them, not counting item `skip`).
    fn lowercase_file(&self, skip: Option<usize>) -> bool {
        let (mut lower, mut upper) = (0usize, 0usize);
        for (it, ins) in self.input.tree.instructions() {
            if Some(it.index) == skip || ins.kind == Kind::Unknown {
                continue;
            }
            if ins.text(&ins.keyword).bytes().any(|b| b.is_ascii_uppercase()) {
                upper += 1;
            } else {
                lower += 1;
            }
        }
        lower > upper
    }

    /// Instruction keywords replacing `range`. `item` is the item being edited (not counted for the case
    /// and for "before the first FROM"); `bare` inserts the keyword alone (arguments follow it already).
    fn instructions(&self, item: Option<usize>, range: TextRange, bare: bool) -> Vec<Item> {
        self.keywords(item, range, bare, false)
    }

    fn keywords(&self, item: Option<usize>, range: TextRange, bare: bool, onbuild: bool) -> Vec<Item> {
        const ORDER: [Kind; 18] = [
            Kind::Run,
            Kind::Copy,
            Kind::From,
            Kind::Env,
            Kind::Arg,
            Kind::Workdir,
            Kind::User,
            Kind::Expose,
            Kind::Cmd,
            Kind::Entrypoint,
            Kind::Label,
            Kind::Add,
            Kind::Healthcheck,
            Kind::Volume,
            Kind::Shell,
            Kind::Stopsignal,
            Kind::Onbuild,
            Kind::Maintainer,
        ];
        let lower = self.lowercase_file(item);
        let before_first_from = !onbuild
            && !self
                .input
                .tree
                .instructions()
                .any(|(it, ins)| ins.kind == Kind::From && (it.start as usize) < self.line_start);
        let order: Vec<Kind> = if before_first_from {
            vec![Kind::From, Kind::Arg]
        } else {
            ORDER
                .iter()
                .copied()
                .filter(|k| !onbuild || !matches!(k, Kind::Onbuild | Kind::From | Kind::Maintainer))
                .collect()
        };
        order
            .into_iter()
            .map(|k| {
                let kw = if lower {
                    k.keyword().to_ascii_lowercase()
                } else {
                    k.keyword().to_string()
                };
                let snippet = (!bare).then(|| {
                    let body = instruction_snippet(k);
                    let body = if lower {
                        body.replace(" AS ", " as ").replace(" CMD ", " cmd ")
                    } else {
                        body.to_string()
                    };
                    format!("{kw} {body}")
                });
                Item {
                    label: kw.clone(),
                    kind: ItemKind::Instruction,
                    range,
                    insert: kw.clone(),
                    snippet,
                    filter: kw.clone(),
                    detail: None,
                    doc: Some(self.msg(&format!("hover.instruction.{}", k.keyword()), &[])),
                    deprecated: k == Kind::Maintainer,
                }
            })
            .collect()
    }

    fn in_instruction(&self, index: usize, start: usize, ins: &Instruction) -> Vec<Item> {
        let text = self.text();
        let rel = (self.off - start) as u32;
        if ins.inner_comments().iter().any(|r| r.start <= rel && rel <= r.end) {
            return Vec::new();
        }
        let w = self.word();
        let prefix = &text[w.start..self.off];
        // Inside a heredoc body or terminator: only variables.
        if ins.heredocs().first().is_some_and(|h| rel >= h.body.start) {
            return self.variable_at(index, w).unwrap_or_default();
        }
        let first_line = self.line_start == start;
        let kw = ins.keyword.range.shift(start as u32);
        if first_line && kw.start as usize <= self.off && self.off <= kw.end as usize {
            // A keyword split by a continuation is completed on the cursor's line.
            let range = TextRange::new(kw.start.max(self.line_start as u32), kw.end.min(self.line_end as u32));
            let has_args = ins.range.end > ins.keyword.range.end;
            return self.instructions(Some(index), range, has_args);
        }
        if (self.off as u32) < kw.start {
            // Before the keyword on its line: the keyword will be pushed right.
            return Vec::new();
        }
        // ONBUILD: the trigger's keyword, then the trigger as an instruction.
        let mut ins = ins;
        if ins.kind == Kind::Onbuild {
            match ins.onbuild_inner() {
                Some(inner) => {
                    let ikw = inner.keyword.range.shift(start as u32);
                    if ikw.start as usize <= self.off && self.off <= ikw.end as usize {
                        let has_args = ins.range.end > inner.keyword.range.end;
                        let range =
                            TextRange::new(ikw.start.max(self.line_start as u32), ikw.end.min(self.line_end as u32));
                        return self.keywords(Some(index), range, has_args, true);
                    }
                    if (self.off as u32) < ikw.start {
                        return Vec::new();
                    }
                    ins = inner;
                }
                None => {
                    let range = self.range(w.start, w.end);
                    return self.keywords(Some(index), range, false, true);
                }
            }
        }
        if let Some(v) = self.variable_at(index, w) {
            return v;
        }
        let args_start = start + ins.args_span.range.start as usize;
        let flag_position = ins.flags.iter().any(|f| f.span.range.start as usize + start == w.start)
            || (w.start <= args_start || ins.args_span.lo == ins.args_span.hi);
        if flag_position && prefix.starts_with("--") {
            return match prefix.find('=') {
                Some(eq) => self.flag_value(index, ins, w, &prefix[2..eq], w.start + eq + 1),
                None => self.flag_names(start, ins, self.range(w.start, w.end)),
            };
        }
        if flag_position && prefix.starts_with('-') {
            return self.flag_names(start, ins, self.range(w.start, w.end));
        }
        let mut out = Vec::new();
        let arg_index = self.arg_index(start, ins, w);
        if flag_position && prefix.is_empty() {
            out.extend(self.flag_names(start, ins, self.range(w.start, w.end)));
        }
        out.extend(self.positional(index, ins, w, arg_index));
        out
    }

    /// How many argument words come before the word `w` (flags not counted).
    fn arg_index(&self, start: usize, ins: &Instruction, w: Word) -> usize {
        let text = self.text();
        let a = (start + ins.args_span.range.start as usize).min(w.start);
        let esc = self.input.tree.escape;
        text[a..w.start]
            .split(|c: char| c.is_whitespace())
            .filter(|t| !(t.is_empty() || t.len() == esc.len_utf8() && t.starts_with(esc)))
            .count()
    }

    /// The flags of `ins` not given yet (the one being typed in `range` does not count), or repeatable.
    fn flag_names(&self, start: usize, ins: &Instruction, range: TextRange) -> Vec<Item> {
        flags::flags_of(ins.kind)
            .filter(|f| {
                f.repeatable
                    || !ins.flags.iter().any(|g| {
                        g.name.eq_ignore_ascii_case(f.name) && g.span.range.start + start as u32 != range.start
                    })
            })
            .map(|f| self.flag_item(f, range))
            .collect()
    }

    fn flag_item(&self, f: &FlagDoc, range: TextRange) -> Item {
        let label = format!("--{}", f.name);
        Item {
            insert: if f.takes_value {
                format!("{label}=")
            } else {
                label.clone()
            },
            snippet: Some(f.snippet.to_string()),
            filter: label.clone(),
            label,
            kind: ItemKind::Flag,
            range,
            detail: Some(f.signature.to_string()),
            doc: Some(self.msg(&flags::flag_message(f.name), &[])),
            deprecated: false,
        }
    }

    fn value_item(&self, label: &str, range: TextRange, detail: Option<String>, doc: Option<String>) -> Item {
        Item {
            label: label.to_string(),
            kind: ItemKind::Value,
            range,
            insert: label.to_string(),
            snippet: None,
            filter: label.to_string(),
            detail,
            doc,
            deprecated: false,
        }
    }

    /// After `--name=`: the flag's values. `v_start` is where the value starts.
    fn flag_value(&self, index: usize, ins: &Instruction, w: Word, name: &str, v_start: usize) -> Vec<Item> {
        let text = self.text();
        let name = name.to_ascii_lowercase();
        let quote = text[v_start..self.off].starts_with('"');
        let v_start = v_start + usize::from(quote);
        let v_end = if quote && text[v_start..w.end].ends_with('"') && w.end > self.off {
            w.end - 1
        } else {
            w.end
        };
        let range = self.range(v_start, v_end.max(self.off));
        match (ins.kind, name.as_str()) {
            (Kind::From, "platform") => self.platforms(range),
            (Kind::Copy, "from") => self.image_or_stage(index, v_start, v_end.max(self.off), false),
            (Kind::Run, "mount") => self.mount(index, v_start, v_end.max(self.off)),
            (Kind::Add, "checksum") if text[v_start..self.off].is_empty() => {
                let mut it = self.value_item("sha256:", range, None, Some(self.msg("flag.checksum", &[])));
                it.snippet = Some("sha256:${1:hash}".into());
                vec![it]
            }
            (_, n) => flags::flag_values(n)
                .iter()
                .map(|v| {
                    let doc = flags::value_message(n, v).map(|id| self.msg(&id, &[]));
                    self.value_item(v, range, None, doc)
                })
                .collect(),
        }
    }

    fn platforms(&self, range: TextRange) -> Vec<Item> {
        let mut out = vec![
            self.value_item(
                "$BUILDPLATFORM",
                range,
                Some(self.msg("completion.platform.build", &[])),
                None,
            ),
            self.value_item(
                "$TARGETPLATFORM",
                range,
                Some(self.msg("completion.platform.target", &[])),
                None,
            ),
        ];
        for (it, _) in out.iter_mut().zip(0..) {
            // `$` starts a snippet variable: escape it.
            it.snippet = Some(it.label.replace('$', "\\$"));
        }
        out.extend(
            flags::PLATFORMS
                .iter()
                .map(|p| self.value_item(p, range, Some(self.msg("completion.platform.const", &[])), None)),
        );
        out
    }

    /// Inside `--mount=...`: option names, or an option's values.
    fn mount(&self, index: usize, v_start: usize, v_end: usize) -> Vec<Item> {
        let text = self.text();
        let typed = &text[v_start..self.off];
        let field_start = v_start + typed.rfind(',').map_or(0, |i| i + 1);
        let rest = &text[self.off..v_end];
        let field_end = self.off + rest.find(',').unwrap_or(rest.len());
        let whole = &text[v_start..v_end];
        let fields: Vec<(&str, Option<&str>)> = whole
            .split(',')
            .map(|f| match f.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (f.trim(), None),
            })
            .collect();
        let ty = fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("type"))
            .and_then(|(_, v)| *v)
            .unwrap_or("bind")
            .to_ascii_lowercase();
        let field = &text[field_start..self.off];
        match field.find('=') {
            Some(eq) => {
                let key = flags::mount_key_canonical(&field[..eq]).unwrap_or("");
                let val_start = field_start + eq + 1;
                let range = self.range(val_start, field_end);
                if key == "from" {
                    return self.image_or_stage(index, val_start, field_end, true);
                }
                flags::mount_values(key)
                    .iter()
                    .map(|v| {
                        let doc = flags::value_message(key, v).map(|id| self.msg(&id, &[]));
                        self.value_item(v, range, None, doc)
                    })
                    .collect()
            }
            None => {
                let range = self.range(field_start, field_end);
                let present: Vec<&str> = fields
                    .iter()
                    .filter_map(|(k, _)| flags::mount_key_canonical(k))
                    .collect();
                let this = flags::mount_key_canonical(field.trim());
                let mut keys: Vec<&str> = Vec::new();
                if !present.contains(&"type") || this == Some("type") {
                    keys.push("type");
                }
                keys.extend(
                    flags::mount_keys(&ty)
                        .iter()
                        .filter(|k| !present.contains(k) || this == Some(**k)),
                );
                keys.into_iter()
                    .map(|k| {
                        let bare = flags::mount_key_is_bare(k);
                        let snippet = match k {
                            "type" => Some("type=${1|cache,bind,secret,ssh,tmpfs|}".to_string()),
                            "sharing" => Some("sharing=${1|locked,shared,private|}".to_string()),
                            "required" => Some("required=${1|true,false|}".to_string()),
                            _ => None,
                        };
                        Item {
                            label: k.to_string(),
                            kind: ItemKind::Option,
                            range,
                            insert: if bare { k.to_string() } else { format!("{k}=") },
                            snippet,
                            filter: k.to_string(),
                            detail: Some(format!("type={ty}")),
                            doc: Some(self.msg(&flags::mount_key_message(k), &[])),
                            deprecated: false,
                        }
                    })
                    .collect()
            }
        }
    }

    /// Positional arguments: images and stages after FROM, `AS`, HEALTHCHECK's `CMD`/`NONE`, signals,
    /// automatic platform ARG names.
    fn positional(&self, index: usize, ins: &Instruction, w: Word, arg_index: usize) -> Vec<Item> {
        let text = self.text();
        let prefix = &text[w.start..self.off];
        let kw_lower = !ins.text(&ins.keyword).bytes().any(|b| b.is_ascii_uppercase());
        let case = |s: &str| {
            if kw_lower {
                s.to_ascii_lowercase()
            } else {
                s.to_string()
            }
        };
        let range = self.range(w.start, w.end);
        match (ins.kind, arg_index) {
            (Kind::From, 0) => self.image_or_stage(index, w.start, w.end, false),
            (Kind::From, 1) => {
                let kw = case("AS");
                vec![Item {
                    label: kw.clone(),
                    kind: ItemKind::Keyword,
                    range,
                    insert: format!("{kw} "),
                    snippet: Some(format!("{kw} ${{1:name}}")),
                    filter: kw,
                    detail: None,
                    doc: Some(self.msg("completion.as", &[])),
                    deprecated: false,
                }]
            }
            (Kind::Healthcheck, 0) => ["CMD", "NONE"]
                .iter()
                .map(|k| {
                    let kw = case(k);
                    Item {
                        label: kw.clone(),
                        kind: ItemKind::Keyword,
                        range,
                        insert: if *k == "CMD" { format!("{kw} ") } else { kw.clone() },
                        snippet: (*k == "CMD").then(|| format!("{kw} ${{1:command}}")),
                        filter: kw,
                        detail: None,
                        doc: Some(self.msg(&format!("healthcheck.{}", k.to_ascii_lowercase()), &[])),
                        deprecated: false,
                    }
                })
                .collect(),
            (Kind::Stopsignal, 0) => flags::SIGNALS
                .iter()
                .map(|s| self.value_item(s, range, None, None))
                .collect(),
            (Kind::Arg, _) if !prefix.contains('=') => {
                let Some(stage) = self.model().item_stage.get(index).copied().flatten() else {
                    return Vec::new();
                };
                let declared: Vec<&str> = self.model().stages[stage]
                    .vars
                    .iter()
                    .filter(|v| v.kind == VarKind::Arg && v.item < index)
                    .map(|v| v.name.as_str())
                    .collect();
                AUTOMATIC_ARGS
                    .iter()
                    .filter(|a| !declared.contains(a))
                    .map(|a| {
                        let mut it = self.value_item(a, range, Some(self.msg("completion.var.automatic", &[])), None);
                        it.kind = ItemKind::Variable;
                        it
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    // ----- images, tags and stages -------------------------------------------------------------------

    /// At an image reference written from `v_start` to `v_end`: earlier stages and official images, or an
    /// official image's tags after `name:`.
    fn image_or_stage(&self, index: usize, v_start: usize, v_end: usize, mount: bool) -> Vec<Item> {
        let text = self.text();
        let typed = &text[v_start..self.off];
        if typed.contains('@') || typed.contains('$') {
            return Vec::new();
        }
        let last_slash = typed.rfind('/').map_or(0, |i| i + 1);
        if let Some(colon) = typed[last_slash..].find(':').map(|i| i + last_slash) {
            let name = &typed[..colon];
            let rest = &text[v_start + colon + 1..v_end];
            let end = v_start + colon + 1 + rest.find('@').unwrap_or(rest.len());
            return self.image_tags(name, self.range(v_start + colon + 1, end));
        }
        let rest = &text[self.off..v_end];
        let end = self.off + rest.find([':', '@']).unwrap_or(rest.len());
        let range = self.range(v_start, end);
        let model = self.model();
        // Stages before the one holding (or started by) this instruction.
        let current = model
            .stage_from(index)
            .map(|s| s.index)
            .or_else(|| model.item_stage.get(index).copied().flatten())
            .unwrap_or(model.stages.len());
        // `FROM` names stages only by name; `--from` also by index.
        let is_from = model.stage_from(index).is_some();
        let mut out = Vec::new();
        for st in &model.stages[..current.min(model.stages.len())] {
            let label = match &st.name {
                Some(n) if model.first_stage_named(n) == Some(st.index) => n.clone(),
                Some(_) => continue,
                None if !is_from => st.index.to_string(),
                None => continue,
            };
            let base = st.image_text.clone().unwrap_or_default();
            let line = self
                .input
                .lines
                .line_of(self.input.tree.item(st.from_item).map_or(0, |i| i.start))
                + 1;
            out.push(Item {
                label: label.clone(),
                kind: ItemKind::Stage,
                range,
                insert: label.clone(),
                snippet: None,
                filter: label,
                detail: Some(self.msg(
                    "completion.stage",
                    &[
                        ("index", st.index.to_string()),
                        ("base", base),
                        ("line", line.to_string()),
                    ],
                )),
                doc: None,
                deprecated: false,
            });
        }
        if !mount && is_from {
            out.push(self.value_item("scratch", range, Some(self.msg("completion.scratch", &[])), None));
        }
        out.extend(
            official_image_items(self.input.locale)
                .iter()
                .map(|(name, detail, deprecated)| Item {
                    label: name.to_string(),
                    kind: ItemKind::Image,
                    range,
                    insert: name.to_string(),
                    snippet: None,
                    filter: name.to_string(),
                    detail: Some(detail.clone()),
                    doc: None,
                    deprecated: *deprecated,
                }),
        );
        out
    }

    fn image_tags(&self, name: &str, range: TextRange) -> Vec<Item> {
        let Some(image) = data::official_image(name) else {
            return Vec::new();
        };
        tag_items(image, self.input.today, self.input.locale)
            .iter()
            .map(|(tag, detail, deprecated)| Item {
                label: tag.to_string(),
                kind: ItemKind::Tag,
                range,
                insert: tag.to_string(),
                snippet: None,
                filter: tag.to_string(),
                detail: detail.clone(),
                doc: None,
                deprecated: *deprecated,
            })
            .collect()
    }

    // ----- variables ---------------------------------------------------------------------------------

    /// Variables when the cursor follows `$` or `${` (and a partial name) in word `w`.
    fn variable_at(&self, index: usize, w: Word) -> Option<Vec<Item>> {
        let text = self.text();
        let b = text.as_bytes();
        let mut i = self.off;
        while i > w.start && is_name_byte(b[i - 1]) {
            i -= 1;
        }
        let name_start = i;
        let braced = i > w.start && b[i - 1] == b'{';
        let dollar = if braced { i.checked_sub(2)? } else { i.checked_sub(1)? };
        if dollar < w.start || b[dollar] != b'$' {
            return None;
        }
        let esc = self.input.tree.escape as u32;
        if dollar > w.start && (u32::from(b[dollar - 1]) == esc || b[dollar - 1] == b'\\') {
            return None;
        }
        let mut end = self.off;
        while end < w.end && is_name_byte(b[end]) {
            end += 1;
        }
        let closed = braced && b.get(end) == Some(&b'}');
        let range = self.range(name_start, end);
        Some(
            self.variables(index)
                .into_iter()
                .map(|(name, detail, doc)| Item {
                    insert: if braced && !closed {
                        format!("{name}}}")
                    } else {
                        name.clone()
                    },
                    filter: name.clone(),
                    label: name,
                    kind: ItemKind::Variable,
                    range,
                    snippet: None,
                    detail: Some(detail),
                    doc,
                    deprecated: false,
                })
                .collect(),
        )
    }

    /// The variables visible at item `index`: (name, detail with the value, where it is defined).
    fn variables(&self, index: usize) -> Vec<(String, String, Option<String>)> {
        let model = self.model();
        let lines = self.input.lines;
        let value_text = |v: &Value| match v {
            Value::Known(s) => format!("\"{s}\""),
            Value::Unknown => self.msg("completion.var.unknown", &[]),
        };
        let mut out: Vec<(String, String, Option<String>)> = Vec::new();
        let global_scope =
            model.stage_from(index).is_some() || model.item_stage.get(index).copied().flatten().is_none();
        if global_scope {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for g in model.global_args.iter().filter(|g| g.item < index) {
                let detail = self.msg(
                    "completion.var.arg",
                    &[
                        ("value", value_text(&g.value)),
                        ("line", (lines.line_of(g.name_range.start) + 1).to_string()),
                    ],
                );
                let entry = (g.name.clone(), detail, None);
                match seen.get(g.name.as_str()) {
                    Some(&i) => out[i] = entry,
                    None => {
                        seen.insert(&g.name, out.len());
                        out.push(entry);
                    }
                }
            }
            // BuildKit defines the platform ARGs in the global scope (FROM lines and global ARG defaults).
            for a in AUTOMATIC_ARGS {
                if !seen.contains_key(a) {
                    out.push((a.to_string(), self.msg("completion.var.automatic", &[]), None));
                }
            }
            return out;
        }
        let Some(s) = model.item_stage.get(index).copied().flatten() else {
            return out;
        };
        let st = &model.stages[s];
        let mut names: Vec<&str> = Vec::new();
        let mut defs: HashMap<&str, &crate::model::VarDef> = HashMap::new();
        for v in &st.vars {
            if !(v.item < index || v.item < st.from_item) {
                continue;
            }
            // ENV beats ARG.
            match defs.get(v.name.as_str()) {
                Some(prev) if prev.kind == VarKind::Env && v.kind == VarKind::Arg => {}
                Some(_) => {
                    defs.insert(&v.name, v);
                }
                None => {
                    names.push(&v.name);
                    defs.insert(&v.name, v);
                }
            }
        }
        for n in names {
            let Some(def) = defs.get(n) else { continue };
            let value = match model.lookup(s, index, n) {
                Lookup::Set(v) => Value::Known(v),
                _ => Value::Unknown,
            };
            let id = match def.kind {
                VarKind::Arg => "completion.var.arg",
                VarKind::Env => "completion.var.env",
            };
            let detail = self.msg(
                id,
                &[
                    ("value", value_text(&value)),
                    ("line", (lines.line_of(def.name_range.start) + 1).to_string()),
                ],
            );
            out.push((n.to_string(), detail, None));
        }
        out
    }
}

/// The snippet body after an instruction's keyword.
fn instruction_snippet(k: Kind) -> &'static str {
    match k {
        Kind::Add => "${1:source} ${2:dest}",
        Kind::Arg => "${1:name}",
        Kind::Cmd => "[\"${1:executable}\", \"${2:param}\"]",
        Kind::Copy => "${1:source} ${2:dest}",
        Kind::Entrypoint => "[\"${1:executable}\", \"${2:param}\"]",
        Kind::Env => "${1:key}=${2:value}",
        Kind::Expose => "${1:port}",
        Kind::From => "${1:image}:${2:tag} AS ${3:name}",
        Kind::Healthcheck => "--interval=${1:30s} --timeout=${2:30s} CMD ${3:command}",
        Kind::Label => "${1:key}=\"${2:value}\"",
        Kind::Maintainer => "${1:name}",
        Kind::Onbuild => "${1:instruction}",
        Kind::Run => "${1:command}",
        Kind::Shell => "[\"${1:executable}\", \"${2:param}\"]",
        Kind::Stopsignal => "${1:SIGTERM}",
        Kind::User => "${1:user}",
        Kind::Volume => "[\"${1:/data}\"]",
        Kind::Workdir => "${1:/path}",
        Kind::Unknown => "",
    }
}

/// Official images: name, detail, deprecated.
type ImageItems = Arc<Vec<(&'static str, String, bool)>>;

/// Every official image with its detail and whether it is deprecated, once per process and locale.
fn official_image_items(locale: Locale) -> ImageItems {
    static MEMO: Memo<Locale, ImageItems> = Memo::new(4);
    MEMO.get_or(&locale, || {
        let items = data::official_images()
            .map(|img| {
                let retired = trust::RETIRED.iter().find(|(n, _)| *n == img.name());
                match retired {
                    Some((_, successor)) => (
                        img.name(),
                        messages::render(
                            locale,
                            "completion.image.retired",
                            &[("successor", successor.to_string())],
                        ),
                        true,
                    ),
                    None if img.tags().len() == 0 => (
                        img.name(),
                        messages::render(locale, "completion.image.deprecated", &[]),
                        true,
                    ),
                    None => (
                        img.name(),
                        messages::render(
                            locale,
                            "completion.image.official",
                            &[("tags", img.tags().len().to_string())],
                        ),
                        false,
                    ),
                }
            })
            .collect();
        Arc::new(items)
    })
}

type TagItems = Arc<Vec<(&'static str, Option<String>, bool)>>;

/// The supported tags of an official image, newest version first, with the release cycles they name and
/// whether one of them reached its end of life on `today`; once per process, image, date and locale.
pub fn tag_items(image: data::OfficialImage, today: Date, locale: Locale) -> TagItems {
    static MEMO: Memo<(&'static str, Date, Locale), TagItems> = Memo::new(256);
    MEMO.get_or(&(image.name(), today, locale), || {
        let name = image.name();
        struct Entry {
            tag: &'static str,
            version: Vec<u64>,
            unstable: bool,
            detail: Option<String>,
            deprecated: bool,
        }
        let mut entries: Vec<Entry> = image
            .tags()
            .map(|t| {
                let parsed = tags::Tag::parse(name, t);
                let mut deprecated = false;
                let parts: Vec<String> = tags::cycles(name, t)
                    .iter()
                    .map(|c| {
                        let release = format!("{} {}", c.product.title, c.release.cycle);
                        let ended = c.release.is_eol(today);
                        deprecated |= ended;
                        let args = |d: Date| [("release", release.clone()), ("date", d.to_string())];
                        match c.release.eol.date() {
                            Some(d) if ended => messages::render(locale, "completion.tag.eol-past", &args(d)),
                            Some(d) => messages::render(locale, "completion.tag.eol", &args(d)),
                            None if ended => {
                                messages::render(locale, "completion.tag.ended", &[("release", release.clone())])
                            }
                            None => release.clone(),
                        }
                    })
                    .collect();
                Entry {
                    tag: t,
                    version: parsed.version.as_ref().map(|v| v.parts.clone()).unwrap_or_default(),
                    unstable: parsed.prerelease || parsed.dated,
                    detail: (!parts.is_empty()).then(|| parts.join(" · ")),
                    deprecated,
                }
            })
            .collect();
        // Versions newest first (a shorter moving tag before the versions it stands for), stable tags
        // before pre-releases and dated snapshots, supported before end of life, then words (`latest`
        // first), shorter first.
        entries.sort_by(|a, b| {
            let has = |e: &Entry| !e.version.is_empty();
            has(b)
                .cmp(&has(a))
                .then_with(|| a.unstable.cmp(&b.unstable))
                .then_with(|| {
                    for (x, y) in a.version.iter().zip(&b.version) {
                        if x != y {
                            return y.cmp(x);
                        }
                    }
                    a.version.len().cmp(&b.version.len())
                })
                .then_with(|| a.deprecated.cmp(&b.deprecated))
                .then_with(|| (b.tag == "latest").cmp(&(a.tag == "latest")))
                .then_with(|| a.tag.len().cmp(&b.tag.len()))
                .then_with(|| a.tag.cmp(b.tag))
        });
        let items = entries.into_iter().map(|e| (e.tag, e.detail, e.deprecated)).collect();
        Arc::new(items)
    })
}
