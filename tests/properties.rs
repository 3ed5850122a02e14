//! Property tests over seeded random inputs (the generator of `tests/support`, so every failure
//! reproduces): position conversions round-trip in every encoding over CRLF, lone CR, emoji and
//! Japanese text; offered fixes keep their promises and the safe ones are idempotent on mutated
//! files; the command line's output is byte-identical across processes.
//!
//! Covered elsewhere and not repeated here: incremental parse == full parse
//! (`tests/incremental.rs`: `incremental_equals_full_reparse`; `tests/invariants.rs`:
//! `incremental_parse_equals_full_parse_on_fixtures`); the line index updated by an edit equals a fresh
//! one (`text.rs`: `incremental_edits_match_a_fresh_index`); a check is deterministic and sorted in
//! one process (`tests/invariants.rs`: `check_is_deterministic_and_sorted`); memoised == fresh checks
//! (`tests/incremental.rs`: `memoised_checks_equal_fresh_checks`).

mod support;

#[path = "support/fixes.rs"]
mod fixes;

use std::process::Command;

use dockward::date::Date;
use dockward::lsp::convert;
use dockward::settings::Settings;
use dockward::text::{Encoding, LineCol, LineIndex, TextRange};
use dockward::{Input, check};
use lsp_types::Position;
use support::Rng;

const TODAY: Date = Date::new(2026, 11, 28);
const ENCODINGS: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

/// Pieces of text with every width and line ending that matters.
const PIECES: [&str; 16] = [
    "a",
    "FROM ",
    "RUN echo ",
    " ",
    "é",
    "日本語",
    "😀",
    "👩‍💻",
    "\u{FFFD}",
    "\r\n",
    "\n",
    "\r",
    "\\\n",
    "\t",
    "ｱ",
    "𝄞",
];

fn random_text(rng: &mut Rng) -> String {
    let n = rng.below(40);
    (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

/// The column of `offset` counted in `enc`, computed independently of `LineIndex`.
fn column(text: &str, offset: usize, enc: Encoding) -> u32 {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let seg = &text[start..offset];
    match enc {
        Encoding::Utf8 => seg.len() as u32,
        Encoding::Utf16 => seg.encode_utf16().count() as u32,
        Encoding::Utf32 => seg.chars().count() as u32,
    }
}

#[test]
fn positions_round_trip_in_every_encoding() {
    let mut rng = Rng::new(10);
    let mut checked = 0;
    for case in 0..3000 {
        let text = random_text(&mut rng);
        let idx = LineIndex::new(&text);
        let bytes = text.as_bytes();
        for off in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let line = text[..off].matches('\n').count() as u32;
            // The `\n` of a `\r\n` is inside the line terminator: it reads as the position before the `\r`.
            let inside_crlf = off > 0 && bytes.get(off) == Some(&b'\n') && bytes[off - 1] == b'\r';
            for enc in ENCODINGS {
                let lc = idx.to_line_col(&text, off as u32, enc);
                assert_eq!(
                    lc,
                    LineCol {
                        line,
                        col: column(&text, off, enc)
                    },
                    "case {case} {enc:?} at {off} of {text:?}"
                );
                let back = idx.to_offset(&text, lc, enc);
                let expected = if inside_crlf { off - 1 } else { off };
                assert_eq!(back as usize, expected, "case {case} {enc:?} at {off} of {text:?}");
                // The same through the protocol's types, as the language server converts.
                let p = convert::position(&text, &idx, off as u32, enc);
                assert_eq!((p.line, p.character), (lc.line, lc.col));
                assert_eq!(convert::offset(&text, &idx, p, enc), back);
                checked += 1;
            }
        }
        // Ranges convert both ways, and any position (out of range, inside a character) maps to a
        // character boundary inside the text.
        for _ in 0..8 {
            let a = support::floor_boundary(&text, rng.below(text.len() + 1));
            let b = support::floor_boundary(&text, rng.below(text.len() + 1));
            let r = TextRange::new(a.min(b) as u32, a.max(b) as u32);
            for enc in ENCODINGS {
                let lsp = convert::range(&text, &idx, r, enc);
                let back = convert::text_range(&text, &idx, lsp, enc);
                let fixed = |o: u32| {
                    let o = o as usize;
                    if o > 0 && bytes.get(o) == Some(&b'\n') && bytes[o - 1] == b'\r' {
                        o as u32 - 1
                    } else {
                        o as u32
                    }
                };
                assert_eq!(
                    back,
                    TextRange::new(fixed(r.start), fixed(r.end)),
                    "{enc:?} {r:?} of {text:?}"
                );
                let wild = Position {
                    line: rng.below(idx.line_count() + 3) as u32,
                    character: rng.below(40) as u32,
                };
                let o = convert::offset(&text, &idx, wild, enc) as usize;
                assert!(
                    o <= text.len() && text.is_char_boundary(o),
                    "{wild:?} → {o} in {text:?}"
                );
            }
        }
    }
    assert!(checked > 100_000, "{checked} conversions");
}

/// Random mutations of the rule fixtures: lines dropped, duplicated or swapped, and pieces inserted.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    for _ in 0..1 + rng.below(3) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len());
        match rng.below(4) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            _ => {
                let at = support::floor_boundary(&lines[i], rng.below(lines[i].len() + 1));
                lines[i].insert_str(at, PIECES[rng.below(PIECES.len())]);
            }
        }
    }
    lines.concat()
}

// Seed 10 once duplicated an unused pragma line of the DW902 fixture: removing the first line slid the
// second, identical finding into its place, which the promise check took for the removed one. Findings
// after a fix are now compared at their places before the fix (`fixes::before_fix`).
#[test]
fn fixes_keep_their_promises_and_safe_fixes_are_idempotent_on_mutated_fixtures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let p = f.path();
            if p.to_string_lossy().ends_with("Dockerfile") {
                let ignore = std::fs::read_to_string(format!("{}.dockerignore", p.display())).ok();
                // Some fixtures hold invalid UTF-8 on purpose: decode as the edges do.
                files.push((
                    String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
                    ignore,
                ));
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "{} rule fixtures", files.len());
    let mut rng = Rng::new(10);
    let mut fixes_checked = 0;
    for (text, ignore) in &files {
        for _ in 0..3 {
            let mutated = mutate(&mut rng, text);
            let input = Input {
                ignore_file: ignore.as_deref(),
                ..Input::new(&mutated, TODAY)
            };
            if let Err(e) = fixes::all_promises(&input, &Settings::default()) {
                panic!("{e}\n--- mutated from:\n{text}");
            }
            fixes_checked += check(&input, &Settings::default())
                .iter()
                .map(|d| d.fixes.len())
                .sum::<usize>();
        }
    }
    assert!(fixes_checked > 100, "{fixes_checked} fixes checked");
}

#[test]
fn output_is_byte_identical_across_processes() {
    // Memo tables are seeded per process (foldhash): nothing of that may reach the output.
    let run = |format: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_dockward"))
            .args([
                "check",
                "fixtures/demo",
                "fixtures/rules",
                "--today",
                "2026-11-28",
                "--format",
                format,
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(
            matches!(o.status.code(), Some(1 | 2)),
            "{:?}: {}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    };
    for format in ["json", "sarif", "human"] {
        let first = run(format);
        assert!(first.len() > 1000, "{format}: {} bytes", first.len());
        assert!(first == run(format), "{format} output differs between two processes");
    }
}
