//! Generated documentation: one Markdown page per rule and the rules table of README.md, both made from
//! the rules' doc comments. `tests/tidy.rs` checks the committed copies are fresh.

use crate::rules::{RULES, Rule};

/// The Markdown page of a rule (`server/docs/rules/<CODE>-<name>.md`).
pub fn page(r: &Rule) -> String {
    let mut doc = r.doc();
    // The first line is the summary; it becomes the page's lead paragraph.
    let summary = r.summary();
    doc = doc.lines().skip(1).collect::<Vec<_>>().join("\n").trim().to_string();
    format!(
        "<!-- Generated from server/src/rules by `DOCKWARD_UPDATE_DOCS=1 cargo test --test tidy`; do not edit. -->\n\
         # {code} {name}\n\n\
         {summary}\n\n\
         | Default severity | Fix | Tags | Since |\n\
         |---|---|---|---|\n\
         | {sev} | {fix} | {tags} | {since} |\n\n\
         {doc}\n",
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
