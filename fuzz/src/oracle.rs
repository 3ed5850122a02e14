//! A second, independent `.dockerignore` matcher for a restricted pattern language, to compare with
//! dockward's port of Docker's matcher (which translates patterns to Go regular expressions).
//!
//! The restriction keeps the oracle obviously right: paths are clean (`a/b/c`: no empty, `.` or `..`
//! elements, no leading or trailing `/`) over the letters `a`, `b`, `c`; patterns are clean too, and each
//! of their elements is either `**` or a glob of `a`, `b`, `*` and `?` with no two `*` in a row. For that
//! language Docker's regular expression (`**` followed by `/` becomes `(.*/)?`, a final `**` becomes
//! `.*`, `*` becomes `[^/]*` and `?` becomes `[^/]`) means, element by element:
//!
//! - a `**` element that is not the last matches zero or more whole path elements;
//! - a last `**` element matches one or more path elements (the `/` before it must be followed by
//!   something, and a clean path does not end with `/`); `**` alone matches every path;
//! - any other element matches exactly one path element, `*` any run of characters, `?` one character.
//!
//! Exclusions and parents follow Docker's `MatchesOrParentMatches`: patterns apply in order; an inclusion
//! is only evaluated while the path is not yet matched and an exclusion only while it is; a pattern
//! that does not match the path itself is tried on each parent directory, shortest first.

use crate::Bytes;

/// One pattern of the restricted language.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub exclusion: bool,
    pub elements: Vec<String>,
}

impl Pattern {
    /// The pattern as a `.dockerignore` line.
    pub fn line(&self) -> String {
        format!("{}{}", if self.exclusion { "!" } else { "" }, self.elements.join("/"))
    }
}

/// A glob element (no `/`, no `**`) against one path element.
fn element_matches(glob: &[u8], name: &[u8]) -> bool {
    match glob.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|k| element_matches(rest, &name[k..])),
        Some((b'?', rest)) => !name.is_empty() && element_matches(rest, &name[1..]),
        Some((c, rest)) => name.first() == Some(c) && element_matches(rest, &name[1..]),
    }
}

/// Pattern elements against path elements.
fn elements_match(pat: &[String], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            if rest.is_empty() {
                !path.is_empty()
            } else {
                (0..=path.len()).any(|k| elements_match(rest, &path[k..]))
            }
        }
        Some((first, rest)) => {
            !path.is_empty()
                && element_matches(first.as_bytes(), path[0].as_bytes())
                && elements_match(rest, &path[1..])
        }
    }
}

/// Whether the pattern matches `path` itself.
pub fn pattern_matches(p: &Pattern, path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    elements_match(&p.elements, &parts)
}

/// Docker's `MatchesOrParentMatches` over the restricted language.
pub fn excluded(patterns: &[Pattern], path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let mut matched = false;
    for p in patterns {
        if p.exclusion != matched {
            continue;
        }
        let mut hit = elements_match(&p.elements, &parts);
        if !hit && parts.len() > 1 {
            hit = (1..parts.len()).any(|i| elements_match(&p.elements, &parts[..i]));
        }
        if hit {
            matched = !p.exclusion;
        }
    }
    matched
}

/// A clean path of one to four elements over `a`, `b`, `c`.
pub fn gen_path(b: &mut Bytes) -> String {
    let depth = 1 + usize::from(b.u8() % 4);
    let mut parts = Vec::new();
    for _ in 0..depth {
        let len = 1 + usize::from(b.u8() % 3);
        parts.push((0..len).map(|_| (b'a' + b.u8() % 3) as char).collect::<String>());
    }
    parts.join("/")
}

/// A pattern of one to four elements of the restricted language.
pub fn gen_pattern(b: &mut Bytes) -> Pattern {
    let exclusion = b.u8() % 4 == 0;
    let depth = 1 + usize::from(b.u8() % 4);
    let mut elements = Vec::new();
    for _ in 0..depth {
        if b.u8() % 5 == 0 {
            elements.push("**".to_string());
            continue;
        }
        let len = 1 + usize::from(b.u8() % 3);
        let mut e = String::new();
        for _ in 0..len {
            let c = match b.u8() % 4 {
                0 => 'a',
                1 => 'b',
                2 => '?',
                _ => '*',
            };
            if c == '*' && e.ends_with('*') {
                e.push('a');
            } else {
                e.push(c);
            }
        }
        elements.push(e);
    }
    Pattern { exclusion, elements }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        let (exclusion, s) = match s.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, s),
        };
        Pattern {
            exclusion,
            elements: s.split('/').map(str::to_string).collect(),
        }
    }

    #[test]
    fn the_oracle_follows_dockers_documented_examples() {
        assert!(excluded(&[p("a")], "a/b/c"));
        assert!(!excluded(&[p("a/**")], "a"));
        assert!(excluded(&[p("a/**")], "a/b"));
        assert!(excluded(&[p("**/b")], "b"));
        assert!(excluded(&[p("**/b")], "a/c/b"));
        assert!(excluded(&[p("**")], "c"));
        assert!(excluded(&[p("*/b")], "a/b"));
        assert!(!excluded(&[p("*")], "") || excluded(&[p("*")], "a"));
        assert!(!excluded(&[p("a"), p("!a")], "a"));
        assert!(excluded(&[p("a"), p("!a/b")], "a/c"));
        assert!(!excluded(&[p("a"), p("!a/b")], "a/b"));
        assert!(!excluded(&[p("?")], "ab"));
    }
}
