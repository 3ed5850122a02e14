//! Completion, hover and inlay hints of `ide/` on cursor-marker fixtures: every
//! `fixtures/ide/completion/*.Dockerfile` holds one `‸`, removed before parsing, that gives the cursor;
//! the items there are a named snapshot under `tests/snapshots/ide_completion/`. Review changes with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test ide_completion` then `git diff`).
//!
//! Also: the features never panic at any offset of the tricky parser fixtures and of corpus files, every
//! completion range lies on one line around the cursor, and a request on a 5,000-line file stays cheap.

mod support;

use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

use dockward::date::Date;
use dockward::ide::completion::{Input, Item, complete};
use dockward::ide::{hover, inlay};
use dockward::messages::Locale;
use dockward::model::Model;
use dockward::syntax::parse;
use dockward::text::{LineIndex, TextRange};

const MARKER: char = '‸';
const TODAY: Date = Date::new(2026, 11, 28);
const SNAPSHOTS: &str = "snapshots/ide_completion";
/// Items shown per snapshot (long lists of images and tags are cut, with their count).
const SHOWN: usize = 40;

fn items_at(text: &str, offset: u32) -> Vec<Item> {
    let tree = parse(text);
    let model = Model::build(&tree);
    let lines = LineIndex::new(text);
    complete(&Input {
        text,
        lines: &lines,
        tree: &tree,
        model: Some(&model),
        offset,
        today: TODAY,
        locale: Locale::En,
    })
}

fn render(text: &str, offset: u32, items: &[Item]) -> String {
    let mut s = String::new();
    let mut marked = text.to_string();
    marked.insert(offset as usize, MARKER);
    let _ = writeln!(s, "{}", marked.replace('\r', "␍"));
    let _ = writeln!(s, "--- cursor at byte {offset}; {} items", items.len());
    for it in items.iter().take(SHOWN) {
        let replaced = &text[it.range.start as usize..it.range.end as usize];
        let _ = write!(
            s,
            "{} [{:?}] replaces «{replaced}» with «{}»",
            it.label, it.kind, it.insert
        );
        if let Some(sn) = &it.snippet {
            let _ = write!(s, " snippet «{sn}»");
        }
        if it.filter != it.label {
            let _ = write!(s, " filter «{}»", it.filter);
        }
        if let Some(d) = &it.detail {
            let _ = write!(s, " — {d}");
        }
        if it.deprecated {
            let _ = write!(s, " (deprecated)");
        }
        let _ = writeln!(s);
    }
    if items.len() > SHOWN {
        let _ = writeln!(s, "... and {} more", items.len() - SHOWN);
    }
    s
}

#[test]
fn completion_fixtures() {
    let dir = Path::new(support::ROOT).join("fixtures/ide/completion");
    let mut names = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ide/completion")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 40, "{} fixtures", entries.len());
    for path in entries {
        let raw = std::fs::read_to_string(&path).expect("fixture");
        let offset = raw.find(MARKER).expect("a ‸ marker") as u32;
        let text = raw.replacen(MARKER, "", 1);
        let items = items_at(&text, offset);
        check_ranges(&text, offset, &items);
        let stem = path
            .file_stem()
            .and_then(|n| n.to_str())
            .expect("fixture name")
            .to_string();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(SNAPSHOTS);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(&path);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(stem.clone(), render(&text, offset, &items)));
        names.push(format!("{stem}.snap"));
    }
    support::assert_no_stale_snapshots(SNAPSHOTS, &names, "fixture");
}

/// Every range is on character boundaries of one line and contains the cursor; labels are unique per
/// answer.
fn check_ranges(text: &str, offset: u32, items: &[Item]) {
    let mut labels = std::collections::HashSet::new();
    for it in items {
        let r = it.range;
        assert!(
            r.start <= offset && offset <= r.end,
            "{:?} does not hold the cursor {offset} ({})",
            r,
            it.label
        );
        assert!(text.is_char_boundary(r.start as usize) && text.is_char_boundary(r.end as usize));
        assert!(!text[r.start as usize..r.end as usize].contains('\n'), "{r:?}");
        assert!(labels.insert(&it.label), "{} twice", it.label);
    }
}

#[test]
fn keyword_case_and_snippets_follow_the_file() {
    let items = items_at("from alpine\nrun x\n\n", 18);
    assert!(items.iter().all(|i| i.label.chars().all(|c| c.is_ascii_lowercase())));
    let from = items.iter().find(|i| i.label == "from").expect("from");
    assert_eq!(from.snippet.as_deref(), Some("from ${1:image}:${2:tag} as ${3:name}"));
    // Before the first FROM only FROM and ARG can start.
    let labels: Vec<String> = items_at("\nFROM alpine\n", 0).into_iter().map(|i| i.label).collect();
    assert_eq!(labels, ["FROM", "ARG"]);
}

#[test]
fn tags_are_newest_first_and_end_of_life_ones_are_deprecated() {
    let text = "FROM node:\n";
    let items = items_at(text, 10);
    let majors: Vec<u32> = items
        .iter()
        .filter_map(|i| i.label.split(['.', '-']).next()?.parse().ok())
        .collect();
    assert!(majors.windows(2).all(|w| w[0] >= w[1]), "{majors:?}");
    let tag = |t: &str| items.iter().find(|i| i.label == t);
    assert!(tag("24").is_some_and(|i| !i.deprecated), "node 24 is supported");
    // Python 3.8 is end of life on the test date; a tag naming it is deprecated if still listed.
    let py = items_at("FROM python:\n", 12);
    for i in &py {
        if i.label.starts_with("3.8") {
            assert!(i.deprecated, "{}", i.label);
        }
    }
}

/// Byte offsets to try in `text`: every 7th byte, the ends, and each line's end.
fn offsets(text: &str) -> Vec<u32> {
    let mut v: Vec<u32> = (0..=text.len() as u32).step_by(7).collect();
    v.push(text.len() as u32);
    v.extend(text.match_indices('\n').map(|(i, _)| i as u32));
    v
}

#[test]
fn completion_hover_and_inlay_hints_never_panic_and_keep_their_ranges() {
    let mut files = support::syntax_fixtures();
    files.extend(support::corpus().into_iter().step_by(18).take(50));
    assert!(files.len() > 80, "{}", files.len());
    for f in &files {
        let text = &f.text;
        let tree = parse(text);
        let model = Model::build(&tree);
        let lines = LineIndex::new(text);
        for off in offsets(text) {
            for (locale, model) in [(Locale::En, Some(&model)), (Locale::Ja, None)] {
                let items = complete(&Input {
                    text,
                    lines: &lines,
                    tree: &tree,
                    model,
                    offset: off,
                    today: TODAY,
                    locale,
                });
                let cursor = support::floor_boundary(text, off as usize) as u32;
                check_ranges(text, cursor, &items);
            }
            if let Some((md, r)) = hover::hover(&hover::Input {
                text,
                lines: &lines,
                tree: &tree,
                model: &model,
                offset: off,
                today: TODAY,
                locale: Locale::Ja,
                trusted: &[],
            }) {
                assert!(!md.is_empty());
                assert!(text.get(r.as_usize()).is_some(), "hover range {r:?}");
            }
        }
        // Inlay hints over the whole text and over a window of each line.
        for range in std::iter::once(TextRange::new(0, text.len() as u32)).chain(
            offsets(text)
                .into_iter()
                .map(|o| TextRange::new(o, (o + 40).min(text.len() as u32))),
        ) {
            for h in inlay::inlay_hints(&inlay::Input {
                text,
                lines: &lines,
                tree: &tree,
                model: &model,
                range,
                today: TODAY,
                locale: Locale::En,
                options: inlay::Options::default(),
            }) {
                assert!(range.contains_inclusive(h.offset) && text.is_char_boundary(h.offset as usize));
                assert!(!h.label.is_empty());
            }
        }
    }
}

#[test]
fn requests_on_a_5000_line_file_are_cheap() {
    let mut text = String::from("ARG BASE=alpine:3.24\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "FROM $BASE AS s{i}\nARG V{i}=1\nENV E{i}=$V{i}\nRUN --mount=type=cache,target=/c echo $E{i}\nUSER app\n"
        ));
    }
    let lines_n = text.lines().count();
    assert!(lines_n >= 5000, "{lines_n}");
    let tree = parse(&text);
    let lines = LineIndex::new(&text);
    let at = |needle: &str, plus: usize| text.rfind(needle).expect("needle") as u32 + plus as u32;
    let cursors = [
        ("mount option", at("RUN --mount=type=cache,", 23)),
        ("variable", at("echo $E", 6)),
        ("image after FROM", at("FROM $BASE AS s999", 5)),
        ("instruction keyword", at("\nUSER app\n", 1)),
    ];
    // What the server does per request: completion builds the model itself, only when it needs it;
    // hover and inlay hints build it once.
    let rounds = 10;
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..rounds {
            f();
        }
        start.elapsed() / rounds
    };
    let mut report = String::new();
    let model_cost = time(&|| {
        let model = Model::build(&tree);
        assert_eq!(model.stages.len(), 1000);
    });
    let _ = writeln!(report, "model build alone: {model_cost:?}");
    let mut worst = std::time::Duration::ZERO;
    for (what, offset) in cursors {
        let t = time(&|| {
            let items = complete(&Input {
                text: &text,
                lines: &lines,
                tree: &tree,
                model: None,
                offset,
                today: TODAY,
                locale: Locale::En,
            });
            assert!(!items.is_empty());
        });
        let _ = writeln!(report, "completion, {what}: {t:?}");
        worst = worst.max(t);
    }
    let t = time(&|| {
        let model = Model::build(&tree);
        let h = hover::hover(&hover::Input {
            text: &text,
            lines: &lines,
            tree: &tree,
            model: &model,
            offset: at("echo $E", 6),
            today: TODAY,
            locale: Locale::En,
            trusted: &[],
        });
        assert!(h.is_some());
    });
    let _ = writeln!(report, "hover, variable: {t:?}");
    worst = worst.max(t);
    let t = time(&|| {
        let model = Model::build(&tree);
        let hints = inlay::inlay_hints(&inlay::Input {
            text: &text,
            lines: &lines,
            tree: &tree,
            model: &model,
            range: TextRange::new(at("FROM $BASE AS s500", 0), at("FROM $BASE AS s560", 0)),
            today: TODAY,
            locale: Locale::En,
            options: inlay::Options::default(),
        });
        assert!(hints.len() >= 60, "{}", hints.len());
    });
    let _ = writeln!(report, "inlay hints, 300 visible lines: {t:?}");
    worst = worst.max(t);
    let _ = std::fs::write(Path::new(env!("CARGO_TARGET_TMPDIR")).join("ide_costs.txt"), &report);
    // A request costs at most one model build and some linear work besides: quadratic work would take
    // seconds. (Relative to the model, so that a busy machine or a debug build does not matter.)
    assert!(
        worst < model_cost * 3 + std::time::Duration::from_millis(30),
        "{report}"
    );
}
