//! The navigation features of `ide/` on cursor-marker fixtures (`fixtures/ide/navigation/`): the marker
//! `‸` is removed before parsing and gives the offset; a comment line `# rename-to: NAME` gives the new
//! name a rename is tried with. Each fixture's snapshot shows every feature's answer as source text.
//! Plus robustness at every offset of the parser fixtures and part of the corpus, and the cost on a
//! 5,000-line file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dockward::ide::folding::folding_ranges;
use dockward::ide::links::{LinkTarget, document_links};
use dockward::ide::navigate::Navigation;
use dockward::ide::selection::selection_ranges;
use dockward::ide::symbols::{Symbol, document_symbols, matches_query, workspace_symbols};
use dockward::messages::{self, Locale};
use dockward::model::Model;
use dockward::syntax::parse;
use dockward::text::{LineIndex, TextRange, slice};

const MARKER: &str = "‸";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// `line:col` (1-based, columns in characters) of an offset.
fn at(text: &str, idx: &LineIndex, offset: u32) -> String {
    let lc = idx.to_line_col(text, offset, dockward::text::Encoding::Utf32);
    format!("{}:{}", lc.line + 1, lc.col + 1)
}

fn show(text: &str, idx: &LineIndex, r: TextRange) -> String {
    format!(
        "{}-{} {:?}",
        at(text, idx, r.start),
        at(text, idx, r.end),
        slice(text, r)
    )
}

fn show_symbols(text: &str, idx: &LineIndex, syms: &[Symbol], depth: usize, out: &mut String) {
    for s in syms {
        out.push_str(&format!(
            "{}{:?} {:?}{} range {}-{} selection {}\n",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default(),
            at(text, idx, s.range.start),
            at(text, idx, s.range.end),
            show(text, idx, s.selection),
        ));
        assert!(
            s.range.start <= s.selection.start && s.selection.end <= s.range.end,
            "selection inside range: {s:?}"
        );
        show_symbols(text, idx, &s.children, depth + 1, out);
    }
}

fn apply(text: &str, edits: &[(TextRange, String)]) -> String {
    let mut out = text.to_string();
    let mut es = edits.to_vec();
    es.sort_by_key(|e| std::cmp::Reverse(e.0.start));
    for (r, t) in es {
        out.replace_range(r.as_usize(), &t);
    }
    out
}

/// Everything the navigation features answer for one fixture.
fn report(raw: &str) -> String {
    let offset = raw.find(MARKER).map(|o| o as u32);
    let text = raw.replacen(MARKER, "", 1);
    let tree = parse(&text);
    let model = Model::build(&tree);
    let idx = LineIndex::new(&text);
    let mut out = String::new();
    out.push_str("== symbols\n");
    show_symbols(
        &text,
        &idx,
        &document_symbols(&text, &tree, &model, Locale::En),
        0,
        &mut out,
    );
    out.push_str("== workspace symbols\n");
    for s in workspace_symbols(&text, &tree, &model, Locale::En) {
        out.push_str(&format!(
            "{:?} {:?} {}\n",
            s.kind,
            s.name,
            show(&text, &idx, s.selection)
        ));
    }
    out.push_str("== folding\n");
    for f in folding_ranges(&idx, &tree, &model) {
        assert!(f.end_line > f.start_line);
        out.push_str(&format!("{:?} {}..{}\n", f.kind, f.start_line + 1, f.end_line + 1));
    }
    out.push_str("== links\n");
    for l in document_links(&text, &tree, &model) {
        let target = match &l.target {
            LinkTarget::Image { url, .. } => url.clone(),
            LinkTarget::ContextFile(p) => format!("context:{p}"),
        };
        out.push_str(&format!("{} -> {target}\n", show(&text, &idx, l.range)));
    }
    let Some(offset) = offset else {
        return out;
    };
    out.push_str(&format!("== at {}\n", at(&text, &idx, offset)));
    out.push_str("selection:\n");
    for r in selection_ranges(&text, &tree, &model, offset) {
        out.push_str(&format!("  {}\n", show(&text, &idx, r)));
    }
    let nav = Navigation::new(&text, &tree, &model);
    out.push_str("definition:\n");
    for r in nav.definition(offset) {
        out.push_str(&format!("  {}\n", show(&text, &idx, r)));
    }
    out.push_str("references:\n");
    for r in nav.references(offset, false) {
        out.push_str(&format!("  {}\n", show(&text, &idx, r)));
    }
    out.push_str("highlights:\n");
    for h in nav.highlights(offset) {
        let kind = if h.write { "write" } else { "read" };
        out.push_str(&format!("  {kind} {}\n", show(&text, &idx, h.range)));
    }
    match nav.prepare_rename(offset) {
        Ok((r, name)) => out.push_str(&format!(
            "prepare rename: {} placeholder {name:?}\n",
            show(&text, &idx, r)
        )),
        Err(e) => out.push_str(&format!(
            "prepare rename refused: {}\n",
            messages::render(Locale::En, e.id, &e.args)
        )),
    }
    if let Some(line) = text.lines().find_map(|l| l.strip_prefix("# rename-to: ")) {
        let new_name = line.trim();
        match nav.rename(offset, new_name) {
            Ok(edits) => {
                out.push_str(&format!("rename to {new_name:?}: {} edits\n", edits.len()));
                out.push_str(&apply(&text, &edits));
            }
            Err(e) => out.push_str(&format!(
                "rename to {new_name:?} refused: {}\n",
                messages::render(Locale::En, e.id, &e.args)
            )),
        }
    }
    out
}

#[test]
fn navigation_fixtures() {
    let dir = root().join("fixtures/ide/navigation");
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    assert!(files.len() >= 10);
    for f in files {
        let raw = fs::read_to_string(&f).unwrap();
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        insta::with_settings!({ snapshot_suffix => name.clone(), description => name.clone(), omit_expression => true }, {
            insta::assert_snapshot!(report(&raw));
        });
    }
}

#[test]
fn rename_keeps_the_file_meaning_and_validates_names() {
    let text = "ARG V=1\nFROM alpine:$V AS Build\nARG V\nRUN echo ${V} '$V'\nFROM build\nCOPY --from=BUILD /a /b\n";
    let tree = parse(text);
    let model = Model::build(&tree);
    let nav = Navigation::new(text, &tree, &model);
    let at = |s: &str| text.find(s).unwrap() as u32 + 1;
    let edits = nav.rename(at("Build"), "compile").unwrap();
    assert_eq!(
        apply(text, &edits),
        "ARG V=1\nFROM alpine:$V AS compile\nARG V\nRUN echo ${V} '$V'\nFROM compile\nCOPY --from=compile /a /b\n"
    );
    let edits = nav.rename(at("{V}") + 1, "VERSION").unwrap();
    assert_eq!(
        apply(text, &edits),
        "ARG VERSION=1\nFROM alpine:$VERSION AS Build\nARG VERSION\nRUN echo ${VERSION} '$V'\nFROM build\nCOPY --from=BUILD /a /b\n"
    );
    for bad in ["1x", "a b", "", "a$", "x:y"] {
        let e = nav.rename(at("{V}") + 1, bad).unwrap_err();
        assert_eq!(e.id, "nav.rename.invalid-variable-name", "{bad}");
    }
    for bad in ["1x", "-a", "a b", "a/b", ""] {
        let e = nav.rename(at("Build"), bad).unwrap_err();
        assert_eq!(e.id, "nav.rename.invalid-stage-name", "{bad}");
    }
    // Upper case is accepted: BuildKit lower-cases stage names.
    assert!(nav.rename(at("Build"), "Compile.v2_x-y").is_ok());
    assert_eq!(nav.prepare_rename(0).unwrap_err().id, "nav.rename.nothing");
}

#[test]
fn workspace_symbol_queries_are_case_insensitive_subsequences() {
    assert!(matches_query("", "build"));
    assert!(matches_query("bld", "Build"));
    assert!(matches_query("BUILD", "build-stage"));
    assert!(matches_query("gv", "GO_VERSION"));
    assert!(!matches_query("dlb", "build"));
    assert!(!matches_query("buildx", "build"));
    assert!(matches_query("ビルド", "ビルドステージ"));
}

/// Runs every feature at `offsets` of `text`; panics propagate.
fn exercise(text: &str, step: usize) {
    let tree = parse(text);
    let model = Model::build(&tree);
    let idx = LineIndex::new(text);
    let _ = document_symbols(text, &tree, &model, Locale::Ja);
    let _ = workspace_symbols(text, &tree, &model, Locale::En);
    for f in folding_ranges(&idx, &tree, &model) {
        assert!(f.end_line > f.start_line);
    }
    for l in document_links(text, &tree, &model) {
        assert!(text.get(l.range.as_usize()).is_some());
    }
    let nav = Navigation::new(text, &tree, &model);
    let mut o = 0;
    while o <= text.len() + 1 {
        let off = o as u32;
        let chain = selection_ranges(text, &tree, &model, off);
        for w in chain.windows(2) {
            assert!(w[1].start <= w[0].start && w[0].end <= w[1].end && w[1].len() > w[0].len());
        }
        for r in nav.definition(off).into_iter().chain(nav.references(off, true)) {
            assert!(text.get(r.as_usize()).is_some(), "{r:?}");
        }
        let _ = nav.highlights(off);
        if let Ok((r, _)) = nav.prepare_rename(off) {
            assert!(text.get(r.as_usize()).is_some());
            if let Ok(edits) = nav.rename(off, "renamed_x") {
                for (r, _) in edits {
                    assert!(text.get(r.as_usize()).is_some());
                }
            }
        }
        o += step;
    }
}

#[test]
fn never_panics_at_any_offset_of_tricky_and_real_files() {
    let mut files = Vec::new();
    files_under(&root().join("fixtures/syntax"), &mut files);
    files.retain(|p| p.extension().is_some_and(|e| e == "Dockerfile"));
    let mut corpus = Vec::new();
    files_under(&root().join("fixtures/corpus"), &mut corpus);
    corpus.retain(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().contains("Dockerfile"))
    });
    // About 50 corpus files, spread over the whole corpus.
    let every = (corpus.len() / 50).max(1);
    files.extend(corpus.into_iter().step_by(every));
    assert!(files.len() > 100);
    for f in &files {
        let bytes = fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let step = if text.len() > 4_000 { 5 } else { 1 };
        exercise(&text, step);
        // Truncated at an arbitrary byte (unterminated heredocs, open continuations).
        let cut = dockward::text::floor_char_boundary(&text, text.len() * 2 / 3);
        exercise(&text[..cut], 3);
    }
    // Multibyte characters, CRLF, a lone escape and an unterminated heredoc.
    exercise("FROM a AS 😀\r\nARG 日本=1\r\nRUN echo $日本 ${X\\\r\n<<EOF\r\n$X", 1);
}

/// A 5,000-line file with many stages, variables and heredocs.
fn big_file() -> String {
    let mut s = String::from("ARG BASE=alpine:3.20\n");
    for i in 0..340 {
        s.push_str(&format!(
            "FROM ${{BASE}} AS stage{i}\nARG V{i}=1\nENV E{i}=$V{i} PATH=/x:$PATH\n"
        ));
        s.push_str(&format!(
            "RUN --mount=type=cache,target=/c echo $V{i} \"$E{i}\" \\\n    && ls /c\n"
        ));
        s.push_str("RUN <<EOF\nset -e\necho \"$PATH\"\nEOF\n");
        if i > 0 {
            s.push_str(&format!("COPY --from=stage{} /a /a\n", i - 1));
        } else {
            s.push_str("COPY a /a\n");
        }
        s.push_str("# comment\n# more\nWORKDIR /app\nUSER 10001\nCMD echo $E0\n");
    }
    s
}

#[test]
fn requests_on_a_five_thousand_line_file_are_fast() {
    let text = big_file();
    assert!(text.lines().count() >= 5_000, "{}", text.lines().count());
    let tree = parse(&text);
    let idx = LineIndex::new(&text);
    let probes = [
        text.find("stage100").unwrap() as u32 + 2,
        text.find("$V120").unwrap() as u32 + 2,
        text.rfind("$PATH").unwrap() as u32 + 2,
        text.find("<<EOF").unwrap() as u32 + 3,
        text.find("CMD echo $E0").unwrap() as u32 + 10,
    ];
    // One request: the model built once, then the feature. The best of five runs, so that a busy machine
    // measures the code rather than the scheduler; the worst request counts.
    let best = |f: &dyn Fn()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let mut worst = Duration::ZERO;
    for &p in &probes {
        worst = worst.max(best(&|| {
            let model = Model::build(&tree);
            let nav = Navigation::new(&text, &tree, &model);
            assert!(!nav.references(p, true).is_empty(), "{p}");
        }));
        worst = worst.max(best(&|| {
            let model = Model::build(&tree);
            let _ = Navigation::new(&text, &tree, &model).rename(p, "renamed");
        }));
    }
    worst = worst.max(best(&|| {
        let _ = document_symbols(&text, &tree, &Model::build(&tree), Locale::En);
    }));
    worst = worst.max(best(&|| {
        let _ = folding_ranges(&idx, &tree, &Model::build(&tree));
    }));
    worst = worst.max(best(&|| {
        let _ = selection_ranges(&text, &tree, &Model::build(&tree), probes[1]);
    }));
    worst = worst.max(best(&|| {
        let _ = document_links(&text, &tree, &Model::build(&tree));
    }));
    let _ = writeln!(
        std::io::stderr(),
        "slowest request on a {}-line file: {worst:?}",
        text.lines().count()
    );
    // Debug builds are about ten times slower than release builds; the bound is for the debug build.
    assert!(worst < Duration::from_millis(300), "{worst:?}");
}
