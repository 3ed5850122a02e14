//! DW302 ignored-file-copied: COPY or ADD names a path of the build context that `.dockerignore`
//! excludes, so the build fails or copies nothing.

use crate::context;
use crate::rules::sensitive_context_copied::copies;
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::dockerignore::{self, Matcher};

declare_rule! {
    /// COPY or ADD names a file that `.dockerignore` excludes from the build context.
    ///
    /// ## What it does
    /// Reads every source of `COPY` and `ADD` from the build context (not `--from`) against the
    /// `.dockerignore` that applies, the way BuildKit walks the context, and reports sources that the
    /// ignore file excludes: a file or directory named directly (`COPY dist/app.js /app/`), and, when
    /// the build context is known, a wildcard whose every match is excluded (`COPY *.json ./`). The
    /// message names the line of the ignore file that excludes it.
    ///
    /// ## Why is this bad?
    /// An excluded path is not sent to the builder, so the instruction fails with
    /// `failed to compute cache key: "/dist/app.js": not found`, a message that does not mention the
    /// ignore file, in a different file from the one that causes it.
    ///
    /// ## Example
    /// `.dockerignore`:
    /// ```text
    /// dist
    /// ```
    /// ```dockerfile
    /// FROM nginx:1.29-alpine
    /// COPY dist/ /usr/share/nginx/html/
    /// ```
    ///
    /// ## Use instead
    /// Narrow the pattern, or re-include the path after it:
    /// ```text
    /// dist
    /// !dist
    /// ```
    /// or build the files in an earlier stage and `COPY --from` it.
    ///
    /// ## Fix safety
    /// The fix appends an exception (`!dist`) to the ignore file. It is unsafe: the path becomes part of
    /// the build context again, and everything under it too. It is not offered for sensitive files.
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    /// - BuildKit: `CopyIgnoredFile` (experimental: BuildKit runs it only when the `check` directive enables
    ///   experimental checks); no hadolint, Trivy or Checkov check reads the ignore file with the Dockerfile.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `COPY` や `ADD` が、`.dockerignore` でビルドコンテキストから除外されたファイルを指定しています。
    ///
    /// ### 検出内容
    /// ビルドコンテキストからのすべての `COPY` と `ADD` のコピー元を、BuildKit と同じ方法で適用される除外ファイルと照
    /// 合し、除外されているものを報告します。直接指定したファイルやディレクトリに加え、
    /// ビルドコンテキストが分かるときは、一致するものがすべて除外されているワイルドカードも対象です。
    /// メッセージには除外している行を示します。
    ///
    /// ### なぜ問題か
    /// 除外されたパスはビルダーに送られないため、命令は `failed to compute cache key: "/dist/app.js": not found` で失
    /// 敗します。このメッセージは除外ファイルに触れておらず、原因は別のファイルにあるので、
    /// 突き止めにくい失敗になります。
    ///
    /// ### 対処法
    /// 除外パターンを狭めるか、後ろに例外 (`!dist`) を書いてパスを含め直してください。
    /// あるいは前のステージでファイルをビルドし、`COPY --from` でコピーします。
    ///
    /// ### 修正の安全性
    /// 修正は除外ファイルに例外 (`!dist` など) を追記します。そのパスと配下のすべてが再びビルドコンテキストに含まれる
    /// ため、安全ではありません。機微なファイルには提供しません。
    pub static IGNORED_FILE_COPIED = {
        code: "DW302",
        name: "ignored-file-copied",
        severity: Error,
        tags: ["build-context"],
        fix: Sometimes,
        since: "0.1.0",
        also: ["buildkit:CopyIgnoredFile"],
        reads: [Copy, Add],
        per_stage: true,
        reads_context: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    let Some(text) = ctx.input.ignore_file else {
        return;
    };
    let file = dockerignore::parse(text);
    let Ok(matcher) = Matcher::new(&file) else {
        return;
    };
    for c in copies(ctx).iter().filter(|c| c.from_context) {
        for s in &c.sources {
            let Some(path) = context::context_path(&s.text) else {
                continue;
            };
            if path.is_empty() || path == "*" {
                continue;
            }
            if context::is_glob(&path) {
                glob_source(ctx, sink, &matcher, &s.text, &path, s.range);
                continue;
            }
            let Ok(w) = matcher.explain_walk(&path) else {
                continue;
            };
            if !w.excluded || reincluded_below(&matcher, &path) {
                continue;
            }
            let Some(p) = w.decided_by.and_then(|i| file.patterns.get(i)) else {
                continue;
            };
            let f = sink.report(
                s.range,
                "ignored-file-copied",
                vec![
                    ("path", s.text.clone()),
                    ("line", (p.line + 1).to_string()),
                    ("pattern", p.text.clone()),
                ],
            );
            if !context::is_sensitive_path(&path)
                && let Some(line) = context::escape_path(&path)
            {
                let (range, new_text) = context::append_edit(text, &[format!("!{line}")]);
                f.fix(crate::diagnostic::Fix {
                    title: ctx.msg("fix.reinclude", &[("path", path.clone())]).into(),
                    applicability: crate::diagnostic::Applicability::Unsafe,
                    edits: vec![crate::diagnostic::TextEdit {
                        file: crate::diagnostic::FileRef::IgnoreFile,
                        range,
                        new_text: new_text.into(),
                    }],
                    creates: None,
                    resolve: None,
                });
            }
        }
    }
}

/// Whether an exception re-includes something below `dir` (then copying `dir` copies that).
fn reincluded_below(m: &Matcher, dir: &str) -> bool {
    let prefix = format!("{dir}/");
    m.patterns().any(|p| {
        p.exclusion && (p.cleaned.starts_with(&prefix) || p.cleaned.starts_with("**") || p.cleaned.starts_with('*'))
    })
}

/// A wildcard source: reported when the listing has matches and the ignore file excludes them all.
fn glob_source(
    ctx: &Ctx,
    sink: &mut Sink,
    matcher: &Matcher,
    written: &str,
    glob: &str,
    range: crate::text::TextRange,
) {
    let Some(listing) = ctx.input.context else {
        return;
    };
    let Ok(alone) = Matcher::from_patterns(&[glob]) else {
        return;
    };
    let matches: Vec<&str> = listing
        .entries
        .iter()
        .filter(|e| alone.explain(&e.path).is_ok_and(|x| x.excluded && x.ancestor.is_none()))
        .map(|e| e.path.as_str())
        .take(1000)
        .collect();
    if matches.is_empty() || !listing.complete {
        return;
    }
    if matches
        .iter()
        .all(|p| matcher.excluded_in_walk(p).unwrap_or(false) && !reincluded_below(matcher, p))
    {
        sink.report(
            range,
            "ignored-file-copied.glob",
            vec![("path", written.to_string()), ("count", matches.len().to_string())],
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{Input, check};
    use crate::diagnostic::FileRef;
    use crate::fix;
    use crate::rules::testing::{TODAY, check_rule_with, listing};
    use crate::settings::Settings;

    fn settings() -> Settings {
        Settings {
            select: Some(vec!["DW302".into()]),
            ..Settings::default()
        }
    }

    fn with_ignore(src: &str, ignore: &str) {
        let mut input = Input::new(src, TODAY);
        input.ignore_file = Some(ignore);
        check_rule_with("DW302", src, &input, &settings());
    }

    #[test]
    fn sources_the_ignore_file_excludes() {
        with_ignore(
            "FROM nginx:1.29-alpine\nCOPY dist/ /usr/share/nginx/html/\n#    ^^^^^ DW302 ignored-file-copied\nCOPY [\"build/app.js\", \"/app/\"]\n#      ^^^^^^^^^^^^ DW302 ignored-file-copied\nCOPY src/ /src/\nCOPY --from=builder /app/dist /x\nCOPY docs/README.md /r\nCOPY . /all\nCOPY .env /app/.env\n#    ^^^^ DW302 ignored-file-copied\n",
            "dist\n**/build\ndocs\n!docs/README.md\n.env\n",
        );
    }

    #[test]
    fn without_an_ignore_file_nothing_is_excluded() {
        crate::rules::testing::check_rule("DW302", "FROM alpine:3.24\nCOPY dist/ /x/\n");
    }

    #[test]
    fn the_exception_fix_re_includes_the_path() {
        let src = "FROM alpine:3.24\nCOPY build /b\n";
        let ignore = "**/build";
        let mut input = Input::new(src, TODAY);
        input.ignore_file = Some(ignore);
        let ds = check(&input, &settings());
        assert!(
            ds[0].message.contains("line 1 of .dockerignore (`**/build`)"),
            "{}",
            ds[0].message
        );
        let fixed = fix::apply_fix(ignore, &ds[0].fixes[0], &FileRef::IgnoreFile).unwrap();
        assert_eq!(fixed, "**/build\n!build\n");
        input.ignore_file = Some(&fixed);
        assert!(check(&input, &settings()).is_empty());
        // No fix brings a secret back.
        input.ignore_file = Some(".env\n");
        let ds = check(
            &Input {
                dockerfile: "FROM a\nCOPY .env /e\n",
                ..input
            },
            &settings(),
        );
        assert!(ds[0].fixes.is_empty());
    }

    #[test]
    fn wildcards_whose_every_match_is_excluded() {
        let src = "FROM alpine:3.24\nCOPY *.json /app/\n#    ^^^^^^ DW302 ignored-file-copied.glob\nCOPY *.txt /t/\nCOPY *.md /m/\n";
        let context = listing(&["a.json", "b.json", "notes.txt", "keep.txt", "README.md"]);
        let mut input = Input::new(src, TODAY);
        input.ignore_file = Some("*.json\nnotes.txt\n");
        input.context = Some(&context);
        check_rule_with("DW302", src, &input, &settings());
    }
}
