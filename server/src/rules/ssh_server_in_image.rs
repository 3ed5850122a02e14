//! DW504 ssh-server-in-image: `EXPOSE 22` or an SSH server package installed.

use crate::rules::{Ctx, Sink, declare_rule};
use crate::shell::packages::{Manager, installed_packages, package_name, removed_later};
use crate::syntax::{Args, Kind};

declare_rule! {
    /// The image exposes port 22 or installs an SSH server.
    ///
    /// ## What it does
    /// Reports
    /// - `EXPOSE 22`, `EXPOSE 22/tcp` and port ranges that contain 22 (`EXPOSE 20-25`), with
    ///   variables expanded from their `ARG` and `ENV` defaults (`EXPOSE $SSH_PORT`);
    /// - installing an SSH server with `apt-get`, `apt`, `apk`, `dnf`, `yum`, `microdnf`, `zypper`
    ///   or `pacman`: `openssh-server` (and its variants such as `openssh-server-pam`), `dropbear`,
    ///   `tinysshd`, and `openssh` with `apk` and `pacman`, where that package includes the server.
    ///   SSH clients (`openssh-client`, `openssh-clients`, `openssh` with `dnf`) are fine, and so is
    ///   a server that the same `RUN` removes again (by name or through its `apk --virtual` group).
    ///
    /// ## Why is this bad?
    /// An SSH server in a container is a second way in that the container runtime does not control:
    /// it needs host keys, accounts, passwords or authorised keys baked into the image or managed
    /// at run time, one more network service to patch, and it usually runs as root next to the
    /// application. Containers are meant to run one process; `docker exec`, `kubectl exec` and
    /// `kubectl debug` give a shell with the platform's authentication and audit instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
    /// EXPOSE 22
    /// CMD ["/usr/sbin/sshd", "-D"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM ubuntu:24.04
    /// COPY app /usr/local/bin/app
    /// CMD ["/usr/local/bin/app"]
    /// # then: docker exec -it <container> bash
    /// ```
    ///
    /// ## References
    /// - [docker exec](https://docs.docker.com/reference/cli/docker/container/exec/)
    /// - CWE-284: Improper Access Control; CWE-1327: Binding to an Unrestricted IP Address
    /// - CIS Docker Benchmark 5.7 "Ensure sshd is not run within containers"
    /// - Trivy DS004 (AVD-DS-0004); Checkov CKV_DOCKER_1
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// イメージがポート 22 を公開しているか、SSH サーバーをインストールしています。
    ///
    /// ### 検出内容
    /// `EXPOSE 22`、`EXPOSE 22/tcp`、22 を含むポート範囲 (`EXPOSE 20-25`) を報告します (変数は `ARG` と `ENV` の既定
    /// 値で展開します)。`apt-get`、`apk`、`dnf`、`yum` などでの SSH サーバーのインストール (`openssh-server`、
    /// `dropbear`、`tinysshd` など) も報告します。SSH クライアントや、
    /// 同じ `RUN` で再び削除されるサーバーは対象外です。
    ///
    /// ### なぜ問題か
    /// コンテナ内の SSH サーバーは、コンテナランタイムが管理しない第二の入口です。ホスト鍵、アカウント、
    /// パスワードや認可済みの鍵をイメージに焼き込むか実行時に管理する必要があり、
    /// パッチを当てるべきネットワークサービスが一つ増え、たいていアプリケーションの隣で root として動きます。
    /// コンテナは一つのプロセスを動かすためのものです。`docker exec`、`kubectl exec`、`kubectl debug` なら、
    /// プラットフォームの認証と監査のもとでシェルを得られます。
    ///
    /// ### 対処法
    /// SSH サーバーをインストールせず、ポート 22 を公開しないでください。コンテナ内での作業には `docker exec -it <コ
    /// ンテナ> bash` や `kubectl exec` を使います。
    pub static SSH_SERVER_IN_IMAGE = {
        code: "DW504",
        name: "ssh-server-in-image",
        severity: Warning,
        tags: ["hardening"],
        fix: None,
        since: "0.1.0",
        also: ["trivy:DS004", "checkov:CKV_DOCKER_1"],
        reads: [From, Arg, Env, User, Run, Expose],
        per_stage: true,
        check: check,
    }
}

/// Whether an `EXPOSE` value (`22`, `22/tcp`, `20-25`) opens TCP port 22.
fn exposes_ssh(value: &str) -> bool {
    let (ports, proto) = value.split_once('/').unwrap_or((value, "tcp"));
    if !proto.eq_ignore_ascii_case("tcp") {
        return false;
    }
    let (lo, hi) = ports.split_once('-').unwrap_or((ports, ports));
    match (lo.parse::<u32>(), hi.parse::<u32>()) {
        (Ok(lo), Ok(hi)) => lo <= 22 && 22 <= hi,
        _ => false,
    }
}

/// Whether a package is an SSH server.
fn is_ssh_server(manager: Manager, name: &str) -> bool {
    name.starts_with("openssh-server")
        || matches!(
            name,
            "dropbear" | "dropbear-bin" | "dropbear-run" | "tinysshd" | "tinyssh"
        )
        || (name == "openssh" && matches!(manager, Manager::Apk | Manager::Pacman))
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for (item, ins) in ctx.instructions() {
        if ins.kind != Kind::Expose {
            continue;
        }
        let (Args::Words(words), Some(stage)) = (&ins.args, ctx.model.item_stage.get(item.index).copied().flatten())
        else {
            continue;
        };
        for span in words {
            let text = ins.text(span);
            let value = if text.contains('$') {
                match ctx.model.value_in(stage, item.index, text) {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                text.to_string()
            };
            if exposes_ssh(&value) {
                sink.report(
                    item.abs(span.range),
                    "ssh-server-in-image.expose",
                    vec![("port", value)],
                );
            }
        }
    }
    for run in ctx.runs() {
        for rs in run.scripts.iter() {
            for (i, c) in rs.script.commands.iter().enumerate() {
                let Some((manager, packages)) = installed_packages(c) else {
                    continue;
                };
                for w in packages {
                    let name = package_name(&w.value);
                    if is_ssh_server(manager, name) && !removed_later(&rs.script.commands, i, name) {
                        sink.report(
                            rs.abs_range(&run.item, w.raw_span),
                            "ssh-server-in-image.package",
                            vec![("package", name.to_string())],
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exposes_ssh;
    use crate::rules::testing::check_rule;

    #[test]
    fn reads_ports_and_ranges() {
        for v in ["22", "22/tcp", "22/TCP", "20-25", "1-1024/tcp"] {
            assert!(exposes_ssh(v), "{v}");
        }
        for v in ["2222", "22/udp", "80", "23-25", "x", "", "-22"] {
            assert!(!exposes_ssh(v), "{v}");
        }
    }

    #[test]
    fn flags_the_ssh_port() {
        check_rule(
            "DW504",
            concat!(
                "FROM ubuntu:24.04\n",
                "EXPOSE 80 22/tcp 8000-8080\n",
                "#         ^^^^^^ DW504 ssh-server-in-image.expose\n",
                "ARG SSH_PORT=22\n",
                "EXPOSE ${SSH_PORT} 20-25\n",
                "#      ^^^^^^^^^^^ DW504 ssh-server-in-image.expose\n",
                "#                  ^^^^^ DW504 ssh-server-in-image.expose\n",
                "EXPOSE 2222 22/udp\n",
            ),
        );
    }

    #[test]
    fn flags_ssh_server_packages() {
        check_rule(
            "DW504",
            concat!(
                "FROM ubuntu:24.04\n",
                "RUN apt-get update && apt-get install -y --no-install-recommends openssh-server=1:9.6p1-3ubuntu13 curl\n",
                "#                                                                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW504 ssh-server-in-image.package\n",
                "FROM alpine:3.22\n",
                "RUN apk add --no-cache openssh dropbear\n",
                "#                      ^^^^^^^ DW504 ssh-server-in-image.package\n",
                "#                              ^^^^^^^^ DW504 ssh-server-in-image.package\n",
                "FROM rockylinux:9\n",
                "RUN dnf install -y openssh openssh-clients openssh-server && dnf clean all\n",
                "#                                          ^^^^^^^^^^^^^^ DW504 ssh-server-in-image.package\n",
            ),
        );
    }

    #[test]
    fn ssh_clients_are_clean() {
        check_rule(
            "DW504",
            concat!(
                "FROM debian:trixie-slim\n",
                "RUN apt-get install -y openssh-client git && apt-get purge -y openssh-server\n",
                "FROM alpine:3.22\n",
                "RUN apk add --no-cache openssh-client openssh-keygen\n",
                "RUN echo 'install openssh-server later'\n",
                "RUN apk add --virtual .fetch openssh git && git clone ssh://example.com/x && apk del .fetch\n",
                "EXPOSE 8080\n",
            ),
        );
    }
}
