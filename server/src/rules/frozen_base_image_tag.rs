//! DW106 frozen-base-image-tag: an official image's version tag that is no longer maintained, while its
//! line still is.

use crate::data;
use crate::diagnostic::{Applicability, Fix};
use crate::images::tags;
use crate::model::ImageRef;
use crate::model::refs::ImageUse;
use crate::rules::unpinned_base_image::{
    Mapping, canonical_name, digest_edit, digest_fix, image_uses, memoised, retag_edits,
};
use crate::rules::{Ctx, Sink, declare_rule};

declare_rule! {
    /// A Docker Official Image is used with a version tag that is no longer maintained.
    ///
    /// ## What it does
    /// Reports an official image whose tag is a specific version (`node:22.1.0`, `python:3.12.1-slim`)
    /// that is not among the image's supported tags any more, while its line still is: newer tags of the
    /// same line, with the same variant words, are maintained (`node:22.23.2`). A tag newer than every
    /// supported tag of its line is newer than dockward's data and is not reported; a tag of a line
    /// that has reached its end of life is reported by DW105 instead; pre-releases and dated snapshots
    /// are not reported.
    ///
    /// ## Why is this bad?
    /// The Docker Official Images rebuild only their supported tags. A tag that dropped out of the list
    /// is frozen: it keeps the packages and the runtime of the day it was last built, with every
    /// vulnerability fixed since then, and it will never get those fixes. Pinning a specific version is
    /// right for reproducible builds, but the pin then needs to move, which an update bot does for you.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22.1.0-alpine
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:22.23.2-alpine@sha256:<digest>
    /// ```
    /// and let Renovate or Dependabot update the tag and the digest.
    ///
    /// ## Fix safety
    /// The first fix replaces the tag with the maintained tag of the same line, variant and specificity
    /// from the embedded list of supported tags. It is unsafe: a newer patch or minor version can
    /// change behaviour, and the embedded list has a date. The second fix also pins the digest the
    /// registry serves for that tag, and waits for the registry; when the image already had a digest,
    /// only that fix is offered, since the old digest belongs to the old tag.
    ///
    /// ## References
    /// - CWE-1104: Use of Unmaintained Third Party Components
    /// - CIS Docker Benchmark v1.6.0: 4.4 (scan and rebuild images to include security patches), 5.28
    ///   (use version pinning so that Docker commands use the intended version of an image)
    /// - [Docker Official Images: supported tags](https://github.com/docker-library/official-images)
    /// - [Renovate Docker support](https://docs.renovatebot.com/docker/) (updates tags and digests together)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// Docker 公式イメージが、もう保守されていないバージョンタグで使われています。
    ///
    /// ### 検出内容
    /// 公式イメージの特定バージョンのタグ (`node:22.1.0` など) が、そのバージョン系列はまだ保守されているのに、
    /// サポート対象タグの一覧から外れている場合に報告します。系列そのものがサポート終了なら DW105 が報告します。
    ///
    /// ### なぜ問題か
    /// Docker 公式イメージが再ビルドするのはサポート対象のタグだけです。一覧から外れたタグは凍結され、
    /// 最後にビルドされた日のパッケージとランタイムのまま、それ以降に修正された脆弱性を抱え続けます。
    /// バージョンを固定するのは再現性のために正しいことですが、固定した値は更新し続ける必要があります。
    ///
    /// ### 対処法
    /// 同じ系列の保守されているタグ (`node:22.23.2-alpine` など) に上げ、以後は Renovate や Dependabot にタグとダイジ
    /// ェストを更新させてください。
    ///
    /// ### 修正の安全性
    /// 一つ目の修正は、同じ系列・派生・桁数の保守されているタグに置き換えます。
    /// パッチやマイナーバージョンが上がると動作が変わることがあり、組み込みの一覧にも作成日があるため、
    /// 安全ではありません。二つ目の修正はさらにそのタグのダイジェストで固定し、レジストリへの問い合わせを待ちます。
    pub static FROZEN_BASE_IMAGE_TAG = {
        code: "DW106",
        name: "frozen-base-image-tag",
        severity: Warning,
        tags: ["supply-chain"],
        fix: Sometimes,
        since: "0.1.0",
        reads_images_and: [From, Arg],
        per_stage: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    // What a use's findings read besides its text: today, and the locale of fix titles.
    let key = (ctx.input.today, ctx.locale());
    for u in image_uses(ctx, sink) {
        let Some(r) = u.image() else { continue };
        if r.tag.is_none() || !r.is_library() {
            continue;
        }
        memoised(ctx, &FROZEN_BASE_IMAGE_TAG, "DW106", u, &key, sink, |sink| {
            check_use(ctx, u, r, sink)
        });
    }
}

fn check_use(ctx: &Ctx, u: &ImageUse, r: &ImageRef, sink: &mut Sink) {
    let today = ctx.input.today;
    let (Some(tag), Some(tag_span)) = (r.tag.as_deref(), r.tag_span) else {
        return;
    };
    if !r.is_library() {
        return;
    }
    let repository = canonical_name(r);
    let Some(image) = data::official_image(&repository) else {
        return;
    };
    // Memoised per process (it reads every tag of the image).
    let Some(maintained) = tags::maintained_tag(image, tag) else {
        return;
    };
    // An end-of-life line is DW105's finding.
    if tags::cycles(&repository, tag).iter().any(|c| c.release.is_eol(today)) {
        return;
    }
    let name = r.familiar_name();
    let map = Mapping::of(ctx, u);
    let range = map.as_ref().and_then(|m| m.range(tag_span)).unwrap_or(u.range);
    let finding = sink.report(
        range,
        "frozen-base-image-tag",
        vec![
            ("image", name.clone()),
            ("tag", tag.to_string()),
            ("maintained", maintained.to_string()),
        ],
    );
    let Some(map) = map else { return };
    let args = [("image", name), ("tag", maintained.to_string())];
    if r.digest.is_none()
        && let Some(edits) = retag_edits(&map, r, maintained)
    {
        finding.fix(Fix {
            title: ctx.msg("fix.use-tag", &args).into(),
            applicability: Applicability::Unsafe,
            edits: edits.clone(),
            creates: None,
            resolve: None,
        });
    }
    if let Some(mut edits) = retag_edits(&map, r, maintained) {
        if r.digest.is_none() {
            match digest_edit(&map, r) {
                Some(e) => edits.push(e),
                None => return,
            }
        }
        let mut fix = digest_fix(
            ctx,
            "fix.use-tag-digest",
            &args,
            edits,
            format!("{repository}:{maintained}"),
        );
        fix.applicability = Applicability::Unsafe;
        finding.fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{Input, check};
    use crate::diagnostic::{Applicability, FileRef, Resolve};
    use crate::fix;
    use crate::rules::testing::{TODAY, check_fix, check_rule};
    use crate::settings::Settings;

    #[test]
    fn flags_versions_that_left_the_supported_tags() {
        check_rule(
            "DW106",
            "FROM node:22.1.0\n#         ^^^^^^ DW106 frozen-base-image-tag\nFROM python:3.12.1-slim AS py\n#           ^^^^^^^^^^^ DW106 frozen-base-image-tag\nFROM node:22.1-alpine\n#         ^^^^^^^^^^^ DW106 frozen-base-image-tag\nFROM postgres:16.1\n#             ^^^^ DW106 frozen-base-image-tag\nFROM alpine:3.24.1\nCOPY --from=nginx:1.30.0-alpine /etc/nginx /etc/nginx\n#                 ^^^^^^^^^^^^^ DW106 frozen-base-image-tag\n",
        );
    }

    #[test]
    fn leaves_supported_newer_and_end_of_life_tags_alone() {
        check_rule(
            "DW106",
            // Supported; newer than the snapshot; DW105's end-of-life lines; a pre-release; a dated
            // snapshot; a moving tag; a vendor image; a stage.
            "FROM node:22.23.2-alpine AS a\nFROM node:22.24.0\nFROM node:16.20.1\nFROM python:3.8.10-slim\nFROM node:22.1.0-bookworm\nFROM python:3.15.0rc2\nFROM ubuntu:jammy-20240101\nFROM node:22\nFROM bitnami/node:22.1.0\nFROM a\n",
        );
    }

    #[test]
    fn fixes_move_to_the_maintained_tag() {
        check_fix("DW106", "FROM node:22.1$0.0-alpine\n", "FROM node:22.23.2-alpine\n");
        check_fix(
            "DW106",
            "ARG NODE_VERSION=22.1.0\nFROM node:${NODE_VERSION$0}-alpine\n",
            "ARG NODE_VERSION=22.23.2\nFROM node:${NODE_VERSION}-alpine\n",
        );
    }

    #[test]
    fn the_digest_fix_waits_for_the_registry() {
        let settings = Settings {
            select: Some(vec!["DW106".into()]),
            ..Settings::default()
        };
        let digest = format!("sha256:{}", "1".repeat(64));
        for (src, fixes, after) in [
            ("FROM node:22.1.0\n", 2, "FROM node:22.23.2@sha256:feed\n"),
            (
                &*format!("FROM node:22.1.0@{digest}\n"),
                1,
                "FROM node:22.23.2@sha256:feed\n",
            ),
        ] {
            let d = check(&Input::new(src, TODAY), &settings);
            assert_eq!(d[0].fixes.len(), fixes, "{src}");
            let f = d[0].fixes.last().unwrap();
            assert_eq!(f.applicability, Applicability::Unsafe);
            assert_eq!(
                f.resolve,
                Some(Resolve::Digest {
                    reference: "docker.io/library/node:22.23.2".into()
                })
            );
            let fixed = fix::apply_fix(src, &f.with_digest("sha256:feed"), &FileRef::Dockerfile).unwrap();
            assert_eq!(fixed, after);
        }
    }
}
