//! Digest resolution against a real registry (tests/support/registry.rs starts one on 127.0.0.1): the
//! resolver, and `dockward check --fix --resolve-digests`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use dockward::model::image::ImageRef;
use dockward::registry::{RegistryConfig, RegistryError, Resolver};
use support::registry::{free_port, registry};

fn image(s: &str) -> ImageRef {
    ImageRef::parse(s).unwrap()
}

#[test]
fn resolves_the_index_digest_of_a_multi_platform_image() {
    let reg = registry();
    let mut r = reg.resolver();
    let got = r.resolve(&image("alpine:3.22")).unwrap();
    assert_eq!(got.digest, reg.digest("library/alpine:3.22"));
    assert_eq!(
        got.media_type.as_deref(),
        Some("application/vnd.oci.image.index.v1+json")
    );
    assert!(!got.from_cache);
}

#[test]
fn resolves_single_manifests_and_namespaced_repositories() {
    let reg = registry();
    let mut r = reg.resolver();
    assert_eq!(
        r.resolve(&image("docker.io/library/busybox:1.37")).unwrap().digest,
        reg.digest("library/busybox:1.37")
    );
    assert_eq!(
        r.resolve(&image("acme/app:1.0")).unwrap().digest,
        reg.digest("acme/app:1.0")
    );
    // A direct reference to the registry by address, allowed over http because it is listed.
    let mut c = RegistryConfig::default();
    c.insecure.push(format!("127.0.0.1:{}", reg.port));
    let mut direct = Resolver::new(c);
    let got = direct
        .resolve(&image(&format!("127.0.0.1:{}/acme/app:1.0", reg.port)))
        .unwrap();
    assert_eq!(got.digest, reg.digest("acme/app:1.0"));
}

#[test]
fn answers_come_from_the_cache_the_second_time() {
    let reg = registry();
    let mut r = reg.resolver();
    let first = r.resolve(&image("busybox:1.37")).unwrap();
    let sent = r.requests_sent();
    let second = r.resolve(&image("busybox:1.37")).unwrap();
    assert_eq!(first.digest, second.digest);
    assert!(second.from_cache);
    assert_eq!(r.requests_sent(), sent, "the cache answered");
}

#[test]
fn missing_tags_and_repositories_are_not_found() {
    let reg = registry();
    let mut r = reg.resolver();
    for missing in ["alpine:0.0-nope", "nobody/nothing:1"] {
        match r.resolve(&image(missing)) {
            Err(RegistryError::NotFound { .. }) => {}
            other => panic!("{missing}: {other:?}"),
        }
    }
}

#[test]
fn plain_http_is_refused_unless_allowed() {
    let reg = registry();
    let mut r = Resolver::new(RegistryConfig::default());
    // https to a plain-http registry: a TLS or protocol error, never a digest.
    let got = r.resolve(&image(&format!("127.0.0.1:{}/acme/app:1.0", reg.port)));
    assert!(got.is_err(), "{got:?}");
}

#[test]
fn offline_mode_and_unreachable_hosts_fail_with_a_clear_reason() {
    let reg = registry();
    let mut c = RegistryConfig::default();
    c.mirrors.insert("docker.io".into(), reg.url());
    c.offline = true;
    let mut r = Resolver::new(c);
    let e = r.resolve(&image("alpine:3.22")).unwrap_err();
    assert!(matches!(e, RegistryError::Offline { .. }), "{e:?}");
    assert_eq!(r.requests_sent(), 0);
    // A port where nothing listens.
    let dead = free_port();
    let mut c = RegistryConfig::default();
    c.mirrors.insert("docker.io".into(), format!("http://127.0.0.1:{dead}"));
    let e = Resolver::new(c).resolve(&image("alpine:3.22")).unwrap_err();
    assert!(matches!(e, RegistryError::Offline { .. }), "{e:?}");
    assert!(e.to_string().contains("could not reach"), "{e}");
}

fn dockward(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dockward"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .output()
        .expect("run dockward")
}

fn project(name: &str, dockerfile: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("registry-cli").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(d.join(".dockerignore"), ".git\n").unwrap();
    d
}

#[test]
fn check_fix_resolve_digests_pins_every_image_it_can() {
    let reg = registry();
    let dir = project(
        "pin",
        "FROM alpine:3.22 AS build\nRUN true\nFROM busybox:1.37\nCOPY --from=build /etc/os-release /os-release\nCOPY --from=alpine:0.0-nope /x /x\nUSER 10001\n",
    );
    let mirror = format!("docker.io={}", reg.url());
    let o = dockward(
        &dir,
        &[
            "check",
            "--today",
            "2026-11-28",
            "--select",
            "DW104",
            "--fix",
            "--resolve-digests",
            "--registry-mirror",
            &mirror,
            "Dockerfile",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert_eq!(
        text,
        format!(
            "FROM alpine:3.22@{} AS build\nRUN true\nFROM busybox:1.37@{}\nCOPY --from=build /etc/os-release /os-release\nCOPY --from=alpine:0.0-nope /x /x\nUSER 10001\n",
            reg.digest("library/alpine:3.22"),
            reg.digest("library/busybox:1.37")
        )
    );
    // The tag that does not exist is reported once, and stays a finding.
    assert_eq!(
        stderr
            .matches("could not pin docker.io/library/alpine:0.0-nope")
            .count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("tag not found"), "{stderr}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Fixed 2 problems"), "{stdout}");
    assert!(stdout.contains("alpine:0.0-nope"), "{stdout}");
}

#[test]
fn without_resolve_digests_nothing_is_contacted_and_nothing_changes() {
    let dir = project("no-network", "FROM alpine:3.22\nUSER 10001\n");
    // The mirror points at a port where nothing listens: any attempt would fail loudly.
    let mirror = format!("docker.io=http://127.0.0.1:{}", free_port());
    let o = dockward(
        &dir,
        &[
            "check",
            "--select",
            "DW104",
            "--fix",
            "--registry-mirror",
            &mirror,
            "Dockerfile",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("Dockerfile")).unwrap(),
        "FROM alpine:3.22\nUSER 10001\n"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("--resolve-digests"),
        "the fix says how to get it: {stdout}"
    );
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    // --resolve-digests needs --fix.
    let o = dockward(&dir, &["check", "--resolve-digests", "Dockerfile"]);
    assert_eq!(o.status.code(), Some(2));
}
