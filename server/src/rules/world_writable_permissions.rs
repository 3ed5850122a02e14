//! DW503 world-writable-permissions: `chmod 777` and every other mode that lets any user write.

use crate::diagnostic::Severity;
use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::shell::{Command, RunScript, Word, basename};
use crate::syntax::{Args, Instruction, ItemRef, Kind, PathList};
use crate::text::TextRange;

declare_rule! {
    /// A file mode that lets every user write: `chmod 777`, `chmod o+w`, `COPY --chmod=666`.
    ///
    /// ## What it does
    /// Reads the modes that `RUN` commands and `COPY`/`ADD` give to files and reports those with the
    /// write bit for others:
    /// - `chmod` (and `find … -exec chmod`) with an octal mode whose last digit has the write bit
    ///   (`777`, `0777`, `666`, `-R 777`, `0622`), or a symbolic mode that adds write for others:
    ///   `o+w`, `a+w`, `a=rwx`, `ugo+rwX`, `o=rw` (clauses are applied in order, so `a+w,o-w` is
    ///   fine). `+w` without `u`, `g`, `o` or `a` is not reported: it follows the umask, which
    ///   normally keeps others from writing;
    /// - `install -m`/`--mode` and `mkdir -m`/`--mode` with such a mode;
    /// - `COPY --chmod=…` and `ADD --chmod=…` with such a mode (octal or symbolic).
    ///
    /// Directories made world-writable with the sticky bit (`1777`, `+t`) are the shared scratch
    /// pattern of `/tmp`: under a temporary path (`/tmp`, `/var/tmp`, `/dev/shm`, `$TMPDIR`,
    /// `$tempDir`) they are not reported, elsewhere they are reported as information. A mode given
    /// to a path that the same `RUN` deletes later (a temporary build directory) is not reported:
    /// it never reaches the image. Modes written with variables are not reported.
    ///
    /// ## Why is this bad?
    /// A world-writable file can be changed by every user in the container. A process running as
    /// an unprivileged user, or an attacker who exploits one, can then replace programs, libraries,
    /// scripts or configuration that other users (often root) run or read, and escalate their
    /// privileges or persist. Without the sticky bit, anyone can also delete or rename other
    /// users' files in a world-writable directory. `chmod -R 777` is usually a shortcut around an
    /// ownership problem that `chown` or `COPY --chown` solves properly.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY --chmod=777 . .
    /// RUN chmod -R 777 /app/data
    /// USER node
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY --chmod=755 . .
    /// RUN mkdir -p /app/data && chown node:node /app/data
    /// USER node
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference: COPY --chmod](https://docs.docker.com/reference/dockerfile/#copy---chmod)
    /// - CWE-732: Incorrect Permission Assignment for Critical Resource; CWE-276: Incorrect Default
    ///   Permissions
    /// - CIS Docker Benchmark 4.8 "Ensure setuid and setgid permissions are removed" (the same
    ///   hardening of file modes in images)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// すべてのユーザーに書き込みを許すファイルモードです (`chmod 777`、`chmod o+w`、`COPY --chmod=666`)。
    ///
    /// ### 検出内容
    /// `RUN` のコマンドや `COPY`/`ADD` がファイルに与えるモードを読み、
    /// その他のユーザーの書き込みビットが立っているものを報告します。対象は `chmod` (`find … -exec chmod` も含
    /// む) の 8 進数モード (`777`、`666`、`-R 777` など) やその他のユーザーに書き込みを加えるシンボリックモー
    /// ド (`o+w`、`a+w`、`a=rwx` など)、`install -m` や `mkdir -m`、そして `COPY --chmod` と `ADD --chmod` です。
    /// スティッキービット付きで誰でも書き込めるディレクトリ (`1777`、`+t`) は `/tmp` と同じ共有の作業領域の形なので、
    /// 一時パス (`/tmp`、`/var/tmp`、`/dev/shm` など) の下では報告せず、それ以外では情報として報告します。
    /// 同じ `RUN` が後で削除するパスや、変数で書かれたモードも対象外です。
    ///
    /// ### なぜ問題か
    /// 誰でも書き込めるファイルは、コンテナ内のすべてのユーザーが変更できます。
    /// 非特権ユーザーで動くプロセスやそれを攻略した攻撃者が、他のユーザー (多くは root) が実行・参照するプログラム、
    /// ライブラリ、スクリプト、設定を書き換え、権限昇格や永続化に使えます。
    /// スティッキービットのない誰でも書き込めるディレクトリでは、他のユーザーのファイルを削除したり名前を変えたりもで
    /// きます。`chmod -R 777` は多くの場合、所有者の問題を回避する近道で、本来は `chown` や `COPY --chown` で解決すべ
    /// きものです。
    ///
    /// ### 対処法
    /// 必要なユーザーにだけ書き込みを許してください。ファイルは `755` や `644` にし、
    /// 書き込みが必要なディレクトリは `chown` や `COPY --chown` でアプリケーションのユーザーの所有にします。
    pub static WORLD_WRITABLE_PERMISSIONS = {
        code: "DW503",
        name: "world-writable-permissions",
        severity: Warning,
        tags: ["hardening"],
        fix: None,
        since: "0.1.0",
        instruction_check: check,
    }
}

/// What a mode does to others' write bit and to the sticky bit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Mode {
    world_writable: bool,
    sticky: bool,
}

/// An octal mode (`777`, `0666`, `1777`).
fn octal(s: &str) -> Option<Mode> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    let v = u32::from_str_radix(s, 8).ok().filter(|v| *v <= 0o7777)?;
    Some(Mode {
        world_writable: v & 0o002 != 0,
        sticky: v & 0o1000 != 0,
    })
}

/// A symbolic mode (`u+rwx,o+w`, `a=rwX`), applied clause by clause to a mode whose others' write bit
/// is off. `None` when it is not a valid mode.
fn symbolic(s: &str) -> Option<Mode> {
    let mut mode = Mode::default();
    for clause in s.split(',') {
        let b = clause.as_bytes();
        let mut i = 0;
        while i < b.len() && b"ugoa".contains(&b[i]) {
            i += 1;
        }
        let who = &b[..i];
        let others = who.contains(&b'o') || who.contains(&b'a');
        if i == b.len() {
            return None;
        }
        while i < b.len() {
            let op = b[i];
            if !b"+-=".contains(&op) {
                return None;
            }
            i += 1;
            let start = i;
            while i < b.len() && b"rwxXstugo".contains(&b[i]) {
                i += 1;
            }
            let perms = &b[start..i];
            // `o=u` copies bits this analysis does not know: stay with what is known.
            if perms.iter().any(|p| b"ugo".contains(p)) {
                continue;
            }
            let w = perms.contains(&b'w');
            let t = perms.contains(&b't');
            if others {
                match op {
                    b'+' if w => mode.world_writable = true,
                    b'-' if w => mode.world_writable = false,
                    b'=' => mode.world_writable = w,
                    _ => {}
                }
            } else if who.is_empty() && op == b'-' && w {
                mode.world_writable = false;
            }
            match op {
                b'+' if t => mode.sticky = true,
                b'-' if t => mode.sticky = false,
                b'=' if others || who.is_empty() => mode.sticky = t,
                _ => {}
            }
        }
    }
    Some(mode)
}

fn parse_mode(s: &str) -> Option<Mode> {
    if s.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        octal(s)
    } else {
        symbolic(s)
    }
}

/// A path component that names a temporary directory (`/tmp`, `$TMPDIR`, `"$tempDir"`, `tmp.XXXX`).
fn is_temporary(path: &str) -> bool {
    path.split('/').any(|c| {
        let c = c
            .trim_matches(|ch: char| matches!(ch, '$' | '{' | '}' | '"' | '\''))
            .to_ascii_lowercase();
        matches!(c.as_str(), "tmp" | "temp" | "tmpdir" | "tempdir" | "shm") || c.starts_with("tmp.")
    })
}

/// A mode found: where it is written, the mode, and the paths it applies to.
struct Found<'a> {
    /// The script range of the mode.
    span: TextRange,
    text: String,
    mode: Mode,
    paths: Vec<&'a Word>,
}

/// `chmod [options] MODE file...` given its arguments.
fn chmod_args(args: &[Word]) -> Option<Found<'_>> {
    let mut mode_at = None;
    for (i, w) in args.iter().enumerate() {
        let v = w.value.as_str();
        if v.starts_with("--reference") {
            return None;
        }
        if v.starts_with("--") {
            continue;
        }
        if v.len() > 1 && v.starts_with('-') && v[1..].bytes().all(|b| b"RfvchHLP".contains(&b)) {
            continue;
        }
        mode_at = Some(i);
        break;
    }
    let i = mode_at?;
    let w = &args[i];
    if w.has_expansion {
        return None;
    }
    let mode = parse_mode(&w.value)?;
    let paths = args[i + 1..]
        .iter()
        .take_while(|a| a.value != ";" && a.value != "+")
        .filter(|a| !a.value.starts_with('-'))
        .collect();
    Some(Found {
        span: w.raw_span,
        text: w.value.clone(),
        mode,
        paths,
    })
}

/// The modes a command sets.
fn command_modes(c: &Command) -> Option<Found<'_>> {
    let args = c.args();
    match c.name() {
        "chmod" => chmod_args(args),
        "find" => {
            let at = args.iter().position(|w| w.value == "-exec" || w.value == "-execdir")?;
            let next = args.get(at + 1)?;
            (basename(&next.value) == "chmod")
                .then(|| chmod_args(&args[at + 2..]))
                .flatten()
        }
        "install" | "mkdir" => {
            let f = c.flag(&["-m", "--mode"])?;
            if f.word.has_expansion {
                return None;
            }
            let mode = parse_mode(f.value())?;
            let paths = args
                .iter()
                .filter(|w| !w.value.starts_with('-') && !std::ptr::eq(*w, f.word))
                .collect();
            Some(Found {
                span: f.range(),
                text: f.value().to_string(),
                mode,
                paths,
            })
        }
        _ => None,
    }
}

/// Whether a later `rm` of the same script deletes every one of `paths`.
fn removed_later(rs: &RunScript, index: usize, paths: &[&Word]) -> bool {
    !paths.is_empty()
        && paths.iter().all(|p| {
            rs.script.commands[index + 1..]
                .iter()
                .any(|c| c.name() == "rm" && c.args().iter().any(|a| a.value == p.value))
        })
}

fn check(_: &Ctx, run: &Instr, sink: &mut Sink) {
    for rs in run.scripts {
        for (i, c) in rs.script.commands.iter().enumerate() {
            let Some(found) = command_modes(c) else {
                continue;
            };
            if !found.mode.world_writable || removed_later(rs, i, &found.paths) {
                continue;
            }
            let temporary = !found.paths.is_empty() && found.paths.iter().all(|p| is_temporary(&p.value));
            report(
                sink,
                rs.abs_range(&run.item, found.span),
                found.text,
                found.mode,
                temporary,
            );
        }
    }
    if matches!(run.ins.kind, Kind::Copy | Kind::Add) {
        copy_chmod(sink, &run.item, run.ins);
    }
}

fn copy_chmod(sink: &mut Sink, item: &ItemRef, ins: &Instruction) {
    let Some(flag) = ins.flag("chmod") else {
        return;
    };
    let (Some(value), Some(range)) = (&flag.value, flag.value_range) else {
        return;
    };
    if value.contains('$') {
        return;
    }
    let Some(mode) = parse_mode(value) else {
        return;
    };
    if !mode.world_writable {
        return;
    }
    let dest = match &ins.args {
        Args::Paths(PathList::Exec(arr)) => arr.items.last().map(|s| s.value.clone()),
        Args::Paths(PathList::Words(spans)) => spans.last().map(|s| ins.text(s).to_string()),
        _ => None,
    };
    let temporary = dest.is_some_and(|d| is_temporary(&d));
    report(sink, item.abs(range), value.clone(), mode, temporary);
}

fn report(sink: &mut Sink, range: TextRange, mode_text: String, mode: Mode, temporary: bool) {
    if range.is_empty() {
        return;
    }
    if mode.sticky {
        if !temporary {
            sink.report(range, "world-writable-permissions.sticky", vec![("mode", mode_text)])
                .severity(Severity::Info);
        }
        return;
    }
    sink.report(range, "world-writable-permissions", vec![("mode", mode_text)]);
}

#[cfg(test)]
mod tests {
    use super::{Mode, octal, symbolic};
    use crate::rules::testing::check_rule;

    fn ww(m: Option<Mode>) -> bool {
        m.is_some_and(|m| m.world_writable)
    }

    #[test]
    fn reads_octal_and_symbolic_modes() {
        for m in ["777", "0777", "666", "0622", "1777", "2777", "0002", "00777"] {
            assert!(ww(octal(m)), "{m}");
        }
        for m in ["755", "0644", "775", "1775", "4755", "8", "77777", ""] {
            assert!(!ww(octal(m)), "{m}");
        }
        for m in ["o+w", "a+w", "a=rwx", "ugo+rwX", "o=rw", "u+x,o+w", "go+w", "a+rwt"] {
            assert!(ww(symbolic(m)), "{m}");
        }
        for m in [
            "+w", "u+w", "g+w", "a+w,o-w", "a+rw,-w", "o-w", "o=r", "o=u", "a+x", "=rwx", "ox", "a+q",
        ] {
            assert!(!ww(symbolic(m)), "{m}");
        }
        assert!(symbolic("a+rwxt").is_some_and(|m| m.sticky));
        assert!(octal("1777").is_some_and(|m| m.sticky));
    }

    #[test]
    fn flags_world_writable_modes_in_run() {
        check_rule(
            "DW503",
            concat!(
                "FROM debian:trixie-slim\n",
                "RUN mkdir -p /app/data && chmod -R 777 /app/data\n",
                "#                                  ^^^ DW503 world-writable-permissions\n",
                "RUN chmod a+rwX,o+w /srv && chmod 0666 /etc/app.conf\n",
                "#         ^^^^^^^^^ DW503 world-writable-permissions\n",
                "#                                 ^^^^ DW503 world-writable-permissions\n",
                "RUN install -d -m 0777 /var/log/app && mkdir --mode=a+w /var/spool/app\n",
                "#                 ^^^^ DW503 world-writable-permissions\n",
                "#                                                   ^^^ DW503 world-writable-permissions\n",
                "RUN find /opt/app -type d -exec chmod 777 {} +\n",
                "#                                     ^^^ DW503 world-writable-permissions\n",
                "RUN chmod 777 /tmp\n",
                "#         ^^^ DW503 world-writable-permissions\n",
            ),
        );
    }

    #[test]
    fn flags_copy_and_add_modes() {
        check_rule(
            "DW503",
            concat!(
                "FROM alpine:3.22\n",
                "COPY --chmod=777 app /usr/local/bin/app\n",
                "#            ^^^ DW503 world-writable-permissions\n",
                "ADD --chmod=o+w conf.tar /etc/app/\n",
                "#           ^^^ DW503 world-writable-permissions\n",
                "COPY --chmod=1777 scratch/ /srv/shared/\n",
                "#            ^^^^ DW503 world-writable-permissions.sticky\n",
                "COPY --chmod=755 --chown=app:app entrypoint.sh /\n",
            ),
        );
    }

    #[test]
    fn sticky_directories_under_temporary_paths_are_clean() {
        check_rule(
            "DW503",
            concat!(
                "FROM php:8.4-apache\n",
                "RUN mkdir -p /tmp/cache && chmod 1777 /tmp/cache /var/tmp\n",
                "RUN chmod a+rwxt \"$TMPDIR\" && install -d -m 1777 /dev/shm/app\n",
                "RUN chmod 1777 /var/www/html\n",
                "#         ^^^^ DW503 world-writable-permissions.sticky\n",
            ),
        );
    }

    #[test]
    fn safe_modes_and_deleted_paths_are_clean() {
        check_rule(
            "DW503",
            concat!(
                "FROM debian:trixie-slim\n",
                "RUN chmod 755 /usr/local/bin/app && chmod +w /etc/app.conf && chmod -R g+w /srv\n",
                "RUN chmod --reference=/etc/passwd /etc/app && chmod \"$MODE\" /x && chmod u+rwx,go-w /y\n",
                "RUN d=\"$(mktemp -d)\" && chmod 777 \"$d\" && make -C \"$d\" && rm -rf \"$d\"\n",
                "RUN echo 'chmod 777 /x' > /notes.txt\n",
                "COPY --chmod=644 a /a\n",
            ),
        );
    }
}
