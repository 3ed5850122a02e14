//! Document symbols (stages and their instructions, global ARGs before them) and the stage symbols of a
//! file for workspace-wide search, with the query matching clients expect.

use crate::messages::{self, Locale};
use crate::model::Model;
use crate::syntax::{Args, Dockerfile, Instruction, ItemRef, Kind};
use crate::text::{TextRange, slice};

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A build stage.
    Stage,
    /// A variable defined by ARG or ENV (global ARGs, and the names inside an ARG or ENV).
    Variable,
    /// ARG or ENV, which holds variables.
    VariableInstruction,
    /// LABEL.
    Label,
    /// EXPOSE.
    Port,
    /// Any other instruction.
    Instruction,
}

/// A symbol of a Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// Everything the symbol spans (a whole stage, an instruction with its heredocs).
    pub range: TextRange,
    /// The part to select and reveal: a stage's name, an instruction's keyword, a variable's name.
    pub selection: TextRange,
    pub children: Vec<Symbol>,
}

/// Longest argument text shown in an instruction's symbol name.
const SHORT: usize = 48;

/// The outline: global ARGs, then each stage with its instructions (comments are not symbols).
pub fn document_symbols(text: &str, tree: &Dockerfile, model: &Model, locale: Locale) -> Vec<Symbol> {
    let mut out = Vec::new();
    let mut stage_of: Vec<Option<usize>> = Vec::new();
    for (it, ins) in tree.instructions() {
        match model.item_stage.get(it.index).copied().flatten() {
            None => {
                // Before the first FROM: global ARGs (and the instructions Docker rejects there).
                if ins.kind == Kind::Arg {
                    out.extend(variables(it, ins));
                } else {
                    out.push(instruction(text, it, ins));
                }
                stage_of.push(None);
            }
            Some(s) if ins.kind == Kind::From && model.stages.get(s).is_some_and(|st| st.from_item == it.index) => {
                let st = &model.stages[s];
                let name = match &st.name {
                    Some(_) => st.name_range.map(|r| slice(text, r).to_string()).unwrap_or_default(),
                    None => messages::render(locale, "nav.symbol.unnamed-stage", &[("index", s.to_string())]),
                };
                let selection = st
                    .name_range
                    .or(st.image_range)
                    .unwrap_or_else(|| it.abs(ins.keyword.range));
                let mut stage = Symbol {
                    name,
                    detail: st.image_text.clone(),
                    kind: SymbolKind::Stage,
                    range: it.abs(ins.full_range),
                    selection,
                    children: vec![instruction(text, it, ins)],
                };
                stage.range = stage.range.cover(selection);
                out.push(stage);
            }
            Some(_) => {
                if let Some(stage) = out.iter_mut().rev().find(|s| s.kind == SymbolKind::Stage) {
                    let child = instruction(text, it, ins);
                    stage.range = stage.range.cover(child.range);
                    stage.children.push(child);
                }
            }
        }
    }
    out
}

/// The symbols `workspace/symbol` searches: stages and global ARGs, without children.
pub fn workspace_symbols(text: &str, tree: &Dockerfile, model: &Model, locale: Locale) -> Vec<Symbol> {
    document_symbols(text, tree, model, locale)
        .into_iter()
        .filter(|s| matches!(s.kind, SymbolKind::Stage | SymbolKind::Variable))
        .map(|mut s| {
            s.children.clear();
            s
        })
        .collect()
}

/// Whether `name` matches a workspace-symbol query: the query's characters appear in the name in order,
/// ignoring case (an empty query matches everything).
pub fn matches_query(query: &str, name: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .all(|q| chars.any(|c| c == q))
}

fn variables(it: ItemRef<'_>, ins: &Instruction) -> Vec<Symbol> {
    let range = it.abs(ins.full_range);
    match &ins.args {
        Args::Arg(decls) => decls
            .iter()
            .map(|d| Symbol {
                name: ins.text(&d.name).to_string(),
                detail: d.default.map(|v| short(ins.text(&v))),
                kind: SymbolKind::Variable,
                range: if decls.len() == 1 { range } else { it.abs(d.span.range) },
                selection: it.abs(d.name.range),
                children: Vec::new(),
            })
            .collect(),
        Args::KeyValues(kvs) => kvs
            .iter()
            .map(|kv| Symbol {
                name: ins.text(&kv.key).to_string(),
                detail: Some(short(ins.text(&kv.value))),
                kind: SymbolKind::Variable,
                range: it.abs(kv.span.range),
                selection: it.abs(kv.key.range),
                children: Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn instruction(text: &str, it: ItemRef<'_>, ins: &Instruction) -> Symbol {
    let keyword = slice(text, it.abs(ins.keyword.range));
    let keyword = if keyword.is_empty() {
        ins.text(&ins.keyword)
    } else {
        keyword
    };
    let args = ins.logical.get(ins.keyword.hi as usize..).unwrap_or("");
    let args = short(args);
    let name = if args.is_empty() {
        keyword.to_string()
    } else {
        format!("{keyword} {args}")
    };
    let kind = match ins.kind {
        Kind::Arg | Kind::Env => SymbolKind::VariableInstruction,
        Kind::Label => SymbolKind::Label,
        Kind::Expose => SymbolKind::Port,
        _ => SymbolKind::Instruction,
    };
    let children = match ins.kind {
        Kind::Arg | Kind::Env => variables(it, ins),
        _ => Vec::new(),
    };
    // An instruction holding one variable shows it as its own name's child only when there are several.
    let children = if children.len() > 1 { children } else { Vec::new() };
    Symbol {
        name,
        detail: None,
        kind,
        range: it.abs(ins.full_range),
        selection: it.abs(ins.keyword.range),
        children,
    }
}

/// Whitespace collapsed, cut at [`SHORT`] characters with an ellipsis.
fn short(s: &str) -> String {
    let mut out = String::new();
    for (n, w) in s.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(w);
        if out.chars().count() > SHORT {
            break;
        }
    }
    if out.chars().count() > SHORT {
        let cut: String = out.chars().take(SHORT).collect();
        return format!("{}…", cut.trim_end());
    }
    out
}
