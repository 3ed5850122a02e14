//! DW306 root-only-ignore-pattern: a slashless `.dockerignore` pattern written with gitignore habits
//! (`node_modules`), which Docker matches only at the root of the context.

use std::collections::BTreeMap;

use crate::check::EntryKind;
use crate::diagnostic::Applicability;
use crate::rules::{IgnoreCtx, Sink, declare_rule};
use crate::syntax::dockerignore::Matcher;
use crate::text::TextRange;

declare_rule! {
    /// A slashless `.dockerignore` pattern that Docker matches only at the root of the context.
    ///
    /// ## What it does
    /// Reports patterns without a `/` (`node_modules`, `*.pyc`, `__pycache__`) that are meant to match
    /// at any depth, as they would in `.gitignore`: when the build context is known, those whose name
    /// also occurs deeper in the context, where the ignore file lets it through; otherwise, names that
    /// usually occur at many depths (dependency folders, caches, compiled Python, logs, editor and OS
    /// files). A pattern written with a leading `/` says that the root is meant, and is left alone.
    ///
    /// ## Why is this bad?
    /// Docker anchors every pattern at the context root: `node_modules` excludes `./node_modules` but
    /// sends `packages/web/node_modules` with its hundred thousand files, which slows every build and
    /// copies host binaries built for another platform into the image; `*.pyc` leaves
    /// `app/__pycache__/x.pyc` in.
    ///
    /// ## Example
    /// ```text
    /// node_modules
    /// __pycache__
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// **/node_modules
    /// **/__pycache__
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes `**/` before the pattern. It is unsafe: the deeper matches are no longer sent to
    /// the builder, so a build step that used them fails.
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    ///   ("the root of the context is considered to be both the working and the root directory")
    /// - [Git: gitignore pattern format](https://git-scm.com/docs/gitignore#_pattern_format)
    /// - No hadolint, BuildKit, Trivy or Checkov check reads ignore files.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `/` を含まない `.dockerignore` のパターンで、Docker はビルドコンテキストのルートでしか一致させません。
    ///
    /// ### 検出内容
    /// `.gitignore` のようにどの深さでも一致させるつもりで書かれた、`/` を含まないパターン (`node_modules`、`*.pyc`、
    /// `__pycache__`) を報告します。ビルドコンテキストが分かるときは、
    /// 同じ名前がより深い階層にもあって除外されずに送られているもの、分からないときは依存関係のフォルダーやキャッシュ
    /// など多くの階層に現れやすい名前が対象です。先頭に `/` を付けたパターンはルートを意図したものとして扱います。
    ///
    /// ### なぜ問題か
    /// Docker はすべてのパターンをビルドコンテキストのルートに固定します。`node_modules` は `./node_modules` を除外し
    /// ますが、`packages/web/node_modules` は何十万ものファイルごと送られ、毎回のビルドが遅くなるうえ、
    /// 別のプラットフォーム向けにビルドされたホストのバイナリがイメージに入ります。
    /// `*.pyc` では `app/__pycache__/x.pyc` が残ります。
    ///
    /// ### 対処法
    /// どの深さでも一致させるには `**/` を付けてください (`**/node_modules`、`**/__pycache__`)。
    /// ルートだけのつもりなら `/node_modules` と書きます。
    ///
    /// ### 修正の安全性
    /// 修正はパターンの前に `**/` を付けます。深い階層のファイルがビルダーに送られなくなり、
    /// それを使っていたビルドステップが失敗することがあるため、安全ではありません。
    pub static ROOT_ONLY_IGNORE_PATTERN = {
        code: "DW306",
        name: "root-only-ignore-pattern",
        severity: Warning,
        tags: ["build-context"],
        fix: Always,
        since: "0.1.0",
        ignore_check: check,
    }
}

/// Names that usually occur at many depths of a project.
const NESTED_NAMES: &[&str] = &[
    "node_modules",
    "__pycache__",
    "*.pyc",
    "*.pyo",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".DS_Store",
    "Thumbs.db",
    "*.log",
    "*.swp",
    ".terraform",
];

/// Most distinct names looked at in a listing.
const MAX_NAMES: usize = 100_000;

fn check(ctx: &IgnoreCtx, sink: &mut Sink) {
    let Some(matcher) = ctx.matcher else {
        return;
    };
    // The nested entries of the listing by name: the first one the ignore file lets through.
    let nested: Option<BTreeMap<&str, Vec<&str>>> = ctx.context.map(|c| {
        let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for e in &c.entries {
            let Some((_, name)) = e.path.rsplit_once('/') else {
                continue;
            };
            if e.kind == EntryKind::Symlink || (by_name.len() >= MAX_NAMES && !by_name.contains_key(name)) {
                continue;
            }
            let paths = by_name.entry(name).or_default();
            if paths.len() < 3 {
                paths.push(e.path.as_str());
            }
        }
        by_name
    });
    let written: Vec<&str> = ctx.file.patterns.iter().map(|p| p.cleaned.as_str()).collect();
    for p in &ctx.file.patterns {
        let body = &ctx.text[p.body.as_usize()];
        if p.exclusion
            || p.cleaned.is_empty()
            || p.cleaned.contains('/')
            || p.cleaned.starts_with("**")
            || body.starts_with('/')
            || body.starts_with("./")
            || body.starts_with('#')
            || written.contains(&format!("**/{}", p.cleaned).as_str())
        {
            continue;
        }
        let finding = match &nested {
            Some(by_name) => {
                let Ok(alone) = Matcher::from_patterns(&[p.cleaned.as_str()]) else {
                    continue;
                };
                let sent: Vec<&str> = by_name
                    .iter()
                    .filter(|(name, _)| alone.matches_or_parent_matches(name).unwrap_or(false))
                    .flat_map(|(_, paths)| paths.iter().copied())
                    .filter(|path| !matcher.excluded_in_walk(path).unwrap_or(true))
                    .take(3)
                    .collect();
                if sent.is_empty() {
                    continue;
                }
                let shown: Vec<String> = sent.iter().map(|s| format!("`{s}`")).collect();
                sink.report_ignore(
                    p.range,
                    "root-only-ignore-pattern.found",
                    vec![("pattern", p.text.clone()), ("paths", shown.join(", "))],
                )
            }
            None if NESTED_NAMES.contains(&p.cleaned.as_str()) => {
                sink.report_ignore(p.range, "root-only-ignore-pattern", vec![("pattern", p.text.clone())])
            }
            None => continue,
        };
        let fix = ctx.fix(
            "fix.any-depth",
            &[("pattern", format!("**/{}", p.cleaned))],
            vec![(TextRange::empty(p.body.start), "**/".to_string())],
            Applicability::Unsafe,
        );
        finding.fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_ignore_fix, check_ignore_rule, listing};

    #[test]
    fn names_that_live_at_many_depths() {
        check_ignore_rule(
            "DW306",
            "node_modules\n#^^^^^^^^^^^ DW306 root-only-ignore-pattern\n*.pyc\n#^^^^ DW306 root-only-ignore-pattern\n/target\n**/__pycache__\ndist\n.env\n!node_modules/keep\n*.log\n**/*.log\n",
            None,
        );
    }

    #[test]
    fn the_listing_shows_what_gets_through() {
        let context = listing(&[
            "README.md",
            "docs/",
            "docs/guide.md",
            "node_modules/",
            "node_modules/x.js",
            "packages/",
            "packages/web/",
            "packages/web/node_modules/",
            "packages/web/node_modules/y.js",
            "packages/web/dist/",
            "packages/web/dist/app.js",
            "dist/",
        ]);
        check_ignore_rule(
            "DW306",
            "node_modules\n#^^^^^^^^^^^ DW306 root-only-ignore-pattern.found\n*.md\n#^^^ DW306 root-only-ignore-pattern.found\ndist\n__pycache__\npackages/web/dist\n",
            Some(&context),
        );
    }

    #[test]
    fn the_fix_matches_at_any_depth() {
        check_ignore_fix("DW306", "node_mod$0ules\n", "**/node_modules\n", None);
    }
}
