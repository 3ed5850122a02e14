//! What a command runs: the program after wrappers (`sudo`, `env`, `exec`, `nohup`, `time`, `nice`,
//! `command`), its arguments and options, and the scripts it hands to a shell.

use super::{Command, RedirectOp, Word};
use crate::text::TextRange;

/// Programs that are POSIX-like shells: `-c` takes a script, and without an operand they read standard input.
pub const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "yash", "posh"];

/// The last path component (`/usr/bin/sudo` → `sudo`).
pub fn basename(path: &str) -> &str {
    // A byte loop: called for every command by many rules, and `rsplit` costs a searcher per call.
    match path.bytes().rposition(|b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// Whether `program` (a path or a name) is one of [`SHELLS`].
pub fn is_shell(program: &str) -> bool {
    SHELLS.contains(&basename(program))
}

fn is_assignment_text(s: &str) -> bool {
    match s.find('=') {
        Some(eq) if eq > 0 => {
            let name = &s.as_bytes()[..eq];
            (name[0].is_ascii_alphabetic() || name[0] == b'_')
                && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        _ => false,
    }
}

/// Skips the options of a wrapper from `i`; `with_arg` are the options that take a separate argument
/// (short ones also accept it attached, `-uroot`). Returns the index of the first operand.
fn skip_options(words: &[Word], mut i: usize, with_arg: &[&str]) -> usize {
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        if v == "--" {
            return i + 1;
        }
        if !v.starts_with('-') || v == "-" {
            return i;
        }
        if with_arg.contains(&v) && !v.contains('=') {
            i += 2;
        } else {
            i += 1;
        }
    }
    i
}

/// The index of the program in `words`, after wrappers (the last wrapper when nothing follows it).
pub(crate) fn name_index(words: &[Word]) -> usize {
    let mut i = 0;
    let mut last = 0;
    while let Some(w) = words.get(i) {
        let next = match basename(&w.value) {
            "sudo" | "doas" => {
                let mut j = skip_options(
                    words,
                    i + 1,
                    &[
                        "-u",
                        "-g",
                        "-C",
                        "-D",
                        "-h",
                        "-p",
                        "-r",
                        "-t",
                        "-T",
                        "-U",
                        "-R",
                        "--user",
                        "--group",
                        "--chdir",
                        "--prompt",
                        "--close-from",
                        "--host",
                        "--role",
                        "--type",
                        "--other-user",
                        "--chroot",
                        "--command-timeout",
                    ],
                );
                while words.get(j).is_some_and(|w| is_assignment_text(&w.value)) {
                    j += 1;
                }
                j
            }
            "env" => {
                let mut j = skip_options(
                    words,
                    i + 1,
                    &["-u", "-C", "-S", "-P", "--unset", "--chdir", "--split-string"],
                );
                while words
                    .get(j)
                    .is_some_and(|w| is_assignment_text(&w.value) || w.value == "-")
                {
                    j += 1;
                }
                j
            }
            "exec" => skip_options(words, i + 1, &["-a"]),
            "nohup" => skip_options(words, i + 1, &[]),
            "time" => skip_options(words, i + 1, &["-f", "-o", "--format", "--output"]),
            "nice" => skip_options(words, i + 1, &["-n", "--adjustment"]),
            "command" => {
                if words
                    .get(i + 1)
                    .is_some_and(|w| w.value.starts_with("-v") || w.value.starts_with("-V"))
                {
                    return i;
                }
                skip_options(words, i + 1, &[])
            }
            _ => return i,
        };
        last = i;
        i = next;
    }
    last.min(words.len().saturating_sub(1))
}

/// A script that a command runs.
pub(crate) enum ShellRun {
    None,
    /// The script is this word (`bash -c 'script'`, `su -c 'script'`).
    Word(usize),
    /// The words `a..b` joined with spaces (`eval a b`).
    Words(usize, usize),
    /// The shell reads its script from this redirect (a heredoc or here-string on descriptor 0).
    Stdin(usize),
    /// The shell reads its script from the pipe (`cat <<EOF | sh`, `echo 'id' | sh`).
    Pipe,
}

/// What a command writes to its standard output that a shell after it in a pipeline would run.
pub(crate) fn piped_script(cmd: &Command) -> ShellRun {
    let at = cmd.name_at as usize;
    match cmd.name() {
        "cat" if cmd.words.len() == at + 1 => cmd
            .redirects
            .iter()
            .rposition(|r| matches!(r.op, RedirectOp::Heredoc | RedirectOp::HereString) && r.effective_fd() == 0)
            .map_or(ShellRun::None, ShellRun::Stdin),
        "echo" | "printf" if cmd.words.len() == at + 2 && !cmd.words[at + 1].value.starts_with('-') => {
            ShellRun::Word(at + 1)
        }
        _ => ShellRun::None,
    }
}

pub(crate) fn nested_script(cmd: &Command) -> ShellRun {
    let words = &cmd.words;
    let mut at = cmd.name_at as usize;
    let Some(prog) = words.get(at) else {
        return ShellRun::None;
    };
    let mut name = basename(&prog.value);
    if name == "busybox" && words.get(at + 1).is_some_and(|w| is_shell(&w.value)) {
        at += 1;
        name = basename(&words[at].value);
    }
    match name {
        "eval" => {
            if words.len() > at + 1 {
                ShellRun::Words(at + 1, words.len())
            } else {
                ShellRun::None
            }
        }
        "su" | "runuser" => {
            for (j, w) in words.iter().enumerate().skip(at + 1) {
                let v = w.value.as_str();
                if v == "-c" || v == "--command" {
                    return if j + 1 < words.len() {
                        ShellRun::Word(j + 1)
                    } else {
                        ShellRun::None
                    };
                }
                if v == "--" {
                    break;
                }
            }
            ShellRun::None
        }
        _ if SHELLS.contains(&name) => {
            let mut c_flag = false;
            let mut j = at + 1;
            while let Some(w) = words.get(j) {
                let v = w.value.as_str();
                if v == "--" || v == "-" {
                    j += 1;
                    break;
                }
                if matches!(v, "-o" | "+o" | "-O" | "+O" | "--rcfile" | "--init-file") {
                    j += 2;
                    continue;
                }
                if let Some(long) = v.strip_prefix("--") {
                    let _ = long;
                    j += 1;
                    continue;
                }
                if (v.starts_with('-') || v.starts_with('+')) && v.len() > 1 {
                    if v.starts_with('-') && v[1..].contains('c') {
                        c_flag = true;
                    }
                    j += 1;
                    continue;
                }
                break;
            }
            if j < words.len() {
                // `-c script`, or a script file (not ours to read).
                return if c_flag { ShellRun::Word(j) } else { ShellRun::None };
            }
            if c_flag {
                return ShellRun::None;
            }
            match cmd
                .redirects
                .iter()
                .rposition(|r| matches!(r.op, RedirectOp::Heredoc | RedirectOp::HereString) && r.effective_fd() == 0)
            {
                Some(r) => ShellRun::Stdin(r),
                None if cmd.pipe_index > 0 => ShellRun::Pipe,
                None => ShellRun::None,
            }
        }
        _ => ShellRun::None,
    }
}

/// The value of an option: a whole word (`--user x`, `-u x`) or the part after `=` or the option letter
/// (`--user=x`, `-ux`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagValue<'a> {
    pub word: &'a Word,
    /// Where the value starts in `word.value`.
    pub offset: usize,
}

impl<'a> FlagValue<'a> {
    pub fn value(&self) -> &'a str {
        self.word.value.get(self.offset..).unwrap_or("")
    }

    /// The value's range in the script: exact when the word is written contiguously, else the whole word.
    pub fn range(&self) -> TextRange {
        self.word.range_of(self.offset, self.word.value.len())
    }
}

impl Command {
    /// The index in [`Command::words`] of the program, after wrappers.
    pub fn name_index(&self) -> usize {
        self.name_at as usize
    }

    /// The program word after wrappers (`sudo -u app`, `env A=b`, `exec`, `nohup`, `time`, `nice -n 5`,
    /// `command`); `xargs`, `find -exec` and the like are not skipped.
    pub fn program(&self) -> Option<&Word> {
        self.words.get(self.name_index())
    }

    /// The basename of the program (`/usr/bin/curl` → `curl`), or `""` for a command without words.
    pub fn name(&self) -> &str {
        self.program().map_or("", |w| basename(&w.value))
    }

    /// The words after the program.
    pub fn args(&self) -> &[Word] {
        self.words.get(self.name_index() + 1..).unwrap_or(&[])
    }

    /// Whether the program is one of [`SHELLS`] or a wrapper ends the words (`sudo -i`).
    pub fn is_shell(&self) -> bool {
        is_shell(self.name())
    }

    /// The value of the first option named by `names` (`--long` or `-s`), before `--`: `--long=x`,
    /// `--long x`, `-s x`, `-sx`, and `-abs x` when `s` ends a cluster of short options.
    pub fn flag(&self, names: &[&str]) -> Option<FlagValue<'_>> {
        let args = self.args();
        for (i, w) in args.iter().enumerate() {
            let v = w.value.as_str();
            if v == "--" {
                break;
            }
            for name in names {
                if name.starts_with("--") {
                    if v == *name {
                        return args.get(i + 1).map(|n| FlagValue { word: n, offset: 0 });
                    }
                    if v.len() > name.len() && v.starts_with(name) && v.as_bytes()[name.len()] == b'=' {
                        return Some(FlagValue {
                            word: w,
                            offset: name.len() + 1,
                        });
                    }
                } else if let Some(letter) = short_letter(name)
                    && let Some(p) = cluster_position(v, letter)
                {
                    if p + 1 == v.len() {
                        return args.get(i + 1).map(|n| FlagValue { word: n, offset: 0 });
                    }
                    return Some(FlagValue { word: w, offset: p + 1 });
                }
            }
        }
        None
    }

    /// Whether an option named by `names` is given (before `--`): `--long`, `--long=x`, `-s`, or `s` in a
    /// cluster of short options (`-fsSL` has `-L`).
    pub fn has_flag(&self, names: &[&str]) -> bool {
        for w in self.args() {
            let v = w.value.as_str();
            if v == "--" {
                break;
            }
            for name in names {
                if name.starts_with("--") {
                    if v == *name || (v.starts_with(name) && v.as_bytes().get(name.len()) == Some(&b'=')) {
                        return true;
                    }
                } else if let Some(letter) = short_letter(name)
                    && cluster_position(v, letter).is_some()
                {
                    return true;
                }
            }
        }
        false
    }
}

/// `-u` → `u`.
fn short_letter(name: &str) -> Option<u8> {
    let b = name.as_bytes();
    (b.len() == 2 && b[0] == b'-' && b[1] != b'-').then(|| b[1])
}

/// The position of `letter` in a short-option cluster `-abc` (the letters before it must be options
/// without values: alphanumeric).
fn cluster_position(word: &str, letter: u8) -> Option<usize> {
    let b = word.as_bytes();
    if b.len() < 2 || b[0] != b'-' || b[1] == b'-' {
        return None;
    }
    for (p, &c) in b.iter().enumerate().skip(1) {
        if c == letter {
            return Some(p);
        }
        if !c.is_ascii_alphanumeric() {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::basename;

    #[test]
    fn basename_is_what_follows_the_last_slash() {
        for (path, name) in [
            ("/usr/bin/curl", "curl"),
            ("curl", "curl"),
            ("./é/ü", "ü"),
            ("dir/", ""),
            ("/", ""),
            ("", ""),
        ] {
            assert_eq!(basename(path), name, "{path:?}");
            assert_eq!(basename(path), path.rsplit('/').next().unwrap_or(path));
        }
    }
}
