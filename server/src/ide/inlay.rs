//! Inlay hints in Dockerfiles, each kind configurable (`dockward.inlayHints`, `[inlay-hints]`):
//!
//! - `values`: the image a `FROM` that uses variables resolves to (`FROM node:${V}` → `= node:22.1`);
//! - `user`: the effective user at the end of each stage (`user: root`), on the stage's last line, with a
//!   tooltip saying where it comes from and why root matters;
//! - `eol`: the end-of-life date beside an image whose tag names release cycles with one
//!   (`EOL 2025-04-30`, past or upcoming), read with `images::tags` as DW105 reads it.
//!
//! Only hints whose position lies in the requested range are computed into the answer.

use crate::data::{Date, Eol};
use crate::images::tags;
use crate::images::users::{DefaultUser, default_user};
use crate::messages::{self, Locale};
use crate::model::refs::{self, Target};
use crate::model::{Base, EffectiveUser, Model};
use crate::syntax::Dockerfile;
use crate::text::{LineIndex, TextRange};

/// Which hints to show (all by default).
pub use crate::settings::InlayHints as Options;

/// What a hint shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HintKind {
    /// A resolved value (`= node:22.1`).
    Value,
    /// An end-of-life date.
    Eol,
    /// The effective user at the end of a stage.
    User,
}

/// One inlay hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// Where it is shown (a byte offset; the hint comes after the text before it).
    pub offset: u32,
    pub label: String,
    /// Markdown.
    pub tooltip: Option<String>,
    pub kind: HintKind,
}

/// What inlay hints read.
pub struct Input<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub tree: &'a Dockerfile,
    pub model: &'a Model,
    /// Only hints positioned in this range (ends included).
    pub range: TextRange,
    pub today: Date,
    pub locale: Locale,
    pub options: Options,
}

/// The hints in `input.range`, by position.
pub fn inlay_hints(input: &Input) -> Vec<Hint> {
    let m = |id: &str, args: &[(&str, String)]| messages::render(input.locale, id, args);
    let model = input.model;
    let within = |o: u32| input.range.contains_inclusive(o);
    let mut out = Vec::new();
    if input.options.values {
        for st in &model.stages {
            if let (true, Some(r), Some(v)) = (st.image_uses_vars, st.image_range, &st.image_expanded)
                && within(r.end)
            {
                out.push(Hint {
                    offset: r.end,
                    label: format!("= {v}"),
                    tooltip: None,
                    kind: HintKind::Value,
                });
            }
        }
    }
    if input.options.eol {
        for u in refs::image_uses(input.text, input.tree, model) {
            if !within(u.range.end) {
                continue;
            }
            let Target::Image(r) = &u.target else { continue };
            let Some(tag) = r.tag.as_deref() else { continue };
            let repository = format!("{}/{}", r.domain, r.path);
            let cycles = tags::cycles(&repository, tag);
            let dated: Vec<_> = cycles
                .iter()
                .filter_map(|c| match c.release.eol {
                    Eol::Date(d) => Some((d, c)),
                    _ => None,
                })
                .collect();
            let Some(earliest) = dated.iter().map(|(d, _)| *d).min() else {
                continue;
            };
            let tooltip: Vec<String> = dated
                .iter()
                .map(|(d, c)| {
                    let days = input.today.days_until(*d);
                    let when = match days {
                        0 => m("inlay.eol.today", &[]),
                        n if n < 0 => m("inlay.eol.past", &[("days", (-n).to_string())]),
                        n => m("inlay.eol.future", &[("days", n.to_string())]),
                    };
                    m(
                        "inlay.eol.tooltip",
                        &[
                            ("release", format!("{} {}", c.product.title, c.release.cycle)),
                            ("date", d.to_string()),
                            ("when", when),
                        ],
                    )
                })
                .collect();
            out.push(Hint {
                offset: u.range.end,
                label: m("inlay.eol", &[("date", earliest.to_string())]),
                tooltip: Some(tooltip.join("\n\n")),
                kind: HintKind::Eol,
            });
        }
    }
    if input.options.user {
        for st in &model.stages {
            // The end of the stage's last instruction (its last heredoc terminator included).
            let Some((item, ins)) = (st.from_item..st.items.end.max(st.from_item + 1))
                .rev()
                .filter_map(|i| input.tree.item(i))
                .find_map(|it| it.instruction().map(|ins| (it, ins)))
            else {
                continue;
            };
            let offset = item.abs(ins.full_range).end;
            if !within(offset) {
                continue;
            }
            let stage_name = st.name.clone().unwrap_or_else(|| st.index.to_string());
            let (user, why) = match model.user_at(st.index, usize::MAX) {
                EffectiveUser::Set { def, .. } => (
                    def.user().map(str::to_string),
                    m(
                        "inlay.user.from-user",
                        &[("line", (input.lines.line_of(def.range.start) + 1).to_string())],
                    ),
                ),
                EffectiveUser::ImageDefault { stage } => match &model.stages[stage].base {
                    Base::Image(r) => {
                        let from_image = m("inlay.user.from-image", &[("image", r.familiar_name())]);
                        match default_user(r) {
                            DefaultUser::Root | DefaultUser::DropsPrivileges(_) => (Some("root".into()), from_image),
                            DefaultUser::NonRoot { user } if !user.is_empty() => (Some(user.to_string()), from_image),
                            DefaultUser::Windows => continue,
                            DefaultUser::NonRoot { .. } | DefaultUser::Unknown => {
                                (None, m("inlay.user.unknown-image", &[]))
                            }
                        }
                    }
                    Base::Scratch => (
                        Some("root".into()),
                        m("inlay.user.from-image", &[("image", "scratch".into())]),
                    ),
                    _ => (None, m("inlay.user.unknown-image", &[])),
                },
            };
            let (label, tooltip) = match &user {
                Some(u) if u == "root" || u == "0" => (
                    m("inlay.user", &[("user", u.clone())]),
                    m("inlay.user.root-tooltip", &[("stage", stage_name), ("why", why)]),
                ),
                Some(u) => (
                    m("inlay.user", &[("user", u.clone())]),
                    m(
                        "inlay.user.tooltip",
                        &[("stage", stage_name), ("user", u.clone()), ("why", why)],
                    ),
                ),
                None => (m("inlay.user.unknown", &[]), why),
            };
            out.push(Hint {
                offset,
                label,
                tooltip: Some(tooltip),
                kind: HintKind::User,
            });
        }
    }
    out.sort_by_key(|h| (h.offset, h.kind));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn hints(src: &str, options: Options, range: Option<TextRange>) -> Vec<(String, String)> {
        let tree = parse(src);
        let model = Model::build(&tree);
        let lines = LineIndex::new(src);
        inlay_hints(&Input {
            text: src,
            lines: &lines,
            tree: &tree,
            model: &model,
            range: range.unwrap_or(TextRange::new(0, src.len() as u32)),
            today: Date::new(2026, 11, 28),
            locale: Locale::En,
            options,
        })
        .into_iter()
        .map(|h| {
            (
                src[..h.offset as usize].lines().last().unwrap_or("").to_string(),
                h.label,
            )
        })
        .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn values_users_and_end_of_life() {
        let src = "ARG V=22.1\nFROM node:${V} AS build\nRUN npm ci\nFROM scratch\nCOPY --from=build /a /a\nFROM build\nUSER app\nRUN <<EOF\nid\nEOF\nFROM myorg/app:1\n";
        assert_eq!(
            hints(src, Options::default(), None),
            pairs(&[
                ("FROM node:${V}", "= node:22.1"),
                ("FROM node:${V}", "EOL 2027-04-30"),
                ("RUN npm ci", "user: root"),
                ("COPY --from=build /a /a", "user: root"),
                ("EOF", "user: app"),
                ("FROM myorg/app:1", "user: ?"),
            ])
        );
        // Each kind can be turned off; only the requested range is answered.
        let only_users = Options {
            values: false,
            eol: false,
            user: true,
        };
        assert!(hints(src, only_users, None).iter().all(|(_, l)| l.starts_with("user:")));
        let line3 = src.find("RUN npm").unwrap() as u32;
        assert_eq!(
            hints(src, Options::default(), Some(TextRange::new(line3, line3 + 10))),
            pairs(&[("RUN npm ci", "user: root")])
        );
    }

    #[test]
    fn the_earliest_end_of_life_of_a_tag_is_shown() {
        let src = "FROM python:3.8-slim-buster\nUSER 10001\n";
        // Python 3.8 ends on 2024-10-07, Debian 10 (the `buster` variant) on 2022-09-10.
        let h = hints(src, Options::default(), None);
        assert_eq!(h[0], ("FROM python:3.8-slim-buster".into(), "EOL 2022-09-10".into()));
        assert_eq!(h[1], ("USER 10001".into(), "user: 10001".into()));
    }
}
