//! DW304 sensitive-file-reincluded: a `!` exception in `.dockerignore` brings sensitive files back
//! into the build context.

use crate::context;
use crate::diagnostic::Applicability;
use crate::rules::{IgnoreCtx, Sink, declare_rule};

declare_rule! {
    /// A `!` exception in `.dockerignore` brings sensitive files back into the build context.
    ///
    /// ## What it does
    /// Reports exceptions (`!pattern`) that name sensitive files (`.env.production`, `*.pem`,
    /// `id_rsa`, `.aws/`, `.npmrc`, `.git`, ...; templates such as `.env.example` are fine) and that
    /// re-include something an earlier line excluded, unless a later line excludes it again.
    ///
    /// ## Why is this bad?
    /// An ignore file that excludes `.env*` and then re-includes `!.env.production` sends the production
    /// secrets to the builder, and `COPY . .` stores them in a layer of the image. The exception is
    /// usually left over from a time the file was needed in the build, or written to make a failing
    /// COPY pass.
    ///
    /// ## Example
    /// ```text
    /// .env*
    /// !.env.production
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// .env*
    /// !.env.example
    /// ```
    /// and give the build the values it needs with `RUN --mount=type=secret`.
    ///
    /// ## Fix safety
    /// The fix removes the exception line. It is unsafe: a `COPY` that names the file then fails, and
    /// the image no longer contains it.
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    /// - No hadolint, BuildKit, Trivy or Checkov check reads ignore files.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `.dockerignore` の `!` 例外が、機微なファイルをビルドコンテキストに戻しています。
    ///
    /// ### 検出内容
    /// 機微なファイル (`.env.production`、`*.pem`、`id_rsa`、`.aws/`、`.npmrc`、`.git` など。
    /// `.env.example` などのテンプレートは除く) を指す例外 (`!パターン`) のうち、前の行で除外したものを含め直し、
    /// 後の行でも再び除外されていないものを報告します。
    ///
    /// ### なぜ問題か
    /// `.env*` を除外した後で `!.env.production` を含め直すと、本番環境の機微情報がビルダーに送られ、
    /// `COPY . .` でイメージのレイヤーに保存されます。こうした例外は、
    /// 以前ビルドでそのファイルが必要だった頃の名残か、失敗する `COPY` を通すために書かれたものであることがほとんどで
    /// す。
    ///
    /// ### 対処法
    /// 例外の行を削除し、ビルドに必要な値は `RUN --mount=type=secret` で渡してください。
    ///
    /// ### 修正の安全性
    /// 修正は例外の行を削除します。そのファイルを名前で指定している `COPY` は失敗するようになり、
    /// イメージにも含まれなくなるため、安全ではありません。
    pub static SENSITIVE_FILE_REINCLUDED = {
        code: "DW304",
        name: "sensitive-file-reincluded",
        severity: Warning,
        tags: ["build-context"],
        fix: Always,
        since: "0.1.0",
        ignore_check: check,
    }
}

fn check(ctx: &IgnoreCtx, sink: &mut Sink) {
    let Some(matcher) = ctx.matcher else {
        return;
    };
    for (i, p) in ctx.file.patterns.iter().enumerate() {
        if !p.exclusion || !context::pattern_names_sensitive(&p.cleaned) {
            continue;
        }
        // An example path the exception names (`*.pem` as `x.pem`).
        let mut body = p.cleaned.as_str();
        while let Some(rest) = body.strip_prefix("**/") {
            body = rest;
        }
        let example = body.trim_end_matches(['*', '?']).replace(['*', '?'], "x");
        // It counts when the file is sent with the exception and was excluded without it.
        let sent = !matcher.excluded_in_walk(&example).unwrap_or(true);
        if !sent {
            continue;
        }
        let excluded_without = matcher.excluded_in_walk_without(&example, i).unwrap_or(false);
        if !excluded_without {
            continue;
        }
        let fix = ctx.fix(
            "fix.remove-exception",
            &[("pattern", p.text.clone())],
            vec![(context::line_extent(ctx.text, p.range), String::new())],
            Applicability::Unsafe,
        );
        sink.report_ignore(p.range, "sensitive-file-reincluded", vec![("pattern", p.text.clone())])
            .fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_ignore_fix, check_ignore_rule};

    #[test]
    fn exceptions_that_bring_secrets_back() {
        check_ignore_rule(
            "DW304",
            ".env*\n*.pem\nsecrets/\n!.env.production\n#^^^^^^^^^^^^^^^ DW304 sensitive-file-reincluded\n!.env.example\n! server.pem\n#^^^^^^^^^^^ DW304 sensitive-file-reincluded\n!secrets/api.key\n#^^^^^^^^^^^^^^^ DW304 sensitive-file-reincluded\n!id_rsa\n",
            None,
        );
    }

    #[test]
    fn exceptions_excluded_again_later_are_harmless() {
        check_ignore_rule("DW304", "**/.env*\n!.env.local\n.env.local\n!README.md\n", None);
    }

    #[test]
    fn the_fix_removes_the_line() {
        check_ignore_fix(
            "DW304",
            ".env*\n!.env.pro$0d\nnode_modules\n",
            ".env*\nnode_modules\n",
            None,
        );
    }
}
