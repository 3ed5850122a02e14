//! Finding Dockerfiles, their ignore files and their build contexts on disk.
//!
//! Safety: symbolic links are never followed while walking (a link is listed as a link), nothing is
//! executed, and context scans stop at a file-count and time bound.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::check::{Context, ContextEntry, EntryKind};
use crate::syntax::dockerignore::{self, Matcher, WalkState};

/// Bounds of a build-context scan.
pub const CONTEXT_MAX_ENTRIES: usize = 200_000;
pub const CONTEXT_MAX_TIME: Duration = Duration::from_secs(2);

/// Whether a file name is a Dockerfile by Docker's and Podman's conventions: `Dockerfile`,
/// `Containerfile`, `*.Dockerfile`, `Dockerfile.*` (any case), but not `*.dockerignore`.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore") || lower.ends_with(".containerignore") {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
}

/// Whether a file name is an ignore file (`.dockerignore`, `*.dockerignore`, and Podman's `.containerignore`).
pub fn is_ignore_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == ".dockerignore" || lower.ends_with(".dockerignore") || lower == ".containerignore"
}

/// Directories never descended into when searching for Dockerfiles.
fn skip_dir(name: &str) -> bool {
    matches!(
        name,
        ".git" | ".hg" | ".svn" | "node_modules" | "target" | ".venv" | "__pycache__"
    )
}

/// The result of expanding the command-line paths.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    /// Problems to report (unreadable paths, directories without Dockerfiles).
    pub errors: Vec<String>,
    /// The directories the search read (real directories: it never enters a link), with their entries.
    /// Later steps of the run use them instead of asking the file system again.
    pub listed: Listings,
}

/// At most this many entries are kept from a search (about 10 MB); directories read after that are read
/// again by whatever needs them.
pub const LISTINGS_MAX_ENTRIES: usize = 200_000;

/// Directories read once in a run, keyed by their path as the search built it.
pub type Listings = HashMap<PathBuf, Arc<Listing>, foldhash::fast::RandomState>;

/// One directory's entries, as `read_dir` gave them (types of the entries themselves, links not followed).
#[derive(Debug, Default)]
pub struct Listing {
    pub entries: Vec<(std::ffi::OsString, fs::FileType)>,
}

impl Listing {
    /// Whether the directory holds a regular file of this name.
    pub fn has_file(&self, name: impl AsRef<std::ffi::OsStr>) -> bool {
        let name = name.as_ref();
        self.entries.iter().any(|(n, t)| n == name && t.is_file())
    }
}

/// Expands files and directories into Dockerfiles, sorted, without duplicates. Explicit files are
/// checked whatever their name.
pub fn find(paths: &[PathBuf]) -> Found {
    find_with(paths, LISTINGS_MAX_ENTRIES)
}

/// [`find`], keeping at most `max_kept` entries of listings.
fn find_with(paths: &[PathBuf], max_kept: usize) -> Found {
    let mut found = Found::default();
    let mut kept = 0;
    for p in paths {
        match fs::symlink_metadata(p) {
            Err(e) => found.errors.push(format!("{}: {}", p.display(), io_reason(&e))),
            Ok(m) if m.is_dir() => {
                let before = found.files.len();
                walk(p, &mut found, &mut kept, max_kept);
                if found.files.len() == before {
                    found.errors.push(format!(
                        "{}: no Dockerfile found (looked for Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*)",
                        p.display()
                    ));
                }
            }
            Ok(_) => found.files.push(p.clone()),
        }
    }
    found.files.sort();
    found.files.dedup();
    found
}

/// `kept` counts the entries of the listings kept so far (at most `max_kept`).
fn walk(dir: &Path, found: &mut Found, kept: &mut usize, max_kept: usize) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let listing = match read_listing(&d) {
            Ok(l) => l,
            Err(e) => {
                found.errors.push(format!("{}: {}", d.display(), io_reason(&e)));
                continue;
            }
        };
        let mut order: Vec<&(std::ffi::OsString, fs::FileType)> = listing.entries.iter().collect();
        order.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, ft) in order {
            if ft.is_dir() {
                if !skip_dir(&name.to_string_lossy()) {
                    stack.push(d.join(name));
                }
            } else if ft.is_file() && is_dockerfile_name(&name.to_string_lossy()) {
                found.files.push(d.join(name));
            }
        }
        if *kept + listing.entries.len() <= max_kept {
            *kept += listing.entries.len();
            found.listed.insert(d, Arc::new(listing));
        }
    }
}

/// Reads a directory's entries and their types (from the directory itself where the file system gives
/// them: no `stat` per entry). Entries whose type cannot be read are left out.
fn read_listing(dir: &Path) -> std::io::Result<Listing> {
    let entries = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name(), e.file_type().ok()?)))
        .collect();
    Ok(Listing { entries })
}

/// A short reason for an IO error, without Rust's "(os error N)" noise.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

/// The ignore file Docker uses for `dockerfile` built with `context`: `<Dockerfile>.dockerignore` beside
/// the Dockerfile wins over `<context>/.dockerignore`. Symbolic links are not followed.
pub fn ignore_file_for(dockerfile: &Path, context: &Path) -> Option<PathBuf> {
    ignore_file_in(dockerfile, context, &Listings::default())
}

/// [`ignore_file_for`], answered from the listings of directories read already where it can.
pub fn ignore_file_in(dockerfile: &Path, context: &Path, listed: &Listings) -> Option<PathBuf> {
    let name = dockerfile.file_name()?.to_string_lossy().into_owned();
    let specific = dockerfile.with_file_name(format!("{name}.dockerignore"));
    [specific, context.join(".dockerignore")].into_iter().find(|c| {
        let listing = c.parent().and_then(|dir| listed.get(dir));
        match (listing, c.file_name()) {
            (Some(l), Some(n)) => l.has_file(n),
            _ => fs::symlink_metadata(c).is_ok_and(|m| m.is_file()),
        }
    })
}

/// Lists a build context: every entry, relative and `/`-separated, without following symbolic links,
/// within [`CONTEXT_MAX_ENTRIES`] and [`CONTEXT_MAX_TIME`].
pub fn scan_context(root: &Path) -> Context {
    scan_context_with(root, None, CONTEXT_MAX_ENTRIES, CONTEXT_MAX_TIME)
}

/// Lists a build context as [`scan_context`] does, without descending into the directories that the
/// ignore file `ignore` (its text) excludes whole, as BuildKit's walk does not: they are listed, and
/// named in [`Context::pruned`].
pub fn scan_context_pruned(root: &Path, ignore: Option<&str>) -> Context {
    scan_context_pruned_in(root, ignore, &Listings::default())
}

/// [`scan_context_pruned`], taking the entries of the directories in `listed` from there.
fn scan_context_pruned_in(root: &Path, ignore: Option<&str>, listed: &Listings) -> Context {
    let matcher = ignore.and_then(|t| Matcher::new(&dockerignore::parse(t)).ok());
    scan_context_listed(root, matcher.as_ref(), CONTEXT_MAX_ENTRIES, CONTEXT_MAX_TIME, listed)
}

/// The scan with explicit bounds: at most `max_entries` entries and about `max_time`; a scan that stops
/// at a bound is marked incomplete. Entries of the root are always listed before anything deeper.
pub fn scan_context_with(root: &Path, ignore: Option<&Matcher>, max_entries: usize, max_time: Duration) -> Context {
    scan_context_listed(root, ignore, max_entries, max_time, &Listings::default())
}

/// The scan of [`scan_context_with`], taking the entries of the directories in `listed` from there.
fn scan_context_listed(
    root: &Path,
    ignore: Option<&Matcher>,
    max_entries: usize,
    max_time: Duration,
    listed: &Listings,
) -> Context {
    let started = Instant::now();
    let mut entries = Vec::new();
    let mut pruned = Vec::new();
    let mut complete = true;
    let mut queue: std::collections::VecDeque<(PathBuf, String, WalkState)> =
        std::collections::VecDeque::from([(root.to_path_buf(), String::new(), WalkState::root())]);
    'outer: while let Some((dir, rel, state)) = queue.pop_front() {
        // A directory not listed yet is read as it goes, so that a huge one stops at the bound.
        let here: Box<dyn Iterator<Item = (std::ffi::OsString, fs::FileType)>> = match listed.get(&dir) {
            Some(l) => Box::new(l.entries.iter().cloned()),
            None => match fs::read_dir(&dir) {
                Ok(rd) => Box::new(
                    rd.filter_map(Result::ok)
                        .filter_map(|e| Some((e.file_name(), e.file_type().ok()?))),
                ),
                Err(_) => continue,
            },
        };
        for (file_name, ft) in here {
            if entries.len() >= max_entries || started.elapsed() > max_time {
                complete = false;
                break 'outer;
            }
            let name = file_name.to_string_lossy();
            let path = if rel.is_empty() {
                name.into_owned()
            } else {
                format!("{rel}/{name}")
            };
            let kind = if ft.is_symlink() {
                EntryKind::Symlink
            } else if ft.is_dir() {
                match ignore.map(|m| m.walk_entry(&path, true, &state)) {
                    Some(Ok(w)) if w.skip_dir => pruned.push(path.clone()),
                    Some(Ok(w)) => queue.push_back((dir.join(&file_name), path.clone(), w.state.unwrap_or_default())),
                    // No ignore file, or a pattern Docker fails on: list everything.
                    _ => queue.push_back((dir.join(&file_name), path.clone(), WalkState::root())),
                }
                EntryKind::Dir
            } else {
                EntryKind::File
            };
            entries.push(ContextEntry { path, kind });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    pruned.sort();
    Context {
        entries,
        complete,
        pruned,
    }
}

/// Context listings cached by directory and ignore file, so that many Dockerfiles sharing a context
/// scan it once.
/// Shared by the threads of one run: each listing is made once, by the first thread that needs it, while
/// threads that need other listings go on.
#[derive(Default)]
pub struct ContextCache {
    map: Mutex<HashMap<ContextKey, Arc<OnceLock<Arc<Context>>>>>,
    /// Directories already read in this run (by the search for Dockerfiles), not read again.
    listed: Listings,
    /// Directories whose scan stopped at a bound, not yet announced ([`ContextCache::take_incomplete`]).
    incomplete: Mutex<Vec<PathBuf>>,
}

type ContextKey = (PathBuf, Option<String>);

impl ContextCache {
    /// A cache that takes the entries of the directories in `listed` from there.
    pub fn with_listings(listed: Listings) -> ContextCache {
        ContextCache {
            listed,
            ..ContextCache::default()
        }
    }

    /// The directories read already in this run.
    pub fn listings(&self) -> &Listings {
        &self.listed
    }

    /// The listing of `root`, pruned with the ignore file whose text is `ignore`.
    pub fn get(&self, root: &Path, ignore: Option<&str>) -> Arc<Context> {
        let scan = || {
            let c = scan_context_pruned_in(root, ignore, &self.listed);
            if !c.complete
                && let Ok(mut incomplete) = self.incomplete.lock()
            {
                incomplete.push(root.to_path_buf());
            }
            Arc::new(c)
        };
        let key = (root.to_path_buf(), ignore.map(str::to_string));
        let cell = match self.map.lock() {
            Ok(mut map) => Arc::clone(map.entry(key).or_default()),
            // Another thread panicked while holding the lock: list without the cache.
            Err(_) => return scan(),
        };
        Arc::clone(cell.get_or_init(scan))
    }

    /// The directories scanned since the last call whose scan stopped at its bound (entries or time),
    /// so that the user can be told the context findings are partial.
    pub fn take_incomplete(&self) -> Vec<PathBuf> {
        self.incomplete
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// A project configuration file read from disk.
#[derive(Clone, Debug)]
pub struct ProjectFile {
    pub path: PathBuf,
    pub config: Result<crate::config::Config, String>,
}

/// The `.dockward.toml` directly in `dir`, if it is a regular file (a symbolic link could point
/// outside the project).
pub fn project_file_in(dir: &Path) -> Option<ProjectFile> {
    let p = dir.join(crate::config::FILE_NAME);
    let meta = fs::symlink_metadata(&p).ok()?;
    if !meta.is_file() || meta.len() > 1024 * 1024 {
        return None;
    }
    let text = fs::read_to_string(&p).ok()?;
    Some(ProjectFile {
        config: crate::config::Config::from_toml(&text).map_err(|e| e.to_string()),
        path: p,
    })
}

/// The nearest `.dockward.toml` in `dir` or its parents.
pub fn project_file_for(dir: &Path) -> Option<ProjectFile> {
    dir.ancestors().find_map(project_file_in)
}

/// A Dockerfile read from disk and decoded.
#[derive(Debug)]
pub struct Loaded {
    pub text: String,
    /// Offset of the first U+FFFD that replaced invalid bytes.
    pub invalid_utf8_at: Option<u32>,
}

/// Why a file could not be checked.
#[derive(Debug)]
pub enum LoadError {
    Io(String),
    Binary(&'static str),
}

/// Reads a file as text: UTF-8 (lossily, recording where it was invalid); files that look binary or are
/// UTF-16/32 are refused with a reason.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let bytes = fs::read(path).map_err(|e| LoadError::Io(io_reason(&e)))?;
    decode(bytes)
}

pub fn decode(bytes: Vec<u8>) -> Result<Loaded, LoadError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(LoadError::Binary(
            "it is UTF-16 encoded; Docker reads Dockerfiles as UTF-8",
        ));
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err(LoadError::Binary("it looks like a binary file (it contains NUL bytes)"));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Loaded {
            text,
            invalid_utf8_at: None,
        }),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to() as u32;
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Ok(Loaded {
                text,
                invalid_utf8_at: Some(valid),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for n in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.dev",
            "x.containerfile",
        ] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        for n in [
            "Dockerfile.dockerignore",
            ".dockerignore",
            "README.md",
            "docker-compose.yml",
            "Dockerfiles",
        ] {
            assert!(!is_dockerfile_name(n), "{n}");
        }
    }

    #[test]
    fn a_search_keeps_listings_up_to_its_bound_and_finds_the_same_files() {
        let root = std::env::temp_dir().join(format!("dockward-listings-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for d in ["a", "b", "b/c", "d"] {
            fs::create_dir_all(root.join(d)).unwrap();
            for f in ["Dockerfile", "x.txt", "y.txt"] {
                fs::write(root.join(d).join(f), "FROM a\n").unwrap();
            }
        }
        let all = find(std::slice::from_ref(&root));
        assert_eq!(all.files.len(), 4);
        assert_eq!(all.listed.len(), 5, "the root and its four folders");
        for max in [0, 3, 7, 10, 17] {
            let some = find_with(std::slice::from_ref(&root), max);
            assert_eq!(some.files, all.files, "bound {max}");
            let kept: usize = some.listed.values().map(|l| l.entries.len()).sum();
            assert!(kept <= max, "bound {max}: {kept} entries kept");
            for (dir, l) in &some.listed {
                assert_eq!(l.entries.len(), all.listed[dir].entries.len(), "{}", dir.display());
            }
        }
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn decoding_reports_invalid_utf8_and_refuses_binary() {
        let l = decode(b"FROM a\nLABEL x=\xff\n".to_vec()).unwrap();
        assert_eq!(l.invalid_utf8_at, Some(15));
        assert!(matches!(decode(vec![0xFF, 0xFE, b'F', 0]), Err(LoadError::Binary(_))));
        assert!(matches!(decode(b"FROM a\0".to_vec()), Err(LoadError::Binary(_))));
    }
}
