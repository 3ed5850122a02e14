//! A tolerant analyser for the shell scripts that `RUN` (and `CMD`, `ENTRYPOINT`, `HEALTHCHECK CMD`) hand to
//! `/bin/sh -c`: which programs run with which arguments, what their redirects read and write, which heredoc
//! bodies they are fed, and the commands nested in `$(...)`, backticks, subshells, groups and the scripts
//! given to `bash -c`, `su -c`, `eval` or a shell reading a heredoc (`bash <<EOF`, `cat <<EOF | sh`,
//! `echo '...' | sh`).
//!
//! [`parse`] turns a script into a flat list of [`Command`]s in source order; every word, redirect and heredoc
//! body keeps its exact byte range in the script. [`run_scripts`] finds the scripts of a Dockerfile instruction
//! and maps their ranges back to the Dockerfile source, across continuation lines and heredoc bodies.
//!
//! # Why our own parser (and not `brush-parser`)
//!
//! - **Error tolerance.** In the editor a `RUN` line is incomplete most of the time (an open quote, a `$(`
//!   not yet closed, an `if` without `fi`). A full shell grammar returns an error for the whole script; we
//!   need every command that can be found, so unterminated constructs take the rest of the script and stray
//!   `)`, `fi` or `done` are skipped.
//! - **Exact ranges in our coordinates.** Rules report on words and offer fixes, so every span must be a byte
//!   range of the script on character boundaries, and map back to the Dockerfile through continuation lines
//!   and heredoc bodies. Nested scripts are parsed in place when their text is written verbatim (a
//!   single-quoted `bash -c '...'`), so their spans are exact too.
//! - **Weight.** The rules need commands, words and redirects, not an executable syntax tree; `brush-parser`
//!   brings about 75 crates (with `insta` at run time) to the engine for that.
//! - **No IO, no panics, allocation-light**: the analyser runs on demand inside the pure engine, on any text.
//!
//! # What it understands
//!
//! Words with POSIX quoting (`'...'`, `"..."`, `\`), bash's `$'...'` and `$"..."`, parameter expansions,
//! `$((...))`, `$(...)`, backticks and `<(...)`/`>(...)` (kept verbatim in the word's value, the commands
//! inside parsed too); redirects with file descriptors; heredocs (`<<`, `<<-`, quoted delimiters), whose bodies
//! are captured and not parsed as commands, unless a shell reads them (`bash <<EOF`); lists and pipelines
//! (`;`, newline, `&&`, `||`, `|`, `|&`, `&`); compound commands (`if`, `for`, `while`, `until`, `case`,
//! `select`, functions, `{ }`, `( )`, `[[ ]]`, `(( ))`, `!`, `time`), whose reserved words are skipped so that
//! the commands inside are found. Variables are not expanded and aliases are not followed: the analyser
//! reports what is written.
//!
//! Known approximations: the body of a `<<-` heredoc read by a shell is parsed with its leading tabs (blanks to
//! the shell, except inside multi-line quoted strings); an unquoted heredoc body is parsed before the outer
//! shell's expansion (escapes such as `\$` give the same word value); a command substitution inside a
//! double-quoted `bash -c "..."` string is found twice (by the outer shell and inside the script string).

mod command;
mod dockerfile;
pub mod packages;
mod parse;

pub use command::{FlagValue, SHELLS, basename, is_shell};
pub use dockerfile::{RunScript, ScriptOrigin, item_text, run_scripts};

use crate::text::TextRange;

/// A parsed script: every command found, in source order (by start offset, outer before inner).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
    /// The nesting constructs; [`Command::scope`] and [`Scope::parent`] index into this list.
    pub scopes: Vec<Scope>,
}

/// Parses a shell script. Never fails and never panics; every range is a byte range of `script` on
/// character boundaries.
pub fn parse(script: &str) -> Script {
    parse::parse_script(script)
}

impl Script {
    /// The scopes enclosing `cmd`, innermost first.
    pub fn scopes_of<'a>(&'a self, cmd: &Command) -> impl Iterator<Item = &'a Scope> + 'a {
        let mut next = cmd.scope;
        std::iter::from_fn(move || {
            let s = self.scopes.get(next? as usize)?;
            next = s.parent;
            Some(s)
        })
    }

    /// Whether `cmd` is nested (at any depth) in a scope of kind `kind`.
    pub fn is_inside(&self, cmd: &Command, kind: ScopeKind) -> bool {
        self.scopes_of(cmd).any(|s| s.kind == kind)
    }

    /// The command a scope belongs to: the command whose word holds the `$(...)`, or the `bash -c` /
    /// `su -c` / `eval` / heredoc-reading shell that runs the nested script.
    pub fn owner(&self, scope: &Scope) -> Option<&Command> {
        self.commands.get(scope.owner? as usize)
    }
}

/// A nesting construct.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeKind {
    /// `$(...)`.
    CommandSubst,
    /// `` `...` ``.
    Backticks,
    /// `<(...)` or `>(...)`.
    ProcessSubst,
    /// `( ... )`.
    Subshell,
    /// `{ ...; }`.
    Group,
    /// The script string of `sh -c`, `bash -c`, `su -c`, `runuser -c` or `eval`.
    ShellString,
    /// A script a shell reads on its standard input: a heredoc body or here-string (`bash <<EOF`, `sh <<< "..."`),
    /// or what `cat <<EOF` or `echo '...'` pipes into it (the scope's owner is the shell).
    Stdin,
}

/// One nesting construct and where it sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The construct in the script: `$(...)` with its delimiters, the script word of `bash -c`, a heredoc
    /// body. For a script parsed from a word that is not written verbatim, the whole word.
    pub span: TextRange,
    /// The enclosing scope.
    pub parent: Option<u32>,
    /// Index of the command it belongs to (see [`Script::owner`]); `None` when there is none (a subshell, a
    /// group, a substitution in a `for` list).
    pub owner: Option<u32>,
}

/// A word: a command name, an argument, an assignment or a redirect target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    /// The word as written, in the script.
    pub raw_span: TextRange,
    /// Quotes removed and backslash escapes applied; parameter expansions, `$(...)` and backticks kept
    /// verbatim as written (`$TOKEN`, `${A:-b}`).
    pub value: String,
    /// Some part of it is quoted (`'`, `"`, `$'`) or escaped with `\`.
    pub quoted: bool,
    /// It contains `$` or a backtick outside single quotes (a parameter, command or arithmetic expansion).
    pub has_expansion: bool,
    /// `value` equals the raw text byte for byte, so offsets inside it map 1:1 onto the script.
    pub verbatim: bool,
    /// Where `value` is written contiguously in the script, when it is (`'abc'` and `"abc"` too): offsets
    /// inside the value are offsets from here.
    pub value_start: Option<u32>,
}

impl Word {
    /// The word as written.
    pub fn raw<'a>(&self, script: &'a str) -> &'a str {
        crate::text::slice(script, self.raw_span)
    }

    /// The exact script range of `value[lo..hi]`, when the value is written contiguously.
    pub fn exact_range(&self, lo: usize, hi: usize) -> Option<TextRange> {
        let at = self.value_start?;
        (lo <= hi && hi <= self.value.len()).then(|| TextRange::new(at + lo as u32, at + hi as u32))
    }

    /// The script range of `value[lo..hi]`: exact when possible, else the whole word.
    pub fn range_of(&self, lo: usize, hi: usize) -> TextRange {
        self.exact_range(lo, hi).unwrap_or(self.raw_span)
    }

    /// Whether the word is known without expansion (no `$`, no backticks).
    pub fn is_literal(&self) -> bool {
        !self.has_expansion
    }
}

/// A redirect operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedirectOp {
    /// `<`
    In,
    /// `>`
    Out,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<>`
    ReadWrite,
    /// `&>` (and `>&word` when the word is not a descriptor, which bash reads the same way).
    OutErr,
    /// `&>>`
    AppendErr,
    /// `>&` (`input: false`) or `<&` (`input: true`): duplicate or close a descriptor.
    Dup { input: bool },
    /// `<<<`
    HereString,
    /// `<<` or `<<-`.
    Heredoc,
}

/// A heredoc body, captured and not parsed as commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeredocBody {
    /// The delimiter with quotes removed.
    pub delimiter: String,
    /// The delimiter was quoted or escaped, so the shell does not expand the body.
    pub quoted: bool,
    /// `<<-`: leading tabs are stripped from the body lines and the terminator.
    pub strip_tabs: bool,
    /// The body: from the line after the command line to the start of the terminator line.
    pub body: TextRange,
    /// The terminator line (without its newline); `None` when the heredoc is never closed.
    pub terminator: Option<TextRange>,
}

/// A redirect: `[fd]op target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// From the descriptor (or operator) to the end of the target.
    pub span: TextRange,
    /// The descriptor written before the operator (`2>`), if any.
    pub fd: Option<u32>,
    pub op: RedirectOp,
    /// The file, descriptor, here-string or heredoc delimiter; empty (at the operator's end) when missing.
    pub target: Word,
    /// For `<<` and `<<-`.
    pub heredoc: Option<HeredocBody>,
    /// Index of the heredoc in the parser's table until bodies are known.
    pub(crate) heredoc_id: Option<u32>,
}

impl Redirect {
    /// The file this redirect writes (creates, truncates or appends to), if it writes one.
    pub fn written_file(&self) -> Option<&Word> {
        match self.op {
            RedirectOp::Out | RedirectOp::Append | RedirectOp::Clobber | RedirectOp::OutErr | RedirectOp::AppendErr => {
                Some(&self.target)
            }
            RedirectOp::ReadWrite => Some(&self.target),
            RedirectOp::Dup { input: false } if !is_descriptor(&self.target.value) => Some(&self.target),
            _ => None,
        }
    }

    /// The descriptor it applies to: the written one, else 0 for input and 1 for output operators.
    pub fn effective_fd(&self) -> u32 {
        self.fd.unwrap_or(match self.op {
            RedirectOp::In
            | RedirectOp::ReadWrite
            | RedirectOp::HereString
            | RedirectOp::Heredoc
            | RedirectOp::Dup { input: true } => 0,
            _ => 1,
        })
    }
}

fn is_descriptor(s: &str) -> bool {
    s == "-" || (!s.is_empty() && s.trim_end_matches('-').bytes().all(|b| b.is_ascii_digit()))
}

/// How a command is connected to what follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sep {
    /// `;`
    Semi,
    /// A newline.
    Newline,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `|`: its standard output goes to the next command of the pipeline.
    Pipe,
    /// `|&`: standard output and error go to the next command.
    PipeBoth,
    /// `&`: runs in the background.
    Background,
    /// `;;`, `;&` or `;;&` ending a `case` branch.
    CaseBreak,
    /// The end of the script or of its scope.
    End,
}

/// A simple command: assignments, words and redirects, in the order written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// From its first to its last token (heredoc bodies excluded).
    pub span: TextRange,
    /// `VAR=value` words before the command name.
    pub assignments: Vec<Word>,
    /// The command name and its arguments (wrappers such as `sudo` included: see [`Command::name`]).
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    /// How it is connected to the next command of the same scope.
    pub sep: Sep,
    /// Its position in its pipeline: 0 for the first command (or a command outside any pipeline).
    pub pipe_index: u32,
    /// Preceded by `!`: the exit status of the pipeline starting here is inverted.
    pub negated: bool,
    /// Only redirects, written after the end of a compound command (`done > file`, `} 2>&1`): they apply to
    /// the whole compound.
    pub on_compound: bool,
    /// The innermost enclosing scope (index into [`Script::scopes`]).
    pub scope: Option<u32>,
    /// The number of enclosing scopes.
    pub depth: u32,
    /// Index in `words` of the program after wrappers (see [`Command::name`]).
    pub(crate) name_at: u32,
    /// The nested scripts of this command have already been parsed.
    pub(crate) expanded: bool,
    /// It was parsed from text that is not written as such in this script (`sh -c 'a'"b"`, whose
    /// argument is rejoined from quoted parts): all its spans are the whole of that text, so they locate
    /// the command but none of its words. Fixes that edit a word's span must not be offered on it.
    pub widened: bool,
}

#[cfg(test)]
mod tests;
