//! Shared helpers of the parser test suites: the test files and small utilities.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Files of `fixtures/corpus/` that are not Dockerfiles.
pub const CORPUS_DOCS: [&str; 4] = ["README.md", "SOURCES.txt", "MANIFEST.tsv", "PROVENANCE.md"];

/// A test file: its path relative to the repository root (`/` separators) and its text.
pub struct TestFile {
    pub name: String,
    pub text: String,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn load(path: &Path) -> TestFile {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{} is not UTF-8", path.display()));
    let name = path
        .strip_prefix(ROOT)
        .expect("under the root")
        .to_string_lossy()
        .replace('\\', "/");
    TestFile { name, text }
}

/// The 915 Dockerfiles of `fixtures/corpus/`, sorted by path.
pub fn corpus() -> Vec<TestFile> {
    let root = Path::new(ROOT).join("fixtures/corpus");
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths
        .iter()
        .filter(|p| {
            !(p.parent() == Some(root.as_path())
                && CORPUS_DOCS.contains(&p.file_name().and_then(|n| n.to_str()).unwrap_or("")))
        })
        .map(|p| load(p))
        .collect()
}

/// The `fixtures/syntax/*.Dockerfile` files, sorted by name.
pub fn syntax_fixtures() -> Vec<TestFile> {
    let root = Path::new(ROOT).join("fixtures/syntax");
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .map(|p| load(p))
        .collect()
}

/// Every syntax fixture and corpus file.
pub fn all_files() -> Vec<TestFile> {
    let mut v = syntax_fixtures();
    v.extend(corpus());
    v
}

/// 1-based line of a byte offset (lines end at `\n` only, as in Docker's scanner).
pub fn line_of(text: &str, offset: u32) -> usize {
    let o = (offset as usize).min(text.len());
    text.as_bytes()[..o].iter().filter(|&&b| b == b'\n').count() + 1
}

/// A small deterministic PRNG (xorshift64*), so that the tests need no extra crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// The largest char boundary of `text` at or below `i`.
pub fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub mod registry;

/// Builds `prefix + unit * n + suffix`.
pub fn rep(prefix: &str, unit: &str, n: usize, suffix: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + unit.len() * n + suffix.len());
    s.push_str(prefix);
    for _ in 0..n {
        s.push_str(unit);
    }
    s.push_str(suffix);
    s
}

/// Fails on a `.snap` file in `tests/<folder>` that is not among `names` (a snapshot whose fixture is
/// gone); `what` says what each snapshot needs.
pub fn assert_no_stale_snapshots(folder: &str, names: &[String], what: &str) {
    let dir = Path::new(ROOT).join("tests").join(folder);
    for e in std::fs::read_dir(&dir).expect("snapshot folder") {
        let n = e.expect("entry").file_name().to_string_lossy().into_owned();
        if n.ends_with(".snap") {
            assert!(names.contains(&n), "stale snapshot {n}: no {what} for it");
        }
    }
}
