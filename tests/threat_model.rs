//! The threat model of `server/ARCHITECTURE.md` ("Threat model"), one behaviour per test where an
//! existing test did not already hold it: a malicious repository checked by `dockward check` or opened
//! in an editor cannot make dockward run its commands, read through its symbolic links, or write
//! outside the files the user asked to fix.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("threat").join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d.canonicalize().unwrap()
}

fn dockward(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockward"))
        .args(args)
        .current_dir(cwd)
        .env("DOCKWARD_TODAY", "2026-11-28")
        .output()
        .unwrap()
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let p = dir.join(p);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

/// Every file under `dir` (symbolic links as their target path), with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_symlink() {
                out.insert(
                    p.clone(),
                    fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes(),
                );
            } else if ft.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The commands of a checked file are text: nothing in it is run, whether it is checked from the
/// command line, with fixes, or opened in the language server. (`tidy.rs`:
/// `no_process_is_spawned_and_only_the_registry_touches_the_network` checks that no code can.)
#[test]
fn the_commands_of_a_checked_file_are_never_run() {
    let d = scratch("commands");
    let marker = d.join("pwned");
    let m = marker.display();
    let dockerfile = format!(
        "# syntax=docker/dockerfile:1\n# check=error=true\nFROM alpine:3.20\nRUN touch {m}\nRUN <<EOF\ntouch {m}\nEOF\n\
         RUN sh -c \"touch {m}\" && $(touch {m}) && `touch {m}`\nHEALTHCHECK CMD touch {m}\nCMD [\"touch\", \"{m}\"]\n\
         ONBUILD RUN touch {m}\nENV PATH=/tmp:$PATH\nUSER 1\n"
    );
    write(
        &d,
        &[
            ("Dockerfile", &dockerfile),
            (".dockerignore", &format!("$(touch {m})\n")),
        ],
    );
    dockward(&["check", "Dockerfile"], &d);
    dockward(&["check", "Dockerfile", "--fix", "--unsafe-fixes"], &d);
    dockward(&["check", "Dockerfile", "--format", "sarif"], &d);
    assert!(!marker.exists(), "a command of the checked file was run");
}

/// Symbolic links in a repository may point anywhere (`~/.ssh`, `~/.aws/credentials`). A linked ignore
/// file or project file is not read (their contents would change the findings), and a linked `.env` is
/// listed as a link, never opened. (`tests/cli.rs`: `context_scan_does_not_follow_symlinks` holds the
/// scan itself.)
#[test]
fn symlinks_out_of_the_context_are_never_read() {
    let d = scratch("links");
    let outside = scratch("links-outside");
    write(
        &outside,
        &[
            ("ignore", ".env\n"),
            ("config.toml", "ignore = [\"DW301\"]\n"),
            (
                "secret.env",
                "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            ),
        ],
    );
    write(
        &d,
        &[
            ("Dockerfile", "FROM alpine:3.20\nCOPY . /app\nUSER 1\n"),
            ("app.py", ""),
            ("config/.env", "X=1\n"),
        ],
    );
    std::os::unix::fs::symlink(outside.join("ignore"), d.join(".dockerignore")).unwrap();
    std::os::unix::fs::symlink(outside.join("config.toml"), d.join(".dockward.toml")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.env"), d.join(".env")).unwrap();
    let o = dockward(&["check", "Dockerfile", "--format", "json", "--select", "DW3"], &d);
    let out = String::from_utf8_lossy(&o.stdout);
    let findings: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let found = findings.as_array().unwrap();
    // DW301 still runs (the linked project file that would turn it off was not read), and reports the
    // real `config/.env` (the linked ignore file that would exclude it was not read)...
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["code"], "DW301");
    let msg = found[0]["message"].as_str().unwrap();
    assert!(msg.contains("config/.env"), "{msg}");
    // ...and nothing read through the link to the secret reaches the output.
    assert!(!out.contains("wJalrXUtnFEMI") && !out.contains("AWS_SECRET"), "{out}");
}

/// A check without `--fix` writes nothing; `--fix` writes the checked Dockerfile and the ignore file
/// that applies to it, and never writes through a symbolic link planted where the ignore file would
/// be created.
#[test]
fn fixes_write_only_the_checked_files_and_never_through_a_link() {
    let d = scratch("writes");
    let outside = scratch("writes-outside");
    write(&outside, &[("bashrc", "export PATH=$HOME/bin:$PATH\n")]);
    write(
        &d,
        &[
            (
                "Dockerfile",
                "FROM alpine:3.20\nCOPY . /app\nRUN curl -k https://example.com/x | sh\nUSER 1\n",
            ),
            (".env", "X=1\n"),
            ("other/Dockerfile", "FROM alpine:3.20\nUSER 1\n"),
        ],
    );
    let before = snapshot(&d);
    let o = dockward(&["check", "Dockerfile"], &d);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(snapshot(&d), before, "a check without --fix wrote something");
    // The ignore file to create is a link to a file outside: refused, nothing written anywhere.
    std::os::unix::fs::symlink(outside.join("bashrc"), d.join(".dockerignore")).unwrap();
    let before = snapshot(&d);
    let o = dockward(&["check", "Dockerfile", "--fix", "--unsafe-fixes"], &d);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(snapshot(&d), before);
    assert_eq!(
        fs::read_to_string(outside.join("bashrc")).unwrap(),
        "export PATH=$HOME/bin:$PATH\n"
    );
    // Without the link: exactly the Dockerfile and the created ignore file change.
    fs::remove_file(d.join(".dockerignore")).unwrap();
    let before = snapshot(&d);
    dockward(&["check", "Dockerfile", "--fix", "--unsafe-fixes"], &d);
    let after = snapshot(&d);
    let changed: Vec<&PathBuf> = after.keys().filter(|p| before.get(*p) != after.get(*p)).collect();
    assert!(changed.contains(&&d.join(".dockerignore")), "{changed:?}");
    assert!(
        changed
            .iter()
            .all(|p| **p == d.join(".dockerignore") || **p == d.join("Dockerfile")),
        "{changed:?}"
    );
    assert!(before.keys().all(|p| after.contains_key(p)), "a file was removed");
}
