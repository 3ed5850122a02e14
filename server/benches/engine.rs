//! Engine benchmark: parse + model + check of generated Dockerfiles (500 to 50,000 lines), incremental
//! edits, and a whole-corpus run in one process. Run with `cargo bench --bench engine`.
//!
//! Prints medians and 95th percentiles; the engine figures in README.md come from this program.
//! `cargo bench --bench engine -- --rules` prints instead what each rule costs on its own on the
//! 5,000-line generated file (median of a check with only that rule selected, tree already parsed).
//! `--full-profile=N`, `--profile=N` and `--edit-profile=N` repeat a whole check, the model and rules of
//! a parsed file, or keystrokes, on an N-line generated file, for `perf`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dockward::date::Date;
use dockward::settings::Settings;
use dockward::syntax::{self, Edit};
use dockward::text::TextRange;
use dockward::{Input, check, check_tree};

/// One block of a realistic multi-stage Dockerfile; repeated to reach the wanted size.
const BLOCK: &str = "# stage
FROM golang:1.23-bookworm AS build
ARG VERSION=1.0.0
ENV CGO_ENABLED=0 GOFLAGS=\"-trimpath\"
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    go build -ldflags \"-X main.version=${VERSION}\" -o /out/app ./cmd/app
FROM debian:bookworm-slim
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates curl \\
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/app /usr/local/bin/app
RUN <<EOT
set -eux
useradd --system --uid 10001 app
EOT
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/health || exit 1
ENTRYPOINT [\"/usr/local/bin/app\"]
";

/// A valid Dockerfile of at least `lines` lines: the block repeated with unique stage names.
pub fn generate(lines: usize) -> String {
    let per = BLOCK.lines().count();
    (0..lines.div_ceil(per))
        .map(|i| {
            BLOCK
                .replace("AS build", &format!("AS build{i}"))
                .replace("--from=build", &format!("--from=build{i}"))
        })
        .collect()
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let med = v[v.len() / 2];
    let p95 = v[(((v.len() as f64) * 0.95).ceil() as usize).clamp(1, v.len()) - 1];
    (med, p95)
}

fn fmt(d: Duration) -> String {
    if d.as_micros() < 10_000 {
        format!("{:.1} us", d.as_nanos() as f64 / 1000.0)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1000.0)
    }
}

fn corpus_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if dockward::cli::discover::is_dockerfile_name(&e.file_name().to_string_lossy()) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn row(name: String, m: Duration, p: Duration) {
    println!("{:<40} {:>12} {:>12}", name, fmt(m), fmt(p));
}

/// Each rule alone on the 5,000-line generated file, most expensive first.
fn per_rule(today: Date) {
    let text = generate(5000);
    let tree = syntax::parse(&text);
    let input = Input::new(&text, today);
    let none = Settings {
        select: Some(vec!["DW999".into()]),
        ..Settings::default()
    };
    let time = |s: &Settings| {
        let mut v = Vec::new();
        for _ in 0..31 {
            let t = Instant::now();
            std::hint::black_box(check_tree(&tree, &input, s));
            v.push(t.elapsed());
        }
        stats(v).0
    };
    // Warm the memo tables first: the editor's steady state.
    std::hint::black_box(check_tree(&tree, &input, &Settings::default()));
    let base = time(&none);
    println!("per rule, 5,000 generated lines (model and shared collections included in each):");
    row("model only (no rule selected)".into(), base, base);
    let mut rows: Vec<(Duration, String, usize)> = dockward::rules::RULES
        .iter()
        .map(|r| {
            let s = Settings {
                select: Some(vec![r.code.to_string()]),
                extend_select: vec![r.code.to_string()],
                ..Settings::default()
            };
            let n = check_tree(&tree, &input, &s).len();
            (time(&s), format!("{} {}", r.code, r.name), n)
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (m, name, n) in rows {
        row(format!("{name} ({n} findings)"), m, m.saturating_sub(base));
    }
    println!("(second column: minus the model-only time)");
}

/// How much more two threads parse at once than one: 2.0 on two real CPUs, less when a virtual
/// machine's second CPU is shared with others (on this project's machine it was between 1.2 and 1.7 from
/// one minute to the next). Large texts are lexed on every CPU (`syntax/parallel.rs`), so the figures
/// of the large generated files depend on it. Files of 500 lines are lexed on one thread.
fn two_thread_scaling() -> f64 {
    let text = generate(500);
    let work = || {
        for _ in 0..300 {
            std::hint::black_box(syntax::parse(&text));
        }
    };
    work();
    let t = Instant::now();
    work();
    let one = t.elapsed().as_secs_f64();
    let t = Instant::now();
    std::thread::scope(|s| {
        s.spawn(work);
        work();
    });
    2.0 * one / t.elapsed().as_secs_f64()
}

/// Keystroke `i` in the middle of `text`: even ones type an `x`, odd ones delete it again.
fn keystroke(text: &str, i: usize) -> (String, Edit) {
    let mut at = text.len() / 2;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (range, ins) = if i.is_multiple_of(2) {
        (TextRange::new(at as u32, at as u32), "x")
    } else {
        (TextRange::new(at as u32, at as u32 + 1), "")
    };
    let mut new = text.to_string();
    new.replace_range(range.as_usize(), ins);
    (
        new,
        Edit {
            range,
            new_len: ins.len() as u32,
        },
    )
}

/// The kinds of line `typing` types at the end of (the first such line after the middle of the file),
/// as `tests/bench/bench.py` does.
const TYPED_LINES: [(&str, &str); 5] = [
    ("comment", "# stage"),
    ("RUN", "RUN --mount=type=cache,target=/go/pkg/mod"),
    ("COPY", "COPY go.mod"),
    ("ENV", "ENV CGO_ENABLED"),
    ("FROM", "FROM debian:bookworm-slim"),
];

/// Model + check times of 60 keystrokes (after 20 untimed) typed at the end of the first line starting
/// with `prefix` after the middle of an `lines`-line generated file, reparsed in place, as the server does.
fn typing(lines: usize, prefix: &str, today: Date, settings: &Settings) -> (Duration, Duration) {
    typing_n(lines, prefix, 60, today, settings)
}

/// [`typing`] with `timed` keystrokes timed.
fn typing_n(lines: usize, prefix: &str, timed: usize, today: Date, settings: &Settings) -> (Duration, Duration) {
    let mut text = generate(lines);
    let mid = text.len() / 2;
    let start = mid
        + text[mid..]
            .find(&format!("\n{prefix}"))
            .expect("the block has such a line")
        + 1;
    let end = start + text[start..].find('\n').expect("lines end with a newline");
    let mut tree = syntax::parse(&text);
    let mut v = Vec::new();
    let mut evict = Evictor::from_env();
    for i in 0..20 + timed {
        let at = (end + i) as u32;
        let mut new = text.clone();
        new.insert(at as usize, 'x');
        evict.run();
        tree.apply_edit(
            &new,
            Edit {
                range: TextRange::new(at, at),
                new_len: 1,
            },
        );
        let t = Instant::now();
        std::hint::black_box(check_tree(&tree, &server_input(&new, today), settings));
        if i >= 20 {
            v.push(t.elapsed());
        }
        text = new;
    }
    stats(v)
}

/// Evicts the caches between keystrokes when `DOCKWARD_BENCH_EVICT_MB` is set: that many MiB are
/// written and read before each keystroke, untimed. Beside another busy process (the Node.js server in
/// `tests/bench/bench.py`), or in an editor after a human pause, an edit finds its data in memory
/// rather than in the CPU's caches; this makes that happen in a run alone.
struct Evictor(Vec<u8>);

impl Evictor {
    fn from_env() -> Evictor {
        let mb: usize = std::env::var("DOCKWARD_BENCH_EVICT_MB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Evictor(vec![0; mb << 20])
    }

    fn run(&mut self) {
        if self.0.is_empty() {
            return;
        }
        for (i, b) in self.0.iter_mut().enumerate().step_by(64) {
            *b = b.wrapping_add(i as u8);
        }
        std::hint::black_box(self.0.iter().step_by(64).fold(0u8, |a, &b| a ^ b));
    }
}

/// The input of the language server's check on a keystroke: no fixes (code actions compute them).
fn server_input(text: &str, today: Date) -> Input<'_> {
    Input {
        fixes: false,
        ..Input::new(text, today)
    }
}

fn main() {
    if let Some(n) = std::env::args()
        .nth(1)
        .and_then(|a| a.strip_prefix("--edit-profile=").map(str::to_string))
    {
        // Profiling mode for keystrokes: type and delete one character in the middle of a generated file,
        // reparse incrementally in place and check without fixes, as the language server does, 300 times.
        let today = Date::new(2026, 11, 28);
        let mut text = generate(n.parse().unwrap_or(5000));
        let mut tree = syntax::parse(&text);
        for i in 0..300 {
            let (new, edit) = keystroke(&text, i);
            tree.apply_edit(&new, edit);
            std::hint::black_box(check_tree(&tree, &server_input(&new, today), &Settings::default()));
            text = new;
        }
        return;
    }
    if let Some(arg) = std::env::args()
        .nth(1)
        .and_then(|a| a.strip_prefix("--typing-profile=").map(str::to_string))
    {
        // Profiling mode for typing into one kind of line (`--typing-profile=5000:FROM`): 500 keystrokes at
        // the end of that line, as the `typing` rows time them.
        let (n, kind) = arg.split_once(':').unwrap_or((&arg, "FROM"));
        let prefix = TYPED_LINES
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(kind))
            .map_or("FROM debian:bookworm-slim", |(_, p)| p);
        let (m, p) = typing_n(
            n.parse().unwrap_or(5000),
            prefix,
            500,
            Date::new(2026, 11, 28),
            &Settings::default(),
        );
        eprintln!("median {m:?} p95 {p:?}");
        return;
    }
    if let Some(n) = std::env::args()
        .nth(1)
        .and_then(|a| a.strip_prefix("--full-profile=").map(str::to_string))
    {
        // Profiling mode for a whole check: parse, model and rules of one generated file, 1,000 times
        // (memo tables warm after the first).
        let text = generate(n.parse().unwrap_or(5000));
        let today = Date::new(2026, 11, 28);
        for _ in 0..1000 {
            std::hint::black_box(check(&Input::new(&text, today), &Settings::default()));
        }
        return;
    }
    if let Some(n) = std::env::args()
        .nth(1)
        .and_then(|a| a.strip_prefix("--profile=").map(str::to_string))
    {
        // Profiling mode: check one generated file repeatedly (only the rules named after it, if any).
        let text = generate(n.parse().unwrap_or(5000));
        let rules: Vec<String> = std::env::args().skip(2).collect();
        let settings = Settings {
            select: (!rules.is_empty()).then(|| rules.clone()),
            extend_select: rules,
            ..Settings::default()
        };
        // Parsed once: the profile shows the model and the rules, what a keystroke pays after its reparse.
        let tree = syntax::parse(&text);
        for _ in 0..300 {
            std::hint::black_box(check_tree(
                &tree,
                &Input::new(&text, Date::new(2026, 11, 28)),
                &settings,
            ));
        }
        return;
    }
    let today = Date::new(2026, 11, 28);
    let settings = Settings::default();
    if std::env::args().any(|a| a == "--rules") {
        per_rule(today);
        return;
    }
    println!(
        "dockward engine benchmark ({} cores available; two threads parse {:.2}x what one does right now)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        two_thread_scaling()
    );
    println!("{:<40} {:>12} {:>12}", "case", "median", "p95");
    for lines in [500, 1_000, 5_000, 10_000, 50_000] {
        let text = generate(lines);
        let runs = if lines >= 50_000 { 21 } else { 101 };
        let mut v = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let d = check(&Input::new(&text, today), &settings);
            v.push(t.elapsed());
            std::hint::black_box(d);
        }
        let (m, p) = stats(v);
        row(format!("parse+model+check, {} lines", text.lines().count()), m, p);
    }
    for lines in [5_000, 50_000] {
        let mut text = generate(lines);
        let mut tree = syntax::parse(&text);
        let mut parse_t = Vec::new();
        let mut check_t = Vec::new();
        for i in 0..200 {
            let (new, edit) = keystroke(&text, i);
            // In place, as the language server edits its document's tree.
            let t = Instant::now();
            tree.apply_edit(&new, edit);
            parse_t.push(t.elapsed());
            let t = Instant::now();
            let d = check_tree(&tree, &server_input(&new, today), &settings);
            check_t.push(t.elapsed());
            std::hint::black_box(d);
            text = new;
        }
        let (m, p) = stats(parse_t);
        row(format!("incremental reparse, {lines} lines"), m, p);
        let (m, p) = stats(check_t);
        row(format!("model+check after edit, {lines} lines"), m, p);
    }
    // Typing: one more character at the end of one line per keystroke, never deleted, so that every check
    // sees a text no earlier check saw and the whole-file rules that read that kind of line run again.
    for lines in [5_000, 50_000] {
        for (kind, prefix) in TYPED_LINES {
            let (m, p) = typing(lines, prefix, today, &settings);
            row(format!("model+check typing {kind}, {lines} lines"), m, p);
        }
    }
    let root = std::env::var("DOCKWARD_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus"));
    let files = corpus_files(&root);
    if files.is_empty() {
        println!("corpus: none found at {}", root.display());
        return;
    }
    let texts: Vec<String> = files
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).into_owned())
        .collect();
    // A realistic large file: corpus files concatenated until 5,000 lines (real Dockerfiles are mostly
    // long RUN continuations, lighter per line than the dense generated block above).
    let mut real = String::new();
    for t in &texts {
        if real.lines().count() >= 5000 {
            break;
        }
        real.push_str(t);
        if !t.ends_with('\n') {
            real.push('\n');
        }
    }
    let mut v = Vec::new();
    for _ in 0..101 {
        let t = Instant::now();
        std::hint::black_box(check(&Input::new(&real, today), &settings));
        v.push(t.elapsed());
    }
    let (m, p) = stats(v);
    row(
        format!("parse+model+check, {} corpus lines", real.lines().count()),
        m,
        p,
    );
    let mut v = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let mut n = 0;
        for text in &texts {
            n += check(&Input::new(text, today), &settings).len();
        }
        v.push(t.elapsed());
        std::hint::black_box(n);
    }
    let (m, p) = stats(v);
    row(format!("check {} corpus files, in memory", texts.len()), m, p);
    println!(
        "{:<40} {:>12.0}",
        "corpus files per second",
        texts.len() as f64 / m.as_secs_f64()
    );
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
