//! Build script: embeds the data snapshots and the message catalogs as Rust source in `OUT_DIR`, and
//! gives the linker the order of the functions a session runs and packs the relative relocations (release
//! builds linked by LLD).

#[path = "build/data.rs"]
mod data;
#[path = "build/link_order.rs"]
mod link_order;
#[path = "build/messages.rs"]
mod messages;
#[path = "build/relr.rs"]
mod relr;

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    data::generate(&manifest, &out);
    messages::generate(&manifest, &out);
    let lld = link_order::emit(&manifest);
    relr::emit(lld);
}
