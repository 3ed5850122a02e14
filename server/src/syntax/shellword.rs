//! Docker's word processor (BuildKit's `shell.Lex`), reimplemented: quotes, escapes, `$var`/`${var…}`
//! expansion and word splitting, with the byte range of every variable reference.
//!
//! Docker runs this on the arguments of FROM, COPY, ADD, ENV, LABEL, ARG, USER, WORKDIR, EXPOSE, VOLUME
//! and STOPSIGNAL; the parser also runs it on RUN/COPY/ADD lines to find heredoc markers.

use crate::syntax::ast::{VarModifier, VarRef};

/// What a variable lookup found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Set to this value.
    Set(String),
    /// Known not to be set.
    Unset,
    /// Set or not depending on the build (a build argument without a default, an image's environment).
    Unknown,
}

/// Options of a run, named after the fields of BuildKit's `shell.Lex`.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub escape: char,
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Leave references to unset variables as they are written.
    pub skip_unset: bool,
}

impl Options {
    pub fn expand(escape: char) -> Options {
        Options {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset: false,
        }
    }
}

/// The outcome of processing one word.
#[derive(Clone, Debug, Default)]
pub struct Processed {
    /// The processed text; `None` when it depends on a variable whose value is unknown.
    pub value: Option<String>,
    /// The words after splitting, with the raw span each started and ended at.
    pub words: Vec<(String, usize, usize)>,
    /// Every variable reference, outermost first, with offsets into the input.
    pub refs: Vec<VarRef>,
    /// Docker's error text when the word is malformed (`bad substitution`, an unterminated quote...).
    pub error: Option<String>,
}

/// Words after splitting, each with the raw span it started and ended at.
type SplitWords = Vec<(String, usize, usize)>;

struct Lexer<'a, 'e> {
    s: &'a str,
    pos: usize,
    /// Only collect references: build no text and no words.
    quiet: bool,
    opts: Options,
    env: &'e dyn Fn(&str) -> Lookup,
    refs: Vec<VarRef>,
    unknown: bool,
    depth: u32,
    /// Bytes variable values may still add to this word ([`MAX_EXPANDED`]).
    budget: usize,
}

/// The most bytes variable values may add to one word. Beyond it the word's value counts as unknown:
/// values that double at each `ENV B=$A$A` would otherwise grow exponentially with the file's length
/// (27 such lines took 2.3 GB). Real values are far shorter (the longest ENV or ARG line of the corpus has 1,469 bytes).
pub const MAX_EXPANDED: usize = 16 * 1024;

#[derive(Default)]
struct Words {
    word: String,
    words: Vec<(String, usize, usize)>,
    in_word: bool,
    start: usize,
    off: bool,
}

impl Words {
    fn begin(&mut self, at: usize) {
        if !self.in_word && !self.off {
            self.in_word = true;
            self.start = at;
        }
    }
    fn add_char(&mut self, ch: char, at: usize) {
        if self.off {
            return;
        }
        if ch.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.words.push((std::mem::take(&mut self.word), self.start, at));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch, at);
        }
    }
    fn add_raw_char(&mut self, ch: char, at: usize) {
        if self.off {
            return;
        }
        self.begin(at);
        self.word.push(ch);
    }
    fn add_string(&mut self, s: &str, at: usize) {
        if self.off {
            return;
        }
        for ch in s.chars() {
            self.add_char(ch, at);
        }
    }
    fn add_raw_string(&mut self, s: &str, at: usize) {
        if self.off {
            return;
        }
        self.begin(at);
        self.word.push_str(s);
    }
    fn finish(mut self, end: usize) -> Vec<(String, usize, usize)> {
        if !self.word.is_empty() {
            self.words.push((std::mem::take(&mut self.word), self.start, end));
        }
        self.words
    }
}

const EOF: Option<char> = None;

impl Lexer<'_, '_> {
    fn peek(&self) -> Option<char> {
        // ASCII fast path: no UTF-8 decoding for the common bytes.
        match self.s.as_bytes().get(self.pos) {
            None => None,
            Some(&b) if b < 0x80 => Some(b as char),
            Some(_) => self.s[self.pos..].chars().next(),
        }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Processes until `stop` (consumed) or the end; returns the text and the split words.
    fn stop_on(&mut self, stop: Option<char>, raw_escapes: bool) -> Result<(String, SplitWords), String> {
        let saved = self.opts.raw_escapes;
        self.opts.raw_escapes = raw_escapes;
        let r = self.stop_on_inner(stop);
        self.opts.raw_escapes = saved;
        r
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Result<(String, SplitWords), String> {
        let mut result = String::new();
        let mut words = Words {
            off: self.quiet,
            ..Words::default()
        };
        while let Some(ch) = self.peek() {
            if stop.is_some() && Some(ch) == stop {
                let at = self.pos;
                self.next();
                return Ok((result, words.finish(at)));
            }
            let at = self.pos;
            match ch {
                '\'' => {
                    let tmp = self.single_quote()?;
                    if !self.quiet {
                        result.push_str(&tmp);
                    }
                    words.add_raw_string(&tmp, at);
                }
                '"' => {
                    let tmp = self.double_quote()?;
                    if !self.quiet {
                        result.push_str(&tmp);
                    }
                    words.add_raw_string(&tmp, at);
                }
                '$' => {
                    let tmp = self.dollar()?;
                    if !self.quiet {
                        result.push_str(&tmp);
                    }
                    words.add_string(&tmp, at);
                    if !tmp.is_empty() {
                        words.begin(at);
                    }
                }
                _ => {
                    self.next();
                    if ch == self.opts.escape {
                        if self.opts.raw_escapes {
                            words.add_raw_char(ch, at);
                            if !self.quiet {
                                result.push(ch);
                            }
                        }
                        match self.next() {
                            None => break,
                            Some(c) => {
                                words.add_raw_char(c, at);
                                if !self.quiet {
                                    result.push(c);
                                }
                            }
                        }
                    } else {
                        words.add_char(ch, at);
                        if !self.quiet {
                            result.push(ch);
                        }
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return Err(format!("unexpected end of statement while looking for matching {stop}"));
        }
        Ok((result, words.finish(self.pos)))
    }

    fn single_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let q = self.next();
        if self.opts.raw_quotes {
            out.extend(q);
        }
        loop {
            match self.next() {
                EOF => {
                    return Err("unexpected end of statement while looking for matching single-quote".into());
                }
                Some('\'') => {
                    if self.opts.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(c) => {
                    if !self.quiet {
                        out.push(c);
                    }
                }
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let q = self.next();
        if self.opts.raw_quotes {
            out.extend(q);
        }
        loop {
            match self.peek() {
                EOF => {
                    return Err("unexpected end of statement while looking for matching double-quote".into());
                }
                Some('"') => {
                    self.next();
                    if self.opts.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let v = self.dollar()?;
                    if !self.quiet {
                        out.push_str(&v);
                    }
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.opts.escape {
                        if self.opts.raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            EOF => continue,
                            Some(c) if c == '"' || c == '$' || c == self.opts.escape => {
                                ch = c;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    if !self.quiet {
                        out.push(ch);
                    }
                }
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_numeric() {
                while let Some(c) = self.peek().filter(|c| c.is_numeric()) {
                    self.next();
                    name.push(c);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphabetic() && !ch.is_numeric() && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn lookup(&mut self, name: &str) -> (String, bool) {
        match (self.env)(name) {
            Lookup::Set(v) if v.len() <= self.budget => {
                self.budget -= v.len();
                (v, true)
            }
            Lookup::Set(_) => {
                self.unknown = true;
                (String::new(), true)
            }
            Lookup::Unset => (String::new(), false),
            Lookup::Unknown => {
                self.unknown = true;
                (String::new(), true)
            }
        }
    }

    fn dollar(&mut self) -> Result<String, String> {
        let start = self.pos;
        self.next();
        if self.peek() != Some('{') {
            let name_lo = self.pos;
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            self.refs.push(VarRef {
                lo: start as u32,
                hi: self.pos as u32,
                name_lo: name_lo as u32,
                name_hi: self.pos as u32,
                braced: false,
                modifier: None,
            });
            let (value, set) = self.lookup(&name);
            if !set && self.opts.skip_unset {
                return Ok(format!("${name}"));
            }
            return Ok(value);
        }
        self.next();
        match self.peek() {
            EOF => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            _ => {}
        }
        let name_lo = self.pos;
        let name = self.name();
        let name_hi = self.pos;
        let ref_index = self.refs.len();
        self.refs.push(VarRef {
            lo: start as u32,
            hi: self.pos as u32,
            name_lo: name_lo as u32,
            name_hi: name_hi as u32,
            braced: true,
            modifier: None,
        });
        let ch = self.next();
        let mut chs = ch.map(String::from).unwrap_or_default();
        let close = |lx: &mut Self, modifier: Option<VarModifier>| {
            let r = &mut lx.refs[ref_index];
            r.hi = lx.pos as u32;
            r.modifier = modifier;
        };
        self.depth += 1;
        if self.depth > 200 {
            return Err("syntax error: substitutions nested too deeply".into());
        }
        let out = match ch {
            Some('}') => {
                close(self, None);
                let (value, set) = self.lookup(&name);
                if !set && self.opts.skip_unset {
                    Ok(format!("${{{name}}}"))
                } else {
                    Ok(value)
                }
            }
            Some(c @ (':' | '+' | '-' | '?' | '#' | '%')) => {
                let null_is_unset = c == ':';
                let op = if null_is_unset {
                    let o = self.next();
                    chs.extend(o);
                    o
                } else {
                    Some(c)
                };
                let raw_escapes = matches!(op, Some('#' | '%'));
                if null_is_unset && raw_escapes {
                    return Err(format!("unsupported modifier ({chs}) in substitution"));
                }
                if !matches!(op, Some('+' | '-' | '?' | '#' | '%')) {
                    if op.is_none() {
                        return Err("syntax error: missing '}'".into());
                    }
                    return Err(format!("unsupported modifier ({chs}) in substitution"));
                }
                let word_lo = self.pos;
                let (word, _) = match self.stop_on(Some('}'), raw_escapes) {
                    Ok(w) => w,
                    Err(e) => {
                        return Err(if self.peek().is_none() {
                            "syntax error: missing '}'".into()
                        } else {
                            e
                        });
                    }
                };
                let word_hi = self.pos - 1;
                let op = op.unwrap_or_default();
                close(
                    self,
                    Some(VarModifier {
                        op: chs.clone(),
                        word_lo: word_lo as u32,
                        word_hi: word_hi as u32,
                    }),
                );
                let (value, set) = self.lookup(&name);
                if self.opts.skip_unset && !set {
                    return Ok(format!("${{{name}{chs}{word}}}"));
                }
                match op {
                    '-' => Ok(if !set || (null_is_unset && value.is_empty()) {
                        word
                    } else {
                        value
                    }),
                    '+' => Ok(if set && (!null_is_unset || !value.is_empty()) {
                        word
                    } else {
                        value
                    }),
                    '?' => {
                        if !set {
                            Err(format!(
                                "{name}: {}",
                                if word.is_empty() {
                                    "is not allowed to be unset"
                                } else {
                                    &word
                                }
                            ))
                        } else if null_is_unset && value.is_empty() {
                            Err(format!(
                                "{name}: {}",
                                if word.is_empty() {
                                    "is not allowed to be empty"
                                } else {
                                    &word
                                }
                            ))
                        } else {
                            Ok(value)
                        }
                    }
                    '%' | '#' => {
                        let (greedy, pat) = match word.strip_prefix(op) {
                            Some(rest) => (true, rest.to_string()),
                            None => (false, word),
                        };
                        Ok(if op == '%' {
                            trim_suffix(&pat, &value, greedy)
                        } else {
                            trim_prefix(&pat, &value, greedy)
                        })
                    }
                    _ => Err(format!("unsupported modifier ({chs}) in substitution")),
                }
            }
            Some('/') => {
                let all = self.peek() == Some('/');
                if all {
                    self.next();
                }
                let word_lo = self.pos;
                let (pattern, _) = match self.stop_on(Some('/'), true) {
                    Ok(w) => w,
                    Err(e) => {
                        return Err(if self.peek().is_none() {
                            "syntax error: missing '/' in ${}".into()
                        } else {
                            e
                        });
                    }
                };
                let (replacement, _) = match self.stop_on(Some('}'), true) {
                    Ok(w) => w,
                    Err(e) => {
                        return Err(if self.peek().is_none() {
                            "syntax error: missing '}'".into()
                        } else {
                            e
                        });
                    }
                };
                let word_hi = self.pos - 1;
                let op = if all { "//" } else { "/" };
                close(
                    self,
                    Some(VarModifier {
                        op: op.into(),
                        word_lo: word_lo as u32,
                        word_hi: word_hi as u32,
                    }),
                );
                let (value, set) = self.lookup(&name);
                if self.opts.skip_unset && !set {
                    return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                }
                Ok(replace_pattern(&value, &pattern, &replacement, all))
            }
            None => Err("syntax error: missing '}'".into()),
            Some(_) => Err(format!("unsupported modifier ({chs}) in substitution")),
        };
        self.depth -= 1;
        out
    }
}

/// Whether processing `s` with escape character `escape` is the identity, its words split on white
/// space: it has no `$`, quote or escape character. [`process`] takes its fast path on such text, and
/// callers may read the words in place instead.
pub fn is_plain(s: &str, escape: char) -> bool {
    !s.contains(['$', '\'', '"', escape])
}

/// Processes `s` as Docker would, with `env` answering variable lookups.
pub fn process(s: &str, opts: Options, env: &dyn Fn(&str) -> Lookup) -> Processed {
    if is_plain(s, opts.escape) {
        let mut words = Vec::new();
        let mut start = None;
        for (i, c) in s.char_indices() {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(i),
                (true, Some(a)) => {
                    words.push((s[a..i].to_string(), a, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(a) = start {
            words.push((s[a..].to_string(), a, s.len()));
        }
        return Processed {
            value: Some(s.to_string()),
            words,
            refs: Vec::new(),
            error: None,
        };
    }
    run(s, opts, env, false)
}

/// Processes `s` for its value only; a fast path skips text without `$`, quotes or escape characters.
pub fn expand_value(s: &str, opts: Options, env: &dyn Fn(&str) -> Lookup) -> (Option<String>, Option<String>) {
    if is_plain(s, opts.escape) {
        return (Some(s.to_string()), None);
    }
    let p = process(s, opts, env);
    (p.value, p.error)
}

fn run(s: &str, opts: Options, env: &dyn Fn(&str) -> Lookup, quiet: bool) -> Processed {
    let mut lx = Lexer {
        s,
        pos: 0,
        quiet,
        opts,
        env,
        refs: Vec::new(),
        unknown: false,
        depth: 0,
        budget: MAX_EXPANDED,
    };
    match lx.stop_on(None, opts.raw_escapes) {
        Ok((value, words)) => Processed {
            value: if lx.unknown { None } else { Some(value) },
            words,
            refs: lx.refs,
            error: None,
        },
        Err(e) => Processed {
            value: None,
            words: Vec::new(),
            refs: lx.refs,
            error: Some(e),
        },
    }
}

/// The variable references in `s` (offsets into `s`), without evaluating anything. Cheap when `s` has no `$`.
pub fn var_refs(s: &str, escape: char) -> (Vec<VarRef>, Option<String>) {
    if !s.contains('$') {
        return (Vec::new(), None);
    }
    let p = run(s, Options::expand(escape), &|_| Lookup::Unknown, true);
    (p.refs, p.error)
}

/// The variable references of a shell script (RUN, CMD and ENTRYPOINT in shell form), as the shell
/// reads them: `$name`, `${name...}` (and the references inside its modifier), positional and special
/// parameters; nothing inside single quotes; `\` escapes. Scans only the bytes that matter, so long
/// scripts cost little.
pub fn shell_var_refs(s: &str) -> Vec<VarRef> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut closers: Option<std::collections::HashMap<usize, usize>> = None;
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while let Some(k) = next_special(&b[i..]) {
        i += k;
        match b[i] {
            b'\\' => i += if single { 1 } else { 2 },
            b'\'' => {
                if !double {
                    single = !single;
                }
                i += 1;
            }
            b'"' => {
                if !single {
                    double = !double;
                }
                i += 1;
            }
            _ if single => i += 1,
            _ => {
                let start = i;
                i += 1;
                let braced = b.get(i) == Some(&b'{');
                if braced {
                    i += 1;
                    // `${#name}` is the length of `name`.
                    if b.get(i) == Some(&b'#') && b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
                        i += 1;
                    }
                }
                let name_lo = i;
                match b.get(i) {
                    Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                        while b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                            i += 1;
                        }
                    }
                    Some(c) if c.is_ascii_digit() => {
                        i += 1;
                        if braced {
                            while b.get(i).is_some_and(u8::is_ascii_digit) {
                                i += 1;
                            }
                        }
                    }
                    Some(b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') => i += 1,
                    _ => continue,
                }
                let name_hi = i;
                // The end of `${...}`: its closing brace, counting nested braces (matched once for the
                // whole text, so that deeply nested references stay linear).
                let (hi, modifier) = if braced {
                    let closers = closers.get_or_insert_with(|| match_braces(b));
                    let close = closers.get(&(start + 1)).copied();
                    let j = close.map_or(b.len(), |c| c + 1);
                    if close.is_none() {
                        // An unclosed `${`: the reference runs to the end, without a modifier.
                        out.push(VarRef {
                            lo: start as u32,
                            hi: b.len() as u32,
                            name_lo: name_lo as u32,
                            name_hi: name_hi as u32,
                            braced,
                            modifier: None,
                        });
                        continue;
                    }
                    let modifier = (name_hi < j.saturating_sub(1)).then(|| {
                        let mut op_len = match &b[name_hi..j - 1] {
                            [b':', b'-' | b'+' | b'=' | b'?', ..]
                            | [b'#', b'#', ..]
                            | [b'%', b'%', ..]
                            | [b'/', b'/', ..] => 2,
                            _ => 1,
                        };
                        while !s.is_char_boundary(name_hi + op_len) {
                            op_len += 1;
                        }
                        VarModifier {
                            op: s[name_hi..(name_hi + op_len).min(j - 1)].to_string(),
                            word_lo: (name_hi + op_len).min(j - 1) as u32,
                            word_hi: (j - 1) as u32,
                        }
                    });
                    (j, modifier)
                } else {
                    (i, None)
                };
                out.push(VarRef {
                    lo: start as u32,
                    hi: hi as u32,
                    name_lo: name_lo as u32,
                    name_hi: name_hi as u32,
                    braced,
                    modifier,
                });
                // Keep scanning inside `${...}`: its modifier may refer to other variables.
            }
        }
        if i >= b.len() {
            break;
        }
    }
    out
}

/// The first `$`, `'`, `"` or `\` of a script, eight bytes at a time.
fn next_special(b: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, c: u8| {
        let v = x ^ (LO * u64::from(c));
        v.wrapping_sub(LO) & !v & HI
    };
    let mut i = 0;
    while i + 8 <= b.len() {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(&b[i..i + 8]);
        let x = u64::from_le_bytes(chunk);
        if has(x, b'$') | has(x, b'\'') | has(x, b'"') | has(x, b'\\') != 0 {
            break;
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&c| matches!(c, b'$' | b'\'' | b'"' | b'\\'))
        .map(|p| p + i)
}

/// The closing brace of every `{` (by byte offset), skipping backslash-escaped characters.
fn match_braces(b: &[u8]) -> std::collections::HashMap<usize, usize> {
    let mut out = std::collections::HashMap::new();
    let mut stack = Vec::new();
    let mut j = 0;
    while j < b.len() {
        match b[j] {
            b'{' => stack.push(j),
            b'}' => {
                if let Some(o) = stack.pop() {
                    out.insert(o, j);
                }
            }
            b'\\' => j += 1,
            _ => {}
        }
        j += 1;
    }
    out
}

/// Shell pattern match (`*`, `?`, `[...]`, `\` escapes) of the whole of `text`.
fn glob_match(pat: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pat.len() {
            match pat[p] {
                '*' => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                '?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class_match(pat, p, text[t]) {
                        if matched {
                            p = next;
                            t += 1;
                            continue;
                        }
                    } else if text[t] == '[' {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                '\\' if p + 1 < pat.len() => {
                    if pat[p + 1] == text[t] {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c => {
                    if c == text[t] {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while p < pat.len() && pat[p] == '*' {
        p += 1;
    }
    p == pat.len()
}

/// Matches `c` against the bracket expression at `pat[p]`; `None` when the bracket is not closed.
fn class_match(pat: &[char], p: usize, c: char) -> Option<(bool, usize)> {
    let mut i = p + 1;
    let negate = i < pat.len() && (pat[i] == '!' || pat[i] == '^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < pat.len() && (pat[i] != ']' || first) {
        first = false;
        let lo = pat[i];
        if i + 2 < pat.len() && pat[i + 1] == '-' && pat[i + 2] != ']' {
            if lo <= c && c <= pat[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c {
                matched = true;
            }
            i += 1;
        }
    }
    if i >= pat.len() {
        return None;
    }
    Some((matched != negate, i + 1))
}

fn trim_prefix(pat: &str, value: &str, greedy: bool) -> String {
    let p: Vec<char> = pat.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let lens: Box<dyn Iterator<Item = usize>> = if greedy {
        Box::new((0..=v.len()).rev())
    } else {
        Box::new(0..=v.len())
    };
    for n in lens {
        if glob_match(&p, &v[..n]) {
            return v[n..].iter().collect();
        }
    }
    value.to_string()
}

fn trim_suffix(pat: &str, value: &str, greedy: bool) -> String {
    let p: Vec<char> = pat.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let starts: Box<dyn Iterator<Item = usize>> = if greedy {
        Box::new(0..=v.len())
    } else {
        Box::new((0..=v.len()).rev())
    };
    for n in starts {
        if glob_match(&p, &v[n..]) {
            return v[..n].iter().collect();
        }
    }
    value.to_string()
}

fn replace_pattern(value: &str, pat: &str, repl: &str, all: bool) -> String {
    let p: Vec<char> = pat.chars().collect();
    let v: Vec<char> = value.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut replaced = false;
    while i < v.len() {
        if !replaced || all {
            // Longest match starting at i.
            if let Some(n) = (i + 1..=v.len()).rev().find(|&n| glob_match(&p, &v[i..n])) {
                out.push_str(repl);
                i = n;
                replaced = true;
                continue;
            }
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Lookup {
        match name {
            "A" => Lookup::Set("alpha".into()),
            "E" => Lookup::Set(String::new()),
            "P" => Lookup::Set("/usr/local/bin".into()),
            "U" => Lookup::Unknown,
            _ => Lookup::Unset,
        }
    }

    fn expand(s: &str) -> Option<String> {
        process(s, Options::expand('\\'), &env).value
    }

    #[test]
    fn variables_add_at_most_max_expanded_bytes_to_a_word() {
        let big = "x".repeat(MAX_EXPANDED / 2);
        let env = |n: &str| match n {
            "B" => Lookup::Set(big.clone()),
            _ => Lookup::Unset,
        };
        let value = |s: &str| process(s, Options::expand('\\'), &env).value;
        assert_eq!(value("$B$B").map(|v| v.len()), Some(MAX_EXPANDED), "up to the budget");
        assert_eq!(value("$B$B$B"), None, "one byte more is unknown");
        // Literal text does not count: only what variables add.
        let literal = "y".repeat(3 * MAX_EXPANDED);
        assert_eq!(
            value(&format!("{literal}$B")).map(|v| v.len()),
            Some(literal.len() + big.len())
        );
    }

    #[test]
    fn expansion_matches_docker() {
        assert_eq!(expand("$A-${A}"), Some("alpha-alpha".into()));
        assert_eq!(expand("${X:-d}${E:-e}${E-f}"), Some("de".into()));
        assert_eq!(expand("${A:+p}${X:+q}${E+r}"), Some("pr".into()));
        assert_eq!(expand(r#""$A" '$A' \$A"#), Some("alpha $A $A".into()));
        assert_eq!(
            expand("${P#*/}|${P##*/}|${P%/*}|${P%%/*}"),
            Some("usr/local/bin|bin|/usr/local|".into())
        );
        assert_eq!(expand("${P/local/opt}"), Some("/usr/opt/bin".into()));
        assert_eq!(expand("${U}"), None);
        assert_eq!(expand("$1x"), Some("x".into()));
    }

    #[test]
    fn refs_have_exact_ranges() {
        let s = "a${B:-$C}d$E_F";
        let (refs, err) = var_refs(s, '\\');
        assert!(err.is_none());
        let spans: Vec<_> = refs
            .iter()
            .map(|r| {
                (
                    &s[r.lo as usize..r.hi as usize],
                    &s[r.name_lo as usize..r.name_hi as usize],
                )
            })
            .collect();
        assert_eq!(spans, vec![("${B:-$C}", "B"), ("$C", "C"), ("$E_F", "E_F")]);
    }

    #[test]
    fn shell_refs_follow_shell_quoting() {
        let s = r#"echo "$A" '$B' \$C ${D:-$E} $1 $@ $(cat $F) ${#G} $ x"#;
        let names: Vec<&str> = shell_var_refs(s)
            .iter()
            .map(|r| &s[r.name_lo as usize..r.name_hi as usize])
            .collect();
        assert_eq!(names, vec!["A", "D", "E", "1", "@", "F", "G"]);
        let r = &shell_var_refs("x ${HOME:-/root} y")[0];
        assert_eq!((r.lo, r.hi, r.modifier.as_ref().unwrap().op.as_str()), (2, 16, ":-"));
    }

    #[test]
    fn errors_are_docker_texts() {
        let e = |s: &str| process(s, Options::expand('\\'), &env).error;
        assert_eq!(e("${}").as_deref(), Some("syntax error: bad substitution"));
        assert_eq!(e("${A").as_deref(), Some("syntax error: missing '}'"));
        assert_eq!(
            e("${A:#x}").as_deref(),
            Some("unsupported modifier (:#) in substitution")
        );
        assert_eq!(
            e("'abc").as_deref(),
            Some("unexpected end of statement while looking for matching single-quote")
        );
        assert_eq!(e("${X?must be set}").as_deref(), Some("X: must be set"));
    }

    #[test]
    fn words_split_with_raw_spans() {
        let s = r#"RUN cat <<EOF "<<X" a\ b"#;
        let p = process(
            s,
            Options {
                escape: '\\',
                raw_quotes: true,
                raw_escapes: true,
                skip_unset: true,
            },
            &|_| Lookup::Unset,
        );
        let w: Vec<_> = p.words.iter().map(|(w, a, b)| (w.as_str(), &s[*a..*b])).collect();
        assert_eq!(
            w,
            vec![
                ("RUN", "RUN"),
                ("cat", "cat"),
                ("<<EOF", "<<EOF"),
                ("\"<<X\"", "\"<<X\""),
                ("a\\ b", "a\\ b")
            ]
        );
    }
}
