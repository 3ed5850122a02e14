//! DW301 sensitive-context-copied: COPY or ADD of the whole build context (or a directory of it) sends
//! sensitive files that `.dockerignore` does not exclude.

use crate::check::EntryKind;
use crate::context::{self, SENSITIVE, Sensitive};
use crate::diagnostic::{Applicability, FileRef, Fix, TextEdit};
use crate::rules::{Ctx, Sink, declare_rule, hash128, kind_mask};
use crate::syntax::dockerignore::{self, Matcher};
use crate::syntax::{Args, Instruction, ItemRef, Kind, PathList};
use crate::text::TextRange;
use std::collections::HashMap;
use std::sync::Arc;

declare_rule! {
    /// COPY or ADD of the whole build context sends sensitive files that `.dockerignore` does not exclude.
    ///
    /// ## What it does
    /// Looks at every `COPY` and `ADD` from the build context whose source is the whole context (`.`,
    /// `./`, `/`, `*`) or, when the build context is known, a directory of it, and reads the
    /// `.dockerignore` that applies (`<Dockerfile>.dockerignore` beside the Dockerfile, else
    /// `<context>/.dockerignore`):
    ///
    /// - with no ignore file, it names the sensitive set, none of which is excluded (warning);
    /// - when the ignore file misses part of the standard sensitive set (`.git`, `.env*`, private keys
    ///   and certificates, SSH keys, `.ssh/`, `.aws/`, `.npmrc`, `.pypirc`, `.netrc`, credentials files,
    ///   `*.tfstate*`, `.docker/config.json`, `.kube/` and kubeconfig), it names the missing entries
    ///   (warning);
    /// - when the editor or `dockward check` has listed the build context, it names the sensitive
    ///   files that exist in the copied directory and that the ignore file lets through (error).
    ///
    /// Entries the Dockerfile copies by name (`COPY .git .git`) are not asked for. Symbolic links are
    /// not followed: BuildKit sends a link as a link.
    ///
    /// ## Why is this bad?
    /// `COPY . .` sends everything the ignore file does not exclude, and the image keeps it in a layer:
    /// the `.env` with the production database password, the deploy key, the Terraform state with
    /// every output in clear text, the whole git history (including secrets removed from the current
    /// tree). Anyone who can pull the image can extract them; deleting them in a later step does not
    /// remove them from the earlier layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci && npm run build
    /// ```
    /// with no `.dockerignore`, in a folder that holds `.env` and `.git`.
    ///
    /// ## Use instead
    /// A `.dockerignore` beside the Dockerfile:
    /// ```text
    /// **/node_modules
    /// .git
    /// **/.env*
    /// **/*.pem
    /// **/*.key
    /// **/.npmrc
    /// ```
    /// or copy only what the build needs (`COPY package*.json ./`, `COPY src/ ./src/`).
    ///
    /// ## Fix safety
    /// When there is no ignore file, the fix creates one with the sensitive set and the build outputs
    /// of the project (`**/node_modules` for `package.json`, `**/__pycache__` and `**/.venv` for
    /// Python, `target` for Rust and Maven, `**/bin` and `**/obj` for .NET), leaving out any line that
    /// would exclude a path the Dockerfile copies by name; when the ignore file misses entries, the fix
    /// appends them. Both are unsafe: the image no longer contains those files, and a build step may
    /// have used them (`git describe` needs `.git`). When sensitive files are found in the context, the
    /// fix appends exactly those paths; it is safe, unless `.git` is among them.
    ///
    /// ## References
    /// - [Docker: .dockerignore files](https://docs.docker.com/build/concepts/context/#dockerignore-files)
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory;
    ///   CWE-527: Exposure of Version-Control Repository to an Unauthorized Control Sphere
    /// - CIS Docker Benchmark 4.10 "Ensure secrets are not stored in Dockerfiles"
    /// - No hadolint, BuildKit, Trivy or Checkov check reads the ignore file with the Dockerfile.
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ビルドコンテキスト全体を `COPY`/`ADD` しており、`.dockerignore` で除外されていない機微なファイルがイメージに送
    /// られます。
    ///
    /// ### 検出内容
    /// コピー元がビルドコンテキスト全体 (`.`、`./`、`/`、`*`) またはそのディレクトリである `COPY` と `ADD` について、
    /// 適用される `.dockerignore` を読みます。除外ファイルがない場合、標準的な機微ファイル群 (`.git`、`.env*`、
    /// 秘密鍵や証明書、SSH 鍵、`.aws/`、`.npmrc`、認証情報ファイル、`*.tfstate*`、
    /// kubeconfig など) の一部が除外されていない場合、そしてビルドコンテキストが分かるときは実際に送られる機微ファイ
    /// ルを報告します。
    ///
    /// ### なぜ問題か
    /// `COPY . .` は除外ファイルで除外されていないものをすべて送り、イメージはそれをレイヤーに保持します。
    /// 本番データベースのパスワード入りの `.env`、デプロイ鍵、出力値が平文で入った Terraform のステート、
    /// Git の全履歴 (現在のツリーから消した機微情報も含む) などです。イメージを取得できる人なら誰でも取り出せ、
    /// 後のステップで削除しても前のレイヤーからは消えません。
    ///
    /// ### 対処法
    /// Dockerfile の隣に `.dockerignore` を置き、`.git`、`**/.env*`、`**/*.pem`、`**/*.key`、
    /// `**/.npmrc` などを除外してください。あるいは必要なものだけをコピーします (`COPY package*.json ./`、
    /// `COPY src/ ./src/`)。
    ///
    /// ### 修正の安全性
    /// 除外ファイルがない場合は、機微ファイル群とプロジェクトのビルド成果物 (`**/node_modules` など) を書いた除外ファ
    /// イルを作り、足りない項目がある場合はそれを追記します。Dockerfile が名前でコピーしているパスを除外する行は入れ
    /// ません。イメージからそのファイルがなくなり、ビルドステップが使っていた可能性もある (`git describe` に
    /// は `.git` が必要) ため、どちらも安全ではありません。コンテキスト内に見つかった機微ファイルのパスだけを追記する
    /// 修正は、`.git` を含まない限り安全です。
    pub static SENSITIVE_CONTEXT_COPIED = {
        code: "DW301",
        name: "sensitive-context-copied",
        severity: Warning,
        tags: ["build-context"],
        fix: Always,
        since: "0.1.0",
        reads: [Copy, Add],
        per_stage: true,
        reads_context: true,
        check: check,
    }
}

/// One source of a COPY/ADD: its text and absolute range.
pub(crate) struct Source {
    pub text: String,
    pub range: TextRange,
}

/// A COPY or ADD instruction's sources (not its destination), and whether they come from the build
/// context (no `--from`).
pub(crate) struct Copy {
    pub sources: Vec<Source>,
    pub from_context: bool,
}

/// Every COPY and ADD a rule looks at (those of the part a per-stage rule runs on).
pub(crate) fn copies(ctx: &Ctx) -> Vec<Copy> {
    ctx.instructions().filter_map(|(it, ins)| copy_of(&it, ins)).collect()
}

/// A COPY or ADD with a destination, read as [`Copy`]; `None` for another instruction.
fn copy_of(it: &ItemRef, ins: &Instruction) -> Option<Copy> {
    if !matches!(ins.kind, Kind::Copy | Kind::Add) {
        return None;
    }
    let mut sources = sources(it, ins);
    sources.pop()?;
    Some(Copy {
        sources,
        from_context: !ins.flags.iter().any(|f| f.name == "from"),
    })
}

/// The path arguments of a COPY, ADD or VOLUME as written: every source, then the destination. A JSON
/// string's range excludes its quotes when it has no escapes.
pub(crate) fn sources(it: &ItemRef, ins: &Instruction) -> Vec<Source> {
    let Args::Paths(paths) = &ins.args else {
        return Vec::new();
    };
    match paths {
        PathList::Words(ws) => ws
            .iter()
            .map(|w| Source {
                text: ins.text(w).to_string(),
                range: it.abs(w.range),
            })
            .collect(),
        PathList::Exec(a) => a
            .items
            .iter()
            .map(|s| {
                let r = it.abs(s.span.range);
                // The string without its quotes, when it has no escapes.
                let inner = ins.text(&s.span).len() == s.value.len() + 2;
                Source {
                    text: s.value.clone(),
                    range: if inner && r.len() >= 2 {
                        TextRange::new(r.start + 1, r.end - 1)
                    } else {
                        r
                    },
                }
            })
            .collect(),
    }
}

/// The context paths one COPY or ADD copies by name (not the whole context, not globs); none for a
/// `--from` copy or another instruction.
fn named_by(it: &ItemRef, ins: &Instruction) -> Vec<String> {
    copy_of(it, ins)
        .filter(|c| c.from_context)
        .map(|c| {
            c.sources
                .iter()
                .filter_map(|s| context::context_path(&s.text))
                .filter(|p| !p.is_empty() && !context::is_glob(p))
                .collect()
        })
        .unwrap_or_default()
}

/// The context paths the whole Dockerfile copies by name, sorted, each once (a file may copy `go.mod`
/// in every one of its stages), and their fingerprint.
pub(crate) struct CopiedByName {
    pub(crate) paths: Arc<Vec<String>>,
    pub(crate) fingerprint: u128,
}

/// The last answer of [`Ctx::copied_by_name`] on this thread: the fingerprint of the COPY and ADD
/// instructions it was made from ([`SENSITIVE_CONTEXT_COPIED`]'s read set), the answer, and what each
/// distinct instruction text copied by name (with the escape character, which fixes how they parse).
struct LastNamed {
    reads: u128,
    paths: Arc<Vec<String>>,
    fingerprint: u128,
    escape: char,
    by_text: HashMap<u128, Box<[String]>, foldhash::fast::RandomState>,
}

thread_local! {
    static LAST_NAMED: std::cell::RefCell<Option<LastNamed>> = const { std::cell::RefCell::new(None) };
}

impl Ctx<'_> {
    /// What the whole file copies by name, whatever part a per-stage rule runs on: DW301 leaves the
    /// sensitive entries those paths would match out of what it asks for, so its findings in one stage
    /// depend on every stage's copies, and this fingerprint is in the part keys of every read set that
    /// holds COPY or ADD ([`super::per_stage`]). Once per check; from the last check while the file's COPY
    /// and ADD instructions are the same (a keystroke elsewhere), and a changed file looks up each
    /// instruction text the last answer saw instead of parsing its sources again.
    pub(crate) fn copied_by_name(&self) -> &CopiedByName {
        self.copied_by_name.get_or_init(|| {
            let reads = SENSITIVE_CONTEXT_COPIED
                .reads
                .and_then(|r| self.read_print(r.mask()))
                .map(|(fp, _)| fp);
            let bypass = crate::memo::is_bypassed();
            LAST_NAMED.with(|last| {
                let mut last = last.borrow_mut();
                if !bypass
                    && let (Some(reads), Some(l)) = (reads, last.as_ref())
                    && l.reads == reads
                {
                    return CopiedByName {
                        paths: l.paths.clone(),
                        fingerprint: l.fingerprint,
                    };
                }
                let escape = self.tree.escape;
                // A bypassed check neither reads nor replaces the last answer.
                let mut old = match (bypass, last.as_ref()) {
                    (false, Some(l)) if l.escape == escape => last.take().map(|l| l.by_text).unwrap_or_default(),
                    _ => HashMap::default(),
                };
                let mut by_text: HashMap<u128, Box<[String]>, foldhash::fast::RandomState> = HashMap::default();
                let copy_or_add = kind_mask(&[Kind::Copy, Kind::Add]);
                for (i, p) in self.item_fingerprints().iter().enumerate() {
                    if p.bits & copy_or_add == 0 || by_text.contains_key(&p.hash) {
                        continue;
                    }
                    let named = old.remove(&p.hash).unwrap_or_else(|| {
                        self.tree
                            .item(i)
                            .and_then(|it| it.instruction().map(|ins| named_by(&it, ins)))
                            .unwrap_or_default()
                            .into_boxed_slice()
                    });
                    by_text.insert(p.hash, named);
                }
                let mut paths: Vec<String> = by_text.values().flat_map(|v| v.iter().cloned()).collect();
                paths.sort_unstable();
                paths.dedup();
                let fingerprint = hash128(|h| {
                    use std::hash::BuildHasher;
                    h.hash_one(&paths)
                });
                let paths = Arc::new(paths);
                if !bypass && let Some(reads) = reads {
                    *last = Some(LastNamed {
                        reads,
                        paths: paths.clone(),
                        fingerprint,
                        escape,
                        by_text,
                    });
                }
                CopiedByName { paths, fingerprint }
            })
        })
    }
}

/// Whether ignore line `line` would exclude a path the Dockerfile copies by name, or a listed file
/// inside such a directory.
fn breaks_a_copy(ctx: &Ctx, line: &str, named: &[String]) -> bool {
    let Ok(m) = Matcher::from_patterns(&[line]) else {
        return true;
    };
    named.iter().any(|p| {
        if m.matches_or_parent_matches(p).unwrap_or(true) {
            return true;
        }
        let Some(c) = ctx.input.context else {
            return false;
        };
        let prefix = format!("{p}/");
        let start = c.entries.partition_point(|e| e.path.as_str() < prefix.as_str());
        c.entries[start..]
            .iter()
            .take_while(|e| e.path.starts_with(&prefix))
            .take(10_000)
            .any(|e| m.matches_or_parent_matches(&e.path).unwrap_or(false))
    })
}

/// `` `a`, `b`, `c`, … `` (at most `max` items shown).
fn list(items: &[String], max: usize) -> String {
    let mut shown: Vec<String> = items.iter().take(max).map(|p| format!("`{p}`")).collect();
    if items.len() > max {
        shown.push("…".to_string());
    }
    shown.join(", ")
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    let file = ctx.input.ignore_file.map(dockerignore::parse);
    let matcher = match &file {
        Some(f) => match Matcher::new(f) {
            Ok(m) => Some(m),
            // Docker rejects the ignore file, so the build fails: DW303 reports why.
            Err(_) => return,
        },
        None => None,
    };
    let copies = copies(ctx);
    let named: &[String] = &ctx.copied_by_name().paths;
    let mut create: Option<Fix> = None;
    let mut append: Option<Fix> = None;
    // The entries a broad copy lets through, with their list and count as the message shows them.
    let mut missing_cache: Option<(Vec<&Sensitive>, String, String)> = None;
    // The diagnostic each source text gave as a broad copy, rendered: it says the same for every copy
    // of that text (a file may copy `.` hundreds of times), so later ones are copies with their range.
    let mut said: Vec<(&str, crate::diagnostic::Diagnostic)> = Vec::new();
    for c in copies.iter().filter(|c| c.from_context) {
        for s in &c.sources {
            let Some(path) = context::context_path(&s.text) else {
                continue;
            };
            let broad = path.is_empty() || path == "*";
            let root = if broad { "" } else { path.as_str() };
            if let Some(listing) = ctx.input.context
                && (root.is_empty()
                    || listing
                        .entries
                        .binary_search_by(|e| e.path.as_str().cmp(root))
                        .is_ok_and(|i| listing.entries[i].kind == EntryKind::Dir))
                && listing.scanned_inside(root)
            {
                let exposed = exposed(listing, matcher.as_ref(), root);
                if !exposed.is_empty() {
                    report_exposed(ctx, sink, s, &exposed, named);
                    continue;
                }
            }
            if !broad {
                continue;
            }
            // Computed once per check, not per copy, and only when a broad copy needs it: each answer
            // compiles patterns (a file may copy `.` hundreds of times).
            let (missing, entries, count) = missing_cache.get_or_insert_with(|| {
                let missing = SENSITIVE
                    .iter()
                    .filter(|e| {
                        matcher
                            .as_ref()
                            .is_none_or(|m| e.probes.iter().any(|p| !m.excluded_in_walk(p).unwrap_or(true)))
                            && !e.patterns.iter().any(|l| breaks_a_copy(ctx, l, named))
                    })
                    .collect::<Vec<&Sensitive>>();
                let labels: Vec<String> = missing.iter().map(|e| e.label.to_string()).collect();
                (missing, list(&labels, 6), labels.len().to_string())
            });
            if missing.is_empty() {
                continue;
            }
            if let Some((_, d)) = said.iter().find(|(text, _)| *text == s.text) {
                let mut d = d.clone();
                d.range = s.range;
                sink.rendered.push(d);
                continue;
            }
            let args = vec![
                ("path", s.text.clone()),
                ("entries", entries.clone()),
                ("count", count.clone()),
            ];
            match ctx.input.ignore_file {
                None => {
                    let fix = create.get_or_insert_with(|| create_fix(ctx, named)).clone();
                    sink.report(s.range, "sensitive-context-copied.no-ignore-file", args)
                        .fix(fix);
                }
                Some(text) => {
                    let lines: Vec<String> = missing
                        .iter()
                        .flat_map(|e| e.patterns.iter().map(|l| l.to_string()))
                        .collect();
                    let fix = append
                        .get_or_insert_with(|| {
                            append_fix(ctx, text, &lines, "fix.add-ignore-entries", Applicability::Unsafe)
                        })
                        .clone();
                    sink.report(s.range, "sensitive-context-copied.missing", args).fix(fix);
                }
            }
            let finding = sink.findings.pop().into_iter().collect();
            let from = sink.rendered.len();
            crate::rules::render_findings(
                &SENSITIVE_CONTEXT_COPIED,
                None,
                ctx.locale(),
                finding,
                &mut sink.recent,
                &mut sink.rendered,
            );
            if let Some(d) = sink.rendered.get(from) {
                said.push((s.text.as_str(), d.clone()));
            }
        }
    }
}

/// The sensitive files (a sensitive directory once) under `root` that the ignore file lets through.
fn exposed(listing: &crate::check::Context, matcher: Option<&Matcher>, root: &str) -> Vec<String> {
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let start = listing.entries.partition_point(|e| e.path.as_str() < prefix.as_str());
    let mut out: Vec<String> = Vec::new();
    for e in listing.entries[start..]
        .iter()
        .take_while(|e| e.path.starts_with(&prefix))
    {
        if e.kind != EntryKind::File || !context::is_sensitive_path(&e.path) {
            continue;
        }
        let key = sensitive_dir(&e.path).unwrap_or(&e.path);
        if out.last().is_some_and(|l| l == key) || out.iter().any(|l| l == key) {
            continue;
        }
        if matcher.is_some_and(|m| m.excluded_in_walk(&e.path).unwrap_or(true)) {
            continue;
        }
        out.push(key.to_string());
    }
    out
}

/// The outermost directory of `path` whose whole content is sensitive (`.git`, `.aws`, `.ssh`).
fn sensitive_dir(path: &str) -> Option<&str> {
    path.match_indices('/')
        .map(|(i, _)| &path[..i])
        .find(|dir| dir.rsplit('/').next() == Some(".git") || crate::secrets::secret_file(dir).is_some())
}

fn report_exposed(ctx: &Ctx, sink: &mut Sink, s: &Source, exposed: &[String], named: &[String]) {
    let args = vec![
        ("path", s.text.clone()),
        ("files", list(exposed, 5)),
        ("count", exposed.len().to_string()),
    ];
    let f = sink.report(s.range, "sensitive-context-copied.files", args);
    f.severity(crate::diagnostic::Severity::Error);
    match ctx.input.ignore_file {
        None => {
            f.fix(create_fix(ctx, named));
        }
        Some(text) => {
            let lines: Vec<String> = exposed.iter().filter_map(|p| context::escape_path(p)).collect();
            if lines.len() == exposed.len() {
                let git = exposed.iter().any(|p| p.rsplit('/').next() == Some(".git"));
                let applicability = if git {
                    Applicability::Unsafe
                } else {
                    Applicability::Safe
                };
                f.fix(append_fix(ctx, text, &lines, "fix.exclude-files", applicability));
            }
        }
    }
}

fn append_fix(ctx: &Ctx, text: &str, lines: &[String], title: &str, applicability: Applicability) -> Fix {
    let (range, new_text) = context::append_edit(text, lines);
    Fix {
        title: ctx
            .msg(
                title,
                &[("entries", list(lines, 4)), ("count", lines.len().to_string())],
            )
            .into(),
        applicability,
        edits: vec![TextEdit {
            file: FileRef::IgnoreFile,
            range,
            new_text: new_text.into(),
        }],
        creates: None,
        resolve: None,
    }
}

fn create_fix(ctx: &Ctx, named: &[String]) -> Fix {
    let lines = context::default_ignore_lines(ctx.input.context, named, |l| !breaks_a_copy(ctx, l, named));
    let mut new_text = String::new();
    for l in &lines {
        new_text.push_str(l);
        new_text.push('\n');
    }
    Fix {
        title: ctx
            .msg("fix.create-dockerignore", &[("count", lines.len().to_string())])
            .into(),
        applicability: Applicability::Unsafe,
        edits: vec![TextEdit {
            file: FileRef::IgnoreFile,
            range: TextRange::empty(0),
            new_text: new_text.into(),
        }],
        creates: Some(FileRef::IgnoreFile),
        resolve: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{Input, check};
    use crate::diagnostic::{Applicability, FileRef, Severity};
    use crate::fix;
    use crate::rules::testing::{TODAY, check_rule, check_rule_with, listing};
    use crate::settings::Settings;

    fn settings() -> Settings {
        Settings {
            select: Some(vec!["DW301".into()]),
            ..Settings::default()
        }
    }

    #[test]
    fn without_an_ignore_file_the_whole_context_is_sent() {
        check_rule(
            "DW301",
            "FROM alpine:3.24\nCOPY . /app\n#    ^ DW301 sensitive-context-copied.no-ignore-file\nCOPY ./ /b/\n#    ^^ DW301 sensitive-context-copied.no-ignore-file\nCOPY src/ /app/src/\nCOPY --from=build / /\nADD * /c/\n#   ^ DW301 sensitive-context-copied.no-ignore-file\n",
        );
    }

    #[test]
    fn an_ignore_file_missing_part_of_the_sensitive_set() {
        let src = "FROM alpine:3.24\nCOPY . .\n#    ^ DW301 sensitive-context-copied.missing\n";
        let mut input = Input::new(src, TODAY);
        input.ignore_file = Some(".git\n.env\n");
        check_rule_with("DW301", src, &input, &settings());
        let d = &check(&input, &settings())[0];
        assert!(
            d.message.contains("`.env*`") && !d.message.contains("`.git`"),
            "{}",
            d.message
        );
        let fixed = fix::apply_fix(".git\n.env\n", &d.fixes[0], &FileRef::IgnoreFile).unwrap();
        assert!(fixed.starts_with(".git\n.env\n**/.env*\n**/*.pem\n"), "{fixed}");
        assert_eq!(d.fixes[0].applicability, Applicability::Unsafe);
        // The fixed ignore file covers the set.
        let clean = "FROM alpine:3.24\nCOPY . .\n";
        let mut input = Input::new(clean, TODAY);
        input.ignore_file = Some(&fixed);
        check_rule_with("DW301", clean, &input, &settings());
    }

    #[test]
    fn entries_the_dockerfile_copies_by_name_are_not_asked_for() {
        let src = "FROM golang:1.25\nCOPY .git .git\nCOPY certs/server.pem /etc/ssl/\nCOPY . .\n#    ^ DW301 sensitive-context-copied.missing\n";
        let mut input = Input::new(src, TODAY);
        input.ignore_file = Some("**/.env*\n");
        check_rule_with("DW301", src, &input, &settings());
        let d = &check(&input, &settings())[0];
        assert!(
            !d.message.contains("`.git`") && !d.message.contains("`*.pem`"),
            "{}",
            d.message
        );
        let create = {
            let mut i = Input::new(src, TODAY);
            i.ignore_file = None;
            check(&i, &settings())
        };
        let text = &create[0].fixes[0].edits[0].new_text;
        assert!(
            !text.contains(".git\n") && !text.contains("*.pem") && text.contains("**/.env*"),
            "{text}"
        );
    }

    /// What one stage copies by name changes what DW301 asks for in every stage: typing `.git` in a later
    /// stage's COPY takes `.git` out of the first stage's finding (each check against a fresh one).
    #[test]
    fn a_path_copied_by_name_in_another_stage_is_not_asked_for() {
        let mut text = String::from("FROM alpine:3.24 AS a\nCOPY . .\nFROM alpine:3.24\nCOPY .gi /x/\n");
        let asks_for_git = |text: &str| {
            let input = Input::new(text, TODAY);
            let warm = check(&input, &settings());
            assert_eq!(warm, crate::memo::bypassed(|| check(&input, &settings())), "{text}");
            warm[0].message.contains("`.git`")
        };
        assert!(asks_for_git(&text));
        text.insert(text.len() - 5, 't');
        assert!(!asks_for_git(&text), "{text}");
        text.insert(text.len() - 5, 'x');
        assert!(asks_for_git(&text), "{text}");
    }

    #[test]
    fn sensitive_files_on_disk_are_named() {
        let src = "FROM alpine:3.24\nCOPY . /app\n#    ^ DW301 sensitive-context-copied.files\nCOPY config/ /app/config/\n#    ^^^^^^^ DW301 sensitive-context-copied.files\nCOPY docs /docs\n";
        let context = listing(&[
            ".env",
            ".env.example",
            ".git/",
            ".git/HEAD",
            ".git/config",
            ".aws/",
            ".aws/credentials",
            "config/",
            "config/.env.local",
            "config/app.yml",
            "docs/",
            "docs/index.md",
            "id_rsa@",
            "src/",
            "src/main.rs",
        ]);
        let mut input = Input::new(src, TODAY);
        input.context = Some(&context);
        input.ignore_file = Some(".aws\n");
        check_rule_with("DW301", src, &input, &settings());
        let ds = check(&input, &settings());
        assert_eq!(ds[0].severity, Severity::Error);
        assert!(
            ds[0].message.contains("`.env`, `.git`, `config/.env.local`") && !ds[0].message.contains("id_rsa"),
            "{}",
            ds[0].message
        );
        // The fix names exactly those paths; `.git` makes it unsafe.
        assert_eq!(ds[0].fixes[0].edits[0].new_text, ".env\n.git\nconfig/.env.local\n");
        assert_eq!(ds[0].fixes[0].applicability, Applicability::Unsafe);
        assert_eq!(ds[1].fixes[0].edits[0].new_text, "config/.env.local\n");
        assert_eq!(ds[1].fixes[0].applicability, Applicability::Safe);
        // Once excluded, the set is complete and nothing is exposed.
        let clean = "FROM alpine:3.24\nCOPY . /app\nCOPY config/ /app/config/\n";
        let mut input = Input::new(clean, TODAY);
        input.context = Some(&context);
        let full: String = crate::context::SENSITIVE
            .iter()
            .flat_map(|s| s.patterns.iter().map(|p| format!("{p}\n")))
            .collect();
        input.ignore_file = Some(&full);
        check_rule_with("DW301", clean, &input, &settings());
    }

    #[test]
    fn creates_an_ignore_file_fitted_to_the_context() {
        let src = "FROM node:22-alpine\nCOPY . .\n";
        let context = listing(&["package.json", "src/", "src/index.js", ".env"]);
        let mut input = Input::new(src, TODAY);
        input.context = Some(&context);
        let ds = check(&input, &settings());
        assert_eq!(ds[0].message_id, "sensitive-context-copied.files");
        let f = &ds[0].fixes[0];
        assert_eq!(f.creates, Some(FileRef::IgnoreFile));
        assert!(
            f.edits[0].new_text.starts_with("**/node_modules\n"),
            "{}",
            f.edits[0].new_text
        );
        let created = fix::apply_fix("", f, &FileRef::IgnoreFile).unwrap();
        input.ignore_file = Some(&created);
        assert!(check(&input, &settings()).is_empty());
    }
}
