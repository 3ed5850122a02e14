//! DW603 consistent-instruction-casing: an instruction keyword not in the case most of the file uses.

use crate::diagnostic::Applicability;
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::Kind;

declare_rule! {
    /// An instruction keyword is not written in the case most of the file uses.
    ///
    /// ## What it does
    /// Counts the keywords of the instructions from the first `FROM` on that are all upper case and
    /// those that are all lower case, as BuildKit does, and reports every keyword that is not in the
    /// majority's case (upper case on a tie), including mixed-case keywords such as `Run`. `ARG`s before
    /// the first `FROM` are neither counted nor reported.
    ///
    /// ## Why is this bad?
    /// Keywords are case-insensitive, but a file that mixes cases is harder to read and to search, and
    /// BuildKit warns about every such keyword.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// run apk add --no-cache curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix safety
    /// The fix writes the keyword in the majority's case. It is safe: keywords are case-insensitive.
    ///
    /// ## References
    /// - BuildKit: `ConsistentInstructionCasing`
    /// - dockerfile-utils: `CASING_INSTRUCTION` (which asks for upper case everywhere)
    /// - [ConsistentInstructionCasing](https://docs.docker.com/reference/build-checks/consistent-instruction-casing/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 命令のキーワードが、ファイルの大半と同じ大文字・小文字で書かれていません。
    ///
    /// ### 検出内容
    /// 最初の `FROM` 以降の命令のキーワードについて、BuildKit と同じようにすべて大文字のものとすべて小文字のものを数
    /// え、多数派と違う書き方のキーワード (`Run` のような混在も含む) をすべて報告します。
    /// 同数の場合は大文字を多数派とします。最初の `FROM` より前の `ARG` は数えず、報告もしません。
    ///
    /// ### なぜ問題か
    /// キーワードは大文字と小文字を区別しませんが、混在したファイルは読みにくく検索しにくいうえ、
    /// BuildKit がそうしたキーワードごとに警告します。
    ///
    /// ### 対処法
    /// ファイル全体で命令の書き方を揃えてください (通常はすべて大文字)。
    ///
    /// ### 修正の安全性
    /// 修正はキーワードを多数派の書き方に直します。キーワードは大文字と小文字を区別しないので安全です。
    pub static CONSISTENT_INSTRUCTION_CASING = {
        code: "DW603",
        name: "consistent-instruction-casing",
        severity: Warning,
        tags: ["correctness"],
        fix: Always,
        since: "0.2.0",
        also: ["buildkit:ConsistentInstructionCasing"],
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    use crate::syntax::known_case;
    // The counts are the tree's (kept through incremental parses) less those of the instructions before
    // the first `FROM`, a few global `ARG`s: no pass over the file at every keystroke.
    let [mut lower, mut upper, mut mixed] = ctx.tree.tally.cases.map(|n| n as usize);
    let mut stages = false;
    for it in &ctx.tree.items {
        if it.facts.kind == Some(Kind::From) {
            stages = true;
            break;
        }
        match known_case(&it.facts) {
            Some(0) => lower = lower.saturating_sub(1),
            Some(1) => upper = upper.saturating_sub(1),
            Some(_) => mixed = mixed.saturating_sub(1),
            None => {}
        }
    }
    if !stages {
        return;
    }
    let majority_lower = lower > upper;
    // The second pass only when something is to be reported.
    if mixed + if majority_lower { upper } else { lower } == 0 {
        return;
    }
    // The instructions counted (`known_case`, as the tree's tally counts them) from the first `FROM` on,
    // read from the item vector's facts.
    let counted = ctx
        .tree
        .items
        .iter()
        .enumerate()
        .skip_while(|(_, it)| it.facts.kind != Some(Kind::From));
    for (i, it) in counted {
        let case = it.facts.keyword_case;
        if known_case(&it.facts).is_none() || !(if majority_lower { case.upper } else { case.lower }) {
            continue;
        }
        let Some((item, ins)) = ctx.tree.instruction(i) else {
            continue;
        };
        let kw = ins.text(&ins.keyword);
        let wanted = if majority_lower {
            kw.to_ascii_lowercase()
        } else {
            kw.to_ascii_uppercase()
        };
        let range = item.abs(ins.keyword.range);
        let case = if majority_lower { "lower" } else { "upper" };
        let fix = ctx.replace(
            "fix.instruction-casing",
            &[("keyword", wanted.clone())],
            range,
            wanted,
            Applicability::Safe,
        );
        let id = if majority_lower {
            "consistent-instruction-casing.lower"
        } else {
            "consistent-instruction-casing.upper"
        };
        sink.report(range, id, vec![("keyword", kw.to_string()), ("case", case.to_string())])
            .fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn follows_the_majority() {
        check_rule(
            "DW603",
            "arg v=1\nFROM alpine\nrun true\n#^^ DW603 consistent-instruction-casing.upper\nRun true\n#^^ DW603 consistent-instruction-casing.upper\nCMD x\n",
        );
        check_rule(
            "DW603",
            "from alpine\nrun true\nRUN x\n#^^ DW603 consistent-instruction-casing.lower\n",
        );
        // A tie goes to upper case.
        check_rule(
            "DW603",
            "from alpine\n#^^^ DW603 consistent-instruction-casing.upper\nRUN x\n",
        );
    }

    /// The instructions before the first `FROM` are not counted, however many (the counts are the
    /// tree's less theirs), and a file without `FROM` has none to count.
    #[test]
    fn global_args_are_not_counted() {
        check_rule(
            "DW603",
            "arg a\narg b\nARG c\nfoo x\nFROM alpine\nRUN x\nrun y\n#^^ DW603 consistent-instruction-casing.upper\n",
        );
        check_rule(
            "DW603",
            "ARG a\nARG b\nARG c\nfrom alpine\nRUN x\n#^^ DW603 consistent-instruction-casing.lower\nrun y\n",
        );
        check_rule("DW603", "arg a\nRUN x\nrun y\n");
    }

    #[test]
    fn rewrites_the_keyword() {
        check_fix(
            "DW603",
            "FROM alpine\nr$0un true\nCMD x\n",
            "FROM alpine\nRUN true\nCMD x\n",
        );
    }
}
