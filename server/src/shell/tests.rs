//! Unit tests of the shell analyser: every construct, with exact spans.

use super::*;

fn text(src: &str, r: crate::text::TextRange) -> &str {
    &src[r.as_usize()]
}

fn names(src: &str) -> Vec<String> {
    parse(src).commands.iter().map(|c| c.name().to_string()).collect()
}

#[test]
fn lists_and_pipelines_with_their_separators() {
    let src = "a 1; b && c || d | e |& f & g\nh";
    let s = parse(src);
    let got: Vec<(&str, Sep, u32)> = s.commands.iter().map(|c| (c.name(), c.sep, c.pipe_index)).collect();
    assert_eq!(
        got,
        [
            ("a", Sep::Semi, 0),
            ("b", Sep::And, 0),
            ("c", Sep::Or, 0),
            ("d", Sep::Pipe, 0),
            ("e", Sep::PipeBoth, 1),
            ("f", Sep::Background, 2),
            ("g", Sep::Newline, 0),
            ("h", Sep::End, 0),
        ]
    );
    assert_eq!(text(src, s.commands[0].span), "a 1");
    assert_eq!(text(src, s.commands[0].words[1].raw_span), "1");
}

#[test]
fn words_quotes_escapes_and_expansions() {
    let src = r#"echo 'a b' "c $X d" e\ f ${A:-b} $(date) `id` $'t\tab' plain"#;
    let s = parse(src);
    let w = &s.commands[0].words;
    let vals: Vec<&str> = w.iter().map(|w| w.value.as_str()).collect();
    assert_eq!(
        vals,
        [
            "echo", "a b", "c $X d", "e f", "${A:-b}", "$(date)", "`id`", "t\tab", "plain"
        ]
    );
    let raws: Vec<&str> = w.iter().map(|x| x.raw(src)).collect();
    assert_eq!(raws[1], "'a b'");
    assert_eq!(raws[3], r"e\ f");
    assert_eq!(raws[7], r"$'t\tab'");
    // quoted / has_expansion / verbatim
    let flags: Vec<(bool, bool, bool)> = w.iter().map(|w| (w.quoted, w.has_expansion, w.verbatim)).collect();
    assert_eq!(
        flags,
        [
            (false, false, true),
            (true, false, false),
            (true, true, false),
            (true, false, false),
            (false, true, true),
            (false, true, true),
            (false, true, true),
            (true, false, false),
            (false, false, true),
        ]
    );
    // Values written contiguously inside quotes map exactly.
    assert_eq!(w[1].exact_range(0, 3).map(|r| text(src, r)), Some("a b"));
    assert_eq!(w[2].exact_range(2, 4).map(|r| text(src, r)), Some("$X"));
    assert_eq!(w[3].exact_range(0, 3), None);
    assert_eq!(w[3].range_of(0, 3), w[3].raw_span);
    // Single quotes keep `$` literal.
    assert!(!parse("echo '$HOME'").commands[0].words[1].has_expansion);
    // Escapes inside double quotes.
    let s = parse(r#"echo "a\"b\$c\n""#);
    assert_eq!(s.commands[0].words[1].value, r#"a"b$c\n"#);
    assert_eq!(s.commands[0].words[1].value_start, None);
}

#[test]
fn comments_and_line_continuations() {
    let src = "# a comment\necho a#b \\\n  c # trailing\nls";
    let s = parse(src);
    assert_eq!(names(src), ["echo", "ls"]);
    let vals: Vec<&str> = s.commands[0].words.iter().map(|w| w.value.as_str()).collect();
    assert_eq!(vals, ["echo", "a#b", "c"]);
    assert_eq!(text(src, s.commands[0].words[2].raw_span), "c");
    // A continuation inside a word joins it.
    let s = parse("ec\\\nho hi");
    assert_eq!(s.commands[0].words[0].value, "echo");
    assert!(!s.commands[0].words[0].verbatim);
    assert!(!s.commands[0].words[0].quoted);
    assert!(parse("echo \\$x").commands[0].words[1].quoted);
}

#[test]
fn assignments_before_the_command_name() {
    let src = "A=1 B+=\"x y\" arr=(1 2) cmd C=3";
    let s = parse(src);
    let c = &s.commands[0];
    let a: Vec<&str> = c.assignments.iter().map(|w| w.raw(src)).collect();
    assert_eq!(a, ["A=1", "B+=\"x y\"", "arr=(1 2)"]);
    let w: Vec<&str> = c.words.iter().map(|w| w.value.as_str()).collect();
    assert_eq!(w, ["cmd", "C=3"]);
    // Assignments alone are a command too.
    let s = parse("TOKEN=$(cat /run/secrets/t)");
    assert_eq!(s.commands.len(), 2);
    assert!(s.commands[0].words.is_empty());
    assert_eq!(s.commands[0].name(), "");
    assert_eq!(s.commands[1].name(), "cat");
    assert_eq!(s.owner(&s.scopes[0]).map(|c| c.span), Some(s.commands[0].span));
}

#[test]
fn redirects_with_descriptors_and_targets() {
    let src = "cmd <in >out 2>>err &>both &>>all 2>&1 <&3 >|clob 3<>rw <<<\"here $x\" > /etc/x";
    let s = parse(src);
    let r = &s.commands[0].redirects;
    let got: Vec<(Option<u32>, RedirectOp, &str)> = r.iter().map(|r| (r.fd, r.op, r.target.value.as_str())).collect();
    assert_eq!(
        got,
        [
            (None, RedirectOp::In, "in"),
            (None, RedirectOp::Out, "out"),
            (Some(2), RedirectOp::Append, "err"),
            (None, RedirectOp::OutErr, "both"),
            (None, RedirectOp::AppendErr, "all"),
            (Some(2), RedirectOp::Dup { input: false }, "1"),
            (None, RedirectOp::Dup { input: true }, "3"),
            (None, RedirectOp::Clobber, "clob"),
            (Some(3), RedirectOp::ReadWrite, "rw"),
            (None, RedirectOp::HereString, "here $x"),
            (None, RedirectOp::Out, "/etc/x"),
        ]
    );
    assert_eq!(text(src, r[2].span), "2>>err");
    assert_eq!(text(src, r[10].span), "> /etc/x");
    assert_eq!(text(src, r[10].target.raw_span), "/etc/x");
    assert_eq!(s.commands[0].words.len(), 1);
    let written: Vec<&str> = r
        .iter()
        .filter_map(|r| r.written_file())
        .map(|w| w.value.as_str())
        .collect();
    assert_eq!(written, ["out", "err", "both", "all", "clob", "rw", "/etc/x"]);
    let fds: Vec<u32> = r.iter().map(|r| r.effective_fd()).collect();
    assert_eq!(fds, [0, 1, 2, 1, 1, 2, 0, 1, 3, 0, 1]);
    assert_eq!(
        parse(">&/dev/null x").commands[0].redirects[0]
            .written_file()
            .map(|w| w.value.as_str()),
        Some("/dev/null")
    );
    // `2>` needs the digits glued to the operator; `a2>x` is a word then a redirect.
    let s = parse("echo 2 >x a2>y");
    let c = &s.commands[0];
    assert_eq!(
        c.words.iter().map(|w| w.value.as_str()).collect::<Vec<_>>(),
        ["echo", "2", "a2"]
    );
    assert_eq!(c.redirects[1].fd, None);
    // A redirect without a target.
    let s = parse("echo >");
    assert_eq!(s.commands[0].redirects[0].target.value, "");
    assert_eq!(
        s.commands[0].redirects[0].target.raw_span,
        crate::text::TextRange::empty(6)
    );
}

#[test]
fn heredocs_are_captured_not_parsed() {
    let src =
        "cat <<EOF > /etc/app.conf\npassword=$P\nrm -rf /\nEOF\ncat <<-'END' | tee x\n\tliteral $y\n\tEND\necho done";
    let s = parse(src);
    assert_eq!(names(src), ["cat", "cat", "tee", "echo"]);
    let h = s.commands[0].redirects[0].heredoc.as_ref().expect("heredoc");
    assert_eq!(h.delimiter, "EOF");
    assert!(!h.quoted && !h.strip_tabs);
    assert_eq!(text(src, h.body), "password=$P\nrm -rf /\n");
    assert_eq!(h.terminator.map(|t| text(src, t)), Some("EOF"));
    assert_eq!(
        s.commands[0].redirects[1].written_file().map(|w| w.value.as_str()),
        Some("/etc/app.conf")
    );
    let h = s.commands[1].redirects[0].heredoc.as_ref().expect("heredoc");
    assert_eq!(h.delimiter, "END");
    assert!(h.quoted && h.strip_tabs);
    assert_eq!(text(src, h.body), "\tliteral $y\n");
    assert_eq!(h.terminator.map(|t| text(src, t)), Some("\tEND"));
    assert_eq!(s.commands[1].sep, Sep::Pipe);
    // Two heredocs on one line, bodies in order.
    let src = "paste <<A <<B\n1\nA\n2\nB\nls";
    let s = parse(src);
    let bodies: Vec<&str> = s.commands[0]
        .redirects
        .iter()
        .filter_map(|r| r.heredoc.as_ref())
        .map(|h| text(src, h.body))
        .collect();
    assert_eq!(bodies, ["1\n", "2\n"]);
    assert_eq!(names(src), ["paste", "ls"]);
    // Unterminated: the rest is the body.
    let src = "cat <<EOF\nrm -rf /\n";
    let s = parse(src);
    assert_eq!(s.commands.len(), 1);
    let h = s.commands[0].redirects[0].heredoc.as_ref().expect("heredoc");
    assert_eq!(text(src, h.body), "rm -rf /\n");
    assert_eq!(h.terminator, None);
    // No newline at all: an empty body at the end.
    let s = parse("cat <<EOF");
    assert_eq!(
        s.commands[0].redirects[0].heredoc.as_ref().map(|h| h.body),
        Some(crate::text::TextRange::empty(9))
    );
}

#[test]
fn compound_commands_are_looked_through() {
    assert_eq!(
        names("if [ -f x ]; then rm x; elif test -d y; then rmdir y; else echo no; fi"),
        ["[", "rm", "test", "rmdir", "echo"]
    );
    assert_eq!(names("for f in a $(ls /x) c; do echo $f; done"), ["ls", "echo"]);
    assert_eq!(names("for ((i=0; i<3; i++)); do echo $i; done"), ["echo"]);
    assert_eq!(
        names("while read l; do echo $l; done < f; until false; do :; done"),
        ["read", "echo", "", "false", ":"]
    );
    assert_eq!(
        names("case \"$ARCH\" in\n  amd64|x86_64) A=x ;;\n  (arm64) curl -o a b ;;\n  *) echo other ;;\nesac\nls"),
        ["", "curl", "echo", "ls"]
    );
    assert_eq!(
        names("f() { echo in f; }; function g { echo g; }; function h() ( id ); f"),
        ["echo", "echo", "id", "f"]
    );
    assert_eq!(names("! grep -q x f && time -p make all"), ["grep", "make"]);
    assert!(parse("! grep -q x f").commands[0].negated);
    assert_eq!(names("select x in a b; do echo $x; done"), ["echo"]);
    assert_eq!(names("[[ -f a && $b < c ]] && (( n > 1 )) && echo ok"), ["[[", "echo"]);
    // Inside `[[ ]]`, `<` and `&&` are words, not a redirect and a list operator.
    let s = parse("[[ -f a && $b < c ]]");
    assert!(s.commands[0].redirects.is_empty());
    assert_eq!(s.commands[0].words.len(), 8);
    // Reserved words are words elsewhere.
    let s = parse("echo if then fi done");
    assert_eq!(s.commands[0].words.len(), 5);
    // `done > file` applies to the loop.
    let s = parse("while read x; do echo $x; done > /etc/out");
    let last = s.commands.last().expect("command");
    assert!(last.on_compound && last.words.is_empty());
    assert_eq!(last.redirects[0].target.value, "/etc/out");
}

#[test]
fn stray_closers_and_unterminated_constructs() {
    assert_eq!(names("fi; done; ) echo a; esac; } b"), ["echo", "b"]);
    // An unterminated quote takes the rest of the script.
    let src = "echo 'open\nrm -rf /";
    let s = parse(src);
    assert_eq!(s.commands.len(), 1);
    assert_eq!(s.commands[0].words[1].value, "open\nrm -rf /");
    // An unterminated `$(` parses the rest as its commands.
    let s = parse("x=$(curl -s http://a && rm f");
    assert_eq!(
        s.commands.iter().map(|c| c.name()).collect::<Vec<_>>(),
        ["", "curl", "rm"]
    );
    assert!(s.commands[2].depth == 1);
    // An `if` never closed still shows its commands.
    assert_eq!(names("if true; then apt-get install x"), ["true", "apt-get"]);
}

#[test]
fn nesting_scopes_and_owners() {
    let src = "echo $(date) `id -u` <(sort a) \"$(uname -m)\"; (cd x && make) ; { a; b; } 2>&1";
    let s = parse(src);
    let got: Vec<(&str, u32, Option<ScopeKind>)> = s
        .commands
        .iter()
        .map(|c| (c.name(), c.depth, s.scopes_of(c).next().map(|x| x.kind)))
        .collect();
    assert_eq!(
        got,
        [
            ("echo", 0, None),
            ("date", 1, Some(ScopeKind::CommandSubst)),
            ("id", 1, Some(ScopeKind::Backticks)),
            ("sort", 1, Some(ScopeKind::ProcessSubst)),
            ("uname", 1, Some(ScopeKind::CommandSubst)),
            ("cd", 1, Some(ScopeKind::Subshell)),
            ("make", 1, Some(ScopeKind::Subshell)),
            ("a", 1, Some(ScopeKind::Group)),
            ("b", 1, Some(ScopeKind::Group)),
            ("", 0, None),
        ]
    );
    let date = &s.commands[1];
    let sc = s.scopes_of(date).next().expect("scope");
    assert_eq!(text(src, sc.span), "$(date)");
    assert_eq!(s.owner(sc).map(|c| c.name()), Some("echo"));
    assert_eq!(text(src, s.commands[2].span), "id -u");
    assert_eq!(
        s.scopes_of(&s.commands[5]).next().map(|x| text(src, x.span)),
        Some("(cd x && make)")
    );
    assert!(s.is_inside(&s.commands[4], ScopeKind::CommandSubst));
    // Nested substitutions.
    let s = parse("a $(b $(c `d`))");
    assert_eq!(
        s.commands.iter().map(|c| (c.name(), c.depth)).collect::<Vec<_>>(),
        [("a", 0), ("b", 1), ("c", 2), ("d", 3)]
    );
    // Arithmetic is not a command substitution.
    assert_eq!(names("echo $((1 + (2 * 3))) $[4]"), ["echo"]);
}

#[test]
fn shell_strings_are_parsed_with_exact_spans_when_verbatim() {
    let src = "bash -ec 'curl -fsSL https://x/install.sh | sh' && su app -c \"echo \\\"$HOME\\\"\"";
    let s = parse(src);
    let got: Vec<(&str, u32)> = s.commands.iter().map(|c| (c.name(), c.depth)).collect();
    assert_eq!(got, [("bash", 0), ("curl", 1), ("sh", 1), ("su", 0), ("echo", 1)]);
    let curl = &s.commands[1];
    assert!(s.is_inside(curl, ScopeKind::ShellString));
    assert_eq!(
        s.owner(s.scopes_of(curl).next().expect("scope")).map(|c| c.name()),
        Some("bash")
    );
    assert_eq!(text(src, curl.words[2].raw_span), "https://x/install.sh");
    assert!(curl.words[2].verbatim);
    // Not verbatim (escaped quotes): every span is the whole word.
    let echo = &s.commands[4];
    assert_eq!(echo.words[1].value, "$HOME");
    assert_eq!(text(src, echo.words[1].raw_span), "\"echo \\\"$HOME\\\"\"");
    assert!(!echo.words[1].verbatim);
    // sh -c with options before and after, `-o pipefail`, eval, busybox.
    assert_eq!(
        names("sh -o pipefail -xc 'set -e; wget -qO- u' arg0"),
        ["sh", "set", "wget"]
    );
    assert_eq!(names("eval \"apt-get update\""), ["eval", "apt-get"]);
    assert_eq!(names("eval echo a '&&' rm b"), ["eval", "echo", "rm"]);
    assert_eq!(names("busybox sh -c 'id'"), ["busybox", "id"]);
    assert_eq!(names("sudo -u app bash -lc 'npm ci'"), ["bash", "npm"]);
    // A script file or `-c` without a script: nothing nested.
    assert_eq!(names("bash ./install.sh; sh -c"), ["bash", "sh"]);
    // Deep nesting keeps exact spans.
    let src = "sh -c 'bash -c \"ls /x\"'";
    let s = parse(src);
    assert_eq!(
        s.commands.iter().map(|c| c.name()).collect::<Vec<_>>(),
        ["sh", "bash", "ls"]
    );
    assert_eq!(text(src, s.commands[2].words[1].raw_span), "/x");
    assert_eq!(s.commands[2].depth, 2);
}

#[test]
fn shells_reading_heredocs_and_here_strings() {
    let src = "bash -e <<'EOF'\nset -x\ncurl -o /x http://y\nEOF\nsh <<< 'id -u'\npython3 <<EOF\nimport os\nEOF\n";
    let s = parse(src);
    let got: Vec<(&str, u32)> = s.commands.iter().map(|c| (c.name(), c.depth)).collect();
    assert_eq!(
        got,
        [
            ("bash", 0),
            ("set", 1),
            ("curl", 1),
            ("sh", 0),
            ("id", 1),
            ("python3", 0)
        ]
    );
    assert!(s.is_inside(&s.commands[2], ScopeKind::Stdin));
    assert_eq!(text(src, s.commands[2].words[2].raw_span), "/x");
    assert_eq!(text(src, s.commands[4].span), "id -u");
    // A heredoc in a nested script.
    let src = "sh -c 'cat <<EOF > /etc/x\nsecret\nEOF\nls'";
    let s = parse(src);
    assert_eq!(
        s.commands.iter().map(|c| c.name()).collect::<Vec<_>>(),
        ["sh", "cat", "ls"]
    );
    let h = s.commands[1].redirects[0].heredoc.as_ref().expect("heredoc");
    assert_eq!(text(src, h.body), "secret\n");
}

#[test]
fn program_name_skips_wrappers() {
    let c = |src: &str| parse(src).commands.into_iter().next().expect("command");
    assert_eq!(
        c("A=1 env -i -u X C=3 sudo -E -u root -- nice -n 5 nohup time -p command /usr/bin/apt-get install x").name(),
        "apt-get"
    );
    let cmd = c("sudo -u root nice -10 exec -a name /bin/curl -o out url");
    assert_eq!(cmd.name(), "curl");
    assert_eq!(
        cmd.args().iter().map(|w| w.value.as_str()).collect::<Vec<_>>(),
        ["-o", "out", "url"]
    );
    assert_eq!(c("sudo -i").name(), "sudo");
    assert_eq!(c("command -v curl").name(), "command");
    assert_eq!(c("xargs rm -f").name(), "xargs");
    assert_eq!(c("env").name(), "env");
    assert_eq!(c("exec \"$@\"").name(), "$@");
    assert!(c("/bin/bash -c x").is_shell());
}

#[test]
fn flags_in_every_form() {
    let c = |src: &str| parse(src).commands.into_iter().next().expect("command");
    let src = "useradd --uid=1000 -g app -Gwheel --shell /bin/sh -m name";
    let cmd = c(src);
    assert_eq!(cmd.flag(&["-u", "--uid"]).map(|f| f.value()), Some("1000"));
    assert_eq!(cmd.flag(&["-u", "--uid"]).map(|f| text(src, f.range())), Some("1000"));
    assert_eq!(cmd.flag(&["-g"]).map(|f| f.value()), Some("app"));
    assert_eq!(cmd.flag(&["-G"]).map(|f| f.value()), Some("wheel"));
    assert_eq!(cmd.flag(&["-G"]).map(|f| text(src, f.range())), Some("wheel"));
    assert_eq!(cmd.flag(&["-s", "--shell"]).map(|f| f.value()), Some("/bin/sh"));
    assert_eq!(cmd.flag(&["-p"]), None);
    assert!(cmd.has_flag(&["-m"]));
    assert!(!cmd.has_flag(&["-r", "--system"]));
    let cmd = c("curl -fsSLo /tmp/x https://h -H 'Authorization: Bearer t' -- -o");
    assert!(cmd.has_flag(&["-L"]) && cmd.has_flag(&["-f"]));
    assert_eq!(cmd.flag(&["-o", "--output"]).map(|f| f.value()), Some("/tmp/x"));
    assert_eq!(cmd.flag(&["-H"]).map(|f| f.value()), Some("Authorization: Bearer t"));
    // Options after `--` are operands.
    assert!(!c("rm -- -rf").has_flag(&["-r"]));
    // `--user` at the end has no value.
    assert_eq!(c("x --user").flag(&["--user"]), None);
}

#[test]
fn spans_are_char_boundaries_on_unicode() {
    let src = "echo 日本語 'é' \"ü$x\" \\ñ; ls 😀>ö";
    let s = parse(src);
    for c in &s.commands {
        for w in c.words.iter().chain(c.redirects.iter().map(|r| &r.target)) {
            assert!(src.get(w.raw_span.as_usize()).is_some(), "{w:?}");
            if w.verbatim {
                assert_eq!(w.raw(src), w.value);
            }
        }
    }
    assert_eq!(s.commands[0].words[4].value, "ñ");
    assert_eq!(s.commands[1].redirects[0].target.value, "ö");
}

/// The scripts of the `n`th instruction of a Dockerfile, with the absolute range of every word.
fn scripts_of(df: &str, n: usize) -> (Vec<RunScript>, crate::syntax::Dockerfile) {
    let tree = crate::syntax::parse(df);
    let scripts = {
        let (item, ins) = tree.instructions().nth(n).expect("instruction");
        run_scripts(item_text(df, &item), ins)
    };
    (scripts, tree)
}

/// Every word of every script: (value, source text of its mapped absolute range).
fn mapped_words(df: &str, n: usize) -> Vec<(String, String)> {
    let (scripts, tree) = scripts_of(df, n);
    let (item, _) = tree.instructions().nth(n).expect("instruction");
    let mut out = Vec::new();
    for rs in &scripts {
        for c in &rs.script.commands {
            for w in &c.words {
                let r = rs.abs_range(&item, w.raw_span);
                out.push((w.value.clone(), df[r.as_usize()].to_string()));
            }
        }
    }
    out
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn run_shell_form_maps_across_continuation_lines() {
    let df = "FROM alpine\nRUN --mount=type=cache,target=/x apk add \\\n    curl \\\n# a comment Docker drops\n    && rm -rf /x\n";
    let (scripts, _) = scripts_of(df, 1);
    assert_eq!(scripts.len(), 1);
    assert_eq!(scripts[0].origin, ScriptOrigin::ShellForm);
    assert_eq!(scripts[0].text, "apk add     curl     && rm -rf /x");
    assert_eq!(
        mapped_words(df, 1),
        pairs(&[
            ("apk", "apk"),
            ("add", "add"),
            ("curl", "curl"),
            ("rm", "rm"),
            ("-rf", "-rf"),
            ("/x", "/x")
        ])
    );
    // A range across the continuation maps from its start to its end in the source.
    let (scripts, tree) = scripts_of(df, 1);
    let (item, _) = tree.instructions().nth(1).expect("instruction");
    let rs = &scripts[0];
    let whole = rs.abs_range(&item, crate::text::TextRange::new(0, rs.text.len() as u32));
    assert_eq!(
        &df[whole.as_usize()],
        "apk add \\\n    curl \\\n# a comment Docker drops\n    && rm -rf /x"
    );
    assert!(!rs.is_exact(crate::text::TextRange::new(0, rs.text.len() as u32)));
    assert!(rs.is_exact(rs.script.commands[1].span));
    // The first command runs across the continuation.
    assert!(!rs.is_exact(rs.script.commands[0].span));
    assert_eq!(
        &df[rs.abs_range(&item, rs.script.commands[0].span).as_usize()],
        "apk add \\\n    curl"
    );
}

#[test]
fn run_heredocs_alone_with_a_shell_or_as_data() {
    // `RUN <<EOF`: the body is the script.
    let df = "FROM alpine\nRUN <<EOF\nset -e\napk add curl\nEOF\n";
    let (scripts, _) = scripts_of(df, 1);
    assert_eq!(scripts[0].origin, ScriptOrigin::HeredocBody { index: 0 });
    assert_eq!(
        mapped_words(df, 1),
        pairs(&[
            ("set", "set"),
            ("-e", "-e"),
            ("apk", "apk"),
            ("add", "add"),
            ("curl", "curl")
        ])
    );
    // With a shebang naming another interpreter: not a shell script.
    let df = "FROM python\nRUN <<EOF\n#!/usr/bin/env python3\nimport os\nEOF\n";
    assert!(scripts_of(df, 1).0.is_empty());
    let df = "FROM alpine\nRUN <<EOF\n#!/bin/bash\necho hi\nEOF\n";
    assert_eq!(mapped_words(df, 1), pairs(&[("echo", "echo"), ("hi", "hi")]));
    // `RUN bash <<EOF`: the shell reads the body; exact ranges inside it.
    let df = "FROM alpine\nRUN bash -e <<'EOF' && \\\n  echo after\n  curl -o /x http://y\nEOF\n";
    let (scripts, _) = scripts_of(df, 1);
    assert_eq!(
        scripts[0].text,
        "bash -e <<'EOF' &&   echo after\n  curl -o /x http://y\nEOF"
    );
    assert_eq!(
        mapped_words(df, 1),
        pairs(&[
            ("bash", "bash"),
            ("-e", "-e"),
            ("echo", "echo"),
            ("after", "after"),
            ("curl", "curl"),
            ("-o", "-o"),
            ("/x", "/x"),
            ("http://y", "http://y")
        ])
    );
    let s = &scripts[0].script;
    assert!(s.is_inside(&s.commands[2], ScopeKind::Stdin));
    assert!(!s.is_inside(&s.commands[1], ScopeKind::Stdin));
    // `RUN python3 <<EOF`: the body is data for python.
    let df = "FROM python\nRUN python3 <<EOF\nimport os\nos.remove('x')\nEOF\n";
    let (scripts, tree) = scripts_of(df, 1);
    let s = &scripts[0].script;
    assert_eq!(s.commands.len(), 1);
    let h = s.commands[0].redirects[0].heredoc.as_ref().expect("heredoc");
    let (item, _) = tree.instructions().nth(1).expect("instruction");
    assert_eq!(
        &df[scripts[0].abs_range(&item, h.body).as_usize()],
        "import os\nos.remove('x')\n"
    );
    // `RUN cat <<EOF > /etc/x` with two heredocs and `<<-`: bodies and terminators map back.
    let df = "FROM alpine\nRUN cat <<-A > /etc/a && cat <<B > /etc/b\n\tsecret=1\n\tA\nother\nB\nUSER app\n";
    let (scripts, tree) = scripts_of(df, 1);
    let (item, _) = tree.instructions().nth(1).expect("instruction");
    let rs = &scripts[0];
    let bodies: Vec<&str> = rs
        .script
        .commands
        .iter()
        .flat_map(|c| c.redirects.iter())
        .filter_map(|r| r.heredoc.as_ref())
        .map(|h| &df[rs.abs_range(&item, h.body).as_usize()])
        .collect();
    assert_eq!(bodies, ["\tsecret=1\n", "other\n"]);
    let written: Vec<String> = rs
        .script
        .commands
        .iter()
        .flat_map(|c| c.redirects.iter())
        .filter_map(|r| r.written_file())
        .map(|w| df[rs.abs_range(&item, w.raw_span).as_usize()].to_string())
        .collect();
    assert_eq!(written, ["/etc/a", "/etc/b"]);
}

#[test]
fn exec_form_and_other_instructions() {
    let df = "FROM alpine\nRUN [\"sh\", \"-c\", \"apk add curl && rm -rf /var/cache/apk\"]\n";
    let (scripts, _) = scripts_of(df, 1);
    assert_eq!(scripts[0].origin, ScriptOrigin::ExecForm);
    let s = &scripts[0].script;
    assert_eq!(
        s.commands.iter().map(|c| c.name()).collect::<Vec<_>>(),
        ["sh", "apk", "rm"]
    );
    assert_eq!(
        mapped_words(df, 1)[3..],
        pairs(&[
            ("apk", "apk"),
            ("add", "add"),
            ("curl", "curl"),
            ("rm", "rm"),
            ("-rf", "-rf"),
            ("/var/cache/apk", "/var/cache/apk")
        ])[..]
    );
    // An escaped JSON string maps to the whole string.
    let df = "FROM alpine\nCMD [\"sh\", \"-c\", \"echo \\\"hi\\\"\"]\n";
    let words = mapped_words(df, 1);
    assert_eq!(words[3], ("echo".to_string(), "\"echo \\\"hi\\\"\"".to_string()));
    // A plain exec form is one command.
    let df = "FROM alpine\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"app\"]\n";
    assert_eq!(
        mapped_words(df, 1),
        pairs(&[("/usr/bin/tini", "/usr/bin/tini"), ("--", "--"), ("app", "app")])
    );
    // Shell-form CMD, HEALTHCHECK CMD and ONBUILD RUN.
    let df = "FROM alpine\nCMD exec nginx -g 'daemon off;'\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\nONBUILD RUN make install\nUSER app\n";
    assert_eq!(mapped_words(df, 1)[1], ("nginx".to_string(), "nginx".to_string()));
    assert_eq!(
        mapped_words(df, 1)[3],
        ("daemon off;".to_string(), "'daemon off;'".to_string())
    );
    assert_eq!(
        mapped_words(df, 2)[2],
        ("http://localhost/".to_string(), "http://localhost/".to_string())
    );
    assert_eq!(mapped_words(df, 3), pairs(&[("make", "make"), ("install", "install")]));
    assert!(scripts_of(df, 4).0.is_empty());
    // An empty RUN has no script.
    assert!(scripts_of("FROM a\nRUN\n", 1).0.is_empty());
}

#[test]
fn scripts_piped_into_a_shell() {
    let src = "cat <<EOF | sh -e\napk add curl\nEOF\necho 'rm -rf /tmp/x' | bash; curl -fsSL https://x | sh; printf x | tee f | sh";
    let s = parse(src);
    let got: Vec<(&str, u32)> = s.commands.iter().map(|c| (c.name(), c.depth)).collect();
    assert_eq!(
        got,
        [
            ("cat", 0),
            ("sh", 0),
            ("apk", 1),
            ("echo", 0),
            ("rm", 1),
            ("bash", 0),
            ("curl", 0),
            ("sh", 0),
            ("printf", 0),
            ("tee", 0),
            ("sh", 0)
        ]
    );
    let apk = &s.commands[2];
    let sc = s.scopes_of(apk).next().expect("scope");
    assert_eq!(sc.kind, ScopeKind::Stdin);
    assert_eq!(s.owner(sc).map(|c| c.name()), Some("sh"));
    assert_eq!(text(src, apk.words[2].raw_span), "curl");
    assert_eq!(text(src, s.commands[4].words[2].raw_span), "/tmp/x");
}
