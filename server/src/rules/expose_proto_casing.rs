//! DW616 expose-proto-casing: an EXPOSE protocol not in lower case.

use crate::diagnostic::Applicability;
use crate::rules::invalid_expose_port::{PortSpec, literal_ports};
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::text::TextRange;

declare_rule! {
    /// An EXPOSE protocol is not written in lower case.
    ///
    /// ## What it does
    /// Reports `EXPOSE 53/UDP` and other protocols (`tcp`, `udp`, `sctp`) with upper-case letters.
    ///
    /// ## Why is this bad?
    /// BuildKit lower-cases the protocol, so `80/TCP` works, but other tools that read the Dockerfile
    /// compare it as written. BuildKit warns about it.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 53/UDP
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// EXPOSE 53/udp
    /// ```
    ///
    /// ## Fix safety
    /// The fix lower-cases the protocol. It is safe: BuildKit records it in lower case anyway.
    ///
    /// ## References
    /// - BuildKit: `ExposeProtoCasing`
    /// - [ExposeProtoCasing](https://docs.docker.com/reference/build-checks/expose-proto-casing/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `EXPOSE` のプロトコルが小文字で書かれていません。
    ///
    /// ### 検出内容
    /// `EXPOSE 53/UDP` のように、大文字を含むプロトコル (`tcp`、`udp`、`sctp`) を報告します。
    ///
    /// ### なぜ問題か
    /// BuildKit はプロトコルを小文字に変換するので `80/TCP` でも動きますが、
    /// Dockerfile を読む他のツールは書かれたとおりに比較します。BuildKit も警告します。
    ///
    /// ### 対処法
    /// プロトコルは小文字で書いてください (`EXPOSE 53/udp`)。
    ///
    /// ### 修正の安全性
    /// 修正はプロトコルを小文字にします。BuildKit はもともと小文字で記録するので安全です。
    pub static EXPOSE_PROTO_CASING = {
        code: "DW616",
        name: "expose-proto-casing",
        severity: Warning,
        tags: ["correctness"],
        fix: Always,
        since: "0.2.0",
        also: ["buildkit:ExposeProtoCasing"],
        instruction_check: check,
    }
}

fn check(ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    for (span, word) in literal_ports(instr.ins) {
        let Some((at, proto)) = PortSpec::parse(word).proto else {
            continue;
        };
        let lower = proto.to_ascii_lowercase();
        if lower == proto || !["tcp", "udp", "sctp"].contains(&lower.as_str()) {
            continue;
        }
        let start = span.range.start + at as u32;
        let range = instr.item.abs(TextRange::new(start, start + proto.len() as u32));
        let fix = ctx.replace(
            "fix.expose-proto-casing",
            &[("proto", lower.clone())],
            range,
            lower,
            Applicability::Safe,
        );
        sink.report(range, "expose-proto-casing", vec![("port", word.to_string())])
            .fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_upper_case_protocols() {
        check_rule(
            "DW616",
            "FROM alpine\nEXPOSE 80/TCP 53/udp 99/Sctp 1/HTTP\n#         ^^^ DW616 expose-proto-casing\n#                       ^^^^ DW616 expose-proto-casing\n",
        );
    }

    #[test]
    fn lowers_the_protocol() {
        check_fix(
            "DW616",
            "FROM alpine\nEXPOSE 53/U$0DP\n",
            "FROM alpine\nEXPOSE 53/udp\n",
        );
    }
}
