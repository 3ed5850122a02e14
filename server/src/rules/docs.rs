//! Generated documentation: one Markdown page per rule and language, and the rules table of README.md,
//! all made from the rules' doc comments. `tests/tidy.rs` checks the committed copies are fresh.
//!
//! English pages are `server/docs/rules/<CODE>-<name>.md`; Japanese pages, made from the `## 日本語`
//! section ([`Rule::doc_in`]), are `server/docs/rules/ja/<CODE>-<name>.md`. Each links to the other.

use crate::messages::Locale;
use crate::rules::{RULES, Rule};

/// The folder of a language's pages under `server/docs/rules/` (`""` for English).
pub fn dir(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "",
        Locale::Ja => "ja/",
    }
}

/// The English Markdown page of a rule (`server/docs/rules/<CODE>-<name>.md`).
pub fn page(r: &Rule) -> String {
    page_in(r, Locale::En)
}

/// The Markdown page of a rule in `locale` (`server/docs/rules/<dir>/<CODE>-<name>.md`, see [`dir`]).
pub fn page_in(r: &Rule, locale: Locale) -> String {
    let doc = r.doc_in(locale);
    // The first line is the summary; it becomes the page's lead paragraph.
    let summary = r.summary_in(locale);
    let body = doc.lines().skip(1).collect::<Vec<_>>().join("\n").trim().to_string();
    let (other, table_head) = match locale {
        Locale::En => (
            format!("[日本語](ja/{})", r.doc_file()),
            "| Default severity | Fix | Tags | Since |",
        ),
        Locale::Ja => (
            format!("[English](../{})", r.doc_file()),
            "| 既定の重大度 | 修正 | タグ | 導入バージョン |",
        ),
    };
    format!(
        "<!-- Generated from server/src/rules by `DOCKWARD_UPDATE_DOCS=1 cargo test --test tidy`; do not edit. -->\n\
         # {code} {name}\n\n\
         {other}\n\n\
         {summary}\n\n\
         {table_head}\n\
         |---|---|---|---|\n\
         | {sev} | {fix} | {tags} | {since} |\n\n\
         {body}\n",
        code = r.code,
        name = r.name,
        sev = r.severity.as_str(),
        fix = r.fix.as_str(),
        tags = r.tags.join(", "),
        since = r.since,
    )
}

/// The rules table for README.md (between the generated-rules markers).
pub fn table() -> String {
    let mut s = String::from("| Code | Name | Severity | Fix | Summary |\n|---|---|---|---|---|\n");
    for r in RULES {
        s.push_str(&format!(
            "| [{code}](server/docs/rules/{file}) | `{name}` | {sev} | {fix} | {summary} |\n",
            code = r.code,
            file = r.doc_file(),
            name = r.name,
            sev = r.severity.as_str(),
            fix = r.fix.as_str(),
            summary = r.summary().replace('|', "\\|"),
        ));
    }
    s
}
