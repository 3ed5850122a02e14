//! Assists: rewrites offered on an instruction whether or not anything is wrong with it (the editor's
//! "refactor" actions). Pure, like the rules: text and tree in, edits out.

use crate::diagnostic::{FileRef, TextEdit};
use crate::messages::{self, Locale};
use crate::syntax::{Args, CommandForm, Dockerfile, Instruction, Kind, NodeKind};
use crate::text::TextRange;

/// A rewrite the user can apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assist {
    pub id: &'static str,
    pub title: String,
    pub edits: Vec<TextEdit>,
}

/// Characters that make a shell-form command depend on the shell (operators, expansions, quotes, globs).
fn needs_shell(cmd: &str) -> bool {
    cmd.contains([
        '|', '&', ';', '<', '>', '(', ')', '$', '`', '"', '\'', '\\', '*', '?', '[', ']', '~', '#', '{', '}', '=', '\n',
    ]) || cmd.split_whitespace().next().is_some_and(|w| {
        matches!(
            w,
            "if" | "for" | "while" | "case" | "cd" | "export" | "source" | "." | "exec"
        )
    })
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The assists for the instructions that `range` touches.
pub fn assists(tree: &Dockerfile, text: &str, range: TextRange, locale: Locale) -> Vec<Assist> {
    let mut out = Vec::new();
    for it in tree.items() {
        let NodeKind::Instruction(ins) = &it.node.kind else {
            continue;
        };
        let full = it.abs(ins.full_range);
        if !(full.start <= range.end && range.start <= full.end) {
            continue;
        }
        exec_form(ins, it.start, text, locale, &mut out);
        key_value_form(ins, it.start, tree.escape, locale, &mut out);
    }
    out
}

/// CMD/ENTRYPOINT `cmd arg` → `["cmd", "arg"]` when the command uses no shell feature. The exec form
/// makes the process PID 1 so that it receives signals (a graceful `docker stop`).
fn exec_form(ins: &Instruction, base: u32, text: &str, locale: Locale, out: &mut Vec<Assist>) {
    let Some(edit) = exec_form_edit(ins, base, text) else {
        return;
    };
    out.push(Assist {
        id: "exec-form",
        title: messages::render(
            locale,
            "assist.exec-form",
            &[("instruction", ins.kind.keyword().to_string())],
        ),
        edits: vec![edit],
    });
}

/// The edit that writes a shell-form CMD or ENTRYPOINT in the exec form, when its command uses no shell
/// feature and sits on one line (also the fix of DW606).
pub(crate) fn exec_form_edit(ins: &Instruction, base: u32, text: &str) -> Option<TextEdit> {
    if !matches!(ins.kind, Kind::Cmd | Kind::Entrypoint) || !ins.heredocs().is_empty() {
        return None;
    }
    let Args::Command(CommandForm::Shell(span)) = &ins.args else {
        return None;
    };
    let cmd = ins.text(span);
    let source = text.get(span.range.shift(base).as_usize())?;
    if cmd.trim().is_empty() || needs_shell(cmd) || source.contains('\n') {
        return None;
    }
    let words: Vec<String> = cmd.split_whitespace().map(json_string).collect();
    Some(TextEdit {
        file: FileRef::Dockerfile,
        range: span.range.shift(base),
        new_text: format!("[{}]", words.join(", ")).into(),
    })
}

/// Escapes the whitespace outside quotes, so that a text read as one word is not split.
fn escape_unquoted_blanks(value: &str, escape: char) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    let mut quote: Option<char> = None;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if c == escape => {
                out.push(c);
                out.extend(chars.next());
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c.is_whitespace() => {
                out.push(escape);
                out.push(c);
            }
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some('"') if c == escape => {
                out.push(c);
                out.extend(chars.next());
            }
            _ => out.push(c),
        }
    }
    out
}

/// `ENV key value with spaces` (the legacy form) → `ENV key="value with spaces"`.
fn key_value_form(ins: &Instruction, base: u32, escape: char, locale: Locale, out: &mut Vec<Assist>) {
    let Some(edit) = key_value_edit(ins, base, escape) else {
        return;
    };
    out.push(Assist {
        id: "key-value-form",
        title: messages::render(
            locale,
            "assist.key-value-form",
            &[("instruction", ins.kind.keyword().to_string())],
        ),
        edits: vec![edit],
    });
}

/// The edit that writes a legacy `ENV key value` or `LABEL key value` as `key=value` with the same value
/// (also the fix of DW613).
pub(crate) fn key_value_edit(ins: &Instruction, base: u32, escape: char) -> Option<TextEdit> {
    if !matches!(ins.kind, Kind::Env | Kind::Label) {
        return None;
    }
    let Args::KeyValues(kvs) = &ins.args else {
        return None;
    };
    let kv = kvs.iter().find(|kv| kv.legacy)?;
    let key = ins.text(&kv.key);
    // In the new form the key is read with the value as one word: a quote or an escape in the key would
    // pair with the value's quotes and change both. Such a key is not a variable name anyway.
    if key.contains(['"', '\'', escape]) {
        return None;
    }
    let value = ins.text(&kv.value);
    // Docker processes the legacy value as one word (quotes, escapes and variables keep their meaning)
    // without splitting it; the new form splits on unquoted blanks, so escape exactly those.
    let quoted = escape_unquoted_blanks(value, escape);
    let new_text = format!("{key}={quoted}");
    if !is_one_pair(ins.kind, key, &new_text, escape) {
        return None;
    }
    let range = TextRange::new(kv.key.range.shift(base).start, kv.value.range.shift(base).end);
    Some(TextEdit {
        file: FileRef::Dockerfile,
        range,
        new_text: new_text.into(),
    })
}

/// Whether `pair`, written after the keyword of `kind`, parses without error as the one pair `key=…`
/// (quotes that pair differently than the escaping assumed would split it into words that are not pairs).
fn is_one_pair(kind: Kind, key: &str, pair: &str, escape: char) -> bool {
    let directive = if escape == '\\' {
        String::new()
    } else {
        format!("# escape={escape}\n")
    };
    let text = format!("{directive}{} {pair}\n", kind.keyword());
    let tree = crate::syntax::parse(&text);
    let mut instructions = tree.instructions();
    let (Some((_, ins)), None) = (instructions.next(), instructions.next()) else {
        return false;
    };
    if ins.kind != kind || !ins.errors().is_empty() || !tree.directive_errors.is_empty() {
        return false;
    }
    matches!(&ins.args, Args::KeyValues(kvs) if kvs.len() == 1 && !kvs[0].legacy && ins.text(&kvs[0].key) == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;
    use crate::syntax::parse;

    fn apply(src: &str, id: &str) -> Option<String> {
        let tree = parse(src);
        let a = assists(&tree, src, TextRange::new(0, src.len() as u32), Locale::En)
            .into_iter()
            .find(|a| a.id == id)?;
        Some(apply_edits(src, &a.edits.iter().collect::<Vec<_>>()).unwrap())
    }

    #[test]
    fn converts_simple_commands_to_exec_form() {
        assert_eq!(
            apply("FROM a\nCMD node server.js --port 80\n", "exec-form").unwrap(),
            "FROM a\nCMD [\"node\", \"server.js\", \"--port\", \"80\"]\n"
        );
        assert_eq!(
            apply("FROM a\nCMD node $APP\n", "exec-form"),
            None,
            "variables need the shell"
        );
        assert_eq!(apply("FROM a\nCMD a && b\n", "exec-form"), None);
        assert_eq!(apply("FROM a\nCMD [\"a\"]\n", "exec-form"), None);
    }

    #[test]
    fn converts_legacy_env_to_key_value() {
        assert_eq!(
            apply("FROM a\nENV GREETING hello  \"big world\" $HOME\n", "key-value-form").unwrap(),
            "FROM a\nENV GREETING=hello\\ \\ \"big world\"\\ $HOME\n"
        );
        let fixed = apply("FROM a\nENV A b c\n", "key-value-form").unwrap();
        assert!(parse(&fixed).errors().is_empty());
        // The value Docker computes is the same before and after.
        let before = "FROM a\nENV A hello  \"big world\" 'x  y' \\\"q\n";
        let after = apply(before, "key-value-form").unwrap();
        let value = |src: &str| crate::model::Model::build(&parse(src)).stages[0].vars[0].value.clone();
        assert_eq!(
            value(before),
            crate::model::Value::Known("hello  big world x  y \"q".into())
        );
        assert_eq!(value(&after), value(before), "{after}");
    }

    #[test]
    fn no_key_value_form_when_it_would_not_be_the_same_pair() {
        // A quote in the key pairs with the value's quotes in the new form (fuzz/artifacts/fixes/crash-bcbdbc07…).
        let src = "FROM a\nENV GRE\"$(dpkg --print-architecture | awk '{ print $NF }')\"; \\\n\twget -O /x\n";
        assert_eq!(apply(src, "key-value-form"), None);
        // With another escape character the check reads the text with that escape.
        assert_eq!(
            apply("# escape=`\nFROM a\nENV A b c\n", "key-value-form").unwrap(),
            "# escape=`\nFROM a\nENV A=b` c\n"
        );
    }
}
