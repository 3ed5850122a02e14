//! Docker's argument tokenizers, reimplemented: whitespace split, `parseWords`, builder flags and JSON arrays.
//!
//! Every function works on a logical line (continuations already joined) and returns byte offsets into
//! it; the instruction parser maps them back to the source.

/// The whitespace Docker's `reWhitespace` splits on: `[\t\v\f\r ]`.
pub fn is_docker_ws(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `strings.TrimSpace`: trims Unicode whitespace on both ends; returns the kept byte range.
pub fn trim_space(s: &str, lo: usize, hi: usize) -> (usize, usize) {
    let sub = &s[lo..hi];
    let start = sub.len() - sub.trim_start().len();
    let end = sub.trim_end().len();
    if end <= start {
        (lo + start, lo + start)
    } else {
        (lo + start, lo + end)
    }
}

/// Splits `s[lo..hi]` on runs of `[\t\v\f\r ]` (Docker's `parseStringsWhitespaceDelimited`); the input
/// is expected to be trimmed already.
pub fn split_ws(s: &str, lo: usize, hi: usize) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(4);
    let mut i = lo;
    while i < hi {
        while i < hi && is_docker_ws(b[i]) {
            i += 1;
        }
        if i >= hi {
            break;
        }
        let start = i;
        while i < hi && !is_docker_ws(b[i]) {
            i += 1;
        }
        out.push((start, i));
    }
    out
}

/// Docker's `parseWords` (used by ENV, LABEL and ARG): splits on Unicode whitespace outside quotes, keeps
/// quotes and escape characters inside the word. Returns the raw span of each word.
pub fn parse_words(s: &str, lo: usize, hi: usize, escape: char) -> Vec<(usize, usize)> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let mut out = Vec::with_capacity(4);
    let mut phase = Phase::Spaces;
    let mut start = lo;
    let mut it = s[lo..hi].char_indices().map(|(i, c)| (i + lo, c)).peekable();
    while let Some((pos, ch)) = it.next() {
        match phase {
            Phase::Spaces => {
                if ch.is_whitespace() {
                    continue;
                }
                start = pos;
                phase = Phase::Word;
                // Fall through into the word handling of this same character.
                if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                } else if ch == escape {
                    it.next();
                }
            }
            Phase::Word => {
                if ch.is_whitespace() {
                    out.push((start, pos));
                    phase = Phase::Spaces;
                } else if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                } else if ch == escape {
                    it.next();
                }
            }
            Phase::Quote(q) => {
                if ch == q {
                    phase = Phase::Word;
                } else if ch == escape && q != '\'' {
                    it.next();
                }
            }
        }
    }
    if phase != Phase::Spaces {
        out.push((start, hi));
    }
    out
}

/// One `--name[=value]` word from the flags before an instruction's arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagWord {
    /// Raw span of the whole word, `--` included.
    pub lo: usize,
    pub hi: usize,
    /// The word with quotes removed and backslash escapes applied, as Docker sees it (`--` included).
    pub cooked: String,
}

/// Docker's `extractBuilderFlags`: reads leading `--flag` words (quotes removed, `\` escapes applied,
/// always with a backslash whatever the escape directive says). A lone `--` ends the flags. Returns the
/// flags and the offset where the arguments start.
pub fn builder_flags(s: &str, lo: usize, hi: usize) -> (Vec<FlagWord>, usize) {
    let mut flags = Vec::new();
    let rest = builder_flags_into(s, lo, hi, &mut flags);
    (flags, rest)
}

/// [`builder_flags`] into `flags` (appended): the parser passes a buffer it reuses from instruction to
/// instruction. A vector made for each instruction's flags and dropped once they were read was a
/// 160-byte block that no long-lived block shares a size class with, so the allocator freed its page
/// after each use and had to make a fresh one for the next (about 900 times per parse of the dense
/// generated 5,000-line file, a tenth of the parse's instructions).
pub fn builder_flags_into(s: &str, lo: usize, hi: usize, flags: &mut Vec<FlagWord>) -> usize {
    let b = s.as_bytes();
    let mut pos = lo;
    loop {
        while pos < hi && is_go_byte_space(b[pos]) {
            pos += 1;
        }
        if pos >= hi {
            return hi;
        }
        if !(b[pos] == b'-' && pos + 1 < hi && b[pos + 1] == b'-') {
            return pos;
        }
        let start = pos;
        // The common case: no quotes or backslashes, so the word is its own cooked form.
        let end = (pos..hi).find(|&i| is_go_byte_space(b[i])).unwrap_or(hi);
        if !b[pos..end].iter().any(|&c| c == b'\'' || c == b'"' || c == b'\\') {
            let word = &s[pos..end];
            pos = end;
            if word == "--" {
                while pos < hi && is_go_byte_space(b[pos]) {
                    pos += 1;
                }
                return pos;
            }
            flags.push(FlagWord {
                lo: start,
                hi: end,
                cooked: word.to_string(),
            });
            continue;
        }
        let mut cooked = String::new();
        let mut quote: Option<u8> = None;
        let mut blank_ok = false;
        let mut raw: Vec<u8> = Vec::with_capacity(end - pos);
        while pos < hi {
            let c = b[pos];
            match quote {
                None => {
                    if is_go_byte_space(c) {
                        break;
                    }
                    if c == b'\'' || c == b'"' {
                        quote = Some(c);
                        blank_ok = true;
                        pos += 1;
                        continue;
                    }
                    if c == b'\\' {
                        if pos + 1 == hi {
                            pos += 1;
                            continue;
                        }
                        pos += 1;
                        raw.push(b[pos]);
                        pos += 1;
                        continue;
                    }
                    raw.push(c);
                    pos += 1;
                }
                Some(q) => {
                    if c == q {
                        quote = None;
                        pos += 1;
                        continue;
                    }
                    if c == b'\\' {
                        if pos + 1 == hi {
                            quote = None;
                            pos += 1;
                            continue;
                        }
                        pos += 1;
                        raw.push(b[pos]);
                        pos += 1;
                        continue;
                    }
                    raw.push(c);
                    pos += 1;
                }
            }
        }
        cooked.push_str(&String::from_utf8_lossy(&raw));
        if cooked == "--" && pos < hi {
            // `--` followed by whitespace ends the flags; the arguments start after the whitespace.
            let mut p = pos;
            while p < hi && is_go_byte_space(b[p]) {
                p += 1;
            }
            return p;
        }
        if cooked == "--" {
            return hi;
        }
        if blank_ok || !cooked.is_empty() {
            flags.push(FlagWord {
                lo: start,
                hi: pos,
                cooked,
            });
        }
    }
}

/// `unicode.IsSpace(rune(b))` for a single byte, as Docker's flag scanner applies it byte by byte.
/// Docker also splits on the bytes 0x85 and 0xA0, which only occur inside multi-byte UTF-8 characters;
/// splitting a character in half helps nobody, so those two are deliberately not separators here.
fn is_go_byte_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// A string element of a JSON array, with the raw span (quotes included) and its decoded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonStr {
    pub lo: usize,
    pub hi: usize,
    pub value: String,
}

/// Why a text is not an exec-form array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Not a JSON array at all (or malformed JSON): Docker falls back to the shell form.
    NotJson,
    /// Valid JSON array with a non-string element: Docker rejects the instruction. The offsets of the
    /// first offending element.
    NotStringArray(usize, usize),
}

/// Docker's `parseJSON`: the text must start with `[` (after leading whitespace) and be exactly one JSON
/// array as Go's `encoding/json` accepts it (no trailing data). Returns the array span and its elements.
pub fn json_array(s: &str, lo: usize, hi: usize) -> Result<((usize, usize), Vec<JsonStr>), JsonError> {
    let mut items = Vec::new();
    json_array_into(s, lo, hi, &mut items).map(|span| (span, items))
}

/// [`json_array`] with the strings appended to `items` (a buffer the parser reuses, as for
/// [`builder_flags_into`]); on an error `items` may hold the strings read before it.
pub fn json_array_into(s: &str, lo: usize, hi: usize, items: &mut Vec<JsonStr>) -> Result<(usize, usize), JsonError> {
    let b = s.as_bytes();
    let mut p = lo;
    while p < hi && (s[p..hi].chars().next().is_some_and(char::is_whitespace)) {
        p += s[p..hi].chars().next().map_or(1, char::len_utf8);
    }
    if p >= hi || b[p] != b'[' {
        return Err(JsonError::NotJson);
    }
    let start = p;
    let mut parser = Json { b, hi, p };
    let mut non_string: Option<(usize, usize)> = None;
    parser.p += 1;
    parser.ws();
    if parser.peek() == Some(b']') {
        parser.p += 1;
    } else {
        loop {
            parser.ws();
            let el_start = parser.p;
            if parser.peek() == Some(b'"') {
                let value = parser.string().ok_or(JsonError::NotJson)?;
                items.push(JsonStr {
                    lo: el_start,
                    hi: parser.p,
                    value,
                });
            } else {
                parser.value().ok_or(JsonError::NotJson)?;
                non_string.get_or_insert((el_start, parser.p));
            }
            parser.ws();
            match parser.peek() {
                Some(b',') => parser.p += 1,
                Some(b']') => {
                    parser.p += 1;
                    break;
                }
                _ => return Err(JsonError::NotJson),
            }
        }
    }
    let end = parser.p;
    parser.ws();
    if parser.p != hi {
        return Err(JsonError::NotJson);
    }
    if let Some((a, z)) = non_string {
        return Err(JsonError::NotStringArray(a, z));
    }
    Ok((start, end))
}

struct Json<'a> {
    b: &'a [u8],
    hi: usize,
    p: usize,
}

impl Json<'_> {
    fn peek(&self) -> Option<u8> {
        (self.p < self.hi).then(|| self.b[self.p])
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.p += 1;
        }
    }

    fn lit(&mut self, word: &[u8]) -> Option<()> {
        if self.b[self.p..self.hi].starts_with(word) {
            self.p += word.len();
            Some(())
        } else {
            None
        }
    }

    /// Any JSON value, validated but not kept; nesting is bounded to keep the parser from recursing deep.
    fn value(&mut self) -> Option<()> {
        let mut depth: Vec<u8> = Vec::new();
        loop {
            self.ws();
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b't' => self.lit(b"true")?,
                b'f' => self.lit(b"false")?,
                b'n' => self.lit(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                b'[' => {
                    self.p += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.p += 1;
                    } else {
                        depth.push(b']');
                        if depth.len() > 10_000 {
                            return None;
                        }
                        continue;
                    }
                }
                b'{' => {
                    self.p += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.p += 1;
                    } else {
                        depth.push(b'}');
                        if depth.len() > 10_000 {
                            return None;
                        }
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return None;
                        }
                        self.string()?;
                        self.ws();
                        if self.peek() != Some(b':') {
                            return None;
                        }
                        self.p += 1;
                        continue;
                    }
                }
                _ => return None,
            }
            // After a complete value: close containers or read the next element.
            loop {
                let Some(&close) = depth.last() else {
                    return Some(());
                };
                self.ws();
                match self.peek()? {
                    b',' => {
                        self.p += 1;
                        if close == b'}' {
                            self.ws();
                            if self.peek() != Some(b'"') {
                                return None;
                            }
                            self.string()?;
                            self.ws();
                            if self.peek() != Some(b':') {
                                return None;
                            }
                            self.p += 1;
                        }
                        break;
                    }
                    c if c == close => {
                        self.p += 1;
                        depth.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.p += 1;
        }
        match self.peek()? {
            b'0' => self.p += 1,
            b'1'..=b'9' => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.p += 1;
                }
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.p += 1;
            let d = self.p;
            while let Some(b'0'..=b'9') = self.peek() {
                self.p += 1;
            }
            if self.p == d {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.p += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.p += 1;
            }
            let d = self.p;
            while let Some(b'0'..=b'9') = self.peek() {
                self.p += 1;
            }
            if self.p == d {
                return None;
            }
        }
        Some(())
    }

    /// A JSON string starting at `"`; returns the decoded value (invalid surrogates become U+FFFD, as Go).
    fn string(&mut self) -> Option<String> {
        self.p += 1;
        let mut out = String::new();
        let mut run = self.p;
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    out.push_str(std::str::from_utf8(&self.b[run..self.p]).ok()?);
                    self.p += 1;
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(std::str::from_utf8(&self.b[run..self.p]).ok()?);
                    self.p += 1;
                    let e = self.peek()?;
                    self.p += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) {
                                // A high surrogate must pair with a following `\uDC00..DFFF`.
                                let save = self.p;
                                if self.b[self.p..self.hi].starts_with(b"\\u") {
                                    self.p += 2;
                                    if let Some(lo) = self.hex4().filter(|lo| (0xDC00..0xE000).contains(lo)) {
                                        let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                        out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                                    } else {
                                        self.p = save;
                                        out.push('\u{FFFD}');
                                    }
                                } else {
                                    out.push('\u{FFFD}');
                                }
                            } else {
                                out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                            }
                        }
                        _ => return None,
                    }
                    run = self.p;
                }
                0..=0x1f => return None,
                _ => self.p += 1,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        if self.p + 4 > self.hi {
            return None;
        }
        let h = std::str::from_utf8(&self.b[self.p..self.p + 4]).ok()?;
        let v = u32::from_str_radix(h, 16).ok()?;
        if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.p += 4;
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        parse_words(s, 0, s.len(), '\\')
            .into_iter()
            .map(|(a, b)| &s[a..b])
            .collect()
    }

    #[test]
    fn parse_words_keeps_quotes_and_escapes() {
        assert_eq!(
            words(r#"a="b c" d=e\ f g='h i'"#),
            vec![r#"a="b c""#, r"d=e\ f", "g='h i'"]
        );
        assert_eq!(words("  x  "), vec!["x"]);
        assert_eq!(words(r#"a="unterminated"#), vec![r#"a="unterminated"#]);
    }

    #[test]
    fn flags_are_cooked_like_docker() {
        let s = r#"--mount="type=secret,id=x" --network=none -- --x echo"#;
        let (flags, rest) = builder_flags(s, 0, s.len());
        let cooked: Vec<_> = flags.iter().map(|f| f.cooked.as_str()).collect();
        assert_eq!(cooked, vec!["--mount=type=secret,id=x", "--network=none"]);
        assert_eq!(&s[rest..], "--x echo");
        let s = r"--mount=type=cache,target=/x\ y echo";
        let (flags, rest) = builder_flags(s, 0, s.len());
        assert_eq!(flags[0].cooked, "--mount=type=cache,target=/x y");
        assert_eq!(&s[rest..], "echo");
        let s = "--link";
        let (flags, rest) = builder_flags(s, 0, s.len());
        assert_eq!(flags.len(), 1);
        assert_eq!(rest, s.len());
    }

    #[test]
    fn json_arrays_follow_go() {
        let ok = |s: &str| json_array(s, 0, s.len()).map(|(_, v)| v.into_iter().map(|j| j.value).collect::<Vec<_>>());
        assert_eq!(ok(r#"["a" , "b\n\u00e9" ] "#), Ok(vec!["a".into(), "b\né".into()]));
        assert_eq!(ok("[]"), Ok(vec![]));
        assert_eq!(ok("['a']"), Err(JsonError::NotJson));
        assert_eq!(ok(r#"["a"] x"#), Err(JsonError::NotJson));
        assert!(matches!(ok(r#"["a", 1]"#), Err(JsonError::NotStringArray(..))));
        assert!(matches!(
            ok(r#"["a", {"k": [1, {"z": null}]}]"#),
            Err(JsonError::NotStringArray(..))
        ));
        assert_eq!(ok(r#"["a", {"k": ]"#), Err(JsonError::NotJson));
        assert_eq!(ok(r#"["a\x"]"#), Err(JsonError::NotJson));
    }
}
