//! Fix application on arbitrary Dockerfiles: every fix offered on the input, applied, gives a text
//! with no more syntax errors than before, and its diagnostic is not reported again at the same
//! place; applying every safe fix reaches a fixpoint within ten rounds, and a second pass from the
//! fixpoint changes nothing. The promises are the ones `tests/rules.rs` enforces on every rule fixture
//! (`tests/support/fixes.rs`, shared by path).
//!
//! Input: the text up to the first `0xFF` byte is the Dockerfile (UTF-8, lossily); the rest, when
//! present, is the ignore file, so fixes that edit or create the ignore file are exercised too.

#![no_main]

use dockward::Input;
use dockward::settings::Settings;
use dockward_fuzz::{Bytes, TODAY};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fixes.rs"]
mod fixes;

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let text = String::from_utf8_lossy(b.until(0xFF)).into_owned();
    let ignore = (!b.is_empty()).then(|| String::from_utf8_lossy(b.rest()).into_owned());
    let input = Input {
        ignore_file: ignore.as_deref(),
        ..Input::new(&text, TODAY)
    };
    if let Err(e) = fixes::all_promises(&input, &Settings::default()) {
        panic!("{e}");
    }
});
