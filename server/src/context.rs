//! Build contexts and ignore files beyond Docker's own matching (`syntax::dockerignore`): the standard
//! sensitive set every ignore file should exclude, the default ignore file fitted to a context, edits
//! that add or remove ignore-file lines, and what a pattern matches in a context listing (for hover and
//! completion). Pure, like the rest of the engine: listings come in as [`Context`] values.

use std::collections::BTreeSet;

use crate::check::{Context, EntryKind};
use crate::secrets;
use crate::syntax::dockerignore::{IgnoreFile, Matcher};
use crate::text::TextRange;

/// One entry of the standard sensitive set.
#[derive(Clone, Copy, Debug)]
pub struct Sensitive {
    /// How messages name it (`.env*`).
    pub label: &'static str,
    /// The lines added to an ignore file to exclude it, at any depth.
    pub patterns: &'static [&'static str],
    /// Paths at the context root that an ignore file must exclude for the entry to count as covered.
    pub probes: &'static [&'static str],
}

/// The standard sensitive set: version control, environment files, keys and certificates, tool and
/// cloud credentials, Terraform state, Docker and Kubernetes configurations.
pub const SENSITIVE: &[Sensitive] = &[
    Sensitive {
        label: ".git",
        patterns: &[".git"],
        probes: &[".git/HEAD"],
    },
    Sensitive {
        label: ".env*",
        patterns: &["**/.env*"],
        probes: &[".env", ".env.production"],
    },
    Sensitive {
        label: "*.pem",
        patterns: &["**/*.pem"],
        probes: &["server.pem"],
    },
    Sensitive {
        label: "*.key",
        patterns: &["**/*.key"],
        probes: &["server.key"],
    },
    Sensitive {
        label: "*.p12, *.pfx",
        patterns: &["**/*.p12", "**/*.pfx"],
        probes: &["keystore.p12", "keystore.pfx"],
    },
    Sensitive {
        label: "id_rsa*, id_ed25519*",
        patterns: &["**/id_rsa*", "**/id_ed25519*", "**/id_ecdsa*", "**/id_dsa*"],
        probes: &["id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"],
    },
    Sensitive {
        label: ".ssh/",
        patterns: &["**/.ssh"],
        probes: &[".ssh/id_rsa"],
    },
    Sensitive {
        label: ".aws/",
        patterns: &["**/.aws"],
        probes: &[".aws/credentials"],
    },
    Sensitive {
        label: ".npmrc",
        patterns: &["**/.npmrc"],
        probes: &[".npmrc"],
    },
    Sensitive {
        label: ".pypirc",
        patterns: &["**/.pypirc"],
        probes: &[".pypirc"],
    },
    Sensitive {
        label: ".netrc",
        patterns: &["**/.netrc"],
        probes: &[".netrc"],
    },
    Sensitive {
        label: "credentials.json, .git-credentials",
        patterns: &["**/credentials.json", "**/.git-credentials"],
        probes: &["credentials.json", ".git-credentials"],
    },
    Sensitive {
        label: "*.tfstate*",
        patterns: &["**/*.tfstate*"],
        probes: &["terraform.tfstate", "terraform.tfstate.backup"],
    },
    Sensitive {
        label: ".docker/config.json",
        patterns: &["**/.docker/config.json"],
        probes: &[".docker/config.json"],
    },
    Sensitive {
        label: ".kube/, kubeconfig",
        patterns: &["**/.kube", "**/kubeconfig"],
        probes: &[".kube/config", "kubeconfig"],
    },
];

/// Whether a context path (relative, `/`-separated) is sensitive: a file that holds secrets
/// ([`secrets::secret_file`]) or the git repository (`.git`, at any depth).
pub fn is_sensitive_path(path: &str) -> bool {
    is_git(path) || secrets::secret_file(path).is_some()
}

fn is_git(path: &str) -> bool {
    path.split('/').any(|c| c == ".git")
}

/// Whether an ignore pattern (cleaned, without `!`) names sensitive files: `.env.production`,
/// `*.pem`, `**/id_rsa`, `.git`. Globs are read as their examples (`*.pem` as `x.pem`; a trailing
/// wildcard also matches nothing, so `.env*` names `.env`). Classes (`[...]`) are not read.
pub fn pattern_names_sensitive(cleaned: &str) -> bool {
    let mut p = cleaned;
    while let Some(rest) = p.strip_prefix("**/") {
        p = rest;
    }
    if p.is_empty() || p.contains('[') || p.contains('\\') || p == "**" || p == "*" {
        return false;
    }
    let example = p.trim_end_matches(['*', '?']).replace(['*', '?'], "x");
    !example.is_empty() && is_sensitive_path(&example)
}

/// The literal path a pattern names, when it has no glob syntax.
pub fn literal(cleaned: &str) -> Option<&str> {
    (!cleaned.contains(['*', '?', '[', ']', '\\', '^'])).then_some(cleaned)
}

/// A context path as an ignore-file line that matches exactly it: glob characters escaped, and a
/// leading `#` or `!` escaped. `None` when no line can name it (leading or trailing whitespace).
pub fn escape_path(path: &str) -> Option<String> {
    if path.is_empty() || path.trim() != path || path.contains(['\n', '\r']) {
        return None;
    }
    let mut out = String::with_capacity(path.len() + 2);
    if path.starts_with(['#', '!']) {
        out.push('\\');
    }
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    Some(out)
}

/// The edit that appends `lines` at the end of an ignore file's `text` (a newline first when the last
/// line has none).
pub fn append_edit(text: &str, lines: &[String]) -> (TextRange, String) {
    let mut new_text = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        new_text.push('\n');
    }
    for l in lines {
        new_text.push_str(l);
        new_text.push('\n');
    }
    let end = u32::try_from(text.len()).unwrap_or(u32::MAX);
    (TextRange::empty(end), new_text)
}

/// The whole line around `range` of `text`, its line break included: deleting it removes the line.
pub fn line_extent(text: &str, range: TextRange) -> TextRange {
    let start = (range.start as usize).min(text.len());
    let end = (range.end as usize).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    TextRange::new(line_start as u32, line_end as u32)
}

/// A COPY/ADD source as a context path: `./a/b/` → `a/b`, `.` and `/` → the root (empty). `None` for
/// sources that leave the context (`..`) or that are not plain paths (variables, URLs, heredocs).
pub fn context_path(source: &str) -> Option<String> {
    if source.contains('$') || source.contains("://") || source.starts_with("<<") || source.starts_with("git@") {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in source.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// Whether a context path contains glob syntax that COPY expands.
pub fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Project markers at the context root and the ignore lines they call for.
const PROJECT_LINES: &[(&[&str], &[&str])] = &[
    (&["package.json"], &["**/node_modules", "**/npm-debug.log*"]),
    (
        &[
            "requirements.txt",
            "pyproject.toml",
            "setup.py",
            "Pipfile",
            "poetry.lock",
        ],
        &["**/__pycache__", "**/*.pyc", "**/.venv", "**/.pytest_cache"],
    ),
    (&["Cargo.toml", "pom.xml"], &["target"]),
    (&["build.gradle", "build.gradle.kts"], &["**/build", "**/.gradle"]),
    (&[".csproj", ".fsproj", ".sln"], &["**/bin", "**/obj"]),
];

/// The lines of a default `.dockerignore` for a context: the project's build outputs and dependency
/// folders (from marker files in the listing and the names the Dockerfile copies), then the sensitive
/// set. Lines for which `keep` returns false are left out (they would exclude a path the Dockerfile
/// copies by name).
pub fn default_ignore_lines(context: Option<&Context>, copied: &[String], keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: BTreeSet<String> = copied
        .iter()
        .map(|c| c.rsplit('/').next().unwrap_or(c).to_string())
        .collect();
    if let Some(c) = context {
        names.extend(
            c.entries
                .iter()
                .filter(|e| !e.path.contains('/') && e.kind != EntryKind::Dir)
                .map(|e| e.path.clone()),
        );
    }
    let mut out: Vec<String> = Vec::new();
    let mut push = |l: &str| {
        if keep(l) && !out.iter().any(|x| x == l) {
            out.push(l.to_string());
        }
    };
    for (markers, lines) in PROJECT_LINES {
        let present = markers.iter().any(|m| {
            if m.starts_with('.') {
                names.iter().any(|n| n.ends_with(m))
            } else {
                names.contains(*m)
            }
        });
        if present {
            lines.iter().for_each(|l| push(l));
        }
    }
    for s in SENSITIVE {
        s.patterns.iter().for_each(|l| push(l));
    }
    out
}

/// What one ignore-file pattern matches in a context listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatternStats {
    /// Files (and links) the pattern matches on its own, directly or through a matched directory.
    pub files: usize,
    /// Directories the pattern matches itself.
    pub dirs: usize,
    /// Up to five of the paths it matches itself, in order.
    pub examples: Vec<String>,
    /// Files whose fate this line decides (the last matching line, as Docker's walk sees it).
    pub decided: usize,
    /// Pruned directories it matches, whose content the scan did not list.
    pub unscanned: Vec<String>,
    /// Whether the counts stopped at the bound (the listing is larger, or incomplete).
    pub partial: bool,
}

/// Most entries [`pattern_stats`] looks at.
const STATS_MAX_ENTRIES: usize = 50_000;

/// What pattern `index` of `file` matches in `context`; `None` when the pattern is not one Docker
/// accepts (or the whole file is rejected).
pub fn pattern_stats(file: &IgnoreFile, matcher: &Matcher, index: usize, context: &Context) -> Option<PatternStats> {
    let p = file.patterns.get(index)?;
    if p.cleaned.is_empty() {
        return None;
    }
    let alone = Matcher::from_patterns(&[p.cleaned.as_str()]).ok()?;
    let mut s = PatternStats {
        partial: !context.complete || context.entries.len() > STATS_MAX_ENTRIES,
        ..PatternStats::default()
    };
    for e in context.entries.iter().take(STATS_MAX_ENTRIES) {
        let Ok(x) = alone.explain(&e.path) else {
            return None;
        };
        if !x.excluded {
            continue;
        }
        if x.ancestor.is_none() && s.examples.len() < 5 {
            s.examples.push(e.path.clone());
        }
        if e.kind == EntryKind::Dir {
            if x.ancestor.is_none() {
                s.dirs += 1;
            }
            if context.pruned.binary_search(&e.path).is_ok() {
                s.unscanned.push(e.path.clone());
            }
            continue;
        }
        s.files += 1;
        if matcher.explain_walk(&e.path).is_ok_and(|w| w.decided_by == Some(index)) {
            s.decided += 1;
        }
    }
    Some(s)
}

/// A path the context offers for completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathCompletion {
    /// The entry's name (the last component), with a `/` after directories.
    pub label: String,
    pub is_dir: bool,
}

/// Most completions returned at once.
const MAX_COMPLETIONS: usize = 500;

/// The context entries that can follow `typed` (the pattern text before the cursor, without `!`):
/// the children of its directory part whose names start with its last part (case-insensitive).
pub fn complete_paths(context: &Context, typed: &str) -> Vec<PathCompletion> {
    let typed = typed.trim_start_matches('/');
    let (dir, part) = match typed.rfind('/') {
        Some(i) => (&typed[..i], &typed[i + 1..]),
        None => ("", typed),
    };
    if dir.contains(['*', '?', '[', '\\']) {
        return Vec::new();
    }
    let dir = dir.trim_start_matches("./");
    let prefix = if dir.is_empty() || dir == "." {
        String::new()
    } else {
        format!("{dir}/")
    };
    let part = part.to_lowercase();
    let start = context.entries.partition_point(|e| e.path.as_str() < prefix.as_str());
    let mut out = Vec::new();
    for e in &context.entries[start..] {
        let Some(rest) = e.path.strip_prefix(prefix.as_str()) else {
            break;
        };
        if rest.is_empty() || rest.contains('/') || !rest.to_lowercase().starts_with(&part) {
            continue;
        }
        let is_dir = e.kind == EntryKind::Dir;
        out.push(PathCompletion {
            label: if is_dir { format!("{rest}/") } else { rest.to_string() },
            is_dir,
        });
        if out.len() >= MAX_COMPLETIONS {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::dockerignore;

    fn ctx(paths: &[&str]) -> Context {
        crate::rules::testing::listing(paths)
    }

    #[test]
    fn the_sensitive_set_excludes_its_own_probes() {
        let lines: Vec<&str> = SENSITIVE.iter().flat_map(|s| s.patterns.iter().copied()).collect();
        let m = Matcher::from_patterns(&lines).expect("valid");
        for s in SENSITIVE {
            for p in s.probes {
                assert!(m.excluded_in_walk(p).unwrap(), "{p}");
                assert!(
                    m.excluded_in_walk(&format!("sub/{p}")).unwrap() || *p == ".git/HEAD",
                    "sub/{p}"
                );
            }
        }
        for keep in [
            "src/main.rs",
            "package.json",
            "docs/environment.md",
            "docs/certificate.txt",
        ] {
            assert!(!m.excluded_in_walk(keep).unwrap(), "{keep}");
        }
    }

    #[test]
    fn sensitive_paths_and_patterns() {
        for p in [
            ".env",
            "config/.env.local",
            ".git",
            "a/.git/config",
            "id_rsa",
            ".aws/credentials",
        ] {
            assert!(is_sensitive_path(p), "{p}");
        }
        for p in ["src/main.rs", ".env.example", ".gitignore", "id_rsa.pub"] {
            assert!(!is_sensitive_path(p), "{p}");
        }
        for p in [
            ".env.production",
            "*.pem",
            "**/id_rsa",
            ".git",
            ".env*",
            "**/**/.npmrc",
            "secrets/*.key",
        ] {
            assert!(pattern_names_sensitive(p), "{p}");
        }
        for p in [
            ".env.example",
            "*.md",
            "**",
            "*",
            "[ab].pem",
            "README.md",
            "certs/ca.pem",
        ] {
            assert!(!pattern_names_sensitive(p), "{p}");
        }
    }

    #[test]
    fn paths_become_exact_lines() {
        assert_eq!(escape_path("a/b.txt").as_deref(), Some("a/b.txt"));
        assert_eq!(escape_path("#notes").as_deref(), Some("\\#notes"));
        assert_eq!(escape_path("!x[1]*").as_deref(), Some("\\!x\\[1\\]\\*"));
        assert_eq!(escape_path(" lead"), None);
        for p in ["#notes", "!x[1]*", "a\\b", "we?rd"] {
            let line = escape_path(p).unwrap();
            let m = Matcher::new(&dockerignore::parse(&line)).expect("valid");
            assert!(m.excluded_in_walk(p).unwrap(), "{p} as {line}");
            assert!(!m.excluded_in_walk("other").unwrap());
        }
    }

    #[test]
    fn edits_append_and_delete_whole_lines() {
        assert_eq!(append_edit("a", &["b".into()]), (TextRange::empty(1), "\nb\n".into()));
        assert_eq!(append_edit("", &["b".into()]), (TextRange::empty(0), "b\n".into()));
        let t = "a\nbb\nc";
        assert_eq!(line_extent(t, TextRange::new(2, 4)), TextRange::new(2, 5));
        assert_eq!(line_extent(t, TextRange::new(5, 6)), TextRange::new(5, 6));
    }

    #[test]
    fn sources_as_context_paths() {
        assert_eq!(context_path("./a/b/").as_deref(), Some("a/b"));
        assert_eq!(context_path(".").as_deref(), Some(""));
        assert_eq!(context_path("/").as_deref(), Some(""));
        assert_eq!(context_path("../x"), None);
        assert_eq!(context_path("$SRC"), None);
        assert_eq!(context_path("https://x/y"), None);
    }

    #[test]
    fn default_ignore_fits_the_project() {
        let c = ctx(&["package.json", "src/", "src/index.js", "App.csproj"]);
        let lines = default_ignore_lines(Some(&c), &[], |_| true);
        assert!(lines.contains(&"**/node_modules".to_string()), "{lines:?}");
        assert!(lines.contains(&"**/bin".to_string()), "{lines:?}");
        assert!(!lines.contains(&"target".to_string()), "{lines:?}");
        assert!(lines.contains(&".git".to_string()) && lines.contains(&"**/.env*".to_string()));
        let lines = default_ignore_lines(None, &["Cargo.toml".into()], |l| l != ".git");
        assert!(lines.contains(&"target".to_string()) && !lines.contains(&".git".to_string()));
    }

    #[test]
    fn pattern_statistics_and_completion() {
        let c = ctx(&[
            "node_modules/",
            "node_modules/a.js",
            "node_modules/b.js",
            "src/",
            "src/node_modules/",
            "src/node_modules/c.js",
            "src/main.js",
        ]);
        let file = dockerignore::parse("node_modules\n**/*.js\n");
        let m = Matcher::new(&file).unwrap();
        let s = pattern_stats(&file, &m, 0, &c).unwrap();
        // The walk does not descend into `node_modules`: this line decides for its files.
        assert_eq!((s.files, s.dirs, s.decided), (2, 1, 2), "{s:?}");
        assert_eq!(s.examples, vec!["node_modules"]);
        let s = pattern_stats(&file, &m, 1, &c).unwrap();
        assert_eq!((s.files, s.decided), (4, 2), "{s:?}");
        let labels = |t: &str| -> Vec<String> { complete_paths(&c, t).into_iter().map(|p| p.label).collect() };
        assert_eq!(labels(""), vec!["node_modules/", "src/"]);
        assert_eq!(labels("src/"), vec!["main.js", "node_modules/"]);
        assert_eq!(labels("src/m"), vec!["main.js"]);
        assert_eq!(labels("/No"), vec!["node_modules/"]);
        assert!(labels("*/x").is_empty());
    }
}
