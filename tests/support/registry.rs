//! A real registry for the tests: the reference implementation (`docker-registry`, the CNCF
//! distribution registry as Debian ships it) started once per test binary on 127.0.0.1, filled with
//! `skopeo` from OCI layouts written here. Nothing leaves the machine.
//!
//! CI installs both (`.ci/run`); on a machine without them the tests fail and say what to install.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use dockward::registry::{RegistryConfig, Resolver, sha256_hex};

fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin", "/usr/sbin"] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("`{name}` is needed by tests/registry.rs: apt-get install docker-registry skopeo");
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A registry process on 127.0.0.1. Statics are never dropped, so it runs under a small shell that
/// holds the write end of a pipe from this test process: when the process exits (or dies), the pipe
/// closes and the shell stops the registry.
pub struct Registry {
    pub port: u16,
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
pub fn registry() -> &'static Registry {
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
    pub fn digest(&self, repo_tag: &str) -> &str {
        &self.pushed.iter().find(|(r, _)| r == repo_tag).unwrap().1
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A resolver that reaches Docker Hub names (and `registry.test`) at this registry.
    pub fn resolver(&self) -> Resolver {
        let mut c = RegistryConfig::default();
        c.mirrors.insert("docker.io".into(), self.url());
        Resolver::new(c)
    }
}
