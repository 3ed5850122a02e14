//! Suppression comments: `# dockward ignore=DW001,DW010 -- reason` (the next instruction),
//! `# dockward global ignore=...` (the whole file), and the equivalents of other tools: hadolint's
//! `# hadolint ignore=DL3002` and BuildKit's `# check=skip=Name` directive.

use crate::diagnostic::Diagnostic;
use crate::rules::{RULES, Rule};
use crate::syntax::{Dockerfile, NodeKind};
use crate::text::TextRange;

/// Which tool's syntax a suppression comment uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Dockward,
    Hadolint,
}

/// One code in a suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PragmaCode {
    pub text: String,
    /// Absolute range of the code in the comment.
    pub range: TextRange,
    /// The rules it designates (a dockward code or name designates one; a hadolint code every rule that
    /// declares it as an equivalent).
    pub rules: Vec<&'static Rule>,
}

/// A suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pragma {
    pub tool: Tool,
    pub global: bool,
    /// The whole comment, absolute.
    pub range: TextRange,
    pub codes: Vec<PragmaCode>,
    /// The text after `--`, if any.
    pub reason: Option<String>,
    /// The instruction it applies to (full range, absolute); `None` for a global pragma or when no
    /// instruction follows.
    pub target: Option<TextRange>,
}

/// Byte offset of `sub` (a slice of `line`) inside `line`.
fn offset_in(line: &str, sub: &str) -> usize {
    sub.as_ptr() as usize - line.as_ptr() as usize
}

/// Parses a comment line (starting with `#` at absolute offset `hash`) as a suppression comment.
/// A suppression comment as read: tool, global, codes with their ranges, reason.
type ParsedComment = (Tool, bool, Vec<(String, TextRange)>, Option<String>);

fn parse_comment(line: &str, hash: u32) -> Option<ParsedComment> {
    let rest = line.get(1..)?.trim_start();
    let (tool, rest) = if let Some(r) = rest.strip_prefix("dockward") {
        (Tool::Dockward, r)
    } else if let Some(r) = rest.strip_prefix("hadolint") {
        (Tool::Hadolint, r)
    } else {
        return None;
    };
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(r) if r.starts_with(char::is_whitespace) => (true, r.trim_start()),
        _ => (false, rest),
    };
    let rest = rest.strip_prefix("ignore")?.trim_start().strip_prefix('=')?;
    let (list, reason) = match rest.find("--") {
        Some(i) => (
            &rest[..i],
            Some(rest[i + 2..].trim().to_string()).filter(|r| !r.is_empty()),
        ),
        None => (rest, None),
    };
    let mut codes = Vec::new();
    for part in list.split(',') {
        // hadolint allows a reason after the codes without `--`: a code is one word.
        let Some(code) = part.split_whitespace().next() else {
            continue;
        };
        let start = hash + offset_in(line, code) as u32;
        codes.push((code.to_string(), TextRange::at(start, code.len() as u32)));
    }
    Some((tool, global, codes, reason))
}

fn rules_for(tool: Tool, code: &str) -> Vec<&'static Rule> {
    match tool {
        Tool::Dockward => RULES
            .iter()
            .copied()
            .filter(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
            .collect(),
        Tool::Hadolint => RULES.iter().copied().filter(|r| r.is_also("hadolint", code)).collect(),
    }
}

/// Every suppression comment of the file.
pub fn pragmas(tree: &Dockerfile, text: &str) -> Vec<Pragma> {
    let mut out: Vec<Pragma> = Vec::new();
    // Kept by the parser: most files have no comment that may be one, and are not walked.
    if tree.tally.pragma_comments == 0 {
        return out;
    }
    let mut pending: Vec<usize> = Vec::new();
    for (index, item) in tree.items.iter().enumerate() {
        // The item vector says which items are instructions and which comments may be suppression
        // comments: an instruction's node is read only when a comment before it waits for its range, and
        // no other comment's node is read.
        if (item.facts.kind.is_some() && pending.is_empty()) || (item.facts.kind.is_none() && !item.facts.may_be_pragma)
        {
            continue;
        }
        let Some(it) = tree.item(index) else {
            continue;
        };
        match &it.node.kind {
            NodeKind::Comment(c) => {
                let r = it.abs(c.range);
                let line = crate::text::slice(text, r);
                if !line.starts_with('#') {
                    continue;
                }
                if let Some((tool, global, codes, reason)) = parse_comment(line, r.start) {
                    let codes = codes
                        .into_iter()
                        .map(|(t, range)| PragmaCode {
                            rules: rules_for(tool, &t),
                            text: t,
                            range,
                        })
                        .collect();
                    out.push(Pragma {
                        tool,
                        global,
                        range: r,
                        codes,
                        reason,
                        target: None,
                    });
                    if !global {
                        pending.push(out.len() - 1);
                    }
                }
            }
            NodeKind::Instruction(i) => {
                for p in pending.drain(..) {
                    out[p].target = Some(it.abs(i.full_range));
                }
            }
        }
    }
    out
}

/// Rules skipped by the `# check=skip=...` parser directive (through their BuildKit equivalents).
pub fn check_directive_skips(tree: &Dockerfile) -> Vec<&'static Rule> {
    let Some(d) = tree.directive("check") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for part in d.value.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        if k.trim() != "skip" {
            continue;
        }
        for name in v.split(',').map(str::trim) {
            if name.eq_ignore_ascii_case("all") {
                out.extend(
                    RULES
                        .iter()
                        .copied()
                        .filter(|r| r.also.iter().any(|a| a.starts_with("buildkit:"))),
                );
            } else {
                out.extend(RULES.iter().copied().filter(|r| r.is_also("buildkit", name)));
            }
        }
    }
    out
}

/// Whether the `# check=error=true` parser directive asks BuildKit to fail the build on any check
/// warning (Go's `strconv.ParseBool` spellings of true).
pub fn check_directive_errors(tree: &Dockerfile) -> bool {
    let Some(d) = tree.directive("check") else {
        return false;
    };
    d.value
        .split(';')
        .filter_map(|part| part.split_once('='))
        .any(|(k, v)| k.trim() == "error" && matches!(v.trim(), "1" | "t" | "T" | "true" | "TRUE" | "True"))
}

/// Which pragma codes suppressed something.
#[derive(Debug, Default)]
pub struct Usage {
    /// `used[p][c]`: code `c` of pragma `p` suppressed at least one diagnostic.
    pub used: Vec<Vec<bool>>,
}

/// Removes suppressed diagnostics and records which pragma codes were used.
pub fn apply(mut diags: Vec<Diagnostic>, pragmas: &[Pragma], skipped: &[&'static Rule]) -> (Vec<Diagnostic>, Usage) {
    let mut usage = Usage {
        used: pragmas.iter().map(|p| vec![false; p.codes.len()]).collect(),
    };
    if pragmas.is_empty() && skipped.is_empty() {
        return (diags, usage);
    }
    // In place: the diagnostics are not copied into a second vector (a long file has thousands).
    diags.retain(|d| {
        if skipped.iter().any(|r| r.code == d.code) {
            return false;
        }
        for (pi, p) in pragmas.iter().enumerate() {
            let applies = p.global
                || p.target
                    .is_some_and(|t| t.start <= d.range.start && d.range.start <= t.end);
            if !applies || d.file != crate::diagnostic::FileRef::Dockerfile {
                continue;
            }
            for (ci, c) in p.codes.iter().enumerate() {
                if c.rules.iter().any(|r| r.code == d.code) {
                    usage.used[pi][ci] = true;
                    return false;
                }
            }
        }
        true
    });
    (diags, usage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    /// Every comment `parse_comment` reads as a suppression comment is one the item vector marks as a
    /// possible one (`ItemFacts::may_be_pragma`), which `pragmas` relies on to skip the others: comments
    /// built like suppression comments from varied pieces (white space of several kinds or none, both tools
    /// in either case, other words in their place, with or without `global`, codes and a reason).
    #[test]
    fn every_suppression_comment_is_marked_in_the_item_vector() {
        const SPACE: &[&str] = &["", " ", "  ", "\t", "\u{3000}"];
        const TOOL: &[&str] = &[
            "dockward",
            "hadolint",
            "Dockward",
            "HADOLINT",
            "dockwards",
            "check",
            "x",
        ];
        const SCOPE: &[&str] = &["", "global ", "global", "GLOBAL "];
        const CODES: &[&str] = &["DW101", "DW101,DL3006", " DL3006 ", "", "unknown-flag"];
        const REASON: &[&str] = &["", " -- reason", " why", "--"];
        let mut next = crate::testing::numbers_below();
        let mut pick = |of: &[&'static str]| of[next(of.len())];
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..5_000 {
            let line = format!(
                "#{}{}{}{}ignore{}={}{}",
                pick(SPACE),
                pick(TOOL),
                pick(SPACE),
                pick(SCOPE),
                pick(SPACE),
                pick(CODES),
                pick(REASON)
            );
            let src = format!("FROM a\n{line}\nRUN b\n");
            let tree = parse(&src);
            let comment = tree
                .items
                .iter()
                .find(|it| it.facts.kind.is_none())
                .expect("the comment");
            if parse_comment(&line, 7).is_some() {
                accepted += 1;
                assert!(comment.facts.may_be_pragma, "{line:?}");
                assert_eq!(pragmas(&tree, &src).len(), 1, "{line:?}");
            } else {
                refused += 1;
                assert!(pragmas(&tree, &src).is_empty(), "{line:?}");
            }
        }
        assert!(
            accepted > 500 && refused > 500,
            "{accepted} suppression comments, {refused} others"
        );
    }

    #[test]
    fn parses_pragmas_with_exact_code_ranges() {
        let src = "FROM a\n# dockward ignore=DW002, unknown-flag -- typo kept on purpose\nRNU x\n#   hadolint global ignore=DL3006 legacy\n";
        let tree = parse(src);
        let ps = pragmas(&tree, src);
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].tool, Tool::Dockward);
        assert!(!ps[0].global);
        assert_eq!(ps[0].reason.as_deref(), Some("typo kept on purpose"));
        let codes: Vec<&str> = ps[0].codes.iter().map(|c| &src[c.range.as_usize()]).collect();
        assert_eq!(codes, vec!["DW002", "unknown-flag"]);
        assert_eq!(ps[0].codes[1].rules[0].code, "DW003");
        assert_eq!(&src[ps[0].target.unwrap().as_usize()], "RNU x");
        assert!(ps[1].global && ps[1].tool == Tool::Hadolint);
        assert_eq!(&src[ps[1].codes[0].range.as_usize()], "DL3006");
        assert!(ps[1].reason.is_none());
    }

    #[test]
    fn suppression_comments_of_dockward_hadolint_and_buildkit_apply() {
        use crate::check::{Input, check};
        use crate::date::Date;
        use crate::settings::Settings;
        let today = Date::new(2026, 11, 28);
        let codes = |src: &str, s: &Settings| {
            check(&Input::new(src, today), s)
                .iter()
                .map(|d| d.code)
                .collect::<Vec<_>>()
        };
        let blank = "FROM scratch\nUSER 10001\nRUN a \\\n\n  b\n";
        assert_eq!(codes(blank, &Settings::default()), vec!["DW005"]);
        let skipped = format!("# check=skip=NoEmptyContinuation\n{blank}");
        assert!(
            codes(&skipped, &Settings::default()).is_empty(),
            "BuildKit's check=skip suppresses the equivalent rule"
        );
        let all = format!("# check=skip=all\n{blank}");
        assert!(codes(&all, &Settings::default()).is_empty());
        let global = format!("{blank}# dockward global ignore=empty-continuation-line\n");
        assert!(codes(&global, &Settings::default()).is_empty());
        let strict = Settings {
            disable_pragmas: true,
            ..Settings::default()
        };
        assert_eq!(codes(&skipped, &strict), vec!["DW005"], "pragmas can be disabled");
        let next_only = "FROM scratch\nUSER 10001\n# dockward ignore=DW002\nRNU x\nRNU y\n";
        assert_eq!(
            codes(next_only, &Settings::default()),
            vec!["DW002"],
            "only the next instruction"
        );
    }

    #[test]
    fn check_error_true_makes_buildkit_warnings_errors() {
        use crate::check::{Input, check};
        use crate::date::Date;
        use crate::diagnostic::Severity;
        use crate::settings::Settings;
        let today = Date::new(2026, 11, 28);
        let severities = |src: &str| {
            check(&Input::new(src, today), &Settings::default())
                .iter()
                .map(|d| (d.code, d.severity))
                .collect::<Vec<_>>()
        };
        let body = "FROM scratch\nUSER 10001\nRUN a \\\n\n  b\n";
        assert_eq!(severities(body), vec![("DW005", Severity::Warning)]);
        let strict = format!("# check=skip=StageNameCasing;error=true\n{body}");
        assert_eq!(severities(&strict), vec![("DW005", Severity::Error)]);
        let off = format!("# check=error=false\n{body}");
        assert_eq!(severities(&off), vec![("DW005", Severity::Warning)]);
    }

    #[test]
    fn ignores_ordinary_comments() {
        let src = "# dockward is great\n# dockwardignore=DW001\n#dockward ignore DW001\nFROM a\n";
        assert!(pragmas(&parse(src), src).is_empty());
    }
}
