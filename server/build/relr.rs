//! Packs the binary's relative relocations (`-z pack-relative-relocs`, the `DT_RELR` format).
//!
//! A position-independent executable holds a relocation for every pointer in its read-only data (string
//! tables, vtables, panic locations): about 16,500 here. In the classic format each takes 24 bytes, and
//! the dynamic loader reads all 400 KB of them at every start, so they stay resident. Packed as bitmaps
//! they take a few kilobytes: the language server's peak RSS falls by about as much (see README,
//! "Performance"). The binary stays position-independent (address randomisation is kept).
//!
//! Only where the linker is LLD (see `link_order.rs`) and the C library the binary is built against
//! reads the format (glibc 2.36 or later, which the binary then requires: it is built for this machine),
//! and never when `DOCKWARD_NO_RELR` is set.

use std::process::Command;

pub fn emit(lld: bool) {
    println!("cargo:rerun-if-env-changed=DOCKWARD_NO_RELR");
    if !lld || std::env::var_os("DOCKWARD_NO_RELR").is_some() || !glibc_reads_relr() {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
}

/// Whether the C library of this machine (the target: `link_order::linker_is_lld` allows only a native
/// x86_64 Linux GNU build) is glibc 2.36 or later: `getconf GNU_LIBC_VERSION` says "glibc 2.36".
fn glibc_reads_relr() -> bool {
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) >= (2, 36),
        _ => false,
    }
}
