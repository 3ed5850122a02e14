//! Hover: an instruction's short documentation, what `ide::hover` knows about the element under the
//! cursor (flags, variables, stages, images), the rules behind the diagnostics there, and the rule a
//! suppression code names; in ignore files, what a pattern matches in the build context.

use crate::check::Context;
use crate::context;
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::ide;
use crate::messages::{self, Locale};
use crate::model::Model;
use crate::rules::{self, Rule};
use crate::suppress;
use crate::syntax::{Dockerfile, Kind, dockerignore};
use crate::text::{LineIndex, TextRange};

/// Markdown for a rule in `locale`: its summary and the sections that explain it. In Japanese these are
/// the translated sections of the rule's `## 日本語` doc section ([`Rule::ja_section`]).
pub fn rule_markdown(r: &Rule, locale: Locale) -> String {
    let mut s = format!("**{} {}**: {}\n", r.code, r.name, r.summary_in(locale));
    match locale {
        Locale::Ja if r.ja_section(rules::ja::SUMMARY).is_some() => {
            for h in rules::ja::SECTIONS {
                if let Some(body) = r.ja_section(h) {
                    s.push_str(&format!("\n### {h}\n{body}\n"));
                }
            }
        }
        _ => {
            for h in ["What it does", "Why is this bad?", "Use instead", "Fix safety"] {
                if let Some(body) = r.section(h) {
                    s.push_str(&format!("\n### {h}\n{body}\n"));
                }
            }
        }
    }
    s
}

/// What a Dockerfile hover reads.
pub struct HoverInput<'a> {
    pub tree: &'a Dockerfile,
    pub text: &'a str,
    pub lines: &'a LineIndex,
    /// The document's current diagnostics.
    pub diagnostics: &'a [Diagnostic],
    pub offset: u32,
    pub locale: Locale,
    pub today: Date,
    /// The user's `trusted-registries` entries.
    pub trusted: &'a [String],
}

/// The hover text at `offset`, and the range it describes: what the element under the cursor is (an
/// instruction keyword here, everything else from `ide::hover`), then the rules of the diagnostics
/// there; a suppression code alone shows its rule.
pub fn hover(h: &HoverInput) -> Option<(String, TextRange)> {
    let (tree, offset) = (h.tree, h.offset);
    // A suppression code names a rule.
    for p in suppress::pragmas(tree, h.text) {
        for c in &p.codes {
            if c.range.contains_inclusive(offset)
                && let Some(r) = c.rules.first()
            {
                return Some((rule_markdown(r, h.locale), c.range));
            }
        }
    }
    let element = keyword(tree, offset, h.locale).or_else(|| {
        let model = Model::build(tree);
        ide::hover::hover(&ide::hover::Input {
            text: h.text,
            lines: h.lines,
            tree,
            model: &model,
            offset,
            today: h.today,
            locale: h.locale,
            trusted: h.trusted,
        })
    });
    // Diagnostics under the cursor: their rules, most severe first.
    let mut here: Vec<&Diagnostic> = h
        .diagnostics
        .iter()
        .filter(|d| d.range.contains_inclusive(offset))
        .collect();
    here.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(b.code)));
    here.dedup_by_key(|d| d.code);
    let mut parts: Vec<String> = Vec::new();
    let mut range = None;
    if let Some((md, r)) = element {
        parts.push(md);
        range = Some(r);
    }
    parts.extend(
        here.iter()
            .filter_map(|d| rules::rule(d.code))
            .map(|r| rule_markdown(r, h.locale)),
    );
    if parts.is_empty() {
        return None;
    }
    let range = range.or_else(|| here.iter().map(|d| d.range).reduce(|a, b| a.cover(b)))?;
    Some((parts.join("\n\n---\n"), range))
}

/// An instruction keyword's documentation.
fn keyword(tree: &Dockerfile, offset: u32, locale: Locale) -> Option<(String, TextRange)> {
    let item = tree.item(tree.item_at(offset)?)?;
    let ins = item.instruction()?;
    let ins = match ins.onbuild_inner() {
        Some(inner) if item.abs(inner.keyword.range).contains_inclusive(offset) => inner,
        _ => ins,
    };
    let kw = item.abs(ins.keyword.range);
    (kw.contains_inclusive(offset) && ins.kind != Kind::Unknown).then(|| {
        let doc = messages::render(locale, &format!("hover.instruction.{}", ins.kind.keyword()), &[]);
        (doc, kw)
    })
}

/// The hover text on a `.dockerignore` pattern at `offset`: what it does, how many context entries it
/// matches with examples, how many it decides; then the rules of the findings under the cursor.
pub fn ignore_hover(
    text: &str,
    diagnostics: &[Diagnostic],
    offset: u32,
    context: Option<&Context>,
    locale: Locale,
) -> Option<(String, TextRange)> {
    let m = |id: &str, args: &[(&str, String)]| messages::render(locale, id, args);
    let file = dockerignore::parse(text);
    let (index, p) = file
        .patterns
        .iter()
        .enumerate()
        .find(|(_, p)| p.range.contains_inclusive(offset))?;
    let mut s = format!("`{}`\n\n", p.text.replace('`', "'"));
    s.push_str(&m(
        if p.exclusion {
            "hover.ignore.include"
        } else {
            "hover.ignore.exclude"
        },
        &[],
    ));
    let matcher = dockerignore::Matcher::new(&file).ok();
    match (context, &matcher) {
        (Some(c), Some(matcher)) => {
            if let Some(st) = context::pattern_stats(&file, matcher, index, c) {
                s.push_str("\n\n");
                if st.files + st.dirs == 0 && st.unscanned.is_empty() {
                    s.push_str(&m("hover.ignore.nothing", &[]));
                } else {
                    let examples: Vec<String> = st.examples.iter().map(|e| format!("`{e}`")).collect();
                    s.push_str(&m(
                        "hover.ignore.matches",
                        &[
                            ("files", st.files.to_string()),
                            ("dirs", st.dirs.to_string()),
                            ("examples", examples.join(", ")),
                        ],
                    ));
                    s.push(' ');
                    s.push_str(&m("hover.ignore.decides", &[("count", st.decided.to_string())]));
                }
                if !st.unscanned.is_empty() {
                    let dirs: Vec<String> = st.unscanned.iter().take(5).map(|d| format!("`{d}/`")).collect();
                    s.push_str("\n\n");
                    s.push_str(&m("hover.ignore.unscanned", &[("dirs", dirs.join(", "))]));
                }
                if st.partial {
                    s.push_str("\n\n");
                    s.push_str(&m("hover.ignore.partial", &[]));
                }
            }
        }
        (None, _) => {
            s.push_str("\n\n");
            s.push_str(&m("hover.ignore.no-context", &[]));
        }
        _ => {}
    }
    let mut here: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.range.contains_inclusive(offset))
        .collect();
    here.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(b.code)));
    here.dedup_by_key(|d| d.code);
    for r in here.iter().filter_map(|d| rules::rule(d.code)) {
        s.push_str("\n\n---\n");
        s.push_str(&rule_markdown(r, locale));
    }
    Some((s, p.range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_markdown_follows_the_locale() {
        let r = rules::rule("DW101").unwrap();
        let ja = rule_markdown(r, Locale::Ja);
        assert!(
            ja.starts_with("**DW101 root-user**: 最終ステージが root で実行されます。\n"),
            "{ja}"
        );
        let at = |h: &str| ja.find(h).unwrap_or_else(|| panic!("{h} in {ja}"));
        assert!(at("### 検出内容") < at("### なぜ問題か") && at("### なぜ問題か") < at("### 対処法"));
        assert!(at("### 対処法") < at("### 修正の安全性"));
        assert!(!ja.contains("What it does") && !ja.contains("## 日本語"), "{ja}");
        let en = rule_markdown(r, Locale::En);
        assert!(
            en.starts_with("**DW101 root-user**: The final stage runs as root.\n"),
            "{en}"
        );
        assert!(
            en.contains("### Why is this bad?") && !en.contains("なぜ問題か"),
            "{en}"
        );
    }
    use crate::syntax::parse;

    #[test]
    fn hovers_keywords_images_and_pragmas() {
        let src = "FROM node:22 AS build\n# dockward ignore=DW002\nRNU x\nFROM build\nFROM node:0.1-nope\nFROM bitnami/node\n";
        let tree = parse(src);
        let lines = LineIndex::new(src);
        let at = |s: &str| src.find(s).unwrap() as u32 + 1;
        let h = |offset: u32, diagnostics: &[Diagnostic], locale: Locale| {
            hover(&HoverInput {
                tree: &tree,
                text: src,
                lines: &lines,
                diagnostics,
                offset,
                locale,
                today: Date::new(2026, 11, 28),
                trusted: &[],
            })
        };
        let (md, r) = h(at("FROM node:22"), &[], Locale::En).unwrap();
        assert!(md.contains("build stage"), "{md}");
        assert_eq!(&src[r.as_usize()], "FROM");
        let (md, _) = h(at("node:22"), &[], Locale::En).unwrap();
        assert!(md.contains("Docker Official Image") && md.contains("`22`"), "{md}");
        assert!(
            md.contains("Node.js 22: end of life on 2027-04-30, in 153 days"),
            "{md}"
        );
        let (md, _) = h(at("node:0.1"), &[], Locale::En).unwrap();
        assert!(md.contains("not among the tags"), "{md}");
        let (md, _) = h(at("bitnami"), &[], Locale::En).unwrap();
        assert!(md.contains("trusted vendor: Bitnami"), "{md}");
        let (md, _) = h(at("build\nFROM node:0"), &[], Locale::En).unwrap();
        assert!(md.contains("Build stage `build`"), "{md}");
        let (md, _) = h(at("DW002"), &[], Locale::En).unwrap();
        assert!(md.starts_with("**DW002 unknown-instruction**"), "{md}");
        let (md, _) = h(at("FROM node:22"), &[], Locale::Ja).unwrap();
        assert!(md.contains("ビルドステージ"), "{md}");
        // The element first, then the rules of the diagnostics there.
        let old = "FROM node:16-alpine\n";
        let tree = parse(old);
        let settings = crate::settings::Settings::default();
        let ds = crate::check::check(&crate::check::Input::new(old, Date::new(2026, 11, 28)), &settings);
        let (md, r) = hover(&HoverInput {
            tree: &tree,
            text: old,
            lines: &LineIndex::new(old),
            diagnostics: &ds,
            offset: 11,
            locale: Locale::En,
            today: Date::new(2026, 11, 28),
            trusted: &[],
        })
        .unwrap();
        assert!(md.starts_with("**docker.io/library/node:16-alpine**"), "{md}");
        assert!(
            md.contains("Node.js 16: end of life on 2023-09-11, 1174 days ago"),
            "{md}"
        );
        assert!(md.contains("\n\n---\n**DW105 end-of-life-base-image**"), "{md}");
        assert_eq!(&old[r.as_usize()], "node:16-alpine");
    }

    #[test]
    fn hovers_ignore_patterns_with_what_they_match() {
        let ctx = crate::check::Context {
            entries: ["node_modules", "node_modules/a.js", "src", "src/a.log"]
                .iter()
                .map(|p| crate::check::ContextEntry {
                    path: p.to_string(),
                    kind: if p.contains('.') {
                        crate::check::EntryKind::File
                    } else {
                        crate::check::EntryKind::Dir
                    },
                })
                .collect(),
            complete: true,
            pruned: vec!["node_modules".into()],
        };
        let text = "node_modules\n!keep\n*.md\n";
        let (h, r) = ignore_hover(text, &[], 3, Some(&ctx), Locale::En).unwrap();
        assert_eq!(r, TextRange::new(0, 12));
        assert!(
            h.contains("Excludes") && h.contains("files 1, directories 1") && h.contains("`node_modules`"),
            "{h}"
        );
        assert!(h.contains("content of `node_modules/`"), "{h}");
        let (h, _) = ignore_hover(text, &[], 14, Some(&ctx), Locale::En).unwrap();
        assert!(h.contains("Exception") && h.contains("matches nothing"), "{h}");
        let (h, _) = ignore_hover(text, &[], 20, None, Locale::Ja).unwrap();
        assert!(h.contains("まだ走査されていません"), "{h}");
        assert!(ignore_hover(text, &[], 13, Some(&ctx), Locale::En).is_some_and(|(_, r)| r.start == 13));
    }
}
