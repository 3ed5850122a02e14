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

#[cfg(test)]
mod tests {
    use super::*;

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
