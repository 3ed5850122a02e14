//! Build-context scans on a worker thread, so that a large context never blocks an edit. A scan is
//! pruned with the ignore file that applies (read from disk by the worker), so results are cached per
//! directory and ignore file, and dropped when a watched file inside the directory, or the ignore file,
//! changes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};

use crate::check::Context;
use crate::cli::discover;

/// A finished scan.
#[derive(Debug)]
pub struct Scanned {
    pub dir: PathBuf,
    /// The ignore file it was pruned with.
    pub ignore: Option<PathBuf>,
    pub context: Context,
}

/// A scan: the context directory and the ignore file that prunes it.
type Key = (PathBuf, Option<PathBuf>);

/// Largest ignore file read for pruning; a larger one is not used.
const MAX_IGNORE_FILE: u64 = 4 * 1024 * 1024;

/// The text of a regular file (a symbolic link is not followed), if it is small enough.
fn read_ignore(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_IGNORE_FILE {
        return None;
    }
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The scan cache and its worker.
pub struct Scanner {
    requests: Sender<Key>,
    pub results: Receiver<Scanned>,
    cache: HashMap<Key, Arc<Context>>,
    pending: HashSet<Key>,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        let (req_tx, req_rx) = unbounded::<Key>();
        let (res_tx, res_rx) = unbounded::<Scanned>();
        thread::Builder::new()
            .name("dockward-context-scan".into())
            .spawn(move || {
                for (dir, ignore) in req_rx {
                    // The scan is bounded in entries and time, never follows symbolic links, and does not
                    // descend into the directories the ignore file excludes.
                    let text = ignore.as_deref().and_then(read_ignore);
                    let context = discover::scan_context_pruned(&dir, text.as_deref());
                    if res_tx.send(Scanned { dir, ignore, context }).is_err() {
                        return;
                    }
                }
            })
            .expect("spawn the context scanner");
        Scanner {
            requests: req_tx,
            results: res_rx,
            cache: HashMap::new(),
            pending: HashSet::new(),
        }
    }

    /// The cached listing of `dir` pruned with `ignore`, or `None` while a scan is under way (one is
    /// started if needed).
    pub fn get(&mut self, dir: &Path, ignore: Option<&Path>) -> Option<Arc<Context>> {
        let key = (dir.to_path_buf(), ignore.map(Path::to_path_buf));
        if let Some(c) = self.cache.get(&key) {
            return Some(c.clone());
        }
        if self.pending.insert(key.clone()) {
            let _ = self.requests.send(key);
        }
        None
    }

    /// Stores a finished scan; returns whether it was still wanted.
    pub fn finished(&mut self, s: Scanned) -> bool {
        let key = (s.dir, s.ignore);
        let wanted = self.pending.remove(&key);
        if wanted {
            self.cache.insert(key, Arc::new(s.context));
        }
        wanted
    }

    /// Forgets the listings of every directory that contains `path` or was pruned with it; returns the
    /// forgotten directories.
    pub fn invalidate(&mut self, path: &Path) -> Vec<PathBuf> {
        let hit = |(d, i): &Key| path.starts_with(d) || i.as_deref() == Some(path);
        let keys: Vec<Key> = self.cache.keys().filter(|k| hit(k)).cloned().collect();
        for k in &keys {
            self.cache.remove(k);
        }
        // A scan under way may have missed the change: ask again.
        let pending: Vec<Key> = self.pending.iter().filter(|k| hit(k)).cloned().collect();
        for k in pending {
            let _ = self.requests.send(k);
        }
        keys.into_iter().map(|(d, _)| d).collect()
    }
}
