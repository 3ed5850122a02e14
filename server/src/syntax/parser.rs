//! The Dockerfile parser: physical lines → items (instructions and comments) → typed instructions.
//!
//! It follows BuildKit's parser line for line where Docker's behaviour is defined (directives, the
//! escape character, continuations with comment and blank lines inside, heredocs, exec/shell form) and
//! recovers where Docker would stop: a broken instruction records errors and parsing goes on.

use crate::syntax::ast::*;
use crate::syntax::errors::{ProblemKind, SyntaxError, closest};
use crate::syntax::shellword::{self, Lookup, Options};
use crate::syntax::words::{self, JsonError};
use crate::text::TextRange;
use std::cell::RefCell;
use std::thread::LocalKey;

/// Docker's scanner rejects lines longer than this many bytes (without the newline).
pub const MAX_LINE: usize = 65535;

/// Parser directives Docker knows.
pub const DIRECTIVES: [&str; 3] = ["syntax", "escape", "check"];

/// Where the directive region ends and what it set.
pub(crate) struct Prelude {
    pub bom: bool,
    pub escape: u8,
    pub directives: Vec<Directive>,
    pub errors: Vec<SyntaxError>,
    /// Offset of the first line after the directives.
    pub body_start: u32,
    /// Edits that start at or before this offset may change the directives: reparse everything.
    pub guard: u32,
}

/// One physical line: `[start, content_end)` is the text without its terminator, `next` the next line's start.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub start: usize,
    pub content_end: usize,
    pub next: usize,
    pub has_newline: bool,
}

impl Line {
    /// Docker's line scanner (a `bufio.Scanner` with a 64 KiB buffer that keeps line endings) fails on
    /// a line of more than [`MAX_LINE`] bytes before its `\n` (a `\r` counts, and so does the last
    /// line when no newline ends it). Every physical line counts: comments and heredoc bodies too.
    pub fn too_long(&self) -> bool {
        let end = if self.has_newline { self.next - 1 } else { self.next };
        end - self.start > MAX_LINE
    }
}

fn line_too_long(range: TextRange) -> SyntaxError {
    SyntaxError::new(ProblemKind::Syntax, range, "syntax.line-too-long").arg("max", MAX_LINE.to_string())
}

pub(crate) fn line_at(text: &str, start: usize) -> Line {
    let b = text.as_bytes();
    // The `memchr` crate: vector instructions, 32 bytes a step (lines are rarely shorter than 16 bytes).
    let (end, next, has_newline) = match memchr::memchr(b'\n', &b[start..]) {
        Some(i) => (start + i, start + i + 1, true),
        None => (b.len(), b.len(), false),
    };
    let mut content_end = end;
    while content_end > start && b[content_end - 1] == b'\r' {
        content_end -= 1;
    }
    Line {
        start,
        content_end,
        next,
        has_newline,
    }
}

/// The first ASCII `needle` in `s`: `str::find` with a `char` searches more slowly, and this runs for
/// several words of every instruction.
fn find_byte(s: &str, needle: u8) -> Option<usize> {
    let b = s.as_bytes();
    // Below a vector's width the crate's dispatch costs more than a plain loop.
    if b.len() < 16 {
        b.iter().position(|&c| c == needle)
    } else {
        memchr::memchr(needle, b)
    }
}

/// Whether `s` holds `<<` (a heredoc marker may follow).
fn has_double_lt(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b'<', b).any(|i| b.get(i + 1) == Some(&b'<'))
}

/// First offset in `[lo, hi)` that is not Unicode whitespace (Go's `unicode.IsSpace`), or `hi`.
fn skip_ws(text: &str, lo: usize, hi: usize) -> usize {
    let b = text.as_bytes();
    let mut i = lo;
    while i < hi {
        let c = b[i];
        if c < 0x80 {
            if !(c as char).is_ascii_whitespace() && c != 0x0b {
                return i;
            }
            i += 1;
        } else {
            let ch = text[i..].chars().next().unwrap_or('x');
            if !ch.is_whitespace() {
                return i;
            }
            i += ch.len_utf8();
        }
    }
    hi
}

/// Go's regexp `\s`: `[\t\n\f\r ]`.
fn is_re_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// A comment that matches Docker's directive pattern `#\s*name\s*=\s*value`.
pub(crate) struct DirectiveMatch {
    pub name: (usize, usize),
    pub value: (usize, usize),
}

/// Matches `# name = value` in `text[hash..end]` where `hash` is the `#`.
pub(crate) fn match_directive(text: &str, hash: usize, end: usize) -> Option<DirectiveMatch> {
    let b = text.as_bytes();
    let mut i = skip_ws(text, hash + 1, end);
    let name_lo = i;
    if i >= end || !b[i].is_ascii_alphabetic() {
        return None;
    }
    while i < end && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let name_hi = i;
    while i < end && is_re_space(b[i]) {
        i += 1;
    }
    if i >= end || b[i] != b'=' {
        return None;
    }
    i += 1;
    while i < end && is_re_space(b[i]) {
        i += 1;
    }
    let mut value_hi = end;
    while value_hi > i && is_re_space(b[value_hi - 1]) {
        value_hi -= 1;
    }
    if value_hi <= i {
        return None;
    }
    Some(DirectiveMatch {
        name: (name_lo, name_hi),
        value: (i, value_hi),
    })
}

/// Reads the BOM and the parser directives at the top of the file.
pub(crate) fn prelude(text: &str) -> Prelude {
    let bom = text.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]);
    let mut pos = if bom { 3 } else { 0 };
    let mut escape = b'\\';
    let mut directives: Vec<Directive> = Vec::new();
    let mut errors = Vec::new();
    loop {
        if pos >= text.len() {
            return Prelude {
                bom,
                escape,
                directives,
                errors,
                body_start: pos as u32,
                guard: text.len() as u32,
            };
        }
        let line = line_at(text, pos);
        let f = skip_ws(text, line.start, line.content_end);
        let m = if f < line.content_end && text.as_bytes()[f] == b'#' {
            match_directive(text, f, line.content_end)
        } else {
            None
        };
        // The first line that is not a directive ends them; an edit up to its newline can change that.
        let guard = if line.has_newline {
            line.next as u32 - 1
        } else {
            text.len() as u32
        };
        let Some(m) = m else {
            return Prelude {
                bom,
                escape,
                directives,
                errors,
                body_start: line.start as u32,
                guard,
            };
        };
        let name = text[m.name.0..m.name.1].to_ascii_lowercase();
        if !DIRECTIVES.contains(&name.as_str()) {
            return Prelude {
                bom,
                escape,
                directives,
                errors,
                body_start: line.start as u32,
                guard,
            };
        }
        let value = text[m.value.0..m.value.1].to_string();
        if line.too_long() {
            errors.push(line_too_long(TextRange::new(
                line.start as u32,
                line.content_end as u32,
            )));
        }
        let name_range = TextRange::new(m.name.0 as u32, m.name.1 as u32);
        let value_range = TextRange::new(m.value.0 as u32, m.value.1 as u32);
        if directives.iter().any(|d| d.name == name) {
            errors.push(
                SyntaxError::new(ProblemKind::Syntax, name_range, "syntax.duplicate-directive")
                    .arg("name", name.clone()),
            );
        } else {
            if name == "escape" {
                if value == "\\" || value == "`" {
                    escape = value.as_bytes()[0];
                } else {
                    errors.push(
                        SyntaxError::new(ProblemKind::Syntax, value_range, "syntax.invalid-escape")
                            .arg("value", value.clone()),
                    );
                }
            }
            directives.push(Directive {
                name,
                value,
                range: TextRange::new(f as u32, line.content_end as u32),
                name_range,
                value_range,
            });
        }
        pos = line.next;
        if !line.has_newline {
            return Prelude {
                bom,
                escape,
                directives,
                errors,
                body_start: pos as u32,
                guard: text.len() as u32,
            };
        }
    }
}

/// Room for the items of `bytes` bytes of text: about one item per 40 bytes in dense files (the
/// generated bench file: 44); too little meant copying the whole vector once more.
pub(crate) fn items_in(bytes: usize) -> usize {
    bytes / 36 + 1
}

/// Lexes items from `pos` (a line start) until the end, or until `stop(pos)` says to stop at an item
/// boundary. Returns the items and the offset where lexing stopped. `expect_end` is where the caller
/// expects it to stop (the item vectors are made room for the items up to there).
pub(crate) fn lex_items(
    text: &str,
    mut pos: usize,
    escape: u8,
    expect_end: usize,
    mut stop: impl FnMut(usize) -> bool,
) -> (Run, usize) {
    let mut items = Run::with_capacity(items_in(expect_end.min(text.len()).saturating_sub(pos)));
    while pos < text.len() {
        if stop(pos) {
            break;
        }
        let line = line_at(text, pos);
        let f = skip_ws(text, line.start, line.content_end);
        if f >= line.content_end {
            pos = line.next;
            continue;
        }
        if text.as_bytes()[f] == b'#' {
            items.push(line.start as u32, comment_item(text, line, f));
            pos = line.next;
            continue;
        }
        let (item, next) = instruction_item(text, line, f, escape);
        items.push(line.start as u32, item);
        pos = next;
    }
    (items, pos)
}

fn comment_item(text: &str, line: Line, hash: usize) -> Item {
    let base = line.start as u32;
    let body = text[hash + 1..line.content_end].trim();
    let mut errors = Vec::new();
    if line.too_long() {
        errors.push(line_too_long(TextRange::new(
            hash as u32 - base,
            line.content_end as u32 - base,
        )));
    }
    // A directive written where Docker no longer reads directives is silently a comment: say so.
    if let Some(m) = match_directive(text, hash, line.content_end) {
        let name = text[m.name.0..m.name.1].to_ascii_lowercase();
        if DIRECTIVES.contains(&name.as_str()) {
            errors.push(
                SyntaxError::new(
                    ProblemKind::IgnoredDirective,
                    TextRange::new(hash as u32 - base, line.content_end as u32 - base),
                    "ignored-directive",
                )
                .arg("name", name),
            );
        }
    }
    let node = Node {
        kind: NodeKind::Comment(Comment {
            text: body.into(),
            range: TextRange::new(hash as u32 - base, line.content_end as u32 - base),
            errors,
        }),
        len: (line.next - line.start) as u32,
        lookahead: (line.next - line.start) as u32,
    };
    Item::new(node)
}

/// Strips Docker's continuation marker from `[lo, hi)`: returns the kept end and whether the line continues.
fn continuation(text: &str, lo: usize, hi: usize, escape: u8) -> (usize, bool) {
    let b = text.as_bytes();
    let mut e = hi;
    while e > lo && (b[e - 1] == b' ' || b[e - 1] == b'\t') {
        e -= 1;
    }
    if e > lo && b[e - 1] == escape && (e - 1 == lo || b[e - 2] != escape) {
        (e - 1, true)
    } else {
        (hi, false)
    }
}

fn is_comment_line(text: &str, line: Line) -> Option<usize> {
    let f = skip_ws(text, line.start, line.content_end);
    (f < line.content_end && text.as_bytes()[f] == b'#').then_some(f)
}

/// Builds one instruction item starting at `line` (first non-space at `f`). Returns the item and the
/// start of the next line to lex.
fn instruction_item(text: &str, line: Line, f: usize, escape: u8) -> (Item, usize) {
    let base = line.start;
    let rel = |x: usize| (x - base) as u32;
    let mut errors = Vec::new();
    let mut inner_comments = Vec::new();
    let mut empty_lines = Vec::new();
    let (end, mut cont) = continuation(text, f, line.content_end, escape);
    // Pieces of the logical line, with their logical offsets computed as they are found; room for a few
    // continuation lines at once (growing from one piece copied the vector for most RUN instructions).
    let mut pieces: Vec<Piece> = Vec::with_capacity(if cont { 4 } else { 1 });
    let mut total = 0u32;
    let mut push_piece = |pieces: &mut Vec<Piece>, a: usize, b: usize| {
        pieces.push(Piece {
            logical: total,
            source: rel(a),
            len: (b - a) as u32,
        });
        total += (b - a) as u32;
    };
    let mut long_lines: Vec<(usize, usize)> = Vec::new();
    let check_len = |l: &Line, long: &mut Vec<(usize, usize)>| {
        if l.too_long() {
            long.push((l.start, l.content_end));
        }
    };
    check_len(&line, &mut long_lines);
    push_piece(&mut pieces, f, end);
    let mut next = line.next;
    let mut last_line = line;
    while cont && next < text.len() {
        let l = line_at(text, next);
        next = l.next;
        last_line = l;
        check_len(&l, &mut long_lines);
        if let Some(h) = is_comment_line(text, l) {
            inner_comments.push(TextRange::new(rel(h), rel(l.content_end)));
            continue;
        }
        if skip_ws(text, l.start, l.content_end) >= l.content_end {
            empty_lines.push(TextRange::new(rel(l.start), rel(l.content_end)));
            continue;
        }
        let (end, c) = continuation(text, l.start, l.content_end, escape);
        push_piece(&mut pieces, l.start, end);
        cont = c;
    }
    let _ = last_line;
    for (a, b) in long_lines {
        errors.push(line_too_long(TextRange::new(rel(a), rel(b))));
    }
    for r in &empty_lines {
        errors.push(SyntaxError::new(
            ProblemKind::EmptyContinuationLine,
            *r,
            "empty-continuation-line",
        ));
    }

    // The logical line: the pieces joined (one allocation of the exact size).
    let mut logical = String::with_capacity(total as usize);
    for pc in &pieces {
        let a = base + pc.source as usize;
        logical.push_str(&text[a..a + pc.len as usize]);
    }
    let esc = escape as char;
    let mut instr = parse_logical(logical, pieces, esc, 0);
    if !errors.is_empty() {
        instr.rare_mut().errors.splice(0..0, errors);
    }
    if !inner_comments.is_empty() {
        instr.rare_mut().inner_comments = inner_comments;
    }
    if !empty_lines.is_empty() {
        instr.rare_mut().empty_continuation_lines = empty_lines;
    }

    // Heredocs read the lines after the instruction line.
    let mut lookahead = next;
    if heredoc_capable(&instr) && has_double_lt(&instr.logical) {
        let markers = heredoc_markers(&instr.logical);
        for m in markers {
            match m {
                Err(msg) => {
                    let span = instr.keyword;
                    instr.rare_mut().errors.push(
                        SyntaxError::new(ProblemKind::Syntax, span.range, "syntax.heredoc-invalid").arg("detail", msg),
                    );
                }
                Ok(h) => {
                    let marker = instr.span(h.lo, h.hi);
                    let body_start = next;
                    let mut terminator = None;
                    let mut pos = next;
                    while pos < text.len() {
                        let l = line_at(text, pos);
                        let mut content = &text[l.start..l.content_end];
                        // Docker trims every trailing `\r` and `\n` before comparing.
                        if h.chomp {
                            content = content.trim_start_matches('\t');
                        }
                        if content == h.name {
                            terminator = Some((l.start, l.content_end, l.next));
                            break;
                        }
                        pos = l.next;
                    }
                    let body_end;
                    match terminator {
                        Some((ts, te, tn)) => {
                            body_end = ts;
                            instr
                                .rare_mut()
                                .errors
                                .extend(long_lines_in(text, body_start, body_end, base));
                            next = tn;
                            lookahead = lookahead.max(tn);
                            instr.rare_mut().heredocs.push(Heredoc {
                                marker,
                                name: h.name,
                                chomp: h.chomp,
                                expand: h.expand,
                                fd: h.fd,
                                body: TextRange::new(rel(body_start), rel(body_end)),
                                terminator: Some(TextRange::new(rel(ts), rel(te))),
                            });
                        }
                        None => {
                            // Docker reads to the end of the file and fails. To keep the rest of the file
                            // visible, the body stops before the next line that starts with an upper-case
                            // instruction keyword.
                            let stop = recover_heredoc_end(text, body_start);
                            body_end = stop;
                            instr
                                .rare_mut()
                                .errors
                                .extend(long_lines_in(text, body_start, body_end, base));
                            next = stop;
                            // The search for a terminator read to the end of the file.
                            lookahead = text.len();
                            instr.rare_mut().errors.push(
                                SyntaxError::new(ProblemKind::Syntax, marker.range, "syntax.unterminated-heredoc")
                                    .arg("name", h.name.clone()),
                            );
                            instr.rare_mut().heredocs.push(Heredoc {
                                marker,
                                name: h.name,
                                chomp: h.chomp,
                                expand: h.expand,
                                fd: h.fd,
                                body: TextRange::new(rel(body_start), rel(body_end)),
                                terminator: None,
                            });
                            break;
                        }
                    }
                }
            }
        }
        if let Some(last) = instr.heredocs().last() {
            let end = last.terminator.map_or(last.body.end, |t| t.end);
            instr.full_range = TextRange::new(instr.range.start, end.max(instr.range.end));
        }
    }
    instr.tidy_rare();
    let len = (next - base) as u32;
    let node = Node {
        kind: NodeKind::Instruction(instr),
        len,
        lookahead: (lookahead - base).max(next - base) as u32,
    };
    (Item::new(node), next)
}

/// `syntax.line-too-long` errors for the lines in `[from, to)` (line starts), relative to `base`.
fn long_lines_in(text: &str, from: usize, to: usize, base: usize) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    let mut pos = from;
    while pos < to {
        let l = line_at(text, pos);
        if l.too_long() {
            out.push(line_too_long(TextRange::new(
                (l.start - base) as u32,
                (l.content_end - base) as u32,
            )));
        }
        pos = l.next;
    }
    out
}

/// Where an unterminated heredoc's body is taken to end: before the first following line that starts
/// with an upper-case instruction keyword, else at the end of the file.
fn recover_heredoc_end(text: &str, from: usize) -> usize {
    let mut pos = from;
    while pos < text.len() {
        let l = line_at(text, pos);
        let t = &text[l.start..l.content_end];
        let word_end = t.find(|c: char| c.is_ascii_whitespace()).unwrap_or(t.len());
        let word = &t[..word_end];
        if !word.is_empty() && word.bytes().all(|b| b.is_ascii_uppercase()) && Kind::from_keyword(word) != Kind::Unknown
        {
            return l.start;
        }
        pos = l.next;
    }
    text.len()
}

fn heredoc_capable(instr: &Instruction) -> bool {
    let target = match &instr.args {
        Args::Onbuild(Some(inner)) => inner,
        _ => instr,
    };
    match (target.kind, &target.args) {
        (Kind::Run, Args::Command(CommandForm::Exec(_))) => false,
        (Kind::Copy | Kind::Add, Args::Paths(PathList::Exec(_))) => false,
        (Kind::Run | Kind::Copy | Kind::Add, _) => true,
        _ => false,
    }
}

pub(crate) struct Marker {
    pub lo: u32,
    pub hi: u32,
    pub name: String,
    pub chomp: bool,
    pub expand: bool,
    pub fd: u32,
}

/// Docker's `heredocsFromLine`: shell-splits the whole line (quotes and escapes kept) and reads every word
/// of the form `[fd]<<[-]name`.
pub(crate) fn heredoc_markers(line: &str) -> Vec<Result<Marker, String>> {
    let mut out = Vec::new();
    if shellword::is_plain(line, HEREDOC_SPLIT.escape) {
        // `shellword::process`'s own fast path (processing is the identity, words split on white space),
        // read in place: only a `<<` word is looked at, and the line's other words are not copied (a
        // vector of every word, dropped at once, made the allocator take a fresh page per heredoc).
        let mut start = None;
        for (i, c) in line.char_indices().chain([(line.len(), ' ')]) {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(i),
                (true, Some(a)) => {
                    marker_word(&line[a..i], a, i, &mut out);
                    start = None;
                }
                _ => {}
            }
        }
        return out;
    }
    let p = shellword::process(line, HEREDOC_SPLIT, &|_| Lookup::Unset);
    if p.error.is_some() {
        return Vec::new();
    }
    for (word, lo, hi) in &p.words {
        marker_word(word, *lo, *hi, &mut out);
    }
    out
}

/// How Docker splits a line into words to find its heredoc markers: quotes and escapes kept.
const HEREDOC_SPLIT: Options = Options {
    escape: '\\',
    raw_quotes: true,
    raw_escapes: true,
    skip_unset: true,
};

/// How a marker's name is processed: quotes and escapes removed.
const HEREDOC_NAME: Options = Options {
    raw_quotes: false,
    raw_escapes: false,
    ..HEREDOC_SPLIT
};

/// The heredoc marker that `word` (at `lo..hi` of the line, after shell splitting) is, if it is one.
fn marker_word(word: &str, lo: usize, hi: usize, out: &mut Vec<Result<Marker, String>>) {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(rest) = word[digits..].strip_prefix("<<") else {
        return;
    };
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return;
    }
    let fd = word[..digits].parse::<u32>().unwrap_or(0);
    if shellword::is_plain(rest, HEREDOC_NAME.escape) && !rest.contains(char::is_whitespace) {
        // Processing is the identity and the word is one word: its name is itself, unquoted.
        out.push(Ok(Marker {
            lo: lo as u32,
            hi: hi as u32,
            name: rest.to_string(),
            chomp,
            expand: true,
            fd,
        }));
        return;
    }
    let words = shellword::process(rest, HEREDOC_NAME, &|_| Lookup::Unset);
    if let Some(e) = words.error {
        out.push(Err(e));
        return;
    }
    if words.words.len() != 1 {
        return;
    }
    let raw_words = shellword::process(
        rest,
        Options {
            raw_quotes: true,
            ..HEREDOC_NAME
        },
        &|_| Lookup::Unset,
    );
    let name = words.words[0].0.clone();
    let quotes = |s: &str| s.matches(['\'', '"']).count();
    let expand = raw_words.words.first().is_some_and(|w| quotes(&w.0) == quotes(&name));
    out.push(Ok(Marker {
        lo: lo as u32,
        hi: hi as u32,
        name,
        chomp,
        expand,
        fd,
    }));
}

thread_local! {
    /// The flag words of the instruction being parsed on this thread (see `words::builder_flags_into`).
    static FLAG_WORDS: RefCell<Vec<words::FlagWord>> = const { RefCell::new(Vec::new()) };
    /// The strings of the JSON array being parsed on this thread (see `words::json_array_into`).
    static JSON_ITEMS: RefCell<Vec<words::JsonStr>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's buffer `key`, empty, and empties it again after (so it keeps no strings,
/// only its capacity); with a new vector if the buffer is in use (the parser does not reenter itself
/// while it holds one, but a borrow failure must never be a panic). The parser's short-lived vectors go
/// through such buffers: a vector made and dropped for each instruction is a block that the allocator
/// may put on a page of its own, free with the block, and make afresh for the next instruction.
fn with_scratch<T: 'static, R>(key: &'static LocalKey<RefCell<Vec<T>>>, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            let r = f(&mut buf);
            buf.clear();
            r
        }
        Err(_) => f(&mut Vec::new()),
    })
}

/// Parses a logical line (keyword first, continuations joined) into an instruction. `depth` guards ONBUILD.
pub(crate) fn parse_logical(logical: String, pieces: Vec<Piece>, escape: char, depth: u32) -> Instruction {
    let s: &str = &logical;
    let b = s.as_bytes();
    // Docker trims the line, then splits the keyword off at the first `[\t\v\f\r ]` run.
    let (t_lo, t_hi) = words::trim_space(s, 0, s.len());
    let mut k_end = t_lo;
    while k_end < t_hi && !words::is_docker_ws(b[k_end]) {
        k_end += 1;
    }
    let mut rest_lo = k_end;
    while rest_lo < t_hi && words::is_docker_ws(b[rest_lo]) {
        rest_lo += 1;
    }
    let keyword_text = &s[t_lo..k_end];
    let kind = Kind::from_keyword(keyword_text);
    let keyword = span_of(&pieces, t_lo as u32, k_end as u32);
    let mut p = P {
        s,
        pieces: &pieces,
        escape,
        errors: Vec::new(),
        var_uses: Vec::new(),
    };
    // The flag words go through this thread's buffer (see `words::builder_flags_into`); the flags are
    // then collected at their exact number, so their vector is never shrunk into a new block either.
    let (flags, args_lo): (Vec<Flag>, usize) = if rest_lo < t_hi {
        with_scratch(&FLAG_WORDS, |words| {
            let args_lo = words::builder_flags_into(s, rest_lo, t_hi, words);
            (words.drain(..).map(|fw| p.flag(fw)).collect(), args_lo)
        })
    } else {
        (Vec::new(), t_hi)
    };
    let (a_lo, a_hi) = words::trim_space(s, args_lo.min(t_hi), t_hi);
    let range_end = map_end(&pieces, t_hi as u32);
    if kind == Kind::Unknown {
        let mut e = SyntaxError::new(ProblemKind::UnknownInstruction, keyword.range, "unknown-instruction")
            .arg("keyword", keyword_text.to_string());
        if let Some(k) = closest(keyword_text, Kind::ALL.iter().map(|k| k.keyword())) {
            e = e.arg("suggestion", k).suggest(keyword.range, k);
        }
        p.errors.push(e);
    } else {
        p.check_flags(kind, &flags);
    }
    let args_span = span_of(&pieces, a_lo as u32, a_hi as u32);
    let args = p.args(kind, keyword_text, &keyword, a_lo, a_hi, &flags, depth);
    p.flag_var_uses(kind, &flags);
    let P { errors, var_uses, .. } = p;
    let range = TextRange::new(keyword.range.start, range_end.max(keyword.range.end));
    Instruction {
        kind,
        keyword_case: KeywordCase::of(keyword_text),
        keyword,
        logical: logical.into_boxed_str(),
        pieces: pieces.into_boxed_slice(),
        flags: flags.into_boxed_slice(),
        args,
        args_span,
        var_uses: var_uses.into_boxed_slice(),
        rare: (!errors.is_empty()).then(|| {
            Box::new(Rare {
                errors,
                ..Rare::default()
            })
        }),
        range,
        full_range: range,
    }
}

struct P<'a> {
    s: &'a str,
    pieces: &'a [Piece],
    escape: char,
    errors: Vec<SyntaxError>,
    var_uses: Vec<VarUse>,
}

impl P<'_> {
    fn span(&self, lo: usize, hi: usize) -> Span {
        span_of(self.pieces, lo as u32, hi as u32)
    }

    /// A problem BuildKit reports when it reads the instruction (Docker's parser itself accepts it).
    fn err(&mut self, range: TextRange, id: &'static str) -> &mut SyntaxError {
        self.errors.push(SyntaxError::new(ProblemKind::Instruction, range, id));
        self.errors.last_mut().expect("just pushed")
    }

    /// A problem Docker's parser itself rejects.
    fn syntax_err(&mut self, range: TextRange, id: &'static str) -> &mut SyntaxError {
        self.errors.push(SyntaxError::new(ProblemKind::Syntax, range, id));
        self.errors.last_mut().expect("just pushed")
    }

    fn flag(&mut self, fw: words::FlagWord) -> Flag {
        let raw = &self.s[fw.lo..fw.hi];
        // Reuse the cooked word's allocation for the name; the value gets its own.
        let mut name = fw.cooked;
        let skip = if name.starts_with("--") { 2 } else { 0 };
        let value = find_byte(&name[skip..], b'=').map(|i| {
            let v = name.split_off(skip + i + 1);
            name.truncate(skip + i);
            v
        });
        name.drain(..skip);
        let span = self.span(fw.lo, fw.hi);
        let verbatim_name = raw.len() >= 2 + name.len() && raw[2..].starts_with(name.as_str());
        let name_range = if verbatim_name {
            self.span(fw.lo + 2, fw.lo + 2 + name.len()).range
        } else {
            span.range
        };
        let (value_range, verbatim) = match (&value, find_byte(raw, b'=')) {
            (Some(v), Some(eq)) => {
                let r = self.span(fw.lo + eq + 1, fw.hi).range;
                (
                    Some(r),
                    &raw[eq + 1..] == v.as_str() && verbatim_name && eq == 2 + name.len(),
                )
            }
            (Some(_), None) => (Some(span.range), false),
            _ => (None, false),
        };
        Flag {
            span,
            name,
            name_range,
            value,
            value_range,
            value_is_verbatim: verbatim,
        }
    }

    fn check_flags(&mut self, kind: Kind, flags: &[Flag]) {
        let specs = kind.flags();
        for (i, f) in flags.iter().enumerate() {
            let Some(spec) = specs.iter().find(|s| s.name == f.name) else {
                let mut e = SyntaxError::new(ProblemKind::UnknownFlag, f.name_range, "unknown-flag")
                    .arg("flag", f.name.clone())
                    .arg("instruction", kind.keyword());
                if let Some(c) = closest(&f.name, specs.iter().map(|s| s.name)) {
                    e = e.arg("suggestion", c).suggest(f.name_range, c);
                } else if specs.is_empty() {
                    e.message = "unknown-flag.none";
                }
                self.errors.push(e);
                continue;
            };
            // An earlier flag of the same name matched the same spec (no list of the seen ones: a short
            // vector per instruction was one of the parse's temporary allocations).
            if spec.ty != FlagType::Strings && flags[..i].iter().any(|g| g.name == spec.name) {
                self.err(f.span.range, "invalid.duplicate-flag")
                    .args
                    .push(("flag", f.name.clone()));
            }
            match (spec.ty, &f.value) {
                (FlagType::Bool, Some(v)) => {
                    if v.is_empty() {
                        self.err(f.span.range, "invalid.flag-missing-value")
                            .args
                            .push(("flag", f.name.clone()));
                    } else if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
                        let r = f.value_range.unwrap_or(f.span.range);
                        let e = self.err(r, "invalid.flag-not-boolean");
                        e.args.push(("flag", f.name.clone()));
                        e.args.push(("value", v.clone()));
                    }
                }
                (FlagType::String | FlagType::Strings, None) => {
                    self.err(f.span.range, "invalid.flag-missing-value")
                        .args
                        .push(("flag", f.name.clone()));
                }
                _ => {}
            }
        }
    }

    /// Records the variable references of `s[lo..hi]`.
    fn refs(&mut self, lo: usize, hi: usize, by_docker: bool, report_errors: bool) {
        let text = &self.s[lo..hi];
        if find_byte(text, b'$').is_none() {
            return;
        }
        // Docker expands its own instructions' words; a shell expands RUN, CMD and ENTRYPOINT.
        let (refs, err) = if by_docker {
            shellword::var_refs(text, self.escape)
        } else {
            (shellword::shell_var_refs(text), None)
        };
        for r in refs {
            let span = self.span(lo + r.lo as usize, lo + r.hi as usize);
            let name = self.span(lo + r.name_lo as usize, lo + r.name_hi as usize);
            self.var_uses.push(VarUse {
                range: span.range,
                name,
                braced: r.braced,
                modifier: r.modifier.map(|m| m.op),
                expanded_by_docker: by_docker,
            });
        }
        if let (Some(e), true) = (err, report_errors && by_docker) {
            let r = self.span(lo, hi).range;
            self.err(r, "invalid.bad-substitution").args.push(("detail", e));
        }
    }

    fn flag_var_uses(&mut self, kind: Kind, flags: &[Flag]) {
        if !(kind.expands_variables() || kind == Kind::Run) {
            return;
        }
        for f in flags {
            if let (Some(v), Some(r)) = (&f.value, f.value_range)
                && v.contains('$')
                && f.value_is_verbatim
            {
                // Offsets: map the value's logical position by locating it after the flag's `=`.
                let raw_lo = f.span.lo as usize;
                let raw = &self.s[raw_lo..f.span.hi as usize];
                if let Some(eq) = raw.find('=') {
                    self.refs(raw_lo + eq + 1, f.span.hi as usize, true, false);
                }
                let _ = r;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn args(
        &mut self,
        kind: Kind,
        keyword_text: &str,
        keyword: &Span,
        lo: usize,
        hi: usize,
        flags: &[Flag],
        depth: u32,
    ) -> Args {
        let empty = lo >= hi;
        let kw = kind.keyword();
        match kind {
            Kind::From => {
                let ws = words::split_ws(self.s, lo, hi);
                let mut a = FromArgs::default();
                let spans: Vec<Span> = ws.iter().map(|&(x, y)| self.span(x, y)).collect();
                match spans.len() {
                    0 => {
                        self.err(keyword.range, "invalid.from-arguments");
                    }
                    1 => a.image = Some(spans[0]),
                    3 if self.s[ws[1].0..ws[1].1].eq_ignore_ascii_case("as") => {
                        a.image = Some(spans[0]);
                        a.as_keyword = Some(spans[1]);
                        a.name = Some(spans[2]);
                        let name = self.s[ws[2].0..ws[2].1].to_ascii_lowercase();
                        if !valid_stage_name(&name) {
                            let r = spans[2].range;
                            let written = self.s[ws[2].0..ws[2].1].to_string();
                            self.err(r, "invalid.stage-name").args.push(("name", written));
                        }
                    }
                    _ => {
                        a.image = Some(spans[0]);
                        a.extra = spans[1..].to_vec();
                        let r = TextRange::new(spans[1].range.start, spans[spans.len() - 1].range.end);
                        self.err(r, "invalid.from-arguments");
                    }
                }
                if let Some(img) = a.image {
                    self.refs(img.lo as usize, img.hi as usize, true, true);
                }
                Args::From(Box::new(a))
            }
            Kind::Run | Kind::Cmd | Kind::Entrypoint | Kind::Shell => {
                let form = self.command_form(lo, hi);
                if kind == Kind::Shell && !matches!(form, CommandForm::Exec(_)) {
                    self.err(
                        if empty { keyword.range } else { self.span(lo, hi).range },
                        "invalid.shell-not-json",
                    );
                }
                // The shell's own variable references are computed on demand (`Instruction::shell_var_uses`).
                Args::Command(form)
            }
            Kind::Copy | Kind::Add | Kind::Volume => {
                let parsed = with_scratch(&JSON_ITEMS, |items| {
                    words::json_array_into(self.s, lo, hi, items).map(|(a, z)| self.json(a, z, items))
                });
                let list = match parsed {
                    Ok(array) => PathList::Exec(array),
                    Err(JsonError::NotStringArray(a, z)) => {
                        let r = self.span(a, z).range;
                        self.syntax_err(r, "syntax.json-not-strings");
                        PathList::Words(
                            words::split_ws(self.s, lo, hi)
                                .into_iter()
                                .map(|(x, y)| self.span(x, y))
                                .collect(),
                        )
                    }
                    Err(JsonError::NotJson) => PathList::Words(
                        words::split_ws(self.s, lo, hi)
                            .into_iter()
                            .map(|(x, y)| self.span(x, y))
                            .collect(),
                    ),
                };
                let n = match &list {
                    PathList::Exec(a) => a.items.len(),
                    PathList::Words(w) => w.len(),
                };
                if kind == Kind::Volume {
                    if n == 0 {
                        self.err(keyword.range, "invalid.at-least-one")
                            .args
                            .push(("instruction", kw.into()));
                    }
                    if let PathList::Exec(a) = &list {
                        for it in a.items.iter().filter(|i| i.value.trim().is_empty()) {
                            let r = it.span.range;
                            self.err(r, "invalid.volume-empty");
                        }
                    }
                } else if n < 2 {
                    let r = if empty { keyword.range } else { self.span(lo, hi).range };
                    self.err(r, "invalid.no-destination")
                        .args
                        .push(("instruction", kw.into()));
                } else if let PathList::Words(w) = &list {
                    let dest = w[w.len() - 1];
                    let t = &self.s[dest.lo as usize..dest.hi as usize];
                    if is_heredoc_word(t) {
                        self.err(dest.range, "invalid.heredoc-destination")
                            .args
                            .push(("instruction", kw.into()));
                    }
                }
                if let PathList::Words(w) = &list {
                    for sp in w.clone() {
                        self.refs(sp.lo as usize, sp.hi as usize, true, true);
                    }
                }
                Args::Paths(list)
            }
            Kind::Env | Kind::Label => Args::KeyValues(self.key_values(kw, keyword, lo, hi).into()),
            Kind::Arg => {
                let ws = words::parse_words(self.s, lo, hi, self.escape);
                if ws.is_empty() {
                    self.err(keyword.range, "invalid.at-least-one")
                        .args
                        .push(("instruction", kw.into()));
                }
                let mut decls = Vec::new();
                for (x, y) in ws {
                    let word = &self.s[x..y];
                    let (name, default) = match find_byte(word, b'=') {
                        Some(i) => (self.span(x, x + i), Some(self.span(x + i + 1, y))),
                        None => (self.span(x, y), None),
                    };
                    if name.lo == name.hi {
                        self.err(self.span(x, y).range, "invalid.blank-name")
                            .args
                            .push(("instruction", kw.into()));
                    }
                    if let Some(d) = default {
                        self.refs(d.lo as usize, d.hi as usize, true, true);
                    }
                    decls.push(ArgDecl {
                        span: self.span(x, y),
                        name,
                        default,
                    });
                }
                Args::Arg(decls.into())
            }
            Kind::Expose => {
                let ws = words::split_ws(self.s, lo, hi);
                if ws.is_empty() {
                    self.err(keyword.range, "invalid.at-least-one")
                        .args
                        .push(("instruction", kw.into()));
                }
                let spans: Vec<Span> = ws.iter().map(|&(x, y)| self.span(x, y)).collect();
                for (x, y) in ws {
                    self.refs(x, y, true, true);
                }
                Args::Words(spans.into())
            }
            Kind::User | Kind::Workdir | Kind::Stopsignal | Kind::Maintainer => {
                if empty {
                    self.err(keyword.range, "invalid.exactly-one")
                        .args
                        .push(("instruction", kw.into()));
                    Args::Text(None)
                } else {
                    if kind != Kind::Maintainer {
                        self.refs(lo, hi, true, true);
                    }
                    Args::Text(Some(self.span(lo, hi)))
                }
            }
            Kind::Healthcheck => {
                if empty {
                    self.err(keyword.range, "invalid.at-least-one")
                        .args
                        .push(("instruction", kw.into()));
                    return Args::Healthcheck(Box::new(HealthcheckArgs {
                        kind: None,
                        command: CommandForm::Empty,
                    }));
                }
                let b = self.s.as_bytes();
                let mut sep = lo;
                while sep < hi && !(b[sep] as char).is_ascii_whitespace() {
                    sep += 1;
                }
                let mut nx = sep;
                while nx < hi && (b[nx] as char).is_ascii_whitespace() {
                    nx += 1;
                }
                let typ_span = self.span(lo, sep);
                let typ = self.s[lo..sep].to_ascii_uppercase();
                let command = self.command_form(nx, hi);
                match typ.as_str() {
                    "NONE" => {
                        if nx < hi {
                            self.err(self.span(nx, hi).range, "invalid.healthcheck-none-args");
                        }
                    }
                    "CMD" => {
                        if matches!(command, CommandForm::Empty)
                            || matches!(&command, CommandForm::Exec(a) if a.items.is_empty())
                        {
                            self.err(typ_span.range, "invalid.healthcheck-missing-command");
                        }
                        self.check_healthcheck_flags(flags);
                    }
                    _ => {
                        let written = self.s[lo..sep].to_string();
                        self.err(typ_span.range, "invalid.healthcheck-type")
                            .args
                            .push(("type", written));
                    }
                }
                Args::Healthcheck(Box::new(HealthcheckArgs {
                    kind: Some(typ_span),
                    command,
                }))
            }
            Kind::Onbuild => {
                if empty {
                    self.err(keyword.range, "invalid.at-least-one")
                        .args
                        .push(("instruction", kw.into()));
                    return Args::Onbuild(None);
                }
                if depth > 0 {
                    // ONBUILD inside ONBUILD: Docker rejects it; the nested text is not parsed further.
                    return Args::Onbuild(None);
                }
                let sub: String = self.s[lo..].to_string();
                let sub_pieces = sub_pieces(self.pieces, lo as u32);
                let inner = parse_logical(sub, sub_pieces, self.escape, depth + 1);
                match inner.kind {
                    Kind::Onbuild => {
                        self.err(inner.keyword.range, "invalid.onbuild-chain");
                    }
                    Kind::From | Kind::Maintainer => {
                        self.err(inner.keyword.range, "invalid.onbuild-trigger")
                            .args
                            .push(("instruction", inner.kind.keyword().into()));
                    }
                    _ => {}
                }
                Args::Onbuild(Some(Box::new(inner)))
            }
            Kind::Unknown => {
                let _ = keyword_text;
                Args::Unknown((!empty).then(|| self.span(lo, hi)))
            }
        }
    }

    fn check_healthcheck_flags(&mut self, flags: &[Flag]) {
        for f in flags {
            let Some(v) = &f.value else { continue };
            let r = f.value_range.unwrap_or(f.span.range);
            match f.name.as_str() {
                "interval" | "timeout" | "start-period" | "start-interval" => match parse_go_duration(v) {
                    None => {
                        let e = self.err(r, "invalid.healthcheck-duration");
                        e.args.push(("flag", f.name.clone()));
                        e.args.push(("value", v.clone()));
                    }
                    Some(ns) if ns != 0 && ns < 1_000_000 => {
                        self.err(r, "invalid.healthcheck-too-short")
                            .args
                            .push(("flag", f.name.clone()));
                    }
                    _ => {}
                },
                // An empty value means the default; anything else must be a whole number of zero or more.
                "retries" if !v.is_empty() && parse_go_int32(v).is_none_or(|n| n < 0) => {
                    self.err(r, "invalid.healthcheck-retries")
                        .args
                        .push(("value", v.clone()));
                }
                _ => {}
            }
        }
    }

    /// The JSON array `a..z` of `items` (taken out of the buffer, which is left empty).
    fn json(&self, a: usize, z: usize, items: &mut Vec<words::JsonStr>) -> JsonArray {
        JsonArray {
            span: self.span(a, z),
            items: items
                .drain(..)
                .map(|j| JsonString {
                    span: self.span(j.lo, j.hi),
                    value: j.value,
                })
                .collect(),
        }
    }

    fn command_form(&mut self, lo: usize, hi: usize) -> CommandForm {
        if lo >= hi {
            return CommandForm::Empty;
        }
        let parsed = with_scratch(&JSON_ITEMS, |items| {
            words::json_array_into(self.s, lo, hi, items).map(|(a, z)| self.json(a, z, items))
        });
        match parsed {
            Ok(array) => CommandForm::Exec(array),
            Err(JsonError::NotStringArray(a, z)) => {
                let r = self.span(a, z).range;
                self.syntax_err(r, "syntax.json-not-strings");
                CommandForm::Shell(self.span(lo, hi))
            }
            Err(JsonError::NotJson) => CommandForm::Shell(self.span(lo, hi)),
        }
    }

    fn key_values(&mut self, kw: &'static str, keyword: &Span, lo: usize, hi: usize) -> Vec<KeyValue> {
        let ws = words::parse_words(self.s, lo, hi, self.escape);
        let mut out = Vec::new();
        if ws.is_empty() {
            self.err(keyword.range, "invalid.at-least-one")
                .args
                .push(("instruction", kw.into()));
            return out;
        }
        let (w0lo, w0hi) = ws[0];
        if find_byte(&self.s[w0lo..w0hi], b'=').is_none() {
            // Legacy `ENV key value`: the key is the first whitespace-separated word, the value the rest.
            let b = self.s.as_bytes();
            let mut k_end = lo;
            while k_end < hi && !words::is_docker_ws(b[k_end]) {
                k_end += 1;
            }
            let mut v_lo = k_end;
            while v_lo < hi && words::is_docker_ws(b[v_lo]) {
                v_lo += 1;
            }
            if v_lo >= hi {
                self.syntax_err(self.span(lo, hi).range, "syntax.env-two-arguments")
                    .args
                    .push(("instruction", kw.into()));
                return out;
            }
            self.refs(v_lo, hi, true, true);
            out.push(KeyValue {
                span: self.span(lo, hi),
                key: self.span(lo, k_end),
                value: self.span(v_lo, hi),
                legacy: true,
            });
            return out;
        }
        for (x, y) in ws {
            let word = &self.s[x..y];
            let Some(eq) = find_byte(word, b'=') else {
                self.syntax_err(self.span(x, y).range, "syntax.missing-equals")
                    .args
                    .push(("word", word.to_string()));
                continue;
            };
            if eq == 0 {
                self.err(self.span(x, y).range, "invalid.blank-name")
                    .args
                    .push(("instruction", kw.into()));
            }
            self.refs(x + eq + 1, y, true, true);
            out.push(KeyValue {
                span: self.span(x, y),
                key: self.span(x, x + eq),
                value: self.span(x + eq + 1, y),
                legacy: false,
            });
        }
        out
    }
}

/// Pieces for the logical substring starting at `lo`, re-based to logical offset 0.
fn sub_pieces(pieces: &[Piece], lo: u32) -> Vec<Piece> {
    let mut out = Vec::new();
    for p in pieces {
        let end = p.logical + p.len;
        if end <= lo && !(end == lo && p.len == 0) {
            continue;
        }
        if p.logical >= lo {
            out.push(Piece {
                logical: p.logical - lo,
                source: p.source,
                len: p.len,
            });
        } else {
            let cut = lo - p.logical;
            out.push(Piece {
                logical: 0,
                source: p.source + cut,
                len: p.len - cut,
            });
        }
    }
    if out.is_empty() {
        let src = map_end(pieces, lo);
        out.push(Piece {
            logical: 0,
            source: src,
            len: 0,
        });
    }
    out
}

fn is_heredoc_word(t: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    match t[digits..].strip_prefix("<<") {
        Some(rest) => {
            let rest = rest.strip_prefix('-').unwrap_or(rest);
            !rest.is_empty() && !rest.contains('<')
        }
        None => false,
    }
}

/// BuildKit's stage-name pattern `^[a-z][a-z0-9-_.]*$`, applied after lower-casing.
pub fn valid_stage_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.'))
}

/// Go's `time.ParseDuration`, in nanoseconds; `None` when Go would reject it.
pub fn parse_go_duration(s: &str) -> Option<i128> {
    let mut rest = s;
    let mut neg = false;
    if let Some(r) = rest.strip_prefix('-') {
        neg = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest.bytes().take_while(|c| c.is_ascii_digit() || *c == b'.').count();
        if num_len == 0 {
            return None;
        }
        let num = &rest[..num_len];
        if num == "." || num.matches('.').count() > 1 {
            return None;
        }
        let v: f64 = num.parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.bytes().take_while(|c| !(c.is_ascii_digit() || *c == b'.')).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += v * mult;
    }
    if total > i64::MAX as f64 {
        return None;
    }
    let ns = total as i128;
    Some(if neg { -ns } else { ns })
}

fn parse_go_int32(s: &str) -> Option<i64> {
    let v: i64 = s.parse().ok()?;
    (i32::MIN as i64..=i32::MAX as i64).contains(&v).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A marker's fields: range, name, chomp, expand, descriptor.
    type MarkerFields = (u32, u32, String, bool, bool, u32);

    /// The markers as `shellword::process` splits and processes the whole line and each marker (the
    /// reference for the fast paths of [`heredoc_markers`] and `marker_word`, which process nothing).
    fn markers_via_process(line: &str) -> Vec<Result<MarkerFields, String>> {
        let p = shellword::process(line, HEREDOC_SPLIT, &|_| Lookup::Unset);
        if p.error.is_some() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (word, lo, hi) in &p.words {
            let digits = word.bytes().take_while(u8::is_ascii_digit).count();
            let Some(rest) = word[digits..].strip_prefix("<<") else {
                continue;
            };
            let (chomp, rest) = rest.strip_prefix('-').map_or((false, rest), |r| (true, r));
            if rest.is_empty() || rest.contains('<') {
                continue;
            }
            let name = shellword::process(rest, HEREDOC_NAME, &|_| Lookup::Unset);
            if let Some(e) = name.error {
                out.push(Err(e));
                continue;
            }
            let [(name, _, _)] = &name.words[..] else {
                continue;
            };
            let as_written = shellword::process(
                rest,
                Options {
                    raw_quotes: true,
                    ..HEREDOC_NAME
                },
                &|_| Lookup::Unset,
            );
            let quotes = |s: &str| s.matches(['\'', '"']).count();
            let expand = as_written.words.first().is_some_and(|w| quotes(&w.0) == quotes(name));
            let fd = word[..digits].parse::<u32>().unwrap_or(0);
            out.push(Ok((*lo as u32, *hi as u32, name.clone(), chomp, expand, fd)));
        }
        out
    }

    /// Heredoc markers read in place equal those of the shell splitting, on lines made of every kind of
    /// piece the fast path takes (markers with and without `-` and a descriptor, `<<` words that are not
    /// markers, Unicode white space, non-ASCII words) and pieces that send a line or a marker to the
    /// slow path (quotes, escapes, `$`).
    #[test]
    fn heredoc_markers_read_in_place_are_those_of_the_shell_split() {
        let pieces = [
            "RUN",
            "<<EOF",
            "<<-EOT",
            "2<<X",
            "cat",
            "<<",
            "<<<a",
            "a<<b",
            "<<-",
            "12<<-Y",
            "é<<Z",
            "python3",
            "\u{a0}",
            " ",
            "\t",
            "  ",
            "x$y",
            "<<'Q'",
            "\"a b\"",
            "\\n",
            "<<E$F",
            "<<\"G H\"",
            "<<I\\ J",
            "<<-'K'",
        ];
        let mut seed = 0x2545_f491_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut fast = 0;
        for _ in 0..5000 {
            let n = 1 + (next() % 9) as usize;
            let mut line = String::new();
            for _ in 0..n {
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                line.push_str(piece);
                if next() % 3 > 0 {
                    line.push(' ');
                }
            }
            if shellword::is_plain(&line, '\\') {
                fast += 1;
            }
            let got: Vec<_> = heredoc_markers(&line)
                .into_iter()
                .map(|m| m.map(|m| (m.lo, m.hi, m.name, m.chomp, m.expand, m.fd)))
                .collect();
            assert_eq!(got, markers_via_process(&line), "{line:?}");
        }
        assert!(fast > 1000, "{fast}");
    }

    /// A scratch buffer in use is not handed out again: the inner user gets a vector of its own, and
    /// the buffer is empty after each use.
    #[test]
    fn scratch_buffers_are_never_shared_and_are_left_empty() {
        let outer = with_scratch(&FLAG_WORDS, |a| {
            a.push(words::FlagWord {
                lo: 0,
                hi: 1,
                cooked: "--a".into(),
            });
            let inner = with_scratch(&FLAG_WORDS, |b| {
                assert!(b.is_empty());
                b.push(words::FlagWord {
                    lo: 2,
                    hi: 3,
                    cooked: "--b".into(),
                });
                b.len()
            });
            (a.len(), inner)
        });
        assert_eq!(outer, (1, 1));
        FLAG_WORDS.with(|b| assert!(b.borrow().is_empty()));
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("30s"), Some(30_000_000_000));
        assert_eq!(parse_go_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Some(5_400_000_000_000));
        assert_eq!(parse_go_duration("0"), Some(0));
        assert_eq!(parse_go_duration("30"), None);
        assert_eq!(parse_go_duration("abc"), None);
    }

    #[test]
    fn stage_names() {
        assert!(valid_stage_name("build-env_1.x"));
        assert!(!valid_stage_name("1build"));
        assert!(!valid_stage_name("a/b"));
    }
}
