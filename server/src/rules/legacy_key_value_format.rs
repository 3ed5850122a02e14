//! DW613 legacy-key-value-format: `ENV key value` and `LABEL key value` without `=`.

use crate::diagnostic::{Applicability, Fix};
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::{Args, Kind};

declare_rule! {
    /// ENV or LABEL uses the legacy `key value` form.
    ///
    /// ## What it does
    /// Reports `ENV key value` and `LABEL key value`: the form without `=`, where the value is the rest
    /// of the line.
    ///
    /// ## Why is this bad?
    /// The legacy form sets one variable, whose value is everything after the first blank: `ENV A 1 B 2`
    /// sets `A` to `1 B 2`, not two variables. Docker documents it as deprecated and may remove it, and
    /// BuildKit warns about it on every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV APP_HOME /srv/app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ENV APP_HOME=/srv/app
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes `key=value`, escaping the blanks outside quotes, so that Docker computes the same
    /// value. It is safe.
    ///
    /// ## References
    /// - BuildKit: `LegacyKeyValueFormat`
    /// - [LegacyKeyValueFormat](https://docs.docker.com/reference/build-checks/legacy-key-value-format/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `ENV` または `LABEL` が、古い `key value` 形式を使っています。
    ///
    /// ### 検出内容
    /// `=` を使わず、行の残り全体を値とする `ENV key value` と `LABEL key value` を報告します。
    ///
    /// ### なぜ問題か
    /// 古い形式で設定できる変数は一つだけで、最初の空白より後がすべて値になります。
    /// `ENV A 1 B 2` は二つの変数ではなく、`A` に `1 B 2` を設定します。
    /// Docker はこの形式を非推奨としていて将来削除する可能性があり、BuildKit もビルドのたびに警告します。
    ///
    /// ### 対処法
    /// `key=value` 形式で書いてください (`ENV APP_HOME=/srv/app`)。
    ///
    /// ### 修正の安全性
    /// 修正は引用符の外の空白をエスケープして `key=value` 形式で書き直し、Docker が同じ値を得るようにします。
    /// 安全です。
    pub static LEGACY_KEY_VALUE_FORMAT = {
        code: "DW613",
        name: "legacy-key-value-format",
        severity: Warning,
        tags: ["correctness"],
        fix: Always,
        since: "0.2.0",
        also: ["buildkit:LegacyKeyValueFormat"],
        instruction_check: check,
    }
}

fn check(ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let ins = instr.ins;
    if !matches!(ins.kind, Kind::Env | Kind::Label) {
        return;
    }
    let Args::KeyValues(kvs) = &ins.args else { return };
    let Some(kv) = kvs.iter().find(|kv| kv.legacy) else {
        return;
    };
    let keyword = ins.kind.keyword();
    let finding = sink.report(
        instr.item.abs(kv.span.range),
        "legacy-key-value-format",
        vec![("instruction", keyword.to_string())],
    );
    if let Some(edit) = crate::assists::key_value_edit(ins, instr.item.start, ctx.tree.escape) {
        finding.fix(Fix {
            title: ctx
                .msg("assist.key-value-form", &[("instruction", keyword.to_string())])
                .into(),
            applicability: Applicability::Safe,
            edits: vec![edit],
            creates: None,
            resolve: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_the_legacy_form() {
        check_rule(
            "DW613",
            "FROM alpine\nENV A 1\n#   ^^^ DW613 legacy-key-value-format\nLABEL maintainer jane\n#     ^^^^^^^^^^^^^^^ DW613 legacy-key-value-format\nENV B=2 C=3\nLABEL a=b\n",
        );
    }

    #[test]
    fn writes_key_value() {
        check_fix("DW613", "FROM alpine\nENV A$0 1 2\n", "FROM alpine\nENV A=1\\ 2\n");
    }
}
