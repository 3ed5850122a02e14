//! The engine's entry point: `check(input, settings)`, pure and deterministic.
//!
//! Everything it needs comes in as [`Input`]: the Dockerfile text, the ignore file's text, a listing of
//! the build context, and today's date. It never reads files, the clock, the environment or the network.

use crate::date::Date;
use crate::diagnostic::Diagnostic;
use std::sync::Arc;

use crate::memo::{self, Memo};
use crate::model::Model;
use crate::rules::{self, Check, Ctx, IgnoreCtx, Sink};
use crate::settings::Settings;
use crate::suppress;
use crate::syntax::{self, Dockerfile, dockerignore};

/// One entry of a build-context listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextEntry {
    /// Relative, `/`-separated path inside the context.
    pub path: String,
    pub kind: EntryKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
}

/// A listing of the build context, as far as the edge could read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Entries sorted by path.
    pub entries: Vec<ContextEntry>,
    /// False when the scan stopped at its file or time bound.
    pub complete: bool,
    /// Directories (listed in `entries`) the scan did not descend into because the ignore file it was
    /// given excludes them whole (BuildKit does not descend into them either); sorted.
    pub pruned: Vec<String>,
}

impl Context {
    /// Whether the scan looked inside `dir` (`false` for a pruned directory and everything below it).
    pub fn scanned_inside(&self, dir: &str) -> bool {
        !self
            .pruned
            .iter()
            .any(|p| dir == p || (dir.starts_with(p.as_str()) && dir.as_bytes().get(p.len()) == Some(&b'/')))
    }
}

/// What the engine checks.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub dockerfile: &'a str,
    /// The text of the ignore file that applies, if one exists.
    pub ignore_file: Option<&'a str>,
    /// The build context's listing, when the edge scanned it.
    pub context: Option<&'a Context>,
    /// Today's date, for end-of-life checks.
    pub today: Date,
    /// Byte offset of the first character that replaced invalid UTF-8 when the edge decoded the file.
    pub invalid_utf8_at: Option<u32>,
    /// Whether diagnostics carry their fixes. The language server publishes diagnostics without them
    /// (its code actions check the current text again, with fixes); a memoised diagnostic is then
    /// handed out without copying its fixes.
    pub fixes: bool,
}

impl<'a> Input<'a> {
    pub fn new(dockerfile: &'a str, today: Date) -> Input<'a> {
        Input {
            dockerfile,
            ignore_file: None,
            context: None,
            today,
            invalid_utf8_at: None,
            fixes: true,
        }
    }
}

/// Checks a Dockerfile: parses it, builds the model, runs every enabled rule. The result is sorted by
/// file, range and code, and is the same for the same input.
pub fn check(input: &Input, settings: &Settings) -> Vec<Diagnostic> {
    let tree = syntax::parse(input.dockerfile);
    check_tree(&tree, input, settings)
}

/// Like [`check`], with a tree the caller already has (the language server keeps one per document and
/// updates it incrementally). `tree` must be the parse of `input.dockerfile`.
pub fn check_tree(tree: &Dockerfile, input: &Input, settings: &Settings) -> Vec<Diagnostic> {
    let prints = rules::item_prints(tree, input.dockerfile);
    let model = model_of(tree, &prints);
    let ctx = Ctx {
        item_hashes: Arc::new(prints).into(),
        ..Ctx::new(input, tree, &model, settings)
    };
    // Room for a finding every few items: growing the vector copies every diagnostic.
    let mut out = Vec::with_capacity(tree.items.len() / 4 + 16);
    let instruction_rules: Vec<&'static rules::Rule> = rules::RULES
        .iter()
        .copied()
        .filter(|r| matches!(r.check, Check::Instruction(_)) && settings.enabled(r))
        .collect();
    rules::check_instructions(&ctx, &instruction_rules, &mut out);
    for rule in rules::RULES {
        let Check::Dockerfile(run) = rule.check else {
            continue;
        };
        if !settings.enabled(rule) {
            continue;
        }
        rules::check_memoised(&ctx, rule, run, &mut out);
    }
    if !input.fixes {
        for d in &mut out {
            d.fixes = Vec::new();
        }
    }
    if !settings.disable_pragmas {
        out = suppress_and_judge_pragmas(&ctx, out);
    }
    // The ignore file's own findings: the Dockerfile's suppression comments do not reach them.
    if let Some(text) = input.ignore_file {
        out.extend(check_ignore(
            &IgnoreInput {
                text,
                context: input.context,
            },
            settings,
        ));
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then_with(|| a.message.cmp(&b.message)));
    // A repeat is equal in range and code first: comparing those before the rest (whose first fields are
    // strings) spares the neighbours that differ, nearly all, two string comparisons each.
    out.dedup_by(|a, b| a.range == b.range && a.file == b.file && a.code == b.code && a == b);
    out
}

/// Models kept between checks, with the item starts they were built at. Few: typing in an `ENV` makes a
/// new key at every keystroke, and a model of a large file is not small.
static MODELS: Memo<u128, Arc<KeptModel>> = Memo::new(4);

/// A kept model and the item starts it was built at.
type KeptModel = (Arc<Model>, Vec<u32>);

/// How many models were moved rather than built (for the test that both paths give the built model).
#[cfg(test)]
static MOVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// How many models were patched rather than built (`Model::patch`).
#[cfg(test)]
static PATCHED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The model of `tree`, from an earlier check's when it can be. The model reads the kinds of all items,
/// the escape character, and the texts of the instructions up to the first `FROM` and of every `FROM`,
/// `ARG`, `ENV` and `USER`; nothing else. When those are an earlier tree's (the key), the model is that
/// tree's with every range moved with its item (`Model::move_items`). Typing in a `RUN` thus costs no
/// model build. When they differ from the last check's in the texts only (typing in an `ENV` or a
/// `FROM`), the last model is moved and only the stages that read a changed text are built again
/// (`Model::patch`). Guarded by `kept_models_equal_built_models` and `memoised_checks_equal_fresh_checks`.
fn model_of(tree: &Dockerfile, prints: &[rules::ItemPrint]) -> Arc<Model> {
    use std::hash::{BuildHasher, Hash, Hasher};
    if memo::is_bypassed() {
        return Arc::new(Model::build(tree));
    }
    // The kinds as bytes and the hashes of the texts that count, in item order, each hashed in bulk. Which
    // items count follows from the kinds, so equal kinds and equal lists are equal inputs (the hashes of
    // the other items, zeros in a list as long as the file, were most of what this hashed).
    let mut kinds = Vec::with_capacity(prints.len());
    // Room for as many texts as the last check had, and some: growing the list copied it at every
    // keystroke of the 50,000-line bench file, where 5 items in 17 count (callgrind: a grow per check).
    let last_texts = LAST_MODEL.with(|l| l.borrow().as_ref().map_or(0, |m| m.texts.len()));
    let mut texts = Vec::with_capacity((prints.len() / 4).max(last_texts + last_texts / 8 + 16));
    let mut before_from = true;
    for p in prints {
        let kind = p.kind.map_or(0, |k| k as u8 + 1);
        kinds.push(kind);
        if model_reads(kind, before_from) {
            texts.push(p.hash);
        }
        before_from &= kind != FROM_BYTE;
    }
    let key = rules::hash128(|s| {
        let mut h = s.build_hasher();
        tree.escape.hash(&mut h);
        kinds.hash(&mut h);
        texts.hash(&mut h);
        h.finish()
    });
    let last = LAST_MODEL.with(|l| {
        l.replace(Some(LastModel {
            key,
            escape: tree.escape,
            kinds,
            texts,
        }))
    });
    let starts = || prints.iter().map(|p| p.start).collect::<Vec<u32>>();
    // Taken out of the table, so that the model is moved in place when no other check shares it.
    if let Some(kept) = MODELS.take(&key) {
        let (mut model, mut starts) = Arc::unwrap_or_clone(kept);
        moved_to(&mut model, &mut starts, prints);
        MODELS.insert(key, Arc::new((model.clone(), starts)));
        return model;
    }
    let patched = last.and_then(|last| {
        let now = LAST_MODEL.with(|l| {
            let l = l.borrow();
            let now = l.as_ref()?;
            (last.escape == now.escape && last.kinds == now.kinds)
                .then(|| changed_texts(&now.kinds, &last.texts, &now.texts))
        })?;
        let (mut model, mut starts) = Arc::unwrap_or_clone(MODELS.take(&last.key)?);
        moved_to(&mut model, &mut starts, prints);
        Arc::make_mut(&mut model).patch(tree, &now).then_some((model, starts))
    });
    #[cfg(test)]
    if patched.is_some() {
        PATCHED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let (model, starts) = patched.unwrap_or_else(|| (Arc::new(Model::build(tree)), starts()));
    MODELS.insert(key, Arc::new((model.clone(), starts)));
    model
}

/// Moves a kept model, built at item starts `starts`, to the items of `prints`.
fn moved_to(model: &mut Arc<Model>, starts: &mut Vec<u32>, prints: &[rules::ItemPrint]) {
    if !prints.iter().zip(starts.iter()).all(|(p, &s)| p.start == s) {
        Arc::make_mut(model).move_items(&|i| i64::from(prints[i].start) - i64::from(starts[i]));
        starts.clear();
        starts.extend(prints.iter().map(|p| p.start));
        #[cfg(test)]
        MOVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// An item kind as [`model_of`] lists it: 0 for a comment, the kind's number plus one for an instruction.
const FROM_BYTE: u8 = syntax::Kind::From as u8 + 1;

/// Whether the model reads the text of an item of kind byte `kind`: every item before the first `FROM`,
/// and `FROM`, `ARG`, `ENV` and `USER` after it.
fn model_reads(kind: u8, before_from: bool) -> bool {
    use syntax::Kind;
    const READ: [u8; 4] = [
        FROM_BYTE,
        Kind::Arg as u8 + 1,
        Kind::Env as u8 + 1,
        Kind::User as u8 + 1,
    ];
    before_from || READ.contains(&kind)
}

/// The items whose texts differ between two lists of the texts the model reads, for items of the same
/// kinds `kinds` (so the lists hold the same items, in order).
fn changed_texts(kinds: &[u8], last: &[u128], now: &[u128]) -> Vec<usize> {
    let (mut before_from, mut k, mut changed) = (true, 0, Vec::new());
    for (i, &kind) in kinds.iter().enumerate() {
        if model_reads(kind, before_from) {
            if last.get(k) != now.get(k) {
                changed.push(i);
            }
            k += 1;
        }
        before_from &= kind != FROM_BYTE;
    }
    changed
}

/// What the last model on this thread was built from: its key, the escape character, the item kinds and
/// the hashes of the texts it reads, for [`Model::patch`].
struct LastModel {
    key: u128,
    escape: char,
    kinds: Vec<u8>,
    texts: Vec<u128>,
}

thread_local! {
    static LAST_MODEL: std::cell::RefCell<Option<LastModel>> = const { std::cell::RefCell::new(None) };
}

/// Drops suppressed findings, then runs the meta rules that judge the suppression comments themselves.
fn suppress_and_judge_pragmas(ctx: &Ctx, out: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let settings = ctx.settings;
    let pragmas = suppress::pragmas(ctx.tree, ctx.text);
    let skipped = suppress::check_directive_skips(ctx.tree);
    let (mut kept, usage) = suppress::apply(out, &pragmas, &skipped);
    // `# check=error=true`: BuildKit fails the build on any of its check warnings, so the findings of the
    // rules equivalent to a BuildKit check are errors (unless the user configured their severity).
    if suppress::check_directive_errors(ctx.tree) {
        for d in &mut kept {
            if let Some(rule) = rules::rule(d.code)
                && rule.also.iter().any(|a| a.starts_with("buildkit:"))
                && settings.configured_severity(rule).is_none()
            {
                d.severity = crate::diagnostic::Severity::Error;
            }
        }
    }
    let unknown = &rules::unknown_pragma_code::UNKNOWN_PRAGMA_CODE;
    if settings.enabled(unknown) {
        let mut sink = Sink::default();
        rules::unknown_pragma_code::report(&pragmas, &mut sink);
        rules::to_diagnostics(
            unknown,
            settings.configured_severity(unknown),
            settings.locale,
            sink,
            &mut kept,
        );
    }
    let unused = &rules::unused_pragma::UNUSED_PRAGMA;
    if settings.enabled(unused) {
        let mut sink = Sink::default();
        rules::unused_pragma::report(ctx, &pragmas, &usage, &mut sink);
        rules::to_diagnostics(
            unused,
            settings.configured_severity(unused),
            settings.locale,
            sink,
            &mut kept,
        );
    }
    kept
}

/// What the engine checks when the ignore file is the document: its text and the build context's
/// listing, when the edge scanned it.
#[derive(Clone, Copy, Debug)]
pub struct IgnoreInput<'a> {
    pub text: &'a str,
    pub context: Option<&'a Context>,
}

/// Checks an ignore file as a document (the language server publishes these on the `.dockerignore`
/// itself): runs every enabled ignore-file rule. Every diagnostic is on [`FileRef::IgnoreFile`], sorted
/// like [`check`]'s. [`check`] includes the same findings when its input has an ignore file.
///
/// [`FileRef::IgnoreFile`]: crate::diagnostic::FileRef::IgnoreFile
pub fn check_ignore(input: &IgnoreInput, settings: &Settings) -> Vec<Diagnostic> {
    let file = dockerignore::parse(input.text);
    let matcher = dockerignore::Matcher::new(&file).ok();
    let ctx = IgnoreCtx {
        text: input.text,
        file: &file,
        matcher: matcher.as_ref(),
        context: input.context,
        settings,
    };
    let mut out = Vec::new();
    for rule in rules::RULES {
        let Check::IgnoreFile(run) = rule.check else {
            continue;
        };
        if !settings.enabled(rule) {
            continue;
        }
        let mut sink = Sink::default();
        run(&ctx, &mut sink);
        rules::to_diagnostics(
            rule,
            settings.configured_severity(rule),
            settings.locale,
            sink,
            &mut out,
        );
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then_with(|| a.message.cmp(&b.message)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{TODAY, listing};

    /// Without fixes, a check gives the same diagnostics with no fixes, memo warm or cold, whichever of
    /// the two ran first.
    #[test]
    fn a_check_without_fixes_is_the_check_with_its_fixes_dropped() {
        let text = "from node:14 AS b\nARG TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\nRUN curl -k https://x.example/a.sh | sh\n\
                    ADD http://example.com/a.tgz /a\nRUN chmod 777 /x && sudo id\nCOPY . .\nUSER root\n";
        for first_without in [true, false] {
            let mut with = Input::new(text, TODAY);
            let mut without = Input::new(text, TODAY);
            without.fixes = false;
            with.dockerfile = text;
            let settings = Settings::default();
            let run = |input: &Input| check(input, &settings);
            let (a, b) = if first_without {
                let b = run(&without);
                (run(&with), b)
            } else {
                let a = run(&with);
                (a, run(&without))
            };
            assert!(a.iter().filter(|d| !d.fixes.is_empty()).count() >= 3, "{a:#?}");
            let stripped: Vec<Diagnostic> = a
                .into_iter()
                .map(|mut d| {
                    d.fixes.clear();
                    d
                })
                .collect();
            assert_eq!(stripped, b);
            assert_eq!(b, crate::memo::bypassed(|| run(&without)));
        }
    }

    /// A kept model moved to a new tree is the model built from that tree: after every kind of edit at
    /// every offset (typing in any instruction, a new line, a new comment, a deleted byte), with the memo
    /// warmed by the text before the edit, so that both the moved and the rebuilt path are taken.
    #[test]
    fn kept_models_equal_built_models() {
        let base = "ARG BASE=node:20 V\nRUN early\nFROM $BASE AS Build\nENV A=1 B=\"$A x\"\n# note\nRUN echo \
                    $A \\\n  && true\nUSER ${A}:g\nFROM build AS final\nARG V\nENV C=$V\nCOPY <<EOF /x\nhi\nEOF\n\
                    FROM Ubuntu\nFROM a AS final\nUSER app\n";
        let model = |text: &str| {
            let tree = syntax::parse(text);
            let prints = rules::item_prints(&tree, text);
            (Model::clone(&model_of(&tree, &prints)), Model::build(&tree))
        };
        let (mut moved, mut patched) = (0, 0);
        for at in (0..=base.len()).filter(|&i| base.is_char_boundary(i)) {
            for edit in ["x", "\n", "# c\n", ""] {
                let mut text = base.to_string();
                if edit.is_empty() {
                    if at == base.len() {
                        continue;
                    }
                    text.remove(at);
                } else {
                    text.insert_str(at, edit);
                }
                // Back from the last text to the base (patched when the last edit was in a model text).
                let (kept, built) = model(base);
                assert_eq!(kept, built, "back from {edit:?} at {at}");
                let before = MOVED.load(std::sync::atomic::Ordering::Relaxed);
                let patched_before = PATCHED.load(std::sync::atomic::Ordering::Relaxed);
                let (kept, built) = model(&text);
                assert_eq!(kept, built, "{edit:?} at {at}");
                moved += usize::from(MOVED.load(std::sync::atomic::Ordering::Relaxed) > before);
                patched += usize::from(PATCHED.load(std::sync::atomic::Ordering::Relaxed) > patched_before);
            }
        }
        assert!(moved > 100, "models were moved rather than rebuilt ({moved} times)");
        assert!(
            patched > 100,
            "models were patched rather than rebuilt ({patched} times)"
        );
    }

    /// Every ignore-file rule and every Dockerfile rule that reads the ignore file and the listing, on
    /// ignore files made of awkward pieces: no panic, and every range is on character boundaries.
    #[test]
    fn ignore_rules_never_panic_on_weird_ignore_files() {
        const PIECES: &[&str] = &[
            "*",
            "**",
            "/",
            "!",
            "#",
            " ",
            "\t",
            "\n",
            "\r\n",
            "\\",
            "[",
            "]",
            "?",
            ".env",
            ".git",
            "node_modules",
            "a",
            "é",
            "\u{200B}",
            "\u{FEFF}",
            "..",
            ".",
            "**/",
            "*.pem",
            "id_rsa",
            "!.env.production",
            " # c",
        ];
        let context = listing(&[
            ".env",
            ".git/",
            ".git/HEAD",
            "a/",
            "a/node_modules/",
            "a/node_modules/x.js",
            "é/",
            "é/id_rsa",
            "link@",
        ]);
        let dockerfile = "FROM alpine:3.24\nCOPY . /app\nCOPY a/ /a\nCOPY *.pem .env /x/\nCOPY é/id_rsa /k\n";
        let mut next = crate::testing::numbers_below();
        let settings = Settings::default();
        for _ in 0..1500 {
            let len = next(16);
            let text: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
            let mut input = Input::new(dockerfile, TODAY);
            input.ignore_file = Some(&text);
            input.context = Some(&context);
            for d in check(&input, &settings) {
                let t = if d.file == crate::diagnostic::FileRef::IgnoreFile {
                    text.as_str()
                } else {
                    dockerfile
                };
                assert!(t.get(d.range.as_usize()).is_some(), "{d:?} in {text:?}");
                for f in &d.fixes {
                    for e in &f.edits {
                        let t = if e.file == crate::diagnostic::FileRef::IgnoreFile {
                            text.as_str()
                        } else {
                            dockerfile
                        };
                        assert!(
                            f.creates.is_some() || t.get(e.range.as_usize()).is_some(),
                            "{e:?} in {text:?}"
                        );
                    }
                }
            }
        }
    }

    /// A rule that says the same thing several times gives each finding the same shared text (the
    /// language server then compares them by pointer, and a long file holds each text once).
    #[test]
    fn equal_messages_of_a_rule_share_one_text() {
        let text = "FROM golang:1.23 AS a\nRUN true\nFROM golang:1.23 AS b\nRUN true\nFROM golang:1.22 AS c\n\
                    FROM golang:1.23\n";
        for cold in [true, false] {
            let run = || check(&Input::new(text, TODAY), &Settings::default());
            let ds = if cold { crate::memo::bypassed(run) } else { run() };
            let eol: Vec<&Diagnostic> = ds.iter().filter(|d| d.code == "DW105").collect();
            assert_eq!(eol.len(), 4, "{ds:#?}");
            let (a, b, c, d) = (eol[0], eol[1], eol[2], eol[3]);
            assert!(a.message.same(&b.message) && a.message.same(&d.message), "{eol:#?}");
            assert!(!a.message.same(&c.message) && a.message != c.message);
            let help = |x: &Diagnostic| x.help.clone().expect("DW105 has help");
            assert!(help(a).same(&help(b)) && help(a).same(&help(d)));
        }
    }
}
