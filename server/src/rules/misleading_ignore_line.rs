//! DW305 misleading-ignore-line: a `.dockerignore` line that means something else to Docker than it
//! looks: a comment after a pattern, an indented comment, an escaped trailing space, invisible
//! characters.

use crate::context;
use crate::diagnostic::Applicability;
use crate::rules::{IgnoreCtx, Sink, declare_rule};
use crate::text::TextRange;

declare_rule! {
    /// A `.dockerignore` line that means something else to Docker than it looks.
    ///
    /// ## What it does
    /// Reports lines that Docker reads differently from how they read:
    ///
    /// - a comment after a pattern (`*.log  # logs`): Docker starts a comment only with a `#` at the very
    ///   start of a line, so the whole line, comment included, is one pattern that matches nothing;
    /// - an indented comment (`  # build outputs`): after trimming, it is a pattern for a file named
    ///   `# build outputs`, not a comment;
    /// - a pattern that ends with `\` followed by spaces (`name\ `): gitignore keeps the escaped space,
    ///   Docker trims it and the pattern ends in a lone `\`;
    /// - invisible characters that Docker does not trim (zero-width space, word joiner, byte order mark
    ///   in the middle of the file), pasted from a web page: the pattern no longer matches the name it
    ///   shows.
    ///
    /// ## Why is this bad?
    /// The line looks right in review but excludes nothing, so the files it was meant to keep out of
    /// the build context (often secrets) are sent and copied into the image.
    ///
    /// ## Example
    /// ```text
    /// .env   # local secrets
    ///   # build outputs
    /// dist
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// # local secrets
    /// .env
    /// # build outputs
    /// dist
    /// ```
    ///
    /// ## Fix safety
    /// Moving an indented comment to the start of its line is safe (the line matched only a file named
    /// like the comment). Moving a trailing comment to its own line and removing invisible characters
    /// are unsafe: the pattern starts to exclude files, which then are no longer in the image.
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    /// - CWE-1286: Improper Validation of Syntactic Correctness of Input
    /// - No hadolint, BuildKit, Trivy or Checkov check reads ignore files.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 見た目とは違う意味で Docker に解釈される `.dockerignore` の行です。
    ///
    /// ### 検出内容
    /// Docker の読み方と見た目が食い違う行を報告します。パターンの後ろのコメント (`*.log  # logs`。
    /// Docker は行頭の `#` しかコメントとみなさないため、行全体が何にも一致しないパターンになります)、
    /// インデントされたコメント (前後の空白を除くと `# build outputs` という名前のファイルのパターンになります)、
    /// `\` の後に空白が続いて終わるパターン、ウェブページから貼り付けたゼロ幅スペースなどの見えない文字です。
    ///
    /// ### なぜ問題か
    /// レビューでは正しく見えるのに何も除外しないため、ビルドコンテキストから外すつもりだったファイル (多くは機微情
    /// 報) が送られ、イメージにコピーされてしまいます。
    ///
    /// ### 対処法
    /// コメントは行頭に `#` を置いて独立した行に書き、見えない文字や末尾の `\` を取り除いてください。
    ///
    /// ### 修正の安全性
    /// インデントされたコメントを行頭に移すのは安全です (その行はコメントと同じ名前のファイルにしか一致していなかった
    /// ため)。行末のコメントを独立した行に移す修正と見えない文字を取り除く修正は、
    /// パターンが実際にファイルを除外し始め、それらがイメージに含まれなくなるため、安全ではありません。
    pub static MISLEADING_IGNORE_LINE = {
        code: "DW305",
        name: "misleading-ignore-line",
        severity: Warning,
        tags: ["build-context"],
        fix: Sometimes,
        since: "0.1.0",
        ignore_check: check,
    }
}

/// Characters Go's `TrimSpace` keeps that show as nothing.
const INVISIBLE: &[char] = &['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}'];

fn check(ctx: &IgnoreCtx, sink: &mut Sink) {
    let text = ctx.text;
    for p in &ctx.file.patterns {
        let body = &text[p.body.as_usize()];
        let line = context::line_extent(text, p.range);
        let line_start = line.start;
        if body.starts_with('#') && !p.exclusion {
            let fix = ctx.fix(
                "fix.unindent-comment",
                &[],
                vec![(TextRange::new(line_start, p.range.start), String::new())],
                Applicability::Safe,
            );
            sink.report_ignore(p.range, "misleading-ignore-line.indented-comment", vec![])
                .fix(fix);
            continue;
        }
        if let Some(at) = trailing_comment(body) {
            let pattern = body[..at].trim_end();
            let comment = &body[at..];
            let cut = TextRange::new(p.body.start + pattern.len() as u32, p.range.end);
            let fix = ctx.fix(
                "fix.comment-own-line",
                &[],
                vec![
                    (TextRange::empty(line_start), format!("{comment}\n")),
                    (cut, String::new()),
                ],
                Applicability::Unsafe,
            );
            sink.report_ignore(
                p.range,
                "misleading-ignore-line.trailing-comment",
                vec![("pattern", p.text.clone()), ("intended", pattern.to_string())],
            )
            .fix(fix);
            continue;
        }
        let after = &text[p.range.end as usize..line.end as usize];
        if body.ends_with('\\') && after.starts_with([' ', '\t']) {
            sink.report_ignore(
                p.range,
                "misleading-ignore-line.escaped-space",
                vec![("pattern", p.text.clone())],
            );
            continue;
        }
        let invisible: Vec<(usize, char)> = body.char_indices().filter(|(_, c)| INVISIBLE.contains(c)).collect();
        if let Some((_, first)) = invisible.first() {
            let edits = invisible
                .iter()
                .map(|(i, c)| {
                    let s = p.body.start + *i as u32;
                    (TextRange::new(s, s + c.len_utf8() as u32), String::new())
                })
                .collect();
            let fix = ctx.fix("fix.remove-invisible", &[], edits, Applicability::Unsafe);
            sink.report_ignore(
                p.range,
                "misleading-ignore-line.invisible",
                vec![
                    ("pattern", p.text.replace(INVISIBLE, "")),
                    ("char", format!("U+{:04X}", u32::from(*first))),
                ],
            )
            .fix(fix);
        }
    }
}

/// Where a comment starts in a pattern: a `#` after whitespace.
fn trailing_comment(body: &str) -> Option<usize> {
    let b = body.as_bytes();
    (1..b.len()).find(|&i| b[i] == b'#' && (b[i - 1] == b' ' || b[i - 1] == b'\t') && (i < 2 || b[i - 2] != b'\\'))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_ignore_fix, check_ignore_rule};

    #[test]
    fn lines_that_mean_something_else() {
        check_ignore_rule(
            "DW305",
            "# a real comment\n.env   # local secrets\n#^^^^^^^^^^^^^^^^^^^^^ DW305 misleading-ignore-line.trailing-comment\n  # build outputs\n# ^^^^^^^^^^^^^^^ DW305 misleading-ignore-line.indented-comment\nname\\ \n#^^^^ DW305 misleading-ignore-line.escaped-space\nno\u{200B}de_modules\n#^^^^^^^^^^^^ DW305 misleading-ignore-line.invisible\nfile#1\ndist\n",
            None,
        );
    }

    #[test]
    fn fixes_move_comments_and_drop_invisible_characters() {
        check_ignore_fix(
            "DW305",
            "dist\n.env   # lo$0cal secrets\n",
            "dist\n# local secrets\n.env\n",
            None,
        );
        check_ignore_fix("DW305", "  # bui$0ld\nx\n", "# build\nx\n", None);
        check_ignore_fix("DW305", "no\u{200B}de_mod$0ules\n", "node_modules\n", None);
    }
}
