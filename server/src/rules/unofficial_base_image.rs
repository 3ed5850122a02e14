//! DW102 unofficial-base-image: an image from a publisher nobody vouched for.

use crate::diagnostic::Applicability;
use crate::images::trust::{self, Trust};
use crate::model::ImageRef;
use crate::model::refs::{ImageUse, Target, UseKind};
use crate::rules::unpinned_base_image::{image_uses, memoised};
use crate::rules::{Ctx, Sink, declare_rule};

declare_rule! {
    /// An image that is neither a Docker Official Image nor from a trusted publisher.
    ///
    /// ## What it does
    /// Checks every image a build pulls (`FROM`, `COPY --from=<image>`, `RUN --mount=from=<image>`) and
    /// flags those from a namespace on a public registry where anyone can publish (Docker Hub users
    /// and organisations, `ghcr.io`, `quay.io`, `gcr.io` and `*.pkg.dev`, `public.ecr.aws`, ECR and
    /// ACR hosts, `registry.gitlab.com`). Images from other registries (`registry.example.com`,
    /// `localhost:5000`) are taken as the project's own. Trusted without configuration:
    /// - Docker Official Images (`docker.io/library/NAME`, written `node`, `python:3.13`), their
    ///   per-architecture repositories (`arm64v8/python`, `arm32v7/alpine`, ...), and the same images on
    ///   `public.ecr.aws/docker/library/` and `mirror.gcr.io/library/`;
    /// - vendors that build and patch their own images: `mcr.microsoft.com`, `gcr.io/distroless`,
    ///   `registry.k8s.io`, `cgr.dev/chainguard`, `registry.access.redhat.com`, `registry.redhat.io`,
    ///   Amazon (`public.ecr.aws/amazonlinux`, `public.ecr.aws/lambda`, `amazon/`), `docker.elastic.co`,
    ///   and the Docker Hub namespaces of Docker Verified Publishers and sponsored open-source projects
    ///   such as `docker/`, `bitnami/`, `grafana/`, `hashicorp/`, `circleci/`, `cimg/`, `nvidia/`,
    ///   `gitlab/`, `nginxinc/`, `datadog/`, `tensorflow/`, `pytorch/`, `continuumio/`, `selenium/`,
    ///   `jenkins/`, `prom/`, `apache/`, `confluentinc/`, `ubuntu/` (Canonical); the full list is
    ///   `VENDORS` in `server/src/images/trust.rs`, kept by hand from the publishers' own pages;
    /// - whatever the project lists in `trusted-registries` (a registry, `ghcr.io/my-org`, or a Docker
    ///   Hub namespace `my-org/`; prefixes match whole path components, so `ghcr.io/acme` does not
    ///   trust `ghcr.io/acme-evil`).
    ///
    /// It also flags deprecated Docker Official Images (`centos`, `java`, `jenkins`, `opensuse`, ...):
    /// they stay pullable but receive no updates. Other one-word names that are not official images
    /// (`FROM my-base`) are taken as images built locally: only Docker can publish under `library/`.
    /// Build stages and `scratch` are not images; references whose variables have no default are
    /// skipped.
    ///
    /// ## Why is this bad?
    /// Anyone can push to a Docker Hub user namespace or a personal registry. An image from an unknown
    /// publisher can carry malware, a cryptominer or a backdoored package, and is often abandoned: it
    /// then misses security fixes. Docker Official Images are reviewed, rebuilt when their base or
    /// packages get security fixes, and scanned; vendor images are maintained by the software's
    /// publisher.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM someuser/nginx:1.27
    /// COPY --from=randomdev/tools:latest /usr/bin/tool /usr/bin/tool
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY --from=ghcr.io/my-org/tools:2.4 /usr/bin/tool /usr/bin/tool
    /// ```
    /// with, in `.dockward.toml`:
    /// ```toml
    /// trusted-registries = ["ghcr.io/my-org"]
    /// ```
    ///
    /// ## Fix safety
    /// When the image's name is also the name of an official image (`someuser/nginx:1.27` →
    /// `nginx:1.27`) and that tag exists among the official image's supported tags, the fix switches to
    /// the official image. It is unsafe: the two images may differ in content, users and paths. No fix
    /// is offered when the reference has a digest (it names the other image's content).
    ///
    /// ## References
    /// - [Docker: Dockerfile best practices, choose the right base image](https://docs.docker.com/build/building/best-practices/#choose-the-right-base-image)
    /// - [Docker Official Images](https://docs.docker.com/docker-hub/image-library/trusted-content/#docker-official-images)
    /// - CIS Docker Benchmark 4.2 "Ensure that containers use only trusted base images"
    /// - CWE-829: Inclusion of Functionality from Untrusted Control Sphere
    /// - hadolint DL3026 (allowed registries, when configured)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// Docker 公式イメージでも信頼済みの発行元のものでもないイメージです。
    ///
    /// ### 検出内容
    /// ビルドが取得するすべてのイメージ (`FROM`、`COPY --from=<イメージ>`、`RUN --mount=from=<イメージ>`) を調べ、
    /// 誰でも公開できる公開レジストリの名前空間 (Docker Hub のユーザーや組織、`ghcr.io`、
    /// `quay.io` など) のイメージを報告します。Docker 公式イメージ、主要ベンダーのイメージ、
    /// 設定の `trusted-registries` に挙げたレジストリや名前空間は信頼済みとして扱います。
    ///
    /// ### なぜ問題か
    /// Docker Hub のユーザー名前空間や個人のレジストリには誰でもプッシュできます。
    /// 発行元の分からないイメージにはマルウェアや暗号資産のマイナー、バックドア入りのパッケージが含まれているかもしれ
    /// ず、放置されてセキュリティ修正が届かないことも少なくありません。Docker 公式イメージはレビューされ、
    /// ベースやパッケージの修正時に再ビルドされ、スキャンもされています。
    ///
    /// ### 対処法
    /// Docker 公式イメージかソフトウェアの発行元自身のイメージを使ってください。
    /// 自組織のレジストリは `.dockward.toml` の `trusted-registries` に追加します。
    ///
    /// ### 修正の安全性
    /// イメージ名が公式イメージと同じで (`someuser/nginx:1.27` → `nginx:1.27`)、
    /// そのタグが公式イメージでサポートされている場合、公式イメージへの切り替えを提案します。
    /// 二つのイメージは内容・ユーザー・パスが異なりうるため、安全な修正ではありません。
    pub static UNOFFICIAL_BASE_IMAGE = {
        code: "DW102",
        name: "unofficial-base-image",
        severity: Warning,
        tags: ["supply-chain"],
        fix: Sometimes,
        since: "0.1.0",
        also: ["hadolint:DL3026"],
        reads_images_and: [From, Arg],
        per_stage: true,
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    // What a use's findings read besides its text: the locale of fix titles and the trusted registries.
    let key = (ctx.locale(), ctx.settings.trusted_registries.clone());
    for u in image_uses(ctx, sink) {
        let Target::Image(image) = &u.target else {
            continue;
        };
        // The message depends on the kind of use: one memo for FROM, one for the others.
        let owner = match u.kind {
            UseKind::From => "DW102",
            UseKind::CopyFrom | UseKind::MountFrom => "DW102.copied",
        };
        memoised(ctx, &UNOFFICIAL_BASE_IMAGE, owner, u, &key, sink, |sink| {
            check_use(ctx, u, image, sink)
        });
    }
}

fn check_use(ctx: &Ctx, u: &ImageUse, image: &ImageRef, sink: &mut Sink) {
    let name_range = u.sub_range(image.name_span).unwrap_or(u.range);
    match trust::trust(image, &ctx.settings.trusted_registries) {
        Trust::Official | Trust::Vendor(_) | Trust::User(_) | Trust::LocalOrUnknown | Trust::OwnRegistry => {}
        Trust::RetiredOfficial(successor) => {
            sink.report(
                name_range,
                "unofficial-base-image.retired",
                vec![("image", image.familiar_name()), ("successor", successor.to_string())],
            );
        }
        Trust::Untrusted => {
            let id = match u.kind {
                UseKind::From => "unofficial-base-image",
                UseKind::CopyFrom | UseKind::MountFrom => "unofficial-base-image.copied",
            };
            let entry = trust::suggested_entry(image);
            let fix = trust::official_counterpart(image).and_then(|official| {
                let tag_ok = match &image.tag {
                    None => true,
                    Some(t) => crate::data::official_image(official).is_some_and(|o| o.has_tag(t)),
                };
                (u.verbatim && image.digest.is_none() && tag_ok).then(|| {
                    ctx.replace(
                        "fix.use-official-image",
                        &[("image", official.to_string())],
                        name_range,
                        official,
                        Applicability::Unsafe,
                    )
                })
            });
            let f = sink.report(name_range, id, vec![("image", image.familiar_name()), ("entry", entry)]);
            if let Some(fix) = fix {
                f.fix(fix);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::Input;
    use crate::rules::testing::{TODAY, check_fix, check_rule, check_rule_with};
    use crate::settings::Settings;

    #[test]
    fn flags_untrusted_images_in_every_place_they_are_pulled() {
        check_rule(
            "DW102",
            "FROM someuser/nginx:1.27 AS web\n#    ^^^^^^^^^^^^^^ DW102 unofficial-base-image\nFROM ghcr.io/someone/tool@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS tool\n#    ^^^^^^^^^^^^^^^^^^^^ DW102 unofficial-base-image\nFROM node:22\nCOPY --from=randomdev/tools:latest /t /t\n#           ^^^^^^^^^^^^^^^ DW102 unofficial-base-image.copied\nRUN --mount=from=quay.io/x/y:1,target=/m true\n#                ^^^^^^^^^^^ DW102 unofficial-base-image.copied\nCOPY --from=web /a /a\nCOPY --from=tool /b /b\n",
        );
    }

    #[test]
    fn trusts_official_vendor_and_configured_images() {
        check_rule(
            "DW102",
            "FROM python:3.13-slim\nFROM docker.io/library/alpine:3.22\nFROM mcr.microsoft.com/dotnet/aspnet:9.0\nFROM gcr.io/distroless/static-debian12:nonroot\nFROM cgr.dev/chainguard/go\nFROM bitnami/postgresql:17\nFROM public.ecr.aws/docker/library/node:22\nFROM scratch\nFROM my-company-base:3\n",
        );
        let src = "FROM ghcr.io/acme/base:1\nFROM acme/tools:2\nFROM ghcr.io/acme-evil/base:1\n#    ^^^^^^^^^^^^^^^^^^^^^^ DW102 unofficial-base-image\n";
        let settings = Settings {
            select: Some(vec!["DW102".into()]),
            trusted_registries: vec!["ghcr.io/acme".into(), "acme/".into()],
            ..Settings::default()
        };
        check_rule_with("DW102", src, &Input::new(src, TODAY), &settings);
    }

    #[test]
    fn flags_retired_official_images() {
        check_rule(
            "DW102",
            "FROM centos:7\n#    ^^^^^^ DW102 unofficial-base-image.retired\nFROM java:8-jdk\n#    ^^^^ DW102 unofficial-base-image.retired\n",
        );
    }

    #[test]
    fn follows_variables_and_skips_unknown_ones() {
        check_rule(
            "DW102",
            "ARG BASE=someuser/python:3.13\nARG UNSET\nFROM $BASE\n#    ^^^^^ DW102 unofficial-base-image\nFROM $UNSET\n",
        );
    }

    #[test]
    fn fixes_to_the_official_image_of_the_same_name() {
        check_fix("DW102", "FROM someuser/ngi$0nx:1.30\n", "FROM nginx:1.30\n");
        check_fix("DW102", "FROM docker.io/someuser/$0redis\n", "FROM redis\n");
    }

    #[test]
    fn no_fix_when_the_official_image_lacks_the_tag_or_a_digest_is_pinned() {
        let text = "FROM someuser/nginx:my-custom-build\nFROM someuser/nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000\n";
        let diags = crate::rules::testing::run("DW102", text);
        assert_eq!(diags.len(), 2);
        assert!(diags.iter().all(|d| d.fixes.is_empty()), "{diags:#?}");
    }
}
