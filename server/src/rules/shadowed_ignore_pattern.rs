//! DW307 shadowed-ignore-pattern: a `.dockerignore` line that has no effect because a later line
//! matches everything it matches (a duplicate, a broader pattern, or an exception that undoes it).

use crate::context;
use crate::diagnostic::Applicability;
use crate::rules::{IgnoreCtx, Sink, declare_rule};
use crate::syntax::dockerignore::Matcher;

declare_rule! {
    /// A `.dockerignore` line that a later line makes dead.
    ///
    /// ## What it does
    /// Docker decides each path by the last line that matches it. This rule reports a line when a later
    /// line matches everything it matches, so that it never decides anything: a duplicate
    /// (`node_modules` twice), a broader pattern (`dist/app.js` before `dist`, `*.log` before
    /// `**/*.log`), an exception that re-includes all it excludes (`docs/*.md` before `!docs`), or a
    /// pattern that excludes again all an exception re-includes (`!README.md` before `*.md`).
    ///
    /// ## Why is this bad?
    /// A dead line says something the file does not do. The last case is the dangerous one: the author
    /// believes `README.md` is sent, or, the other way round, that `!docs` keeps the drafts out, and the
    /// image is not what they think.
    ///
    /// ## Example
    /// ```text
    /// !README.md
    /// *.md
    /// node_modules
    /// **/node_modules
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *.md
    /// !README.md
    /// **/node_modules
    /// ```
    ///
    /// ## Fix safety
    /// The fix removes the dead line, which changes nothing Docker does, so it is safe; for an exception
    /// with wildcards it is unsafe, because such an exception changes how BuildKit walks excluded
    /// directories.
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    ///   ("the last line that matches a file determines whether it is included or excluded")
    /// - CWE-1164: Irrelevant Code
    /// - No hadolint, BuildKit, Trivy or Checkov check reads ignore files.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 後の行によって無効になっている `.dockerignore` の行です。
    ///
    /// ### 検出内容
    /// Docker は各パスを、一致する最後の行で判定します。後の行がこの行の一致対象をすべて含むために、
    /// この行が何も判定しない場合に報告します。重複 (`node_modules` が二回)、
    /// より広いパターン (`dist` の前の `dist/app.js`)、除外したものをすべて含め直す例外 (`!docs` の前
    /// の `docs/*.md`)、例外が含め直したものをすべて再び除外するパターン (`*.md` の前の `!README.md`) です。
    ///
    /// ### なぜ問題か
    /// 無効な行は、ファイルが実際にはしていないことを書いています。特に最後の例は危険で、
    /// 書いた人は `README.md` が送られる、あるいは `!docs` で下書きが除外されると思い込み、
    /// イメージの中身が想定と違ってしまいます。
    ///
    /// ### 対処法
    /// 無効な行を削除するか、意図どおりになるよう行の順序を入れ替えてください (例外は対応する除外パターンの後に書きま
    /// す)。
    ///
    /// ### 修正の安全性
    /// 修正は無効な行を削除します。Docker の動作は何も変わらないので安全です。
    /// ただしワイルドカードを含む例外の削除は、BuildKit が除外ディレクトリをたどる方法が変わるため安全ではありませ
    /// ん。
    pub static SHADOWED_IGNORE_PATTERN = {
        code: "DW307",
        name: "shadowed-ignore-pattern",
        severity: Warning,
        tags: ["build-context"],
        fix: Always,
        since: "0.1.0",
        ignore_check: check,
    }
}

/// Most patterns compared pairwise.
const MAX_PATTERNS: usize = 1000;

/// Whether pattern `later` (cleaned) matches every path `earlier` (cleaned) matches.
fn covers(later: &str, later_m: &Matcher, earlier: &str) -> bool {
    if later == earlier || later == "*" || later == "**" {
        return true;
    }
    if let Some(lit) = context::literal(earlier) {
        // A literal matches itself and what is under it; so does any pattern that matches it.
        return later_m.matches_or_parent_matches(lit).unwrap_or(false);
    }
    if let Some(dir) = context::literal(later).or_else(|| later.strip_suffix("/**").and_then(context::literal))
        && earlier.starts_with(&format!("{dir}/"))
    {
        return true;
    }
    if let Some(rest) = later.strip_prefix("**/") {
        return earlier == rest || earlier.ends_with(&format!("/{rest}"));
    }
    false
}

fn check(ctx: &IgnoreCtx, sink: &mut Sink) {
    if ctx.matcher.is_none() || ctx.file.patterns.len() > MAX_PATTERNS {
        return;
    }
    let patterns = &ctx.file.patterns;
    let alone: Vec<Option<Matcher>> = patterns
        .iter()
        .map(|p| Matcher::from_patterns(&[p.cleaned.as_str()]).ok())
        .collect();
    for (i, p) in patterns.iter().enumerate() {
        if p.cleaned.is_empty() {
            continue;
        }
        let Some((_, later)) = patterns.iter().enumerate().skip(i + 1).find(|(j, q)| {
            !q.cleaned.is_empty() && alone[*j].as_ref().is_some_and(|m| covers(&q.cleaned, m, &p.cleaned))
        }) else {
            continue;
        };
        let id = match (p.exclusion, later.exclusion) {
            (false, true) => "shadowed-ignore-pattern.reincluded",
            (true, false) => "shadowed-ignore-pattern.reexcluded",
            _ => "shadowed-ignore-pattern",
        };
        let applicability = if p.exclusion && context::literal(&p.cleaned).is_none() {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let fix = ctx.fix(
            "fix.remove-dead-line",
            &[("pattern", p.text.clone())],
            vec![(context::line_extent(ctx.text, p.range), String::new())],
            applicability,
        );
        sink.report_ignore(
            p.range,
            id,
            vec![
                ("pattern", p.text.clone()),
                ("later", later.text.clone()),
                ("line", (later.line + 1).to_string()),
            ],
        )
        .fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_ignore_fix, check_ignore_rule};

    #[test]
    fn lines_a_later_line_makes_dead() {
        check_ignore_rule(
            "DW307",
            "!README.md\n#^^^^^^^^^ DW307 shadowed-ignore-pattern.reexcluded\n*.md\nnode_modules\n#^^^^^^^^^^^ DW307 shadowed-ignore-pattern\n**/node_modules\ndist/app.js\n#^^^^^^^^^^ DW307 shadowed-ignore-pattern\ndist\ndocs/*.md\n#^^^^^^^^ DW307 shadowed-ignore-pattern.reincluded\n!docs\n*.log\n#^^^^ DW307 shadowed-ignore-pattern\n**/*.log\n.env\n!.env.example\nbuild/\n#^^^^^ DW307 shadowed-ignore-pattern\nbuild\n",
            None,
        );
    }

    #[test]
    fn the_usual_idioms_are_live() {
        check_ignore_rule(
            "DW307",
            "*\n!src\n!package.json\nsrc/**/*.test.js\n.git\n*.md\n!README.md\n**/.env*\n!.env.example\n",
            None,
        );
    }

    #[test]
    fn the_fix_removes_the_dead_line() {
        check_ignore_fix("DW307", "node_mod$0ules\n**/node_modules\n", "**/node_modules\n", None);
    }
}
