//! Every place a Dockerfile names an image: `FROM <image>`, `COPY --from=<image>` and
//! `RUN --mount=...,from=<image>`, each resolved the way BuildKit does to an image, an earlier stage or
//! `scratch`.
//!
//! `--from` names a stage when it equals the name (case-insensitive) or the index of an earlier stage;
//! anything else is an image reference (or a named build context given with `--build-context`, which the
//! Dockerfile cannot tell apart; dockward treats it as an image).

use std::any::Any;
use std::sync::{Arc, Mutex};

use crate::memo::Memo;
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
    /// An image, parsed once per process for every use of the same text.
    Image(Arc<ImageRef>),
    /// An earlier stage, by index.
    Stage(usize),
    Scratch,
    /// Depends on values only known at build time.
    Unresolved,
    Invalid(ImageError),
}

/// One use of an image reference.
#[derive(Clone, Debug)]
pub struct ImageUse {
    pub kind: UseKind,
    /// Item index of the instruction.
    pub item: usize,
    /// The stage the instruction belongs to (for FROM, the stage it starts).
    pub stage: usize,
    /// Absolute range of the reference as written.
    pub range: TextRange,
    pub written: Arc<str>,
    /// The reference after variable expansion, when every variable is known.
    pub expanded: Option<Arc<str>>,
    /// Whether `expanded` is `written` byte for byte, so offsets inside the expanded text (such as
    /// [`ImageRef::tag_span`]) are offsets from `range.start`.
    pub verbatim: bool,
    pub target: Target,
    /// For a verbatim reference to an image: the memo shared by every such use of the same text.
    derived: Option<Arc<Derived>>,
}

impl PartialEq for ImageUse {
    /// Equal uses of a reference; the memo they carry is not part of what they are.
    fn eq(&self, other: &ImageUse) -> bool {
        self.kind == other.kind
            && self.item == other.item
            && self.stage == other.stage
            && self.range == other.range
            && self.written == other.written
            && self.expanded == other.expanded
            && self.verbatim == other.verbatim
            && self.target == other.target
    }
}

impl Eq for ImageUse {}

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

    /// The memo of what is derived from this use's reference, shared (process-wide) by every use of the
    /// same text that is also verbatim and designates an image: what such a use yields depends only on
    /// that text, with offsets relative to `range.start`, and on whatever else the memo key names. None for
    /// other uses (variables, stages, `scratch`, invalid references).
    pub fn derived(&self) -> Option<&Derived> {
        self.derived.as_deref()
    }
}

/// Values derived from one reference text, memoised with it: each is stored under an owner (a rule code)
/// and a key that must capture everything else the value depends on (the date, the locale, settings).
/// Bounded: the slots are cleared when [`Derived::MAX_SLOTS`] are taken.
#[derive(Default)]
pub struct Derived {
    slots: Mutex<Vec<Slot>>,
}

struct Slot {
    owner: &'static str,
    key: Box<dyn Any + Send + Sync>,
    value: Box<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Derived")
    }
}

impl Derived {
    /// At most this many values per reference text.
    pub const MAX_SLOTS: usize = 32;

    /// The value stored for `owner` and `key`, or `f()` (stored). `f` runs outside the lock; a poisoned
    /// lock only means no memo.
    pub fn get_or<K, V>(&self, owner: &'static str, key: &K, f: impl FnOnce() -> V) -> V
    where
        K: PartialEq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        if let Ok(slots) = self.slots.lock() {
            let found = slots
                .iter()
                .filter(|s| s.owner == owner && s.key.downcast_ref::<K>() == Some(key))
                .find_map(|s| s.value.downcast_ref::<V>());
            if let Some(v) = found {
                return v.clone();
            }
        }
        let v = f();
        if let Ok(mut slots) = self.slots.lock() {
            if slots.len() >= Self::MAX_SLOTS {
                slots.clear();
            }
            slots.push(Slot {
                owner,
                key: Box::new(key.clone()),
                value: Box::new(v.clone()),
            });
        }
        v
    }
}

/// A reference text as every use of it shares it: the text, its parse and its memo.
#[derive(Clone)]
struct Interned {
    text: Arc<str>,
    image: Result<Arc<ImageRef>, ImageError>,
    derived: Arc<Derived>,
}

/// Reference texts parsed once per process: an edit changes one reference, the others are looked up.
static INTERNED: Memo<String, Interned> = Memo::new(4096);

/// [`ImageRef::parse`] of `text`, from the process-wide table: the model parses every FROM on every check,
/// and the image rules find the same parse here.
pub fn parsed_image(text: &str) -> Result<Arc<ImageRef>, ImageError> {
    intern(text).image
}

fn intern(text: &str) -> Interned {
    INTERNED.get_or(text, || Interned {
        text: text.into(),
        image: ImageRef::parse(text).map(Arc::new),
        derived: Arc::default(),
    })
}

/// Every image reference of the file, in document order.
/// `src` is the file's text (the tree's source).
pub fn image_uses(src: &str, tree: &Dockerfile, model: &Model) -> Vec<ImageUse> {
    image_uses_in(src, tree, model, 0..tree.items.len())
}

/// The image references of the items `items`, in document order (those of [`image_uses`] in that range).
pub fn image_uses_in(src: &str, tree: &Dockerfile, model: &Model, items: std::ops::Range<usize>) -> Vec<ImageUse> {
    let mut out = Vec::new();
    let items = items.start.min(tree.items.len())..items.end.min(tree.items.len());
    // Only these kinds hold a reference: the nodes of the other items are not touched.
    let holders = items.filter(|&i| matches!(tree.items[i].facts.kind, Some(Kind::From | Kind::Copy | Kind::Run)));
    for (it, ins) in holders.filter_map(|i| tree.instruction(i)) {
        let idx = it.index;
        match ins.kind {
            Kind::From => {
                let Some(st) = model.stage_from(idx) else {
                    continue;
                };
                let (Some(written), Some(range)) = (&st.image_text, st.image_range) else {
                    continue;
                };
                let verbatim = st.image_expanded.as_deref() == Some(written.as_str());
                let mut derived = None;
                let mut text = None;
                let target = match &st.base {
                    // The model parsed the expanded text: the interned parse of that text is the same.
                    Base::Image(r) => match st.image_expanded.as_deref().map(intern) {
                        Some(Interned {
                            text: t,
                            image: Ok(image),
                            derived: d,
                        }) if Arc::ptr_eq(&image, r) || *image == **r => {
                            if verbatim {
                                derived = Some(d);
                                text = Some(t);
                            }
                            Target::Image(image)
                        }
                        _ => Target::Image(Arc::clone(r)),
                    },
                    Base::Stage(s) => Target::Stage(*s),
                    Base::Scratch => Target::Scratch,
                    Base::Invalid(e) => Target::Invalid(e.clone()),
                    Base::Unresolved | Base::Missing => Target::Unresolved,
                };
                let written: Arc<str> = text.unwrap_or_else(|| written.as_str().into());
                let expanded = if verbatim {
                    Some(written.clone())
                } else {
                    st.image_expanded.as_deref().map(Arc::from)
                };
                out.push(ImageUse {
                    kind: UseKind::From,
                    item: idx,
                    stage: st.index,
                    range,
                    written,
                    verbatim,
                    expanded,
                    target,
                    derived,
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
                    } else if ins.kind == Kind::Run
                        && flag.name == "mount"
                        // A `from` key, quoted or not, is written as these four letters: most mounts
                        // (`type=cache,target=...`) need not be split into fields.
                        && flag.value.as_deref().is_some_and(|v| v.contains("from"))
                    {
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
        (model.value_in(stage, item, cooked).map(std::borrow::Cow::Owned), false)
    } else {
        (Some(std::borrow::Cow::Borrowed(cooked)), verbatim && written == cooked)
    };
    let mut derived = None;
    let mut text = None;
    let target = match expanded.as_deref() {
        None => Target::Unresolved,
        Some(v) => match earlier_stage(model, stage, v) {
            Some(s) => Target::Stage(s),
            None if v == "scratch" => Target::Scratch,
            None => {
                let i = intern(v);
                match i.image {
                    Ok(r) => {
                        if verbatim {
                            derived = Some(i.derived);
                            text = Some(i.text);
                        }
                        Target::Image(r)
                    }
                    Err(e) => Target::Invalid(e),
                }
            }
        },
    };
    let written: Arc<str> = text.unwrap_or_else(|| written.into());
    let expanded = match expanded {
        Some(_) if verbatim => Some(written.clone()),
        e => e.as_deref().map(Arc::from),
    };
    ImageUse {
        kind,
        item,
        stage,
        range,
        written,
        expanded,
        verbatim,
        target,
        derived,
    }
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
        let kinds: Vec<_> = u.iter().map(|x| (x.kind, &*x.written)).collect();
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
