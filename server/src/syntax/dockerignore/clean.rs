//! Go string and path helpers that `.dockerignore` handling depends on: `strings.TrimSpace`,
//! `path/filepath.Clean` and `path/filepath.Dir`, re-implemented for `/`-separated paths (Linux semantics).

/// Whether `c` is a space for Go's `unicode.IsSpace` (used by `strings.TrimSpace`): the Unicode
/// `White_Space` property. Note that U+200B ZERO WIDTH SPACE and U+FEFF (BOM) are *not* spaces.
pub fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{000B}' | '\u{000C}' | '\r' | ' ' | '\u{0085}' | '\u{00A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Go's `strings.TrimSpace`, returning the byte offsets `(start, end)` of the trimmed part of `s`.
pub fn trim_space_bounds(s: &str) -> (usize, usize) {
    let start = s.len() - s.trim_start_matches(is_go_space).len();
    let end = start + s[start..].trim_end_matches(is_go_space).len();
    (start, end)
}

/// Go's `strings.TrimSpace`.
pub fn trim_space(s: &str) -> &str {
    let (start, end) = trim_space_bounds(s);
    &s[start..end]
}

/// Go's `filepath.Clean` on a `/`-separated path (Linux): the shortest path naming the same file by
/// purely lexical processing. Repeated `/` collapse, `.` elements go, `..` removes the element
/// before it (or is dropped at the root of a rooted path, or kept when it leads a relative path),
/// the trailing `/` goes, and an empty result becomes `.` (or `/` when rooted).
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    // Elements kept so far; leading `..` elements of a relative path are counted in `dotdots`.
    let mut parts: Vec<&str> = Vec::new();
    let mut dotdots = 0usize;
    for element in path.split('/') {
        match element {
            "" | "." => {}
            ".." => {
                if parts.len() > dotdots {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    dotdots += 1;
                }
            }
            other => parts.push(other),
        }
    }
    let mut out = String::with_capacity(path.len());
    if rooted {
        out.push('/');
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(part);
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Go's `filepath.Dir` on a `/`-separated path: everything before the last `/`, cleaned.
pub fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => clean(""),
    }
}

/// Whether `path` is already in the form a context walker produces: non-empty, relative, no empty,
/// `.` or `..` segments and no trailing `/`. For such paths `dir` is the text before the last `/`
/// and the parent directories are the prefixes ending before each `/`, so no allocation is needed.
pub fn is_walker_path(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        let cases = [
            ("", "."),
            (".", "."),
            ("/", "/"),
            ("//", "/"),
            ("///a//b///", "/a/b"),
            ("a/", "a"),
            ("a//b", "a/b"),
            ("./a", "a"),
            ("a/.", "a"),
            ("a/./b", "a/b"),
            ("..", ".."),
            ("../..", "../.."),
            ("../../a", "../../a"),
            ("a/..", "."),
            ("a/../..", ".."),
            ("a/b/../../..", ".."),
            ("/..", "/"),
            ("/../a", "/a"),
            ("/a/../..", "/"),
            ("a/../b/../c", "c"),
            ("../a/..", ".."),
            ("..a/b", "..a/b"),
            ("a/...", "a/..."),
            ("!../..", "."),
            ("!/", "!"),
            ("./ /", " "),
            ("abc/def/../../..", ".."),
            ("é//ü/./", "é/ü"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn dir_matches_go() {
        let cases = [
            ("a", "."),
            ("a/b", "a"),
            ("a/b/c", "a/b"),
            ("/a", "/"),
            ("a/", "a"),
            ("", "."),
            ("/", "/"),
            ("a//b", "a"),
        ];
        for (input, want) in cases {
            assert_eq!(dir(input), want, "dir({input:?})");
        }
    }

    #[test]
    fn trim_space_matches_go() {
        assert_eq!(trim_space(" \t\u{b}\u{c}\r\n a \u{85}\u{a0}\u{3000}\u{2009}"), "a");
        assert_eq!(trim_space("\u{200B}a\u{200B}"), "\u{200B}a\u{200B}");
        assert_eq!(trim_space("\u{FEFF}a"), "\u{FEFF}a");
        assert_eq!(trim_space("   "), "");
        assert_eq!(trim_space_bounds("  ab "), (2, 4));
    }

    #[test]
    fn walker_paths() {
        assert!(is_walker_path("a/b.c/d"));
        assert!(is_walker_path("..a/.b"));
        for bad in ["", "/a", "a/", "a//b", "./a", "a/../b", "a/."] {
            assert!(!is_walker_path(bad), "{bad:?}");
        }
    }
}
