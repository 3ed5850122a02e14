//! Facts derived from a parsed Dockerfile: stages and their base images, global and per-stage
//! variables with the values Docker would give them, and the effective USER at every point.
//!
//! The model is built in one pass over the items and knows nothing about rules or protocols.

pub mod image;
pub mod refs;

use std::ops::Range;

use crate::syntax::shellword::{self, Lookup, Options, Processed};
use crate::syntax::{Args, Dockerfile, Instruction, Kind, parser::valid_stage_name};
use crate::text::TextRange;

pub use image::{ImageError, ImageRef};

/// Arguments BuildKit defines automatically for FROM lines (their values depend on the builder).
pub const AUTOMATIC_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// A variable's value as far as the Dockerfile says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// This text (for an ARG: its default, which `--build-arg` can override).
    Known(String),
    /// Decided at build time or by the base image.
    Unknown,
}

impl Value {
    pub fn known(&self) -> Option<&str> {
        match self {
            Value::Known(s) => Some(s),
            Value::Unknown => None,
        }
    }
}

/// Where a variable comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    Arg,
    Env,
}

/// One variable definition: an ARG or one pair of an ENV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarDef {
    pub kind: VarKind,
    /// Item index of the instruction.
    pub item: usize,
    pub name: String,
    /// Absolute range of the name.
    pub name_range: TextRange,
    /// Absolute range of the value as written, if any.
    pub value_range: Option<TextRange>,
    /// The value as written (quotes kept).
    pub raw: Option<String>,
    pub value: Value,
    /// An ARG whose value a build argument can replace.
    pub overridable: bool,
}

/// A USER instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDef {
    pub item: usize,
    /// Absolute range of the argument.
    pub range: TextRange,
    pub raw: String,
    /// The user after variable expansion.
    pub value: Value,
}

impl UserDef {
    /// The user part of `user[:group]` when known.
    pub fn user(&self) -> Option<&str> {
        self.value.known().map(|v| v.split(':').next().unwrap_or(v))
    }
}

/// What a stage is built on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// An image from a registry.
    Image(std::sync::Arc<ImageRef>),
    /// An earlier stage of this Dockerfile, by index.
    Stage(usize),
    /// `FROM scratch`: an empty filesystem.
    Scratch,
    /// The reference depends on values only known at build time.
    Unresolved,
    /// The written reference is not valid.
    Invalid(ImageError),
    /// `FROM` without an image.
    Missing,
}

/// A build stage: a FROM and the instructions after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Item index of the FROM.
    pub from_item: usize,
    /// The stage name, lower-cased as BuildKit does.
    pub name: Option<String>,
    pub name_range: Option<TextRange>,
    /// The image word as written and its absolute range.
    pub image_text: Option<String>,
    pub image_range: Option<TextRange>,
    /// The image word after expanding global ARG defaults.
    pub image_expanded: Option<String>,
    /// Whether the image word uses variables.
    pub image_uses_vars: bool,
    pub base: Base,
    pub platform: Option<String>,
    /// Item indices of the stage: from its FROM to the item before the next FROM.
    pub items: Range<usize>,
    pub vars: Vec<VarDef>,
    pub users: Vec<UserDef>,
}

impl Stage {
    /// The item index of the stage's last instruction (the FROM itself when the stage is empty).
    pub fn last_item(&self) -> usize {
        self.items.end.saturating_sub(1).max(self.from_item)
    }
}

/// A problem the model finds that BuildKit rejects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelProblem {
    /// Item index of the instruction the problem is in.
    pub item: usize,
    pub range: TextRange,
    pub message: &'static str,
    pub args: Vec<(&'static str, String)>,
}

/// Where the user a stage runs as comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectiveUser<'a> {
    /// A USER instruction in `stage` (possibly a stage this one is built on).
    Set { stage: usize, def: &'a UserDef },
    /// No USER along the chain: the base image's default user (root for most images).
    ImageDefault { stage: usize },
}

/// Everything derived from a Dockerfile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Model {
    /// ARGs before the first FROM: usable in FROM lines.
    pub global_args: Vec<VarDef>,
    pub stages: Vec<Stage>,
    /// For each item, the stage it belongs to.
    pub item_stage: Vec<Option<usize>>,
    pub problems: Vec<ModelProblem>,
    escape: char,
    /// Stage names (lower-cased) to the first stage with that name.
    by_name: std::collections::HashMap<String, usize>,
}

impl Model {
    pub fn build(tree: &Dockerfile) -> Model {
        let mut m = Model {
            escape: tree.escape,
            item_stage: vec![None; tree.items.len()],
            ..Model::default()
        };
        for (idx, item) in tree.items.iter().enumerate() {
            // Read from the item vector: after the first FROM only these kinds make the model, and the
            // nodes of the other items are not touched (a keystroke in an ENV builds the model again).
            match item.facts.kind {
                None => continue,
                Some(Kind::From | Kind::Arg | Kind::Env | Kind::User) => {}
                Some(_) if !m.stages.is_empty() => continue,
                Some(_) => {}
            }
            let Some((it, ins)) = tree.instruction(idx) else {
                continue;
            };
            match ins.kind {
                Kind::From => m.add_stage(idx, it.start, ins),
                Kind::Arg if m.stages.is_empty() => {
                    let defs = m.arg_defs(idx, it.start, ins, None);
                    m.global_args.extend(defs);
                }
                Kind::Unknown => {}
                _ if m.stages.is_empty() => m.problems.push(ModelProblem {
                    item: idx,
                    range: it.abs(ins.keyword.range),
                    message: "invalid.before-from",
                    args: vec![("instruction", ins.kind.keyword().to_string())],
                }),
                _ => {
                    let s = m.stages.len() - 1;
                    m.item_stage[idx] = Some(s);
                    m.add_to_stage(s, idx, it.start, ins);
                }
            }
        }
        // Close the item ranges: a stage runs to the next FROM; comments before the first FROM belong to none.
        let n = tree.items.len();
        for i in 0..m.stages.len() {
            let end = m.stages.get(i + 1).map_or(n, |s| s.from_item);
            m.stages[i].items.end = end;
            for slot in &mut m.item_stage[m.stages[i].from_item..end] {
                *slot = Some(i);
            }
        }
        m
    }

    /// Moves every range of the model with the item it lies in: `delta(item)` is how far item `item`
    /// moved. The model of a tree whose items have the same kinds and whose model-relevant items have the
    /// same texts as another's is that model moved so (`check::model_of` keeps models on that basis).
    /// Every field is named here, so a new field with a range cannot be forgotten.
    pub fn move_items(&mut self, delta: &dyn Fn(usize) -> i64) {
        fn mv(r: &mut TextRange, d: i64) {
            if d != 0 {
                r.start = (i64::from(r.start) + d) as u32;
                r.end = (i64::from(r.end) + d) as u32;
            }
        }
        fn var(v: &mut VarDef, delta: &dyn Fn(usize) -> i64) {
            let VarDef {
                kind: _,
                item,
                name: _,
                name_range,
                value_range,
                raw: _,
                value: _,
                overridable: _,
            } = v;
            let d = delta(*item);
            mv(name_range, d);
            if let Some(r) = value_range {
                mv(r, d);
            }
        }
        let Model {
            global_args,
            stages,
            item_stage: _,
            problems,
            escape: _,
            by_name: _,
        } = self;
        for v in global_args {
            var(v, delta);
        }
        for s in stages {
            let Stage {
                index: _,
                from_item,
                name: _,
                name_range,
                image_text: _,
                image_range,
                image_expanded: _,
                image_uses_vars: _,
                base: _,
                platform: _,
                items: _,
                vars,
                users,
            } = s;
            let d = delta(*from_item);
            for r in [name_range, image_range].into_iter().flatten() {
                mv(r, d);
            }
            for v in vars {
                var(v, delta);
            }
            for u in users {
                let UserDef {
                    item,
                    range,
                    raw: _,
                    value: _,
                } = u;
                mv(range, delta(*item));
            }
        }
        for p in problems {
            let ModelProblem {
                item,
                range,
                message: _,
                args: _,
            } = p;
            mv(range, delta(*item));
        }
    }

    /// Makes this model, built from an earlier tree and moved to `tree` (`move_items`), the model of
    /// `tree`, when the two trees have the same item kinds and escape character and differ in the texts
    /// of the items `changed` only (sorted). Only the stages that read a changed item are built again:
    /// the stage an `ARG`, `ENV`, `USER` or `FROM` is in, every stage built on a rebuilt stage (it
    /// inherits its environment), and, once a stage's name changed, every stage after it (their `FROM`
    /// lines may name it). Returns false, leaving the model unusable, when it cannot: a change before
    /// the first `FROM` (the global arguments), or items whose stages do not line up. A stage reads only
    /// the global arguments, the stages before it and its own items, so a stage not built again is the
    /// one a whole build makes. Guarded by `kept_models_equal_built_models`.
    pub fn patch(&mut self, tree: &Dockerfile, changed: &[usize]) -> bool {
        let Some(first) = self.stages.first().map(|s| s.from_item) else {
            return changed.is_empty();
        };
        let mut dirty = vec![false; self.stages.len()];
        for &i in changed {
            if i < first {
                return false;
            }
            match self.item_stage.get(i).copied().flatten() {
                // A changed `FROM` must be the one its stage starts with.
                Some(s)
                    if s < dirty.len()
                        && (tree.items.get(i).and_then(|it| it.facts.kind) != Some(Kind::From)
                            || self.stages[s].from_item == i) =>
                {
                    dirty[s] = true
                }
                _ => return false,
            }
        }
        let Some(start) = dirty.iter().position(|&d| d) else {
            return true;
        };
        let mut problems = Vec::new();
        let mut all_after = false;
        for s in start..self.stages.len() {
            let inherits_rebuilt = matches!(self.stages[s].base, Base::Stage(p) if dirty.get(p) == Some(&true));
            if !(all_after || dirty[s] || inherits_rebuilt) {
                continue;
            }
            dirty[s] = true;
            let Stage { from_item, items, .. } = &self.stages[s];
            let (from_item, end) = (*from_item, items.end);
            let Some((it, ins)) = tree.instruction(from_item).filter(|(_, ins)| ins.kind == Kind::From) else {
                return false;
            };
            let Some(mut stage) = self.new_stage(from_item, it.start, ins, s, &mut problems) else {
                return false;
            };
            stage.items = from_item..end;
            let renamed = stage.name != self.stages[s].name;
            self.stages[s] = stage;
            if renamed && !all_after {
                // The names of the stages up to this one, as a whole build has them here; each later stage
                // adds its own as it is built again.
                all_after = true;
                self.by_name.clear();
                for st in &self.stages[..=s] {
                    if let Some(n) = &st.name {
                        self.by_name.entry(n.clone()).or_insert(st.index);
                    }
                }
            } else if all_after && let Some(n) = self.stages[s].name.clone() {
                self.by_name.entry(n).or_insert(s);
            }
            for idx in from_item + 1..end {
                if !matches!(tree.items[idx].facts.kind, Some(Kind::Arg | Kind::Env | Kind::User)) {
                    continue;
                }
                if let Some((it, ins)) = tree.instruction(idx) {
                    self.add_to_stage(s, idx, it.start, ins);
                }
            }
        }
        // The problems of the rebuilt stages replace theirs; problems stay in item order, as a build
        // pushes them.
        let item_stage = &self.item_stage;
        self.problems
            .retain(|p| !item_stage.get(p.item).copied().flatten().is_some_and(|s| dirty[s]));
        self.problems.extend(problems);
        self.problems.sort_by_key(|p| p.item);
        true
    }

    fn add_stage(&mut self, idx: usize, base: u32, ins: &Instruction) {
        let index = self.stages.len();
        let mut problems = Vec::new();
        let stage = self.new_stage(idx, base, ins, index, &mut problems);
        self.problems.extend(problems);
        let Some(stage) = stage else { return };
        if let Some(n) = &stage.name {
            self.by_name.entry(n.clone()).or_insert(index);
        }
        self.stages.push(stage);
    }

    /// The earlier stage named `name` (lower-cased) that a stage at `index` can name: the first stage of
    /// that name, when it comes before `index` (a `FROM` sees only the stages above it).
    fn earlier_stage_named(&self, name: &str, index: usize) -> Option<usize> {
        self.by_name.get(name).copied().filter(|&p| p < index)
    }

    /// Stage `index` from its `FROM` (item `idx`), before its own `ARG`, `ENV` and `USER`; its problems go to
    /// `problems`. Reads only the global arguments and the stages before `index`.
    fn new_stage(
        &self,
        idx: usize,
        base: u32,
        ins: &Instruction,
        index: usize,
        problems: &mut Vec<ModelProblem>,
    ) -> Option<Stage> {
        let Args::From(f) = &ins.args else { return None };
        let name = f.name.map(|n| ins.text(&n).to_ascii_lowercase());
        let name_range = f.name.map(|n| n.range.shift(base));
        if let (Some(n), Some(r)) = (&name, name_range)
            && valid_stage_name(n)
            && self.earlier_stage_named(n, index).is_some()
        {
            problems.push(ModelProblem {
                item: idx,
                range: r,
                message: "invalid.duplicate-stage",
                args: vec![("name", n.clone())],
            });
        }
        let platform = ins.flag("platform").and_then(|p| p.value.clone());
        let mut stage = Stage {
            index,
            from_item: idx,
            name,
            name_range,
            image_text: None,
            image_range: None,
            image_expanded: None,
            image_uses_vars: false,
            base: Base::Missing,
            platform,
            items: idx..idx + 1,
            vars: Vec::new(),
            users: Vec::new(),
        };
        if let Some(img) = f.image {
            let raw = ins.text(&img).to_string();
            let range = img.range.shift(base);
            let (value, error) =
                shellword::expand_value(&raw, Options::expand(self.escape), &|n| self.global_lookup(n));
            stage.image_uses_vars = raw.contains('$');
            stage.image_range = Some(range);
            stage.image_expanded = value.clone();
            stage.base = match (&value, &error) {
                (_, Some(_)) => Base::Unresolved,
                (None, None) => Base::Unresolved,
                (Some(v), None) => {
                    let lower = v.to_ascii_lowercase();
                    if let Some(prev) = self.earlier_stage_named(&lower, index) {
                        Base::Stage(prev)
                    } else if v == "scratch" {
                        Base::Scratch
                    } else {
                        match refs::parsed_image(v) {
                            Ok(r) => Base::Image(r),
                            Err(e) => {
                                // Report only what the author wrote literally or through a known default.
                                problems.push(ModelProblem {
                                    item: idx,
                                    range,
                                    message: if e == ImageError::UpperCase {
                                        "invalid.image-uppercase"
                                    } else {
                                        "invalid.image-format"
                                    },
                                    args: vec![("image", v.clone())],
                                });
                                Base::Invalid(e)
                            }
                        }
                    }
                }
            };
        }
        stage.image_text = f.image.map(|img| ins.text(&img).to_string());
        // Inherit the parent stage's ENV (ARGs end with their stage).
        if let Base::Stage(p) = stage.base {
            let inherited: Vec<VarDef> = self.stages[p]
                .vars
                .iter()
                .filter(|v| v.kind == VarKind::Env)
                .cloned()
                .collect();
            stage.vars = inherited;
        }
        Some(stage)
    }

    fn add_to_stage(&mut self, s: usize, idx: usize, base: u32, ins: &Instruction) {
        match ins.kind {
            Kind::Arg => {
                let defs = self.arg_defs(idx, base, ins, Some(s));
                self.stages[s].vars.extend(defs);
            }
            Kind::Env => {
                let Args::KeyValues(kvs) = &ins.args else {
                    return;
                };
                let mut defs = Vec::new();
                for kv in kvs {
                    let key_raw = ins.text(&kv.key);
                    let name = if kv.legacy {
                        key_raw.to_string()
                    } else {
                        shellword::expand_value(key_raw, Options::expand(self.escape), &|_| Lookup::Unset)
                            .0
                            .unwrap_or_default()
                    };
                    let raw = ins.text(&kv.value).to_string();
                    // All pairs of one ENV see the environment from before the instruction.
                    let value = self.value_in(s, idx, &raw);
                    defs.push(VarDef {
                        kind: VarKind::Env,
                        item: idx,
                        name,
                        name_range: kv.key.range.shift(base),
                        value_range: Some(kv.value.range.shift(base)),
                        raw: Some(raw),
                        value: value.map_or(Value::Unknown, Value::Known),
                        overridable: false,
                    });
                }
                self.stages[s].vars.extend(defs);
            }
            Kind::User => {
                let Args::Text(Some(t)) = &ins.args else {
                    return;
                };
                let raw = ins.text(t).to_string();
                let value = self.value_in(s, idx, &raw).map_or(Value::Unknown, Value::Known);
                self.stages[s].users.push(UserDef {
                    item: idx,
                    range: t.range.shift(base),
                    raw,
                    value,
                });
            }
            _ => {}
        }
    }

    fn arg_defs(&self, idx: usize, base: u32, ins: &Instruction, stage: Option<usize>) -> Vec<VarDef> {
        let Args::Arg(decls) = &ins.args else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for d in decls {
            let name = ins.text(&d.name).to_string();
            let (raw, value) = match d.default {
                Some(def) => {
                    let raw = ins.text(&def).to_string();
                    let value = match stage {
                        Some(s) => self.value_in(s, idx, &raw),
                        None => {
                            shellword::expand_value(&raw, Options::expand(self.escape), &|n| self.global_lookup(n)).0
                        }
                    };
                    (Some(raw), value.map_or(Value::Unknown, Value::Known))
                }
                None => {
                    // `ARG NAME` inside a stage takes the global default, if there is one.
                    let inherited = stage
                        .and_then(|_| self.global_args.iter().rev().find(|g| g.name == name))
                        .map(|g| g.value.clone());
                    (None, inherited.unwrap_or(Value::Unknown))
                }
            };
            out.push(VarDef {
                kind: VarKind::Arg,
                item: idx,
                name,
                name_range: d.name.range.shift(base),
                value_range: d.default.map(|x| x.range.shift(base)),
                raw,
                value,
                overridable: true,
            });
        }
        out
    }

    fn global_lookup(&self, name: &str) -> Lookup {
        if let Some(g) = self.global_args.iter().rev().find(|g| g.name == name) {
            return match &g.value {
                Value::Known(v) => Lookup::Set(v.clone()),
                Value::Unknown => Lookup::Unknown,
            };
        }
        if AUTOMATIC_ARGS.contains(&name) {
            return Lookup::Unknown;
        }
        // A FROM line sees only global ARGs: anything else is empty unless passed as a build argument,
        // which BuildKit then rejects as undeclared. Treat it as unset.
        Lookup::Unset
    }

    /// Processes a word in a FROM line's scope (global ARG defaults, automatic platform ARGs).
    pub fn expand_global(&self, text: &str) -> Processed {
        shellword::process(text, Options::expand(self.escape), &|n| self.global_lookup(n))
    }

    /// The value of variable `name` just before item `item` of stage `stage`.
    pub fn lookup(&self, stage: usize, item: usize, name: &str) -> Lookup {
        let Some(st) = self.stages.get(stage) else {
            return Lookup::Unknown;
        };
        let before = |v: &&VarDef| v.name == name && (v.item < item || v.item < st.from_item);
        let env = st.vars.iter().filter(|v| v.kind == VarKind::Env).rev().find(before);
        let arg = st
            .vars
            .iter()
            .filter(|v| v.kind == VarKind::Arg && v.item >= st.from_item)
            .rev()
            .find(before);
        match env.or(arg) {
            Some(v) => match &v.value {
                Value::Known(s) => Lookup::Set(s.clone()),
                Value::Unknown => Lookup::Unknown,
            },
            None => match &st.base {
                Base::Scratch => Lookup::Unset,
                // Anything else may come from the base image's environment.
                _ => Lookup::Unknown,
            },
        }
    }

    /// The value of a word at item `item` of stage `stage`, when every variable in it is known.
    pub fn value_in(&self, stage: usize, item: usize, text: &str) -> Option<String> {
        shellword::expand_value(text, Options::expand(self.escape), &|n| self.lookup(stage, item, n)).0
    }

    /// Processes a word as Docker would at item `item` of stage `stage`.
    pub fn expand_in(&self, stage: usize, item: usize, text: &str) -> Processed {
        shellword::process(text, Options::expand(self.escape), &|n| self.lookup(stage, item, n))
    }

    /// The stage an item belongs to.
    pub fn stage_of(&self, item: usize) -> Option<&Stage> {
        self.item_stage.get(item).copied().flatten().map(|s| &self.stages[s])
    }

    /// The stage named `name` (case-insensitive) or with index `name`.
    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        self.first_stage_named(name)
            .map(|i| &self.stages[i])
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }

    /// The index of the first stage named `name` (case-insensitive), in constant time.
    pub fn first_stage_named(&self, name: &str) -> Option<usize> {
        let found = match self.by_name.get(name) {
            Some(&i) => Some(i),
            None if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                self.by_name.get(name.to_ascii_lowercase().as_str()).copied()
            }
            None => None,
        };
        found.filter(|&i| i < self.stages.len())
    }

    /// The stage whose `FROM` is item `item`.
    pub fn stage_from(&self, item: usize) -> Option<&Stage> {
        let i = self.stages.binary_search_by_key(&item, |s| s.from_item).ok()?;
        Some(&self.stages[i])
    }

    /// The stage `docker build` produces: `target` when given and found, else the last stage.
    pub fn final_stage(&self, target: Option<&str>) -> Option<&Stage> {
        match target {
            Some(t) => self.stage_by_name(t).or(self.stages.last()),
            None => self.stages.last(),
        }
    }

    /// The stage and its ancestors through `FROM <stage>`, nearest first.
    pub fn chain(&self, stage: usize) -> Vec<usize> {
        let mut out = vec![stage];
        let mut cur = stage;
        while let Some(Base::Stage(p)) = self.stages.get(cur).map(|s| &s.base) {
            // A stage can only name an earlier one, so the walk ends. (Searching `out` for cycles made
            // each call quadratic in the chain's length: found by `whole_checks_stay_bounded_and_scale_linearly`.)
            if *p >= cur {
                break;
            }
            out.push(*p);
            cur = *p;
        }
        out
    }

    /// The image at the root of a stage's `FROM <stage>` chain, if it is a registry image.
    pub fn root_image(&self, stage: usize) -> Option<&ImageRef> {
        let root = *self.chain(stage).last()?;
        match &self.stages[root].base {
            Base::Image(r) => Some(r),
            _ => None,
        }
    }

    /// The user in effect just before item `item` of stage `stage` (use `stage.items.end` for the end).
    pub fn user_at(&self, stage: usize, item: usize) -> EffectiveUser<'_> {
        let mut limit = item;
        for s in self.chain(stage) {
            if let Some(def) = self.stages[s].users.iter().rev().find(|u| u.item < limit) {
                return EffectiveUser::Set { stage: s, def };
            }
            limit = usize::MAX;
        }
        EffectiveUser::ImageDefault {
            stage: *self.chain(stage).last().unwrap_or(&stage),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn model(src: &str) -> Model {
        Model::build(&parse(src))
    }

    #[test]
    fn stages_bases_and_global_args() {
        let m = model(
            "ARG BASE=node:20\nARG V\nFROM $BASE AS Build\nRUN x\nFROM build\nFROM scratch\nFROM img:$V\nFROM Ubuntu\n",
        );
        assert_eq!(m.stages.len(), 5);
        assert_eq!(m.stages[0].name.as_deref(), Some("build"));
        assert!(matches!(&m.stages[0].base, Base::Image(r) if r.canonical() == "docker.io/library/node:20"));
        assert_eq!(m.stages[1].base, Base::Stage(0));
        assert_eq!(m.stages[2].base, Base::Scratch);
        assert_eq!(m.stages[3].base, Base::Unresolved);
        assert_eq!(m.stages[4].base, Base::Invalid(ImageError::UpperCase));
        assert_eq!(m.problems.len(), 1);
        assert_eq!(m.stage_of(3).map(|s| s.index), Some(0));
    }

    #[test]
    fn variables_follow_docker_scoping() {
        let src = "ARG G=global\nFROM alpine\nARG G\nARG A=1\nENV E=$A-$G B=$E\nENV A=env\nUSER ${A}\n";
        let m = model(src);
        let st = &m.stages[0];
        let e = st.vars.iter().find(|v| v.name == "E").unwrap();
        assert_eq!(e.value, Value::Known("1-global".into()));
        let b = st.vars.iter().find(|v| v.name == "B").unwrap();
        assert_eq!(
            b.value,
            Value::Unknown,
            "pairs of one ENV see the environment before it"
        );
        assert_eq!(st.users[0].value, Value::Known("env".into()), "ENV overrides ARG");
    }

    #[test]
    fn effective_user_follows_the_stage_chain() {
        let m = model("FROM alpine AS base\nUSER app\nFROM base AS final\nRUN id\nUSER root\nCMD x\nFROM debian\n");
        match m.user_at(1, 4) {
            EffectiveUser::Set { stage, def } => assert_eq!((stage, def.raw.as_str()), (0, "app")),
            other => panic!("{other:?}"),
        }
        match m.user_at(1, usize::MAX) {
            EffectiveUser::Set { stage, def } => assert_eq!((stage, def.raw.as_str()), (1, "root")),
            other => panic!("{other:?}"),
        }
        assert_eq!(m.user_at(2, usize::MAX), EffectiveUser::ImageDefault { stage: 2 });
    }

    #[test]
    fn instructions_before_from_and_duplicate_stages() {
        let m = model("RUN x\nFROM a AS one\nFROM b AS ONE\n");
        let ids: Vec<_> = m.problems.iter().map(|p| p.message).collect();
        assert_eq!(ids, vec!["invalid.before-from", "invalid.duplicate-stage"]);
    }
}
