//! Problems the parser finds: what Docker rejects, and what it accepts with a warning or silently ignores.

use crate::text::TextRange;

/// Which family a parse problem belongs to; each maps to one rule of the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// Docker's parser rejects the file (DW001).
    Syntax,
    /// An instruction Docker does not know (DW002).
    UnknownInstruction,
    /// A flag the instruction does not accept (DW003).
    UnknownFlag,
    /// Docker's parser accepts the line but BuildKit rejects the instruction when it reads it: wrong
    /// arguments, a flag without its value, a bad `${...}` substitution (DW004).
    Instruction,
    /// A blank line inside a continuation (DW005).
    EmptyContinuationLine,
    /// A comment that looks like a parser directive where Docker ignores it (DW006).
    IgnoredDirective,
}

/// A problem found by the parser, with a message id from the catalog and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: ProblemKind,
    /// Relative to the item start for errors stored in an item; absolute for file-level errors.
    pub range: TextRange,
    /// Message id in the catalog (`server/messages/*.txt`).
    pub message: &'static str,
    pub args: Vec<(&'static str, String)>,
    /// A replacement that likely fixes it (a misspelt keyword or flag), as (range, new text).
    pub suggestion: Option<(TextRange, String)>,
}

impl SyntaxError {
    pub fn new(kind: ProblemKind, range: TextRange, message: &'static str) -> SyntaxError {
        SyntaxError {
            kind,
            range,
            message,
            args: Vec::new(),
            suggestion: None,
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> SyntaxError {
        self.args.push((name, value.into()));
        self
    }

    pub fn suggest(mut self, range: TextRange, text: impl Into<String>) -> SyntaxError {
        self.suggestion = Some((range, text.into()));
        self
    }

    pub fn shifted(&self, delta: u32) -> SyntaxError {
        let mut e = self.clone();
        e.range = e.range.shift(delta);
        if let Some((r, _)) = &mut e.suggestion {
            *r = r.shift(delta);
        }
        e
    }
}

/// The closest candidate to `word` by edit distance (case-insensitive), if it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let len = w.chars().count();
    let limit = (len.max(3) / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // The distance is at least the length difference: such a candidate can never be within the
        // limit, so skipping it changes no answer (and unknown words stay cheap on huge files).
        if c.chars().count().abs_diff(len) > limit {
            continue;
        }
        let d = edit_distance(&w, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let (d, c) = best?;
    (d <= limit && d > 0).then_some(c)
}

/// Levenshtein distance with adjacent transpositions counted as one edit (words of at most 64
/// characters; longer ones are "far"). Three rolling rows on the stack: no allocation.
pub fn edit_distance(a: &str, b: &str) -> usize {
    const MAX: usize = 64;
    let mut bc = ['\0'; MAX];
    let mut n = 0;
    for ch in b.chars() {
        if n == MAX {
            return usize::MAX / 2;
        }
        bc[n] = ch;
        n += 1;
    }
    if a.chars().nth(MAX).is_some() {
        return usize::MAX / 2;
    }
    let b = &bc[..n];
    // Rows i-2, i-1 and i of the distance matrix.
    let mut before = [0usize; MAX + 1];
    let mut prev: [usize; MAX + 1] = std::array::from_fn(|j| j);
    let mut cur = [0usize; MAX + 1];
    let mut last = '\0';
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for j in 1..=n {
            let cost = usize::from(ca != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 0 && j > 1 && ca == b[j - 2] && last == b[j - 1] {
                v = v.min(before[j - 2] + 1);
            }
            cur[j] = v;
        }
        before = prev;
        prev = cur;
        last = ca;
    }
    prev[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keywords_only() {
        let kws = ["RUN", "COPY", "ENTRYPOINT", "WORKDIR"];
        assert_eq!(closest("RNU", kws), Some("RUN"));
        assert_eq!(closest("ENTRYPIONT", kws), Some("ENTRYPOINT"));
        assert_eq!(closest("WORKDR", kws), Some("WORKDIR"));
        assert_eq!(closest("apt-get", kws), None);
        assert_eq!(closest("copy", kws), None, "an exact match is not a typo");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            edit_distance("entrypiont", "entrypoint"),
            1,
            "a transposition is one edit"
        );
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(edit_distance("日本語", "日本"), 1);
        assert_eq!(edit_distance(&"a".repeat(65), "a"), usize::MAX / 2);
        assert_eq!(edit_distance("a", &"a".repeat(65)), usize::MAX / 2);
        assert_eq!(edit_distance(&"a".repeat(64), &"a".repeat(64)), 0);
    }
}
