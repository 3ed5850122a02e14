//! What a document depends on besides its text: the workspace folder it belongs to, its settings
//! (project file and client settings), its build context and the ignore file that applies.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::messages::Locale;
use crate::settings::Settings;

/// A workspace folder of a multi-root workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folder {
    pub uri: String,
    pub path: Option<PathBuf>,
    /// The client's `dockward` settings scoped to this folder.
    pub config: Config,
}

pub use crate::cli::discover::ProjectFile;

/// Caches of files read from disk, invalidated by watched-file events.
#[derive(Default)]
pub struct DiskCache {
    /// `.dockward.toml` found (or not) for a directory.
    projects: HashMap<PathBuf, Option<ProjectFile>>,
    /// Ignore-file texts (`None`: does not exist or cannot be read).
    ignore_texts: HashMap<PathBuf, Option<String>>,
}

/// Largest ignore file read from disk; a larger file is treated as unreadable.
const MAX_IGNORE_FILE: u64 = 4 * 1024 * 1024;

impl DiskCache {
    /// The nearest `.dockward.toml` in `dir` or above it, not above `stop` when given.
    pub fn project_for(&mut self, dir: &Path, stop: Option<&Path>) -> Option<ProjectFile> {
        let mut cur = Some(dir);
        while let Some(d) = cur {
            let found = self
                .projects
                .entry(d.to_path_buf())
                .or_insert_with(|| crate::cli::discover::project_file_in(d))
                .clone();
            if found.is_some() {
                return found;
            }
            if stop.is_some_and(|s| d == s) {
                return None;
            }
            cur = d.parent();
        }
        None
    }

    /// The text of an ignore file on disk (regular files only).
    pub fn ignore_text(&mut self, path: &Path) -> Option<String> {
        self.ignore_texts
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let meta = fs::symlink_metadata(path).ok()?;
                if !meta.is_file() || meta.len() > MAX_IGNORE_FILE {
                    return None;
                }
                fs::read(path).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
            })
            .clone()
    }

    /// Forgets what was read at or below `path`.
    pub fn invalidate(&mut self, path: &Path) {
        self.ignore_texts.retain(|p, _| !p.starts_with(path));
        if path.file_name().is_some_and(|n| n == config::FILE_NAME) {
            self.projects.retain(|d, _| !path.starts_with(d));
        } else {
            self.projects.retain(|d, _| !d.starts_with(path));
        }
    }
}

/// The folder a path belongs to: the one with the longest path that contains it.
pub fn folder_of<'a>(folders: &'a [Folder], path: &Path) -> Option<&'a Folder> {
    folders
        .iter()
        .filter(|f| f.path.as_deref().is_some_and(|p| path.starts_with(p)))
        .max_by_key(|f| f.path.as_ref().map_or(0, |p| p.as_os_str().len()))
}

/// Everything a Dockerfile's check depends on, resolved.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub settings: Settings,
    pub context_dir: Option<PathBuf>,
    pub ignore_path: Option<PathBuf>,
    /// Problems with the configuration, to log.
    pub warnings: Vec<String>,
}

/// Resolves settings, context and ignore file for a Dockerfile at `path`. Precedence: the project
/// file, then the client's global settings, then the client's folder settings (editor settings win).
pub fn resolve(
    path: Option<&Path>,
    folders: &[Folder],
    client: &Config,
    locale: Locale,
    disk: &mut DiskCache,
) -> Resolved {
    let mut warnings = Vec::new();
    let folder = path.and_then(|p| folder_of(folders, p));
    let dir = path.and_then(Path::parent);
    let project = dir.and_then(|d| disk.project_for(d, folder.and_then(|f| f.path.as_deref())));
    let mut cfg = Config::default();
    if let Some(p) = &project {
        match &p.config {
            Ok(c) => cfg = c.clone(),
            Err(e) => warnings.push(format!("{}: {e}", p.path.display())),
        }
    }
    cfg = cfg.merged(client);
    if let Some(f) = folder {
        cfg = cfg.merged(&f.config);
    }
    let (settings, w) = cfg.to_settings(locale);
    warnings.extend(w);
    // The build context: a mapping from the project file or the settings, else the Dockerfile's folder.
    let mut context_dir = dir.map(Path::to_path_buf);
    if let (Some(path), Some(contexts)) = (path, &cfg.contexts) {
        let base = project
            .as_ref()
            .and_then(|p| p.path.parent().map(Path::to_path_buf))
            .or_else(|| folder.and_then(|f| f.path.clone()));
        if let Some(base) = base {
            for (file, ctx) in contexts {
                if base.join(file) == path {
                    context_dir = Some(base.join(ctx));
                }
            }
        }
    }
    let ignore_path = match (path, &context_dir) {
        (Some(p), Some(c)) => {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let specific = p.with_file_name(format!("{name}.dockerignore"));
            Some(if disk.ignore_text(&specific).is_some() {
                specific
            } else {
                c.join(".dockerignore")
            })
        }
        _ => None,
    };
    Resolved {
        settings,
        context_dir,
        ignore_path,
        warnings,
    }
}
