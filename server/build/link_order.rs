//! Asks the linker to place the functions a session runs next to each other (`server/link-order.txt`).
//!
//! A process's resident memory counts every page of the binary it touches, and the kernel maps up to
//! 64 KiB around each page a function runs from. Laid out as the compiler emits them, the 1.7 MB of
//! functions a language-server session runs are spread over the 5.7 MB of code, and nearly all of it
//! became resident. Listed first, they are about 2 MB together: the server's peak RSS with the
//! 5,000-line bench file open went from 18.9 to 16.1 MiB (`tests/bench/link_order.py` writes the list;
//! see README, "Performance").
//!
//! Only where the linker is LLD (Rust 1.90 and later link `x86_64-unknown-linux-gnu` with it unless told
//! otherwise), only for release builds, and never when `DOCKWARD_NO_LINK_ORDER` is set. Names the list
//! has and the binary does not (other compiler versions mangle them differently, and every name carries a
//! hash of the crate's dependency set, so a change of dependencies changes them all) are skipped by the
//! linker without a warning; the binary is then as it was without the list.

use std::path::Path;

/// Passes the list to the linker where it is LLD; returns whether it is.
pub fn emit(manifest: &Path) -> bool {
    let file = manifest.join("server/link-order.txt");
    println!("cargo:rerun-if-changed={}", file.display());
    println!("cargo:rerun-if-env-changed=DOCKWARD_NO_LINK_ORDER");
    let lld = linker_is_lld();
    if !file.is_file() || !lld || std::env::var_os("DOCKWARD_NO_LINK_ORDER").is_some() {
        return lld;
    }
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        file.display()
    );
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    lld
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// Whether the binary is linked by LLD with rustc's defaults: a release build for x86_64 Linux (GNU) by
/// rustc 1.90 or later, with no linker chosen in the configuration or the flags.
fn linker_is_lld() -> bool {
    if var("PROFILE") != "release"
        || var("TARGET") != "x86_64-unknown-linux-gnu"
        || std::env::var_os("RUSTC_LINKER").is_some()
    {
        return false;
    }
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    if ["linker", "fuse-ld", "link-self-contained"]
        .iter()
        .any(|f| flags.contains(f))
    {
        return false;
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = std::process::Command::new(rustc).arg("-V").output() else {
        return false;
    };
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let version = String::from_utf8_lossy(&out.stdout);
    let minor = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    version.starts_with("rustc 1.") && minor.is_some_and(|m| m >= 90)
}
