//! `dockward check`: find Dockerfiles, read them with their ignore files and contexts, check, fix,
//! render, and choose the exit code.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::check::{Input, check};
use crate::cli::discover::{self, ContextCache, LoadError};
use crate::cli::output::{FileReport, human, json, sarif};
use crate::cli::{CheckArgs, ColorChoice, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Env, FailLevel, Format, cli_locale};
use crate::config::Config;
use crate::config::RegistrySettings;
use crate::date::Date;
use crate::diagnostic::{Applicability, FileRef, Resolve, Severity};
use crate::fix;
use crate::messages::{Locale, render};
use crate::model::image::ImageRef;
use crate::registry::{RegistryConfig, Resolver};
use crate::settings::Settings;

/// Most fix rounds per file (each round re-checks the fixed text).
const MAX_FIX_ROUNDS: usize = 10;

pub fn run(a: &CheckArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut failed = false;
    let Some(locale) = cli_locale(a.lang.as_deref(), env, err) else {
        return EXIT_ERROR;
    };
    let today = match &a.today {
        Some(s) => match Date::parse(s) {
            Some(d) => d,
            None => {
                let _ = writeln!(
                    err,
                    "{}",
                    render(locale, "cli.today-invalid", &[("value", format!("{s:?}"))])
                );
                return EXIT_ERROR;
            }
        },
        None => env.today,
    };
    for sel in a.select.iter().chain(&a.extend_select).chain(&a.ignore) {
        if !Settings::selector_is_known(sel) {
            let _ = writeln!(
                err,
                "{}",
                render(locale, "cli.selector-unknown", &[("selector", sel.clone())])
            );
        }
    }
    let cli = Config {
        select: (!a.select.is_empty()).then(|| a.select.clone()),
        ignore: (!a.ignore.is_empty()).then(|| a.ignore.clone()),
        extend_select: (!a.extend_select.is_empty()).then(|| a.extend_select.clone()),
        target: a.target.clone(),
        disable_pragmas: a.disable_pragmas.then_some(true),
        // `--lang` beats a project file's `locale`.
        locale: a.lang.is_some().then(|| locale.code().to_string()),
        ..Config::default()
    };
    let cli_locale = a.lang.is_some().then_some(locale);
    if let Some(c) = &a.context
        && !c.is_dir()
    {
        let path = [("path", c.display().to_string())];
        let _ = writeln!(err, "{}", render(locale, "cli.context-not-dir", &path));
        return EXIT_ERROR;
    }
    let paths = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let found = discover::find(&paths);
    for e in &found.errors {
        let _ = writeln!(err, "{}", render(locale, "cli.error", &[("message", e.to_string())]));
        failed = true;
    }
    let mut digests = if a.resolve_digests {
        match digest_lookup(a, locale) {
            Ok(d) => Some(d),
            Err(msg) => {
                let _ = writeln!(err, "{}", render(locale, "cli.error", &[("message", msg)]));
                return EXIT_ERROR;
            }
        }
    } else {
        None
    };
    let mut projects = Projects::default();
    let jobs: Vec<Job> = found
        .files
        .iter()
        .map(|path| projects.resolve(path, &found.listed, &cli, cli_locale.unwrap_or(locale), a, err))
        .collect();
    // `--fix` may create an ignore file that the next Dockerfile of the folder must find: the search's
    // listings would not show it, so a fixing run asks the file system.
    let contexts = if a.fix {
        ContextCache::default()
    } else {
        ContextCache::with_listings(found.listed)
    };
    // The language of what concerns the whole run (the summary line): the files' language when they
    // all agree (a project file's `locale` applies to its files), else the command line's.
    let run_locale = match jobs.first() {
        Some(j) if jobs.iter().all(|k| k.settings.locale == j.settings.locale) => j.settings.locale,
        _ => locale,
    };
    let mut results: Vec<Result<FileReport, String>> = Vec::with_capacity(jobs.len());
    if let Some(d) = digests.as_mut() {
        // Registry lookups are asked in order and reported per file.
        for (path, job) in found.files.iter().zip(&jobs) {
            results.push(check_file(path, a, job, today, &contexts, Some(d)));
            for (reference, why) in d.failures.drain(..) {
                let args = [("path", display(path)), ("reference", reference), ("reason", why)];
                let _ = writeln!(err, "{}", render(job.settings.locale, "cli.digest-failed", &args));
            }
        }
    } else {
        // `--fix` may write an ignore file that several Dockerfiles share: one file at a time then.
        let threads = if a.fix {
            1
        } else {
            thread_count(a.jobs, found.files.len())
        };
        results = check_files(&found.files, &jobs, threads, |path, job| {
            check_file(path, a, job, today, &contexts, None)
        });
    }
    for dir in contexts.take_incomplete() {
        let args = [
            ("path", display(&dir)),
            ("entries", discover::CONTEXT_MAX_ENTRIES.to_string()),
            ("seconds", discover::CONTEXT_MAX_TIME.as_secs().to_string()),
        ];
        let _ = writeln!(err, "{}", render(run_locale, "cli.context-incomplete", &args));
    }
    let mut reports = Vec::new();
    let mut thresholds = Vec::new();
    // An ignore file shared by several Dockerfiles has its own findings reported once.
    let mut ignore_reported: HashSet<String> = HashSet::new();
    for ((path, job), result) in found.files.iter().zip(&jobs).zip(results) {
        match result {
            Ok(mut r) => {
                if let Some(p) = &r.ignore_path
                    && !ignore_reported.insert(p.clone())
                {
                    r.diagnostics.retain(|d| d.file != FileRef::IgnoreFile);
                }
                reports.push(r);
                thresholds.push(job.fail_level);
            }
            Err(msg) => {
                let args = [("path", path.display().to_string()), ("message", msg)];
                let _ = writeln!(err, "{}", render(job.settings.locale, "cli.error-in", &args));
                failed = true;
            }
        }
    }
    let color = match a.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => env.stdout_is_terminal && env.var("NO_COLOR").is_none(),
    };
    // Rendering is spread over the threads that checked: a run over many files renders thousands of findings.
    let threads = thread_count(a.jobs, reports.len());
    let written = match a.format {
        Format::Human => human::render_all(
            out,
            &reports,
            human::Style {
                color,
                locale: run_locale,
            },
            threads,
        ),
        Format::Json => json::render_all(out, &reports, threads),
        Format::Sarif => sarif::render_all(out, &reports),
    };
    if let Err(e) = written {
        let _ = writeln!(
            err,
            "{}",
            render(locale, "cli.report-failed", &[("message", e.to_string())])
        );
        return EXIT_ERROR;
    }
    if failed {
        return EXIT_ERROR;
    }
    let failing = reports
        .iter()
        .zip(&thresholds)
        .any(|(r, t)| t.is_some_and(|t| r.diagnostics.iter().any(|d| d.severity >= t)));
    if failing { EXIT_FINDINGS } else { EXIT_OK }
}

/// How many threads check files: `--jobs`, else one per CPU, never more than the files.
fn thread_count(jobs: Option<std::num::NonZeroUsize>, files: usize) -> usize {
    let wanted = jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, usize::from);
    wanted.min(files).max(1)
}

/// `check(path, job)` for every file on `threads` threads, the results in the order of `files`.
fn check_files<R: Send>(
    files: &[PathBuf],
    jobs: &[Job],
    threads: usize,
    check: impl Fn(&Path, &Job) -> R + Sync,
) -> Vec<R> {
    let pairs: Vec<(&PathBuf, &Job)> = files.iter().zip(jobs).collect();
    crate::cli::parallel::map_ordered(&pairs, threads, |(p, j)| check(p, j))
}

fn threshold(f: FailLevel) -> Option<Severity> {
    match f {
        FailLevel::Error => Some(Severity::Error),
        FailLevel::Warning => Some(Severity::Warning),
        FailLevel::Info => Some(Severity::Info),
        FailLevel::Hint => Some(Severity::Hint),
        FailLevel::None => None,
    }
}

/// How one Dockerfile is checked: its settings, build context and fail level.
struct Job {
    settings: Settings,
    context: Option<PathBuf>,
    fail_level: Option<Severity>,
}

/// Maps keyed by paths, looked up for every file of a run (foldhash: SipHash was visible in profiles).
type PathMap<V> = HashMap<PathBuf, V, foldhash::fast::RandomState>;

/// Project files (`.dockward.toml`) found upward from each Dockerfile. Every directory is resolved and
/// looked in once per run: the Dockerfiles of a tree share their parent directories, and a lookup per
/// file and ancestor was most of the system calls of a run over the corpus (measured: 12,000 `statx`,
/// `readlink` and `getcwd` calls for 915 files, 13 ms before any file was checked).
#[derive(Default)]
struct Projects {
    /// Canonical directory → the nearest project file in it or above it.
    by_dir: PathMap<Option<discover::ProjectFile>>,
    /// Directory as found or given → its canonical path.
    canonical: PathMap<PathBuf>,
    /// Canonical directories the search read → whether they hold a project file.
    listed: PathMap<bool>,
    warned: HashSet<String>,
}

impl Projects {
    /// The canonical path of `dir`, from its parent's when `dir` is a real directory (not a symbolic link):
    /// one `lstat` instead of a `readlink` for each component, and none for a directory the search read
    /// (`listed`), which is known to be real.
    fn canonical_dir(&mut self, dir: &Path, listed: &discover::Listings) -> PathBuf {
        if let Some(c) = self.canonical.get(dir) {
            return c.clone();
        }
        let c = match (dir.parent(), dir.file_name()) {
            (Some(parent), Some(name))
                if !parent.as_os_str().is_empty()
                    && (listed.contains_key(dir) || fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())) =>
            {
                self.canonical_dir(parent, listed).join(name)
            }
            _ => fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()),
        };
        if let Some(l) = listed.get(dir) {
            self.listed.insert(c.clone(), l.has_file(crate::config::FILE_NAME));
        }
        self.canonical.insert(dir.to_path_buf(), c.clone());
        c
    }

    /// The nearest project file in the canonical directory `dir` or its parents (as
    /// [`discover::project_file_for`]), each directory looked in once; a directory the search read is
    /// only opened when its listing holds a project file.
    fn project_for(&mut self, dir: &Path) -> Option<discover::ProjectFile> {
        if let Some(p) = self.by_dir.get(dir) {
            return p.clone();
        }
        let here = match self.listed.get(dir) {
            Some(false) => None,
            _ => discover::project_file_in(dir),
        };
        let found = match here {
            Some(p) => Some(p),
            None => dir.parent().and_then(|parent| self.project_for(parent)),
        };
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Settings for a Dockerfile: its project file, with the command-line options on top.
    fn resolve(
        &mut self,
        path: &Path,
        listed: &discover::Listings,
        cli: &Config,
        locale: Locale,
        a: &CheckArgs,
        err: &mut dyn Write,
    ) -> Job {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = self.canonical_dir(dir, listed);
        let project = self.project_for(&dir);
        let mut base = Config::default();
        if let Some(p) = &project {
            match &p.config {
                Ok(c) => base = c.clone(),
                Err(e) => {
                    if self.warned.insert(e.clone()) {
                        let args = [("path", p.path.display().to_string()), ("message", e.clone())];
                        let _ = writeln!(err, "{}", render(locale, "cli.warning-in", &args));
                    }
                }
            }
        }
        let mut merged = base.merged(cli);
        // `--select` starts a new selection: the project file's `ignore` no longer applies (as in ruff).
        if cli.select.is_some() {
            merged.ignore = cli.ignore.clone();
        }
        let locale = if a.lang.is_some() {
            locale
        } else {
            merged.locale.as_deref().and_then(Locale::from_tag).unwrap_or(locale)
        };
        let (settings, warnings) = merged.to_settings(locale);
        for w in warnings {
            if self.warned.insert(w.clone()) {
                let _ = writeln!(err, "{}", render(locale, "cli.warning", &[("message", w)]));
            }
        }
        let fail_level = match (a.fail_level, merged.fail_level.as_deref()) {
            (Some(f), _) => threshold(f),
            (None, Some(f)) => match FailLevel::from_str(f, true) {
                Ok(f) => threshold(f),
                Err(_) => {
                    if self.warned.insert(format!("fail-level {f}")) {
                        let args = [("value", f.to_string())];
                        let _ = writeln!(err, "{}", render(locale, "cli.fail-level-unknown", &args));
                    }
                    Some(Severity::Warning)
                }
            },
            (None, None) => Some(Severity::Warning),
        };
        // The build context: --context, else the project file's mapping, else the Dockerfile's folder.
        let mut context = a.context.clone();
        if context.is_none()
            && let (Some(p), Some(map)) = (&project, &merged.contexts)
            && let Some(base_dir) = p.path.parent()
        {
            let me = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            for (file, ctx) in map {
                if fs::canonicalize(base_dir.join(file)).ok().as_deref() == Some(me.as_path()) {
                    context = Some(base_dir.join(ctx));
                }
            }
        }
        Job {
            settings,
            context,
            fail_level,
        }
    }
}

/// The registry settings of the command line: `--registry-mirror`, `--insecure-registry`,
/// `--registry-timeout`.
fn digest_lookup(a: &CheckArgs, locale: Locale) -> Result<DigestLookup, String> {
    let mut mirrors = std::collections::BTreeMap::new();
    for m in &a.registry_mirror {
        let Some((domain, url)) = m.split_once('=') else {
            return Err(format!(
                "--registry-mirror {m:?}: expected DOMAIN=URL, e.g. docker.io=https://mirror.gcr.io"
            ));
        };
        mirrors.insert(domain.to_string(), url.to_string());
    }
    let s = RegistrySettings {
        mirrors: Some(mirrors),
        insecure: Some(a.insecure_registry.clone()),
        timeout: a.registry_timeout,
        offline: None,
    };
    let (config, warnings) = RegistryConfig::from_settings(&s);
    if let Some(w) = warnings.into_iter().next() {
        return Err(w.render(locale));
    }
    for domain in config.mirrors.keys() {
        config.base_url(domain).map_err(|e| e.render(locale))?;
    }
    Ok(DigestLookup {
        resolver: Resolver::new(config),
        known: HashMap::new(),
        failures: Vec::new(),
    })
}

/// Fills in the digests that fixes wait for, asking each reference once per run.
struct DigestLookup {
    resolver: Resolver,
    /// Reference → digest, or why it could not be had.
    known: HashMap<String, Result<String, String>>,
    /// Failures not yet reported: (reference, reason).
    failures: Vec<(String, String)>,
}

impl DigestLookup {
    /// Replaces every fix that waits for a digest with the fix completed, when the digest is found; the
    /// reasons of failures are worded in `locale`.
    fn fill(&mut self, diags: &mut [crate::diagnostic::Diagnostic], locale: Locale) {
        for d in diags {
            for f in &mut d.fixes {
                let Some(Resolve::Digest { reference }) = &f.resolve else {
                    continue;
                };
                let reference = reference.clone();
                let outcome = match self.known.get(&reference) {
                    Some(o) => o.clone(),
                    None => {
                        let o = match ImageRef::parse(&reference) {
                            Ok(image) => self
                                .resolver
                                .resolve(&image)
                                .map(|r| r.digest)
                                .map_err(|e| e.render(locale)),
                            Err(_) => Err(render(
                                locale,
                                "registry.not-a-reference",
                                &[("reference", reference.clone())],
                            )),
                        };
                        if let Err(why) = &o {
                            self.failures.push((reference.clone(), why.clone()));
                        }
                        self.known.insert(reference.clone(), o.clone());
                        o
                    }
                };
                if let Ok(digest) = outcome {
                    *f = f.with_digest(&digest);
                }
            }
        }
    }
}

fn display(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn check_file(
    path: &Path,
    a: &CheckArgs,
    job: &Job,
    today: Date,
    contexts: &ContextCache,
    mut digests: Option<&mut DigestLookup>,
) -> Result<FileReport, String> {
    let settings = &job.settings;
    let loaded = discover::load(path).map_err(|e| match e {
        LoadError::Io(m) => m,
        LoadError::Binary(why) => format!("skipped: {why}"),
    })?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let context_dir = job.context.clone().unwrap_or_else(|| dir.to_path_buf());
    let ignore_path = discover::ignore_file_in(path, &context_dir, contexts.listings());
    let mut ignore_text = match &ignore_path {
        Some(p) => match discover::load(p) {
            Ok(l) => Some(l.text),
            Err(LoadError::Io(m)) => return Err(format!("{}: {m}", p.display())),
            Err(LoadError::Binary(why)) => return Err(format!("{}: {why}", p.display())),
        },
        None => None,
    };
    let context = contexts.get(&context_dir, ignore_text.as_deref());
    let mut text = loaded.text;
    let mut invalid_utf8_at = loaded.invalid_utf8_at;
    let mut fixed = 0;
    let mut ignore_created = false;
    if a.fix {
        let min = if a.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        for _ in 0..MAX_FIX_ROUNDS {
            let input = Input {
                dockerfile: &text,
                ignore_file: ignore_text.as_deref(),
                context: Some(&*context),
                today,
                invalid_utf8_at,
                fixes: true,
            };
            let mut diags = check(&input, settings);
            if let Some(d) = digests.as_deref_mut() {
                d.fill(&mut diags, settings.locale);
            }
            let chosen = fix::select_fixes(&diags, min);
            if chosen.is_empty() {
                break;
            }
            let mut new_text = text.clone();
            let mut new_ignore = ignore_text.clone();
            let docker_edits: Vec<_> = chosen
                .iter()
                .flat_map(|f| f.edits.iter().filter(|e| e.file == FileRef::Dockerfile))
                .collect();
            let ignore_edits: Vec<_> = chosen
                .iter()
                .flat_map(|f| f.edits.iter().filter(|e| e.file == FileRef::IgnoreFile))
                .collect();
            if !docker_edits.is_empty() {
                new_text = fix::apply_edits(&text, &docker_edits)
                    .map_err(|e| format!("internal error applying fixes: {e:?}"))?;
            }
            if !ignore_edits.is_empty() {
                let base = ignore_text.clone().unwrap_or_default();
                new_ignore = Some(
                    fix::apply_edits(&base, &ignore_edits)
                        .map_err(|e| format!("internal error applying fixes: {e:?}"))?,
                );
                ignore_created |= ignore_text.is_none();
            }
            if new_text == text && new_ignore == ignore_text {
                break;
            }
            fixed += chosen.len();
            text = new_text;
            ignore_text = new_ignore;
            invalid_utf8_at = None.or(invalid_utf8_at.filter(|_| docker_edits.is_empty()));
        }
        if fixed > 0 {
            let ignore_target = ignore_path.clone().unwrap_or_else(|| context_dir.join(".dockerignore"));
            // The ignore file is found (or created) in the repository, never named by the user: a symbolic
            // link there could point anywhere (`~/.bashrc`), so fixes are never written through one.
            if ignore_text.is_some() && fs::symlink_metadata(&ignore_target).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(format!(
                    "{}: is a symbolic link; fixes are not written through it",
                    ignore_target.display()
                ));
            }
            fs::write(path, &text).map_err(|e| format!("writing fixes: {}", discover::io_reason(&e)))?;
            if let Some(t) = &ignore_text {
                let target = ignore_target;
                let current = fs::read_to_string(&target).ok();
                if current.as_deref() != Some(t.as_str()) {
                    fs::write(&target, t)
                        .map_err(|e| format!("{}: writing fixes: {}", target.display(), discover::io_reason(&e)))?;
                }
            }
        }
    }
    let input = Input {
        dockerfile: &text,
        ignore_file: ignore_text.as_deref(),
        context: Some(&*context),
        today,
        invalid_utf8_at,
        fixes: true,
    };
    let diagnostics = check(&input, settings);
    let ignore_display = ignore_path
        .as_deref()
        .map(display)
        .or_else(|| ignore_created.then(|| display(&context_dir.join(".dockerignore"))))
        .or_else(|| Some(display(&context_dir.join(".dockerignore"))));
    Ok(FileReport::new(
        display(path),
        text,
        ignore_display.map(|p| (p, ignore_text)),
        diagnostics,
        fixed,
    ))
}
