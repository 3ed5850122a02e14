//! Docker's pattern matcher (moby/patternmatcher v0.6.1: `New`, `MatchesOrParentMatches`,
//! `MatchesUsingParentResults`) and the BuildKit context walk (tonistiigi/fsutil `filterFS.Walk`)
//! built on it.

use std::borrow::Cow;
use std::fmt;
use std::iter;
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

use super::clean;
use super::glob::{self, MatchType};
use super::goregex;
use super::{IgnoreFile, ReadError};

/// Go's `filepath.ErrBadPattern` text, used both by `New` and by lazy regexp failures.
pub const BAD_PATTERN: &str = "syntax error in pattern";
/// The error `New` reports for an exception with nothing after the `!`.
pub const ILLEGAL_EXCLUSION: &str = "illegal exclusion pattern: \"!\"";

/// A pattern rejected by `patternmatcher.New`; Docker refuses the whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// Index of the offending pattern in the list given to the matcher (for [`Matcher::new`], an
    /// index into [`IgnoreFile::patterns`]).
    pub pattern: usize,
    /// Go's error text: [`BAD_PATTERN`] or [`ILLEGAL_EXCLUSION`].
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PatternError {}

/// Why a matcher could not be built from an ignore file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatcherError {
    /// `ignorefile.ReadAll` failed (a line of 64 KiB or more).
    Read(ReadError),
    /// `patternmatcher.New` rejected a pattern.
    Pattern(PatternError),
}

impl fmt::Display for MatcherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatcherError::Read(e) => f.write_str(&e.message),
            MatcherError::Pattern(e) => f.write_str(&e.message),
        }
    }
}

impl std::error::Error for MatcherError {}

/// A pattern that `New` accepted but whose regexp Go cannot compile; it is reported when the
/// pattern is first evaluated for a path (BuildKit then aborts the context transfer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchError {
    /// Index of the pattern in the list given to the matcher (see [`PatternError::pattern`]).
    pub pattern: usize,
    /// Go's error text, always [`BAD_PATTERN`].
    pub message: String,
    /// The underlying Go regexp error (Docker does not show it), for explanations.
    pub reason: String,
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MatchError {}

/// A pattern as the matcher sees it after `New`'s own trimming and cleaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectivePattern<'a> {
    /// Index in the list given to the matcher.
    pub source: usize,
    /// Go's `cleanedPattern`: the pattern without its `!`.
    pub cleaned: &'a str,
    /// Whether the pattern is an exception (`!`).
    pub exclusion: bool,
}

/// Why a path is (or is not) excluded by [`Matcher::explain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// Whether Docker leaves the path out of the build context.
    pub excluded: bool,
    /// The last pattern that matched (index in the list given to the matcher); it decided the
    /// result. `None` when no pattern applied.
    pub decided_by: Option<usize>,
    /// When the deciding pattern matched a parent directory rather than the path itself: that
    /// directory.
    pub ancestor: Option<String>,
}

/// Per-directory state of a context walk: which patterns matched the directory (fsutil's
/// `MatchInfo`). The empty state is the one for entries at the context root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalkState {
    parent_matched: Vec<bool>,
}

impl WalkState {
    /// The state for entries at the root of the context.
    pub fn root() -> WalkState {
        WalkState::default()
    }
}

/// The walk's verdict for one entry, from [`Matcher::walk_entry`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkEntry {
    /// Whether the entry itself is left out. An excluded directory is still created in the context
    /// when something inside it is sent.
    pub excluded: bool,
    /// For a directory: the walker does not descend into it (fsutil returns `SkipDir`), so nothing
    /// below it is sent whatever later patterns say.
    pub skip_dir: bool,
    /// The last pattern that matched the entry (index in the list given to the matcher).
    pub decided_by: Option<usize>,
    /// For a directory: the state to pass when walking its children.
    pub state: Option<WalkState>,
}

/// The walk's verdict for a path, from [`Matcher::explain_walk`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkExplanation {
    /// Whether the path is left out of what BuildKit sends.
    pub excluded: bool,
    /// The last pattern that matched the path, or the skipped ancestor directory.
    pub decided_by: Option<usize>,
    /// The ancestor directory the walker did not descend into, if that is why the path is excluded.
    pub skipped_at: Option<String>,
}

/// The deciding entry (index into `Matcher::patterns`) and, if it matched a parent directory
/// rather than the path, that parent's ordinal.
type Decision = (usize, Option<usize>);

#[derive(Clone)]
enum Compiled {
    Exact,
    Prefix,
    Suffix,
    /// The regexp has no class, escape or anchor: matched without the regexp engine.
    Program(glob::Program),
    Regex(Regex),
    /// Go's `regexp.Compile` failed: every evaluation reports `ErrBadPattern`.
    Error(String),
}

struct Entry {
    source: usize,
    cleaned: String,
    exclusion: bool,
    compiled: OnceLock<Compiled>,
}

impl Entry {
    /// An exception with glob characters before any trailing `/*`-like glob: the walk cannot skip a
    /// directory when the file has one.
    fn is_glob_exception(&self) -> bool {
        self.exclusion && without_trailing_glob(&self.cleaned).contains(['*', '[', ']', '?', '^', '\\'])
    }

    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| compile(&self.cleaned))
    }

    /// Go's `Pattern.match`: `Err` carries the Go regexp error when the regexp does not compile.
    fn matches(&self, path: &str) -> Result<bool, &str> {
        let cleaned = self.cleaned.as_bytes();
        let path_bytes = path.as_bytes();
        match self.compiled() {
            Compiled::Exact => Ok(path_bytes == cleaned),
            Compiled::Prefix => Ok(path_bytes.starts_with(&cleaned[..cleaned.len() - 2])),
            Compiled::Suffix => {
                let suffix = &cleaned[2..];
                Ok(path_bytes.ends_with(suffix) || (suffix.first() == Some(&b'/') && path_bytes == &suffix[1..]))
            }
            Compiled::Program(p) => Ok(p.matches(path)),
            Compiled::Regex(re) => Ok(re.is_match(path)),
            Compiled::Error(reason) => Err(reason),
        }
    }

    fn error(&self, reason: &str) -> MatchError {
        MatchError {
            pattern: self.source,
            message: BAD_PATTERN.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Compiled regexps by cleaned pattern, shared by every matcher of the process: an ignore file is parsed
/// again on every keystroke, so compiling each pattern once matters (a compile costs tens of
/// microseconds, a lookup well under one). Only patterns with a class, an escape or a `^` get here;
/// the others are [`glob::Program`]s, built in well under a microsecond.
static REGEX_MEMO: crate::memo::Memo<String, Compiled> = crate::memo::Memo::new(4096);

fn compile(cleaned: &str) -> Compiled {
    let (kind, go_regex) = glob::translate(cleaned);
    match kind {
        MatchType::Exact => Compiled::Exact,
        MatchType::Prefix => Compiled::Prefix,
        MatchType::Suffix => Compiled::Suffix,
        MatchType::Regexp => match glob::program(cleaned) {
            Some(p) => Compiled::Program(p),
            None => REGEX_MEMO.get_or(cleaned, || compile_regexp(&go_regex)),
        },
    }
}

fn compile_regexp(go_regex: &str) -> Compiled {
    match goregex::translate(go_regex) {
        Ok(rust) => match RegexBuilder::new(&rust)
            .size_limit(1 << 30)
            .dfa_size_limit(1 << 24)
            .build()
        {
            Ok(re) => Compiled::Regex(re),
            Err(e) => Compiled::Error(format!("regexp too large for this implementation: {e}")),
        },
        Err(e) => Compiled::Error(e.to_string()),
    }
}

/// The part of a pattern before a trailing `/**` or `/*` (fsutil's `patternWithoutTrailingGlob`).
fn without_trailing_glob(p: &str) -> &str {
    let p = p.strip_suffix("/**").unwrap_or(p);
    p.strip_suffix("/*").unwrap_or(p)
}

/// Whether `pattern + "/"` starts with `dir + "/"`.
fn is_under_or_at(pattern: &str, dir: &str) -> bool {
    pattern.starts_with(dir) && (pattern.len() == dir.len() || pattern.as_bytes()[dir.len()] == b'/')
}

/// The parent directories Docker checks for `file`: the prefixes of `dir` ending before each `/`,
/// then `dir` itself; nothing when `dir` is `.`.
fn parents(dir: &str) -> impl Iterator<Item = &str> {
    let none = dir == ".";
    dir.match_indices('/')
        .map(move |(i, _)| &dir[..i])
        .chain(iter::once(dir))
        .filter(move |_| !none)
}

/// Go's `filepath.Dir`, without allocating for walker-style paths.
fn parent_dir(file: &str) -> Cow<'_, str> {
    if clean::is_walker_path(file) {
        match file.rfind('/') {
            Some(i) => Cow::Borrowed(&file[..i]),
            None => Cow::Borrowed("."),
        }
    } else {
        Cow::Owned(clean::dir(file))
    }
}

/// A pattern left out of an evaluation, with the matcher's flags recomputed without it.
struct Skip {
    entry: Option<usize>,
    exclusions: bool,
    only_prefix_exceptions: bool,
}

impl Skip {
    fn none(m: &Matcher) -> Skip {
        Skip {
            entry: None,
            exclusions: m.exclusions,
            only_prefix_exceptions: m.only_prefix_exceptions,
        }
    }
}

/// Docker's `.dockerignore` matcher, built once and queried for many paths.
///
/// Regexps are compiled on first use, like Docker's, and cached; the matcher can be shared between
/// threads.
pub struct Matcher {
    patterns: Vec<Entry>,
    exclusions: bool,
    only_prefix_exceptions: bool,
    /// Whether every pattern's regexp compiles (computed when first needed).
    compiles: OnceLock<bool>,
    /// How many patterns are exceptions, and how many of those are globs beyond a trailing one.
    exclusion_count: usize,
    glob_exception_count: usize,
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.patterns()).finish()
    }
}

impl Matcher {
    /// The matcher Docker builds from an ignore file (`patternmatcher.New(ignorefile.ReadAll(..))`).
    pub fn new(file: &IgnoreFile) -> Result<Matcher, MatcherError> {
        if let Some(e) = &file.error {
            return Err(MatcherError::Read(e.clone()));
        }
        let strings: Vec<String> = file.patterns.iter().map(|p| p.docker_string()).collect();
        Matcher::from_patterns(&strings).map_err(MatcherError::Pattern)
    }

    /// `patternmatcher.New` on any list of pattern strings (as `ReadAll` returns them, `!` included).
    ///
    /// Each string is trimmed and cleaned again; empty ones are skipped; a pattern that becomes `!`
    /// is an error, and so is one that Go's `filepath.Match` rejects.
    pub fn from_patterns<S: AsRef<str>>(patterns: &[S]) -> Result<Matcher, PatternError> {
        let mut entries = Vec::with_capacity(patterns.len());
        let mut exclusions = false;
        for (source, p) in patterns.iter().enumerate() {
            let p = clean::trim_space(p.as_ref());
            if p.is_empty() {
                continue;
            }
            let mut p = clean::clean(p);
            let exclusion = p.starts_with('!');
            if exclusion {
                if p.len() == 1 {
                    return Err(PatternError {
                        pattern: source,
                        message: ILLEGAL_EXCLUSION.to_string(),
                    });
                }
                p.remove(0);
                exclusions = true;
            }
            if !glob::is_valid_glob(&p) {
                return Err(PatternError {
                    pattern: source,
                    message: BAD_PATTERN.to_string(),
                });
            }
            entries.push(Entry {
                source,
                cleaned: p,
                exclusion,
                compiled: OnceLock::new(),
            });
        }
        let glob_exception_count = entries.iter().filter(|e| e.is_glob_exception()).count();
        Ok(Matcher {
            exclusion_count: entries.iter().filter(|e| e.exclusion).count(),
            patterns: entries,
            exclusions,
            only_prefix_exceptions: glob_exception_count == 0,
            compiles: OnceLock::new(),
            glob_exception_count,
        })
    }

    /// The patterns in effect, in order.
    pub fn patterns(&self) -> impl Iterator<Item = EffectivePattern<'_>> {
        self.patterns.iter().map(|e| EffectivePattern {
            source: e.source,
            cleaned: &e.cleaned,
            exclusion: e.exclusion,
        })
    }

    /// Whether any pattern is an exception.
    pub fn has_exclusions(&self) -> bool {
        self.exclusions
    }

    /// How the pattern with index `source` is matched (compiling it if needed): its match type and
    /// the Go regexp Docker builds for it. `None` if no effective pattern has that index.
    pub fn match_type(&self, source: usize) -> Option<(MatchType, String)> {
        let entry = self.patterns.iter().find(|e| e.source == source)?;
        Some(glob::translate(&entry.cleaned))
    }

    /// Docker's `MatchesOrParentMatches`: whether `path` (relative, `/`-separated) is excluded,
    /// applying every pattern in order to the path and, when it does not match the path itself, to
    /// each parent directory. This is what `docker build` and BuildKit's `Open` use; for "what does
    /// `COPY . .` receive" use [`Matcher::excluded_in_walk`].
    pub fn matches_or_parent_matches(&self, path: &str) -> Result<bool, MatchError> {
        self.evaluate(path).map(|(excluded, _)| excluded)
    }

    /// Like [`Matcher::matches_or_parent_matches`], also telling which pattern decided.
    pub fn explain(&self, path: &str) -> Result<Explanation, MatchError> {
        let (excluded, decided) = self.evaluate(path)?;
        let dir = parent_dir(path);
        Ok(Explanation {
            excluded,
            decided_by: decided.map(|(i, _)| self.patterns[i].source),
            ancestor: decided
                .and_then(|(_, via)| via)
                .and_then(|k| parents(&dir).nth(k))
                .map(str::to_string),
        })
    }

    /// The evaluation loop: the result and the deciding entry with the parent ordinal it matched.
    fn evaluate(&self, file: &str) -> Result<(bool, Option<Decision>), MatchError> {
        let dir = parent_dir(file);
        let mut matched = false;
        let mut decided = None;
        for (i, entry) in self.patterns.iter().enumerate() {
            if entry.exclusion != matched {
                continue;
            }
            let mut hit = entry.matches(file).map_err(|reason| entry.error(reason))?;
            let mut via = None;
            if !hit {
                // Errors are ignored here, as in Go (they cannot happen: the regexp already compiled).
                if let Some(k) = parents(&dir).position(|parent| entry.matches(parent).unwrap_or(false)) {
                    hit = true;
                    via = Some(k);
                }
            }
            if hit {
                matched = !entry.exclusion;
                decided = Some((i, via));
            }
        }
        Ok((matched, decided))
    }

    /// One step of BuildKit's context walk (fsutil `filterFS.Walk` with `MatchesUsingParentResults`):
    /// the verdict for the entry `path` (relative, `/`-separated, as the walker produces it), given
    /// the state of its parent directory ([`WalkState::root`] at the top). Patterns the parent
    /// matched count as matching without being evaluated; others are evaluated on `path` only.
    pub fn walk_entry(&self, path: &str, is_dir: bool, parent: &WalkState) -> Result<WalkEntry, MatchError> {
        self.walk_entry_skipping(path, is_dir, parent, &Skip::none(self))
    }

    /// [`Matcher::walk_entry`] as if the pattern `skip` designates were not in the file.
    fn walk_entry_skipping(
        &self,
        path: &str,
        is_dir: bool,
        parent: &WalkState,
        skip: &Skip,
    ) -> Result<WalkEntry, MatchError> {
        let parent_matched = &parent.parent_matched;
        let has_parent_info = !parent_matched.is_empty() && parent_matched.len() == self.patterns.len();
        let mut info = if is_dir {
            Some(vec![false; self.patterns.len()])
        } else {
            None
        };
        let dir = if has_parent_info {
            Cow::Borrowed(".")
        } else {
            parent_dir(path)
        };
        let mut matched = false;
        let mut decided = None;
        for (i, entry) in self.patterns.iter().enumerate() {
            if skip.entry == Some(i) {
                continue;
            }
            let mut hit = has_parent_info && parent_matched[i];
            if !hit {
                if entry.exclusion != matched {
                    continue;
                }
                hit = entry.matches(path).map_err(|reason| entry.error(reason))?;
                if !hit {
                    hit = parents(&dir).any(|parent| entry.matches(parent).unwrap_or(false));
                }
            }
            if let Some(info) = info.as_mut() {
                info[i] = hit;
            }
            if hit {
                matched = !entry.exclusion;
                decided = Some(entry.source);
            }
        }
        let skip_dir = matched
            && is_dir
            && skip.only_prefix_exceptions
            && (!skip.exclusions
                || !self.patterns.iter().enumerate().any(|(i, e)| {
                    skip.entry != Some(i) && e.exclusion && is_under_or_at(without_trailing_glob(&e.cleaned), path)
                }));
        Ok(WalkEntry {
            excluded: matched,
            skip_dir,
            decided_by: decided,
            state: info.map(|parent_matched| WalkState { parent_matched }),
        })
    }

    /// Whether BuildKit's context walk leaves `path` out: what `COPY . .` actually receives. The
    /// walk is simulated through every ancestor directory of `path`, including the `SkipDir`
    /// shortcut. For a whole tree, call [`Matcher::walk_entry`] while walking instead.
    pub fn excluded_in_walk(&self, path: &str) -> Result<bool, MatchError> {
        self.explain_walk_skipping(path, &Skip::none(self), false)
            .map(|w| w.excluded)
    }

    /// Like [`Matcher::excluded_in_walk`], also telling which pattern decided.
    pub fn explain_walk(&self, path: &str) -> Result<WalkExplanation, MatchError> {
        self.explain_walk_skipping(path, &Skip::none(self), true)
    }

    /// [`Matcher::excluded_in_walk`] as if the line with index `source` were not in the ignore file:
    /// what removing that line would change, without building a second matcher (a rule asks this for
    /// each line; building a matcher per line was quadratic in the file's length).
    pub fn excluded_in_walk_without(&self, path: &str, source: usize) -> Result<bool, MatchError> {
        let entry = self.patterns.iter().position(|e| e.source == source);
        let skipped = entry.map(|i| &self.patterns[i]);
        let skip = Skip {
            entry,
            exclusions: self.exclusion_count - usize::from(skipped.is_some_and(|e| e.exclusion)) > 0,
            only_prefix_exceptions: self.glob_exception_count
                - usize::from(skipped.is_some_and(Entry::is_glob_exception))
                == 0,
        };
        self.explain_walk_skipping(path, &skip, false).map(|w| w.excluded)
    }

    /// For a file at the top of the context, the walk's verdict is the polarity of the last pattern that
    /// matches it (a pattern the evaluation skips would not have changed the state), so it is found by
    /// scanning backwards, usually a few patterns: `Some(None)` when none matches. `None` when some pattern
    /// fails to compile: whether the forward evaluation reaches that error depends on the order, so it
    /// must decide.
    fn last_hit_without(&self, file: &str, skip: Option<usize>) -> Option<Option<&Entry>> {
        let compiles = *self.compiles.get_or_init(|| {
            self.patterns
                .iter()
                .all(|e| !matches!(e.compiled(), Compiled::Error(_)))
        });
        if !compiles {
            return None;
        }
        for (i, e) in self.patterns.iter().enumerate().rev() {
            if Some(i) == skip {
                continue;
            }
            if e.matches(file).ok()? {
                return Some(Some(e));
            }
        }
        Some(None)
    }

    /// The walk's verdict on `path` with `skip` left out. Unless `exact_decider` asks for the pattern the
    /// walk itself decides with, a top-level file is answered by [`Matcher::last_hit_without`] (the same
    /// verdict; the pattern named may be a later one that matches too).
    fn explain_walk_skipping(
        &self,
        path: &str,
        skip: &Skip,
        exact_decider: bool,
    ) -> Result<WalkExplanation, MatchError> {
        let path: Cow<'_, str> = if clean::is_walker_path(path) {
            Cow::Borrowed(path)
        } else {
            let cleaned = clean::clean(path);
            let relative = cleaned.trim_start_matches('/');
            if relative.is_empty() || relative == "." {
                return Ok(WalkExplanation {
                    excluded: false,
                    decided_by: None,
                    skipped_at: None,
                });
            }
            Cow::Owned(relative.to_string())
        };
        if !exact_decider
            && !path.contains('/')
            && let Some(decided) = self.last_hit_without(&path, skip.entry)
        {
            return Ok(WalkExplanation {
                excluded: decided.is_some_and(|e| !e.exclusion),
                decided_by: decided.map(|e| e.source),
                skipped_at: None,
            });
        }
        let mut state = WalkState::root();
        for (i, _) in path.match_indices('/') {
            let ancestor = &path[..i];
            let entry = self.walk_entry_skipping(ancestor, true, &state, skip)?;
            if entry.skip_dir {
                return Ok(WalkExplanation {
                    excluded: true,
                    decided_by: entry.decided_by,
                    skipped_at: Some(ancestor.to_string()),
                });
            }
            state = entry.state.unwrap_or_default();
        }
        let entry = self.walk_entry_skipping(&path, false, &state, skip)?;
        Ok(WalkExplanation {
            excluded: entry.excluded,
            decided_by: entry.decided_by,
            skipped_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Matcher;

    /// Leaving a line out of the evaluation answers exactly what a matcher built without that line
    /// answers, including the walk's directory skipping, which depends on the exceptions that remain.
    #[test]
    fn excluding_without_a_line_equals_a_matcher_without_it() {
        let files: [&[&str]; 5] = [
            &[
                ".env*",
                "*.pem",
                "secrets/",
                "!.env.production",
                "!.env.example",
                "! server.pem",
                "!secrets/api.key",
            ],
            &["**/.env*", "!.env.local", ".env.local", "!README.md"],
            &["*", "!src", "!src/**/*.pem", "src/keys", "!src/keys/*.pub"],
            &[
                "docs",
                "!docs/*.md",
                "docs/private",
                "",
                "!docs/private/ok.md",
                "**/*.key",
            ],
            &["a/b", "!a/b/c*", "a/b/c/d", "!a/b/c/d/e", "!a/[x"],
        ];
        let paths = [
            ".env.production",
            ".env.example",
            "server.pem",
            "secrets/api.key",
            "src/a.pem",
            "src/keys/id.pub",
            "src/keys/id",
            "docs/a.md",
            "docs/private/ok.md",
            "docs/x/y.key",
            "a/b/c/d/e",
            "a/b/cc",
            "README.md",
        ];
        let mut compared = 0;
        for lines in files {
            let Ok(m) = Matcher::from_patterns(lines) else {
                continue;
            };
            for skip in 0..lines.len() {
                let without: Vec<&str> = lines
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != skip)
                    .map(|(_, l)| *l)
                    .collect();
                let Ok(w) = Matcher::from_patterns(&without) else {
                    continue;
                };
                for p in paths {
                    assert_eq!(
                        m.excluded_in_walk_without(p, skip).ok(),
                        w.excluded_in_walk(p).ok(),
                        "{lines:?} without line {skip}, path {p}"
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 200, "{compared}");
    }
}
