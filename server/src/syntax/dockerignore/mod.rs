//! `.dockerignore` parsing and Docker-exact matching.
//!
//! This module reproduces, in pure Rust, what Docker does with a `.dockerignore` file: the line
//! reader `ignorefile.ReadAll` and the matcher of moby/patternmatcher v0.6.1 (the version used by
//! BuildKit and the docker CLI), on Linux (`/` is the only separator; `\` is an escape). It is
//! checked against 1,090 answers of Docker's own code (`tests/dockerignore_oracle.rs`).
//!
//! # API
//!
//! * [`parse`]`(text) -> `[`IgnoreFile`]: never fails nor panics. [`IgnoreFile::patterns`] holds one
//!   [`Pattern`] per pattern line (0-based `line`, byte `range` of the trimmed text including the
//!   `!`, `body` range after the `!`, `text`, `cleaned`, `exclusion`), [`IgnoreFile::comments`]
//!   the comment lines, and [`IgnoreFile::error`] the [`ReadError`] Docker would stop with.
//!   [`IgnoreFile::docker_patterns`] is exactly `ReadAll`'s result.
//! * [`Matcher::new`]`(&IgnoreFile) -> Result<Matcher, MatcherError>` is `patternmatcher.New`;
//!   [`Matcher::from_patterns`] takes any list of strings. A [`PatternError`] names the offending
//!   pattern (index into `IgnoreFile::patterns`) with Go's message.
//! * [`Matcher::matches_or_parent_matches`]`(path) -> Result<bool, MatchError>` is Docker's
//!   `MatchesOrParentMatches`; [`Matcher::explain`] also returns the deciding pattern (the last one
//!   that matched) and the parent directory it matched, if any.
//! * [`Matcher::excluded_in_walk`]`(path)` / [`Matcher::explain_walk`] simulate BuildKit's context
//!   walk for one path; [`Matcher::walk_entry`]`(path, is_dir, &parent_state)` is the incremental
//!   form for walking a whole tree (keep the returned [`WalkState`] of each directory for its
//!   children, and do not descend when [`WalkEntry::skip_dir`] is set).
//!
//! **Which one to use:** to tell what `COPY . .` receives with BuildKit (the default builder), use
//! the walk ([`Matcher::walk_entry`] / [`Matcher::excluded_in_walk`]): that is what BuildKit sends.
//! `matches_or_parent_matches` is what Docker's matcher answers for a single path (BuildKit uses it
//! to open single files); it differs from the walk only in the rare cases listed below.
//!
//! Paths are relative and `/`-separated, as a context walker produces them (`a/b/c`, no `./`,
//! no trailing `/`). Other forms are accepted and handled as Go would.
//!
//! # Docker semantics worth knowing
//!
//! * Patterns are anchored at the context root: `*.md` matches `README.md` but not `docs/a.md`;
//!   use `**/*.md`. A pattern that matches a directory excludes everything below it.
//! * `foo/**` matches everything below `foo` but not `foo` itself; `**/foo` also matches `foo`.
//!   A leading `/` and `./` are dropped, `..` segments are resolved lexically (`a/../b` is `b`).
//! * Whitespace around a pattern and after `!` is trimmed with Go's Unicode definition (NBSP and
//!   NEL are spaces, ZERO WIDTH SPACE and U+FEFF are not). `#` starts a comment only as the very
//!   first byte of a line; ` #x` is a pattern. A UTF-8 BOM is dropped only from the first line.
//! * Later patterns win; an exception `!p` can only re-include what an earlier pattern excluded.
//! * `\` escapes the next character, and the escape is handed to Go's regexp engine as is: `\d`,
//!   `\w`, `\s` are ASCII classes, `\b` a word boundary, `\pL` a Unicode class. Some escapes that
//!   `filepath.Match` accepts are rejected by the regexp engine (`\Z`, `src\main.go`, `[z-a]`,
//!   `[[:foo:]]`): Docker accepts the file but fails when such a pattern is first evaluated, which
//!   aborts the build ([`MatchError`]). Whether it fails depends on whether the pattern is reached.
//! * The syntax check at load time is go1.19's `filepath.Match(pattern, ".")`, which stops at the
//!   first chunk (text between `*`s) that cannot match `.`: `[` and `*[` are rejected when the file is
//!   loaded, but `a*[` is accepted and fails only when first evaluated (its regexp does not compile).
//! * `[!a]` is not a negation (only `[^a]` is); inside a class, `*` and `?` still expand to their
//!   regexp forms, giving surprising classes.
//! * A line of 65,536 bytes or more (comment lines too) makes Docker reject the whole file.
//! * The walk differs from `MatchesOrParentMatches` when an exception names an *ancestor*
//!   directory (`**/*.log` then `!logs`: the walk still excludes `logs/a.log`), and in the other
//!   direction for `d`, `!d/f`, `d` (the walk keeps `d/f`).
//! * The matcher itself reports `Dockerfile` and `.dockerignore` as excluded when a pattern
//!   matches them; BuildKit still reads the Dockerfile through its own channel.
//!
//! Known limits: Unicode classes (`\pL`, `\p{Greek}`) use the Rust `regex` crate's Unicode tables,
//! newer than Go 1.19's Unicode 13, so code points assigned since then may differ; a regexp so large
//! that Go rejects it for size (or that exceeds the generous limit here) is not reproduced exactly.

mod clean;
mod glob;
mod goregex;
mod matcher;

pub use glob::MatchType;
pub use matcher::{
    BAD_PATTERN, EffectivePattern, Explanation, ILLEGAL_EXCLUSION, MatchError, Matcher, MatcherError, PatternError,
    WalkEntry, WalkExplanation, WalkState,
};

use crate::text::TextRange;

/// `bufio.Scanner`'s token limit: a line (without its `\n`) of this many bytes or more is an error.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The text of `ReadAll`'s error for a too long line.
pub const TOKEN_TOO_LONG: &str = "bufio.Scanner: token too long";

const BOM: &str = "\u{FEFF}";

/// A parsed `.dockerignore` file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnoreFile {
    /// The pattern lines, in order (what `ReadAll` returns, with positions).
    pub patterns: Vec<Pattern>,
    /// The comment lines.
    pub comments: Vec<Comment>,
    /// Set when Docker's reader fails on this file (then Docker uses no pattern at all and the
    /// build fails). Parsing still goes on past the failing line, for tooling.
    pub error: Option<ReadError>,
}

impl IgnoreFile {
    /// Exactly what `ignorefile.ReadAll` returns: `None` on error, else the pattern strings.
    pub fn docker_patterns(&self) -> Option<Vec<String>> {
        match self.error {
            Some(_) => None,
            None => Some(self.patterns.iter().map(Pattern::docker_string).collect()),
        }
    }
}

/// One pattern line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// 0-based line number.
    pub line: u32,
    /// The trimmed pattern text in the file, `!` included.
    pub range: TextRange,
    /// The part after the `!` and its whitespace (equal to `range` for a non-exception).
    pub body: TextRange,
    /// The text at `range`, as written.
    pub text: String,
    /// The pattern after `filepath.Clean` and removal of one leading `/` (without the `!`); empty
    /// for a lone `!`.
    pub cleaned: String,
    /// Whether the line starts with `!`.
    pub exclusion: bool,
}

impl Pattern {
    /// The string `ReadAll` returns for this line (`!` + cleaned for exceptions).
    pub fn docker_string(&self) -> String {
        if self.exclusion {
            format!("!{}", self.cleaned)
        } else {
            self.cleaned.clone()
        }
    }
}

/// One comment line (its first byte, after a BOM on the first line, is `#`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// 0-based line number.
    pub line: u32,
    /// The whole comment, `#` included, line ending excluded.
    pub range: TextRange,
    /// The text at `range`.
    pub text: String,
}

/// Docker's reader error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// 0-based line number of the first offending line.
    pub line: u32,
    /// That line, without its `\n`.
    pub range: TextRange,
    /// Go's error text ([`TOKEN_TOO_LONG`]).
    pub message: String,
}

fn range(start: usize, end: usize) -> TextRange {
    let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    TextRange::new(clamp(start), clamp(end))
}

/// Parses a `.dockerignore` file like Docker's `ignorefile.ReadAll`: lines split on `\n` with one
/// trailing `\r` dropped, a BOM dropped from the first line, `#` lines skipped, Go `TrimSpace`,
/// `!` handling (the rest trimmed again), `filepath.Clean` and removal of one leading `/`.
pub fn parse(text: &str) -> IgnoreFile {
    let mut file = IgnoreFile::default();
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut line: u32 = 0;
    while pos < bytes.len() {
        let (raw_end, next) = match bytes[pos..].iter().position(|&b| b == b'\n') {
            Some(i) => (pos + i, pos + i + 1),
            None => (bytes.len(), bytes.len()),
        };
        if raw_end - pos >= MAX_LINE_BYTES && file.error.is_none() {
            file.error = Some(ReadError {
                line,
                range: range(pos, raw_end),
                message: TOKEN_TOO_LONG.to_string(),
            });
        }
        let end = if raw_end > pos && bytes[raw_end - 1] == b'\r' {
            raw_end - 1
        } else {
            raw_end
        };
        let mut start = pos;
        if line == 0 && text[start..end].starts_with(BOM) {
            start += BOM.len();
        }
        parse_line(&mut file, text, line, start, end);
        pos = next;
        line = line.saturating_add(1);
    }
    file
}

fn parse_line(file: &mut IgnoreFile, text: &str, line: u32, start: usize, end: usize) {
    let content = &text[start..end];
    if content.starts_with('#') {
        file.comments.push(Comment {
            line,
            range: range(start, end),
            text: content.to_string(),
        });
        return;
    }
    let (s, e) = clean::trim_space_bounds(content);
    if s == e {
        return;
    }
    let trimmed = &content[s..e];
    let exclusion = trimmed.starts_with('!');
    let (body_start, body_end) = if exclusion {
        let (bs, be) = clean::trim_space_bounds(&trimmed[1..]);
        (s + 1 + bs, s + 1 + be)
    } else {
        (s, e)
    };
    let body = &content[body_start..body_end];
    let cleaned = if body.is_empty() {
        String::new()
    } else {
        let c = clean::clean(body);
        match c.strip_prefix('/') {
            Some(rest) if !rest.is_empty() => rest.to_string(),
            _ => c,
        }
    };
    file.patterns.push(Pattern {
        line,
        range: range(start + s, start + e),
        body: range(start + body_start, start + body_end),
        text: trimmed.to_string(),
        cleaned,
        exclusion,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, r: TextRange) -> &str {
        &text[r.as_usize()]
    }

    #[test]
    fn ranges_point_at_the_pattern_text() {
        let text = "\u{FEFF}  *.log \r\n# note\r\n! /secret/ \r\n\n\u{FEFF}x\rlast";
        let file = parse(text);
        assert_eq!(file.error, None);
        let got: Vec<_> = file
            .patterns
            .iter()
            .map(|p| (p.line, at(text, p.range), at(text, p.body), p.docker_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "*.log", "*.log", "*.log".to_string()),
                (2, "! /secret/", "/secret/", "!secret".to_string()),
                (4, "\u{FEFF}x\rlast", "\u{FEFF}x\rlast", "\u{FEFF}x\rlast".to_string()),
            ]
        );
        assert_eq!(file.comments.len(), 1);
        assert_eq!((file.comments[0].line, at(text, file.comments[0].range)), (1, "# note"));
        assert_eq!(file.patterns[1].text, "! /secret/");
        assert!(file.patterns[1].exclusion);
    }

    #[test]
    fn read_all_edge_cases() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("\n\n  \n", &[]),
            ("\u{FEFF}#c\nx", &["x"]),
            ("x\n\u{FEFF}#c", &["x", "\u{FEFF}#c"]),
            (" #x", &["#x"]),
            ("/", &["/"]),
            ("//", &["/"]),
            ("/a/", &["a"]),
            ("!", &["!"]),
            ("! ", &["!"]),
            ("!/", &["!/"]),
            ("! a/../b", &["!b"]),
            ("a/..", &["."]),
            ("../x", &["../x"]),
            ("./ /", &[" "]),
            ("a\rb\r", &["a\rb"]),
            ("a\r\r\n", &["a"]),
            ("\u{a0}a\u{85}", &["a"]),
            ("\u{200b}a", &["\u{200b}a"]),
            ("a\0b", &["a\0b"]),
        ];
        for (text, want) in cases {
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(parse(text).docker_patterns(), Some(want), "{text:?}");
        }
    }

    #[test]
    fn long_lines_fail_like_bufio_scanner() {
        let ok = format!("{}\n", "a".repeat(MAX_LINE_BYTES - 1));
        assert!(parse(&ok).error.is_none());
        let ok_last = "a".repeat(MAX_LINE_BYTES - 1);
        assert!(parse(&ok_last).error.is_none());
        for bad in [
            "a".repeat(MAX_LINE_BYTES),
            format!("x\n#{}", "a".repeat(MAX_LINE_BYTES - 1)),
            format!("{}\r\n", "a".repeat(MAX_LINE_BYTES - 1)),
        ] {
            let file = parse(&bad);
            let err = file.error.as_ref().expect("too long");
            assert_eq!(err.message, TOKEN_TOO_LONG);
            assert_eq!(file.docker_patterns(), None);
            assert!(matches!(Matcher::new(&file), Err(MatcherError::Read(_))));
        }
    }

    #[test]
    fn matcher_reports_errors_like_new() {
        let err = |text: &str| Matcher::new(&parse(text)).err();
        assert_eq!(
            err("a\n!\n"),
            Some(MatcherError::Pattern(PatternError {
                pattern: 1,
                message: ILLEGAL_EXCLUSION.into()
            }))
        );
        assert_eq!(
            err("a\n[\n"),
            Some(MatcherError::Pattern(PatternError {
                pattern: 1,
                message: BAD_PATTERN.into()
            }))
        );
        assert_eq!(err("!../..\n"), None, "New cleans `!../..` to `.`, a plain pattern");
        let m = Matcher::from_patterns(&["!../.."]).expect("valid");
        assert_eq!(
            m.patterns().next().map(|p| (p.cleaned, p.exclusion)),
            Some((".", false))
        );
    }

    #[test]
    fn explanations_name_the_deciding_pattern() {
        let m = Matcher::new(&parse("node_modules\n*.md\n!README.md\n**/*.log\n!logs\n")).expect("valid");
        let e = m.explain("node_modules/a/b.js").expect("ok");
        assert_eq!(
            (e.excluded, e.decided_by, e.ancestor.as_deref()),
            (true, Some(0), Some("node_modules"))
        );
        let e = m.explain("README.md").expect("ok");
        assert_eq!((e.excluded, e.decided_by, e.ancestor), (false, Some(2), None));
        let e = m.explain("src/main.rs").expect("ok");
        assert_eq!((e.excluded, e.decided_by), (false, None));
        assert!(!m.matches_or_parent_matches("logs/a.log").expect("ok"));
        let w = m.explain_walk("logs/a.log").expect("ok");
        assert_eq!((w.excluded, w.decided_by), (true, Some(3)));
        let w = m.explain_walk("node_modules/a/b.js").expect("ok");
        assert_eq!((w.excluded, w.skipped_at.as_deref()), (true, Some("node_modules")));
    }

    #[test]
    fn lazy_regexp_errors_only_when_reached() {
        let m = Matcher::new(&parse("a*[\n")).expect("go1.19 Match stops at the chunk `a`");
        assert_eq!(
            m.matches_or_parent_matches("b").map_err(|e| e.message),
            Err(BAD_PATTERN.to_string())
        );
        let m = Matcher::new(&parse("foo\n![z-a]\n")).expect("New accepts it");
        assert_eq!(m.matches_or_parent_matches("bar"), Ok(false));
        let e = m.matches_or_parent_matches("foo").expect_err("reached");
        assert_eq!((e.pattern, e.message.as_str()), (1, BAD_PATTERN));
        assert!(e.reason.contains("invalid character class range"), "{}", e.reason);
    }

    /// xorshift64*: a small deterministic generator so the fuzz test needs no extra crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn never_panics_on_weird_input() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        const PIECES: &[&str] = &[
            "*",
            "**",
            "?",
            "[",
            "]",
            "^",
            "!",
            "-",
            "\\",
            "/",
            ".",
            "..",
            "a",
            "z",
            "é",
            "{",
            "}",
            "(",
            ")",
            "|",
            "$",
            "+",
            ":",
            "[:alpha:]",
            "[:",
            ":]",
            "\\p",
            "{L}",
            "\\Q",
            "\\E",
            "\\x{",
            "0",
            "7",
            "\n",
            "\r",
            " ",
            "\t",
            "#",
            "\u{FEFF}",
            "\u{a0}",
            "\0",
            "\\b",
            "\\d",
            "\\Z",
            "\\1",
            "\\x4",
            "P",
            "{2}",
            "{1,",
            "}",
            "\u{10FFFF}",
            "\u{D7FF}",
        ];
        let paths = ["a", "a/b", "z/é/x", ".", "", "/a", "a//b/", "[", "a^b", "\n", "x/y/z/w"];
        for round in 0..4000 {
            let text = if round % 4 == 0 {
                let raw: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&raw).into_owned()
            } else {
                (0..rng.below(24)).map(|_| PIECES[rng.below(PIECES.len())]).collect()
            };
            let file = parse(&text);
            for p in &file.patterns {
                assert!(p.range.end as usize <= text.len() && p.body.end <= p.range.end);
                assert_eq!(at(&text, p.range), p.text);
            }
            if let Ok(m) = Matcher::new(&file) {
                for path in paths {
                    let _ = m.matches_or_parent_matches(path);
                    let _ = m.explain(path);
                    let _ = m.excluded_in_walk(path);
                }
                // Every regexp Go accepts must translate into one Rust accepts.
                for p in m.patterns() {
                    if let Some((MatchType::Regexp, go)) = m.match_type(p.source)
                        && let Ok(rust) = goregex::translate(&go)
                    {
                        assert!(regex::Regex::new(&rust).is_ok(), "{go:?} -> {rust:?}");
                    }
                }
            }
        }
        let huge = format!("{}\n{}", "*".repeat(70_000), "[".repeat(MAX_LINE_BYTES - 1));
        let file = parse(&huge);
        assert!(file.error.is_some());
        let big = format!("{}x", "a*".repeat(30_000));
        let m = Matcher::from_patterns(&[big]).expect("valid glob");
        assert_eq!(m.matches_or_parent_matches("ab"), Ok(false));
    }
}
