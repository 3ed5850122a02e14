//! Build-context scans on a worker thread, so that a large context never blocks an edit. Results are
//! cached per directory and dropped when a watched file inside the directory is created or deleted.

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
    pub context: Context,
}

/// The scan cache and its worker.
pub struct Scanner {
    requests: Sender<PathBuf>,
    pub results: Receiver<Scanned>,
    cache: HashMap<PathBuf, Arc<Context>>,
    pending: HashSet<PathBuf>,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    pub fn new() -> Scanner {
        let (req_tx, req_rx) = unbounded::<PathBuf>();
        let (res_tx, res_rx) = unbounded::<Scanned>();
        thread::Builder::new()
            .name("dockward-context-scan".into())
            .spawn(move || {
                for dir in req_rx {
                    // The scan is bounded in entries and time and never follows symbolic links.
                    let context = discover::scan_context(&dir);
                    if res_tx.send(Scanned { dir, context }).is_err() {
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

    /// The cached listing of `dir`, or `None` while a scan is under way (one is started if needed).
    pub fn get(&mut self, dir: &Path) -> Option<Arc<Context>> {
        if let Some(c) = self.cache.get(dir) {
            return Some(c.clone());
        }
        if self.pending.insert(dir.to_path_buf()) {
            let _ = self.requests.send(dir.to_path_buf());
        }
        None
    }

    /// Stores a finished scan; returns whether the directory was still wanted.
    pub fn finished(&mut self, s: Scanned) -> bool {
        let wanted = self.pending.remove(&s.dir);
        if wanted {
            self.cache.insert(s.dir, Arc::new(s.context));
        }
        wanted
    }

    /// Forgets the listings of every directory that contains `path`; returns the forgotten directories.
    pub fn invalidate(&mut self, path: &Path) -> Vec<PathBuf> {
        let dirs: Vec<PathBuf> = self.cache.keys().filter(|d| path.starts_with(d)).cloned().collect();
        for d in &dirs {
            self.cache.remove(d);
        }
        // A scan under way may have missed the change: ask again.
        let pending: Vec<PathBuf> = self.pending.iter().filter(|d| path.starts_with(d)).cloned().collect();
        for d in pending {
            let _ = self.requests.send(d);
        }
        dirs
    }
}
