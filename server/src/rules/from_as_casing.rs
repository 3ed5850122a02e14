//! DW602 from-as-casing: the `AS` of a FROM written in another case than `FROM`.

use crate::diagnostic::Applicability;
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::{Args, Kind};

declare_rule! {
    /// The `AS` keyword of a FROM is not written in the case of `FROM`.
    ///
    /// ## What it does
    /// Reports `FROM image as name` (and `from image AS name`): when `FROM` is all upper case, `AS` must be
    /// too, and when `from` is all lower case, so must `as`. A keyword in mixed case is left to DW603.
    ///
    /// ## Why is this bad?
    /// Both spellings work, but mixing them makes the file harder to read and search, and BuildKit warns
    /// about it on every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22 as build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22 AS build
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes the keyword in the case of `FROM`. It is safe: keywords are case-insensitive.
    ///
    /// ## References
    /// - BuildKit: `FromAsCasing`
    /// - [FromAsCasing](https://docs.docker.com/reference/build-checks/from-as-casing/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `FROM` の `AS` キーワードが `FROM` と同じ大文字・小文字で書かれていません。
    ///
    /// ### 検出内容
    /// `FROM image as name` (や `from image AS name`) を報告します。`FROM` がすべて大文字なら `AS` も大文字、
    /// `from` がすべて小文字なら `as` も小文字である必要があります。大文字と小文字が混在したキーワードは DW603 に任せ
    /// ます。
    ///
    /// ### なぜ問題か
    /// どちらの書き方でも動きますが、混在するとファイルが読みにくく検索しにくくなり、
    /// BuildKit もビルドのたびに警告します。
    ///
    /// ### 対処法
    /// `AS` を `FROM` に合わせて書いてください (`FROM node:22 AS build`)。
    ///
    /// ### 修正の安全性
    /// 修正はキーワードを `FROM` と同じ大文字・小文字で書き直します。キーワードは大文字と小文字を区別しないので安全で
    /// す。
    pub static FROM_AS_CASING = {
        code: "DW602",
        name: "from-as-casing",
        severity: Warning,
        tags: ["correctness"],
        fix: Always,
        since: "0.2.0",
        also: ["buildkit:FromAsCasing"],
        instruction_check: check,
    }
}

fn check(ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let ins = instr.ins;
    let (Kind::From, Args::From(from)) = (ins.kind, &ins.args) else {
        return;
    };
    let Some(as_kw) = from.as_keyword else { return };
    let from_kw = ins.text(&ins.keyword);
    let written = ins.text(&as_kw);
    let wanted = if from_kw.bytes().all(|b| b.is_ascii_lowercase()) {
        "as"
    } else if from_kw.bytes().all(|b| b.is_ascii_uppercase()) {
        "AS"
    } else {
        return;
    };
    if written == wanted {
        return;
    }
    let range = instr.item.abs(as_kw.range);
    let fix = ctx.replace(
        "fix.from-as-casing",
        &[("as", wanted.into())],
        range,
        wanted,
        Applicability::Safe,
    );
    sink.report(
        range,
        "from-as-casing",
        vec![("as", written.to_string()), ("from", from_kw.to_string())],
    )
    .fix(fix);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_mismatched_as() {
        check_rule(
            "DW602",
            "FROM alpine as one\n#           ^^ DW602 from-as-casing\nfrom alpine AS two\n#           ^^ DW602 from-as-casing\nFROM alpine AS three\nfrom alpine as four\nFrom alpine as five\nFROM alpine As six\n#           ^^ DW602 from-as-casing\n",
        );
    }

    #[test]
    fn matches_the_case_of_from() {
        check_fix("DW602", "FROM alpine a$0s build\n", "FROM alpine AS build\n");
        check_fix("DW602", "from alpine A$0S build\n", "from alpine as build\n");
    }
}
