//! Every place a Dockerfile names an image: `FROM <image>`, `COPY --from=<image>` and
//! `RUN --mount=...,from=<image>`, each resolved the way BuildKit does to an image, an earlier stage or
//! `scratch`.
//!
//! `--from` names a stage when it equals the name (case-insensitive) or the index of an earlier stage;
//! anything else is an image reference (or a named build context given with `--build-context`, which the
//! Dockerfile cannot tell apart; dockward treats it as an image).

use crate::model::{Base, ImageError, ImageRef, Model};
use crate::syntax::{Dockerfile, Kind};
use crate::text::TextRange;

/// Where an image is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseKind {
    /// `FROM <image>`.
    From,
    /// `COPY --from=<image>`.
    CopyFrom,
    /// `RUN --mount=...,from=<image>`.
    MountFrom,
}

/// What a reference designates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Image(ImageRef),
    /// An earlier stage, by index.
    Stage(usize),
    Scratch,
    /// Depends on values only known at build time.
    Unresolved,
    Invalid(ImageError),
}

/// One use of an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageUse {
    pub kind: UseKind,
    /// Item index of the instruction.
    pub item: usize,
    /// The stage the instruction belongs to (for FROM, the stage it starts).
    pub stage: usize,
    /// Absolute range of the reference as written.
    pub range: TextRange,
    pub written: String,
    /// The reference after variable expansion, when every variable is known.
    pub expanded: Option<String>,
    /// Whether `expanded` is `written` byte for byte, so offsets inside the expanded text (such as
    /// [`ImageRef::tag_span`]) are offsets from `range.start`.
    pub verbatim: bool,
    pub target: Target,
}

impl ImageUse {
    /// The image, when the reference designates one.
    pub fn image(&self) -> Option<&ImageRef> {
        match &self.target {
            Target::Image(r) => Some(r),
            _ => None,
        }
    }

    /// The absolute range of `span` (offsets into the expanded text), when the text is verbatim.
    pub fn sub_range(&self, span: (usize, usize)) -> Option<TextRange> {
        self.verbatim
            .then(|| TextRange::new(self.range.start + span.0 as u32, self.range.start + span.1 as u32))
    }
}

/// Every image reference of the file, in document order.
/// `src` is the file's text (the tree's source).
pub fn image_uses(src: &str, tree: &Dockerfile, model: &Model) -> Vec<ImageUse> {
    let mut out = Vec::new();
    for (it, ins) in tree.instructions() {
        let idx = it.index;
        match ins.kind {
            Kind::From => {
                let Some(st) = model.stage_from(idx) else {
                    continue;
                };
                let (Some(written), Some(range)) = (&st.image_text, st.image_range) else {
                    continue;
                };
                let target = match &st.base {
                    Base::Image(r) => Target::Image(r.clone()),
                    Base::Stage(s) => Target::Stage(*s),
                    Base::Scratch => Target::Scratch,
                    Base::Invalid(e) => Target::Invalid(e.clone()),
                    Base::Unresolved | Base::Missing => Target::Unresolved,
                };
                out.push(ImageUse {
                    kind: UseKind::From,
                    item: idx,
                    stage: st.index,
                    range,
                    written: written.clone(),
                    verbatim: st.image_expanded.as_deref() == Some(written.as_str()),
                    expanded: st.image_expanded.clone(),
                    target,
                });
            }
            Kind::Copy | Kind::Run => {
                let Some(stage) = model.item_stage.get(idx).copied().flatten() else {
                    continue;
                };
                for flag in &ins.flags {
                    if ins.kind == Kind::Copy && flag.name == "from" {
                        let (Some(value), Some(vr)) = (&flag.value, flag.value_range) else {
                            continue;
                        };
                        let written = src.get(it.abs(vr).as_usize()).unwrap_or("");
                        let verbatim = flag.value_is_verbatim;
                        out.push(resolve(
                            model,
                            UseKind::CopyFrom,
                            idx,
                            stage,
                            it.abs(vr),
                            written,
                            value,
                            verbatim,
                        ));
                    } else if ins.kind == Kind::Run && flag.name == "mount" {
                        let fields = flag.fields();
                        let Some(from) = fields.iter().find(|f| f.key == "from") else {
                            continue;
                        };
                        let (Some(value), Some(vr)) = (&from.value, from.value_range) else {
                            continue;
                        };
                        let written = src.get(it.abs(vr).as_usize()).unwrap_or("");
                        let verbatim = flag.value_is_verbatim && written == value;
                        out.push(resolve(
                            model,
                            UseKind::MountFrom,
                            idx,
                            stage,
                            it.abs(vr),
                            written,
                            value,
                            verbatim,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn resolve(
    model: &Model,
    kind: UseKind,
    item: usize,
    stage: usize,
    range: TextRange,
    written: &str,
    cooked: &str,
    verbatim: bool,
) -> ImageUse {
    let (expanded, verbatim) = if cooked.contains('$') {
        (model.value_in(stage, item, cooked), false)
    } else {
        (Some(cooked.to_string()), verbatim)
    };
    let target = match &expanded {
        None => Target::Unresolved,
        Some(v) => match earlier_stage(model, stage, v) {
            Some(s) => Target::Stage(s),
            None if v == "scratch" => Target::Scratch,
            None => match ImageRef::parse(v) {
                Ok(r) => Target::Image(r),
                Err(e) => Target::Invalid(e),
            },
        },
    };
    ImageUse {
        kind,
        item,
        stage,
        range,
        written: written.to_string(),
        expanded,
        verbatim: verbatim && target_is_verbatim(written, cooked),
        target,
    }
}

fn target_is_verbatim(written: &str, cooked: &str) -> bool {
    written == cooked
}

/// The stage `name` designates from inside stage `current`: an earlier stage's name or index.
fn earlier_stage(model: &Model, current: usize, name: &str) -> Option<usize> {
    // The first stage of that name: if it is not before `current`, no earlier one is.
    if let Some(i) = model.first_stage_named(name).filter(|&i| i < current) {
        return Some(model.stages[i].index);
    }
    name.parse::<usize>().ok().filter(|&i| i < current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn uses(src: &str) -> Vec<ImageUse> {
        let tree = parse(src);
        let model = Model::build(&tree);
        image_uses(src, &tree, &model)
    }

    #[test]
    fn finds_from_copy_from_and_mount_from() {
        let src = "ARG V=3.20\nFROM alpine:$V AS build\nRUN --mount=type=cache,from=node:22,target=/c true\nFROM scratch\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=Build /c /c\n";
        let u = uses(src);
        let kinds: Vec<_> = u.iter().map(|x| (x.kind, x.written.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (UseKind::From, "alpine:$V"),
                (UseKind::MountFrom, "node:22"),
                (UseKind::From, "scratch"),
                (UseKind::CopyFrom, "build"),
                (UseKind::CopyFrom, "0"),
                (UseKind::CopyFrom, "nginx:1.27"),
                (UseKind::CopyFrom, "Build"),
            ]
        );
        assert!(matches!(&u[0].target, Target::Image(r) if r.tag.as_deref() == Some("3.20")));
        assert!(!u[0].verbatim);
        assert_eq!(&src[u[1].range.as_usize()], "node:22");
        assert!(u[1].verbatim);
        assert_eq!(u[2].target, Target::Scratch);
        assert_eq!(u[3].target, Target::Stage(0));
        assert_eq!(u[4].target, Target::Stage(0));
        assert!(matches!(&u[5].target, Target::Image(r) if r.familiar_name() == "nginx"));
        assert_eq!(&src[u[5].range.as_usize()], "nginx:1.27");
        assert_eq!(u[6].target, Target::Stage(0), "stage names are case-insensitive");
    }

    #[test]
    fn a_stage_cannot_refer_to_itself_or_later_stages() {
        let u = uses("FROM alpine AS a\nCOPY --from=a /x /x\nCOPY --from=1 /y /y\nFROM alpine AS b\n");
        assert!(matches!(&u[1].target, Target::Image(r) if r.familiar_name() == "a"));
        assert!(matches!(&u[2].target, Target::Image(_)) || matches!(&u[2].target, Target::Invalid(_)));
    }

    #[test]
    fn variables_in_copy_from_expand_with_stage_args() {
        let u = uses(
            "FROM alpine\nARG IMG=busybox:1.37\nARG UNSET\nCOPY --from=$IMG /bin/sh /sh\nCOPY --from=$UNSET /x /x\n",
        );
        assert!(matches!(&u[1].target, Target::Image(r) if r.tag.as_deref() == Some("1.37")));
        assert!(!u[1].verbatim);
        assert_eq!(u[2].target, Target::Unresolved);
    }

    #[test]
    fn quoted_values_are_not_verbatim() {
        let u = uses("FROM alpine\nCOPY --from=\"nginx:1.27\" /a /a\n");
        assert!(matches!(&u[1].target, Target::Image(_)));
        assert!(!u[1].verbatim);
    }
}
