//! DW618 invalid-expose-port: an EXPOSE port BuildKit cannot read.

use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::{Args, Kind, Span};
use crate::text::TextRange;

declare_rule! {
    /// EXPOSE names a port or protocol BuildKit cannot read.
    ///
    /// ## What it does
    /// Reads every `EXPOSE` port as BuildKit does, `[ip:][host-port:]port[-end][/protocol]`, and reports
    /// a port that is not a number from 0 to 65535, a range that ends before it starts, a protocol other
    /// than `tcp`, `udp` or `sctp`, and an address that is not an IP address. Ports with variables are
    /// left alone.
    ///
    /// ## Why is this bad?
    /// BuildKit stops the build with "invalid containerPort" or "invalid proto".
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 8080/http
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// EXPOSE 8080/tcp
    /// ```
    ///
    /// ## References
    /// - dockerfile-utils: `INVALID_PORT`, `INVALID_PROTO`
    /// - BuildKit: `invalid containerPort` and `invalid proto` errors
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `EXPOSE` に BuildKit が読めないポートやプロトコルが指定されています。
    ///
    /// ### 検出内容
    /// すべての `EXPOSE` のポートを BuildKit と同じ `[ip:][host-port:]port[-end][/protocol]` の形式で読み、
    /// 0 から 65535 の数値でないポート、終わりが始まりより前の範囲、`tcp`、`udp`、`sctp` 以外のプロトコル、
    /// IP アドレスでないアドレスを報告します。変数を含むポートは対象外です。
    ///
    /// ### なぜ問題か
    /// BuildKit は `invalid containerPort` や `invalid proto` というエラーでビルドを止めます。
    ///
    /// ### 対処法
    /// 正しいポート番号とプロトコルを書いてください (`EXPOSE 8080/tcp`)。
    pub static INVALID_EXPOSE_PORT = {
        code: "DW618",
        name: "invalid-expose-port",
        severity: Error,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        instruction_check: check,
    }
}

/// One EXPOSE word split as BuildKit splits it, with byte offsets into the word.
pub(crate) struct PortSpec<'a> {
    /// The address and host port before the container port (`127.0.0.1:80:`), if any.
    pub mapping: Option<&'a str>,
    /// The container port or range.
    pub port: (usize, &'a str),
    /// The protocol after `/`, if any.
    pub proto: Option<(usize, &'a str)>,
}

impl<'a> PortSpec<'a> {
    pub fn parse(word: &'a str) -> PortSpec<'a> {
        let (mapping, container_at) = match word.rfind(':') {
            Some(i) => (Some(&word[..=i]), i + 1),
            None => (None, 0),
        };
        let container = &word[container_at..];
        let (port, proto) = match container.find('/') {
            Some(i) => (&container[..i], Some((container_at + i + 1, &container[i + 1..]))),
            None => (container, None),
        };
        PortSpec {
            mapping,
            port: (container_at, port),
            proto,
        }
    }
}

/// The EXPOSE words Docker reads without expansion (no variable, quote or escape), with their spans.
pub(crate) fn literal_ports<'a>(ins: &'a crate::syntax::Instruction) -> impl Iterator<Item = (Span, &'a str)> + 'a {
    let spans: &[Span] = match (&ins.kind, &ins.args) {
        (Kind::Expose, Args::Words(w)) => w,
        _ => &[],
    };
    spans.iter().filter_map(move |sp| {
        let w = ins.text(sp);
        let verbatim = (sp.range.end - sp.range.start) as usize == w.len();
        (verbatim && !w.contains(['$', '\'', '"', '\\', '`'])).then_some((*sp, w))
    })
}

fn port_number(s: &str) -> Option<u32> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|n| *n <= 65535)
}

/// A port or range `a[-b]`: (start, end).
fn port_range(s: &str) -> Option<(u32, u32)> {
    let (start, end) = match s.split_once('-') {
        Some((a, b)) if a != b => (port_number(a)?, port_number(b)?),
        Some((a, _)) => (port_number(a)?, port_number(a)?),
        None => (port_number(s)?, port_number(s)?),
    };
    (end >= start).then_some((start, end))
}

/// What BuildKit rejects in a port spec, as a message id, and where (offsets in the word).
fn problem(spec: &PortSpec, word: &str) -> Option<(&'static str, usize, usize)> {
    if let Some((at, proto)) = spec.proto
        && !["tcp", "udp", "sctp"].contains(&proto.to_ascii_lowercase().as_str())
    {
        return Some(("invalid-expose-port.proto", at, at + proto.len()));
    }
    let (at, port) = spec.port;
    let Some((start, end)) = port_range(port) else {
        return Some(("invalid-expose-port", at, at + port.len()));
    };
    if let Some(mapping) = spec.mapping {
        let inner = &mapping[..mapping.len() - 1];
        let (ip, host) = match inner.rfind(':') {
            Some(i) => (Some(&inner[..i]), &inner[i + 1..]),
            None => (None, inner),
        };
        match port_range(host) {
            None => return Some(("invalid-expose-port", 0, mapping.len() - 1)),
            Some((hs, he)) if he - hs != end - start && end != start => {
                return Some(("invalid-expose-port", 0, word.len()));
            }
            _ => {}
        }
        if let Some(ip) = ip.filter(|ip| !ip.is_empty()) {
            let bare = ip.strip_prefix('[').and_then(|i| i.strip_suffix(']')).unwrap_or(ip);
            if bare.parse::<core::net::IpAddr>().is_err() {
                return Some(("invalid-expose-port", 0, ip.len()));
            }
        }
    }
    None
}

fn check(_ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    for (span, word) in literal_ports(instr.ins) {
        let spec = PortSpec::parse(word);
        if let Some((id, lo, hi)) = problem(&spec, word) {
            let start = span.range.start + lo as u32;
            let range = instr
                .item
                .abs(TextRange::new(start, span.range.start + hi.max(lo + 1) as u32));
            sink.report(range, id, vec![("port", word.to_string())]);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_ports_buildkit_rejects() {
        check_rule(
            "DW618",
            "FROM alpine\nEXPOSE 80 443/tcp 53/UDP 8000-8010 9000/sctp 80:80 127.0.0.1:80:80 $PORT\nEXPOSE 8080/http 70000 abc\n#           ^^^^ DW618 invalid-expose-port.proto\n#                ^^^^^ DW618 invalid-expose-port\n#                      ^^^ DW618 invalid-expose-port\nEXPOSE 90-80 x:80 1.2.3:80:80\n#      ^^^^^ DW618 invalid-expose-port\n#            ^ DW618 invalid-expose-port\n#                 ^^^^^ DW618 invalid-expose-port\n",
        );
    }
}
