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
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(&w, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let (d, c) = best?;
    let limit = (w.chars().count().max(3) / 3).max(1);
    (d <= limit && d > 0).then_some(c)
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX / 2;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
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
}
