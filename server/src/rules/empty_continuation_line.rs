//! DW005 empty-continuation-line: a blank line inside a continued instruction.

use crate::diagnostic::{Applicability, FileRef, Fix, TextEdit};
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::text::TextRange;

declare_rule! {
    /// A blank line inside an instruction continued with the escape character.
    ///
    /// ## What it does
    /// Flags blank (or whitespace-only) lines between the lines of an instruction that ends with the
    /// escape character. Docker skips such lines, prints "Empty continuation line found", and has
    /// announced that they will become errors.
    ///
    /// ## Why is this bad?
    /// A blank line usually means the author thought the instruction had ended. Docker instead joins the
    /// next line to it: a following `COPY` or `USER` line silently becomes arguments of the `RUN` above,
    /// so the file copy or the switch away from root never happens.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add --no-cache samba \
    ///
    /// USER samba
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apk add --no-cache samba
    ///
    /// USER samba
    /// ```
    ///
    /// ## Fix safety
    /// The fix deletes the blank line. It is safe: Docker already ignores the line, so the build does not
    /// change. Check whether the instruction was meant to end before it.
    ///
    /// ## References
    /// - BuildKit: `NoEmptyContinuation` check
    /// - dockerfile-utils: `EMPTY_CONTINUATION_LINE`
    /// - [Dockerfile reference: parser directives and line continuation](https://docs.docker.com/reference/dockerfile/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// エスケープ文字で継続している命令の途中に空行があります。
    ///
    /// ### 検出内容
    /// エスケープ文字で終わる命令の行の間にある空行 (空白だけの行を含む) を報告します。
    /// Docker はこの行を読み飛ばして "Empty continuation line found" と表示し、将来はエラーにすると予告しています。
    ///
    /// ### なぜ問題か
    /// 空行があると、書いた人は命令がそこで終わったつもりでいることがほとんどです。
    /// しかし Docker は次の行を命令につなげるため、続く `COPY` や `USER` の行が上の `RUN` の引数になってしまい、
    /// ファイルのコピーや root からの切り替えが実行されません。
    ///
    /// ### 対処法
    /// 命令をそこで終わらせるつもりなら、直前の行末のエスケープ文字を削除してください。
    /// 続けるつもりなら空行を削除します。
    ///
    /// ### 修正の安全性
    /// 修正は空行を削除します。Docker はもともとこの行を無視しているのでビルドは変わらず、安全です。ただし、
    /// 命令をその手前で終わらせるつもりだったのではないかは確認してください。
    pub static EMPTY_CONTINUATION_LINE = {
        code: "DW005",
        name: "empty-continuation-line",
        severity: Warning,
        tags: ["syntax"],
        fix: Always,
        since: "0.1.0",
        also: ["buildkit:NoEmptyContinuation"],
        instruction_check: check,
    }
}

/// An instruction rule: the blank lines of one instruction are in its node, and its findings are
/// memoised with its text (a pass over every node on every keystroke cost 6% of one).
fn check(ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let (it, ins) = (instr.item, instr.ins);
    if ins.empty_continuation_lines().is_empty() {
        return;
    }
    // Consecutive blank lines are one finding with one fix that removes them all: removing only the
    // first would bring the next one to the same place.
    let line_end = |r: TextRange| {
        ctx.text
            .get(r.end as usize..)
            .and_then(|rest| rest.find('\n'))
            .map_or(ctx.text.len(), |i| r.end as usize + i + 1) as u32
    };
    let mut runs: Vec<(TextRange, u32)> = Vec::new();
    for r in ins.empty_continuation_lines() {
        let r = it.abs(*r);
        match runs.last_mut() {
            Some((first, end)) if *end == r.start => {
                *first = TextRange::new(first.start, r.end);
                *end = line_end(r);
            }
            _ => runs.push((r, line_end(r))),
        }
    }
    for (r, end) in runs {
        // Delete the whole lines, their terminators included.
        let whole = TextRange::new(r.start, end);
        let fix = Fix {
            title: ctx.msg("fix.remove-blank-line", &[]).into(),
            applicability: Applicability::Safe,
            edits: vec![TextEdit {
                file: FileRef::Dockerfile,
                range: whole,
                new_text: String::new().into(),
            }],
            creates: None,
            resolve: None,
        };
        sink.report(r, "empty-continuation-line", Vec::new()).fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_blank_lines_in_continuations() {
        check_rule(
            "DW005",
            "FROM alpine\nRUN apk add \\\n  \n#^ DW005 empty-continuation-line\n  curl\nRUN true\n\nUSER x\n",
        );
    }

    #[test]
    fn removes_the_line() {
        check_fix("DW005", "FROM a\nRUN a \\\n$0\n  b\n", "FROM a\nRUN a \\\n  b\n");
    }

    #[test]
    fn consecutive_blank_lines_are_one_finding_removed_together() {
        check_fix("DW005", "FROM a\nRUN a \\\n$0\n \n\n  b\n", "FROM a\nRUN a \\\n  b\n");
    }
}
