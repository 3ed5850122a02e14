//! Arbitrary bytes as a Dockerfile: parse, build the model, run every rule, render, and check that
//! nothing panics, every range is exact, the output is sorted and deterministic, and the memoised check
//! equals a fresh one.
//!
//! Bytes are decoded as the edges decode a file (UTF-8, lossily, with the offset of the first invalid
//! byte, which the engine reports as DW007), so invalid UTF-8 is exercised too. The length's parity
//! picks the message language.

#![no_main]

use dockward::messages::Locale;
use dockward::settings::Settings;
use dockward::syntax::{dump::dump, parse};
use dockward::{Input, check, check_tree, memo};
use dockward_fuzz::{TODAY, assert_diagnostics, assert_tree, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, invalid_utf8_at) = decode(data);
    let tree = parse(&text);
    assert_tree(&text, &tree);
    let _ = dump(&tree, &text);
    let settings = Settings {
        locale: if data.len() % 2 == 0 { Locale::En } else { Locale::Ja },
        ..Settings::default()
    };
    let input = Input {
        invalid_utf8_at,
        ..Input::new(&text, TODAY)
    };
    let diags = check_tree(&tree, &input, &settings);
    assert_diagnostics(&text, None, &diags);
    let fresh = memo::bypassed(|| check(&input, &settings));
    assert!(diags == fresh, "a memoised check differs from a fresh one");
});
