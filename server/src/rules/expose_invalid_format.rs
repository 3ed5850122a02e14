//! DW617 expose-invalid-format: an EXPOSE port with an address or a host port.

use crate::diagnostic::Applicability;
use crate::rules::invalid_expose_port::{PortSpec, literal_ports};
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::text::TextRange;

declare_rule! {
    /// EXPOSE gives an IP address or a host port.
    ///
    /// ## What it does
    /// Reports `EXPOSE 8080:80` and `EXPOSE 127.0.0.1:80:80`: port mappings belong to `docker run -p`,
    /// not to the image.
    ///
    /// ## Why is this bad?
    /// BuildKit ignores the address and the host port and exposes only the container port, so the line
    /// promises a mapping that never happens. BuildKit warns about it and plans to reject it.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 127.0.0.1:8080:80
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// EXPOSE 80
    /// ```
    ///
    /// ## Fix safety
    /// The fix keeps the container port (and protocol). It is safe: that is all the image records.
    ///
    /// ## References
    /// - BuildKit: `ExposeInvalidFormat`
    /// - [ExposeInvalidFormat](https://docs.docker.com/reference/build-checks/expose-invalid-format/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `EXPOSE` に IP アドレスやホスト側のポートが指定されています。
    ///
    /// ### 検出内容
    /// `EXPOSE 8080:80` や `EXPOSE 127.0.0.1:80:80` を報告します。ポートの対応付けは `docker run -p` で行うもので、
    /// イメージに書くものではありません。
    ///
    /// ### なぜ問題か
    /// BuildKit はアドレスとホスト側のポートを無視してコンテナ側のポートだけを公開するので、
    /// この行は実際には起きない対応付けを約束していることになります。BuildKit は警告し、将来は拒否する予定です。
    ///
    /// ### 対処法
    /// コンテナ側のポートだけを書き (`EXPOSE 80`)、ホストとの対応付けは `docker run -p` や Compose の設定で行ってくだ
    /// さい。
    ///
    /// ### 修正の安全性
    /// 修正はコンテナ側のポート (とプロトコル) だけを残します。イメージに記録されるのはそれだけなので安全です。
    pub static EXPOSE_INVALID_FORMAT = {
        code: "DW617",
        name: "expose-invalid-format",
        severity: Warning,
        tags: ["correctness"],
        fix: Always,
        since: "0.2.0",
        also: ["buildkit:ExposeInvalidFormat"],
        instruction_check: check,
    }
}

fn check(ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    for (span, word) in literal_ports(instr.ins) {
        let spec = PortSpec::parse(word);
        let Some(mapping) = spec.mapping else { continue };
        let container = &word[mapping.len()..];
        if container.is_empty() {
            continue;
        }
        let range = instr.item.abs(span.range);
        let head = instr.item.abs(TextRange::new(
            span.range.start,
            span.range.start + mapping.len() as u32,
        ));
        let fix = ctx.replace(
            "fix.expose-container-port",
            &[("port", container.to_string())],
            head,
            "",
            Applicability::Safe,
        );
        sink.report(range, "expose-invalid-format", vec![("port", word.to_string())])
            .fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_mappings() {
        check_rule(
            "DW617",
            "FROM alpine\nEXPOSE 80 8080:80 127.0.0.1:53:53/udp\n#         ^^^^^^^ DW617 expose-invalid-format\n#                 ^^^^^^^^^^^^^^^^^^^ DW617 expose-invalid-format\n",
        );
    }

    #[test]
    fn keeps_the_container_port() {
        check_fix(
            "DW617",
            "FROM alpine\nEXPOSE 127.0.0.1:8$0080:80/tcp\n",
            "FROM alpine\nEXPOSE 80/tcp\n",
        );
    }
}
