//! DW501 docker-socket-exposed: the image or a build step is wired to a container daemon's API.

use crate::model::{VarDef, VarKind};
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::{Args, Instruction, ItemRef, Kind, PathList};
use crate::text::TextRange;

declare_rule! {
    /// A container daemon's socket as a volume or mount, or `DOCKER_HOST` on an unencrypted daemon.
    ///
    /// ## What it does
    /// Reports
    /// - `VOLUME` of a container daemon's socket: any path whose last component is `docker.sock`,
    ///   `containerd.sock`, `podman.sock`, `crio.sock`, `buildkitd.sock`, `dockershim.sock` or
    ///   `cri-dockerd.sock` (`/var/run/docker.sock`, `/run/containerd/containerd.sock`,
    ///   `/run/buildkit/buildkitd.sock`, ...), in JSON or plain form, variables expanded;
    /// - `RUN --mount` bind mounts (`type=bind`, the default type) whose `source` or `target` is such
    ///   a socket, for example a socket handed to the build through a named build context;
    /// - `ENV DOCKER_HOST=tcp://…` that talks to the daemon without TLS: port 2375 (the daemon's
    ///   plain-text port), or any TCP address when the stage sets no `DOCKER_TLS_VERIFY`.
    ///   `unix://` sockets and `tcp://…:2376` with `DOCKER_TLS_VERIFY=1` are fine.
    ///
    /// ## Why is this bad?
    /// Whoever can talk to the Docker (or containerd, Podman, CRI-O, BuildKit) daemon can start a
    /// privileged container that mounts the host's root filesystem: access to the socket is root on
    /// the host. A `VOLUME` for the socket documents that the image expects the host's socket to be
    /// mounted into it, so every process of the container, and anyone who compromises one, controls
    /// the host. A daemon reached over plain TCP on port 2375 has no authentication at all: anyone
    /// on the network path can run containers on it, and the traffic can be read and changed.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM docker:28-cli
    /// ENV DOCKER_HOST=tcp://build-host:2375
    /// VOLUME /var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM docker:28-cli
    /// # TLS with client certificates, mounted at run time
    /// ENV DOCKER_HOST=tcp://build-host:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=/certs/client
    /// ```
    /// If a tool really needs a daemon, give it a dedicated rootless daemon or a socket proxy that
    /// allows only the API calls it needs, rather than the host's socket.
    ///
    /// ## References
    /// - [Docker: protect the Docker daemon socket](https://docs.docker.com/engine/security/protect-access/)
    /// - [OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket](https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html)
    /// - CIS Docker Benchmark 5.31 "Ensure that the Docker socket is not mounted inside any containers";
    ///   2.7 (1.13: 2.6) "Ensure TLS authentication for Docker daemon is configured"
    /// - CWE-250: Execution with Unnecessary Privileges; CWE-319: Cleartext Transmission of Sensitive
    ///   Information; CWE-306: Missing Authentication for Critical Function
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// コンテナデーモンのソケットをボリュームやマウントとして使っているか、
    /// 暗号化されていないデーモンを `DOCKER_HOST` で指定しています。
    ///
    /// ### 検出内容
    /// コンテナデーモンのソケット (`docker.sock`、`containerd.sock`、`podman.sock`、
    /// `buildkitd.sock` など) の `VOLUME`、そうしたソケットをソースやターゲットにする `RUN --mount` のバインドマウン
    /// ト、そして TLS なしでデーモンに接続する `ENV DOCKER_HOST=tcp://…` (平文ポート 2375、
    /// またはステージで `DOCKER_TLS_VERIFY` を設定していない TCP アドレス) を報告します。
    ///
    /// ### なぜ問題か
    /// Docker (あるいは containerd、Podman、CRI-O、BuildKit) のデーモンと通信できる者は、
    /// ホストのルートファイルシステムをマウントした特権コンテナを起動できます。
    /// つまりソケットへのアクセスはホストの root 権限と同じです。ソケットの `VOLUME` は、
    /// ホストのソケットがマウントされる前提のイメージであることを示し、コンテナのすべてのプロセスと、
    /// それを侵害した者がホストを支配できます。ポート 2375 の平文 TCP で到達するデーモンには認証がまったくなく、
    /// 通信経路上の誰でもコンテナを実行でき、通信の盗聴や改ざんも可能です。
    ///
    /// ### 対処法
    /// デーモンへの接続にはクライアント証明書付きの TLS (ポート 2376、`DOCKER_TLS_VERIFY=1`) を使ってください。
    /// ツールがどうしてもデーモンを必要とするなら、専用の rootless デーモンや、
    /// 必要な API 呼び出しだけを許可するソケットプロキシを用意し、ホストのソケットは渡さないでください。
    pub static DOCKER_SOCKET_EXPOSED = {
        code: "DW501",
        name: "docker-socket-exposed",
        severity: Warning,
        tags: ["privilege"],
        fix: None,
        since: "0.1.0",
        reads: [From, Arg, Env, User, Run, Volume],
        per_stage: true,
        check: check,
    }
}

/// The last path components of container daemon sockets.
const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "podman.sock",
    "crio.sock",
    "buildkitd.sock",
    "dockershim.sock",
    "cri-dockerd.sock",
];

/// The daemon socket a path names, if any.
fn socket_of(path: &str) -> Option<&'static str> {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    SOCKETS.iter().copied().find(|s| *s == last)
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for (item, ins) in ctx.instructions() {
        let Some(stage) = ctx.model.item_stage.get(item.index).copied().flatten() else {
            continue;
        };
        match ins.kind {
            Kind::Volume => volumes(ctx, sink, &item, ins, stage),
            Kind::Run => mounts(sink, &item, ins),
            _ => {}
        }
    }
    for stage in ctx.stages() {
        // A variable inherited from the stage it is built on is that stage's finding (it says the same:
        // TLS turned on along this stage's chain is on along that stage's too).
        for v in stage
            .vars
            .iter()
            .filter(|v| v.kind == VarKind::Env && v.name == "DOCKER_HOST" && v.item >= stage.from_item)
        {
            docker_host(ctx, sink, stage.index, v);
        }
    }
}

fn volumes(ctx: &Ctx, sink: &mut Sink, item: &ItemRef, ins: &Instruction, stage: usize) {
    let Args::Paths(paths) = &ins.args else {
        return;
    };
    // (the path as written or decoded, item-relative range to report)
    let words: Vec<(String, TextRange)> = match paths {
        PathList::Exec(arr) => arr
            .items
            .iter()
            .map(|s| {
                let raw = ins.text(&s.span);
                let inner = if raw.len() >= 2 && raw.get(1..raw.len() - 1) == Some(s.value.as_str()) {
                    TextRange::new(s.span.range.start + 1, s.span.range.end - 1)
                } else {
                    s.span.range
                };
                (s.value.clone(), inner)
            })
            .collect(),
        PathList::Words(spans) => spans.iter().map(|s| (ins.text(s).to_string(), s.range)).collect(),
    };
    for (text, range) in words {
        let value = if text.contains('$') {
            match ctx.model.value_in(stage, item.index, &text) {
                Some(v) => v,
                None => continue,
            }
        } else {
            text.trim_matches(|c| c == '"' || c == '\'').to_string()
        };
        if let Some(socket) = socket_of(&value) {
            sink.report(
                item.abs(range),
                "docker-socket-exposed.volume",
                vec![("path", value.clone()), ("socket", socket.to_string())],
            );
        }
    }
}

fn mounts(sink: &mut Sink, item: &ItemRef, ins: &Instruction) {
    for flag in ins.flags.iter().filter(|f| f.name == "mount") {
        let fields = flag.fields();
        let bind = fields
            .iter()
            .find(|f| f.key == "type")
            .is_none_or(|f| f.value.as_deref() == Some("bind"));
        if !bind {
            continue;
        }
        for f in &fields {
            if !matches!(f.key.as_str(), "source" | "src" | "target" | "dst" | "destination") {
                continue;
            }
            let (Some(value), Some(vr)) = (&f.value, f.value_range) else {
                continue;
            };
            if socket_of(value).is_some() {
                sink.report(
                    item.abs(vr),
                    "docker-socket-exposed.mount",
                    vec![("path", value.clone())],
                );
                break;
            }
        }
    }
}

/// `tcp://host:port` → (host, port); the port is `None` when not written.
fn tcp_address(value: &str) -> Option<Option<&str>> {
    let lower = value.get(..6)?.to_ascii_lowercase();
    if lower != "tcp://" {
        return None;
    }
    let rest = &value[6..];
    let hostport = rest.split('/').next().unwrap_or(rest);
    // `[::1]:2375` or `host:2375`
    let port = match hostport.rfind(':') {
        Some(i) if !hostport[i..].contains(']') => Some(&hostport[i + 1..]),
        _ => None,
    };
    Some(port.filter(|p| !p.is_empty()))
}

fn docker_host(ctx: &Ctx, sink: &mut Sink, stage: usize, v: &VarDef) {
    let (Some(value), Some(range)) = (v.value.known(), v.value_range) else {
        return;
    };
    let Some(port) = tcp_address(value) else {
        return;
    };
    // DOCKER_TLS_VERIFY set to a non-empty value anywhere along the stage's chain turns TLS on.
    let tls = ctx.model.chain(stage).iter().any(|&s| {
        ctx.model.stages[s]
            .vars
            .iter()
            .any(|d| d.name == "DOCKER_TLS_VERIFY" && d.value.known() != Some(""))
    });
    let message = match port {
        Some("2375") => "docker-socket-exposed.plain-tcp",
        _ if tls => return,
        _ => "docker-socket-exposed.no-tls",
    };
    sink.report(range, message, vec![("value", value.to_string())]);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_daemon_sockets_as_volumes() {
        check_rule(
            "DW501",
            concat!(
                "FROM docker:28-cli\n",
                "VOLUME /var/run/docker.sock\n",
                "#      ^^^^^^^^^^^^^^^^^^^^ DW501 docker-socket-exposed.volume\n",
                "VOLUME [\"/data\", \"/run/containerd/containerd.sock\"]\n",
                "#                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW501 docker-socket-exposed.volume\n",
                "ARG SOCK=/run/podman/podman.sock\n",
                "VOLUME $SOCK /run/buildkit/buildkitd.sock\n",
                "#      ^^^^^ DW501 docker-socket-exposed.volume\n",
                "#            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW501 docker-socket-exposed.volume\n",
            ),
        );
    }

    #[test]
    fn flags_bind_mounts_of_sockets() {
        check_rule(
            "DW501",
            concat!(
                "FROM docker:28-cli\n",
                "RUN --mount=type=bind,from=host,source=docker.sock,target=/var/run/docker.sock docker ps\n",
                "#                                      ^^^^^^^^^^^ DW501 docker-socket-exposed.mount\n",
                "RUN --mount=target=/run/crio/crio.sock crictl ps\n",
                "#                  ^^^^^^^^^^^^^^^^^^^ DW501 docker-socket-exposed.mount\n",
                "RUN --mount=type=cache,target=/var/cache/docker.sock.d --mount=type=secret,id=docker.sock true\n",
            ),
        );
    }

    #[test]
    fn flags_unencrypted_docker_hosts() {
        check_rule(
            "DW501",
            concat!(
                "FROM docker:28-cli AS plain\n",
                "ENV DOCKER_HOST=tcp://build-host:2375\n",
                "#               ^^^^^^^^^^^^^^^^^^^^^ DW501 docker-socket-exposed.plain-tcp\n",
                "FROM docker:28-cli AS unverified\n",
                "ENV DOCKER_HOST=tcp://build-host:2376\n",
                "#               ^^^^^^^^^^^^^^^^^^^^^ DW501 docker-socket-exposed.no-tls\n",
                "FROM docker:28-cli AS verified\n",
                "ENV DOCKER_HOST=tcp://build-host:2376 DOCKER_TLS_VERIFY=1\n",
                "FROM verified AS child\n",
                "ENV DOCKER_HOST=tcp://[::1]:2375\n",
                "#               ^^^^^^^^^^^^^^^^ DW501 docker-socket-exposed.plain-tcp\n",
                "FROM docker:28-cli AS local\n",
                "ENV DOCKER_HOST=unix:///run/user/1000/docker.sock\n",
            ),
        );
    }

    #[test]
    fn other_volumes_and_mentions_are_clean() {
        check_rule(
            "DW501",
            concat!(
                "FROM docker:28-dind\n",
                "VOLUME /var/lib/docker\n",
                "VOLUME /var/run/docker.sock.d /run/docker\n",
                "RUN docker-debian.sh true /var/run/docker-host.sock /var/run/docker.sock\n",
                "CMD [\"--docker_socket=/var/run/docker.sock\"]\n",
                "ARG DOCKER_HOST=tcp://localhost:2375\n",
            ),
        );
    }
}
