//! Go `regexp` acceptance and translation: decides exactly which regexps Go's `regexp.Compile`
//! (RE2 syntax with the `Perl` flags, go1.19) accepts, and rewrites an accepted one into equivalent
//! Rust `regex` syntax.
//!
//! Docker builds these regexps from `.dockerignore` patterns, and user text leaks into them: `\x`
//! in a pattern is copied as a regexp escape, `[`/`]` as class brackets, `^` as an anchor. Go and
//! Rust disagree on much of that syntax (`\Z`, `\<`, octal `\012`, `\Q..\E`, `[[:foo:]]`,
//! `[z-a]`, nested `[` inside a class, `\pL` names, the meaning of `\d`, `\s`, `\w`, `\b`), so the
//! Go text is parsed here with Go's rules and every construct is re-emitted in an unambiguous
//! Rust form: literals as `\x{..}`, classes as explicit ranges or `\p{gc=..}`/`\p{sc=..}`,
//! Perl classes and word boundaries in their ASCII meaning.
//!
//! Two Go rules are not reproduced because Docker's regexps cannot contain the constructs they apply
//! to (Docker escapes every `(` and `{` it copies from a pattern): `(?flags)` groups are rejected
//! here, and the product limit on nested counted repetitions (`(a{1000}){2}`) is not checked.

use std::fmt;

/// Why Go's `regexp/syntax` rejects a regexp; the `Display` text is Go's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoRegexError {
    /// Go's error-code text, e.g. `invalid escape sequence`.
    pub code: &'static str,
    /// The offending part of the expression.
    pub expr: String,
}

impl fmt::Display for GoRegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

const INVALID_CHAR_RANGE: &str = "invalid character class range";
const INVALID_ESCAPE: &str = "invalid escape sequence";
const INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const MISSING_BRACKET: &str = "missing closing ]";
const MISSING_PAREN: &str = "missing closing )";
const MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const UNEXPECTED_PAREN: &str = "unexpected )";

/// A Rust class item that matches nothing (used for surrogates, which never occur in a `str`).
const NOTHING: &str = "[^\\x{0}-\\x{10FFFF}]";

/// Go 1.19's `unicode.Categories` keys (no `Cn`, no `LC`).
const GO_CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No", "P",
    "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
];

/// Go 1.19's `unicode.Scripts` keys (Unicode 13.0.0).
const GO_SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Ugaritic",
    "Vai",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
];

type Ranges = &'static [(u32, u32)];

/// Go's POSIX classes (`[:name:]`, ASCII only).
const POSIX_CLASSES: &[(&str, Ranges)] = &[
    ("alnum", &[(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)]),
    ("alpha", &[(0x41, 0x5A), (0x61, 0x7A)]),
    ("ascii", &[(0x00, 0x7F)]),
    ("blank", &[(0x09, 0x09), (0x20, 0x20)]),
    ("cntrl", &[(0x00, 0x1F), (0x7F, 0x7F)]),
    ("digit", &[(0x30, 0x39)]),
    ("graph", &[(0x21, 0x7E)]),
    ("lower", &[(0x61, 0x7A)]),
    ("print", &[(0x20, 0x7E)]),
    ("punct", &[(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)]),
    ("space", &[(0x09, 0x0D), (0x20, 0x20)]),
    ("upper", &[(0x41, 0x5A)]),
    ("word", &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]),
    ("xdigit", &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)]),
];

/// Go's Perl classes `\d`, `\s`, `\w` (ASCII only; `\s` has no `\v`).
fn perl_class(letter: u8) -> Option<(Ranges, bool)> {
    const DIGIT: Ranges = &[(0x30, 0x39)];
    const SPACE: Ranges = &[(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)];
    const WORD: Ranges = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];
    match letter {
        b'd' => Some((DIGIT, false)),
        b'D' => Some((DIGIT, true)),
        b's' => Some((SPACE, false)),
        b'S' => Some((SPACE, true)),
        b'w' => Some((WORD, false)),
        b'W' => Some((WORD, true)),
        _ => None,
    }
}

/// Translates Go regexp text into Rust `regex` syntax with the same meaning on `str` input, or
/// returns the error Go's `regexp.Compile` would report.
pub fn translate(go: &str) -> Result<String, GoRegexError> {
    let mut parser = Parser {
        src: go,
        bytes: go.as_bytes(),
        out: String::with_capacity(go.len() * 2),
        operand: None,
        groups: Vec::new(),
    };
    parser.run()?;
    Ok(parser.out)
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    out: String,
    /// Where in `out` the operand a repetition would apply to starts; `None` when Go's parse stack
    /// is empty or has a pseudo-operator (`(`, `|`) on top.
    operand: Option<usize>,
    /// Output positions of the open groups.
    groups: Vec<usize>,
}

fn err(code: &'static str, expr: &str) -> GoRegexError {
    GoRegexError {
        code,
        expr: expr.to_string(),
    }
}

fn char_at(s: &str, i: usize) -> char {
    s[i..].chars().next().unwrap_or('\u{FFFD}')
}

fn is_octal(b: u8) -> bool {
    (b'0'..=b'7').contains(&b)
}

fn unhex(c: char) -> Option<u32> {
    c.to_digit(16)
}

impl<'a> Parser<'a> {
    fn run(&mut self) -> Result<(), GoRegexError> {
        let len = self.bytes.len();
        let mut pos = 0;
        // Whether the previous step was a repetition operator (Go's `lastRepeat`).
        let mut last_repeat: Option<usize> = None;
        while pos < len {
            let mut repeat: Option<usize> = None;
            match self.bytes[pos] {
                b'(' => {
                    if self.bytes.get(pos + 1) == Some(&b'?') {
                        // Flags and non-capturing groups: Docker escapes every `(` it copies from a
                        // pattern, so this never occurs in its regexps.
                        return Err(err(INVALID_PERL_OP, &self.src[pos..]));
                    }
                    self.groups.push(self.out.len());
                    self.out.push_str("(?:");
                    self.operand = None;
                    pos += 1;
                }
                b'|' => {
                    self.out.push('|');
                    self.operand = None;
                    pos += 1;
                }
                b')' => {
                    let Some(start) = self.groups.pop() else {
                        return Err(err(UNEXPECTED_PAREN, self.src));
                    };
                    self.out.push(')');
                    self.operand = Some(start);
                    pos += 1;
                }
                b'^' => {
                    self.atom("\\A");
                    pos += 1;
                }
                b'$' => {
                    self.atom("\\z");
                    pos += 1;
                }
                b'.' => {
                    self.atom("[^\\n]");
                    pos += 1;
                }
                b'[' => {
                    let (class, next) = self.class(pos)?;
                    self.atom(&class);
                    pos = next;
                }
                op @ (b'*' | b'+' | b'?') => {
                    let text = match op {
                        b'*' => "*",
                        b'+' => "+",
                        _ => "?",
                    };
                    pos = self.repeat(text, pos, pos + 1, last_repeat)?;
                    repeat = Some(pos);
                }
                b'{' => match parse_repeat(self.bytes, pos) {
                    Some((min, max, after)) => {
                        if !(0..=1000).contains(&min) || max > 1000 || (max >= 0 && min > max) {
                            return Err(err(INVALID_REPEAT_SIZE, &self.src[pos..after]));
                        }
                        let text = if max == min {
                            format!("{{{min}}}")
                        } else if max < 0 {
                            format!("{{{min},}}")
                        } else {
                            format!("{{{min},{max}}}")
                        };
                        pos = self.repeat(&text, pos, after, last_repeat)?;
                        repeat = Some(pos);
                    }
                    None => {
                        self.literal('{' as u32);
                        pos += 1;
                    }
                },
                b'\\' => pos = self.top_escape(pos)?,
                _ => {
                    let c = char_at(self.src, pos);
                    self.literal(c as u32);
                    pos += c.len_utf8();
                }
            }
            last_repeat = repeat;
        }
        if !self.groups.is_empty() {
            return Err(err(MISSING_PAREN, self.src));
        }
        Ok(())
    }

    fn atom(&mut self, text: &str) {
        self.operand = Some(self.out.len());
        self.out.push_str(text);
    }

    fn literal(&mut self, c: u32) {
        let text = literal_text(c);
        self.atom(&text);
    }

    /// A repetition operator `op` found at `start`, followed by the text at `after`.
    fn repeat(
        &mut self,
        op: &str,
        start: usize,
        mut after: usize,
        last_repeat: Option<usize>,
    ) -> Result<usize, GoRegexError> {
        let mut lazy = false;
        if self.bytes.get(after) == Some(&b'?') {
            after += 1;
            lazy = true;
        }
        if last_repeat.is_some() {
            return Err(err(INVALID_REPEAT_OP, &self.src[start..after]));
        }
        let Some(operand) = self.operand else {
            return Err(err(MISSING_REPEAT_ARGUMENT, &self.src[start..after]));
        };
        self.out.insert_str(operand, "(?:");
        self.out.push(')');
        self.out.push_str(op);
        if lazy {
            self.out.push('?');
        }
        Ok(after)
    }

    /// A `\` outside a class.
    fn top_escape(&mut self, pos: usize) -> Result<usize, GoRegexError> {
        let len = self.bytes.len();
        if pos + 1 < len {
            match self.bytes[pos + 1] {
                b'A' => {
                    self.atom("\\A");
                    return Ok(pos + 2);
                }
                b'b' => {
                    self.atom("(?-u:\\b)");
                    return Ok(pos + 2);
                }
                b'B' => {
                    self.atom("(?-u:\\B)");
                    return Ok(pos + 2);
                }
                b'C' => return Err(err(INVALID_ESCAPE, "\\C")),
                b'z' => {
                    self.atom("\\z");
                    return Ok(pos + 2);
                }
                b'Q' => {
                    let rest = &self.src[pos + 2..];
                    let (lit, next) = match rest.find("\\E") {
                        Some(i) => (&rest[..i], pos + 2 + i + 2),
                        None => (rest, len),
                    };
                    for c in lit.chars() {
                        self.literal(c as u32);
                    }
                    return Ok(next);
                }
                _ => {}
            }
        }
        if let Some((item, next)) = self.unicode_class(pos)? {
            self.atom(&format!("[{item}]"));
            return Ok(next);
        }
        if let Some((ranges, negated)) = self.bytes.get(pos + 1).and_then(|&b| perl_class(b)) {
            self.atom(&group_item(ranges, negated));
            return Ok(pos + 2);
        }
        let (c, next) = self.escape(pos)?;
        self.literal(c);
        Ok(next)
    }

    /// Go's `parseEscape` for the `\` at `pos`: the escaped code point and where the text goes on.
    fn escape(&self, pos: usize) -> Result<(u32, usize), GoRegexError> {
        let bytes = self.bytes;
        let mut t = pos + 1;
        if t >= bytes.len() {
            return Err(err(TRAILING_BACKSLASH, ""));
        }
        let c = char_at(self.src, t);
        t += c.len_utf8();
        let invalid = |t: usize| err(INVALID_ESCAPE, &self.src[pos..t]);
        match c {
            '1'..='7' | '0' => {
                if c != '0' && (t >= bytes.len() || !is_octal(bytes[t])) {
                    // A lone non-zero digit would be a backreference, which RE2 rejects.
                    return Err(invalid(t));
                }
                let mut r = c as u32 - '0' as u32;
                for _ in 1..3 {
                    if t >= bytes.len() || !is_octal(bytes[t]) {
                        break;
                    }
                    r = r * 8 + (bytes[t] - b'0') as u32;
                    t += 1;
                }
                Ok((r, t))
            }
            'x' => {
                if t >= bytes.len() {
                    return Err(invalid(t));
                }
                let c2 = char_at(self.src, t);
                t += c2.len_utf8();
                if c2 == '{' {
                    let mut digits = 0;
                    let mut r: u32 = 0;
                    loop {
                        if t >= bytes.len() {
                            return Err(invalid(t));
                        }
                        let c3 = char_at(self.src, t);
                        t += c3.len_utf8();
                        if c3 == '}' {
                            break;
                        }
                        let Some(v) = unhex(c3) else {
                            return Err(invalid(t));
                        };
                        r = r * 16 + v;
                        if r > 0x10FFFF {
                            return Err(invalid(t));
                        }
                        digits += 1;
                    }
                    if digits == 0 {
                        return Err(invalid(t));
                    }
                    return Ok((r, t));
                }
                let x = unhex(c2);
                let y = if t < bytes.len() {
                    let c3 = char_at(self.src, t);
                    t += c3.len_utf8();
                    unhex(c3)
                } else {
                    None
                };
                match (x, y) {
                    (Some(x), Some(y)) => Ok((x * 16 + y, t)),
                    _ => Err(invalid(t)),
                }
            }
            'a' => Ok((0x07, t)),
            'f' => Ok((0x0C, t)),
            'n' => Ok((0x0A, t)),
            'r' => Ok((0x0D, t)),
            't' => Ok((0x09, t)),
            'v' => Ok((0x0B, t)),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c as u32, t)),
            _ => Err(invalid(t)),
        }
    }

    /// Go's `parseUnicodeClass` at `pos` (`\pX`, `\p{Name}`, `\PX`, `\p{^Name}`): `None` when the
    /// text is not such an escape, else the Rust class item and where the text goes on.
    fn unicode_class(&self, pos: usize) -> Result<Option<(String, usize)>, GoRegexError> {
        let bytes = self.bytes;
        if pos + 1 >= bytes.len() || bytes[pos] != b'\\' || (bytes[pos + 1] != b'p' && bytes[pos + 1] != b'P') {
            return Ok(None);
        }
        let mut negated = bytes[pos + 1] == b'P';
        let t = pos + 2;
        let (mut name, next) = if t >= bytes.len() {
            ("", t)
        } else if bytes[t] != b'{' {
            let c = char_at(self.src, t);
            (&self.src[t..t + c.len_utf8()], t + c.len_utf8())
        } else {
            match self.src[pos..].find('}') {
                Some(end) => (&self.src[pos + 3..pos + end], pos + end + 1),
                None => return Err(err(INVALID_CHAR_RANGE, &self.src[pos..])),
            }
        };
        let seq = &self.src[pos..next];
        if let Some(rest) = name.strip_prefix('^') {
            negated = !negated;
            name = rest;
        }
        let positive = if name == "Any" {
            "\\x{0}-\\x{10FFFF}".to_string()
        } else if name == "C" {
            // Go's C is Cc|Cf|Co|Cs (no unassigned code points); Cs never occurs in a str.
            "\\p{gc=Cc}\\p{gc=Cf}\\p{gc=Co}".to_string()
        } else if name == "Cs" {
            NOTHING.to_string()
        } else if GO_CATEGORIES.contains(&name) {
            format!("\\p{{gc={name}}}")
        } else if GO_SCRIPTS.contains(&name) {
            format!("\\p{{sc={name}}}")
        } else {
            return Err(err(INVALID_CHAR_RANGE, seq));
        };
        let item = if negated { format!("[^{positive}]") } else { positive };
        Ok(Some((item, next)))
    }

    /// Go's `parseClass` for the `[` at `start`: the Rust class and where the text goes on.
    fn class(&self, start: usize) -> Result<(String, usize), GoRegexError> {
        let bytes = self.bytes;
        let len = bytes.len();
        let mut t = start + 1;
        let mut negated = false;
        if t < len && bytes[t] == b'^' {
            negated = true;
            t += 1;
        }
        let mut items = String::new();
        let mut first = true;
        while t >= len || bytes[t] != b']' || first {
            first = false;
            // POSIX class such as [:alpha:]; the `:]` is searched in all the remaining text.
            if len - t > 2
                && bytes[t] == b'['
                && bytes[t + 1] == b':'
                && let Some(i) = self.src[t + 2..].find(":]")
            {
                let end = t + 2 + i + 2;
                let name = &self.src[t..end];
                let inner = &name[2..name.len() - 2];
                let (inner, neg) = match inner.strip_prefix('^') {
                    Some(rest) => (rest, true),
                    None => (inner, false),
                };
                let Some((_, ranges)) = POSIX_CLASSES.iter().find(|(n, _)| *n == inner) else {
                    return Err(err(INVALID_CHAR_RANGE, name));
                };
                items.push_str(&group_item(ranges, neg));
                t = end;
                continue;
            }
            if let Some((item, next)) = self.unicode_class(t)? {
                items.push_str(&item);
                t = next;
                continue;
            }
            if t + 1 < len
                && bytes[t] == b'\\'
                && let Some((ranges, neg)) = perl_class(bytes[t + 1])
            {
                items.push_str(&group_item(ranges, neg));
                t += 2;
                continue;
            }
            let range_start = t;
            let (lo, next) = self.class_char(t, start)?;
            t = next;
            let mut hi = lo;
            if len - t >= 2 && bytes[t] == b'-' && bytes[t + 1] != b']' {
                let (h, next) = self.class_char(t + 1, start)?;
                t = next;
                hi = h;
                if hi < lo {
                    return Err(err(INVALID_CHAR_RANGE, &self.src[range_start..t]));
                }
            }
            push_range(&mut items, lo, hi);
        }
        t += 1;
        if items.is_empty() {
            items.push_str(NOTHING);
        }
        let class = if negated {
            format!("[^{items}]")
        } else {
            format!("[{items}]")
        };
        Ok((class, t))
    }

    /// Go's `parseClassChar`: one (possibly escaped) character inside a class.
    fn class_char(&self, t: usize, class_start: usize) -> Result<(u32, usize), GoRegexError> {
        if t >= self.bytes.len() {
            return Err(err(MISSING_BRACKET, &self.src[class_start..]));
        }
        if self.bytes[t] == b'\\' {
            return self.escape(t);
        }
        let c = char_at(self.src, t);
        Ok((c as u32, t + c.len_utf8()))
    }
}

/// Go's `parseRepeat`: `{n}`, `{n,}` or `{n,m}` at `pos`, as `(min, max, end)` with `max == -1` for
/// no upper bound and `-1` for a number too large; `None` when `{` is a literal.
fn parse_repeat(bytes: &[u8], pos: usize) -> Option<(i64, i64, usize)> {
    let (mut min, mut t) = parse_int(bytes, pos + 1)?;
    if t >= bytes.len() {
        return None;
    }
    let max;
    if bytes[t] != b',' {
        max = min;
    } else {
        t += 1;
        if t >= bytes.len() {
            return None;
        }
        if bytes[t] == b'}' {
            max = -1;
        } else {
            let (m, next) = parse_int(bytes, t)?;
            t = next;
            max = m;
            if max < 0 {
                min = -1;
            }
        }
    }
    if t >= bytes.len() || bytes[t] != b'}' {
        return None;
    }
    Some((min, max, t + 1))
}

fn parse_int(bytes: &[u8], start: usize) -> Option<(i64, usize)> {
    let digits = bytes[start.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || (digits >= 2 && bytes[start] == b'0') {
        return None;
    }
    let mut n: i64 = 0;
    for &b in &bytes[start..start + digits] {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + (b - b'0') as i64;
    }
    Some((n, start + digits))
}

/// A code point as a Rust regex atom.
fn literal_text(c: u32) -> String {
    match char::from_u32(c) {
        Some(ch) if ch.is_ascii_alphanumeric() => ch.to_string(),
        Some(_) => format!("\\x{{{c:X}}}"),
        // A surrogate: Go can never match it in a string, nor can Rust.
        None => NOTHING.to_string(),
    }
}

/// Appends the range `lo..=hi` as Rust class items, leaving out surrogates.
fn push_range(items: &mut String, lo: u32, hi: u32) {
    let mut emit = |lo: u32, hi: u32| {
        if lo == hi {
            items.push_str(&format!("\\x{{{lo:X}}}"));
        } else {
            items.push_str(&format!("\\x{{{lo:X}}}-\\x{{{hi:X}}}"));
        }
    };
    let hi = hi.min(0x10FFFF);
    if lo > hi {
        return;
    }
    if hi < 0xD800 || lo > 0xDFFF {
        emit(lo, hi);
        return;
    }
    if lo < 0xD800 {
        emit(lo, 0xD7FF);
    }
    if hi > 0xDFFF {
        emit(0xE000, hi);
    }
}

/// A fixed group (POSIX or Perl class) as one Rust class item, negated as a nested class.
fn group_item(ranges: &[(u32, u32)], negated: bool) -> String {
    let mut items = String::new();
    for &(lo, hi) in ranges {
        push_range(&mut items, lo, hi);
    }
    if negated {
        format!("[^{items}]")
    } else {
        format!("[{items}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(go: &str) -> bool {
        match translate(go) {
            Ok(rust) => {
                assert!(
                    regex::Regex::new(&rust).is_ok(),
                    "translation of {go:?} does not compile: {rust:?}"
                );
                true
            }
            Err(_) => false,
        }
    }

    fn go_match(go: &str, text: &str) -> bool {
        let rust = translate(go).unwrap_or_else(|e| panic!("{go:?}: {e}"));
        regex::Regex::new(&rust)
            .unwrap_or_else(|e| panic!("{go:?} -> {rust:?}: {e}"))
            .is_match(text)
    }

    #[test]
    fn go_accepts_what_go_accepts() {
        let ok = [
            "^foo$",
            "^[^/]*\\.txt$",
            "^(.*/)?x$",
            "^\\d$",
            "^\\D\\s\\S\\w\\W$",
            "^\\pL$",
            "^\\p{Greek}$",
            "^\\PL$",
            "^\\p{^L}$",
            "^[\\pL\\d]$",
            "^[[:alpha:]]$",
            "^[[:^digit:]]$",
            "^\\b$",
            "^\\B$",
            "^\\A\\z$",
            "^\\Qa.b\\E$",
            "^\\Q[^/]*",
            "^\\012$",
            "^\\0$",
            "^\\x41\\x{263a}$",
            "^\\a\\f\\n\\r\\t\\v$",
            "^\\_\\-\\.\\]$",
            "^[]a]$",
            "^[^]a]$",
            "^[a-]$",
            "^[-a]$",
            "^[a[^/]*]$",
            "^[[:a]$",
            "^[\\]]$",
            "^a{2}$",
            "^a{,2}$",
            "^a{2,}$",
            "^x{1000}$",
            "^{$",
            "^a|b$",
            "^()$",
            "^^$",
            "^*$",
            "^\\<\\>$",
            "^\\p{Any}$",
            "^\\pN\\p{Han}\\p{Zs}$",
            "^[\\x{D7FF}-\\x{E000}]$",
            "^\\x{D800}$",
            "^a*?$",
            "^[\\p{Cs}]$",
        ];
        let bad = [
            "^\\Z$",
            "^\\m$",
            "^\\8$",
            "^\\1$",
            "^\\C$",
            "^\\e$",
            "^\\x$",
            "^\\xZ1$",
            "^\\x{}$",
            "^\\x{110000}$",
            "^[z-a]$",
            "^[[:foo:]]$",
            "^\\p$",
            "^\\p{Foo}$",
            "^\\p{Letter}$",
            "^\\p{Latn}$",
            "^\\pé$",
            "^\\p{Cn}$",
            "^\\p{LC}$",
            "^\\p{Toto}$",
            "^[\\b]$",
            "^[\\Q]$",
            "^[a$",
            "^[]$",
            "^a**$",
            "^a*+$",
            "^(*)$",
            "^a|*$",
            "^(a$",
            "^a)$",
            "^x{1001}$",
            "^x{2,1}$",
            "^\\é$",
            "\\",
            "^(?i)a$",
            "^\\pL\\",
        ];
        for re in ok {
            assert!(accepts(re), "Go accepts {re:?}");
        }
        for re in bad {
            assert!(!accepts(re), "Go rejects {re:?}");
        }
    }

    #[test]
    fn translations_keep_go_meaning() {
        assert!(go_match("^\\d$", "7"));
        assert!(
            go_match("^a\\<\\>$", "a<>"),
            "Go's \\< is a literal, not Rust's word start"
        );
        assert!(!go_match("^\\d$", "٣"), "Go's \\d is ASCII only");
        assert!(!go_match("^\\w$", "é"), "Go's \\w is ASCII only");
        assert!(!go_match("^\\s$", "\u{b}"), "Go's \\s has no \\v");
        assert!(go_match("^[[:space:]]$", "\u{b}"));
        assert!(go_match("^a\\b$", "a"));
        assert!(go_match("^é\\bx$", "éx"), "Go's \\b only knows ASCII word characters");
        assert!(!go_match("^é\\Bx$", "éx"));
        assert!(go_match("^[a[^/]*]$", "a[^]"));
        assert!(go_match("^[a[^/]*]$", "]"));
        assert!(!go_match("^[a[^/]*]$", "b]"));
        assert!(go_match("^\\Q[^/]*", "[^/]*tail"));
        assert!(go_match("^\\012$", "\n"));
        assert!(go_match("^[\\pL]$", "é"));
        assert!(go_match("^\\p{Greek}$", "λ"));
        assert!(!go_match("^\\p{Greek}$", "l"));
        assert!(!go_match("^a^b$", "a^b"));
        assert!(go_match("^[^]a]$", "b"));
        assert!(!go_match("^[^]a]$", "]"));
        assert!(go_match("^[a-]$", "-"));
        assert!(!go_match("^\\x{D800}$", "\u{FFFD}"));
        assert!(go_match("^\\p{C}$", "\u{7}"));
        assert!(!go_match("^\\p{C}$", "\u{378}"), "Go's C has no unassigned code points");
        assert!(go_match("^.$", "é"));
        assert!(!go_match("^.$", "\n"));
        assert!(go_match("^[^/]$", "\n"));
    }

    #[test]
    fn every_go_script_is_known_to_rust() {
        for name in GO_SCRIPTS {
            let rust = translate(&format!("\\p{{{name}}}")).expect("Go script");
            assert!(regex::Regex::new(&rust).is_ok(), "{name}");
        }
        for name in GO_CATEGORIES {
            let rust = translate(&format!("[\\P{{{name}}}]")).expect("Go category");
            assert!(regex::Regex::new(&rust).is_ok(), "{name}");
        }
    }
}
