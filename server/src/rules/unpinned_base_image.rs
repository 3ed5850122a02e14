//! DW103 unpinned-base-image: an image used without a tag, or with `latest`, and without a digest.
//!
//! Also the helpers the image rules (DW102 to DW106) share: [`memoised`], which computes a use's findings
//! once per process for each reference text, [`Mapping`] from offsets in an image reference's expanded text
//! to the source, and the edits that replace a tag or add a digest.

use std::sync::Arc;

use crate::data;
use crate::diagnostic::{Applicability, DIGEST_PLACEHOLDER, Diagnostic, FileRef, Fix, Resolve, TextEdit};
use crate::images::tags;
use crate::model::refs::{ImageUse, UseKind};
use crate::model::{ImageRef, VarDef, VarKind};
use crate::rules::{Ctx, Rule, Sink, declare_rule, moved_copy, render_findings, shift};
use crate::text::TextRange;

declare_rule! {
    /// A base image is used without a tag, or with `latest`, and without a digest.
    ///
    /// ## What it does
    /// Checks every image a Dockerfile uses (`FROM`, `COPY --from=<image>`, `RUN --mount=from=<image>`)
    /// and reports those written without a tag (Docker then pulls `latest`) or with the tag `latest`,
    /// unless a digest (`@sha256:...`) pins them. Stage names and `scratch` are not images. An image
    /// that comes from ARG defaults is checked as it expands; when the whole word is one variable, the
    /// finding is on the ARG's default, which is what to change. References whose variables have no
    /// default are not checked.
    ///
    /// ## Why is this bad?
    /// `latest` is whatever the registry serves when the build runs. Two builds of the same Dockerfile
    /// can start from different images, with a new major version, a changed default user or a
    /// compromised release that nobody reviewed, and a build cache can keep serving an old `latest`
    /// long after it changed. A version tag says what you build on; a digest makes the build
    /// reproducible and lets an update bot show every change as a reviewable pull request.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node
    /// COPY --from=nginx:latest /etc/nginx/nginx.conf /etc/nginx/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:24.19.0-alpine@sha256:<digest>
    /// COPY --from=nginx:1.31.4@sha256:<digest> /etc/nginx/nginx.conf /etc/nginx/
    /// ```
    ///
    /// ## Fix safety
    /// For a Docker Official Image the first fix pins the most specific version tag that `latest` (or
    /// the written tag) stands for in the embedded list of supported tags, for example `node` to
    /// `node:26.7.0`. It is unsafe: the embedded list has a date, and the registry may have moved on.
    /// The second fix pins the digest the registry serves for the written reference today
    /// (`node:latest@sha256:...`); it changes nothing in the image, but needs the registry, so editors
    /// resolve it when chosen and the CLI only with `dockward check --fix --resolve-digests`.
    ///
    /// ## References
    /// - CWE-1357: Reliance on Insufficiently Trustworthy Component; CWE-829: Inclusion of Functionality
    ///   from Untrusted Control Sphere
    /// - CIS Docker Benchmark v1.6.0: 4.2 (use only trusted base images), 5.28 (use version pinning
    ///   so that Docker commands use the intended version of an image)
    /// - hadolint [DL3006](https://github.com/hadolint/hadolint/wiki/DL3006) (always tag the version of
    ///   an image) and [DL3007](https://github.com/hadolint/hadolint/wiki/DL3007) (using `latest`)
    /// - Trivy DS001 (`:latest` tag used); Checkov CKV_DOCKER_7 (the base image uses a non-latest tag)
    /// - [Docker build best practices: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ベースイメージがタグなし、または `latest` タグで、ダイジェスト固定もされていません。
    ///
    /// ### 検出内容
    /// Dockerfile が使うすべてのイメージ (`FROM`、`COPY --from=<イメージ>`、`RUN --mount=from=<イメージ>`) を調べ、
    /// タグがないもの (Docker は `latest` を取得します) と `latest` タグのものを報告します。
    /// ダイジェスト (`@sha256:...`) で固定されていれば報告しません。ステージ名と `scratch` はイメージではないので対象
    /// 外です。
    ///
    /// ### なぜ問題か
    /// `latest` は、ビルドした時点でレジストリが返すものにすぎません。同じ Dockerfile でも、
    /// メジャーバージョンが上がった、既定のユーザーが変わった、あるいは誰もレビューしていない侵害されたリリースのイメ
    /// ージからビルドされることがあります。ビルドキャッシュが古い `latest` を使い続けることもあります。
    ///
    /// ### 対処法
    /// バージョンタグを明記し、できればダイジェストで固定してください。Renovate や Dependabot などの更新ボットを使え
    /// ば、変更をレビュー可能なプルリクエストとして受け取れます。
    ///
    /// ### 修正の安全性
    /// 公式イメージの場合、一つ目の修正は同梱のサポート対象タグの一覧から `latest` が指す最も具体的なバージョンタグに
    /// 固定します。一覧には作成日があり、レジストリ側が先に進んでいる可能性があるため、安全ではありません。
    /// 二つ目の修正は、現在レジストリが返すダイジェストで固定します。イメージは変わりませんがレジストリへの問い合わせ
    /// が必要なため、エディターでは選んだときに、CLI では `dockward check --fix --resolve-digests` のときだけ解決しま
    /// す。
    pub static UNPINNED_BASE_IMAGE = {
        code: "DW103",
        name: "unpinned-base-image",
        severity: Warning,
        tags: ["supply-chain"],
        fix: Sometimes,
        since: "0.1.0",
        also: ["hadolint:DL3006", "hadolint:DL3007", "trivy:DS001", "checkov:CKV_DOCKER_7"],
        reads_images_and: [From, Arg],
        per_stage: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    let locale = ctx.locale();
    for u in image_uses(ctx, sink) {
        let Some(r) = u.image() else { continue };
        // Pinned by digest or by a tag other than `latest`: nothing to find, without a memo lookup.
        if r.digest.is_some() || r.tag.as_deref().is_some_and(|t| t != "latest") {
            continue;
        }
        memoised(ctx, &UNPINNED_BASE_IMAGE, "DW103", u, &locale, sink, |sink| {
            check_use(ctx, u, r, sink)
        });
    }
}

fn check_use(ctx: &Ctx, u: &ImageUse, r: &ImageRef, sink: &mut Sink) {
    let latest = match r.tag.as_deref() {
        None => false,
        Some("latest") => true,
        Some(_) => return,
    };
    if r.digest.is_some() {
        return;
    }
    let map = Mapping::of(ctx, u);
    let word_len = r.written.len();
    let tag_span = r.tag_span.unwrap_or((word_len, word_len));
    let range = map
        .as_ref()
        .and_then(|m| {
            if latest {
                m.range(tag_span)
            } else {
                m.range((0, word_len))
            }
        })
        .unwrap_or(u.range);
    let image = r.familiar_name();
    let pinned = data::official_image(&canonical_name(r))
        .filter(|_| r.is_library())
        .and_then(|i| tags::pin(i, r.tag.as_deref()));
    let mut args = vec![("image", image.clone())];
    if let Some(p) = pinned {
        args.push(("pinned", p.to_string()));
    }
    let finding = sink.report(
        range,
        if latest {
            "unpinned-base-image.latest"
        } else {
            "unpinned-base-image.no-tag"
        },
        args,
    );
    if pinned.is_some() {
        finding.help("unpinned-base-image.help-pin");
    }
    let Some(map) = map else { return };
    if let Some(p) = pinned {
        // Replace `latest`, or add the tag after the name.
        let edit = if latest {
            map.edit(tag_span, p.to_string())
        } else {
            map.edit((word_len, word_len), format!(":{p}"))
        };
        if let Some(edit) = edit {
            finding.fix(Fix {
                title: ctx
                    .msg("fix.pin-tag", &[("image", image.clone()), ("tag", p.to_string())])
                    .into(),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
                creates: None,
                resolve: None,
            });
        }
    }
    let reference = format!("{}/{}:latest", r.domain, r.path);
    let text = if latest {
        format!("@{DIGEST_PLACEHOLDER}")
    } else {
        format!(":latest@{DIGEST_PLACEHOLDER}")
    };
    if let Some(edit) = map.edit((word_len, word_len), text) {
        finding.fix(digest_fix(
            ctx,
            "fix.pin-digest",
            &[("reference", reference.clone())],
            vec![edit],
            reference,
        ));
    }
}

/// The image uses the image rules (DW102–DW106) report on. Those rules declare that they read `FROM`,
/// `ARG` and the instructions that can hold an image reference, not `ENV` or `USER` (the other kinds the
/// model is built from), so typing in an `ENV` or `USER` leaves their memoised answers standing: a
/// `FROM`'s reference expands only the build arguments declared before the first `FROM`, and `USER`
/// sets no variable. A `COPY --from` or `RUN --mount=from` reference written with a variable may expand
/// an `ENV` of its stage: while one is written, the answer depends on items the rule does not declare,
/// and is not memoised ([`Sink::read_unread_items`]).
pub(crate) fn image_uses<'c>(ctx: &'c Ctx, sink: &mut Sink) -> &'c [ImageUse] {
    let uses = ctx.image_uses();
    if uses.iter().any(|u| u.kind != UseKind::From && u.written.contains('$')) {
        sink.read_unread_items();
    }
    uses
}

/// Reports what `compute` finds for the use `u`, as diagnostics of `rule` rendered in the check's locale
/// (the rule's own severities; [`crate::rules::to_diagnostics`] sets one the user configured). When `u`
/// has a memo ([`ImageUse::derived`]: a verbatim reference to an image), they are computed and rendered
/// once per process for its text, `owner` and `key`, and kept with ranges relative to the reference,
/// moved to where each use is written: a memo hit copies shared texts, with no message rendered again.
/// `key` must hold everything else `compute` reads and the locale: the date, the settings that matter.
/// Other uses (variables, whose findings also depend on ARG lines) are computed afresh.
pub(crate) fn memoised<K>(
    ctx: &Ctx,
    rule: &'static Rule,
    owner: &'static str,
    u: &ImageUse,
    key: &K,
    sink: &mut Sink,
    compute: impl Fn(&mut Sink),
) where
    K: PartialEq + Clone + Send + Sync + 'static,
{
    let locale = ctx.locale();
    // Rendered with the texts the rule rendered lately: equal messages share one text.
    let render = |s: Sink, sink: &mut Sink| {
        sink.unmemoisable |= s.unmemoisable;
        render_findings(rule, None, locale, s.findings, &mut sink.recent, &mut sink.rendered);
        sink.rendered.extend(s.rendered);
    };
    let afresh = |sink: &mut Sink| {
        let mut s = Sink::default();
        compute(&mut s);
        render(s, sink);
    };
    let Some(derived) = u.derived().filter(|_| !cold()) else {
        return afresh(sink);
    };
    let mut fresh = false;
    let stored: Option<Arc<[Diagnostic]>> = derived.get_or(owner, key, || {
        let from = sink.rendered.len();
        afresh(sink);
        fresh = true;
        relative(&sink.rendered[from..], u.range)
    });
    if fresh {
        return;
    }
    match stored {
        Some(list) => {
            let start = i64::from(u.range.start);
            // With their fixes: a whole-file memo may keep these for a check that wants them.
            sink.rendered
                .extend(list.iter().map(|d| moved_copy(d, true, |r| shift(r, start))));
        }
        // Findings outside the reference: not memoised (no rule reports such findings today).
        None => afresh(sink),
    }
}

/// Whether to compute without the memo: when every memo is bypassed ([`crate::memo::bypassed`], tests
/// compare both).
#[cfg(not(test))]
fn cold() -> bool {
    crate::memo::is_bypassed()
}

/// `rendered` with every range relative to `at.start`, when all of them lie inside `at`, in the Dockerfile.
fn relative(rendered: &[Diagnostic], at: TextRange) -> Option<Arc<[Diagnostic]>> {
    let inside = |r: TextRange| at.start <= r.start && r.end <= at.end;
    let all_inside = rendered.iter().all(|d| {
        d.file == FileRef::Dockerfile
            && inside(d.range)
            && d.related
                .iter()
                .all(|r| r.file == FileRef::Dockerfile && inside(r.range))
            && d.fixes.iter().all(|x| {
                x.creates.is_none() && x.edits.iter().all(|e| e.file == FileRef::Dockerfile && inside(e.range))
            })
    });
    let back = -i64::from(at.start);
    all_inside.then(|| {
        rendered
            .iter()
            .map(|d| moved_copy(d, true, |r| shift(r, back)))
            .collect()
    })
}

/// The repository as [`data`] looks it up: `docker.io/library/node`.
pub(crate) fn canonical_name(r: &ImageRef) -> String {
    format!("{}/{}", r.domain, r.path)
}

/// A fix whose edits wait for the digest the registry serves for `reference`. Changing only how an
/// image is pinned, not which image it is, it is safe once resolved.
pub(crate) fn digest_fix(
    ctx: &Ctx,
    title_id: &str,
    args: &[(&str, String)],
    edits: Vec<TextEdit>,
    reference: String,
) -> Fix {
    Fix {
        title: ctx.msg(title_id, args).into(),
        applicability: Applicability::Safe,
        edits,
        creates: None,
        resolve: Some(Resolve::Digest { reference }),
    }
}

/// The edits that turn the tag of `r` into `new_tag`, one per `-`-separated word that changes (so that
/// a tag made of a variable and literal text can still be edited where each word is written), plus,
/// when `r` has a digest, one that replaces it with [`DIGEST_PLACEHOLDER`] (the old digest belongs to
/// the old tag). None when a changed part cannot be mapped to the source.
pub(crate) fn retag_edits(map: &Mapping, r: &ImageRef, new_tag: &str) -> Option<Vec<TextEdit>> {
    let (start, end) = r.tag_span?;
    let old = r.written.get(start..end)?;
    let mut edits = Vec::new();
    if old.split('-').count() == new_tag.split('-').count() {
        let mut at = start;
        for (a, b) in old.split('-').zip(new_tag.split('-')) {
            if a != b {
                edits.push(map.edit((at, at + a.len()), b.to_string())?);
            }
            at += a.len() + 1;
        }
    } else {
        edits.push(map.edit((start, end), new_tag.to_string())?);
    }
    if let Some(span) = r.digest_span {
        edits.push(map.edit(span, DIGEST_PLACEHOLDER.to_string())?);
    }
    Some(edits)
}

/// The edit that pins `r` (already retagged or not) to a digest: a new `@{digest}` after the word, or the
/// existing digest replaced.
pub(crate) fn digest_edit(map: &Mapping, r: &ImageRef) -> Option<TextEdit> {
    match r.digest_span {
        Some(span) => map.edit(span, DIGEST_PLACEHOLDER.to_string()),
        None => {
            let end = r.written.len();
            map.edit((end, end), format!("@{DIGEST_PLACEHOLDER}"))
        }
    }
}

/// Where the parts of an image reference's expanded text are written in the source: the word itself when
/// it has no variables, or the word and the default of the one variable it uses (`node:${V}-alpine` with
/// `ARG V=22`: `22` is in the ARG line, the rest in the FROM line).
pub(crate) struct Mapping {
    /// (start, end) in the expanded text, and where that piece starts in the source.
    pieces: Vec<(usize, usize, u32)>,
}

impl Mapping {
    /// The mapping of a use, when one exists: the word is written literally, or uses exactly one
    /// `$NAME` / `${NAME}` whose definition has a literal value (no quotes, no variables).
    pub(crate) fn of(ctx: &Ctx, u: &ImageUse) -> Option<Mapping> {
        let expanded = u.expanded.as_deref()?;
        if u.verbatim {
            return Some(Mapping {
                pieces: vec![(0, expanded.len(), u.range.start)],
            });
        }
        let written = ctx.text.get(u.range.as_usize())?;
        let dollar = written.find('$')?;
        let (prefix, rest) = written.split_at(dollar);
        let (name, reference_len) = match rest.strip_prefix("${") {
            Some(inner) => {
                let close = inner.find('}')?;
                (&inner[..close], close + 3)
            }
            None => {
                let n = rest[1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len() - 1);
                (&rest[1..1 + n], n + 1)
            }
        };
        let suffix = &rest[reference_len..];
        let plain = |s: &str| !s.contains(['$', '"', '\'', '\\', '`']);
        if name.is_empty()
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || !plain(prefix)
            || !plain(suffix)
        {
            return None;
        }
        let def = definition(ctx, u, name)?;
        let value = def.value.known()?;
        let value_range = def.value_range?;
        if def.raw.as_deref() != Some(value) || ctx.text.get(value_range.as_usize()) != Some(value) {
            return None;
        }
        if expanded != format!("{prefix}{value}{suffix}") {
            return None;
        }
        let (p, v) = (prefix.len(), value.len());
        let pieces = [
            (0, p, u.range.start),
            (p, p + v, value_range.start),
            (p + v, expanded.len(), u.range.start + (p + reference_len) as u32),
        ];
        // Empty pieces hold nothing: an insertion at the end of `$BASE` goes into the ARG's value.
        Some(Mapping {
            pieces: pieces.into_iter().filter(|&(s, e, _)| s < e).collect(),
        })
    }

    /// The source range of `span` of the expanded text, when it lies in one piece (an empty span at a
    /// boundary belongs to the later piece).
    pub(crate) fn range(&self, span: (usize, usize)) -> Option<TextRange> {
        self.pieces
            .iter()
            .rev()
            .find(|&&(s, e, _)| s <= span.0 && span.1 <= e && span.0 <= span.1)
            .map(|&(s, _, at)| TextRange::new(at + (span.0 - s) as u32, at + (span.1 - s) as u32))
    }

    /// An edit of the Dockerfile replacing `span` of the expanded text.
    pub(crate) fn edit(&self, span: (usize, usize), new_text: String) -> Option<TextEdit> {
        Some(TextEdit {
            file: FileRef::Dockerfile,
            range: self.range(span)?,
            new_text: new_text.into(),
        })
    }
}

/// The definition a variable of `u` takes its value from: the last global ARG for FROM; for the other
/// uses the stage's last ENV, else its last ARG, before the instruction (as [`crate::model::Model::lookup`]);
/// a stage's `ARG NAME` without a default takes the global ARG's.
fn definition<'m>(ctx: &'m Ctx, u: &ImageUse, name: &str) -> Option<&'m VarDef> {
    let model = ctx.model;
    if u.kind == UseKind::From {
        return model.global_args.iter().rev().find(|v| v.name == name);
    }
    let stage = model.stages.get(u.stage)?;
    let before = |v: &&VarDef| v.name == name && v.item < u.item;
    let env = stage.vars.iter().filter(|v| v.kind == VarKind::Env).rev().find(before);
    let arg = stage
        .vars
        .iter()
        .filter(|v| v.kind == VarKind::Arg && v.item >= stage.from_item)
        .rev()
        .find(before);
    match env.or(arg)? {
        d if d.kind == VarKind::Arg && d.raw.is_none() => model.global_args.iter().rev().find(|v| v.name == name),
        d => Some(d),
    }
}

#[cfg(test)]
use tests::cold;

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use crate::check::{Input, check};
    use crate::date::Date;
    use crate::diagnostic::{Applicability, Diagnostic, FileRef, Resolve};
    use crate::fix;
    use crate::messages::Locale;
    use crate::rules::testing::{TODAY, check_fix, check_rule};
    use crate::settings::Settings;

    thread_local! {
        /// Set while a test computes the image rules without their memo.
        static COLD: Cell<bool> = const { Cell::new(false) };
    }

    pub(super) fn cold() -> bool {
        COLD.with(Cell::get) || crate::memo::is_bypassed()
    }

    /// The image rules' diagnostics computed without the memo, then twice with it (the second check is
    /// answered from the memo for every verbatim reference).
    fn cold_and_warm(
        src: &str,
        today: Date,
        settings: &Settings,
    ) -> (Vec<Diagnostic>, Vec<Diagnostic>, Vec<Diagnostic>) {
        let input = Input::new(src, today);
        COLD.with(|c| c.set(true));
        let cold = check(&input, settings);
        COLD.with(|c| c.set(false));
        let first = check(&input, settings);
        let second = check(&input, settings);
        (cold, first, second)
    }

    fn image_rules(locale: Locale, trusted: &[&str]) -> Settings {
        Settings {
            select: Some(["DW102", "DW103", "DW104", "DW105", "DW106"].map(String::from).to_vec()),
            trusted_registries: trusted.iter().map(|s| s.to_string()).collect(),
            locale,
            ..Settings::default()
        }
    }

    #[test]
    fn a_warm_memo_answers_what_a_cold_check_computes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
        let mut files = Vec::new();
        for dir in std::fs::read_dir(&root).unwrap().flatten() {
            if !dir.file_name().to_string_lossy().starts_with("DW10") {
                continue;
            }
            for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
                if f.file_name().to_string_lossy().ends_with(".Dockerfile") {
                    files.push(std::fs::read_to_string(f.path()).unwrap());
                }
            }
        }
        assert!(files.len() >= 12, "{} fixtures", files.len());
        let variations = [
            (TODAY, image_rules(Locale::En, &[])),
            (Date::new(2027, 3, 1), image_rules(Locale::Ja, &[])),
            (
                TODAY,
                image_rules(Locale::En, &["ghcr.io/acme", "someuser/", "quay.io"]),
            ),
            (Date::new(2031, 6, 1), image_rules(Locale::Ja, &["docker.io"])),
        ];
        let mut findings = 0;
        for text in &files {
            // The same references again further down: the memo's ranges move with them.
            for src in [text.clone(), format!("# moved\n{text}"), format!("{text}\n{text}")] {
                for (today, settings) in &variations {
                    let (cold, first, second) = cold_and_warm(&src, *today, settings);
                    assert_eq!(first, cold, "{src}");
                    assert_eq!(second, cold, "{src}");
                    findings += cold.len();
                }
            }
        }
        assert!(findings > 100, "{findings} findings");
    }

    #[test]
    fn a_change_of_date_locale_or_settings_is_not_answered_from_a_stale_entry() {
        let src = "FROM node:22-alpine\nFROM someuser/nginx\n";
        let en = image_rules(Locale::En, &[]);
        let codes = |d: &[Diagnostic]| d.iter().map(|x| x.code).collect::<Vec<_>>();
        let at = |today: Date, s: &Settings| {
            let (cold, first, second) = cold_and_warm(src, today, s);
            assert_eq!(first, cold);
            assert_eq!(second, cold);
            cold
        };
        // Node.js 22 ends on 2027-04-30: reported from 90 days before, whatever was memoised for another date.
        assert!(!codes(&at(TODAY, &en)).contains(&"DW105"));
        assert!(codes(&at(Date::new(2027, 3, 1), &en)).contains(&"DW105"));
        assert!(!codes(&at(TODAY, &en)).contains(&"DW105"));
        // Trusting the namespace removes the finding; untrusting it brings it back.
        assert!(codes(&at(TODAY, &en)).contains(&"DW102"));
        assert!(!codes(&at(TODAY, &image_rules(Locale::En, &["someuser/"]))).contains(&"DW102"));
        assert!(codes(&at(TODAY, &en)).contains(&"DW102"));
        // Fix titles are rendered in the locale of the check.
        let title = |d: Vec<Diagnostic>| {
            d.into_iter().find(|x| x.code == "DW102").unwrap().fixes[0]
                .title
                .clone()
        };
        let (english, japanese) = (title(at(TODAY, &en)), title(at(TODAY, &image_rules(Locale::Ja, &[]))));
        assert_ne!(english, japanese);
        assert_eq!(title(at(TODAY, &en)), english);
    }

    /// A memo hit hands out diagnostics rendered once with the rules' own severities: a severity the user
    /// configures applies to them, and a later check without it gets the rules' own back (an end of life
    /// months away stays information).
    #[test]
    fn configured_severities_apply_to_memo_hits() {
        use crate::diagnostic::Severity;
        let src = "FROM node:16\nFROM node:22-alpine\nFROM node:16 AS again\nFROM someuser/nginx\n";
        let today = Date::new(2027, 3, 1);
        let en = image_rules(Locale::En, &[]);
        let configured = Settings {
            severity: vec![("DW105".into(), Severity::Error), ("DW102".into(), Severity::Hint)],
            ..en.clone()
        };
        let severities = |d: &[Diagnostic]| d.iter().map(|x| (x.code, x.severity)).collect::<Vec<_>>();
        let mut runs = Vec::new();
        for s in [&en, &configured, &en] {
            let (cold, first, second) = cold_and_warm(src, today, s);
            assert_eq!(first, cold, "{s:?}");
            assert_eq!(second, cold, "{s:?}");
            runs.push(severities(&second));
        }
        let own = &runs[0];
        // Node.js 16 ended (a warning), Node.js 22 ends within 90 days (information).
        assert!(
            own.contains(&("DW105", Severity::Warning)) && own.contains(&("DW105", Severity::Info)),
            "{own:?}"
        );
        assert!(own.contains(&("DW102", Severity::Warning)), "{own:?}");
        let overridden = &runs[1];
        assert!(
            overridden
                .iter()
                .filter(|(c, _)| *c == "DW105")
                .all(|(_, s)| *s == Severity::Error)
        );
        assert!(
            overridden
                .iter()
                .filter(|(c, _)| *c == "DW102")
                .all(|(_, s)| *s == Severity::Hint)
        );
        assert_eq!(runs[2], *own);
    }

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn flags_missing_and_latest_tags() {
        check_rule(
            "DW103",
            "FROM node AS build\n#    ^^^^ DW103 unpinned-base-image.no-tag\nFROM python:latest\n#           ^^^^^^ DW103 unpinned-base-image.latest\nFROM ghcr.io/acme/tools\n#    ^^^^^^^^^^^^^^^^^^ DW103 unpinned-base-image.no-tag\nFROM node:22-alpine\nFROM node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nFROM node:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nFROM scratch\n",
        );
    }

    #[test]
    fn copy_from_and_mount_from_images_but_not_stages() {
        check_rule(
            "DW103",
            "FROM golang:1.26.7-alpine AS build\nRUN --mount=type=bind,from=busybox,target=/bb true\n#                          ^^^^^^^ DW103 unpinned-base-image.no-tag\nFROM alpine:3.24.1\nCOPY --from=build /out /out\nCOPY --from=0 /out /out2\nCOPY --from=nginx:latest /etc/nginx /etc/nginx\n#                 ^^^^^^ DW103 unpinned-base-image.latest\n",
        );
    }

    #[test]
    fn variables_resolved_through_arg_defaults() {
        check_rule(
            "DW103",
            "ARG BASE=node\n#        ^^^^ DW103 unpinned-base-image.no-tag\nARG TAG=latest\n#       ^^^^^^ DW103 unpinned-base-image.latest\nARG PINNED=22.23.2\nARG UNSET\nFROM $BASE AS a\nFROM python:${TAG}\nFROM node:${PINNED}-alpine\nFROM node${UNSET}\nFROM \"${BASE}\"\n#    ^^^^^^^^^ DW103 unpinned-base-image.no-tag\n",
        );
    }

    #[test]
    fn fixes_pin_the_tag() {
        check_fix("DW103", "FROM no$0de\n", "FROM node:26.7.0\n");
        check_fix("DW103", "FROM python:lat$0est AS app\n", "FROM python:3.14.7 AS app\n");
        check_fix(
            "DW103",
            "ARG BASE=ub$0untu\nFROM ${BASE}\n",
            "ARG BASE=ubuntu:26.04\nFROM ${BASE}\n",
        );
        check_fix(
            "DW103",
            "FROM alpine:3.24.1\nCOPY --from=nginx:lat$0est /a /a\n",
            "FROM alpine:3.24.1\nCOPY --from=nginx:1.31.4 /a /a\n",
        );
    }

    /// The digest fixes, filled in as an edge would after asking the registry.
    fn digest_fixed(src: &str) -> Vec<(String, String)> {
        let settings = Settings {
            select: Some(vec!["DW103".into()]),
            ..Settings::default()
        };
        check(&Input::new(src, TODAY), &settings)
            .iter()
            .flat_map(|d| d.fixes.iter())
            .filter_map(|f| {
                let Some(Resolve::Digest { reference }) = &f.resolve else {
                    return None;
                };
                assert_eq!(f.applicability, Applicability::Safe);
                let fixed = fix::apply_fix(src, &f.with_digest(DIGEST), &FileRef::Dockerfile).unwrap();
                Some((reference.clone(), fixed))
            })
            .collect()
    }

    #[test]
    fn digest_fixes_wait_for_the_registry() {
        assert_eq!(
            digest_fixed("FROM node\n"),
            [(
                "docker.io/library/node:latest".to_string(),
                format!("FROM node:latest@{DIGEST}\n")
            )]
        );
        assert_eq!(
            digest_fixed("FROM ghcr.io/acme/tools:latest AS t\n"),
            [(
                "ghcr.io/acme/tools:latest".to_string(),
                format!("FROM ghcr.io/acme/tools:latest@{DIGEST} AS t\n")
            )]
        );
        // The image without a pinned tag gets only the digest fix.
        let d = check(
            &Input::new("FROM ghcr.io/acme/tools\n", TODAY),
            &Settings {
                select: Some(vec!["DW103".into()]),
                ..Settings::default()
            },
        );
        assert_eq!(d[0].fixes.len(), 1);
        assert!(d[0].fixes[0].resolve.is_some());
        // After the fix the image is pinned.
        let fixed = &digest_fixed("FROM node\n")[0].1;
        assert!(digest_fixed(fixed).is_empty());
    }
}
