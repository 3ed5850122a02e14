//! The Dockerfile formatter: small text edits that lay a file out consistently without changing what
//! Docker builds from it.
//!
//! What it changes: instruction keywords (and `AS`, HEALTHCHECK's `CMD`/`NONE`) to one case; the
//! whitespace right after a keyword, between flags and between the words of instructions whose words
//! Docker splits on whitespace (FROM, COPY, ADD, VOLUME, EXPOSE, ARG, ENV, LABEL); the indentation of
//! instructions and comments (none) and of continuation lines (one indent); trailing whitespace; runs of
//! blank lines between instructions; the final newline.
//!
//! What it never changes: heredoc bodies and terminators, quoted strings, exec-form JSON, the text of
//! RUN/CMD/ENTRYPOINT shell commands beyond the leading indentation of their continuation lines, the
//! whitespace before a line-continuation escape (it is part of the logical line Docker builds), comment
//! text, parser directives and the escape character. A continuation line is re-indented only where the
//! join is whitespace outside any quote or escape, in a part of the instruction where Docker (or the
//! shell) splits words on whitespace: its leading whitespace is then a word separator whatever its
//! length. Nothing after an unterminated heredoc is touched (Docker reads the rest of the file as its
//! body). Formatting is idempotent; `tests/ide_format.rs` checks both promises on the corpus.

use crate::settings::KeywordCase;
use crate::syntax::{Args, CommandForm, Dockerfile, Instruction, Kind, PathList};
use crate::text::TextRange;

/// What the formatter does; built from the settings and the editor's formatting options at the edges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatOptions {
    pub keyword_case: KeywordCase,
    /// The indentation of continuation lines and of comments inside a continuation.
    pub indent: String,
    pub max_blank_lines: u32,
    pub trim_trailing_whitespace: bool,
    pub insert_final_newline: bool,
    /// Removes the blank lines at the end of the file.
    pub trim_final_newlines: bool,
}

impl Default for FormatOptions {
    fn default() -> FormatOptions {
        FormatOptions {
            keyword_case: KeywordCase::Auto,
            indent: "    ".to_string(),
            max_blank_lines: 1,
            trim_trailing_whitespace: true,
            insert_final_newline: true,
            trim_final_newlines: true,
        }
    }
}

/// One replacement of the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

/// The edits that format the whole file, sorted and non-overlapping.
pub fn format(text: &str, tree: &Dockerfile, opts: &FormatOptions) -> Vec<Edit> {
    Formatter::new(text, tree, opts).run()
}

/// The edits of [`format`] that touch the lines of `range`.
pub fn format_range(text: &str, tree: &Dockerfile, opts: &FormatOptions, range: TextRange) -> Vec<Edit> {
    let b = text.as_bytes();
    let start = range.start.min(text.len() as u32) as usize;
    let end = range.end.min(text.len() as u32) as usize;
    let line_start = b[..start].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1) as u32;
    let line_end = b[end..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(text.len(), |i| end + i) as u32;
    let lines = TextRange::new(line_start, line_end);
    format(text, tree, opts)
        .into_iter()
        .filter(|e| e.range.intersects(lines))
        .collect()
}

/// Edits after the user typed a newline at `offset` (the start of the new line): a continuation line
/// gets the continuation indent; a blank line after a finished instruction loses its indentation.
pub fn on_type_newline(text: &str, tree: &Dockerfile, opts: &FormatOptions, offset: u32) -> Vec<Edit> {
    let b = text.as_bytes();
    if tree.len as usize != text.len() {
        return Vec::new();
    }
    let offset = (offset as usize).min(text.len());
    let line = b[..offset].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    if line == 0 || line <= tree.body_start as usize {
        return Vec::new();
    }
    let line_above = |s: usize| b[..s - 1].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    let (content_end, _) = line_end(b, line);
    let ws = leading_blanks(b, line, content_end);
    let blank = ws == content_end;
    // Heredoc bodies belong to the user.
    let above = line_above(line);
    if let Some(it) = tree.item_at(above as u32).and_then(|i| tree.item(i))
        && let Some(ins) = it.instruction()
        && !ins.heredocs().is_empty()
    {
        let rel = (above - it.start as usize) as u32;
        if rel >= ins.range.end {
            let after_last = ins
                .heredocs()
                .last()
                .and_then(|h| h.terminator)
                .is_some_and(|t| t.start == rel);
            if !after_last {
                return Vec::new();
            }
        } else {
            let (ce, _) = line_end(b, above);
            if !continues(b, above, ce, tree.escape) {
                return Vec::new();
            }
        }
    }
    // The nearest line above that is neither blank nor a comment: Docker skips those inside a continuation.
    let mut k = line;
    let (prev_start, prev_end) = loop {
        if k <= tree.body_start as usize {
            return Vec::new();
        }
        let s = line_above(k);
        let (ce, _) = line_end(b, s);
        let f = leading_blanks(b, s, ce);
        if f < ce && b[f] != b'#' {
            break (s, ce);
        }
        k = s;
    };
    let Some(item) = tree.item_at(prev_start as u32).and_then(|i| tree.item(i)) else {
        return Vec::new();
    };
    let continued = continues(b, prev_start, prev_end, tree.escape);
    let target = match item.instruction() {
        Some(ins) if continued => {
            // The logical offset where the new line joins: the end of the previous line's piece.
            let rel = (prev_start - item.start as usize) as u32;
            let Some(p) = ins
                .pieces
                .iter()
                .rev()
                .find(|p| p.source <= rel.max(ins.keyword.range.start))
            else {
                return Vec::new();
            };
            let join = p.logical + p.len;
            if !quote_free_at(&ins.logical, tree.escape, &[join])[0] || !splits_on_whitespace(ins, join) {
                return Vec::new();
            }
            if !blank {
                // Text moved to the new line: indenting it must not split a word.
                let prev_ws = join > 0 && is_blank_char(ins.logical.as_bytes()[join as usize - 1]);
                if !(prev_ws || ws > line) || !starts_with_visible(text, ws) {
                    return Vec::new();
                }
            }
            opts.indent.as_str()
        }
        _ if blank && !continued => "",
        _ => return Vec::new(),
    };
    if &text[line..ws] == target {
        return Vec::new();
    }
    vec![Edit {
        range: TextRange::new(line as u32, ws as u32),
        new_text: target.to_string(),
    }]
}

/// Applies sorted, non-overlapping edits.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0usize;
    for e in edits {
        let (a, z) = (e.range.start as usize, e.range.end as usize);
        if a < pos || z > text.len() || !text.is_char_boundary(a) || !text.is_char_boundary(z) {
            continue;
        }
        out.push_str(&text[pos..a]);
        out.push_str(&e.new_text);
        pos = z;
    }
    out.push_str(&text[pos..]);
    out
}

/// The keyword case the file mostly uses: lower when strictly more keywords are all lower case.
pub fn dominant_case(tree: &Dockerfile) -> KeywordCase {
    let (mut upper, mut lower) = (0usize, 0usize);
    let mut count = |ins: &Instruction| {
        let k = ins.text(&ins.keyword);
        if ins.kind == Kind::Unknown {
            return;
        }
        if k.bytes().all(|c| c.is_ascii_uppercase()) {
            upper += 1;
        } else if k.bytes().all(|c| c.is_ascii_lowercase()) {
            lower += 1;
        }
    };
    for (_, ins) in tree.instructions() {
        count(ins);
        if let Some(inner) = ins.onbuild_inner() {
            count(inner);
        }
    }
    if lower > upper {
        KeywordCase::Lower
    } else {
        KeywordCase::Upper
    }
}

/// Whether the character at `at` is not whitespace (Docker and the shell may treat other whitespace
/// characters as separators or as text: lines starting with one are left alone).
fn starts_with_visible(text: &str, at: usize) -> bool {
    text.get(at..)
        .and_then(|s| s.chars().next())
        .is_some_and(|c| !c.is_whitespace())
}

fn is_blank_char(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// The end of the line starting at `pos` without its terminator (trailing `\r`s dropped, as the parser
/// does), and the start of the next line.
fn line_end(b: &[u8], pos: usize) -> (usize, usize) {
    let (end, next) = match b[pos.min(b.len())..].iter().position(|&c| c == b'\n') {
        Some(i) => (pos + i, pos + i + 1),
        None => (b.len(), b.len()),
    };
    let mut ce = end;
    while ce > pos && b[ce - 1] == b'\r' {
        ce -= 1;
    }
    (ce, next)
}

/// The first offset in `[from, to)` that is not a space or a tab.
fn leading_blanks(b: &[u8], from: usize, to: usize) -> usize {
    let mut i = from;
    while i < to && is_blank_char(b[i]) {
        i += 1;
    }
    i
}

/// Where the trailing spaces and tabs of `[from, to)` start.
fn trailing_blanks(b: &[u8], from: usize, to: usize) -> usize {
    let mut i = to;
    while i > from && is_blank_char(b[i - 1]) {
        i -= 1;
    }
    i
}

/// Whether the line `[start, content_end)` ends with Docker's line-continuation escape.
fn continues(b: &[u8], start: usize, content_end: usize, escape: char) -> bool {
    let e = trailing_blanks(b, start, content_end);
    let esc = escape as u8;
    e > start && b[e - 1] == esc && (e - 1 == start || b[e - 2] != esc)
}

/// For each logical offset of `at` (ascending), whether it lies outside any quote and not right after an
/// escape. Both `\` and the escape character escape (the shell reads `\` whatever the directive says),
/// `'` and `"` quote: conservative for Docker's word rules, the shell's and JSON's alike.
fn quote_free_at(logical: &str, escape: char, at: &[u32]) -> Vec<bool> {
    #[derive(PartialEq)]
    enum Q {
        None,
        Single,
        Double,
    }
    let b = logical.as_bytes();
    let esc = escape as u8;
    let mut out = Vec::with_capacity(at.len());
    let mut q = Q::None;
    let mut escaped = false;
    let mut i = 0usize;
    for &x in at {
        let x = (x as usize).min(b.len());
        while i < x {
            let c = b[i];
            if escaped {
                escaped = false;
            } else {
                match q {
                    Q::None => match c {
                        b'\\' => escaped = true,
                        c if c == esc => escaped = true,
                        b'\'' => q = Q::Single,
                        b'"' => q = Q::Double,
                        _ => {}
                    },
                    Q::Single => {
                        if c == b'\'' {
                            q = Q::None;
                        }
                    }
                    Q::Double => match c {
                        b'\\' => escaped = true,
                        c if c == esc => escaped = true,
                        b'"' => q = Q::None,
                        _ => {}
                    },
                }
            }
            i += 1;
        }
        out.push(q == Q::None && !escaped);
    }
    out
}

/// Whether whitespace at logical offset `x` separates words whatever its length: false inside the
/// verbatim text of USER, WORKDIR, STOPSIGNAL, MAINTAINER, a legacy `ENV key value`, or an unknown
/// instruction.
fn splits_on_whitespace(ins: &Instruction, x: u32) -> bool {
    let args_lo = ins.args_span.lo;
    match (&ins.kind, &ins.args) {
        (Kind::User | Kind::Workdir | Kind::Stopsignal | Kind::Maintainer | Kind::Unknown, _) => x <= args_lo,
        (_, Args::KeyValues(kvs)) => match kvs.iter().find(|kv| kv.legacy) {
            Some(kv) => x <= kv.value.lo,
            None => true,
        },
        (_, Args::Onbuild(inner)) => match inner {
            None => x <= args_lo,
            Some(inner) => x <= args_lo || splits_on_whitespace(inner, x - args_lo),
        },
        _ => true,
    }
}

struct Formatter<'a> {
    text: &'a str,
    b: &'a [u8],
    tree: &'a Dockerfile,
    opts: &'a FormatOptions,
    case: KeywordCase,
    edits: Vec<Edit>,
    /// Nothing at or after this offset is touched (an unterminated heredoc swallows the rest).
    limit: usize,
}

impl<'a> Formatter<'a> {
    fn new(text: &'a str, tree: &'a Dockerfile, opts: &'a FormatOptions) -> Formatter<'a> {
        let case = match opts.keyword_case {
            KeywordCase::Auto => dominant_case(tree),
            c => c,
        };
        let mut limit = text.len();
        for (it, ins) in tree.instructions() {
            if ins.heredocs().iter().any(|h| h.terminator.is_none()) {
                limit = line_end(text.as_bytes(), (it.start + ins.range.end) as usize).0;
                break;
            }
        }
        Formatter {
            text,
            b: text.as_bytes(),
            tree,
            opts,
            case,
            edits: Vec::new(),
            limit,
        }
    }

    fn edit(&mut self, a: usize, z: usize, new_text: &str) {
        if z > self.limit || a > z || &self.text[a..z] == new_text {
            return;
        }
        self.edits.push(Edit {
            range: TextRange::new(a as u32, z as u32),
            new_text: new_text.to_string(),
        });
    }

    fn run(mut self) -> Vec<Edit> {
        if self.tree.len as usize != self.text.len() {
            return Vec::new();
        }
        let tree = self.tree;
        for d in &tree.directives {
            let (v, e) = (d.value_range.end as usize, d.range.end as usize);
            if self.opts.trim_trailing_whitespace && v <= e && self.b[v..e].iter().all(|&c| is_blank_char(c)) {
                self.edit(v, e, "");
            }
        }
        let mut pos = tree.body_start as usize;
        let mut first = true;
        for it in tree.items() {
            let start = it.start as usize;
            if start >= self.limit {
                break;
            }
            self.blank_run(pos, start, first);
            first = false;
            if let Some(ins) = it.instruction() {
                self.instruction(start, ins);
            } else if let Some(c) = it.comment() {
                let (hash, end) = (start + c.range.start as usize, start + c.range.end as usize);
                if self.b[start..hash].iter().all(|&ch| is_blank_char(ch)) {
                    self.edit(start, hash, "");
                }
                self.trailing(hash + 1, end);
            }
            pos = start + it.node.len as usize;
        }
        if self.limit < self.text.len() || self.text.is_empty() {
            return self.edits;
        }
        let len = self.text.len();
        if tree.items.is_empty() && tree.directives.is_empty() {
            // Nothing but blank lines: they go, and no newline is added to an empty file.
            if self.opts.trim_final_newlines {
                self.edit(pos, len, "");
            }
            return self.edits;
        }
        if pos < len && self.opts.trim_final_newlines {
            // Only blank lines are left: drop them, keeping the newline of the last line.
            self.edit(pos, len, "");
        } else if pos < len {
            self.blank_run(pos, len, first);
        }
        if self.opts.insert_final_newline
            && !self.text.ends_with('\n')
            && (pos >= len || !self.opts.trim_final_newlines)
        {
            let nl = if self.text.contains("\r\n") { "\r\n" } else { "\n" };
            self.edits.push(Edit {
                range: TextRange::empty(len as u32),
                new_text: nl.to_string(),
            });
        }
        self.edits.sort_by_key(|e| (e.range.start, e.range.end));
        self.edits
    }

    /// The blank lines `[from, to)` between items: at most `max_blank_lines` kept, emptied.
    fn blank_run(&mut self, from: usize, to: usize, first: bool) {
        if from >= to {
            return;
        }
        let mut lines = Vec::new();
        let mut p = from;
        while p < to {
            let (ce, next) = line_end(self.b, p);
            lines.push((p, ce));
            p = next;
        }
        let mut keep = (self.opts.max_blank_lines as usize).min(lines.len());
        if first && from == self.tree.body_start as usize {
            let next_is_comment = {
                let (ce, _) = line_end(self.b, to);
                let f = leading_blanks(self.b, to, ce);
                f < ce && self.b[f] == b'#'
            };
            if next_is_comment {
                // A blank line is what keeps a following comment from being read as a parser directive.
                keep = keep.max(1);
            } else if self.tree.directives.is_empty() {
                keep = 0;
            }
        }
        for &(s, ce) in &lines[..keep] {
            if self.opts.trim_trailing_whitespace && self.b[s..ce].iter().all(|&c| is_blank_char(c)) {
                self.edit(s, ce, "");
            }
        }
        if keep < lines.len() {
            self.edit(lines[keep].0, to, "");
        }
    }

    fn trailing(&mut self, from: usize, content_end: usize) {
        if self.opts.trim_trailing_whitespace {
            let t = trailing_blanks(self.b, from, content_end);
            self.edit(t, content_end, "");
        }
    }

    fn cased(&self, word: &str) -> Option<String> {
        match self.case {
            KeywordCase::Upper | KeywordCase::Auto => Some(word.to_ascii_uppercase()),
            KeywordCase::Lower => Some(word.to_ascii_lowercase()),
            KeywordCase::Preserve => None,
        }
    }

    fn recase(&mut self, base: usize, r: TextRange) {
        let (a, z) = (base + r.start as usize, base + r.end as usize);
        if let Some(w) = self.text.get(a..z).and_then(|w| self.cased(w)) {
            self.edit(a, z, &w);
        }
    }

    /// The source ranges (relative) of an instruction's words, in order: keyword, flags, and the arguments
    /// of instructions whose words Docker splits on whitespace.
    fn words(ins: &Instruction, out: &mut Vec<TextRange>) {
        out.push(ins.keyword.range);
        out.extend(ins.flags.iter().map(|f| f.span.range));
        let first = |out: &mut Vec<TextRange>, r: TextRange| out.push(r);
        match &ins.args {
            Args::From(a) => {
                out.extend(
                    a.image
                        .iter()
                        .chain(&a.as_keyword)
                        .chain(&a.name)
                        .chain(&a.extra)
                        .map(|s| s.range),
                );
            }
            Args::Paths(PathList::Words(w)) | Args::Words(w) => out.extend(w.iter().map(|s| s.range)),
            Args::Paths(PathList::Exec(a)) => first(out, a.span.range),
            Args::Arg(decls) => out.extend(decls.iter().map(|d| d.span.range)),
            Args::KeyValues(kvs) => {
                for kv in kvs {
                    if kv.legacy {
                        out.push(kv.key.range);
                        out.push(kv.value.range);
                    } else {
                        out.push(kv.span.range);
                    }
                }
            }
            Args::Command(form) => match form {
                CommandForm::Exec(a) => first(out, a.span.range),
                CommandForm::Shell(s) => first(out, s.range),
                CommandForm::Empty => {}
            },
            Args::Healthcheck(h) => {
                if let Some(k) = &h.kind {
                    out.push(k.range);
                }
                match &h.command {
                    CommandForm::Exec(a) => first(out, a.span.range),
                    CommandForm::Shell(s) => first(out, s.range),
                    CommandForm::Empty => {}
                }
            }
            Args::Onbuild(Some(inner)) => Self::words(inner, out),
            Args::Onbuild(None) | Args::Text(_) | Args::Unknown(_) => {
                if !ins.args_span.range.is_empty() {
                    out.push(ins.args_span.range);
                }
            }
        }
    }

    fn keywords(&mut self, base: usize, ins: &Instruction) {
        if ins.kind == Kind::Unknown {
            return;
        }
        self.recase(base, ins.keyword.range);
        match &ins.args {
            Args::From(a) => {
                if let Some(k) = &a.as_keyword {
                    self.recase(base, k.range);
                }
            }
            Args::Healthcheck(h) => {
                if let Some(k) = &h.kind
                    && matches!(ins.text(k).to_ascii_uppercase().as_str(), "CMD" | "NONE")
                {
                    self.recase(base, k.range);
                }
            }
            Args::Onbuild(Some(inner)) => self.keywords(base, inner),
            _ => {}
        }
    }

    fn instruction(&mut self, base: usize, ins: &Instruction) {
        let b = self.b;
        let esc = self.tree.escape;
        // No indentation before the keyword.
        let kw = base + ins.keyword.range.start as usize;
        if b[base..kw].iter().all(|&c| is_blank_char(c)) {
            self.edit(base, kw, "");
        }
        self.keywords(base, ins);
        // One space between words, where the gap is spaces and tabs on one line.
        let mut words = Vec::new();
        Self::words(ins, &mut words);
        for w in words.windows(2) {
            let (a, z) = (base + w[0].end as usize, base + w[1].start as usize);
            if a < z && b[a..z].iter().all(|&c| is_blank_char(c)) {
                self.edit(a, z, " ");
            }
        }
        // The physical lines: the keyword line and the continuation lines.
        let joins: Vec<u32> = ins.pieces.iter().map(|p| p.logical).collect();
        let free = quote_free_at(&ins.logical, esc, &joins);
        let indent = self.opts.indent.clone();
        for (i, p) in ins.pieces.iter().enumerate() {
            let line = if i == 0 { base } else { base + p.source as usize };
            let (ce, _) = line_end(b, line);
            let piece_end = base + (p.source + p.len) as usize;
            if i > 0 {
                let ws = leading_blanks(b, line, ce);
                let next_ok = ws >= ce || starts_with_visible(self.text, ws);
                let prev_ws = p.logical > 0 && is_blank_char(ins.logical.as_bytes()[p.logical as usize - 1]);
                let safe = free[i] && splits_on_whitespace(ins, p.logical) && (prev_ws || ws > line) && next_ok;
                // A line holding only the continuation escape (or nothing) joins nothing: its
                // indentation is whitespace between words too, and the checks above cover it.
                if safe && ws < ce {
                    self.edit(line, ws, &indent);
                }
            }
            if piece_end < ce && b[piece_end] == esc as u8 {
                // Whitespace after the continuation escape is not part of the instruction.
                self.trailing(piece_end + 1, ce);
            } else if i + 1 == ins.pieces.len() {
                self.trailing(if i == 0 { kw } else { line }, ce);
            }
        }
        for r in ins.inner_comments() {
            let hash = base + r.start as usize;
            let end = base + r.end as usize;
            let line = b[..hash].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
            if b[line..hash].iter().all(|&c| is_blank_char(c)) {
                self.edit(line, hash, &indent);
            }
            self.trailing(hash + 1, end);
        }
        for r in ins.empty_continuation_lines() {
            let (s, e) = (base + r.start as usize, base + r.end as usize);
            if self.opts.trim_trailing_whitespace && b[s..e].iter().all(|&c| is_blank_char(c)) {
                self.edit(s, e, "");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn fmt(text: &str) -> String {
        fmt_with(text, &FormatOptions::default())
    }

    fn fmt_with(text: &str, opts: &FormatOptions) -> String {
        let tree = parse(text);
        let edits = format(text, &tree, opts);
        for w in edits.windows(2) {
            assert!(w[0].range.end <= w[1].range.start, "overlapping edits {edits:?}");
        }
        apply(text, &edits)
    }

    #[test]
    fn keywords_follow_the_dominant_case() {
        assert_eq!(fmt("from a\nrun x\nRUN y\n"), "from a\nrun x\nrun y\n");
        assert_eq!(fmt("FROM a\nrun x\n"), "FROM a\nRUN x\n");
        assert_eq!(fmt("from a as b\n"), "from a as b\n");
        assert_eq!(fmt("FROM a as b\n"), "FROM a AS b\n");
        let upper = FormatOptions {
            keyword_case: KeywordCase::Upper,
            ..FormatOptions::default()
        };
        assert_eq!(fmt_with("from a\nonbuild run x\n", &upper), "FROM a\nONBUILD RUN x\n");
        let keep = FormatOptions {
            keyword_case: KeywordCase::Preserve,
            ..FormatOptions::default()
        };
        assert_eq!(fmt_with("From a\nrun x\n", &keep), "From a\nrun x\n");
    }

    #[test]
    fn spaces_between_words_only_where_docker_splits_on_them() {
        assert_eq!(
            fmt("FROM   a   AS  b\nCOPY  --from=b   --chown=1:1  x    y\n"),
            "FROM a AS b\nCOPY --from=b --chown=1:1 x y\n"
        );
        // Shell text, JSON and the verbatim text of WORKDIR stay as written.
        assert_eq!(
            fmt("FROM a\nRUN   echo  a    b\nCMD  [ \"a\",   \"b\" ]\nWORKDIR   /a  b\n"),
            "FROM a\nRUN echo  a    b\nCMD [ \"a\",   \"b\" ]\nWORKDIR /a  b\n"
        );
        assert_eq!(fmt("FROM a\nENV  A=1   B=\"x  y\"\n"), "FROM a\nENV A=1 B=\"x  y\"\n");
        assert_eq!(fmt("FROM a\nENV A   x  y\n"), "FROM a\nENV A x  y\n");
    }

    #[test]
    fn continuation_lines_are_indented_where_safe() {
        assert_eq!(
            fmt("FROM a\nRUN apt-get update && \\\n  apt-get install -y x \\\n\t\t&& rm -rf /var/lib/apt/lists/*\n"),
            "FROM a\nRUN apt-get update && \\\n    apt-get install -y x \\\n    && rm -rf /var/lib/apt/lists/*\n"
        );
        // Inside quotes the indentation is part of the string.
        let quoted = "FROM a\nRUN echo \"a \\\n  b\"\n";
        assert_eq!(fmt(quoted), quoted);
        // Without whitespace at the join, indenting would split a word.
        let glued = "FROM a\nRUN echo a\\\nb\n";
        assert_eq!(fmt(glued), glued);
        // Right after a shell escape (the Dockerfile escape being a backtick) the first blank is part
        // of the word.
        let escaped = "# escape=`\nFROM a\nRUN echo a\\`\n b\n";
        assert_eq!(fmt(escaped), escaped);
        // USER's text is verbatim.
        let user = "FROM a\nUSER a \\\n  b\n";
        assert_eq!(fmt(user), user);
        // The escape directive's character.
        assert_eq!(
            fmt("# escape=`\nFROM a\nRUN echo a `\n  b\n"),
            "# escape=`\nFROM a\nRUN echo a `\n    b\n"
        );
    }

    #[test]
    fn heredocs_and_trailing_whitespace() {
        let text = "FROM a  \nRUN <<EOF  \n  body  \nEOF\n\n\n\nRUN x \\  \n  y   \n\n\n";
        assert_eq!(fmt(text), "FROM a\nRUN <<EOF\n  body  \nEOF\n\nRUN x \\\n    y\n");
        // An unterminated heredoc: nothing after its instruction line is touched.
        let open = "FROM a\nRUN <<EOF\n  x  \n\n\n\nrun y  ";
        assert_eq!(fmt(open), open);
    }

    #[test]
    fn blank_lines_and_directives() {
        assert_eq!(fmt("\n\nFROM a\n\n\n\nRUN x"), "FROM a\n\nRUN x\n");
        // The blank line keeps the comment from becoming a directive.
        let zero = FormatOptions {
            max_blank_lines: 0,
            ..FormatOptions::default()
        };
        assert_eq!(
            fmt_with("# syntax=a\n\n# escape=`\nFROM a\n\nRUN x\n", &zero),
            "# syntax=a\n\n# escape=`\nFROM a\nRUN x\n"
        );
        assert_eq!(fmt_with("\n\n# escape=`\nFROM a\n", &zero), "\n# escape=`\nFROM a\n");
        assert_eq!(fmt("FROM a\r\n\r\n\r\nRUN x  \r\n"), "FROM a\r\n\r\nRUN x\r\n");
    }

    #[test]
    fn formatting_is_idempotent_on_the_examples() {
        for t in [
            "from a\n  run  x \\\n y\n\n\n# c  \n",
            "FROM a\nONBUILD   RUN  x \\\n  y\nHEALTHCHECK  --interval=5s   cmd  curl x\n",
        ] {
            let once = fmt(t);
            assert_eq!(fmt(&once), once, "{t:?}");
        }
    }

    #[test]
    fn on_type_indents_continuations() {
        let text = "FROM a\nRUN x \\\n\nCOPY a b\n";
        let tree = parse(text);
        let at = text.find("\n\nCOPY").unwrap() as u32 + 1;
        let e = on_type_newline(text, &tree, &FormatOptions::default(), at);
        assert_eq!(apply(text, &e), "FROM a\nRUN x \\\n    \nCOPY a b\n");
        let text = "FROM a\nRUN x\n    \n";
        let tree = parse(text);
        let e = on_type_newline(text, &tree, &FormatOptions::default(), 13);
        assert_eq!(apply(text, &e), "FROM a\nRUN x\n\n");
        let text = "FROM a\nRUN echo \"a \\\n\n";
        let tree = parse(text);
        assert!(on_type_newline(text, &tree, &FormatOptions::default(), text.len() as u32 - 1).is_empty());
    }
}
