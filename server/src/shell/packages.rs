//! Which packages a package-manager command installs: `apt-get install`, `apt install`, `aptitude install`,
//! `apk add`, `yum`/`dnf`/`microdnf`/`tdnf install`, `zypper install`/`in` and `pacman -S`. Options and their
//! values are skipped (`apk add --virtual .build-deps`, `apt-get -o Dpkg::Options::=x`), so only package
//! operands are returned.

use super::{Command, Word};

/// A package manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manager {
    /// `apt-get`, `apt`, `aptitude` (Debian, Ubuntu).
    Apt,
    /// `apk` (Alpine, Wolfi).
    Apk,
    /// `yum`, `dnf`, `microdnf`, `tdnf` (Fedora, RHEL, Amazon Linux, Photon).
    Rpm,
    /// `zypper` (openSUSE, SLES).
    Zypper,
    /// `pacman` (Arch).
    Pacman,
}

/// Options that take a separate value, per manager.
fn options_with_value(m: Manager) -> &'static [&'static str] {
    match m {
        Manager::Apt => &[
            "-o",
            "-t",
            "-c",
            "-a",
            "--option",
            "--target-release",
            "--default-release",
            "--config-file",
            "--host-architecture",
        ],
        Manager::Apk => &[
            "-X",
            "-t",
            "-p",
            "--repository",
            "--virtual",
            "--root",
            "--arch",
            "--cache-dir",
            "--keys-dir",
            "--repositories-file",
        ],
        Manager::Rpm => &[
            "-x",
            "-c",
            "--exclude",
            "--setopt",
            "--enablerepo",
            "--disablerepo",
            "--releasever",
            "--installroot",
            "--config",
            "--repo",
            "--repoid",
        ],
        Manager::Zypper => &["-r", "-t", "--repo", "--from", "--type", "--root"],
        Manager::Pacman => &["-b", "-r", "--dbpath", "--root", "--cachedir", "--config", "--arch"],
    }
}

/// The package manager a command runs and whether the command installs packages.
fn install_command(cmd: &Command) -> Option<(Manager, usize)> {
    let m = match cmd.name() {
        "apt-get" | "apt" | "aptitude" => Manager::Apt,
        "apk" => Manager::Apk,
        "yum" | "dnf" | "microdnf" | "tdnf" => Manager::Rpm,
        "zypper" => Manager::Zypper,
        "pacman" => Manager::Pacman,
        _ => return None,
    };
    let args = cmd.args();
    let with_value = options_with_value(m);
    if m == Manager::Pacman {
        // `pacman -S pkg`, `-Syu pkg`, `--sync pkg`; not `-Ss` (search), `-Si` (info), `-Sc` (clean) ...
        let sync = args.iter().any(|w| {
            let v = w.value.as_str();
            v == "--sync"
                || (v.starts_with("-S") && !v.starts_with("--") && !v[2..].bytes().any(|b| b"sigclp".contains(&b)))
        });
        return sync.then_some((m, 0));
    }
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        if v.starts_with('-') {
            i += if with_value.contains(&v) { 2 } else { 1 };
            continue;
        }
        let installs = match m {
            Manager::Apt | Manager::Rpm => v == "install",
            Manager::Apk => v == "add",
            Manager::Zypper => v == "install" || v == "in",
            Manager::Pacman => false,
        };
        return installs.then_some((m, i + 1));
    }
    None
}

/// The package operands of an install command (empty for any other command), with the manager.
pub fn installed_packages(cmd: &Command) -> Option<(Manager, Vec<&Word>)> {
    let (m, from) = install_command(cmd)?;
    let args = cmd.args();
    let with_value = options_with_value(m);
    let mut out = Vec::new();
    let mut i = from;
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        if v == "--" {
            i += 1;
            continue;
        }
        if v.starts_with('-') {
            i += if with_value.contains(&v) { 2 } else { 1 };
            continue;
        }
        out.push(w);
        i += 1;
    }
    Some((m, out))
}

/// The package names a command removes: `apt-get remove`/`purge`, `apk del`, `yum`/`dnf` `remove`/`erase`,
/// `zypper remove`/`rm`, `pacman -R`.
pub fn removed_packages(cmd: &Command) -> Vec<&str> {
    let m = match cmd.name() {
        "apt-get" | "apt" | "aptitude" => Manager::Apt,
        "apk" => Manager::Apk,
        "yum" | "dnf" | "microdnf" | "tdnf" => Manager::Rpm,
        "zypper" => Manager::Zypper,
        "pacman" => Manager::Pacman,
        _ => return Vec::new(),
    };
    let args = cmd.args();
    let with_value = options_with_value(m);
    let mut i = 0;
    let mut removing = false;
    let mut out = Vec::new();
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        if v.starts_with('-') {
            if m == Manager::Pacman && (v == "--remove" || (v.starts_with("-R") && !v.starts_with("--"))) {
                removing = true;
            }
            i += if with_value.contains(&v) { 2 } else { 1 };
            continue;
        }
        if removing {
            out.push(package_name(v));
        } else if m != Manager::Pacman {
            removing = match m {
                Manager::Apt => matches!(v, "remove" | "purge"),
                Manager::Apk => v == "del",
                Manager::Rpm => matches!(v, "remove" | "erase"),
                Manager::Zypper => matches!(v, "remove" | "rm"),
                Manager::Pacman => false,
            };
            if !removing {
                return out;
            }
        }
        i += 1;
    }
    out
}

/// The name of the virtual package an `apk add --virtual NAME` (`-t NAME`) groups its packages under.
pub fn virtual_group(cmd: &Command) -> Option<&str> {
    if cmd.name() != "apk" {
        return None;
    }
    cmd.flag(&["--virtual", "-t"]).map(|f| f.value())
}

/// Whether a package that `commands[index]` installs is removed again by a later command of the same script
/// (by name, or through its `apk --virtual` group): then it never reaches the image.
pub fn removed_later(commands: &[Command], index: usize, name: &str) -> bool {
    let Some(install) = commands.get(index) else {
        return false;
    };
    let group = virtual_group(install);
    commands
        .get(index + 1..)
        .unwrap_or(&[])
        .iter()
        .any(|c| removed_packages(c).iter().any(|r| *r == name || Some(*r) == group))
}

/// The package name of an operand without version, release or architecture (`sudo=1.9.13p3-1` → `sudo`,
/// `openssh-server~9` → `openssh-server`, `curl:amd64` → `curl`).
pub fn package_name(operand: &str) -> &str {
    let end = operand.find(['=', '<', '>', '~', '@', ':']).unwrap_or(operand.len());
    &operand[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::parse;

    fn packages(script: &str) -> Vec<String> {
        let s = parse(script);
        s.commands
            .iter()
            .filter_map(installed_packages)
            .flat_map(|(_, ws)| ws.into_iter().map(|w| package_name(&w.value).to_string()))
            .collect()
    }

    #[test]
    fn finds_the_packages_of_every_manager() {
        assert_eq!(
            packages("apt-get -o Dpkg::Options::=--force-confnew install -y --no-install-recommends sudo curl=7.88"),
            ["sudo", "curl"]
        );
        assert_eq!(
            packages("apk add --no-cache --virtual .build-deps gcc openssh-server~9"),
            ["gcc", "openssh-server"]
        );
        assert_eq!(
            packages("dnf -y --setopt tsflags=nodocs install openssh-server"),
            ["openssh-server"]
        );
        assert_eq!(packages("zypper --non-interactive in -y sudo"), ["sudo"]);
        assert_eq!(packages("pacman -Syu --noconfirm openssh"), ["openssh"]);
        assert_eq!(packages("sudo apt install -y dropbear"), ["dropbear"]);
    }

    #[test]
    fn finds_packages_removed_in_the_same_script() {
        let removed = |script: &str, name: &str| {
            let s = parse(script);
            let at = s
                .commands
                .iter()
                .position(|c| {
                    installed_packages(c).is_some_and(|(_, ws)| ws.iter().any(|w| package_name(&w.value) == name))
                })
                .expect("an install");
            removed_later(&s.commands, at, name)
        };
        assert!(removed(
            "apt-get install -y sudo && make && apt-get purge -y --auto-remove sudo",
            "sudo"
        ));
        assert!(removed(
            "apk add --no-cache --virtual .deps openssh gcc && make && apk del --no-network .deps",
            "openssh"
        ));
        assert!(removed(
            "dnf install -y openssh-server; dnf -y remove openssh-server",
            "openssh-server"
        ));
        assert!(removed(
            "pacman -S --noconfirm openssh && pacman -Rns --noconfirm openssh",
            "openssh"
        ));
        assert!(!removed("apt-get install -y sudo && apt-get purge -y curl", "sudo"));
        assert!(!removed(
            "apk add --virtual .deps gcc && apk add openssh && apk del .deps",
            "openssh"
        ));
        assert!(!removed("apt-get install -y sudo && apt-get autoremove -y", "sudo"));
    }

    #[test]
    fn other_subcommands_install_nothing() {
        assert!(packages("apt-get remove -y sudo").is_empty());
        assert!(packages("apk del openssh-server").is_empty());
        assert!(packages("pacman -Ss openssh").is_empty());
        assert!(packages("yum update -y").is_empty());
        assert!(packages("echo install sudo").is_empty());
    }
}
