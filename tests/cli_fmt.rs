//! `dockward fmt`: formats files in place with the `[format]` settings of `.dockward.toml`; `--check`
//! writes nothing and exits with 1 when a file would change; files are never written through a link.

use std::fs;
use std::path::PathBuf;

use dockward::cli::{Env, run};

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_fmt").join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn fmt(args: &[&str]) -> (i32, String, String) {
    let env = Env {
        vars: vec![("LANG".into(), "en_US.UTF-8".into())],
        stdout_is_terminal: false,
        today: dockward::date::Date::parse("2026-01-01").unwrap(),
    };
    let mut argv = vec!["dockward".into(), "fmt".into()];
    argv.extend(args.iter().map(Into::into));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(argv, &env, &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

#[test]
fn check_then_format_with_the_project_settings() {
    let d = scratch("project");
    fs::write(d.join(".dockward.toml"), "[format]\ncontinuation-indent = 2\n").unwrap();
    let messy = "from alpine\nrun   apk add curl \\\n        git\n\n\n\nCOPY  a  b";
    fs::write(d.join("Dockerfile"), messy).unwrap();
    fs::write(d.join("clean.Dockerfile"), "FROM alpine\nRUN true\n").unwrap();
    let dir = d.to_str().unwrap();

    let (code, out, err) = fmt(&["--check", dir]);
    assert_eq!((code, err.as_str()), (1, ""), "{out}");
    assert!(
        out.contains("Would reformat") && out.contains("1 of 2 files would be reformatted."),
        "{out}"
    );
    assert_eq!(
        fs::read_to_string(d.join("Dockerfile")).unwrap(),
        messy,
        "--check writes nothing"
    );

    let (code, out, _) = fmt(&[dir]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        fs::read_to_string(d.join("Dockerfile")).unwrap(),
        "from alpine\nrun apk add curl \\\n  git\n\ncopy a b\n"
    );
    let (code, out, _) = fmt(&["--check", dir]);
    assert_eq!(code, 0, "formatted files pass the check: {out}");
    assert!(out.contains("0 of 2 files"), "{out}");
}

#[cfg(unix)]
#[test]
fn never_writes_through_a_symbolic_link() {
    let d = scratch("link");
    let target = d.join("elsewhere.txt");
    fs::write(&target, "run   x\n").unwrap();
    std::os::unix::fs::symlink(&target, d.join("Dockerfile")).unwrap();
    let (code, _, err) = fmt(&[d.join("Dockerfile").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "run   x\n");
}
