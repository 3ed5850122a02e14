//! DW104 base-image-without-digest: an image pinned by tag only (opt-in).

use crate::model::ImageRef;
use crate::model::refs::{ImageUse, Target};
use crate::rules::unpinned_base_image::{Mapping, canonical_name, digest_edit, digest_fix, image_uses, memoised};
use crate::rules::{Ctx, Sink, declare_rule};

declare_rule! {
    /// An image referenced by tag without a digest (opt-in: name it in `extend-select`).
    ///
    /// ## What it does
    /// Flags every image a build pulls (`FROM`, `COPY --from=<image>`, `RUN --mount=from=<image>`) that
    /// has no `@sha256:` digest. Build stages, `scratch` and references whose variables have no default
    /// are skipped.
    ///
    /// This rule is opt-in: it runs only when named by code or name (`extend-select = ["DW104"]`,
    /// `--extend-select DW104`); `select = ["ALL"]` and tags do not turn it on. A digest freezes the
    /// image, so it only helps when a bot (Renovate, Dependabot) keeps the digest current; without one,
    /// pinned images stop receiving security fixes, which is worse than a moving tag.
    ///
    /// ## Why is this bad?
    /// A tag is a movable name: the publisher (or anyone who takes over the repository or the registry
    /// account) can point it at other content at any time. Two builds of the same Dockerfile may then
    /// produce different images, and a malicious push reaches every build unnoticed. A digest names
    /// the exact content, verified on pull.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-alpine
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22-alpine@sha256:<digest the tag points to today>
    /// ```
    /// The tag stays for readers and update bots; Docker uses the digest.
    ///
    /// ## Fix safety
    /// The fix appends the digest the tag points to now, which the registry supplies; it is looked up
    /// only on request (`dockward check --fix --resolve-digests`, or choosing the code action in the
    /// editor), anonymously, and never while linting. For a multi-platform image the digest is the
    /// index's, so the pin works on every platform. The fix is safe: it builds the same image as
    /// today. When the reference is built from one variable with a literal default
    /// (`ARG BASE=node:22` + `FROM $BASE`) the digest goes into the default; it is not offered for other
    /// references with variables.
    ///
    /// ## References
    /// - [Docker: pin base image versions](https://docs.docker.com/build/building/best-practices/#pin-base-image-versions)
    /// - [Docker: image digests](https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier)
    /// - CIS Docker Benchmark 4.2, 4.11
    /// - CWE-494: Download of Code Without Integrity Check
    /// - checkov CKV_DOCKER_7 (close: it accepts a tag)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ダイジェストなしでタグだけで参照されているイメージです (オプトイン: `extend-select` で指定したときだけ有効)。
    ///
    /// ### 検出内容
    /// ビルドが取得するすべてのイメージ (`FROM`、`COPY --from=<イメージ>`、`RUN --mount=from=<イメージ>`) のうち、
    /// `@sha256:` ダイジェストを持たないものを報告します。このルールはオプトインで、
    /// コードか名前で明示したときだけ動きます。ダイジェスト固定はイメージを凍結するため、
    /// 更新ボットがダイジェストを追従させている場合にだけ効果があります。
    /// 追従しなければセキュリティ修正が届かなくなり、動くタグよりかえって危険です。
    ///
    /// ### なぜ問題か
    /// タグは付け替えられる名前です。発行元 (あるいはリポジトリやレジストリのアカウントを乗っ取った者) はいつでも別の
    /// 内容を指せます。同じ Dockerfile から違うイメージができ、悪意あるプッシュが誰にも気付かれずにすべてのビルドに届
    /// きます。ダイジェストは内容そのものを指し、取得時に検証されます。
    ///
    /// ### 対処法
    /// タグにダイジェストを付けて固定し (`node:22-alpine@sha256:...`)、Renovate や Dependabot にタグとダイジェストの
    /// 更新を任せてください。タグは読む人と更新ボットのために残します。
    ///
    /// ### 修正の安全性
    /// 修正は、そのタグが現在指しているダイジェストを付け加えます。ダイジェストは要求したとき (`dockward check --fix
    /// --resolve-digests` やエディターのコードアクション) だけ匿名でレジストリに問い合わせ、
    /// リントの最中には問い合わせません。今日と同じイメージをビルドするので安全です。
    pub static BASE_IMAGE_WITHOUT_DIGEST = {
        code: "DW104",
        name: "base-image-without-digest",
        severity: Info,
        tags: ["supply-chain"],
        fix: Sometimes,
        since: "0.1.0",
        opt_in: true,
        reads_images_and: [From, Arg],
        per_stage: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    let locale = ctx.locale();
    for u in image_uses(ctx, sink) {
        let Target::Image(image) = &u.target else {
            continue;
        };
        if image.digest.is_some() {
            continue;
        }
        memoised(ctx, &BASE_IMAGE_WITHOUT_DIGEST, "DW104", u, &locale, sink, |sink| {
            check_use(ctx, u, image, sink)
        });
    }
}

fn check_use(ctx: &Ctx, u: &ImageUse, image: &ImageRef, sink: &mut Sink) {
    if image.digest.is_some() {
        return;
    }
    let Some(tag) = image.effective_tag() else {
        return;
    };
    let map = Mapping::of(ctx, u);
    let span = image.tag_span.unwrap_or(image.name_span);
    let range = map.as_ref().and_then(|m| m.range(span)).unwrap_or(u.range);
    let reference = format!("{}:{tag}", canonical_name(image));
    let fix = map.as_ref().and_then(|m| digest_edit(m, image)).map(|edit| {
        digest_fix(
            ctx,
            "fix.pin-digest",
            &[("reference", reference.clone())],
            vec![edit],
            reference.clone(),
        )
    });
    let shown = format!("{}:{tag}", image.familiar_name());
    let f = sink.report(range, "base-image-without-digest", vec![("image", shown)]);
    if let Some(fix) = fix {
        f.fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{Input, check};
    use crate::diagnostic::Resolve;
    use crate::fix;
    use crate::rules::testing::{TODAY, check_rule, run};
    use crate::settings::Settings;

    #[test]
    fn flags_tags_without_digest_when_selected() {
        check_rule(
            "DW104",
            "FROM node:22-alpine AS build\n#         ^^^^^^^^^ DW104 base-image-without-digest\nFROM alpine\n#    ^^^^^^ DW104 base-image-without-digest\nCOPY --from=build /a /a\nCOPY --from=nginx:1.30 /etc/nginx /etc/nginx\n#                 ^^^^ DW104 base-image-without-digest\nFROM python:3.13@sha256:0000000000000000000000000000000000000000000000000000000000000000\nFROM scratch\n",
        );
    }

    #[test]
    fn is_opt_in() {
        let src = "FROM node:22\n";
        for select in [
            None,
            Some(vec!["ALL".to_string()]),
            Some(vec!["supply-chain".to_string()]),
        ] {
            let s = Settings {
                select,
                ..Settings::default()
            };
            assert!(!check(&Input::new(src, TODAY), &s).iter().any(|d| d.code == "DW104"));
        }
        let s = Settings {
            extend_select: vec!["base-image-without-digest".into()],
            ..Settings::default()
        };
        assert!(check(&Input::new(src, TODAY), &s).iter().any(|d| d.code == "DW104"));
    }

    #[test]
    fn the_fix_waits_for_the_digest_of_the_normalised_reference() {
        let src = "FROM node:22-alpine\nFROM ghcr.io/acme/app\n";
        let d = run("DW104", src);
        assert_eq!(d.len(), 2);
        let f = &d[0].fixes[0];
        assert_eq!(
            f.resolve,
            Some(Resolve::Digest {
                reference: "docker.io/library/node:22-alpine".into()
            })
        );
        let digest = format!("sha256:{}", "ab".repeat(32));
        let fixed = fix::apply_fix(src, &f.with_digest(&digest), &crate::diagnostic::FileRef::Dockerfile).unwrap();
        assert_eq!(fixed, format!("FROM node:22-alpine@{digest}\nFROM ghcr.io/acme/app\n"));
        let g = &d[1].fixes[0];
        assert_eq!(
            g.resolve,
            Some(Resolve::Digest {
                reference: "ghcr.io/acme/app:latest".into()
            })
        );
        // The fixed file no longer has the finding.
        assert!(run("DW104", &fixed).iter().all(|x| x.range.start > 20));
    }

    #[test]
    fn variables_with_a_literal_default_get_the_digest_in_the_default() {
        let d = run(
            "DW104",
            "ARG BASE=node:22\nFROM $BASE\nARG UNSET\nFROM node:$UNSET\nFROM \"node:${BASE}\"\n",
        );
        assert_eq!(d.len(), 1, "{d:#?}");
        let digest = format!("sha256:{}", "cd".repeat(32));
        let f = d[0].fixes[0].with_digest(&digest);
        let src = "ARG BASE=node:22\nFROM $BASE\nARG UNSET\nFROM node:$UNSET\nFROM \"node:${BASE}\"\n";
        let fixed = fix::apply_fix(src, &f, &crate::diagnostic::FileRef::Dockerfile).unwrap();
        assert!(fixed.starts_with(&format!("ARG BASE=node:22@{digest}\n")), "{fixed}");
    }
}
