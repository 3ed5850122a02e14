//! Hover: the rule behind a diagnostic, an instruction's short documentation, what the engine knows
//! about an image reference, and the rule a suppression code names; in ignore files, what a pattern
//! matches in the build context.

use crate::check::Context;
use crate::context;
use crate::data;
use crate::diagnostic::Diagnostic;
use crate::messages::{self, Locale};
use crate::model::{Base, Model};
use crate::rules::{self, Rule};
use crate::suppress;
use crate::syntax::{Args, Dockerfile, Kind, dockerignore};
use crate::text::TextRange;

/// Markdown for a rule: its summary and the sections that explain it.
pub fn rule_markdown(r: &Rule) -> String {
    let mut s = format!("**{} {}**: {}\n", r.code, r.name, r.summary());
    for h in ["What it does", "Why is this bad?", "Use instead", "Fix safety"] {
        if let Some(body) = r.section(h) {
            s.push_str(&format!("\n### {h}\n{body}\n"));
        }
    }
    s
}

/// The hover text at `offset`, and the range it describes.
pub fn hover(
    tree: &Dockerfile,
    text: &str,
    diagnostics: &[Diagnostic],
    offset: u32,
    locale: Locale,
) -> Option<(String, TextRange)> {
    // A suppression code names a rule.
    for p in suppress::pragmas(tree, text) {
        for c in &p.codes {
            if c.range.contains_inclusive(offset)
                && let Some(r) = c.rules.first()
            {
                return Some((rule_markdown(r), c.range));
            }
        }
    }
    // Diagnostics under the cursor: their rules, most severe first.
    let mut here: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.range.contains_inclusive(offset))
        .collect();
    here.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(b.code)));
    here.dedup_by_key(|d| d.code);
    if !here.is_empty() {
        let range = here
            .iter()
            .map(|d| d.range)
            .reduce(|a, b| a.cover(b))
            .unwrap_or_default();
        let parts: Vec<String> = here
            .iter()
            .filter_map(|d| rules::rule(d.code))
            .map(rule_markdown)
            .collect();
        return Some((parts.join("\n---\n"), range));
    }
    let i = tree.item_at(offset)?;
    let item = tree.item(i)?;
    let ins = item.instruction()?;
    let kw = item.abs(ins.keyword.range);
    if kw.contains_inclusive(offset) && ins.kind != Kind::Unknown {
        let doc = messages::render(locale, &format!("hover.instruction.{}", ins.kind.keyword()), &[]);
        return Some((doc, kw));
    }
    if let (Kind::From, Args::From(f)) = (ins.kind, &ins.args)
        && let Some(img) = f.image
        && item.abs(img.range).contains_inclusive(offset)
    {
        let model = Model::build(tree);
        let stage = model.stage_from(i)?;
        return Some((image_markdown(&model, stage.index, locale), item.abs(img.range)));
    }
    None
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
        s.push_str(&rule_markdown(r));
    }
    Some((s, p.range))
}

fn image_markdown(model: &Model, stage: usize, locale: Locale) -> String {
    let st = &model.stages[stage];
    let m = |id: &str, args: &[(&str, String)]| messages::render(locale, id, args);
    match &st.base {
        Base::Stage(p) => {
            let parent = &model.stages[*p];
            m(
                "hover.stage",
                &[
                    ("name", parent.name.clone().unwrap_or_default()),
                    ("index", (p + 1).to_string()),
                ],
            )
        }
        Base::Image(r) => {
            let mut s = format!("**{}**\n\n", r.canonical());
            let snapshot = data::official_images_snapshot().date.to_string();
            if r.is_library() {
                let name = r.repository().to_string();
                s.push_str(&m("hover.official", &[("name", name.clone())]));
                if let (Some(img), Some(tag)) = (data::official_image(&name), r.effective_tag()) {
                    s.push('\n');
                    s.push('\n');
                    if img.has_tag(tag) {
                        s.push_str(&m(
                            "hover.tag-supported",
                            &[("tag", tag.to_string()), ("date", snapshot)],
                        ));
                    } else {
                        s.push_str(&m(
                            "hover.tag-unsupported",
                            &[("tag", tag.to_string()), ("date", snapshot)],
                        ));
                        let some: Vec<String> = img.tags().rev().take(8).map(|t| format!("`{t}`")).collect();
                        s.push_str("\n\n");
                        s.push_str(&m("hover.tags", &[("tags", some.join(", "))]));
                    }
                }
            } else {
                s.push_str(&m("hover.not-official", &[("name", r.familiar_name())]));
            }
            s
        }
        _ => st.image_text.clone().map(|t| format!("`{t}`")).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn hovers_keywords_images_and_pragmas() {
        let src = "FROM node:22 AS build\n# dockward ignore=DW002\nRNU x\nFROM build\nFROM node:0.1-nope\nFROM bitnami/node\n";
        let tree = parse(src);
        let at = |s: &str| src.find(s).unwrap() as u32 + 1;
        let (h, r) = hover(&tree, src, &[], at("FROM node:22"), Locale::En).unwrap();
        assert!(h.contains("build stage"), "{h}");
        assert_eq!(&src[r.as_usize()], "FROM");
        let (h, _) = hover(&tree, src, &[], at("node:22"), Locale::En).unwrap();
        assert!(h.contains("Docker Official Image") && h.contains("`22`"), "{h}");
        let (h, _) = hover(&tree, src, &[], at("node:0.1"), Locale::En).unwrap();
        assert!(h.contains("not among the tags"), "{h}");
        let (h, _) = hover(&tree, src, &[], at("bitnami"), Locale::En).unwrap();
        assert!(h.contains("Not a Docker Official Image"), "{h}");
        let (h, _) = hover(&tree, src, &[], at("build\nFROM node:0"), Locale::En).unwrap();
        assert!(h.contains("Build stage `build`"), "{h}");
        let (h, _) = hover(&tree, src, &[], at("DW002"), Locale::En).unwrap();
        assert!(h.starts_with("**DW002 unknown-instruction**"), "{h}");
        let (h, _) = hover(&tree, src, &[], at("FROM node:22"), Locale::Ja).unwrap();
        assert!(h.contains("ビルドステージ"), "{h}");
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
