//! DW505 insecure-run-flag: `RUN --security=insecure` and `RUN --network=host`.

use crate::diagnostic::Applicability;
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::syntax::Kind;
use crate::text::TextRange;

declare_rule! {
    /// A `RUN` that leaves the build sandbox: `--security=insecure` or `--network=host`.
    ///
    /// ## What it does
    /// Reports the `RUN` flags that turn off BuildKit's isolation for the step:
    /// - `--security=insecure`, which runs the command like a privileged container (the builder
    ///   must allow the `security.insecure` entitlement, and the Dockerfile needs the labs syntax);
    /// - `--network=host`, which gives the command the build host's network (the builder must allow
    ///   the `network.host` entitlement).
    ///
    /// `--network=none` and `--network=default` are fine.
    ///
    /// ## Why is this bad?
    /// With `--security=insecure` the command gets every capability and the host's devices: the
    /// command, and every script or package it downloads, can take over the build machine, read
    /// other builds' secrets and caches, and tamper with the images built there. With
    /// `--network=host` it can reach what listens only on the build host (a Docker daemon on
    /// `localhost:2375`, databases, cloud metadata endpoints with their credentials) and is outside
    /// the build's network isolation. Builds should be reproducible in an unprivileged builder.
    ///
    /// ## Example
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1-labs
    /// FROM debian:trixie-slim
    /// RUN --security=insecure mount -t tmpfs none /mnt && ./build.sh
    /// RUN --network=host curl -fsS http://localhost:8080/artifact -o /artifact
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// FROM debian:trixie-slim
    /// RUN --mount=type=tmpfs,target=/mnt ./build.sh
    /// COPY artifact /artifact
    /// ```
    ///
    /// ## Fix safety
    /// The fix removes the flag. It is unsafe: the step may really need the privilege or the host
    /// network, and then the build fails until it is rewritten (a `tmpfs` or `cache` mount instead
    /// of `mount`, a file passed in the build context instead of a download from `localhost`).
    ///
    /// ## References
    /// - [Dockerfile reference: RUN --security](https://docs.docker.com/reference/dockerfile/#run---security)
    /// - [Dockerfile reference: RUN --network](https://docs.docker.com/reference/dockerfile/#run---network)
    /// - [docker buildx build --allow](https://docs.docker.com/reference/cli/docker/buildx/build/#allow)
    /// - CWE-250: Execution with Unnecessary Privileges; CWE-653: Improper Isolation or
    ///   Compartmentalization
    /// - CIS Docker Benchmark 5.4 "Ensure that privileged containers are not used" and 5.9 "Ensure
    ///   that the host's network namespace is not shared" (the same isolation, for build steps)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ビルドのサンドボックスを抜ける `RUN` です (`--security=insecure` または `--network=host`)。
    ///
    /// ### 検出内容
    /// そのステップについて BuildKit の分離を無効にする `RUN` のフラグを報告します。
    /// `--security=insecure` はコマンドを特権コンテナのように実行し (ビルダーが `security.insecure` のエンタイトルメ
    /// ントを許可し、Dockerfile が labs 構文である必要があります)、`--network=host` はコマンドにビルドホストのネット
    /// ワークを与えます。`--network=none` と `--network=default` は問題ありません。
    ///
    /// ### なぜ問題か
    /// `--security=insecure` ではコマンドがすべてのケーパビリティとホストのデバイスを得ます。そのコマンドと、
    /// それがダウンロードするスクリプトやパッケージはビルドマシンを乗っ取り、他のビルドの機微情報やキャッシュを読み、
    /// そこでビルドされるイメージを改ざんできます。`--network=host` では、
    /// ビルドホストでしか待ち受けていないもの (`localhost:2375` の Docker デーモン、データベース、
    /// 認証情報を返すクラウドのメタデータエンドポイントなど) に到達でき、
    /// ビルドのネットワーク分離の外に出てしまいます。
    ///
    /// ### 対処法
    /// ビルドは非特権のビルダーで再現できるようにしてください。`tmpfs` やキャッシュのマウントで足りないかを検討し、
    /// `localhost` からダウンロードしていたファイルはビルドコンテキストで渡します。
    ///
    /// ### 修正の安全性
    /// 修正はフラグを削除します。そのステップが本当に特権やホストネットワークを必要とする場合は、
    /// 書き直すまでビルドが失敗するため、安全ではありません。
    pub static INSECURE_RUN_FLAG = {
        code: "DW505",
        name: "insecure-run-flag",
        severity: Warning,
        tags: ["hardening"],
        fix: Always,
        since: "0.1.0",
        instruction_check: check,
    }
}

fn check(ctx: &Ctx, instr: &Instr, sink: &mut Sink) {
    let (item, ins) = (instr.item, instr.ins);
    if ins.kind != Kind::Run {
        return;
    }
    let text = crate::shell::item_text(ctx.text, &item);
    for flag in &ins.flags {
        let message = match (flag.name.as_str(), flag.value.as_deref()) {
            ("security", Some("insecure")) => "insecure-run-flag.security",
            ("network", Some("host")) => "insecure-run-flag.network",
            _ => continue,
        };
        let r = flag.span.range;
        let written = crate::text::slice(text, r);
        let finding = sink.report(item.abs(r), message, vec![("flag", written.to_string())]);
        // The flag with the blanks before it (there is at least one, after `RUN`).
        let before = text.get(..r.start as usize).unwrap_or("");
        let blanks = before.len() - before.trim_end_matches([' ', '\t']).len();
        if blanks > 0 && written.starts_with("--") {
            let remove = TextRange::new(r.start - blanks as u32, r.end);
            finding.fix(ctx.replace(
                "fix.remove-flag",
                &[("flag", written.to_string())],
                item.abs(remove),
                "",
                Applicability::Unsafe,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{check_fix, check_rule};

    #[test]
    fn flags_insecure_and_host_network_runs() {
        check_rule(
            "DW505",
            concat!(
                "# syntax=docker/dockerfile:1-labs\n",
                "FROM debian:trixie-slim\n",
                "RUN --security=insecure --mount=type=cache,target=/root/.cache ./build.sh\n",
                "#   ^^^^^^^^^^^^^^^^^^^ DW505 insecure-run-flag.security\n",
                "RUN --network=host \\\n",
                "#   ^^^^^^^^^^^^^^ DW505 insecure-run-flag.network\n",
                "    curl -fsS http://localhost:8080/a -o /a\n",
            ),
        );
    }

    #[test]
    fn isolated_runs_are_clean() {
        check_rule(
            "DW505",
            concat!(
                "FROM debian:trixie-slim\n",
                "RUN --network=none make test\n",
                "RUN --network=default --security=sandbox true\n",
                "RUN echo --network=host --security=insecure\n",
            ),
        );
    }

    #[test]
    fn removes_the_flag() {
        check_fix(
            "DW505",
            "FROM alpine:3.22\nRUN --network=h$0ost wget -qO- http://localhost/x\n",
            "FROM alpine:3.22\nRUN wget -qO- http://localhost/x\n",
        );
        check_fix(
            "DW505",
            "FROM alpine:3.22\nRUN --mount=type=cache,target=/c --security=in$0secure \\\n    ./build.sh\n",
            "FROM alpine:3.22\nRUN --mount=type=cache,target=/c \\\n    ./build.sh\n",
        );
    }
}
