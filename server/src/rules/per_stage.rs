//! Whole-file rules answered stage by stage ([`super::Rule::per_stage`]).
//!
//! A keystroke in a `RUN` changes what every rule that reads `RUN`s reads, so the whole-file memo
//! ([`super::check_memoised`]) misses for each of them, and each used to run again over the whole file.
//! Most of them look at one stage at a time: a `RUN` is judged by the user it runs as, the variables and
//! working directory in effect, the instructions of its stage. Such a rule declares `per_stage`; when its
//! whole-file memo misses, it runs on each *part* of the file on its own: the items before the first
//! `FROM` (part 0), then each stage (part `s + 1`), and a part whose key is the one it had at the last
//! check of this rule gets that check's findings, each moved with the item it lies in. Those findings are
//! handed to the whole-file memo as they are kept ([`Piece::Kept`]): the memo's entry shares them, and
//! each is copied once, when the check hands it out.
//!
//! A stage's key is made of what the rule's findings there may depend on: the items of that stage the
//! rule reads (texts, in order), the index and those items of each stage it is built on through
//! `FROM <stage>` (as the model resolved the names: a renamed stage changes the stages that named it),
//! every item before the first `FROM` (the global build arguments), the stage's index, whether it is the
//! last stage and whether the final stage is built on it, and everything the whole-file memo keys on
//! besides the items (settings, date, directives, ignore file, context). Stage names are not in it: typing
//! in a stage's name runs the rules again on that stage and those built on it only. A per-stage rule
//! therefore resolves no stage name itself (`Model::stage_by_name`), except through [`Ctx::image_uses`]:
//! the image rules (DW102–DW106) read image references, which resolve `COPY --from=<name>` and
//! `RUN --mount=from=<name>` against the stages before the reference, so for a read set that holds image
//! references the names of the stages before a stage are in its key. DW301 reads what the whole file
//! copies by name ([`Ctx::copied_by_name`]): for a read set that holds `COPY` or `ADD`, that list's
//! fingerprint is in every stage's key. Part 0's key is the whole-file
//! fingerprint of the read set: a global build argument's findings may depend on any stage, and part 0
//! is short.
//!
//! When more than 64 parts (and a quarter of all) have to run, the rule runs once on the whole file and
//! its findings are split into the parts: each part run walks its chain of bases, which on the first check
//! of a long chain of stages would be quadratic. A finding that depends on items the rule does not read
//! is the one reported right after [`Sink::read_unread_items`]; its part is not kept.
//!
//! While a rule runs on a part, [`Ctx::stages`], [`Ctx::instructions`], [`Ctx::runs`],
//! [`Ctx::image_uses`] and [`Ctx::global_args`] give that part's; the model is the whole file's. Every
//! range a part's findings hold must lie in that part, or for a stage in part 0 (an image rule reports a
//! `FROM $BASE` on the global `ARG` it expands; such a finding is never kept): if one does not, the rule
//! broke its declaration, and the check runs it on the whole file instead (and keeps nothing of the
//! parts). Guarded by
//! `memoised_checks_equal_fresh_checks` and `lines_no_rule_reads_never_make_memoised_findings_stale`,
//! whose fresh checks run every rule on the whole file, and by
//! `stages_answered_from_the_last_check_equal_fresh_checks`,
//! `the_stages_answered_are_shared_with_the_whole_file_memo_not_copied`,
//! `a_file_of_many_stages_is_split_into_stages_after_one_whole_run` and
//! `image_findings_on_a_global_arg_stay_with_their_stage`.

use super::{Ctx, RuleFindings, Sink, diagnostic_ranges, hash128, kept_items, moved_copy, within_items};
use crate::diagnostic::Diagnostic;
use crate::model::{Base, Stage, VarDef};
use crate::syntax::{Instruction, ItemRef};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// A read set's part keys ([`Ctx::part_keys`]) and, for each part, how many items of the read set come
/// before it.
pub(crate) type PartKeys = (Arc<Vec<u128>>, Arc<Vec<u32>>);

/// A per-stage check's findings, in part order: a part's findings as the last-check table keeps them
/// (shared, not copied), with the number of items read before the part, or the findings of a run that
/// could not be kept.
pub(crate) enum Piece {
    Kept(u32, Arc<RuleFindings>),
    Loose(Vec<Diagnostic>),
}

/// What a per-stage rule runs on: part 0 (the items before the first `FROM`) or part `s + 1` (stage `s`),
/// as a range of item indices.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Part {
    pub(crate) index: usize,
    pub(crate) items: (usize, usize),
}

/// Each part's fold of a read set's items and how many it read ([`Ctx::own_folds`]).
type OwnFolds = Rc<Vec<(u128, usize)>>;

/// What [`Ctx::own_folds`] made for a read set at a check, kept for the next check on this thread: the
/// fold it was made at ([`super::ItemWindow::from`]), the parts then, and each part's fold, number of
/// items read and where those are in the list of the items read.
struct FoldsKept {
    mask: u32,
    id: u64,
    parts: Rc<Vec<(usize, usize)>>,
    own: OwnFolds,
    offsets: Arc<Vec<u32>>,
    read: Arc<Vec<(u32, u32)>>,
}

thread_local! {
    /// The last [`FoldsKept`] of each read set (one per read set a per-stage rule reads, a few).
    static FOLDS_KEPT: std::cell::RefCell<Vec<FoldsKept>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(test)]
thread_local! {
    /// How many parts' folds were taken from the last check (for the test that they equal fresh ones).
    static FOLDS_TAKEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// What every rule's part keys share, once per check.
pub(crate) struct StageFacts {
    /// Each part's items, in order; together they are every item. Shared with the next check's
    /// [`FoldsKept`].
    parts: Rc<Vec<(usize, usize)>>,
    /// The instructions before the first `FROM`, and what the whole-file memo keys on besides the items.
    shared: u128,
    /// Per stage: 1 when the final stage is built on it (or is it), 2 when it is the last stage.
    flags: Vec<u8>,
    /// Each part's bytes: from its first item's start to its last item's end (empty and nowhere for a
    /// part without items).
    spans: Vec<(u32, u32)>,
    /// Per stage: the earlier stage it is built on (`FROM <stage>`), or `u32::MAX`. Read from the model
    /// once per check, not once per read set: a stage is large, and reading its base for every stage of
    /// every read set was a cache miss each.
    bases: Vec<u32>,
    /// Per stage: the names of the stages before it, folded (what the keys of a read set that holds image
    /// references add); made when such a read set first needs its keys, since most keystrokes leave the
    /// image rules' whole-file memo hit and no other read set needs it.
    names_before: std::cell::OnceCell<Vec<u128>>,
}

/// Mixes a value into an order-sensitive fingerprint (multiply by an odd constant, add), as the
/// whole-file memo does.
const ODD: u128 = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835;

/// How far up its chain of `FROM <stage>` a stage's key looks; a stage further down is not memoised.
const MAX_CHAIN: usize = 64;

/// A fold of `n` items made into a value that no sum of other folds gives: three Feistel rounds over
/// the fold's two halves, each a 64×64→128-bit multiplication whose halves are xored together, which
/// does not commute with the folds' additions. A Feistel network is a bijection for each `n`, so two
/// folds of as many items never seal alike. Run on each base of each stage's chain, for every read set
/// a keystroke asks for: a keyed hash there was a fifth of a `FROM` keystroke's per-stage work, and
/// the 128-bit multiply-xorshift of every part this replaced, with the chain's length in each key,
/// made a `FROM` keystroke on the 5,000-line file run 6.8% more instructions than it does now.
fn seal(fp: u128, n: usize) -> u128 {
    fn folded(a: u64, b: u64) -> u64 {
        let m = u128::from(a) * u128::from(b);
        (m as u64) ^ ((m >> 64) as u64)
    }
    let (mut lo, mut hi) = (fp as u64, (fp >> 64) as u64);
    hi ^= folded(
        lo ^ 0x243F_6A88_85A3_08D3,
        0x9E37_79B9_7F4A_7C15_u64.wrapping_add(n as u64),
    );
    lo ^= folded(hi ^ 0x1319_8A2E_0370_7344, 0xD605_BBB5_8C8A_BBB3);
    hi ^= folded(lo ^ 0xA409_3822_299F_31D0, 0xA076_1D64_78BD_642F);
    (u128::from(hi) << 64) | u128::from(lo)
}

thread_local! {
    /// [`counts`], on this thread.
    static COUNTS: std::cell::Cell<Counts> = const { std::cell::Cell::new(Counts { answered: 0, ran: 0, fell_back: 0 }) };
}

/// Adds to this thread's [`counts`].
fn count(f: impl FnOnce(&mut Counts)) {
    COUNTS.with(|c| {
        let mut v = c.get();
        f(&mut v);
        c.set(v);
    });
}

/// How the per-stage rules were answered on this thread so far: parts answered from the last check, runs
/// (on a part, or on the whole file when many parts changed), and runs on a part that reported outside it
/// (each then ran on the whole file). For tests and probes: the engine's answers never depend on them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub answered: usize,
    pub ran: usize,
    pub fell_back: usize,
}

/// The counts so far ([`Counts`]).
pub fn counts() -> Counts {
    COUNTS.with(|c| c.get())
}

thread_local! {
    /// Each rule's parts at its last check on this thread ([`Kept`]). One file's worth per rule: typing
    /// re-checks the same file (the language server checks on its main thread), and another file's parts
    /// simply miss. Per thread, so that checks on other threads (the command line's workers, tests run in
    /// parallel) neither take nor replace them.
    static LAST: std::cell::RefCell<HashMap<&'static str, Kept>> = std::cell::RefCell::new(HashMap::new());
}

/// A rule's parts at its last check, sparse: a keystroke changes the keys of a part or two, and most
/// parts have no finding, so a check walks only the parts whose key changed and those with findings,
/// not every part of every rule. Part `p` is answered when its key is nonzero, is the one at `keys[p]`,
/// and `p` is not in `unkept`.
#[derive(Default)]
struct Kept {
    /// The parts' keys at that check, as [`Ctx::part_keys`] made them for the rule's read set (the rules
    /// of one read set share them, and the parts whose keys changed are found once for all of them).
    keys: Arc<Vec<u128>>,
    /// The parts whose findings were not kept, in order: they run again.
    unkept: Vec<usize>,
    /// The kept findings of the parts that had some, in part order.
    found: Vec<(usize, Arc<RuleFindings>)>,
    /// The fingerprint of the context's listing at that check, for a rule that reads it (else 0): the
    /// parts' keys leave the listing out, so a new listing answers no part of such a rule.
    context: u128,
}

/// What of the context's listing a rule's kept parts depend on ([`Kept::context`]).
fn context_of(ctx: &Ctx, rule: &super::Rule) -> u128 {
    if rule.reads_context {
        ctx.context_fingerprint()
    } else {
        0
    }
}

impl<'a> Ctx<'a> {
    /// The items a rule looks at: the whole file, or the part a per-stage rule runs on.
    pub fn item_span(&self) -> std::ops::Range<usize> {
        match self.part.get() {
            Some(p) => p.items.0..p.items.1,
            None => 0..self.tree.items.len(),
        }
    }

    /// The stages a rule looks at: all of them, or the one a per-stage rule runs on.
    pub fn stages(&self) -> &'a [Stage] {
        let model: &'a crate::model::Model = self.model;
        match self.part.get() {
            None => &model.stages,
            Some(p) if p.index == 0 => &[],
            Some(p) => model.stages.get(p.index - 1..p.index).unwrap_or(&[]),
        }
    }

    /// The global build arguments, when the rule looks at the items before the first `FROM`.
    pub fn global_args(&self) -> &'a [VarDef] {
        let model: &'a crate::model::Model = self.model;
        match self.part.get() {
            Some(p) if p.index != 0 => &[],
            _ => &model.global_args,
        }
    }

    /// The instructions a rule looks at, with their items.
    pub fn instructions(&self) -> impl Iterator<Item = (ItemRef<'a>, &'a Instruction)> + 'a {
        let tree: &'a crate::syntax::Dockerfile = self.tree;
        self.item_span()
            .filter_map(move |i| tree.item(i))
            .filter_map(|it| it.instruction().map(|ins| (it, ins)))
    }

    /// The parts and their shared key material (`None` when the stages do not cover the items in order,
    /// which the model never gives).
    fn stage_facts(&self) -> Option<&StageFacts> {
        self.stage_facts
            .get_or_init(|| {
                use std::hash::{BuildHasher, Hash, Hasher};
                let n = self.tree.items.len();
                let stages = &self.model.stages;
                let mut parts = vec![(0, stages.first().map_or(n, |s| s.from_item))];
                for s in stages {
                    if s.items.start != parts.last()?.1 || s.items.end < s.items.start {
                        return None;
                    }
                    parts.push((s.items.start, s.items.end));
                }
                if parts.last()?.1 != n {
                    return None;
                }
                let prints = self.item_fingerprints();
                let environment = self.environment_fingerprint();
                let shared = hash128(|h| {
                    let mut h = h.build_hasher();
                    environment.hash(&mut h);
                    for p in &prints[..parts[0].1] {
                        p.hash.hash(&mut h);
                        p.bits.hash(&mut h);
                    }
                    h.finish()
                });
                let mut flags = vec![0u8; stages.len()];
                if let Some(f) = self.model.final_stage(self.settings.target.as_deref()) {
                    for s in self.model.chain(f.index) {
                        flags[s] |= 1;
                    }
                }
                if let Some(last) = flags.last_mut() {
                    *last |= 2;
                }
                let spans = parts
                    .iter()
                    .map(
                        |&(a, b)| match (prints.get(a), b.checked_sub(1).and_then(|l| prints.get(l))) {
                            (Some(first), Some(last)) if a < b => (first.start, last.start + last.len),
                            _ => (u32::MAX, 0),
                        },
                    )
                    .collect();
                let bases = stages
                    .iter()
                    .enumerate()
                    .map(|(s, st)| match st.base {
                        Base::Stage(p) if p < s => p as u32,
                        _ => u32::MAX,
                    })
                    .collect();
                Some(StageFacts {
                    parts: parts.into(),
                    shared,
                    flags,
                    spans,
                    bases,
                    names_before: std::cell::OnceCell::new(),
                })
            })
            .as_ref()
    }

    /// Each part's key for the read set `mask` (0: never answered from the last check), and how many of
    /// the items read come before each part (where its items are in [`Ctx::read_items`]).
    fn part_keys(&self, mask: u32, facts: &StageFacts) -> PartKeys {
        if let Some((_, keys)) = self.part_keys.borrow().iter().find(|(m, _)| *m == mask) {
            return keys.clone();
        }
        let whole = self.read_print(mask);
        let (own, offsets) = self.own_folds(mask, facts, whole.map_or(0, |(_, n)| n));
        // Part 0 (the items before the first `FROM`): the whole-file fingerprint, and which items part 0
        // holds. A read set that holds no `FROM` does not see where the first stage starts, so without
        // them a `COPY` moved before the first `FROM` was answered from part 0 of a file where it was in a
        // stage (found by a random walk of edits around the fuzz target's input, 2026-12-01).
        let whole = whole.map_or(0, |(fp, _)| fp.wrapping_mul(ODD).wrapping_add(facts.shared) | 1);
        let stages = &self.model.stages;
        let mut keys = Vec::with_capacity(facts.parts.len());
        keys.push(whole);
        // A rule that reads image references resolves `COPY --from=<name>` and `RUN --mount=from=<name>`
        // against the stages before the reference (a name that is no stage's is an image): the names of
        // the stages before each stage are in its key.
        let names_before = (mask & super::IMAGE_HOLDER != 0).then(|| {
            facts.names_before.get_or_init(|| {
                stages
                    .iter()
                    .scan(0u128, |before, st| {
                        let at = *before;
                        let name = st.name.as_deref().map_or(0, |n| {
                            hash128(|h| {
                                use std::hash::BuildHasher;
                                h.hash_one(n)
                            })
                        });
                        *before = before.wrapping_mul(ODD).wrapping_add(name).wrapping_add(1);
                        Some(at)
                    })
                    .collect()
            })
        });
        // A rule that reads COPY or ADD may read what the whole file copies by name (DW301 asks for no
        // ignore line that would exclude such a path): that is in every stage's key.
        let copied = if mask & super::kind_mask(&[crate::syntax::Kind::Copy, crate::syntax::Kind::Add]) != 0 {
            self.copied_by_name().fingerprint
        } else {
            0
        };
        // What every stage's key of this read set holds.
        let set = hash128(|h| {
            use std::hash::BuildHasher;
            h.hash_one((facts.shared, mask, copied))
        });
        for s in 0..stages.len() {
            // The stage's own items, then the index and items of each stage it is built on, nearest first.
            // Which stage a `FROM <name>` names is the model's answer: a name that changes (or a stage
            // named alike inserted before) changes the walk, so no stage name need be in the key.
            // Each base's fold of its own items is sealed (`seal`) before it goes into the chain: folds of
            // two sequences added into one polynomial tell neither apart from the other, so a chain of two
            // stages whose items swapped places between them kept its value, and a stage that reads
            // nothing, built on stage 0, had the key of a stage that holds what stage 0 holds and is built
            // on no stage (both found by random walks of edits, 2026-12-01). The stage's own fold needs no
            // seal: it is the only fold in the key that is not sealed, so no other fold adds up to it.
            let mut chain = own[s + 1].0;
            let (mut base, mut depth) = (facts.bases[s], 0);
            while base != u32::MAX && depth < MAX_CHAIN {
                let p = base as usize;
                chain = chain.wrapping_mul(ODD).wrapping_add(p as u128);
                chain = chain.wrapping_mul(ODD).wrapping_add(seal(own[p + 1].0, own[p + 1].1));
                (base, depth) = (facts.bases[p], depth + 1);
            }
            let key = if depth == MAX_CHAIN {
                0
            } else {
                // Folded as the read sets' fingerprints are (a keyed hash per stage and read set was a fifth
                // of a `FROM` keystroke's per-stage work); never 0.
                let names_before = names_before.map_or(0, |n| n[s]);
                [s as u128, u128::from(facts.flags[s]), chain, names_before]
                    .into_iter()
                    .fold(set, |k, v| k.wrapping_mul(ODD).wrapping_add(v))
                    | 1
            };
            keys.push(key);
        }
        let keys = (Arc::new(keys), offsets);
        self.part_keys.borrow_mut().push((mask, keys.clone()));
        keys
    }

    /// What `mask` reads of each part: the fold of its items' hashes in order and their number, with how
    /// many items read come before each part; and, in the same pass, the list of the items read when no
    /// rule asked for it yet this check ([`Ctx::read_items`]). A part the edit since the last check did not
    /// reach takes its fold and its items read from what that check made for `mask` ([`FOLDS_KEPT`]),
    /// without a pass over its items: a part wholly in the items the item table kept at its start, or
    /// wholly in those it kept at its end, whose bounds were a part's then ([`super::ItemWindow`]).
    /// `count`: how many items `mask` reads, room for the list.
    fn own_folds(&self, mask: u32, facts: &StageFacts, count: usize) -> (OwnFolds, Arc<Vec<u32>>) {
        let prints = self.item_fingerprints();
        let listed = self
            .read_items
            .borrow()
            .iter()
            .find(|(m, _)| *m == mask)
            .map(|(_, r)| r.clone());
        let mut read = Vec::with_capacity(if listed.is_some() { 0 } else { count });
        let fold = |(a, b): (usize, usize), read: &mut Vec<(u32, u32)>| {
            prints[a..b]
                .iter()
                .filter(|p| p.bits & mask != 0)
                .fold((0u128, 0usize), |(fp, n), p| {
                    if listed.is_none() {
                        read.push((p.start, p.len));
                    }
                    (fp.wrapping_mul(ODD).wrapping_add(p.hash), n + 1)
                })
        };
        let (id, window) = self.item_window.get();
        // A check that bypasses the memo tables neither takes nor leaves anything here.
        let bypassed = crate::memo::is_bypassed();
        let kept = FOLDS_KEPT
            .with(|k| {
                let mut k = k.borrow_mut();
                let at = k.iter().position(|f| f.mask == mask && !bypassed)?;
                Some(k.swap_remove(at))
            })
            .filter(|k| window.is_some_and(|w| w.from == k.id));
        let mut own = Vec::with_capacity(facts.parts.len());
        match (kept, window) {
            (Some(kept), Some(w)) => {
                let n = prints.len();
                let tail_start = n - w.tail.min(n);
                // The parts answered are copied in runs: the last check's parts `run.0..run.1`, moved by
                // `run.2` bytes (all of the head's parts make one run, all of the tail's another).
                let mut run: Option<(usize, usize, u32)> = None;
                let flush =
                    |run: Option<(usize, usize, u32)>, own: &mut Vec<(u128, usize)>, read: &mut Vec<(u32, u32)>| {
                        let Some((from, to, delta)) = run else {
                            return;
                        };
                        own.extend_from_slice(&kept.own[from..to]);
                        #[cfg(test)]
                        FOLDS_TAKEN.with(|n| n.set(n.get() + (to - from)));
                        if listed.is_none() {
                            let (lo, hi) = (
                                kept.offsets[from] as usize,
                                kept.offsets[to - 1] as usize + kept.own[to - 1].1,
                            );
                            let items = &kept.read[lo..hi];
                            if delta == 0 {
                                read.extend_from_slice(items);
                            } else {
                                read.extend(items.iter().map(|&(start, len)| (start.wrapping_add(delta), len)));
                            }
                        }
                    };
                let mut j = 0;
                for &(a, b) in facts.parts.iter() {
                    // Where the part's items were at the last check, and how far they moved.
                    let was = if b <= w.head {
                        Some((a, b, 0))
                    } else if a >= tail_start {
                        Some((
                            (a + w.old_len).wrapping_sub(n),
                            (b + w.old_len).wrapping_sub(n),
                            w.delta,
                        ))
                    } else {
                        None
                    };
                    let found = was.and_then(|(oa, ob, delta)| {
                        while kept.parts.get(j).is_some_and(|&(x, _)| x < oa) {
                            j += 1;
                        }
                        (kept.parts.get(j) == Some(&(oa, ob))).then_some((j, delta))
                    });
                    match (found, run) {
                        (Some((j, delta)), Some((from, to, d))) if to == j && d == delta => {
                            run = Some((from, j + 1, d))
                        }
                        (Some((j, delta)), _) => {
                            flush(run, &mut own, &mut read);
                            run = Some((j, j + 1, delta));
                        }
                        (None, _) => {
                            flush(run.take(), &mut own, &mut read);
                            own.push(fold((a, b), &mut read));
                        }
                    }
                }
                flush(run, &mut own, &mut read);
            }
            _ => own.extend(facts.parts.iter().map(|&part| fold(part, &mut read))),
        }
        let read = listed.unwrap_or_else(|| {
            let read = Arc::new(read);
            self.read_items.borrow_mut().push((mask, read.clone()));
            read
        });
        let offsets: Arc<Vec<u32>> = Arc::new(
            own.iter()
                .scan(0u32, |before, &(_, n)| {
                    let at = *before;
                    *before += n as u32;
                    Some(at)
                })
                .collect(),
        );
        if bypassed {
            return (Rc::new(own), offsets);
        }
        let own = Rc::new(own);
        FOLDS_KEPT.with(|k| {
            k.borrow_mut().push(FoldsKept {
                mask,
                id,
                parts: facts.parts.clone(),
                own: own.clone(),
                offsets: offsets.clone(),
                read,
            })
        });
        (own, offsets)
    }

    /// The parts whose key in `new` is zero or differs from the one in `old` (a part past the end of `old`
    /// included), in order; found once per check for each pair of key lists (the rules of one read set
    /// that ran together at the last check share theirs).
    fn changed_parts(&self, old: &Arc<Vec<u128>>, new: &Arc<Vec<u128>>) -> std::rc::Rc<Vec<usize>> {
        if let Some((_, _, changed)) = self
            .changed_parts
            .borrow()
            .iter()
            .find(|(o, n, _)| Arc::ptr_eq(o, old) && Arc::ptr_eq(n, new))
        {
            return changed.clone();
        }
        let changed: Vec<usize> = (0..new.len())
            .filter(|&p| new[p] == 0 || old.get(p) != Some(&new[p]))
            .collect();
        let changed = std::rc::Rc::new(changed);
        // The lists are held, so that no other list can take their addresses during this check.
        self.changed_parts
            .borrow_mut()
            .push((old.clone(), new.clone(), changed.clone()));
        changed
    }

    /// The starts and lengths of the items of `part` that `mask` designates, in order.
    fn part_read_items(&self, mask: u32, (a, b): (usize, usize)) -> Vec<(u32, u32)> {
        self.item_fingerprints()[a..b]
            .iter()
            .filter(|f| f.bits & mask != 0)
            .map(|f| (f.start, f.len))
            .collect()
    }
}

/// Whether `stage` has an instruction of `kind`.
pub(crate) fn stage_has(ctx: &Ctx, stage: &Stage, kind: crate::syntax::Kind) -> bool {
    stage.items.clone().any(|i| {
        ctx.tree
            .item(i)
            .and_then(|it| it.instruction())
            .is_some_and(|ins| ins.kind == kind)
    })
}

/// Whether stage `s` or a stage it is built on has an instruction of `kind` (a `WORKDIR` or a `SHELL`
/// that is in effect at the end of `s`), kept in `at_end` by stage: a whole-file run fills it in stage
/// order and reads each stage's base from it, a run on one stage walks only its chain.
pub(crate) fn at_end(ctx: &Ctx, s: usize, at_end: &mut [Option<bool>], kind: crate::syntax::Kind) -> bool {
    if let Some(v) = at_end.get(s).copied().flatten() {
        return v;
    }
    // Root first; the walk ends (a stage is built only on an earlier one) and uses no stack.
    let mut value = false;
    for a in ctx.model.chain(s).into_iter().rev() {
        value = match at_end.get(a).copied().flatten() {
            Some(v) => v,
            None => {
                let v = value || ctx.model.stages.get(a).is_some_and(|st| stage_has(ctx, st, kind));
                if let Some(slot) = at_end.get_mut(a) {
                    *slot = Some(v);
                }
                v
            }
        };
    }
    value
}

/// Above this many parts to run (and a quarter of all parts), the rule runs once on the whole file and
/// its findings are split into the parts: the first check of a file with thousands of stages, where each
/// part run would also walk its chain of bases (a chain of `FROM <stage>` as long as the file made the
/// part runs quadratic).
const SPLIT_ABOVE: usize = 64;

/// Runs a per-stage rule part by part, answering from its last check each part whose key has not
/// changed: the diagnostics (with fixes) and whether any part's findings depend on items the rule does
/// not declare. `None` when the file has fewer than two stages (one run is as cheap) or when the rule
/// reported outside the part it ran on; the caller then runs it on the whole file.
pub(crate) fn check(
    ctx: &Ctx,
    rule: &'static super::Rule,
    run: fn(&Ctx, &mut Sink),
    mask: u32,
) -> Option<(Vec<Piece>, bool)> {
    if ctx.model.stages.len() < 2 {
        return None;
    }
    let facts = ctx.stage_facts()?;
    let (keys, offsets) = ctx.part_keys(mask, facts);
    let context = context_of(ctx, rule);
    let last = LAST
        .with(|t| t.borrow_mut().remove(rule.code))
        .filter(|last| last.context == context)
        .unwrap_or_default();
    // The parts to run: those whose key changed, and those whose findings were not kept.
    let changed = ctx.changed_parts(&last.keys, &keys);
    let mut to_run: Vec<usize> = changed
        .iter()
        .chain(&last.unkept)
        .copied()
        .filter(|&p| p < facts.parts.len())
        .collect();
    to_run.sort_unstable();
    to_run.dedup();
    if to_run.len() > SPLIT_ABOVE && to_run.len() * 4 > facts.parts.len() {
        let (found, unmemoisable) = split(ctx, rule, run, mask, facts, &keys);
        return Some((vec![Piece::Loose(found)], unmemoisable));
    }
    let mut next = Kept {
        keys: keys.clone(),
        unkept: Vec::new(),
        found: Vec::with_capacity(last.found.len() + 1),
        context,
    };
    let mut pieces = Vec::with_capacity(last.found.len() + 1);
    let mut unmemoisable = false;
    // In part order: the parts that run, and between them the kept findings of the parts answered.
    // The last check's findings move to the next table: one reference count more per part answered (the
    // memo's piece), not three.
    let mut kept = last.found.into_iter().peekable();
    for &p in to_run.iter().chain(std::iter::once(&usize::MAX)) {
        while let Some((q, f)) = kept.next_if(|(q, _)| *q <= p) {
            // A part the file no longer has is gone; the part about to run is run again.
            if q < p && q < facts.parts.len() {
                pieces.push(Piece::Kept(offsets[q], f.clone()));
                next.found.push((q, f));
            }
        }
        let Some(&(a, b)) = facts.parts.get(p) else {
            break;
        };
        let ran = run_on(
            ctx,
            rule,
            run,
            Some(Part {
                index: p,
                items: (a, b),
            }),
        );
        unmemoisable |= ran.unmemoisable;
        let (part_found, part_unmemoisable) = (ran.found, ran.unmemoisable);
        if !part_found
            .iter()
            .all(|d| diagnostic_ranges(d).all(|r| in_part(r, facts, p)))
        {
            count(|c| c.fell_back += 1);
            return None;
        }
        match keep(ctx, mask, (a, b), keys[p], part_unmemoisable, &part_found) {
            (0, _) => {
                next.unkept.push(p);
                if !part_found.is_empty() {
                    pieces.push(Piece::Loose(part_found));
                }
            }
            (_, Some(f)) => {
                pieces.push(Piece::Kept(offsets[p], f.clone()));
                next.found.push((p, f));
            }
            (_, None) => {}
        }
    }
    LAST.with(|t| t.borrow_mut().insert(rule.code, next));
    count(|c| {
        c.ran += to_run.len();
        c.answered += facts.parts.len() - to_run.len();
    });
    Some((pieces, unmemoisable))
}

/// What one run of a rule gave: its diagnostics, whether any depends on items it does not read, which
/// ones (the findings reported right after each [`Sink::read_unread_items`]), and how many findings it
/// reported (the diagnostics after those were handed out rendered).
struct Ran {
    found: Vec<Diagnostic>,
    unmemoisable: bool,
    unread: Vec<usize>,
    findings: usize,
}

/// Runs `rule` on `part` (`None`: the whole file) and renders what it reported.
fn run_on(ctx: &Ctx, rule: &'static super::Rule, run: fn(&Ctx, &mut Sink), part: Option<Part>) -> Ran {
    ctx.part.set(part);
    let mut sink = Sink::default();
    run(ctx, &mut sink);
    ctx.part.set(None);
    let unread = std::mem::take(&mut sink.unread_at);
    let (unmemoisable, findings) = (sink.unmemoisable, sink.findings.len());
    let mut found = Vec::new();
    ctx.render(rule, sink, &mut found);
    Ran {
        found,
        unmemoisable,
        unread,
        findings,
    }
}

/// Whether a range that a run on part `p` reported lies where it may: in the part, or for a stage in
/// the items before the first `FROM`, which every stage's key holds (an image rule reports a `FROM $BASE`
/// on the value of the global `ARG BASE=...` it expands to). A finding there is never kept ([`keep`]
/// keeps only findings in the part's read items): its stage runs again at the next check.
fn in_part(r: crate::text::TextRange, facts: &StageFacts, p: usize) -> bool {
    inside(r, facts.spans[p]) || (p > 0 && inside(r, facts.spans[0]))
}

/// Whether range `r` lies in a part's bytes (the empty range at the top of the file, where a directive
/// is inserted, lies in every part).
fn inside(r: crate::text::TextRange, (lo, hi): (u32, u32)) -> bool {
    (r.start == 0 && r.end == 0) || (lo <= r.start && r.end <= hi)
}

/// What the last-check table keeps of a part: its key and findings when they may be answered again (they
/// depend only on the items read, and lie in them), else a key that never matches.
fn keep(
    ctx: &Ctx,
    mask: u32,
    part: (usize, usize),
    key: u128,
    unmemoisable: bool,
    found: &[Diagnostic],
) -> (u128, Option<Arc<RuleFindings>>) {
    let read = ctx.part_read_items(mask, part);
    let storable = key != 0
        && !unmemoisable
        && found
            .iter()
            .all(|d| diagnostic_ranges(d).all(|r| within_items(r, &read).is_some()));
    if !storable {
        return (0, None);
    }
    if found.is_empty() {
        return (key, None);
    }
    let found: Vec<Diagnostic> = found.iter().map(|d| moved_copy(d, true, |_| {})).collect();
    let items = kept_items(&found, &read);
    (key, Some(Arc::new(RuleFindings { items, found })))
}

/// Runs the rule once on the whole file and keeps its findings part by part for the next check. A
/// finding that lies in no single part, or a finding that depends on items the rule does not read when
/// the rule did not say which, keeps nothing.
fn split(
    ctx: &Ctx,
    rule: &'static super::Rule,
    run: fn(&Ctx, &mut Sink),
    mask: u32,
    facts: &StageFacts,
    keys: &Arc<Vec<u128>>,
) -> (Vec<Diagnostic>, bool) {
    let Ran {
        found,
        unmemoisable,
        unread,
        findings,
    } = run_on(ctx, rule, run, None);
    count(|c| c.ran += 1);
    let mut parts: Vec<Vec<usize>> = vec![Vec::new(); facts.parts.len()];
    let mut part_unmemoisable = vec![false; facts.parts.len()];
    // The findings that depend on unread items; a call after the last finding could be about any of them.
    let mut whole = unread.iter().any(|&i| i >= findings);
    for (i, d) in found.iter().enumerate() {
        // The part whose bytes hold the diagnostic's range (parts are in order and do not overlap).
        let p = facts
            .spans
            .partition_point(|&(lo, _)| lo <= d.range.start)
            .checked_sub(1);
        match p {
            // Nothing before the first `FROM` holds an image reference: an image rule's finding there is
            // a stage's, reported on a global `ARG` (see [`in_part`]), and no part may keep it.
            Some(0) if mask & super::IMAGE_HOLDER != 0 => whole = true,
            Some(p)
                if d.file == crate::diagnostic::FileRef::Dockerfile
                    && !(d.range.start == 0 && d.range.end == 0)
                    && diagnostic_ranges(d).all(|r| inside(r, facts.spans[p])) =>
            {
                parts[p].push(i);
                part_unmemoisable[p] |= unread.contains(&i);
            }
            _ => whole = true,
        }
    }
    // Nothing kept: no key of this list matches next time, every part runs.
    let mut next = Kept::default();
    if !whole {
        next.keys = keys.clone();
        next.context = context_of(ctx, rule);
        for (p, &part) in facts.parts.iter().enumerate() {
            let mine: Vec<Diagnostic> = parts[p].iter().map(|&i| moved_copy(&found[i], true, |_| {})).collect();
            match keep(ctx, mask, part, keys[p], part_unmemoisable[p], &mine) {
                (0, _) => next.unkept.push(p),
                (_, Some(f)) => next.found.push((p, f)),
                (_, None) => {}
            }
        }
    }
    LAST.with(|t| t.borrow_mut().insert(rule.code, next));
    (found, unmemoisable)
}

#[cfg(test)]
mod tests {
    use super::super::{Check, FixAvailability, RULE_MEMO_MAX, Reads, Rule, check_memoised};
    use super::*;
    use crate::check::Input;
    use crate::date::Date;
    use crate::diagnostic::Severity;
    use crate::settings::Settings;
    use crate::syntax::Kind;

    /// A per-stage rule for these tests, reading what the model is built from.
    const fn rule(code: &'static str, run: fn(&Ctx, &mut Sink)) -> Rule {
        Rule {
            code,
            name: "per-stage-test",
            severity: Severity::Warning,
            tags: &[],
            fix: FixAvailability::None,
            since: "0.1.0",
            doc: "",
            also: &[],
            opt_in: false,
            reads: Some(Reads::Kinds(&[Kind::From, Kind::Arg, Kind::Env, Kind::User])),
            per_stage: true,
            reads_context: false,
            check: Check::Dockerfile(run),
        }
    }

    /// Reports each stage's FROM, as information when the final stage is not built on it.
    static SHIPPED: Rule = rule("DW990", |ctx, sink| {
        let chain = ctx
            .model
            .final_stage(None)
            .map(|f| ctx.model.chain(f.index))
            .unwrap_or_default();
        for st in ctx.stages() {
            let Some(range) = st.image_range else { continue };
            let f = sink.report(range, "secret-left-in-layer", vec![("path", String::new())]);
            if !chain.contains(&st.index) {
                f.severity(Severity::Info);
            }
        }
    });

    /// Reports each stage's FROM, as information when it is built on another stage.
    static CHAINED: Rule = rule("DW991", |ctx, sink| {
        for st in ctx.stages() {
            let Some(range) = st.image_range else { continue };
            let f = sink.report(range, "secret-left-in-layer", vec![("path", String::new())]);
            if ctx.model.chain(st.index).len() > 1 {
                f.severity(Severity::Info);
            }
        }
    });

    /// Reports every `COPY` of its stage (reading what DW301 reads: a set of the registry's).
    static COPIES: Rule = Rule {
        reads: Some(Reads::Kinds(&[Kind::Copy, Kind::Add])),
        ..rule("DW993", |ctx, sink| {
            for (it, ins) in ctx.instructions() {
                if ins.kind == Kind::Copy {
                    sink.report(it.abs(ins.range), "secret-left-in-layer", vec![("path", String::new())]);
                }
            }
        })
    };

    /// Breaks its declaration: reports every stage on the first one.
    static OUTSIDE: Rule = rule("DW992", |ctx, sink| {
        let first = ctx.model.stages.first().and_then(|s| s.image_range);
        for _ in ctx.stages() {
            if let Some(range) = first {
                sink.report(range, "secret-left-in-layer", vec![("path", String::new())]);
            }
        }
    });

    /// Each part's key and fold taken from the last check ([`Ctx::own_folds`]) equal the ones a fresh pass
    /// makes, and so does the list of the items read: random edits of a file of many stages (lines typed
    /// into, removed and inserted, blank lines that move the items after them without changing a text,
    /// stages inserted and removed), for the read sets a per-stage rule of the registry declares, each
    /// asked for at three checks in four. The fresh pass runs on a thread of its own, which has kept
    /// nothing.
    #[test]
    fn folds_and_items_read_taken_from_the_last_check_equal_fresh_ones() {
        const LINES: &[&str] = &[
            "FROM golang:1.23 AS build\n",
            "ARG V=1\n",
            "ENV A=1\n",
            "USER app\n",
            "RUN make\n",
            "COPY . .\n",
            "ADD a.tgz /a\n",
            "WORKDIR /src\n",
            "# c\n",
            "\n",
            "COPY --from=build /a /b\n",
            "FROM build\n",
            "RUN --mount=from=build,target=/x true\n",
        ];
        let mut masks: Vec<u32> = super::super::RULES
            .iter()
            .filter(|r| r.per_stage)
            .filter_map(|r| r.reads.map(|x| x.mask()))
            .collect();
        masks.sort_unstable();
        masks.dedup();
        assert!(masks.len() > 3, "{masks:?}");
        let lists = |text: &str, masks: &[u32]| {
            let tree = crate::syntax::parse(text);
            let model = crate::model::Model::build(&tree);
            let input = Input::new(text, Date::new(2026, 11, 28));
            let settings = Settings::default();
            let ctx = Ctx::new(&input, &tree, &model, &settings);
            let facts = ctx.stage_facts().expect("the stages cover the items");
            masks
                .iter()
                .map(|&m| {
                    let (keys, offsets) = ctx.part_keys(m, facts);
                    ((*keys).clone(), (*offsets).clone(), (*ctx.read_items(m)).clone())
                })
                .collect::<Vec<_>>()
        };
        let mut next = crate::testing::numbers_below();
        let mut lines: Vec<String> = (0..600).map(|i| LINES[i % LINES.len()].to_string()).collect();
        let taken = FOLDS_TAKEN.with(|n| n.get());
        for step in 0..150 {
            crate::testing::edit_lines(&mut lines, LINES, &mut next, (30, 20, true));
            let text = lines.concat();
            // Some read sets are not asked for at some checks: their lists are then two checks old.
            let asked: Vec<u32> = masks.iter().copied().filter(|_| next(4) != 0).collect();
            let warm = lists(&text, &asked);
            let fresh = std::thread::scope(|s| s.spawn(|| lists(&text, &asked)).join().expect("no panic"));
            assert_eq!(warm, fresh, "step {step}");
        }
        let taken = FOLDS_TAKEN.with(|n| n.get()) - taken;
        assert!(taken > 150 * 100, "folds were taken from the last check: {taken}");
    }

    /// `rule`'s diagnostics in a check of `text`, as the engine gives them.
    fn findings(rule: &'static Rule, text: &str) -> Vec<Diagnostic> {
        let tree = crate::syntax::parse(text);
        let model = crate::model::Model::build(&tree);
        let input = Input::new(text, Date::new(2026, 11, 28));
        let settings = Settings::default();
        let ctx = Ctx::new(&input, &tree, &model, &settings);
        let Check::Dockerfile(run) = rule.check else {
            unreachable!("a Dockerfile rule")
        };
        let mut out = Vec::new();
        check_memoised(&ctx, rule, run, &mut out);
        out.sort_by_key(|d| (d.range.start, d.severity));
        out
    }

    /// `after` checked right after `before`, against a fresh check of `after`.
    fn same_as_fresh(rule: &'static Rule, before: &str, after: &str) {
        findings(rule, before);
        let ran = counts().ran;
        let warm = findings(rule, after);
        assert!(counts().ran > ran, "{}: run stage by stage", rule.code);
        let fresh = crate::memo::bypassed(|| findings(rule, after));
        assert_eq!(warm, fresh, "{}: {after:?} after {before:?}", rule.code);
    }

    #[test]
    fn a_stage_key_holds_whether_the_final_stage_is_built_on_it_and_the_stages_it_is_built_on() {
        // Typing at the end of `FROM build`: the first stage's items stay, but the final image no longer
        // contains it.
        same_as_fresh(
            &SHIPPED,
            "FROM alpine:3.20 AS build\nFROM build\n",
            "FROM alpine:3.20 AS build\nFROM buildx\n",
        );
        // A stage renamed: the second stage's items stay, but `FROM one` now names an image.
        same_as_fresh(
            &CHAINED,
            "FROM alpine:3.20 AS one\nFROM one\n",
            "FROM alpine:3.20 AS onex\nFROM one\n",
        );
        // A stage inserted before: `FROM one` names another stage with the same items.
        same_as_fresh(
            &CHAINED,
            "FROM alpine:3.20 AS one\nFROM alpine:3.20 AS two\nFROM one\n",
            "FROM alpine:3.20 AS two\nFROM alpine:3.20 AS one\nFROM one\n",
        );
    }

    /// `fuzz/artifacts/incremental_edits/crash-40a55cf5…` (random seed): the second stage of `before`
    /// reads no `COPY` and is built on stage 0, which holds one; the second stage of `after` holds that
    /// `COPY` itself and is built on no stage. Their keys were equal, so the `COPY` of `after` was answered
    /// from the second stage of `before`, which reported nothing (DW301 lost a finding in the fuzz run).
    #[test]
    fn a_stage_built_on_stage_0_is_told_apart_from_one_that_holds_its_items() {
        // The second stage: nothing read, built on stage 0 (which copies `x`), then copying `x` itself and
        // built on no stage. The last stage's `COPY --from` changes the whole file's read set, so that the
        // stages are asked for, without naming a context path (which is in every stage's key).
        same_as_fresh(
            &COPIES,
            "FROM alpine:3.20 AS a\nCOPY x y\nFROM a\nFROM alpine:3.20\n",
            "FROM alpine:3.20 AS a\nFROM alpine:3.20\nCOPY x y\nFROM alpine:3.20\nCOPY --from=a /o /p\n",
        );
        // And the other way round.
        same_as_fresh(
            &COPIES,
            "FROM alpine:3.20 AS a\nFROM alpine:3.20\nCOPY p q\nFROM alpine:3.20\n",
            "FROM alpine:3.20 AS a\nCOPY p q\nFROM a\nFROM alpine:3.20\nCOPY --from=a /o /p\n",
        );
    }

    /// The same `COPY` instructions, one of them moved before the first `FROM`: the whole file's read set
    /// is the same, but part 0 now holds that `COPY`. Part 0's key was the whole-file fingerprint alone,
    /// so once the whole-file memo had forgotten the first file, part 0 of the second was answered from
    /// the first file's part 0, which reported nothing (DW301 lost a finding in a random walk of edits).
    #[test]
    fn part_0_is_told_apart_by_the_items_it_holds() {
        let before = "FROM alpine:3.20\nCOPY x0 y\nFROM alpine:3.20\nCOPY p0 q\n";
        let after = "COPY x0 y\nFROM alpine:3.20\nFROM alpine:3.20\nCOPY p0 q\n";
        findings(&COPIES, before);
        // Files of one stage (run whole, so the per-stage table keeps `before`) until the whole-file memo
        // has been emptied: `after` has the read set of `before`, and would be answered from its entry.
        for i in 0..RULE_MEMO_MAX + 1 {
            findings(&COPIES, &format!("FROM alpine:3.20\nCOPY f{i} g\n"));
        }
        let ran = counts().ran;
        let warm = findings(&COPIES, after);
        assert!(counts().ran > ran, "run stage by stage");
        let fresh = crate::memo::bypassed(|| findings(&COPIES, after));
        assert_eq!(warm, fresh);
        assert_eq!(warm.len(), 2, "{warm:?}");
    }

    /// A stage built on stage 0 and stage 0 swap two `COPY` instructions. A chain folded linearly (each
    /// part's fold, without `seal`, multiplied by a power of the constant and added) gives some item of
    /// the stage and some item of its base the same power, so swapping those two kept the chain's value,
    /// and the second stage was answered from the first file's (DW301 lost a finding in a random walk of
    /// edits). Which two items collide depends on how the chain is folded, so every pair is swapped; the
    /// items' lengths all differ, so that a finding answered from the wrong file is at the wrong place.
    #[test]
    fn items_swapped_between_a_stage_and_its_base_change_its_key() {
        let base: Vec<String> = (0..6).map(|i| format!("COPY {} y", "b".repeat(i + 1))).collect();
        let stage: Vec<String> = (0..4).map(|i| format!("COPY {} y", "s".repeat(i + 8))).collect();
        let file = |base: &[String], stage: &[String]| {
            format!(
                "FROM alpine:3.20 AS a\n{}\nFROM a\n{}\n",
                base.join("\n"),
                stage.join("\n")
            )
        };
        for i in 0..stage.len() {
            for j in 0..base.len() {
                let (mut b, mut s) = (base.clone(), stage.clone());
                std::mem::swap(&mut b[j], &mut s[i]);
                same_as_fresh(&COPIES, &file(&base, &stage), &file(&b, &s));
            }
        }
    }

    #[test]
    fn many_stages_to_run_are_run_as_one_whole_file_and_kept_part_by_part() {
        let stages: String = (0..100)
            .map(|i| format!("FROM alpine:3.20 AS s{i}\nUSER {i}\n"))
            .collect();
        let ran = counts().ran;
        let first = findings(&SHIPPED, &stages);
        assert_eq!(counts().ran, ran + 1, "one run on the whole file");
        assert_eq!(first.len(), 100);
        // A keystroke in one stage: the others are answered from the split.
        let typed = stages.replace("USER 50\n", "USER 50x\n");
        let answered = counts().answered;
        same_as_fresh(&SHIPPED, &stages, &typed);
        assert!(
            counts().answered >= answered + 99,
            "the other stages answered from the split run"
        );
    }

    /// A keystroke in one stage copies the findings handed out and those of the stage that ran (to keep
    /// them), once each: the other stages' kept findings go into the whole-file memo as they are, shared,
    /// not copied into a new list first. Counted on this thread, so tests running at once do not count.
    #[test]
    fn the_stages_answered_are_shared_with_the_whole_file_memo_not_copied() {
        let stages: String = (0..10)
            .map(|i| format!("FROM alpine:3.20 AS s{i}\nUSER {i}\n"))
            .collect();
        findings(&CHAINED, &stages);
        let typed = stages.replace("FROM alpine:3.20 AS s5\n", "FROM alpine:3.20x AS s5\n");
        let (copies, ran, answered) = (super::super::COPIES.with(|c| c.get()), counts().ran, counts().answered);
        let found = findings(&CHAINED, &typed);
        assert_eq!(found.len(), 10);
        assert_eq!(
            (counts().ran - ran, counts().answered - answered),
            (2, 9),
            "the typed stage and part 0 (whose key is the whole file's) ran, the nine other stages were answered"
        );
        assert_eq!(
            super::super::COPIES.with(|c| c.get()) - copies,
            found.len() + 1,
            "each finding handed out once, and the one of the stage that ran kept"
        );
        assert_eq!(found, crate::memo::bypassed(|| findings(&CHAINED, &typed)));
    }

    #[test]
    fn a_rule_that_reports_outside_its_stage_runs_on_the_whole_file() {
        let text = "FROM alpine:3.20 AS one\nFROM alpine:3.21 AS two\nFROM alpine:3.22\n";
        let fell_back = counts().fell_back;
        let found = findings(&OUTSIDE, text);
        assert!(counts().fell_back > fell_back);
        assert_eq!(found, crate::memo::bypassed(|| findings(&OUTSIDE, text)));
        assert_eq!(found.len(), 3, "one finding per stage, all on the first: {found:?}");
    }
}
