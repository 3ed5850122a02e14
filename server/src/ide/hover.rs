//! Hover in Dockerfiles: what the engine knows about the thing under the cursor, as markdown.
//!
//! - a flag (`--mount`, `--network`, ...) or a `--mount` option and value: a short documentation;
//! - a variable reference (`$V`, `${V}`, in Docker-expanded arguments and in shell commands) or a
//!   variable's definition: where it is defined (ARG or ENV, line) and the value it has at that point, or
//!   that it is not known there;
//! - a stage reference (`FROM build`, `COPY --from=build`, `--mount=from=build`) or a stage name: which
//!   stage, its base image and its line;
//! - an image reference: whether it is an official image, a trusted vendor's, a user-trusted or an
//!   untrusted one, whether its tag is still built, the end of life of the release cycles its tag names
//!   relative to `today`, and supported tags;
//! - a parser directive.
//!
//! Instruction keywords, suppression codes and the rules behind diagnostics are answered by the
//! language server's `lsp/hover.rs`, which calls this module for everything else.

use crate::data::{self, Date, Eol};
use crate::ide::completion::tag_items;
use crate::ide::flags;
use crate::images::{tags, trust};
use crate::messages::{self, Locale};
use crate::model::refs::{self, Target};
use crate::model::{AUTOMATIC_ARGS, ImageRef, Model, VarDef, VarKind};
use crate::syntax::shellword::Lookup;
use crate::syntax::{Dockerfile, Instruction, NodeKind};
use crate::text::{LineIndex, TextRange, floor_char_boundary};

/// What hover reads.
pub struct Input<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub tree: &'a Dockerfile,
    pub model: &'a Model,
    pub offset: u32,
    /// End-of-life dates are told relative to it.
    pub today: Date,
    pub locale: Locale,
    /// The user's `trusted-registries` entries.
    pub trusted: &'a [String],
}

/// The markdown for the element at `input.offset`, and the range it describes.
pub fn hover(input: &Input) -> Option<(String, TextRange)> {
    let h = Hover { input };
    h.at()
}

struct Hover<'a, 'i> {
    input: &'i Input<'a>,
}

impl Hover<'_, '_> {
    fn msg(&self, id: &str, args: &[(&str, String)]) -> String {
        messages::render(self.input.locale, id, args)
    }

    fn line_of(&self, offset: u32) -> u32 {
        self.input.lines.line_of(offset) + 1
    }

    fn at(&self) -> Option<(String, TextRange)> {
        let input = self.input;
        let off = floor_char_boundary(input.text, input.offset as usize) as u32;
        let tree = input.tree;
        for d in &tree.directives {
            if d.range.contains_inclusive(off) {
                let id = format!("directive.{}", d.name);
                return messages::exists(&id).then(|| (self.msg(&id, &[]), d.range));
            }
        }
        let index = tree.item_at(off)?;
        let item = tree.item(index)?;
        let NodeKind::Instruction(ins) = &item.node.kind else {
            return None;
        };
        let start = item.start;
        let rel = off - start.min(off);
        let ins = match ins.onbuild_inner() {
            Some(inner) if inner.keyword.range.start <= rel => inner,
            _ => ins,
        };
        if let Some(h) = self.variable_use(index, start, ins, rel) {
            return Some(h);
        }
        if let Some(h) = self.variable_def(index, off) {
            return Some(h);
        }
        if ins.may_hold_image() {
            let uses = refs::image_uses(input.text, tree, input.model);
            if let Some(u) = uses.iter().find(|u| u.item == index && u.range.contains_inclusive(off)) {
                return Some((self.target(&u.target, u.expanded.as_deref()), u.range));
            }
        }
        if let Some(st) = input.model.stage_from(index)
            && let (Some(name), Some(r)) = (&st.name, st.name_range)
            && r.contains_inclusive(off)
        {
            let uses = refs::image_uses(input.text, tree, input.model);
            let count = uses.iter().filter(|u| u.target == Target::Stage(st.index)).count();
            let md = self.msg(
                "hover.stage-def",
                &[
                    ("name", name.clone()),
                    ("index", st.index.to_string()),
                    ("base", st.image_text.clone().unwrap_or_default()),
                    ("count", count.to_string()),
                ],
            );
            return Some((md, r));
        }
        self.flag(start, ins, rel)
    }

    // ----- flags ---------------------------------------------------------------------------------

    fn flag(&self, start: u32, ins: &Instruction, rel: u32) -> Option<(String, TextRange)> {
        let f = ins.flags.iter().find(|f| f.span.range.contains_inclusive(rel))?;
        let doc = flags::flag_doc(ins.kind, &f.name)?;
        let head_end = f.name_range.end;
        if rel <= head_end || f.value_range.is_none() {
            let md = format!(
                "{}\n\n{}",
                self.msg(
                    "hover.flag",
                    &[("name", doc.name.to_string()), ("signature", doc.signature.to_string())]
                ),
                self.msg(&flags::flag_message(doc.name), &[])
            );
            return Some((md, TextRange::new(f.span.range.start, head_end).shift(start)));
        }
        let value = f.value.as_deref().unwrap_or("");
        if doc.name == "mount" {
            let fields = f.fields();
            let ty = fields
                .iter()
                .find(|x| x.key.eq_ignore_ascii_case("type"))
                .and_then(|x| x.value.clone())
                .unwrap_or_else(|| "bind".into());
            let field = fields
                .iter()
                .find(|x| x.range.contains_inclusive(rel) && f.value_is_verbatim)?;
            let key = flags::mount_key_canonical(&field.key)?;
            if let (Some(vr), Some(v)) = (field.value_range, &field.value)
                && vr.contains_inclusive(rel)
            {
                let id = flags::value_message(key, &v.to_ascii_lowercase())?;
                let md = format!(
                    "{}\n\n{}",
                    self.msg("hover.value", &[("value", format!("{key}={v}"))]),
                    self.msg(&id, &[])
                );
                return Some((md, vr.shift(start)));
            }
            let md = format!(
                "{}\n\n{}",
                self.msg("hover.mount-key", &[("key", field.key.clone()), ("type", ty)]),
                self.msg(&flags::mount_key_message(key), &[])
            );
            return Some((md, field.key_range.shift(start)));
        }
        let id = flags::value_message(doc.name, &value.to_ascii_lowercase())?;
        let vr = f.value_range?;
        let md = format!(
            "{}\n\n{}",
            self.msg("hover.value", &[("value", format!("--{}={value}", doc.name))]),
            self.msg(&id, &[])
        );
        Some((md, vr.shift(start)))
    }

    // ----- variables -----------------------------------------------------------------------------

    fn variable_use(&self, index: usize, start: u32, ins: &Instruction, rel: u32) -> Option<(String, TextRange)> {
        let found = ins
            .var_uses
            .iter()
            .find(|v| v.range.contains_inclusive(rel))
            .cloned()
            .or_else(|| {
                ins.shell_var_uses()
                    .into_iter()
                    .find(|v| v.range.contains_inclusive(rel))
            })?;
        let name = ins.text(&found.name).to_string();
        if name.is_empty() {
            return None;
        }
        Some((self.variable(index, index, &name), found.range.shift(start)))
    }

    fn variable_def(&self, index: usize, off: u32) -> Option<(String, TextRange)> {
        let model = self.input.model;
        let def = match model.item_stage.get(index).copied().flatten() {
            Some(s) => model.stages[s]
                .vars
                .iter()
                .find(|v| v.item == index && v.name_range.contains_inclusive(off)),
            None => model
                .global_args
                .iter()
                .find(|v| v.item == index && v.name_range.contains_inclusive(off)),
        }?;
        // The value it has just after its definition.
        Some((self.variable(index, index + 1, &def.name), def.name_range))
    }

    /// What variable `name` is in the scope of item `index`, just before item `before`.
    fn variable(&self, index: usize, before: usize, name: &str) -> String {
        let model = self.input.model;
        let stage = model.item_stage.get(index).copied().flatten();
        // FROM lines and ARGs before the first FROM see the global scope.
        let global = model.stage_from(index).is_some() || stage.is_none();
        let value_line = |def: &VarDef, value: Option<&str>| match value {
            Some(v) if def.kind == VarKind::Arg => self.msg(
                "hover.var.value-default",
                &[("value", v.to_string()), ("name", name.to_string())],
            ),
            Some(v) => self.msg("hover.var.value", &[("value", v.to_string())]),
            None => self.msg("hover.var.unknown", &[]),
        };
        if global {
            return match model
                .global_args
                .iter()
                .rev()
                .find(|g| g.name == name && g.item < before)
            {
                Some(g) => format!(
                    "{}\n\n{}",
                    self.msg(
                        "hover.var.global",
                        &[
                            ("name", name.to_string()),
                            ("line", self.line_of(g.name_range.start).to_string())
                        ]
                    ),
                    value_line(g, g.value.known())
                ),
                None if AUTOMATIC_ARGS.contains(&name) => {
                    self.msg("hover.var.automatic", &[("name", name.to_string())])
                }
                None => self.msg("hover.var.undeclared", &[("name", name.to_string())]),
            };
        }
        let Some(s) = stage else {
            return self.msg("hover.var.undeclared", &[("name", name.to_string())]);
        };
        let st = &model.stages[s];
        let visible = |v: &&VarDef| v.name == name && (v.item < before || v.item < st.from_item);
        let env = st.vars.iter().filter(|v| v.kind == VarKind::Env).rev().find(visible);
        let arg = st
            .vars
            .iter()
            .filter(|v| v.kind == VarKind::Arg && v.item >= st.from_item)
            .rev()
            .find(visible);
        let Some(def) = env.or(arg) else {
            return self.msg("hover.var.undeclared", &[("name", name.to_string())]);
        };
        let id = match def.kind {
            VarKind::Arg => "hover.var.arg",
            VarKind::Env => "hover.var.env",
        };
        let value = match model.lookup(s, before, name) {
            Lookup::Set(v) => Some(v),
            _ => None,
        };
        format!(
            "{}\n\n{}",
            self.msg(
                id,
                &[
                    ("name", name.to_string()),
                    ("line", self.line_of(def.name_range.start).to_string())
                ]
            ),
            value_line(def, value.as_deref())
        )
    }

    // ----- stages and images -----------------------------------------------------------------------

    fn target(&self, target: &Target, expanded: Option<&str>) -> String {
        let model = self.input.model;
        match target {
            Target::Stage(s) => {
                let st = &model.stages[*s];
                let line = self
                    .input
                    .tree
                    .item(st.from_item)
                    .map_or(0, |it| self.line_of(it.start));
                self.msg(
                    "hover.stage-ref",
                    &[
                        ("name", st.name.clone().unwrap_or_else(|| s.to_string())),
                        ("index", s.to_string()),
                        ("line", line.to_string()),
                        ("base", st.image_text.clone().unwrap_or_default()),
                    ],
                )
            }
            Target::Image(r) => image_markdown(r, self.input.today, self.input.locale, self.input.trusted),
            Target::Scratch => self.msg("hover.image.scratch", &[]),
            Target::Unresolved | Target::Invalid(_) => {
                let mut s = self.msg("hover.image.unresolved", &[]);
                if let Some(e) = expanded {
                    s = format!("`{e}`\n\n{s}");
                }
                s
            }
        }
    }
}

/// Everything known about an image: trust, whether its tag is still built, the end of life of the
/// release cycles its tag names (relative to `today`), and some supported tags.
pub fn image_markdown(r: &ImageRef, today: Date, locale: Locale, trusted: &[String]) -> String {
    let m = |id: &str, args: &[(&str, String)]| messages::render(locale, id, args);
    let mut parts = vec![format!("**{}**", r.canonical())];
    parts.push(match trust::trust(r, trusted) {
        trust::Trust::Official => m("hover.official", &[("name", r.repository().to_string())]),
        trust::Trust::Vendor(v) => m("hover.image.vendor", &[("vendor", v.to_string())]),
        trust::Trust::User(e) => m("hover.image.user-trusted", &[("entry", e)]),
        trust::Trust::RetiredOfficial(s) => m("hover.image.retired", &[("successor", s.to_string())]),
        trust::Trust::LocalOrUnknown => m("hover.image.local", &[]),
        trust::Trust::OwnRegistry => m("hover.image.own-registry", &[("domain", r.domain.clone())]),
        trust::Trust::Untrusted => m("hover.image.untrusted", &[("name", r.familiar_name())]),
    });
    let official = data::official_image(r.repository()).filter(|_| r.is_library());
    let snapshot = data::official_images_snapshot().date.to_string();
    if let (Some(img), Some(tag)) = (official, r.effective_tag()) {
        let args = [("tag", tag.to_string()), ("date", snapshot)];
        if img.has_tag(tag) {
            parts.push(m("hover.tag-supported", &args));
        } else {
            parts.push(m("hover.tag-unsupported", &args));
        }
    }
    if let Some(tag) = r.effective_tag() {
        let repository = format!("{}/{}", r.domain, r.path);
        for c in tags::cycles(&repository, tag) {
            let release = format!("{} {}", c.product.title, c.release.cycle);
            parts.push(match c.release.eol {
                Eol::Date(d) => {
                    let days = today.days_until(d);
                    let args = [
                        ("release", release),
                        ("date", d.to_string()),
                        ("days", days.abs().to_string()),
                    ];
                    match days {
                        0 => m("hover.image.eol-today", &args),
                        d if d < 0 => m("hover.image.eol-past", &args),
                        _ => m("hover.image.eol-future", &args),
                    }
                }
                Eol::Ended => m("hover.image.eol-ended", &[("release", release)]),
                Eol::NotAnnounced => m("hover.image.eol-none", &[("release", release)]),
            });
        }
    }
    if let Some(img) = official {
        let some: Vec<String> = tag_items(img, today, locale)
            .iter()
            .filter(|(_, _, deprecated)| !deprecated)
            .take(8)
            .map(|(t, _, _)| format!("`{t}`"))
            .collect();
        if !some.is_empty() {
            parts.push(m("hover.tags", &[("tags", some.join(", "))]));
        }
    }
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn hover_at(src: &str, needle: &str, plus: usize, trusted: &[String]) -> Option<(String, String)> {
        let tree = parse(src);
        let model = Model::build(&tree);
        let lines = LineIndex::new(src);
        let offset = (src.find(needle)? + plus) as u32;
        hover(&Input {
            text: src,
            lines: &lines,
            tree: &tree,
            model: &model,
            offset,
            today: Date::new(2026, 11, 28),
            locale: Locale::En,
            trusted,
        })
        .map(|(md, r)| (md, src[r.as_usize()].to_string()))
    }

    #[test]
    fn variables_show_where_they_are_defined_and_their_value_there() {
        let src = "ARG V=1\nFROM alpine:3.24\nARG V\nARG X\nENV E=$V-env V=shadow\nENV V=env\nRUN echo $V $X ${E}\n";
        let (md, r) = hover_at(src, "$V $X", 1, &[]).unwrap();
        assert_eq!(r, "$V");
        assert!(
            md.contains("environment variable set on line 6") && md.contains("`env`"),
            "{md}"
        );
        let (md, _) = hover_at(src, "$X", 1, &[]).unwrap();
        assert!(
            md.contains("declared on line 4") && md.contains("not known at this point"),
            "{md}"
        );
        let (md, r) = hover_at(src, "${E}", 2, &[]).unwrap();
        assert_eq!(r, "${E}");
        assert!(md.contains("`1-env`"), "{md}");
        // A definition shows the value it gives.
        let (md, r) = hover_at(src, "ARG V=1", 4, &[]).unwrap();
        assert_eq!(r, "V");
        assert!(md.contains("global build argument") && md.contains("`1`"), "{md}");
        let (md, _) = hover_at("FROM alpine\nRUN echo $HOME\n", "$HOME", 1, &[]).unwrap();
        assert!(md.contains("not declared in this scope"), "{md}");
        let (md, _) = hover_at("FROM --platform=$BUILDPLATFORM alpine\n", "$BUILD", 2, &[]).unwrap();
        assert!(md.contains("set by BuildKit"), "{md}");
    }

    #[test]
    fn flags_mount_options_and_values_have_docs() {
        let src = "FROM alpine\nRUN --mount=type=cache,target=/root/.cache,sharing=locked --security=insecure make\n";
        let (md, r) = hover_at(src, "--mount", 3, &[]).unwrap();
        assert_eq!(r, "--mount");
        assert!(md.contains("for this command only"), "{md}");
        let (md, r) = hover_at(src, "target=", 2, &[]).unwrap();
        assert_eq!(r, "target");
        assert!(
            md.contains("type `cache`") && md.contains("Where it is mounted"),
            "{md}"
        );
        let (md, r) = hover_at(src, "locked", 2, &[]).unwrap();
        assert_eq!(r, "locked");
        assert!(md.contains("waits until the cache is released"), "{md}");
        let (md, _) = hover_at(src, "insecure", 2, &[]).unwrap();
        assert!(md.contains("privileged"), "{md}");
    }

    #[test]
    fn stages_and_images() {
        let src = "FROM golang:1.26 AS build\nFROM alpine:3.24\nCOPY --from=build /a /a\nRUN --mount=from=build,target=/b true\nCOPY --from=someone/nginx:1 /x /x\nCOPY --from=ghcr.io/acme/tool:1 /y /y\nCOPY --from=registry.example.com/team/x:1 /z /z\n";
        let (md, r) = hover_at(src, "build /a", 1, &[]).unwrap();
        assert_eq!(r, "build");
        assert!(
            md.contains("Build stage `build` (stage 0, line 1), built from `golang:1.26`"),
            "{md}"
        );
        let (md, _) = hover_at(src, "AS build", 4, &[]).unwrap();
        assert!(md.contains("referenced 2 times"), "{md}");
        let (md, _) = hover_at(src, "someone", 1, &[]).unwrap();
        assert!(md.contains("check who publishes `someone/nginx`"), "{md}");
        let (md, _) = hover_at(src, "ghcr.io", 1, &["ghcr.io/acme".into()]).unwrap();
        assert!(md.contains("`trusted-registries` entry `ghcr.io/acme`"), "{md}");
        let (md, _) = hover_at(src, "registry.example", 1, &[]).unwrap();
        assert!(md.contains("private registry (`registry.example.com`)"), "{md}");
        let (md, _) = hover_at("FROM python:3.8-slim-buster\n", "python", 1, &[]).unwrap();
        assert!(
            md.contains("Python 3.8: end of life on 2024-10-07, 782 days ago"),
            "{md}"
        );
        assert!(
            md.contains("Debian 10 (Buster): end of life") || md.contains("Debian 10: end of life"),
            "{md}"
        );
        assert!(md.contains("Supported tags include: `3`"), "{md}");
    }
}
