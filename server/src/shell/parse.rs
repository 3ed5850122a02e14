//! The tolerant lexer and parser behind [`crate::shell::parse`].
//!
//! One pass over the bytes: words are lexed with their quoting, operators end commands, reserved words in
//! command position are skipped (their commands are found), and `$(...)`, backticks, subshells and groups are
//! parsed in place, recursively, so that every span is a range of the script. A second pass parses the
//! scripts that commands run (`bash -c`, `su -c`, `eval`, a shell reading a heredoc), in place when their text
//! is written verbatim, else separately with every span widened to the word that holds the script.
//! Only ASCII bytes are ever special, so every position where the lexer stops is a character boundary.

use super::command::{ShellRun, name_index, nested_script, piped_script};
use super::{Command, HeredocBody, Redirect, RedirectOp, Scope, ScopeKind, Script, Sep, Word};
use crate::text::TextRange;

/// Deeper nesting than this is not parsed (the text is still skipped correctly).
const MAX_DEPTH: u32 = 48;

pub(crate) fn parse_script(script: &str) -> Script {
    let mut p = Parser::new(script, 0);
    p.top();
    p.finish()
}

/// A script made of one command whose words are given (the exec form): `text` holds the words' values at
/// their `raw_span`s. Nested scripts (`["sh", "-c", "..."]`) are parsed.
pub(crate) fn script_from_words(text: &str, words: Vec<Word>) -> Script {
    let mut p = Parser::new(text, 0);
    if let (Some(first), Some(last)) = (words.first(), words.last()) {
        let span = TextRange::new(first.raw_span.start, last.raw_span.end);
        p.commands.push(Command {
            span,
            assignments: Vec::new(),
            words,
            redirects: Vec::new(),
            sep: Sep::End,
            pipe_index: 0,
            negated: false,
            on_compound: false,
            scope: None,
            depth: 0,
            name_at: 0,
            expanded: false,
            widened: false,
        });
    }
    p.finish()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Close {
    /// Runs to the end of its region.
    None,
    /// Ends at an unmatched `)`.
    Paren,
    /// Ends at `}` in command position.
    Brace,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Normal,
    /// After `for`/`select`: words up to `;`, a newline or `do` are not commands.
    ForHeader,
    /// After `case`: the subject, up to `in`.
    CaseHeader,
    /// Inside `case ... in`: patterns up to `)`.
    CasePattern,
    /// After `function`: the name.
    FunctionName,
}

#[derive(Default)]
struct Cur {
    start: Option<u32>,
    end: u32,
    assignments: Vec<Word>,
    words: Vec<Word>,
    redirects: Vec<Redirect>,
    /// Inside `[[ ... ]]`: operators are words.
    cond: bool,
}

impl Cur {
    fn is_empty(&self) -> bool {
        self.start.is_none()
    }
    fn touch(&mut self, r: TextRange) {
        if self.start.is_none() {
            self.start = Some(r.start);
        }
        self.end = self.end.max(r.end);
    }
}

struct Level {
    scope: Option<u32>,
    cur: Cur,
    pipe: u32,
    negated: bool,
    after_compound: bool,
    last: Option<usize>,
    mode: Mode,
    /// Open `case` statements of this level: `true` while in a branch body.
    cases: Vec<bool>,
    /// `scopes.len()` when the current command began: later scopes may belong to it.
    mark: usize,
}

pub(crate) struct Parser<'s> {
    src: &'s str,
    b: &'s [u8],
    pub(crate) commands: Vec<Command>,
    pub(crate) scopes: Vec<Scope>,
    heredocs: Vec<HeredocBody>,
    pending: Vec<u32>,
    depth: u32,
    /// Open `Close::Paren` levels of the current region.
    paren_open: u32,
    /// Start offsets of the substitutions already parsed (a region parsed again in place skips them).
    seen_subst: Vec<u32>,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `NAME=`, `NAME+=` or `NAME[index]=` at the start of a raw word.
fn is_assignment(raw: &[u8]) -> bool {
    if raw.first().is_none_or(|&c| !is_name_start(c)) {
        return false;
    }
    let mut i = 1;
    while i < raw.len() && is_name_char(raw[i]) {
        i += 1;
    }
    if i < raw.len() && raw[i] == b'[' {
        while i < raw.len() && raw[i] != b']' {
            i += 1;
        }
        i += 1;
    }
    if i < raw.len() && raw[i] == b'+' {
        i += 1;
    }
    i < raw.len() && raw[i] == b'='
}

impl<'s> Parser<'s> {
    pub(crate) fn new(src: &'s str, depth: u32) -> Parser<'s> {
        Parser {
            src,
            b: src.as_bytes(),
            commands: Vec::new(),
            scopes: Vec::new(),
            heredocs: Vec::new(),
            pending: Vec::new(),
            depth,
            paren_open: 0,
            seen_subst: Vec::new(),
        }
    }

    fn top(&mut self) {
        let end = self.src.len();
        self.region(0, end, None);
    }

    /// Parses `[start, end)` as a script of its own (a region of the same text).
    fn region(&mut self, start: usize, end: usize, scope: Option<u32>) {
        let saved = std::mem::take(&mut self.paren_open);
        let saved_pending = std::mem::take(&mut self.pending);
        self.list(start, end, Close::None, scope);
        self.flush_pending(end);
        self.pending = saved_pending;
        self.paren_open = saved;
    }

    /// Heredocs whose body never came: empty at `at`, unterminated.
    fn flush_pending(&mut self, at: usize) {
        for id in std::mem::take(&mut self.pending) {
            if let Some(h) = self.heredocs.get_mut(id as usize) {
                h.body = TextRange::empty(at as u32);
            }
        }
    }

    fn char_len(&self, i: usize) -> usize {
        self.src[i..].chars().next().map_or(1, char::len_utf8)
    }

    /// Skips blanks and line continuations.
    fn skip_blanks(&self, mut i: usize, end: usize) -> usize {
        while i < end {
            if is_blank(self.b[i]) {
                i += 1;
            } else if self.b[i] == b'\\' && i + 1 < end && self.b[i + 1] == b'\n' {
                i += 2;
            } else {
                break;
            }
        }
        i
    }

    fn new_scope(&mut self, kind: ScopeKind, start: usize, parent: Option<u32>, owner: Option<u32>) -> u32 {
        self.scopes.push(Scope {
            kind,
            span: TextRange::empty(start as u32),
            parent,
            owner,
        });
        (self.scopes.len() - 1) as u32
    }

    fn close_scope(&mut self, id: u32, end: usize) {
        if let Some(s) = self.scopes.get_mut(id as usize) {
            s.span = TextRange::new(s.span.start, end as u32);
        }
    }

    /// Parses a list of commands from `i`; returns the position after the closing token (or `end`).
    fn list(&mut self, mut i: usize, end: usize, close: Close, scope: Option<u32>) -> usize {
        self.depth += 1;
        if close == Close::Paren {
            self.paren_open += 1;
        }
        let mut lv = Level {
            scope,
            cur: Cur::default(),
            pipe: 0,
            negated: false,
            after_compound: false,
            last: None,
            mode: Mode::Normal,
            cases: Vec::new(),
            mark: self.scopes.len(),
        };
        let ret = loop {
            i = self.skip_blanks(i, end);
            if i >= end {
                self.end_command(&mut lv, Sep::End);
                break end;
            }
            let c = self.b[i];
            if lv.cur.cond && c != b'\n' && c != b';' {
                i = self.cond_token(&mut lv, i, end);
                continue;
            }
            match c {
                b'#' => {
                    while i < end && self.b[i] != b'\n' {
                        i += 1;
                    }
                }
                b'\n' => {
                    lv.cur.cond = false;
                    self.end_command(&mut lv, Sep::Newline);
                    if lv.mode == Mode::ForHeader {
                        lv.mode = Mode::Normal;
                    }
                    i = self.read_heredocs(i + 1, end);
                }
                b';' => {
                    lv.cur.cond = false;
                    let rest = &self.b[i..end];
                    let n = if rest.starts_with(b";;&") {
                        3
                    } else if rest.starts_with(b";;") || rest.starts_with(b";&") {
                        2
                    } else {
                        1
                    };
                    if n > 1 && !lv.cases.is_empty() {
                        self.end_command(&mut lv, Sep::CaseBreak);
                        if let Some(c) = lv.cases.last_mut() {
                            *c = false;
                        }
                        lv.mode = Mode::CasePattern;
                    } else {
                        self.end_command(&mut lv, Sep::Semi);
                        if lv.mode == Mode::ForHeader {
                            lv.mode = Mode::Normal;
                        }
                    }
                    i += n;
                }
                b'&' => {
                    let rest = &self.b[i..end];
                    if rest.starts_with(b"&&") {
                        self.end_command(&mut lv, Sep::And);
                        i += 2;
                    } else if rest.starts_with(b"&>") {
                        i = self.redirect(&mut lv, i, end);
                    } else {
                        self.end_command(&mut lv, Sep::Background);
                        i += 1;
                    }
                }
                b'|' => {
                    let rest = &self.b[i..end];
                    if rest.starts_with(b"||") {
                        self.end_command(&mut lv, Sep::Or);
                        i += 2;
                    } else if lv.mode == Mode::CasePattern {
                        i += 1;
                    } else if rest.starts_with(b"|&") {
                        self.end_command(&mut lv, Sep::PipeBoth);
                        i += 2;
                    } else {
                        self.end_command(&mut lv, Sep::Pipe);
                        i += 1;
                    }
                }
                b'(' => i = self.open_paren(&mut lv, i, end),
                b')' => {
                    if lv.mode == Mode::CasePattern {
                        lv.mode = Mode::Normal;
                        if let Some(c) = lv.cases.last_mut() {
                            *c = true;
                        }
                        i += 1;
                    } else if close == Close::Paren {
                        self.end_command(&mut lv, Sep::End);
                        break i + 1;
                    } else if self.paren_open > 0 {
                        // An enclosing `$(` or `(` ends here; let it see the `)`.
                        self.end_command(&mut lv, Sep::End);
                        break i;
                    } else {
                        i += 1;
                    }
                }
                b'<' | b'>' => {
                    if i + 1 < end && self.b[i + 1] == b'(' {
                        i = self.word_token(&mut lv, i, end);
                    } else {
                        i = self.redirect(&mut lv, i, end);
                    }
                }
                b'0'..=b'9' => {
                    let mut j = i;
                    while j < end && self.b[j].is_ascii_digit() {
                        j += 1;
                    }
                    if j < end && (self.b[j] == b'<' || self.b[j] == b'>') && !(j + 1 < end && self.b[j + 1] == b'(') {
                        i = self.redirect(&mut lv, i, end);
                    } else {
                        i = self.word_token(&mut lv, i, end);
                    }
                }
                b'}' if close == Close::Brace
                    && lv.cur.is_empty()
                    && lv.mode == Mode::Normal
                    && (i + 1 >= end || is_meta(self.b[i + 1])) =>
                {
                    self.end_command(&mut lv, Sep::End);
                    break i + 1;
                }
                _ => i = self.word_token(&mut lv, i, end),
            }
        };
        if close == Close::Paren {
            self.paren_open = self.paren_open.saturating_sub(1);
        }
        self.depth -= 1;
        ret
    }

    /// A token inside `[[ ... ]]`: operators are plain words there.
    fn cond_token(&mut self, lv: &mut Level, i: usize, end: usize) -> usize {
        let mut j = i;
        while j < end && matches!(self.b[j], b'&' | b'|' | b'<' | b'>' | b'(' | b')' | b'!' | b'=') {
            j += 1;
        }
        if j > i {
            let w = Word {
                raw_span: TextRange::new(i as u32, j as u32),
                value: self.src[i..j].to_string(),
                quoted: false,
                has_expansion: false,
                verbatim: true,
                value_start: Some(i as u32),
            };
            lv.cur.touch(w.raw_span);
            lv.cur.words.push(w);
            return j;
        }
        let (w, j) = self.word(i, end, lv.scope);
        if j == i {
            return i + self.char_len(i);
        }
        if !w.quoted && w.value == "]]" {
            lv.cur.cond = false;
        }
        lv.cur.touch(w.raw_span);
        lv.cur.words.push(w);
        j
    }

    fn open_paren(&mut self, lv: &mut Level, i: usize, end: usize) -> usize {
        if lv.mode == Mode::CasePattern {
            return i + 1;
        }
        if !lv.cur.is_empty() {
            // `name () { ...; }`: a function definition; the body follows.
            let j = self.skip_blanks(i + 1, end);
            if lv.cur.words.len() == 1
                && lv.cur.assignments.is_empty()
                && lv.cur.redirects.is_empty()
                && j < end
                && self.b[j] == b')'
            {
                lv.cur = Cur::default();
                return j + 1;
            }
            return i + 1;
        }
        if i + 1 < end && self.b[i + 1] == b'(' {
            // `(( arithmetic ))`
            lv.after_compound = true;
            return self.skip_balanced(i, end);
        }
        if self.depth >= MAX_DEPTH {
            return self.skip_balanced(i, end);
        }
        let id = self.new_scope(ScopeKind::Subshell, i, lv.scope, None);
        let j = self.list(i + 1, end, Close::Paren, Some(id));
        self.close_scope(id, j);
        lv.after_compound = true;
        j
    }

    /// Skips from an opening `(` to its matching `)` (quotes respected); returns the position after it.
    fn skip_balanced(&self, i: usize, end: usize) -> usize {
        let mut depth = 0u32;
        let mut j = i;
        while j < end {
            match self.b[j] {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return j + 1;
                    }
                }
                b'\\' => j += 1,
                b'\'' => j = self.find_byte(b'\'', j + 1, end),
                b'"' => j = self.skip_dq(j + 1, end),
                _ => {}
            }
            j += 1;
        }
        end
    }

    /// The position of `needle` from `i` (or `end`).
    fn find_byte(&self, needle: u8, i: usize, end: usize) -> usize {
        self.b[i.min(end)..end]
            .iter()
            .position(|&c| c == needle)
            .map_or(end, |p| i + p)
    }

    /// From inside a double-quoted string to its closing quote (returned), escapes respected.
    fn skip_dq(&self, mut j: usize, end: usize) -> usize {
        while j < end {
            match self.b[j] {
                b'\\' => j += 1,
                b'"' => return j,
                _ => {}
            }
            j += 1;
        }
        end
    }

    fn end_command(&mut self, lv: &mut Level, sep: Sep) {
        let cur = std::mem::take(&mut lv.cur);
        let mark = std::mem::replace(&mut lv.mark, self.scopes.len());
        if let Some(start) = cur.start {
            let on_compound = cur.words.is_empty() && cur.assignments.is_empty() && lv.after_compound;
            self.commands.push(Command {
                span: TextRange::new(start, cur.end),
                assignments: cur.assignments,
                words: cur.words,
                redirects: cur.redirects,
                sep,
                pipe_index: lv.pipe,
                negated: lv.negated,
                on_compound,
                scope: lv.scope,
                depth: 0,
                name_at: 0,
                expanded: false,
                widened: false,
            });
            let idx = self.commands.len() - 1;
            lv.last = Some(idx);
            // The substitutions written in this command belong to it.
            for sc in self.scopes.iter_mut().skip(mark) {
                if sc.owner.is_none()
                    && sc.parent == lv.scope
                    && sc.span.start >= start
                    && matches!(
                        sc.kind,
                        ScopeKind::CommandSubst | ScopeKind::Backticks | ScopeKind::ProcessSubst
                    )
                {
                    sc.owner = Some(idx as u32);
                }
            }
        } else if lv.after_compound && matches!(sep, Sep::Pipe | Sep::PipeBoth | Sep::And | Sep::Or | Sep::Background) {
            // `done | sort`: the compound's last command connects onward.
            if let Some(c) = lv.last.and_then(|l| self.commands.get_mut(l)) {
                c.sep = sep;
            }
        } else if sep != Sep::Pipe && sep != Sep::PipeBoth {
            if matches!(
                sep,
                Sep::Newline | Sep::Semi | Sep::End | Sep::CaseBreak | Sep::Background
            ) {
                lv.pipe = 0;
            }
            return;
        } else {
            return;
        }
        lv.pipe = if matches!(sep, Sep::Pipe | Sep::PipeBoth) {
            lv.pipe + 1
        } else {
            0
        };
        lv.negated = false;
        lv.after_compound = false;
    }

    /// A redirect at `i` (optional descriptor digits, operator, target).
    fn redirect(&mut self, lv: &mut Level, i: usize, end: usize) -> usize {
        let mut j = i;
        while j < end && self.b[j].is_ascii_digit() {
            j += 1;
        }
        let fd = if j > i {
            self.src[i..j].parse::<u32>().ok()
        } else {
            None
        };
        let rest = &self.b[j..end];
        let (op, n) = if rest.starts_with(b"&>>") {
            (RedirectOp::AppendErr, 3)
        } else if rest.starts_with(b"&>") {
            (RedirectOp::OutErr, 2)
        } else if rest.starts_with(b"<<<") {
            (RedirectOp::HereString, 3)
        } else if rest.starts_with(b"<<-") {
            (RedirectOp::Heredoc, 3)
        } else if rest.starts_with(b"<<") {
            (RedirectOp::Heredoc, 2)
        } else if rest.starts_with(b"<&") {
            (RedirectOp::Dup { input: true }, 2)
        } else if rest.starts_with(b"<>") {
            (RedirectOp::ReadWrite, 2)
        } else if rest.starts_with(b">>") {
            (RedirectOp::Append, 2)
        } else if rest.starts_with(b">&") {
            (RedirectOp::Dup { input: false }, 2)
        } else if rest.starts_with(b">|") {
            (RedirectOp::Clobber, 2)
        } else if rest.starts_with(b">") {
            (RedirectOp::Out, 1)
        } else {
            (RedirectOp::In, 1)
        };
        let strip_tabs = op == RedirectOp::Heredoc && n == 3;
        let op_end = j + n;
        let k = self.skip_blanks(op_end, end);
        let (target, after) = if k < end && !is_meta(self.b[k]) {
            self.word(k, end, lv.scope)
        } else {
            (
                Word {
                    raw_span: TextRange::empty(op_end as u32),
                    verbatim: true,
                    value_start: Some(op_end as u32),
                    ..Word::default()
                },
                op_end,
            )
        };
        let mut heredoc_id = None;
        if op == RedirectOp::Heredoc {
            let raw = &self.src[target.raw_span.as_usize()];
            self.heredocs.push(HeredocBody {
                delimiter: target.value.clone(),
                quoted: raw.contains(['\'', '"', '\\']),
                strip_tabs,
                body: TextRange::empty(end as u32),
                terminator: None,
            });
            let id = (self.heredocs.len() - 1) as u32;
            self.pending.push(id);
            heredoc_id = Some(id);
        }
        let span = TextRange::new(i as u32, (after.max(op_end)) as u32);
        lv.cur.touch(span);
        lv.cur.redirects.push(Redirect {
            span,
            fd,
            op,
            target,
            heredoc: None,
            heredoc_id,
        });
        after.max(op_end)
    }

    /// Reads the bodies of the pending heredocs from the line starting at `i`.
    fn read_heredocs(&mut self, mut i: usize, end: usize) -> usize {
        if self.pending.is_empty() {
            return i;
        }
        for id in std::mem::take(&mut self.pending) {
            let Some(h) = self.heredocs.get(id as usize) else {
                continue;
            };
            let (delim, strip) = (h.delimiter.clone(), h.strip_tabs);
            let body_start = i;
            let mut terminator = None;
            while i < end {
                let line_end = self.find_byte(b'\n', i, end);
                let mut line = &self.src[i..line_end];
                line = line.strip_suffix('\r').unwrap_or(line);
                if strip {
                    line = line.trim_start_matches('\t');
                }
                if line == delim {
                    terminator = Some((i, line_end));
                    break;
                }
                i = if line_end < end { line_end + 1 } else { end };
            }
            let h = &mut self.heredocs[id as usize];
            match terminator {
                Some((ts, te)) => {
                    h.body = TextRange::new(body_start as u32, ts as u32);
                    h.terminator = Some(TextRange::new(ts as u32, te as u32));
                    i = if te < end { te + 1 } else { end };
                }
                None => {
                    h.body = TextRange::new(body_start as u32, end as u32);
                    i = end;
                }
            }
        }
        i
    }

    /// A word in the list: reserved words, assignments, arguments.
    fn word_token(&mut self, lv: &mut Level, i: usize, end: usize) -> usize {
        let (w, j) = self.word(i, end, lv.scope);
        if j <= i {
            // Cannot happen (the caller saw a word character), but never loop forever.
            return i + self.char_len(i);
        }
        let reserved = !w.quoted && w.verbatim;
        match lv.mode {
            Mode::ForHeader => {
                if reserved && w.value == "do" {
                    lv.mode = Mode::Normal;
                }
                return j;
            }
            Mode::CaseHeader => {
                if reserved && w.value == "in" {
                    lv.mode = Mode::CasePattern;
                }
                return j;
            }
            Mode::CasePattern => {
                if reserved && w.value == "esac" {
                    lv.cases.pop();
                    lv.mode = if lv.cases.last() == Some(&false) {
                        Mode::CasePattern
                    } else {
                        Mode::Normal
                    };
                    lv.after_compound = true;
                }
                return j;
            }
            Mode::FunctionName => {
                lv.mode = Mode::Normal;
                let k = self.skip_blanks(j, end);
                if self.b[k..end].starts_with(b"()") {
                    return k + 2;
                }
                return j;
            }
            Mode::Normal => {}
        }
        if lv.cur.is_empty() && reserved {
            match w.value.as_str() {
                "!" => {
                    lv.negated = true;
                    return j;
                }
                "{" => {
                    if self.depth >= MAX_DEPTH {
                        return j;
                    }
                    let id = self.new_scope(ScopeKind::Group, i, lv.scope, None);
                    let k = self.list(j, end, Close::Brace, Some(id));
                    self.close_scope(id, k);
                    lv.after_compound = true;
                    return k;
                }
                "}" => {
                    // A `}` closing no group of this level: ignored.
                    lv.after_compound = true;
                    return j;
                }
                "if" | "then" | "elif" | "else" | "while" | "until" | "do" | "in" => return j,
                "fi" | "done" => {
                    lv.after_compound = true;
                    return j;
                }
                "esac" => {
                    lv.cases.pop();
                    if lv.cases.last() == Some(&false) {
                        lv.mode = Mode::CasePattern;
                    }
                    lv.after_compound = true;
                    return j;
                }
                "for" | "select" => {
                    lv.mode = Mode::ForHeader;
                    let k = self.skip_blanks(j, end);
                    if self.b[k..end].starts_with(b"((") {
                        return self.skip_balanced(k, end);
                    }
                    return j;
                }
                "case" => {
                    lv.cases.push(false);
                    lv.mode = Mode::CaseHeader;
                    return j;
                }
                "function" => {
                    lv.mode = Mode::FunctionName;
                    return j;
                }
                "time" => {
                    let k = self.skip_blanks(j, end);
                    if self.b[k..end].starts_with(b"-p") && (k + 2 >= end || is_meta(self.b[k + 2])) {
                        return k + 2;
                    }
                    return j;
                }
                "[[" => {
                    lv.cur.cond = true;
                }
                _ => {}
            }
        }
        lv.cur.touch(w.raw_span);
        if lv.cur.words.is_empty() && is_assignment(&self.b[i..j]) {
            lv.cur.assignments.push(w);
        } else {
            lv.cur.words.push(w);
        }
        j
    }

    /// Lexes one word from `i`; returns it and the position after it.
    fn word(&mut self, i: usize, end: usize, scope: Option<u32>) -> (Word, usize) {
        let mut w = Word {
            raw_span: TextRange::empty(i as u32),
            value: String::new(),
            quoted: false,
            has_expansion: false,
            verbatim: true,
            value_start: None,
        };
        // Where the value is written contiguously: `Some(start)` while that holds.
        let mut contiguous: Option<usize> = Some(i);
        let mut j = i;
        // Process substitution `<(...)` / `>(...)` as a whole word.
        if j + 1 < end && (self.b[j] == b'<' || self.b[j] == b'>') && self.b[j + 1] == b'(' {
            let k = self.substitution(j, j + 2, end, ScopeKind::ProcessSubst, scope);
            w.value.push_str(&self.src[j..k]);
            w.has_expansion = true;
            j = k;
        }
        while j < end {
            let c = self.b[j];
            match c {
                b'(' => {
                    let prev = w.value.as_bytes().last().copied();
                    let array = prev == Some(b'=') && is_assignment(&self.b[i..j]);
                    let extglob = matches!(prev, Some(b'@' | b'!' | b'?' | b'*' | b'+')) && j > i;
                    if array || extglob {
                        let k = self.skip_balanced(j, end);
                        w.value.push_str(&self.src[j..k]);
                        j = k;
                    } else {
                        break;
                    }
                }
                _ if is_meta(c) => break,
                b'\\' => {
                    w.verbatim = false;
                    if j + 1 >= end {
                        w.value.push('\\');
                        j += 1;
                        contiguous = None;
                    } else if self.b[j + 1] == b'\n' {
                        j += 2;
                        contiguous = None;
                    } else {
                        w.quoted = true;
                        let n = self.char_len(j + 1);
                        contiguous = contiguous.filter(|_| w.value.is_empty()).map(|_| j + 1);
                        w.value.push_str(&self.src[j + 1..j + 1 + n]);
                        j += 1 + n;
                        // A single escaped character can still be contiguous (`\-x`), but not if more follows.
                        if j < end && !is_meta(self.b[j]) {
                            contiguous = None;
                        }
                    }
                }
                b'\'' => {
                    w.verbatim = false;
                    w.quoted = true;
                    let k = self.find_byte(b'\'', j + 1, end);
                    contiguous = contiguous.filter(|_| w.value.is_empty()).map(|_| j + 1);
                    w.value.push_str(&self.src[j + 1..k]);
                    j = (k + 1).min(end);
                    if j < end && !is_meta(self.b[j]) {
                        contiguous = None;
                    }
                }
                b'"' => {
                    w.verbatim = false;
                    w.quoted = true;
                    let before = w.value.len();
                    let (k, clean) = self.double_quoted(j + 1, end, &mut w, scope);
                    contiguous = contiguous.filter(|_| before == 0 && clean).map(|_| j + 1);
                    j = (k + 1).min(end);
                    if j < end && !is_meta(self.b[j]) {
                        contiguous = None;
                    }
                }
                b'$' if j + 1 < end && self.b[j + 1] == b'\'' => {
                    w.verbatim = false;
                    w.quoted = true;
                    contiguous = None;
                    j = self.ansi_c(j + 2, end, &mut w.value);
                }
                b'$' if j + 1 < end && self.b[j + 1] == b'"' => {
                    w.verbatim = false;
                    w.quoted = true;
                    contiguous = None;
                    let (k, _) = self.double_quoted(j + 2, end, &mut w, scope);
                    j = (k + 1).min(end);
                }
                b'$' => {
                    let k = self.dollar(j, end, scope);
                    if k > j + 1 {
                        w.has_expansion = true;
                    }
                    w.value.push_str(&self.src[j..k]);
                    j = k;
                }
                b'`' => {
                    let k = self.backticks(j, end, scope);
                    w.has_expansion = true;
                    w.value.push_str(&self.src[j..k]);
                    j = k;
                }
                _ => {
                    let mut k = j + 1;
                    while k < end && !is_meta(self.b[k]) && !matches!(self.b[k], b'\\' | b'\'' | b'"' | b'$' | b'`') {
                        k += 1;
                    }
                    w.value.push_str(&self.src[j..k]);
                    j = k;
                }
            }
        }
        w.raw_span = TextRange::new(i as u32, j as u32);
        if w.verbatim {
            w.value_start = Some(i as u32);
        } else if let Some(at) = contiguous
            && self.src.get(at..at + w.value.len()) == Some(w.value.as_str())
        {
            w.value_start = Some(at as u32);
        }
        (w, j)
    }

    /// Inside `"..."` from `i`: appends the value; returns the closing quote's position (or `end`) and
    /// whether the content had no escapes (so the value is the text as written).
    fn double_quoted(&mut self, mut i: usize, end: usize, w: &mut Word, scope: Option<u32>) -> (usize, bool) {
        let mut clean = true;
        while i < end {
            match self.b[i] {
                b'"' => return (i, clean),
                b'\\' => {
                    if i + 1 < end && matches!(self.b[i + 1], b'$' | b'`' | b'"' | b'\\' | b'\n') {
                        clean = false;
                        if self.b[i + 1] != b'\n' {
                            w.value.push(self.b[i + 1] as char);
                        }
                        i += 2;
                    } else {
                        w.value.push('\\');
                        i += 1;
                    }
                }
                b'$' => {
                    let k = self.dollar(i, end, scope);
                    if k > i + 1 {
                        w.has_expansion = true;
                    }
                    w.value.push_str(&self.src[i..k]);
                    i = k;
                }
                b'`' => {
                    let k = self.backticks(i, end, scope);
                    w.has_expansion = true;
                    w.value.push_str(&self.src[i..k]);
                    i = k;
                }
                _ => {
                    let mut k = i + 1;
                    while k < end && !matches!(self.b[k], b'"' | b'\\' | b'$' | b'`') {
                        k += 1;
                    }
                    w.value.push_str(&self.src[i..k]);
                    i = k;
                }
            }
        }
        (end, clean)
    }

    /// `$'...'` from after the quote: ANSI-C escapes applied; returns the position after the closing quote.
    fn ansi_c(&self, mut i: usize, end: usize, out: &mut String) -> usize {
        while i < end {
            let c = self.b[i];
            if c == b'\'' {
                return i + 1;
            }
            if c != b'\\' || i + 1 >= end {
                let n = self.char_len(i);
                out.push_str(&self.src[i..i + n]);
                i += n;
                continue;
            }
            let e = self.b[i + 1];
            i += 2;
            let simple = match e {
                b'n' => Some('\n'),
                b't' => Some('\t'),
                b'r' => Some('\r'),
                b'a' => Some('\x07'),
                b'b' => Some('\x08'),
                b'e' | b'E' => Some('\x1b'),
                b'f' => Some('\x0c'),
                b'v' => Some('\x0b'),
                b'\\' => Some('\\'),
                b'\'' => Some('\''),
                b'"' => Some('"'),
                b'?' => Some('?'),
                _ => None,
            };
            if let Some(ch) = simple {
                out.push(ch);
                continue;
            }
            let (radix, max) = match e {
                b'x' => (16, 2),
                b'u' => (16, 4),
                b'U' => (16, 8),
                b'0'..=b'7' => {
                    i -= 1;
                    (8, 3)
                }
                _ => {
                    out.push('\\');
                    i -= 1;
                    continue;
                }
            };
            let mut k = i;
            while k < end && k - i < max && (self.b[k] as char).is_digit(radix) {
                k += 1;
            }
            match u32::from_str_radix(&self.src[i..k], radix)
                .ok()
                .and_then(char::from_u32)
            {
                Some(ch) if k > i => out.push(ch),
                _ => {
                    out.push('\\');
                    out.push(e as char);
                }
            }
            i = k;
        }
        end
    }

    /// A `$` at `i`: returns the end of the expansion (`i + 1` for a literal `$`).
    fn dollar(&mut self, i: usize, end: usize, scope: Option<u32>) -> usize {
        let j = i + 1;
        if j >= end {
            return j;
        }
        match self.b[j] {
            b'(' => {
                if j + 1 < end && self.b[j + 1] == b'(' {
                    self.skip_balanced(j, end)
                } else {
                    self.substitution(i, j + 1, end, ScopeKind::CommandSubst, scope)
                }
            }
            b'{' => {
                let mut depth = 0u32;
                let mut k = j;
                while k < end {
                    match self.b[k] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                return k + 1;
                            }
                        }
                        b'\\' => k += 1,
                        b'\'' => k = self.find_byte(b'\'', k + 1, end),
                        b'"' => k = self.skip_dq(k + 1, end),
                        _ => {}
                    }
                    k += 1;
                }
                end
            }
            b'[' => {
                let k = self.find_byte(b']', j + 1, end);
                (k + 1).min(end)
            }
            c if is_name_start(c) => {
                let mut k = j + 1;
                while k < end && is_name_char(self.b[k]) {
                    k += 1;
                }
                k
            }
            b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-' => j + 1,
            _ => j,
        }
    }

    /// `$(`, `<(` or `>(` at `at` whose content starts at `inner`: parses the commands inside; returns
    /// the position after the closing `)`.
    fn substitution(&mut self, at: usize, inner: usize, end: usize, kind: ScopeKind, scope: Option<u32>) -> usize {
        if self.depth >= MAX_DEPTH || !self.first_visit(at) {
            return self.skip_balanced(inner - 1, end);
        }
        let id = self.new_scope(kind, at, scope, None);
        let k = self.list(inner, end, Close::Paren, Some(id));
        self.close_scope(id, k);
        k
    }

    /// Records a substitution at `at`; false when it was parsed before (a region parsed again in place).
    fn first_visit(&mut self, at: usize) -> bool {
        let at = at as u32;
        // The main pass visits in increasing order: the insertion is at the end.
        match self.seen_subst.binary_search(&at) {
            Ok(_) => false,
            Err(p) => {
                self.seen_subst.insert(p, at);
                true
            }
        }
    }

    /// A backtick substitution at `i`: parses the commands inside; returns the position after it.
    fn backticks(&mut self, i: usize, end: usize, scope: Option<u32>) -> usize {
        let mut k = i + 1;
        while k < end && self.b[k] != b'`' {
            if self.b[k] == b'\\' {
                k += 1;
            }
            k += 1;
        }
        let close = k.min(end);
        let after = (close + 1).min(end);
        if self.depth < MAX_DEPTH && self.first_visit(i) {
            let id = self.new_scope(ScopeKind::Backticks, i, scope, None);
            let saved = std::mem::take(&mut self.paren_open);
            self.list(i + 1, close, Close::None, Some(id));
            self.paren_open = saved;
            self.close_scope(id, after);
        }
        after
    }

    /// After the main pass: parses the scripts that commands run, then orders everything.
    pub(crate) fn finish(mut self) -> Script {
        self.fill_heredocs();
        let mut k = 0;
        while k < self.commands.len() {
            self.commands[k].name_at = name_index(&self.commands[k].words) as u32;
            if !self.commands[k].expanded {
                self.commands[k].expanded = true;
                if self.depth < MAX_DEPTH {
                    self.nested(k);
                }
            }
            k += 1;
        }
        self.fill_heredocs();
        self.order()
    }

    fn fill_heredocs(&mut self) {
        for c in &mut self.commands {
            for r in &mut c.redirects {
                if r.heredoc.is_none()
                    && let Some(id) = r.heredoc_id
                {
                    r.heredoc = self.heredocs.get(id as usize).cloned();
                }
            }
        }
    }

    /// Parses the script command `k` runs, if it runs one.
    fn nested(&mut self, k: usize) {
        let mut run = nested_script(&self.commands[k]);
        let parent = self.commands[k].scope;
        let owner = Some(k as u32);
        let mut from = k;
        if let ShellRun::Pipe = run {
            // The command before it in the pipeline (pushed before it, in the same scope) writes the script.
            let pipe_index = self.commands[k].pipe_index;
            let prev = (0..k).rev().find(|&p| {
                let c = &self.commands[p];
                c.scope == parent && c.pipe_index + 1 == pipe_index && matches!(c.sep, Sep::Pipe | Sep::PipeBoth)
            });
            run = match prev {
                Some(p) => {
                    from = p;
                    self.commands[p].name_at = name_index(&self.commands[p].words) as u32;
                    piped_script(&self.commands[p])
                }
                None => ShellRun::None,
            };
        }
        let kind = if from == k {
            ScopeKind::ShellString
        } else {
            ScopeKind::Stdin
        };
        let k = from;
        match run {
            ShellRun::None | ShellRun::Pipe => {}
            ShellRun::Word(w) => {
                let Some(word) = self.commands[k].words.get(w).cloned() else {
                    return;
                };
                self.nested_word(&word, kind, parent, owner);
            }
            ShellRun::Words(a, b) => {
                let words = &self.commands[k].words;
                let (Some(first), Some(last)) = (words.get(a), words.get(b.saturating_sub(1))) else {
                    return;
                };
                if b - a == 1 {
                    let word = first.clone();
                    self.nested_word(&word, ScopeKind::ShellString, parent, owner);
                } else {
                    let whole = TextRange::new(first.raw_span.start, last.raw_span.end);
                    let text = words[a..b]
                        .iter()
                        .map(|w| w.value.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    self.nested_text(&text, whole, ScopeKind::ShellString, parent, owner);
                }
            }
            ShellRun::Stdin(r) => {
                let Some(red) = self.commands[k].redirects.get(r).cloned() else {
                    return;
                };
                match red.heredoc {
                    Some(h) => {
                        let (a, b) = (h.body.start as usize, h.body.end as usize);
                        if a <= b && b <= self.src.len() && a < b {
                            let id = self.new_scope(ScopeKind::Stdin, a, parent, owner);
                            self.close_scope(id, b);
                            self.region(a, b, Some(id));
                        }
                    }
                    None => self.nested_word(&red.target, ScopeKind::Stdin, parent, owner),
                }
            }
        }
    }

    fn nested_word(&mut self, word: &Word, kind: ScopeKind, parent: Option<u32>, owner: Option<u32>) {
        match word.value_start {
            Some(at) => {
                let (a, b) = (at as usize, at as usize + word.value.len());
                if b <= self.src.len() && self.src.is_char_boundary(a) && self.src.is_char_boundary(b) {
                    let id = self.new_scope(kind, a, parent, owner);
                    self.close_scope(id, b);
                    self.region(a, b, Some(id));
                }
            }
            None => self.nested_text(&word.value, word.raw_span, kind, parent, owner),
        }
    }

    /// Parses `text` (not written verbatim in this script) and adds its commands with every span set to
    /// `whole`.
    fn nested_text(&mut self, text: &str, whole: TextRange, kind: ScopeKind, parent: Option<u32>, owner: Option<u32>) {
        if text.trim().is_empty() {
            return;
        }
        let mut sub = Parser::new(text, self.depth + 1);
        sub.top();
        let inner = sub.finish();
        let id = self.new_scope(kind, whole.start as usize, parent, owner);
        self.close_scope(id, whole.end as usize);
        let scope_base = self.scopes.len() as u32;
        let cmd_base = self.commands.len() as u32;
        let rescope = |s: Option<u32>| Some(s.map_or(id, |p| p + scope_base));
        for mut s in inner.scopes {
            s.span = whole;
            s.parent = rescope(s.parent);
            s.owner = s.owner.map(|o| o + cmd_base);
            self.scopes.push(s);
        }
        let widen = |w: &mut Word| {
            w.raw_span = whole;
            w.verbatim = false;
            w.value_start = None;
        };
        for mut c in inner.commands {
            c.span = whole;
            c.scope = rescope(c.scope);
            c.words.iter_mut().for_each(widen);
            c.assignments.iter_mut().for_each(widen);
            for r in &mut c.redirects {
                r.span = whole;
                widen(&mut r.target);
                r.heredoc_id = None;
                if let Some(h) = &mut r.heredoc {
                    h.body = whole;
                    h.terminator = h.terminator.map(|_| whole);
                }
            }
            c.expanded = true;
            c.widened = true;
            self.commands.push(c);
        }
    }

    /// Sorts the commands by start (outer before inner) and sets their depths.
    fn order(self) -> Script {
        let Parser {
            commands, mut scopes, ..
        } = self;
        let depth_of = |mut s: Option<u32>| {
            let mut d = 0u32;
            while let Some(i) = s {
                d += 1;
                s = scopes.get(i as usize).and_then(|x| x.parent);
                if d > 10_000 {
                    break;
                }
            }
            d
        };
        let mut keyed: Vec<(u32, u32, usize, Command)> = commands
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                c.depth = depth_of(c.scope);
                (c.span.start, c.depth, i, c)
            })
            .collect();
        keyed.sort_by_key(|k| (k.0, k.1, k.2));
        let mut new_index = vec![0u32; keyed.len()];
        for (n, k) in keyed.iter().enumerate() {
            new_index[k.2] = n as u32;
        }
        for s in &mut scopes {
            s.owner = s.owner.and_then(|o| new_index.get(o as usize).copied());
        }
        Script {
            commands: keyed.into_iter().map(|k| k.3).collect(),
            scopes,
        }
    }
}
