//! DW303 invalid-ignore-pattern: a `.dockerignore` line that Docker rejects, which fails every build
//! that uses the file.

use crate::rules::{IgnoreCtx, Sink, declare_rule};
use crate::syntax::dockerignore::{self, ILLEGAL_EXCLUSION, Matcher};

declare_rule! {
    /// A `.dockerignore` line that Docker rejects.
    ///
    /// ## What it does
    /// Checks every line of the ignore file the way Docker reads it: a line of 64 KiB or more (Docker's
    /// reader stops), a lone `!` (`illegal exclusion pattern`), a pattern that Go's `filepath.Match`
    /// rejects when the file is loaded (`[`, `*[`), and a pattern accepted at load time whose regular
    /// expression does not compile (`a*[`, `\Z`, `[z-a]`): Docker fails when it first evaluates it.
    ///
    /// ## Why is this bad?
    /// Docker refuses the whole ignore file, so every `docker build` with this context fails with
    /// `syntax error in pattern`, or, for the patterns checked lazily, fails in the middle of sending
    /// the context. Other tools (gitignore) accept these lines, so the mistake goes unnoticed until the
    /// build.
    ///
    /// ## Example
    /// ```text
    /// [
    /// !
    /// logs/*[
    /// ```
    ///
    /// ## Use instead
    /// Escape the special characters (`\[`), and close character classes (`[ab]`):
    /// ```text
    /// \[
    /// logs/*.log
    /// ```
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    /// - [Go: filepath.Match](https://pkg.go.dev/path/filepath#Match)
    /// - CWE-1286: Improper Validation of Syntactic Correctness of Input
    /// - No hadolint, BuildKit, Trivy or Checkov check reads ignore files.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// Docker が受け付けない `.dockerignore` の行です。
    ///
    /// ### 検出内容
    /// 除外ファイルの各行を Docker と同じように読みます。64 KiB 以上の行 (Docker の読み取りが止まります)、
    /// 単独の `!` (`illegal exclusion pattern`)、読み込み時に Go の `filepath.Match` が拒否するパターン (`[`、`*[`)、
    /// 読み込みは通っても正規表現にできないパターン (`a*[`、`\Z`、`[z-a]`) を報告します。
    ///
    /// ### なぜ問題か
    /// Docker は除外ファイル全体を拒否するため、このビルドコンテキストでの `docker build` はすべて `syntax error in
    /// pattern` で失敗するか、遅延評価されるパターンの場合はコンテキストの送信途中で失敗します。
    /// gitignore などの他のツールはこれらの行を受け付けるので、ビルドするまで誤りに気付きません。
    ///
    /// ### 対処法
    /// 特殊文字はエスケープし (`\[`)、文字クラスは閉じてください (`[ab]`)。
    pub static INVALID_IGNORE_PATTERN = {
        code: "DW303",
        name: "invalid-ignore-pattern",
        severity: Error,
        tags: ["build-context"],
        fix: None,
        since: "0.1.0",
        ignore_check: check,
    }
}

fn check(ctx: &IgnoreCtx, sink: &mut Sink) {
    if let Some(e) = &ctx.file.error {
        sink.report_ignore(
            e.range,
            "invalid-ignore-pattern.too-long",
            vec![("max", dockerignore::MAX_LINE_BYTES.to_string())],
        );
    }
    for p in &ctx.file.patterns {
        let docker = p.docker_string();
        match Matcher::from_patterns(&[docker.as_str()]) {
            Err(e) if e.message == ILLEGAL_EXCLUSION => {
                sink.report_ignore(p.range, "invalid-ignore-pattern.lone-exclamation", vec![]);
            }
            Err(_) => {
                sink.report_ignore(
                    p.range,
                    "invalid-ignore-pattern.syntax",
                    vec![("pattern", p.text.clone())],
                );
            }
            Ok(_) => {
                // Evaluate the pattern as an inclusion so that it is compiled whatever its sign.
                let Ok(alone) = Matcher::from_patterns(&[p.cleaned.as_str()]) else {
                    continue;
                };
                if let Err(e) = alone.matches_or_parent_matches("x") {
                    sink.report_ignore(
                        p.body,
                        "invalid-ignore-pattern.regexp",
                        vec![("pattern", p.text.clone()), ("reason", e.reason)],
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{IgnoreInput, check_ignore};
    use crate::settings::Settings;

    fn ids(text: &str) -> Vec<(String, &'static str)> {
        let settings = Settings {
            select: Some(vec!["DW303".into()]),
            ..Settings::default()
        };
        check_ignore(&IgnoreInput { text, context: None }, &settings)
            .into_iter()
            .map(|d| (text[d.range.as_usize()].to_string(), d.message_id))
            .collect()
    }

    #[test]
    fn patterns_docker_rejects() {
        assert_eq!(
            ids("ok\n[\n !\nlogs/*[\n!\\Z\n*[\n"),
            vec![
                ("[".to_string(), "invalid-ignore-pattern.syntax"),
                ("!".to_string(), "invalid-ignore-pattern.lone-exclamation"),
                ("logs/*[".to_string(), "invalid-ignore-pattern.regexp"),
                ("\\Z".to_string(), "invalid-ignore-pattern.regexp"),
                ("*[".to_string(), "invalid-ignore-pattern.syntax"),
            ]
        );
        let long = format!("a\n{}\n", "b".repeat(dockerignore_max()));
        assert_eq!(ids(&long)[0].1, "invalid-ignore-pattern.too-long");
        assert!(ids("node_modules\n*.log\n!important.log\n\\[x\n# comment\n").is_empty());
    }

    fn dockerignore_max() -> usize {
        crate::syntax::dockerignore::MAX_LINE_BYTES
    }
}
