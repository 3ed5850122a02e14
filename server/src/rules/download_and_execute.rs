//! DW403 download-and-execute: a script downloaded in a `RUN` and run without a checksum or signature
//! check (`curl ... | sh`, `bash <(curl ...)`, `sh -c "$(curl ...)"`, download to a file then run it).

use crate::rules::{Ctx, Instr, Sink, declare_rule};
use crate::shell::{Command, RunScript, ScopeKind, Script, Sep, Word, basename, is_shell};
use crate::text::TextRange;

declare_rule! {
    /// A `RUN` downloads a script and runs it without checking it first.
    ///
    /// ## What it does
    /// Finds scripts that `curl`, `wget` (writing to standard output with `-O -`) or `fetch` download and
    /// hand straight to a shell (`sh`, `bash`, `zsh`, `dash`, `ksh`, `ash`, also through `sudo` or `env`)
    /// or an interpreter (`python`, `perl`, `ruby`, `node`, `php`):
    /// - piped: `curl -fsSL https://x/install.sh | sh`, `curl ... | sudo -E bash -s -- --version 2`;
    /// - by process substitution: `bash <(curl ...)`, `source <(curl ...)`, `. <(curl ...)`;
    /// - by command substitution: `sh -c "$(curl ...)"`, `bash -c "$(wget -qO- ...)"`, `eval "$(curl ...)"`;
    /// - downloaded to a file and run in the same `RUN` (`curl -o install.sh ... && sh install.sh`,
    ///   `chmod +x ./install.sh && ./install.sh`) with no checksum or signature check between the two.
    ///
    /// A check between the download and the run keeps the `RUN` clean: `sha256sum -c` (or any
    /// `sha*sum`, `md5sum`, `b2sum`, `shasum`), `gpg --verify`, `gpgv`, `cosign verify-blob`, `minisign -V`,
    /// `signify -V`, `openssl dgst`. Downloads piped into other programs (`curl | tar`, `curl | gpg
    /// --import`, `curl | apt-key add -`, `curl | jq`) are not executions. RUN scripts in heredocs and the
    /// scripts of `sh -c '...'` are checked too.
    ///
    /// ## Why is this bad?
    /// The script runs with the build's privileges (usually root, with any build secrets mounted) and
    /// its effects end up in the image. Nothing checks what was downloaded: a compromised server, a
    /// hijacked domain, a malicious mirror or a changed release decides what runs, and the next build
    /// can run something else than the one you reviewed. Install scripts also often download further
    /// binaries without checks of their own. A published checksum or signature, verified before the
    /// script runs, makes the build fail instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://deb.nodesource.com/setup_22.x | bash -
    /// RUN sh -c "$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// # Download, verify against the published checksum, then run.
    /// ARG INSTALLER_SHA256=2f1c...e9
    /// RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \
    ///  && echo "${INSTALLER_SHA256}  /tmp/install.sh" | sha256sum -c - \
    ///  && sh /tmp/install.sh && rm /tmp/install.sh
    /// # Or better: install a pinned package or release artifact with a checksum.
    /// ADD --checksum=sha256:<digest> https://example.com/tool-1.2.3.tar.gz /tmp/
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the right checksum or signature, or a package to install instead,
    /// has to come from the project that publishes the script.
    ///
    /// ## References
    /// - CWE-494: Download of Code Without Integrity Check; CWE-829: Inclusion of Functionality from
    ///   Untrusted Control Sphere
    /// - CIS Docker Benchmark v1.6.0: 4.11 (ensure only verified packages are installed)
    /// - [Docker build best practices](https://docs.docker.com/build/building/best-practices/)
    /// - No hadolint, Trivy or Checkov check covers piping downloads into a shell.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// `RUN` がスクリプトをダウンロードし、検証せずにそのまま実行しています。
    ///
    /// ### 検出内容
    /// `curl`、`wget`、`fetch` でダウンロードしたスクリプトを、そのままシェル (`sh`、`bash` など。
    /// `sudo` や `env` 経由も含む) やインタープリター (`python`、`perl`、`node` など) に渡しているものを検出します。
    /// パイプ (`curl ... | sh`)、プロセス置換 (`bash <(curl ...)`)、コマンド置換 (`sh -c "$(curl ...)"`)、
    /// そしてチェックサムや署名の検証なしに同じ `RUN` でファイルに保存して実行するものが対象です。
    ///
    /// ### なぜ問題か
    /// スクリプトはビルドの権限 (多くは root で、マウントされたビルド用の機微情報も含む) で実行され、
    /// その結果がイメージに残ります。ダウンロードしたものは何も検証されないため、侵害されたサーバー、
    /// 乗っ取られたドメイン、悪意あるミラー、変更されたリリースが実行内容を決め、
    /// 次のビルドではレビューしたものとは別のものが実行されるかもしれません。インストールスクリプト自体も、
    /// 検証なしで別のバイナリをダウンロードすることがよくあります。
    ///
    /// ### 対処法
    /// ダウンロードしたファイルを、公開されているチェックサムや署名で検証してから実行してください (`sha256sum -c` な
    /// ど)。可能なら、バージョンを固定したパッケージをパッケージマネージャーでインストールします。
    ///
    /// ### 修正の安全性
    /// 自動修正はありません。正しいチェックサムや署名、あるいは代わりにインストールすべきパッケージは、
    /// スクリプトを公開しているプロジェクトから入手する必要があるためです。
    pub static DOWNLOAD_AND_EXECUTE = {
        code: "DW403",
        name: "download-and-execute",
        severity: Warning,
        tags: ["supply-chain"],
        fix: None,
        since: "0.1.0",
        instruction_check: check,
    }
}

/// Interpreters that run a script read from standard input when given no script operand (or `-`).
const INTERPRETERS: &[&str] = &[
    "python", "python2", "python3", "pypy", "pypy3", "perl", "ruby", "node", "nodejs", "php",
];

/// Options of interpreters whose next word (or rest of the word) is code or a module, not a script file.
const INLINE_CODE: &[&str] = &["-c", "-m", "-e", "-E", "-r", "-p"];

/// Programs that check a checksum or a signature.
fn is_verifier(c: &Command) -> bool {
    let name = c.name();
    let args = c.args();
    let has = |s: &str| args.iter().any(|w| w.value == s);
    match name {
        "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "md5sum" | "b2sum" | "shasum" | "cksum"
        | "gpgv" | "gpgv2" | "slsa-verifier" | "sigstore" => true,
        "gpg" | "gpg2" => args.iter().any(|w| w.value.starts_with("--verify")),
        "cosign" => args.iter().any(|w| w.value.starts_with("verify")),
        "minisign" | "signify" | "signify-openbsd" => c.has_flag(&["-V"]),
        "openssl" => has("dgst") || has("sha256") || has("sha512"),
        "rpm" => c.has_flag(&["-K", "--checksig"]),
        "gh" => has("attestation"),
        _ => is_python_hashlib(c),
    }
}

/// `python3 -c "...hashlib..."`: a checksum computed in Python.
fn is_python_hashlib(c: &Command) -> bool {
    INTERPRETERS.contains(&python_name(c.name())) && c.args().iter().any(|w| w.value.contains("hashlib"))
}

/// `python3.12` → `python3`.
fn python_name(name: &str) -> &str {
    match name.find('.') {
        Some(i) if name.starts_with("python") => &name[..i],
        _ => name,
    }
}

fn is_interpreter(name: &str) -> bool {
    INTERPRETERS.contains(&python_name(name))
}

/// Whether `c` is a downloader that writes what it downloads to standard output.
fn downloads_to_stdout(c: &Command) -> bool {
    match c.name() {
        "curl" => {
            let output = c.flag(&["-o", "--output"]).map(|f| f.value());
            let remote_name = c.has_flag(&["-O", "--remote-name", "--remote-name-all"]);
            !remote_name && output.is_none_or(is_stdout) && has_url(c)
        }
        "wget" => c
            .flag(&["-O", "--output-document"])
            .is_some_and(|f| is_stdout(f.value())),
        "fetch" => c.flag(&["-o", "--output"]).is_some_and(|f| is_stdout(f.value())),
        _ => false,
    }
}

/// An output file that is standard output.
fn is_stdout(path: &str) -> bool {
    matches!(path, "-" | "/dev/stdout" | "/dev/fd/1")
}

fn has_url(c: &Command) -> bool {
    c.args().iter().any(|w| {
        let v = w.value.to_ascii_lowercase();
        v.contains("://") || !v.starts_with('-')
    })
}

/// The index in `words` of the first operand after the program's options, skipping the options that
/// take a separate value.
fn first_operand(c: &Command, with_value: &[&str]) -> Option<usize> {
    let start = c.name_index() + 1;
    let mut i = start;
    while let Some(w) = c.words.get(i) {
        let v = w.value.as_str();
        if v == "--" {
            return (i + 1 < c.words.len()).then_some(i + 1);
        }
        if v == "-" || !(v.starts_with('-') || v.starts_with('+')) || v.len() < 2 {
            return Some(i);
        }
        i += if with_value.contains(&v) { 2 } else { 1 };
    }
    None
}

const SHELL_VALUE_OPTIONS: &[&str] = &["-o", "+o", "-O", "+O", "--rcfile", "--init-file"];

/// Whether a shell or interpreter command runs the script it reads on standard input.
fn runs_stdin(c: &Command) -> bool {
    let name = c.name();
    if is_shell(name) {
        if c.has_flag(&["-s"]) {
            return true;
        }
        if c.args()
            .iter()
            .take_while(|w| w.value != "--")
            .any(|w| is_c_flag(&w.value))
        {
            return false;
        }
        return match first_operand(c, SHELL_VALUE_OPTIONS) {
            None => true,
            Some(i) => matches!(c.words[i].value.as_str(), "-" | "/dev/stdin"),
        };
    }
    if is_interpreter(name) {
        if c.has_flag(INLINE_CODE) {
            return false;
        }
        return match first_operand(c, &["-W", "-X", "-I", "-M"]) {
            None => true,
            Some(i) => matches!(c.words[i].value.as_str(), "-" | "/dev/stdin"),
        };
    }
    matches!(name, "." | "source") && c.args().first().is_some_and(|w| w.value == "/dev/stdin")
}

/// `-c`, or a short-option cluster with `c` (`-ec`).
fn is_c_flag(v: &str) -> bool {
    v.starts_with('-') && !v.starts_with("--") && v[1..].contains('c')
}

/// The word of `owner` whose code or script it runs, if `owner` runs code from a word: the script file
/// operand of a shell or interpreter, the `-c` script of a shell, the code of `python -c` / `perl -e`,
/// every word of `eval`, the file of `.` / `source`.
fn runs_word(owner: &Command, w: usize) -> bool {
    let name = owner.name();
    let at = owner.name_index();
    if w <= at {
        return false;
    }
    match name {
        "eval" => true,
        "." | "source" => w == at + 1,
        // The script file operand, or the script of `-c`: the first operand either way.
        _ if is_shell(name) => first_operand(owner, SHELL_VALUE_OPTIONS) == Some(w),
        _ if is_interpreter(name) => {
            let prev = owner.words.get(w - 1).map(|x| x.value.as_str()).unwrap_or("");
            INLINE_CODE.contains(&prev) || first_operand(owner, &["-W", "-X", "-I", "-M"]) == Some(w)
        }
        _ => false,
    }
}

/// The command of the same pipeline that reads `script.commands[i]`'s output, skipping `tee`.
fn pipe_reader(script: &Script, i: usize) -> Option<&Command> {
    let mut cur = script.commands.get(i)?;
    loop {
        if !matches!(cur.sep, Sep::Pipe | Sep::PipeBoth) {
            return None;
        }
        let next = script
            .commands
            .iter()
            .skip(i + 1)
            .find(|n| n.scope == cur.scope && n.pipe_index == cur.pipe_index + 1 && n.span.start >= cur.span.end)?;
        if next.name() == "tee" {
            cur = next;
            continue;
        }
        return Some(next);
    }
}

/// A found execution: the range to report (in the script) and the words to name.
struct Found {
    span: TextRange,
    downloader: String,
    executor: String,
    file: Option<(String, TextRange)>,
}

fn check(_: &Ctx, run: &Instr, sink: &mut Sink) {
    let mut reported: Vec<TextRange> = Vec::new();
    for rs in run.scripts {
        let mut found = Vec::new();
        streamed(&rs.script, &rs.text, &mut found);
        saved_then_run(&rs.script, &mut found);
        for f in found {
            let range = rs.abs_range(&run.item, f.span);
            if range.is_empty() || reported.iter().any(|r| r.intersects(range)) {
                continue;
            }
            reported.push(range);
            report(sink, rs, &run.item, f, range);
        }
    }
}

fn report(sink: &mut Sink, rs: &RunScript, item: &crate::syntax::ItemRef, f: Found, range: TextRange) {
    match f.file {
        None => {
            sink.report(
                range,
                "download-and-execute",
                vec![("downloader", f.downloader), ("executor", f.executor)],
            );
        }
        Some((file, at)) => {
            // A program run by its path is the file itself.
            let message = if f.executor == file {
                "download-and-execute.program"
            } else {
                "download-and-execute.file"
            };
            sink.report(
                range,
                message,
                vec![("downloader", f.downloader), ("executor", f.executor), ("file", file)],
            )
            .help("download-and-execute.file.help")
            .related(rs.abs_range(item, at), "download-and-execute.downloaded-here", vec![]);
        }
    }
}

/// Downloads whose output goes straight into a shell or an interpreter.
fn streamed(script: &Script, text: &str, found: &mut Vec<Found>) {
    for (i, c) in script.commands.iter().enumerate() {
        if !downloads_to_stdout(c) {
            continue;
        }
        // `curl ... | sh`
        if let Some(reader) = pipe_reader(script, i)
            && runs_stdin(reader)
        {
            found.push(Found {
                span: TextRange::new(c.span.start, reader.span.end),
                downloader: c.name().to_string(),
                executor: reader.name().to_string(),
                file: None,
            });
            continue;
        }
        // `bash <(curl ...)`, `sh -c "$(curl ...)"`, `eval "$(curl ...)"`: the substitution is a word the
        // owner runs.
        let Some(scope) = c.scope.and_then(|s| script.scopes.get(s as usize)) else {
            continue;
        };
        let input_subst =
            scope.kind == ScopeKind::ProcessSubst && crate::text::slice(text, scope.span).starts_with('<');
        if !(input_subst || matches!(scope.kind, ScopeKind::CommandSubst | ScopeKind::Backticks)) {
            continue;
        }
        let Some(owner) = script.owner(scope) else { continue };
        let Some(w) = owner
            .words
            .iter()
            .position(|w| w.raw_span.start <= scope.span.start && scope.span.end <= w.raw_span.end)
        else {
            continue;
        };
        if runs_word(owner, w) {
            found.push(Found {
                span: owner.span,
                downloader: c.name().to_string(),
                executor: owner.name().to_string(),
                file: None,
            });
        }
    }
}

/// The file name a downloader saves to (its last path component), and the word that names it.
fn saved_file(c: &Command) -> Option<(String, TextRange)> {
    let url = || {
        c.args()
            .iter()
            .rev()
            .find(|w| w.value.contains("://"))
            .map(|w| (url_basename(&w.value), w.raw_span))
    };
    let out = match c.name() {
        "curl" => match c.flag(&["-o", "--output"]) {
            Some(f) if !is_stdout(f.value()) => Some((f.value().to_string(), f.range())),
            Some(_) => None,
            None if c.has_flag(&["-O", "--remote-name"]) => url(),
            None => c
                .redirects
                .iter()
                .find_map(|r| r.written_file().filter(|_| r.effective_fd() == 1))
                .map(|w| (w.value.clone(), w.raw_span)),
        },
        "wget" => match c.flag(&["-O", "--output-document"]) {
            Some(f) if !is_stdout(f.value()) => Some((f.value().to_string(), f.range())),
            Some(_) => None,
            None => url(),
        },
        "fetch" => match c.flag(&["-o", "--output"]) {
            Some(f) if f.value() != "-" => Some((f.value().to_string(), f.range())),
            _ => url(),
        },
        _ => None,
    }?;
    let name = basename(out.0.trim_end_matches('/')).to_string();
    (!name.is_empty() && !name.contains('$') && !name.starts_with('-')).then_some((name, out.1))
}

/// The file name wget or `curl -O` derive from a URL: its last path component.
fn url_basename(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let after_scheme = path.split_once("://").map_or(path, |(_, p)| p);
    match after_scheme.split_once('/') {
        Some((_, p)) => basename(p).to_string(),
        None => String::new(),
    }
}

/// The word naming the file a command runs as a script or program, if any: `sh FILE`, `python3 FILE`,
/// `. FILE`, `./FILE`, `/path/FILE`.
fn executed_file(c: &Command) -> Option<&Word> {
    let name = c.name();
    let prog = c.program()?;
    if prog.value.contains('/') && !is_shell(name) && !is_interpreter(name) {
        return Some(prog);
    }
    if is_shell(name) {
        if c.args()
            .iter()
            .take_while(|w| w.value != "--")
            .any(|w| is_c_flag(&w.value))
        {
            return None;
        }
        return first_operand(c, SHELL_VALUE_OPTIONS).and_then(|i| c.words.get(i));
    }
    if is_interpreter(name) {
        if c.has_flag(INLINE_CODE) {
            return None;
        }
        return first_operand(c, &["-W", "-X", "-I", "-M"]).and_then(|i| c.words.get(i));
    }
    if matches!(name, "." | "source") {
        return c.args().first();
    }
    None
}

/// A file downloaded and then run later in the same script, with no check in between.
fn saved_then_run(script: &Script, found: &mut Vec<Found>) {
    let cmds = &script.commands;
    for (i, c) in cmds.iter().enumerate() {
        let Some((file, at)) = saved_file(c) else { continue };
        for e in cmds.iter().skip(i + 1) {
            if is_verifier(e) {
                break;
            }
            let Some(w) = executed_file(e) else { continue };
            if w.has_expansion || basename(&w.value) != file {
                continue;
            }
            found.push(Found {
                span: e.span,
                downloader: c.name().to_string(),
                executor: e.name().to_string(),
                file: Some((file.clone(), at)),
            });
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_downloads_piped_into_shells_and_interpreters() {
        check_rule(
            "DW403",
            concat!(
                "FROM debian:13\n",
                "RUN curl -fsSL https://deb.nodesource.com/setup_22.x | bash -\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
                "RUN wget -qO- https://get.example.com | sudo -E sh -s -- --channel stable\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
                "RUN curl -sSL https://install.python-poetry.org -o /dev/stdout | python3 -\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
                "RUN apt-get update && curl -L https://x.example.com/i.sh | tee /tmp/i.log | env bash\n",
                "#                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
            ),
        );
    }

    #[test]
    fn flags_substitutions_that_run_downloads() {
        check_rule(
            "DW403",
            concat!(
                "FROM debian:13\n",
                "RUN sh -c \"$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)\"\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
                "RUN bash <(curl -s https://x.example.com/i.sh) --yes\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
                "RUN eval \"$(wget -O - https://x.example.com/env)\"\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
                "RUN . <(curl -s https://x.example.com/env.sh)\n",
                "#   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
            ),
        );
    }

    #[test]
    fn flags_files_run_without_a_check_and_heredoc_scripts() {
        check_rule(
            "DW403",
            concat!(
                "FROM debian:13\n",
                "RUN curl -fsSLo /tmp/install.sh https://x.example.com/install.sh && sh /tmp/install.sh\n",
                "#                                                                   ^^^^^^^^^^^^^^^^^^ DW403 download-and-execute.file\n",
                "RUN wget https://x.example.com/setup.sh && chmod +x setup.sh && ./setup.sh --quiet\n",
                "#                                                               ^^^^^^^^^^^^^^^^^^ DW403 download-and-execute.program\n",
                "RUN <<EOF\n",
                "set -e\n",
                "curl -fsSL https://get.example.com | sh\n",
                "#^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
                "EOF\n",
                "RUN bash -c 'curl -fsSL https://get.example.com | bash'\n",
                "#            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ DW403 download-and-execute\n",
            ),
        );
    }

    #[test]
    fn verified_downloads_and_other_pipes_are_clean() {
        check_rule(
            "DW403",
            concat!(
                "FROM debian:13\n",
                "RUN curl -fsSLo /tmp/install.sh https://x.example.com/install.sh \\\n",
                " && echo \"${SHA256}  /tmp/install.sh\" | sha256sum -c - \\\n",
                " && sh /tmp/install.sh\n",
                "RUN wget -O node.tar.xz https://nodejs.org/dist/v22.0.0/node.tar.xz \\\n",
                " && wget -O node.tar.xz.asc https://nodejs.org/dist/v22.0.0/node.tar.xz.asc \\\n",
                " && gpg --batch --verify node.tar.xz.asc node.tar.xz && tar -xJf node.tar.xz\n",
                "RUN curl -fsSL https://example.com/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg\n",
                "RUN curl -fsSL https://example.com/x.tar.gz | tar -xz -C /opt\n",
                "RUN curl -fsSL https://example.com/key | apt-key add -\n",
                "RUN curl -fsSL https://example.com/a.json | jq .version\n",
                "RUN curl -fsSLo /usr/local/bin/tool https://example.com/tool && chmod +x /usr/local/bin/tool\n",
                "RUN curl -fsSL https://example.com/x.py -o x.py && python3 -m pip install .\n",
                "RUN sh -c \"$(date)\" && bash -c 'echo hi' | sh\n",
            ),
        );
    }
}
