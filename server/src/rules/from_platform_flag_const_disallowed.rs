//! DW615 from-platform-flag-const-disallowed: `FROM --platform=` with a constant platform.

use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::{Args, Kind};

declare_rule! {
    /// `FROM --platform` names a constant platform.
    ///
    /// ## What it does
    /// Reports `FROM --platform=linux/amd64 ...` whose value uses no variable, unless the stage name
    /// mentions that operating system or architecture (`AS build-amd64`), which marks a stage meant for
    /// one platform.
    ///
    /// ## Why is this bad?
    /// A constant platform pins the stage to one architecture whatever `docker build --platform` asks
    /// for: a multi-platform build then ships, say, amd64 binaries in the arm64 image, which run under
    /// emulation or not at all. BuildKit warns about it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 golang:1.23 AS build
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// ARG TARGETOS TARGETARCH
    /// RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .
    /// ```
    ///
    /// ## References
    /// - BuildKit: `FromPlatformFlagConstDisallowed`
    /// - hadolint: DL3029 (`--platform` with `FROM`)
    /// - [FromPlatformFlagConstDisallowed](https://docs.docker.com/reference/build-checks/from-platform-flag-const-disallowed/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `FROM --platform` に固定のプラットフォームが指定されています。
    ///
    /// ### 検出内容
    /// 変数を使わない `FROM --platform=linux/amd64 ...` を報告します。ただし、
    /// ステージ名がそのオペレーティングシステムやアーキテクチャに触れている場合 (`AS build-amd64`) は、
    /// 単一プラットフォーム向けのステージとみなして対象外にします。
    ///
    /// ### なぜ問題か
    /// 固定のプラットフォームは、`docker build --platform` の指定にかかわらずステージを一つのアーキテクチャに縛りま
    /// す。マルチプラットフォームビルドでは、たとえば arm64 のイメージに amd64 のバイナリが入り、
    /// エミュレーションでしか動かないか、まったく動きません。BuildKit も警告します。
    ///
    /// ### 対処法
    /// `--platform=$BUILDPLATFORM` でビルドマシン上でクロスコンパイルし、`TARGETOS` や `TARGETARCH` を使ってターゲッ
    /// ト向けのバイナリを作ってください。
    pub static FROM_PLATFORM_FLAG_CONST_DISALLOWED = {
        code: "DW615",
        name: "from-platform-flag-const-disallowed",
        severity: Warning,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:FromPlatformFlagConstDisallowed"],
        instruction_check: check,
    }
}

const OSES: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
];

/// An architecture as containerd normalises it, if it is one.
fn arch(word: &str) -> Option<&'static str> {
    Some(match word {
        "amd64" | "x86_64" | "x86-64" => "amd64",
        "arm64" | "aarch64" => "arm64",
        "arm" | "armhf" | "armel" => "arm",
        "386" | "i386" | "i486" | "i586" | "i686" => "386",
        "ppc64le" => "ppc64le",
        "ppc64" => "ppc64",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "mips64le" => "mips64le",
        "mips64" => "mips64",
        "mipsle" => "mipsle",
        "mips" => "mips",
        "loong64" => "loong64",
        "wasm" => "wasm",
        _ => return None,
    })
}

/// The (os, architecture) of a platform string as containerd parses it (an architecture alone means
/// Linux; an operating system alone means the builder's architecture, taken as amd64).
fn platform(value: &str) -> Option<(&'static str, &'static str)> {
    let lower = value.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    match parts.as_slice() {
        [one] => match OSES.iter().find(|o| **o == *one) {
            Some(os) => Some((os, "amd64")),
            None => Some(("linux", arch(one)?)),
        },
        [os, a] | [os, a, _] => Some((OSES.iter().find(|o| **o == *os)?, arch(a)?)),
        _ => None,
    }
}

fn check(_ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let ins = instr.ins;
    let (Kind::From, Args::From(from)) = (ins.kind, &ins.args) else {
        return;
    };
    let Some(flag) = ins.flag("platform") else { return };
    let (Some(value), Some(range)) = (&flag.value, flag.value_range) else {
        return;
    };
    if value.contains('$') {
        return;
    }
    let Some((os, arch)) = platform(value) else { return };
    let name = from.name.map(|n| ins.text(&n).to_ascii_lowercase()).unwrap_or_default();
    if name.contains(os) || name.contains(arch) {
        return;
    }
    sink.report(
        instr.item.abs(range),
        "from-platform-flag-const-disallowed",
        vec![("platform", value.clone())],
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_constant_platforms() {
        check_rule(
            "DW615",
            "FROM --platform=linux/amd64 alpine AS build\n#               ^^^^^^^^^^^ DW615 from-platform-flag-const-disallowed\nFROM --platform=linux/amd64 alpine AS build-amd64\nFROM --platform=linux/arm64 alpine AS linux-tools\nFROM --platform=$BUILDPLATFORM alpine\nFROM --platform=arm64 alpine\n#               ^^^^^ DW615 from-platform-flag-const-disallowed\nFROM --platform=nonsense alpine\n",
        );
    }
}
