//! Digest resolution against a real registry: the reference implementation (`docker-registry`, the
//! CNCF distribution registry as Debian ships it) started on 127.0.0.1, filled with `skopeo` from OCI
//! layouts this test writes. Nothing leaves the machine.
//!
//! CI installs both (`.ci/run`); on a developer machine without them the tests fail and say what to
//! install.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use dockward::model::image::ImageRef;
use dockward::registry::{RegistryConfig, RegistryError, Resolver, sha256_hex};

fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin", "/usr/sbin"] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("`{name}` is needed by tests/registry.rs: apt-get install docker-registry skopeo");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A registry process on 127.0.0.1. Statics are never dropped, so it runs under a small shell that
/// holds the write end of a pipe from this test process: when the process exits (or dies), the pipe
/// closes and the shell stops the registry.
struct Registry {
    port: u16,
    _child: Child,
    /// Digest of each pushed `repository:tag`, as the registry stores it.
    pushed: Vec<(String, String)>,
}

fn wait_until_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.") && buf.contains(" 200 ") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the registry did not come up on port {port}");
}

/// Writes a blob into an OCI layout and returns its descriptor fields (digest, size).
fn blob(layout: &Path, bytes: &[u8]) -> (String, usize) {
    let hex = sha256_hex(bytes);
    std::fs::write(layout.join("blobs/sha256").join(&hex), bytes).unwrap();
    (format!("sha256:{hex}"), bytes.len())
}

/// A one-layer image manifest for `arch`, written into `layout`.
fn image_manifest(layout: &Path, arch: &str, marker: &str) -> (String, usize) {
    // An uncompressed tar holding one file, then the two zero blocks that end an archive.
    let mut tar = vec![0u8; 512];
    let name = format!("{marker}.txt");
    tar[..name.len()].copy_from_slice(name.as_bytes());
    let content = format!("{marker}\n");
    let header_fields: [(usize, &str); 5] = [
        (100, "0000644\0"),
        (108, "0000000\0"),
        (116, "0000000\0"),
        (124, &format!("{:011o}\0", content.len())),
        (136, "00000000000\0"),
    ];
    for (at, v) in header_fields {
        tar[at..at + v.len()].copy_from_slice(v.as_bytes());
    }
    tar[156] = b'0';
    tar[257..263].copy_from_slice(b"ustar\0");
    tar[263..265].copy_from_slice(b"00");
    tar[148..156].copy_from_slice(b"        ");
    let sum: u32 = tar.iter().map(|&b| u32::from(b)).sum();
    tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut data = content.into_bytes();
    data.resize(512, 0);
    tar.extend(data);
    tar.extend([0u8; 1024]);
    let (layer, layer_size) = blob(layout, &tar);
    let config = format!(
        r#"{{"architecture":"{arch}","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{layer}"]}}}}"#
    );
    let (config, config_size) = blob(layout, config.as_bytes());
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":{config_size}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer}","size":{layer_size}}}]}}"#
    );
    blob(layout, manifest.as_bytes())
}

/// An OCI layout holding `tag`: a two-platform index when `multi`, else one manifest.
fn layout(dir: &Path, tag: &str, multi: bool, marker: &str) -> String {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let (media, digest, size) = if multi {
        let (amd, amd_size) = image_manifest(dir, "amd64", &format!("{marker}-amd64"));
        let (arm, arm_size) = image_manifest(dir, "arm64", &format!("{marker}-arm64"));
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{amd}","size":{amd_size},"platform":{{"architecture":"amd64","os":"linux"}}}},{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{arm}","size":{arm_size},"platform":{{"architecture":"arm64","os":"linux"}}}}]}}"#
        );
        let (d, s) = blob(dir, index.as_bytes());
        ("application/vnd.oci.image.index.v1+json", d, s)
    } else {
        let (d, s) = image_manifest(dir, "amd64", marker);
        ("application/vnd.oci.image.manifest.v1+json", d, s)
    };
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{media}","digest":"{digest}","size":{size},"annotations":{{"org.opencontainers.image.ref.name":"{tag}"}}}}]}}"#
    );
    std::fs::write(dir.join("index.json"), index).unwrap();
    digest
}

fn skopeo(args: &[&str]) -> std::process::Output {
    let o = Command::new(tool("skopeo"))
        .args(["--insecure-policy"])
        .args(args)
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .stdin(Stdio::null())
        .output()
        .expect("run skopeo");
    assert!(
        o.status.success(),
        "skopeo {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The registry shared by the tests of this file, started once and filled with:
/// `library/alpine:3.22` (two platforms), `library/busybox:1.37` (one manifest) and
/// `acme/app:1.0` (one manifest).
fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        let port = free_port();
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("registry-{port}"));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("storage")).unwrap();
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            root.join("storage").display()
        );
        std::fs::write(root.join("config.yml"), config).unwrap();
        let child = Command::new("sh")
            .arg("-c")
            .arg("\"$0\" serve \"$1\" & pid=$!; cat >/dev/null; kill $pid; wait $pid")
            .arg(tool("docker-registry"))
            .arg(root.join("config.yml"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        wait_until_up(port);
        let mut pushed = Vec::new();
        for (repo, tag, multi) in [
            ("library/alpine", "3.22", true),
            ("library/busybox", "1.37", false),
            ("acme/app", "1.0", false),
        ] {
            let dir = root.join(format!("oci-{}", repo.replace('/', "-")));
            let written = layout(&dir, tag, multi, repo);
            let dest = format!("docker://127.0.0.1:{port}/{repo}:{tag}");
            skopeo(&[
                "copy",
                "--all",
                "--preserve-digests",
                "--dest-tls-verify=false",
                &format!("oci:{}:{tag}", dir.display()),
                &dest,
            ]);
            // The registry's own answer is the oracle: the sha256 of the manifest bytes it serves.
            let raw = skopeo(&["inspect", "--raw", "--tls-verify=false", &dest]).stdout;
            let served = format!("sha256:{}", sha256_hex(&raw));
            assert_eq!(served, written, "skopeo kept the manifest bytes");
            pushed.push((format!("{repo}:{tag}"), served));
        }
        Registry {
            port,
            _child: child,
            pushed,
        }
    })
}

impl Registry {
    fn digest(&self, repo_tag: &str) -> &str {
        &self.pushed.iter().find(|(r, _)| r == repo_tag).unwrap().1
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A resolver that reaches Docker Hub names (and `registry.test`) at this registry.
    fn resolver(&self) -> Resolver {
        let mut c = RegistryConfig::default();
        c.mirrors.insert("docker.io".into(), self.url());
        Resolver::new(c)
    }
}

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
