//! Definition, references, document highlights and rename for stage names, ARG/ENV variables and heredoc
//! delimiters.
//!
//! Stages: `FROM x AS name` is the definition; `FROM name`, `COPY --from=name` and `RUN --mount=from=name`
//! refer to it (case-insensitively, as BuildKit resolves them; `--from=0` refers by index and is never
//! rewritten by a rename).
//!
//! Variables follow Docker's scopes: global ARGs (before the first FROM) are seen by FROM lines and by a
//! stage that declares `ARG name` again; every other definition lives in its stage (and a stage built
//! `FROM` another inherits its ENV). All definitions of a name in one stage are one variable (ENV beats ARG
//! for the value, but they are the same environment variable), so a rename renames them together. A
//! reference resolves to the definitions before it; before the first definition in a stage nothing is in
//! scope. References are the words Docker expands (from the parser's variable references, and the bodies of
//! unquoted COPY/ADD heredocs) and the words the shell expands at build time in `RUN` (the shell-form
//! script and the heredoc bodies the shell reads, not inside single quotes, not after `\$`, not in a
//! quoted heredoc body, and the script of `["sh", "-c", "..."]`); in `CMD`, `ENTRYPOINT` and `HEALTHCHECK`,
//! which run in the container, only ENV variables exist.
//!
//! Heredocs: the delimiter in `<<EOF` and its closing line.

use std::collections::HashMap;

use crate::model::refs::{self, ImageUse, Target, UseKind};
use crate::model::{AUTOMATIC_ARGS, Model, VarKind};
use crate::shell;
use crate::syntax::parser::valid_stage_name;
use crate::syntax::shellword;
use crate::syntax::{Args, CommandForm, Dockerfile, Instruction, ItemRef, Kind};
use crate::text::{TextRange, slice};

/// What a name designates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A build stage, by index.
    Stage(usize),
    /// A variable: the id of its group of definitions.
    Var(usize),
    /// Heredoc `index` of the instruction at item `item`.
    Heredoc { item: usize, index: usize },
}

/// One place a symbol's name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The name itself (without `$`, braces, quotes or `<<`).
    pub range: TextRange,
    pub symbol: Symbol,
    /// A definition (`AS name`, `ARG name`, `ENV name=`, `<<EOF`); else a reference.
    pub definition: bool,
    /// A rename rewrites it: false for a stage named by its index.
    pub renamable: bool,
    /// For a variable reference: the definition that gives it its value (an index into the definitions).
    reaching: Option<usize>,
}

/// A document highlight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub range: TextRange,
    /// The name is defined (written) here; else read.
    pub write: bool,
}

/// Why a rename is refused: a message id of the catalog and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError {
    pub id: &'static str,
    pub args: Vec<(&'static str, String)>,
}

fn refuse(id: &'static str, args: &[(&'static str, &str)]) -> RenameError {
    RenameError {
        id,
        args: args.iter().map(|(k, v)| (*k, v.to_string())).collect(),
    }
}

/// A variable definition.
#[derive(Clone, Debug)]
struct Def {
    name: String,
    range: TextRange,
    item: usize,
    kind: VarKind,
    stage: Option<usize>,
    /// An ARG written without a default.
    bare: bool,
}

/// The definitions of one name visible in a scope, in document order, split by kind.
#[derive(Clone, Debug, Default)]
struct Visible {
    envs: Vec<usize>,
    args: Vec<usize>,
}

/// Every variable definition of the file, grouped into variables.
#[derive(Debug, Default)]
struct Vars {
    defs: Vec<Def>,
    parent: Vec<usize>,
    global: HashMap<String, Vec<usize>>,
    /// Per stage: its own definitions and the ENV it inherits, by name.
    stages: Vec<HashMap<String, Visible>>,
}

impl Vars {
    fn build(model: &Model) -> Vars {
        let mut v = Vars::default();
        let mut by_start: HashMap<u32, usize> = HashMap::new();
        for g in &model.global_args {
            let id = v.push(Def {
                name: g.name.clone(),
                range: g.name_range,
                item: g.item,
                kind: VarKind::Arg,
                stage: None,
                bare: g.value_range.is_none(),
            });
            by_start.insert(g.name_range.start, id);
            let same = v.global.entry(g.name.clone()).or_default();
            same.push(id);
            let root = same[0];
            v.union(root, id);
        }
        for st in &model.stages {
            let mut scope: HashMap<String, Visible> = HashMap::new();
            for var in &st.vars {
                let id = if var.item >= st.from_item {
                    let id = v.push(Def {
                        name: var.name.clone(),
                        range: var.name_range,
                        item: var.item,
                        kind: var.kind,
                        stage: Some(st.index),
                        bare: var.value_range.is_none(),
                    });
                    by_start.insert(var.name_range.start, id);
                    // A stage's `ARG name` declares the global ARG of that name again.
                    if var.kind == VarKind::Arg
                        && let Some(&g) = v.global.get(&var.name).and_then(|g| g.first())
                    {
                        v.union(g, id);
                    }
                    id
                } else {
                    // Inherited ENV of the stage this one is built on.
                    match by_start.get(&var.name_range.start) {
                        Some(&id) => id,
                        None => continue,
                    }
                };
                let vis = scope.entry(var.name.clone()).or_default();
                if let Some(&first) = vis.envs.first().or(vis.args.first()) {
                    v.union(first, id);
                }
                match var.kind {
                    VarKind::Env => vis.envs.push(id),
                    VarKind::Arg => vis.args.push(id),
                }
            }
            v.stages.push(scope);
        }
        v
    }

    fn push(&mut self, d: Def) -> usize {
        self.defs.push(d);
        self.parent.push(self.defs.len() - 1);
        self.defs.len() - 1
    }

    fn find(&self, mut x: usize) -> usize {
        while self.parent[x] != x {
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The earlier definition is the root, so the group id is its first definition.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }

    /// The global definition of `name` in effect at item `item` (FROM lines, global ARG defaults).
    fn global_at(&self, name: &str, item: usize) -> Option<usize> {
        let ids = self.global.get(name)?;
        let n = ids.partition_point(|&i| self.defs[i].item < item);
        n.checked_sub(1).map(|k| ids[k])
    }

    /// The definition giving `name` its value just before item `item` of stage `stage` (ENV beats ARG).
    fn stage_at(&self, stage: usize, from_item: usize, name: &str, item: usize) -> Option<usize> {
        let vis = self.stages.get(stage)?.get(name)?;
        let before = |ids: &[usize]| {
            let n = ids.partition_point(|&i| self.defs[i].item < item || self.defs[i].item < from_item);
            n.checked_sub(1).map(|k| ids[k])
        };
        before(&vis.envs).or_else(|| before(&vis.args))
    }

    /// The ENV a container of stage `stage` sees for `name` (the last one of the stage).
    fn runtime(&self, stage: usize, name: &str) -> Option<usize> {
        self.stages.get(stage)?.get(name)?.envs.last().copied()
    }
}

fn is_var_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

fn is_delimiter_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0] != b'-'
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

/// How a reference is resolved.
#[derive(Clone, Copy)]
enum Scope {
    /// FROM lines and global ARG defaults.
    Global,
    /// A build step of a stage.
    Build(usize),
    /// A container of the stage (CMD, ENTRYPOINT, HEALTHCHECK): only ENV.
    Runtime(usize),
}

/// What to collect from an item.
#[derive(Clone, Copy)]
struct Want<'n> {
    stages: bool,
    /// Variables (of this name only, when given).
    vars: Option<Option<&'n str>>,
    heredocs: bool,
}

const ALL: Want<'static> = Want {
    stages: true,
    vars: Some(None),
    heredocs: true,
};

/// Navigation over one version of a Dockerfile: built once per request.
pub struct Navigation<'a> {
    text: &'a str,
    tree: &'a Dockerfile,
    model: &'a Model,
    vars: Vars,
    /// Every image reference, computed when a stage is looked for.
    uses: std::cell::OnceCell<Vec<ImageUse>>,
}

impl<'a> Navigation<'a> {
    pub fn new(text: &'a str, tree: &'a Dockerfile, model: &'a Model) -> Navigation<'a> {
        Navigation {
            text,
            tree,
            model,
            vars: Vars::build(model),
            uses: std::cell::OnceCell::new(),
        }
    }

    fn uses(&self) -> &[ImageUse] {
        self.uses
            .get_or_init(|| refs::image_uses(self.text, self.tree, self.model))
    }

    /// The occurrence under `offset` (a cursor touching a name's end counts).
    pub fn occurrence_at(&self, offset: u32) -> Option<Occurrence> {
        let mut occs = Vec::new();
        let item = self.tree.item_at(offset)?;
        self.item_occurrences(item, ALL, &mut occs);
        // A cursor between two items touches the end of the previous one.
        if let Some(prev) = item.checked_sub(1) {
            self.item_occurrences(prev, ALL, &mut occs);
        }
        occs.iter()
            .find(|o| o.range.start <= offset && offset < o.range.end)
            .or_else(|| occs.iter().find(|o| o.range.contains_inclusive(offset)))
            .cloned()
    }

    /// Every occurrence of `symbol`, in document order.
    pub fn occurrences(&self, symbol: Symbol) -> Vec<Occurrence> {
        let mut out = Vec::new();
        match symbol {
            Symbol::Heredoc { item, .. } => {
                let want = Want {
                    stages: false,
                    vars: None,
                    heredocs: true,
                };
                self.item_occurrences(item, want, &mut out);
            }
            Symbol::Stage(_) => {
                let want = Want {
                    stages: true,
                    vars: None,
                    heredocs: false,
                };
                for (it, ins) in self.tree.instructions() {
                    if matches!(ins.kind, Kind::From | Kind::Copy | Kind::Run) {
                        self.item_occurrences(it.index, want, &mut out);
                    }
                }
            }
            Symbol::Var(g) => {
                let name = self.vars.defs[g].name.as_str();
                let want = Want {
                    stages: false,
                    vars: Some(Some(name)),
                    heredocs: false,
                };
                for it in self.tree.items() {
                    if it.instruction().is_some() && slice(self.text, it.extent()).contains(name) {
                        self.item_occurrences(it.index, want, &mut out);
                    }
                }
            }
        }
        out.retain(|o| o.symbol == symbol);
        out.sort_by_key(|o| (o.range.start, o.range.end));
        out.dedup_by_key(|o| o.range);
        out
    }

    /// Where the name under `offset` is defined: for a variable reference, the definition that gives it its
    /// value (and the global ARG a bare `ARG name` takes its default from); for a definition, itself.
    pub fn definition(&self, offset: u32) -> Vec<TextRange> {
        let Some(o) = self.occurrence_at(offset) else {
            return Vec::new();
        };
        if o.definition {
            return vec![o.range];
        }
        match o.symbol {
            Symbol::Var(_) => {
                let Some(d) = o.reaching else {
                    return Vec::new();
                };
                let def = &self.vars.defs[d];
                let mut out = vec![def.range];
                if def.bare
                    && def.kind == VarKind::Arg
                    && def.stage.is_some()
                    && let Some(g) = self.vars.global_at(&def.name, usize::MAX)
                {
                    out.push(self.vars.defs[g].range);
                }
                out
            }
            sym => self
                .occurrences(sym)
                .into_iter()
                .filter(|x| x.definition)
                .map(|x| x.range)
                .take(1)
                .collect(),
        }
    }

    /// The references (and with `include_declaration`, the definitions) of the name under `offset`.
    pub fn references(&self, offset: u32, include_declaration: bool) -> Vec<TextRange> {
        let Some(o) = self.occurrence_at(offset) else {
            return Vec::new();
        };
        self.occurrences(o.symbol)
            .into_iter()
            .filter(|x| include_declaration || !x.definition)
            .map(|x| x.range)
            .collect()
    }

    /// Every occurrence of the name under `offset`, definitions as writes.
    pub fn highlights(&self, offset: u32) -> Vec<Highlight> {
        let Some(o) = self.occurrence_at(offset) else {
            return Vec::new();
        };
        self.occurrences(o.symbol)
            .into_iter()
            .map(|x| Highlight {
                range: x.range,
                write: x.definition,
            })
            .collect()
    }

    /// The range a rename at `offset` replaces and the current name, or why it cannot be renamed.
    pub fn prepare_rename(&self, offset: u32) -> Result<(TextRange, String), RenameError> {
        let Some(o) = self.occurrence_at(offset) else {
            return Err(refuse("nav.rename.nothing", &[]));
        };
        let name = slice(self.text, o.range).to_string();
        match o.symbol {
            Symbol::Stage(s) => {
                if !o.renamable {
                    let named = self.model.stages.get(s).is_some_and(|st| st.name.is_some());
                    return Err(if named {
                        refuse("nav.rename.by-index", &[])
                    } else {
                        refuse("nav.rename.unnamed-stage", &[])
                    });
                }
            }
            Symbol::Var(g) => {
                let var = &self.vars.defs[g].name;
                if AUTOMATIC_ARGS.contains(&var.as_str()) {
                    return Err(refuse("nav.rename.automatic-arg", &[("name", var)]));
                }
            }
            Symbol::Heredoc { .. } => {}
        }
        Ok((o.range, name))
    }

    /// The edits that rename the name under `offset` to `new_name`.
    pub fn rename(&self, offset: u32, new_name: &str) -> Result<Vec<(TextRange, String)>, RenameError> {
        self.prepare_rename(offset)?;
        let Some(o) = self.occurrence_at(offset) else {
            return Err(refuse("nav.rename.nothing", &[]));
        };
        let occs = self.occurrences(o.symbol);
        match o.symbol {
            Symbol::Stage(s) => self.check_stage_name(s, new_name)?,
            Symbol::Var(g) => self.check_var_name(g, &occs, new_name)?,
            Symbol::Heredoc { item, index } => self.check_delimiter(item, index, new_name)?,
        }
        Ok(occs
            .into_iter()
            .filter(|x| x.renamable)
            .map(|x| (x.range, new_name.to_string()))
            .collect())
    }

    fn check_stage_name(&self, s: usize, new_name: &str) -> Result<(), RenameError> {
        let lower = new_name.to_ascii_lowercase();
        if !valid_stage_name(&lower) {
            return Err(refuse("nav.rename.invalid-stage-name", &[("name", new_name)]));
        }
        if let Some(other) = self.model.first_stage_named(&lower)
            && other != s
        {
            return Err(refuse("nav.rename.stage-exists", &[("name", new_name)]));
        }
        let from_item = self.model.stages.get(s).map_or(0, |st| st.from_item);
        // An image reference written as the new name after the stage would then name the stage.
        let captured = self.uses().iter().any(|u| {
            let after = match u.kind {
                UseKind::From => u.item > from_item,
                UseKind::CopyFrom | UseKind::MountFrom => u.stage > s,
            };
            after && u.target != Target::Stage(s) && u.written.eq_ignore_ascii_case(new_name)
        });
        if captured {
            return Err(refuse("nav.rename.stage-capture", &[("name", new_name)]));
        }
        Ok(())
    }

    fn check_var_name(&self, g: usize, occs: &[Occurrence], new_name: &str) -> Result<(), RenameError> {
        if !is_var_name(new_name) {
            return Err(refuse("nav.rename.invalid-variable-name", &[("name", new_name)]));
        }
        if AUTOMATIC_ARGS.contains(&new_name) {
            return Err(refuse("nav.rename.automatic-arg", &[("name", new_name)]));
        }
        let old = &self.vars.defs[g].name;
        if new_name == old {
            return Ok(());
        }
        // The new name must not already be a variable where this one is defined or used.
        let mut global = false;
        let mut stages: Vec<usize> = Vec::new();
        for o in occs {
            match self
                .tree
                .item_at(o.range.start)
                .and_then(|i| self.model.item_stage.get(i).copied())
            {
                Some(Some(s)) => stages.push(s),
                _ => global = true,
            }
            if let Some(d) = o.reaching {
                match self.vars.defs[d].stage {
                    Some(s) => stages.push(s),
                    None => global = true,
                }
            }
        }
        let taken = (global && self.vars.global.contains_key(new_name))
            || stages
                .iter()
                .any(|&s| self.vars.stages.get(s).is_some_and(|m| m.contains_key(new_name)));
        if taken {
            return Err(refuse(
                "nav.rename.variable-exists",
                &[("name", new_name), ("old", old)],
            ));
        }
        Ok(())
    }

    fn check_delimiter(&self, item: usize, index: usize, new_name: &str) -> Result<(), RenameError> {
        if !is_delimiter_name(new_name) {
            return Err(refuse("nav.rename.invalid-heredoc-name", &[("name", new_name)]));
        }
        let Some(it) = self.tree.item(item) else {
            return Ok(());
        };
        let Some(h) = it.instruction().and_then(|i| i.heredocs().get(index)) else {
            return Ok(());
        };
        let body = slice(self.text, it.abs(h.body));
        let clash = body.lines().any(|l| {
            let l = l.strip_suffix('\r').unwrap_or(l);
            let l = if h.chomp { l.trim_start_matches('\t') } else { l };
            l == new_name
        });
        if clash {
            return Err(refuse("nav.rename.heredoc-line", &[("name", new_name)]));
        }
        Ok(())
    }

    // ----- collecting occurrences -----------------------------------------------------------------

    fn item_occurrences(&self, index: usize, want: Want<'_>, out: &mut Vec<Occurrence>) {
        let Some(it) = self.tree.item(index) else { return };
        let Some(ins) = it.instruction() else { return };
        let stage = self.model.item_stage.get(index).copied().flatten();
        if want.stages {
            self.stage_occurrences(it, ins, out);
        }
        if let Some(filter) = want.vars {
            self.var_occurrences(it, ins, stage, filter, out);
        }
        if want.heredocs {
            heredoc_occurrences(self.text, it, ins, out);
        }
    }

    fn stage_occurrences(&self, it: ItemRef<'_>, ins: &Instruction, out: &mut Vec<Occurrence>) {
        if ins.kind == Kind::From
            && let Some(st) = self.model.stage_from(it.index)
        {
            match st.name_range {
                Some(r) => out.push(Occurrence {
                    range: r,
                    symbol: Symbol::Stage(st.index),
                    definition: true,
                    renamable: true,
                    reaching: None,
                }),
                None => {
                    // An unnamed stage is defined by its FROM; `--from=<index>` refers to it.
                    let range = st.image_range.unwrap_or_else(|| it.abs(ins.keyword.range));
                    out.push(Occurrence {
                        range,
                        symbol: Symbol::Stage(st.index),
                        definition: true,
                        renamable: false,
                        reaching: None,
                    });
                }
            }
        }
        if !ins.may_hold_image() {
            return;
        }
        let uses = self.uses();
        let first = uses.partition_point(|u| u.item < it.index);
        for u in uses[first..].iter().take_while(|u| u.item == it.index) {
            let Target::Stage(s) = u.target else { continue };
            let written = slice(self.text, u.range);
            let by_index = !written.is_empty() && written.bytes().all(|b| b.is_ascii_digit());
            let range = if written.contains('$') {
                continue;
            } else if let Some(inner) = written
                .strip_prefix('"')
                .and_then(|w| w.strip_suffix('"'))
                .filter(|w| !w.contains(['"', '\\']))
            {
                TextRange::at(u.range.start + 1, inner.len() as u32)
            } else if u.verbatim {
                u.range
            } else {
                continue;
            };
            out.push(Occurrence {
                range,
                symbol: Symbol::Stage(s),
                definition: false,
                renamable: !by_index,
                reaching: None,
            });
        }
    }

    fn var_occurrences(
        &self,
        it: ItemRef<'_>,
        ins: &Instruction,
        stage: Option<usize>,
        filter: Option<&str>,
        out: &mut Vec<Occurrence>,
    ) {
        if ins.kind == Kind::Onbuild {
            // Runs in a later build, in another Dockerfile's scopes.
            return;
        }
        let wanted = |name: &str| filter.is_none_or(|f| f == name);
        let from_item = stage
            .and_then(|s| self.model.stages.get(s))
            .map_or(0, |st| st.from_item);
        let build_scope = match (ins.kind, stage) {
            (Kind::From, _) | (_, None) => Scope::Global,
            (_, Some(s)) => Scope::Build(s),
        };
        // Definitions.
        match &ins.args {
            Args::Arg(decls) => {
                for d in decls {
                    let name = ins.text(&d.name);
                    if wanted(name) {
                        self.push_def(it.abs(d.name.range), out);
                    }
                }
            }
            Args::KeyValues(kvs) if ins.kind == Kind::Env => {
                for kv in kvs {
                    if wanted(ins.text(&kv.key)) {
                        self.push_def(it.abs(kv.key.range), out);
                    }
                }
            }
            _ => {}
        }
        // What Docker expands.
        for u in &ins.var_uses {
            let name = ins.text(&u.name);
            if wanted(name) && is_var_name(name) {
                self.push_ref(it.abs(u.name.range), name, build_scope, it.index, from_item, out);
            }
        }
        if matches!(ins.kind, Kind::Copy | Kind::Add) && stage.is_some() {
            for h in ins.heredocs().iter().filter(|h| h.expand) {
                let body = slice(self.text, it.abs(h.body));
                let (refs, _) = shellword::var_refs(body, self.tree.escape);
                for r in refs {
                    let name = body.get(r.name_lo as usize..r.name_hi as usize).unwrap_or("");
                    if wanted(name) && is_var_name(name) {
                        let range = TextRange::new(r.name_lo, r.name_hi).shift(it.abs(h.body).start);
                        self.push_ref(range, name, build_scope, it.index, from_item, out);
                    }
                }
            }
        }
        // What the shell expands.
        let Some(s) = stage else { return };
        let scope = match ins.kind {
            Kind::Run => Scope::Build(s),
            Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck => Scope::Runtime(s),
            _ => return,
        };
        for (range, name) in shell_refs(self.text, it, ins) {
            if wanted(&name) {
                self.push_ref(range, &name, scope, it.index, from_item, out);
            }
        }
    }

    fn push_def(&self, range: TextRange, out: &mut Vec<Occurrence>) {
        // The model lists every definition; the one written here is found by its name's range.
        let Some(id) = self.def_at(range.start) else { return };
        out.push(Occurrence {
            range,
            symbol: Symbol::Var(self.vars.find(id)),
            definition: true,
            renamable: true,
            reaching: None,
        });
    }

    fn def_at(&self, start: u32) -> Option<usize> {
        // Definitions are pushed in document order (global first, then stage by stage).
        let i = self.vars.defs.partition_point(|d| d.range.start < start);
        self.vars.defs.get(i).filter(|d| d.range.start == start).map(|_| i)
    }

    fn push_ref(
        &self,
        range: TextRange,
        name: &str,
        scope: Scope,
        item: usize,
        from_item: usize,
        out: &mut Vec<Occurrence>,
    ) {
        let reaching = match scope {
            Scope::Global => self.vars.global_at(name, item),
            Scope::Build(s) => self.vars.stage_at(s, from_item, name, item),
            Scope::Runtime(s) => self.vars.runtime(s, name),
        };
        let Some(d) = reaching else { return };
        out.push(Occurrence {
            range,
            symbol: Symbol::Var(self.vars.find(d)),
            definition: false,
            renamable: true,
            reaching: Some(d),
        });
    }
}

/// The delimiters of an instruction's heredocs: in the `<<` word and on the closing line.
fn heredoc_occurrences(text: &str, it: ItemRef<'_>, ins: &Instruction, out: &mut Vec<Occurrence>) {
    for (index, h) in ins.heredocs().iter().enumerate() {
        if h.name.is_empty() {
            continue;
        }
        let symbol = Symbol::Heredoc { item: it.index, index };
        let marker = ins.text(&h.marker);
        let marker_range = it.abs(h.marker.range);
        // The name is written after `<<`, `-` and an opening quote, on the marker's line.
        if let Some(pos) = marker.rfind(h.name.as_str())
            && marker_range.len() as usize == marker.len()
            && slice(text, marker_range) == marker
        {
            out.push(Occurrence {
                range: TextRange::at(marker_range.start + pos as u32, h.name.len() as u32),
                symbol,
                definition: true,
                renamable: true,
                reaching: None,
            });
        }
        if let Some(t) = h.terminator {
            let t = it.abs(t);
            let r = TextRange::new(t.end.saturating_sub(h.name.len() as u32).max(t.start), t.end);
            if slice(text, r) == h.name {
                out.push(Occurrence {
                    range: r,
                    symbol,
                    definition: false,
                    renamable: true,
                    reaching: None,
                });
            }
        }
    }
}

/// The variable names the shell expands in a RUN, CMD, ENTRYPOINT or HEALTHCHECK, with their exact
/// absolute ranges (names whose text is not written as is, across an escaped newline for example, are left out).
fn shell_refs(text: &str, it: ItemRef<'_>, ins: &Instruction) -> Vec<(TextRange, String)> {
    let mut out = Vec::new();
    if let Some(CommandForm::Exec(arr)) = ins.command() {
        // `["sh", "-c", "script"]`: the shell expands the script.
        if let [prog, flag, script, ..] = &arr.items[..]
            && shell::is_shell(&prog.value)
            && flag.value == "-c"
        {
            let r = it.abs(script.span.range);
            let inner = TextRange::new((r.start + 1).min(r.end), r.end.saturating_sub(1).max(r.start));
            if slice(text, inner) == script.value {
                for v in shellword::shell_var_refs(&script.value) {
                    let name = &script.value[v.name_lo as usize..v.name_hi as usize];
                    if is_var_name(name) {
                        out.push((
                            TextRange::new(v.name_lo, v.name_hi).shift(inner.start),
                            name.to_string(),
                        ));
                    }
                }
            }
        }
        return out;
    }
    let item_text = shell::item_text(text, &it);
    for script in shell::run_scripts(item_text, ins) {
        if script.origin == shell::ScriptOrigin::ExecForm {
            continue;
        }
        let mut refs = Vec::new();
        // Heredoc bodies the shell reads: none when the delimiter is quoted; quotes are plain text in them.
        let mut blank = script.text.clone().into_bytes();
        let mut bodies = Vec::new();
        for c in &script.script.commands {
            for r in &c.redirects {
                if let Some(h) = &r.heredoc
                    && h.body.end as usize <= blank.len()
                    && script.text.is_char_boundary(h.body.start as usize)
                    && script.text.is_char_boundary(h.body.end as usize)
                {
                    blank[h.body.as_usize()].fill(b' ');
                    if !h.quoted {
                        bodies.push(h.body);
                    }
                }
            }
        }
        let Ok(blank) = String::from_utf8(blank) else { continue };
        refs.extend(
            shellword::shell_var_refs(&blank)
                .into_iter()
                .map(|r| (r.name_lo, r.name_hi)),
        );
        for b in bodies {
            let body: String = slice(&script.text, b)
                .chars()
                .map(|c| if c == '\'' || c == '"' { ' ' } else { c })
                .collect();
            refs.extend(
                shellword::shell_var_refs(&body)
                    .into_iter()
                    .map(|r| (r.name_lo + b.start, r.name_hi + b.start)),
            );
        }
        for (lo, hi) in refs {
            let span = TextRange::new(lo, hi);
            let name = slice(&script.text, span);
            if is_var_name(name) && script.is_exact(span) {
                out.push((script.abs_range(&it, span), name.to_string()));
            }
        }
    }
    out
}
