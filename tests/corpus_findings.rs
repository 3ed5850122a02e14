//! The findings of the security rule families (secrets, supply chain, privilege, hardening) and of the
//! BuildKit-parity family (correctness) on the 915 real
//! Dockerfiles of `fixtures/corpus/` (date 2026-11-28),
//! kept as snapshots: every false positive (and every fix of one) shows up in review.

mod support;

use dockward::date::Date;
use dockward::settings::Settings;
use dockward::text::{Encoding, LineIndex};
use dockward::{Input, check};

fn family(tag: &str) -> String {
    let settings = Settings {
        select: Some(vec![tag.to_string()]),
        ..Settings::default()
    };
    let mut out = String::new();
    let mut total = 0;
    for f in support::corpus() {
        let input = Input::new(&f.text, Date::new(2026, 11, 28));
        let diags = check(&input, &settings);
        let idx = LineIndex::new(&f.text);
        for d in diags {
            let p = idx.to_line_col(&f.text, d.range.start, Encoding::Utf32);
            let shown = f
                .text
                .get(d.range.as_usize())
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("");
            // Secrets are shown redacted, as the messages show them.
            let shown: String = if tag == "secrets" {
                dockward::secrets::redact(shown)
            } else {
                shown.chars().take(60).collect()
            };
            out.push_str(&format!(
                "{}:{}:{} {} {} `{}`\n",
                f.name.trim_start_matches("fixtures/corpus/"),
                p.line + 1,
                p.col + 1,
                d.code,
                d.message_id,
                shown
            ));
            total += 1;
        }
    }
    format!("{total} findings\n{out}")
}

#[test]
fn secrets_family_on_the_corpus() {
    insta::assert_snapshot!(family("secrets"));
}

#[test]
fn supply_chain_family_on_the_corpus() {
    insta::assert_snapshot!(family("supply-chain"));
}

#[test]
fn privilege_family_on_the_corpus() {
    insta::assert_snapshot!(family("privilege"));
}

#[test]
fn hardening_family_on_the_corpus() {
    insta::assert_snapshot!(family("hardening"));
}

#[test]
fn correctness_family_on_the_corpus() {
    insta::assert_snapshot!(family("correctness"));
}
