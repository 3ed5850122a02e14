//! Docker's glob layer: Go's `filepath.Match` pattern validation (what `patternmatcher.New` checks)
//! and the translation of a cleaned pattern into Go regexp text with its match type (what
//! `Pattern.compile` does on first use).

/// How a pattern is matched, as decided by Docker's translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchType {
    /// The path must equal the cleaned pattern byte for byte.
    Exact,
    /// The pattern ends in `**` and has no other wildcard: the path must start with the pattern minus
    /// its last two bytes (so `foo/**` matches `foo/x` but not `foo` itself).
    Prefix,
    /// The pattern starts with `**` and has no other wildcard: the path must end with the pattern
    /// minus its first two bytes, or (for `**/x`) be exactly `x`.
    Suffix,
    /// Anything else: the translated regular expression decides.
    Regexp,
}

/// Whether `pattern` passes Go's `filepath.Match(pattern, ".")` without `ErrBadPattern`, which is
/// the only syntax check `patternmatcher.New` makes.
///
/// With go1.19 (the Go used by Docker's reference answers) `Match` does *not* check the whole
/// pattern: it checks chunk by chunk while matching the name `.`, and stops with `false` (no error)
/// at the first chunk that cannot match. So `[` and `*[` are errors, but `a*[` is accepted (the
/// chunk `a` fails on `.` first); such a pattern then fails later, when its regexp is compiled.
pub fn is_valid_glob(pattern: &str) -> bool {
    go_match(pattern.as_bytes(), b".").is_ok()
}

/// Go's `filepath.Match` (go1.19, Unix): `Err(())` is `ErrBadPattern`.
pub fn go_match(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, ()> {
    'chunks: while !pattern.is_empty() {
        let mut star = false;
        while let [b'*', tail @ ..] = pattern {
            pattern = tail;
            star = true;
        }
        let (chunk, rest) = pattern.split_at(chunk_end(pattern));
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest of the name unless it has a `/`.
            return Ok(!name.contains(&b'/'));
        }
        if let Some(t) = match_chunk(chunk, name)?
            && (t.is_empty() || !pattern.is_empty())
        {
            name = t;
            continue;
        }
        if star {
            // Let the star eat 1, 2, ... bytes, never a `/`.
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                // As the last chunk, it must use up the name.
                if let Some(t) = match_chunk(chunk, &name[i + 1..])?
                    && (t.is_empty() || !pattern.is_empty())
                {
                    name = t;
                    continue 'chunks;
                }
                i += 1;
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// The length of the chunk at the start of `pattern` (Go's `scanChunk`, leading stars already gone):
/// up to the first `*` outside a class.
fn chunk_end(pattern: &[u8]) -> usize {
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    i
}

/// Go's `matchChunk`: matches `chunk` (no `*` outside classes) at the start of `s`, returning the
/// rest of `s` on success. After a mismatch the chunk is still read to the end, so a malformed
/// chunk is an error whatever `s` is.
fn match_chunk<'s>(mut chunk: &[u8], mut s: &'s [u8]) -> Result<Option<&'s [u8]>, ()> {
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            b'[' => {
                let mut r = 0;
                if !failed {
                    let (c, n) = decode_rune(s);
                    r = c;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut items = 0;
                loop {
                    if chunk.first() == Some(&b']') && items > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        let (h, rest) = class_char(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    items += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let literal = if c == b'\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        Some(&b) => b,
                        None => return Err(()),
                    }
                } else {
                    c
                };
                if !failed {
                    if literal != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

/// Go's `getEsc`: one (possibly `\`-escaped) class character and the rest of the chunk, which may
/// not be empty; `-` and `]` cannot start an item.
fn class_char(chunk: &[u8]) -> Result<(u32, &[u8]), ()> {
    let mut chunk = match chunk.first() {
        None | Some(b'-') | Some(b']') => return Err(()),
        Some(b'\\') => &chunk[1..],
        Some(_) => chunk,
    };
    if chunk.is_empty() {
        return Err(());
    }
    let (r, n) = decode_rune(chunk);
    if r == 0xFFFD && n == 1 {
        return Err(());
    }
    chunk = &chunk[n..];
    if chunk.is_empty() {
        return Err(());
    }
    Ok((r, chunk))
}

/// Go's `utf8.DecodeRune`: the code point at the start of `s` and its length, `(U+FFFD, 1)` for an
/// invalid sequence and `(U+FFFD, 0)` for an empty slice.
fn decode_rune(s: &[u8]) -> (u32, usize) {
    if s.is_empty() {
        return (0xFFFD, 0);
    }
    let len = match s[0] {
        0x00..=0x7F => 1,
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (0xFFFD, 1),
    };
    match s.get(..len).map(std::str::from_utf8) {
        Some(Ok(text)) => (text.chars().next().map_or(0xFFFD, u32::from), len),
        _ => (0xFFFD, 1),
    }
}

/// The bytes that Docker escapes with a backslash before building the regexp: regexp
/// metacharacters that mean nothing to `filepath.Match`.
fn docker_escapes(c: char) -> bool {
    matches!(c, '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$')
}

/// Docker's translation of a cleaned pattern (no leading `!`) into a match type and Go regexp text.
///
/// `*` becomes `[^/]*`, `?` becomes `[^/]`, `**` (eating one following `/`) becomes `(.*/)?`, or
/// `.*` at the end; `.+()|{}$` are escaped; `\x` is copied as `\x` (so regexp escapes such as `\d`
/// or `\pL` leak through); `[` and `]` are copied; every other character is copied unchanged
/// (including `^`). Like Go's `text/scanner`, a U+FEFF at the very start is skipped. The regexp text
/// only matters for [`MatchType::Regexp`].
pub fn translate(cleaned: &str) -> (MatchType, String) {
    let mut out = String::with_capacity(cleaned.len() * 2 + 2);
    out.push('^');
    let mut kind = MatchType::Exact;
    let body = cleaned.strip_prefix('\u{FEFF}').unwrap_or(cleaned);
    let mut chars = body.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                if chars.peek() == Some(&'*') {
                    chars.next();
                    if chars.peek() == Some(&'/') {
                        chars.next();
                    }
                    if chars.peek().is_none() {
                        if kind == MatchType::Exact {
                            kind = MatchType::Prefix;
                        } else {
                            out.push_str(".*");
                            kind = MatchType::Regexp;
                        }
                    } else {
                        out.push_str("(.*/)?");
                        kind = MatchType::Regexp;
                    }
                    if first {
                        kind = MatchType::Suffix;
                    }
                } else {
                    out.push_str("[^/]*");
                    kind = MatchType::Regexp;
                }
            }
            '?' => {
                out.push_str("[^/]");
                kind = MatchType::Regexp;
            }
            c if docker_escapes(c) => {
                out.push('\\');
                out.push(c);
            }
            '\\' => match chars.next() {
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                    kind = MatchType::Regexp;
                }
                None => out.push('\\'),
            },
            '[' | ']' => {
                out.push(c);
                kind = MatchType::Regexp;
            }
            c => out.push(c),
        }
        first = false;
    }
    if kind == MatchType::Regexp {
        out.push('$');
    }
    (kind, out)
}

/// One step of a [`Program`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// The character itself (a literal, or one Docker escaped).
    Char(char),
    /// `[^/]`: one character other than `/` (from `?`).
    NotSlash,
    /// `[^/]*` (from `*`).
    StarNotSlash,
    /// `(.*/)?` (from `**` followed by more): nothing, or characters other than a newline up to a `/`.
    Dirs,
    /// `.*` (from a trailing `**`): characters other than a newline.
    Rest,
}

/// A translated pattern whose regexp has no class, escape or anchor inside: [`translate`]'s regexp
/// matched by a small automaton instead of a compiled regexp. Most patterns with wildcards are of this
/// kind (`*.pem`, `.env*`, `**/node_modules`); compiling a regexp for each took tens of microseconds, and
/// touching the regexp compiler at all paged about 200 KB of its code into every language server (with
/// the argument parser's start, measured together: 0.6 MiB of anonymous memory as well). [`program`] builds one exactly when the regexp would be the same function of the
/// path; `programs_match_like_their_regexps` compares the two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    ops: Box<[Op]>,
}

/// At most this many steps, so that the automaton's states fit in a `u64`.
const MAX_OPS: usize = 62;

/// The [`Program`] of a cleaned pattern of kind [`MatchType::Regexp`], when its regexp has only
/// literals, `[^/]`, `[^/]*`, `(.*/)?` and `.*` between the anchors. `None` for the others (a class,
/// a `\` escape, a `^` that the regexp reads as an anchor, or too long a pattern).
pub fn program(cleaned: &str) -> Option<Program> {
    let body = cleaned.strip_prefix('\u{FEFF}').unwrap_or(cleaned);
    let mut ops = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        // The same reading as `translate`.
        ops.push(match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() { Op::Rest } else { Op::Dirs }
            }
            '*' => Op::StarNotSlash,
            '?' => Op::NotSlash,
            '\\' | '[' | ']' | '^' => return None,
            c => Op::Char(c),
        });
        if ops.len() > MAX_OPS {
            return None;
        }
    }
    Some(Program { ops: ops.into() })
}

impl Program {
    /// Whether the whole of `path` matches, as `^regexp$` would (Go's `.` is not a newline, its `[^/]` is).
    ///
    /// A set of positions in the program: bit `i` of `at` is "before step `i`", bit `i` of `inside` is
    /// "inside the `.*/` of step `i`" (a [`Op::Dirs`]); bit `ops.len()` of `at` is a match.
    pub fn matches(&self, path: &str) -> bool {
        let ops = &self.ops;
        let mut at = self.close(1);
        let mut inside = self.dirs_entered(at);
        for c in path.chars() {
            let mut next_at = 0u64;
            let mut pending = at;
            while pending != 0 {
                let i = pending.trailing_zeros() as usize;
                pending &= pending - 1;
                match ops.get(i) {
                    Some(Op::Char(x)) if *x == c => next_at |= 2 << i,
                    Some(Op::NotSlash) if c != '/' => next_at |= 2 << i,
                    Some(Op::StarNotSlash) if c != '/' => next_at |= 1 << i,
                    Some(Op::Rest) if c != '\n' => next_at |= 1 << i,
                    _ => {}
                }
            }
            let mut next_inside = 0u64;
            if c != '\n' {
                next_inside = inside;
                if c == '/' {
                    next_at |= inside << 1;
                }
            }
            at = self.close(next_at);
            inside = next_inside | self.dirs_entered(at);
            if at == 0 && inside == 0 {
                return false;
            }
        }
        at & (1 << ops.len()) != 0
    }

    /// `at` with the steps that may match nothing passed over (each only leads to the next step, so one
    /// pass upwards is enough).
    fn close(&self, mut at: u64) -> u64 {
        let mut pending = at;
        while pending != 0 {
            let i = pending.trailing_zeros() as usize;
            pending &= pending - 1;
            if matches!(self.ops.get(i), Some(Op::StarNotSlash | Op::Rest | Op::Dirs)) && at & (2 << i) == 0 {
                at |= 2 << i;
                pending |= 2 << i;
            }
        }
        at
    }

    /// The `(.*/)?` steps among `at`, which the automaton may also be inside of.
    fn dirs_entered(&self, at: u64) -> u64 {
        let mut inside = 0u64;
        let mut pending = at;
        while pending != 0 {
            let i = pending.trailing_zeros() as usize;
            pending &= pending - 1;
            if self.ops.get(i) == Some(&Op::Dirs) {
                inside |= 1 << i;
            }
        }
        inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A program says what its pattern's regexp says, on random patterns and on paths made to match them
    /// (then sometimes changed by a character), including newlines, multi-byte characters and regexp
    /// metacharacters that Docker escapes.
    #[test]
    fn programs_match_like_their_regexps() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let pattern_parts = [
            "a", "b", "/", "*", "**", "**/", "?", ".", "é", "$", "(", " ", "\n", "ab",
        ];
        let path_chars = ['a', 'b', '/', '.', 'é', '$', '(', ' ', '\n', 'x'];
        let (mut programs, mut matched) = (0, 0);
        for _ in 0..6000 {
            let pattern: String = (0..1 + next(7))
                .map(|_| pattern_parts[next(pattern_parts.len())])
                .collect();
            let (kind, go) = translate(&pattern);
            if kind != MatchType::Regexp {
                continue;
            }
            let program = program(&pattern).expect("no class, escape or anchor");
            let re =
                regex::Regex::new(&super::super::goregex::translate(&go).expect("Go accepts it")).expect("compiles");
            programs += 1;
            for k in 0..24 {
                let mut path = String::new();
                if k % 3 == 0 {
                    for _ in 0..next(9) {
                        path.push(path_chars[next(path_chars.len())]);
                    }
                } else {
                    // A path the pattern should match: each wildcard replaced by a few characters.
                    let mut chars = pattern.chars().peekable();
                    while let Some(c) = chars.next() {
                        match c {
                            '*' if chars.peek() == Some(&'*') => {
                                chars.next();
                                for _ in 0..next(3) {
                                    path.push_str(["a/", "b/", "é/", "x\n/", "./"][next(5)]);
                                }
                                if chars.peek() == Some(&'/') {
                                    chars.next();
                                }
                            }
                            '*' => (0..next(3)).for_each(|_| path.push(['a', 'é', '.', '\n'][next(4)])),
                            '?' => path.push(['a', 'é', '\n', '/'][next(4)]),
                            c => path.push(c),
                        }
                    }
                    if k % 3 == 2 && !path.is_empty() {
                        let mut cs: Vec<char> = path.chars().collect();
                        let i = next(cs.len());
                        cs[i] = path_chars[next(path_chars.len())];
                        path = cs.into_iter().collect();
                    }
                }
                let want = re.is_match(&path);
                matched += usize::from(want);
                assert_eq!(
                    program.matches(&path),
                    want,
                    "pattern {pattern:?} regexp {go:?} path {path:?}"
                );
            }
        }
        assert!(
            programs > 3000 && matched > 10_000,
            "{programs} programs, {matched} matches"
        );
        // Classes, escapes and anchors stay with the regexp engine.
        for p in ["a[bc]*", "*\\.x", "a^b*", "x*\\"] {
            assert_eq!(program(p), None, "{p}");
        }
        assert_eq!(program(&"a*".repeat(40)), None, "too long for the automaton");
    }

    #[test]
    fn glob_validation_matches_go() {
        let valid = [
            "",
            "*",
            "**",
            "a",
            "*.txt",
            "a/b",
            "[a]",
            "[^a]",
            "[!a]",
            "[a-z]",
            "[a-z0-9]",
            "[\\]]",
            "[\\-]",
            "[*]",
            "[[:alpha:]]",
            "[z-a]",
            "\\*",
            "a\\b",
            "]",
            "a]",
            "**/x",
            "a[b]c",
            "\\[",
            "[é]",
            "[é-ü]x",
            "[\\é]",
            "[a]b]",
            "a*[",
            "x*y*[",
            "[a]*[",
            "?a*[",
            "a*b*[z-",
        ];
        let invalid = [
            "[", "foo[", "[a", "[]", "[]a]", "[^]", "[a-]", "[-a]", "[a-b-c]", "foo\\", "\\", "[\\", "[**", "*[",
            "[^]]", "[a-z", "[]]]", "[a-]b]", "[^-a]", "[a]\\", ".*[", "?[", "[.]*[", "*a[", "[\\]", "[a\\", "[é",
        ];
        for p in valid {
            assert!(is_valid_glob(p), "{p:?} should be valid");
        }
        for p in invalid {
            assert!(!is_valid_glob(p), "{p:?} should be invalid");
        }
        assert_eq!(go_match(b"*.txt", b"a.txt"), Ok(true));
        assert_eq!(go_match(b"*.txt", b"d/a.txt"), Ok(false));
        assert_eq!(go_match(b"a?c", b"abc"), Ok(true));
        assert_eq!(go_match(b"[^a]", b"b"), Ok(true));
        assert_eq!(go_match(b"[a-c]*", b"b/x"), Ok(false));
        assert_eq!(go_match(b"\\*", b"*"), Ok(true));
        assert_eq!(go_match(b"*", b"."), Ok(true));
    }

    #[test]
    fn translation_matches_docker() {
        let cases: [(&str, MatchType, &str); 14] = [
            ("foo", MatchType::Exact, "^foo"),
            ("a.b", MatchType::Exact, "^a\\.b"),
            ("a^b", MatchType::Exact, "^a^b"),
            ("foo/**", MatchType::Prefix, "^foo/"),
            ("**", MatchType::Suffix, "^"),
            ("**/foo", MatchType::Suffix, "^(.*/)?foo"),
            ("**.txt", MatchType::Suffix, "^(.*/)?\\.txt"),
            ("**/*.txt", MatchType::Regexp, "^(.*/)?[^/]*\\.txt$"),
            ("a/**/b", MatchType::Regexp, "^a/(.*/)?b$"),
            ("a*/**", MatchType::Regexp, "^a[^/]*/.*$"),
            ("?", MatchType::Regexp, "^[^/]$"),
            ("\\d", MatchType::Regexp, "^\\d$"),
            ("[a*]", MatchType::Regexp, "^[a[^/]*]$"),
            ("\u{FEFF}a*", MatchType::Regexp, "^a[^/]*$"),
        ];
        for (p, kind, re) in cases {
            assert_eq!(translate(p), (kind, re.to_string()), "{p:?}");
        }
    }
}
