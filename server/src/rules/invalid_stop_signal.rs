//! DW619 invalid-stop-signal: a STOPSIGNAL that is not a signal.

use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::{Args, Kind};

declare_rule! {
    /// STOPSIGNAL names no signal.
    ///
    /// ## What it does
    /// Checks the value of `STOPSIGNAL` the way BuildKit does: a signal number other than 0, or a
    /// Linux signal name with or without `SIG` (`SIGTERM`, `TERM`, `SIGRTMIN+3`), in any case. Values
    /// with variables are left alone.
    ///
    /// ## Why is this bad?
    /// BuildKit stops the build with "Invalid signal". A misspelt signal never reaches the point where
    /// the container would need it.
    ///
    /// ## Example
    /// ```dockerfile
    /// STOPSIGNAL SIGTERMINATE
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// STOPSIGNAL SIGTERM
    /// ```
    ///
    /// ## References
    /// - dockerfile-utils: `INVALID_SIGNAL`
    /// - BuildKit: `Invalid signal` error
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `STOPSIGNAL` がシグナルを指していません。
    ///
    /// ### 検出内容
    /// `STOPSIGNAL` の値を BuildKit と同じように確認します。有効なのは 0 以外のシグナル番号か、
    /// `SIG` の有無や大文字・小文字を問わない Linux のシグナル名 (`SIGTERM`、`TERM`、`SIGRTMIN+3`) です。
    /// 変数を含む値は対象外です。
    ///
    /// ### なぜ問題か
    /// BuildKit は "Invalid signal" でビルドを止めます。つづりを間違えたシグナルは、
    /// コンテナがそれを必要とする場面にたどり着くことすらありません。
    ///
    /// ### 対処法
    /// 正しいシグナル名を書いてください (`STOPSIGNAL SIGTERM`)。
    pub static INVALID_STOP_SIGNAL = {
        code: "DW619",
        name: "invalid-stop-signal",
        severity: Error,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        instruction_check: check,
    }
}

const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL",
    "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1",
    "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
];

/// Whether BuildKit's signal parser (Linux table) accepts `raw`.
pub(crate) fn is_signal(raw: &str) -> bool {
    if let Ok(n) = raw.parse::<i64>() {
        // Go's Atoi: a 64-bit integer; 0 is refused.
        return n != 0;
    }
    let upper = raw.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if SIGNALS.contains(&name) {
        return true;
    }
    let offset =
        |rest: &str, max: u32| !rest.starts_with('0') && rest.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n));
    name.strip_prefix("RTMIN+").is_some_and(|r| offset(r, 15))
        || name.strip_prefix("RTMAX-").is_some_and(|r| offset(r, 14))
}

fn check(_ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let ins = instr.ins;
    let (Kind::Stopsignal, Args::Text(Some(text))) = (ins.kind, &ins.args) else {
        return;
    };
    let value = ins.text(text);
    if value.contains('$') || is_signal(value.trim()) {
        return;
    }
    sink.report(
        instr.item.abs(text.range),
        "invalid-stop-signal",
        vec![("signal", value.trim().to_string())],
    );
}

#[cfg(test)]
mod tests {
    use super::is_signal;
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_unknown_signals() {
        check_rule(
            "DW619",
            "FROM alpine\nSTOPSIGNAL SIGTERMINATE\n#          ^^^^^^^^^^^^ DW619 invalid-stop-signal\nSTOPSIGNAL 0\n#          ^ DW619 invalid-stop-signal\nSTOPSIGNAL SIGQUIT\nSTOPSIGNAL 9\nSTOPSIGNAL $SIG\n",
        );
    }

    #[test]
    fn knows_the_linux_table() {
        for ok in ["SIGTERM", "term", "SIGRTMIN+15", "RTMAX-1", "-3", "SIGWINCH"] {
            assert!(is_signal(ok), "{ok}");
        }
        for bad in ["SIGRTMIN+16", "RTMAX-0", "SIGTERM extra", "", "SIG", "0"] {
            assert!(!is_signal(bad), "{bad}");
        }
    }
}
