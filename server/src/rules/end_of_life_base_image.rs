//! DW105 end-of-life-base-image: an image tag names a release cycle past (or near) its end of life.

use crate::data::{self, Date, Eol, Product, Release};
use crate::diagnostic::{Applicability, Fix, Resolve, Severity};
use crate::images::tags;
use crate::model::ImageRef;
use crate::model::refs::ImageUse;
use crate::rules::unpinned_base_image::{Mapping, canonical_name, image_uses, memoised, retag_edits};
use crate::rules::{Ctx, Sink, declare_rule};

/// An end of life this close (in days) is reported as information.
const SOON_DAYS: i64 = 90;

declare_rule! {
    /// A base image's tag names a release that has reached its end of life.
    ///
    /// ## What it does
    /// Reads the tag of every image a Dockerfile uses (`FROM`, `COPY --from=<image>`,
    /// `RUN --mount=from=<image>`) as release cycles, with the end-of-life dates of endoflife.date
    /// embedded in dockward: the image's own software by version (`node:16-alpine` is Node.js 16,
    /// `python:3.8-buster` Python 3.8, `ubuntu:18.04`, `golang:1.25`) or codename (`node:gallium`,
    /// `ubuntu:focal`), and the distribution under it (`buster` is Debian 10, `jammy` Ubuntu 22.04,
    /// `alpine3.19` Alpine Linux 3.19). It reports each cycle whose end of life is on or before today,
    /// on the part of the tag that names it, and as information a cycle whose end of life is less than
    /// 90 days away. It checks Docker Official Images and the vendor images endoflife.date lists
    /// (`bitnami/node`, `cimg/python`, ...). `COPY --from` and mounted images are checked too: the files
    /// taken from them are as unpatched as a base image would be.
    ///
    /// ## Why is this bad?
    /// After its end of life a release gets no security fixes: every vulnerability found later stays
    /// in your image, and the official image itself is no longer rebuilt. Scanners report more and
    /// more issues that cannot be fixed by rebuilding.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.8-slim-buster
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM python:3.11-slim-trixie
    /// ```
    ///
    /// ## Fix safety
    /// For a Docker Official Image the fix replaces the tag with the nearest tag, among the embedded
    /// supported tags, whose cycles all stay supported for at least 90 more days, in the same form:
    /// the same number of version components, the same variant words (`-slim`, `-alpine`, ...), an
    /// end-of-life distribution replaced by the nearest supported one (`python:3.8-slim-buster` becomes
    /// `python:3.11-slim-trixie` on 2026-11-28). It is unsafe: a new major version or distribution can
    /// break the build or the application. When the image was pinned by digest the digest is replaced
    /// too, and the fix then waits for the registry.
    ///
    /// ## References
    /// - CWE-1104: Use of Unmaintained Third Party Components
    /// - CIS Docker Benchmark v1.6.0: 4.2 (use only trusted base images), 4.4 (scan and rebuild images
    ///   to include security patches)
    /// - [endoflife.date](https://endoflife.date), the source of the release cycles
    /// - [Docker Official Images: supported tags](https://github.com/docker-library/official-images)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// ベースイメージのタグが、サポート終了 (EOL) を迎えたリリースを指しています。
    ///
    /// ### 検出内容
    /// Dockerfile が使うすべてのイメージのタグを、dockward に組み込まれた endoflife.date のサポート終了日と照らし合わ
    /// せます。イメージ自身のソフトウェア (`node:16-alpine` なら Node.js 16) と、
    /// その下のディストリビューション (`buster` なら Debian 10) の両方を見ます。サポート終了日を過ぎたものを報告し、
    /// 残り 90 日未満のものは情報として知らせます。
    ///
    /// ### なぜ問題か
    /// サポート終了後のリリースにはセキュリティ修正が提供されません。その後に見つかった脆弱性はすべてイメージに残り、
    /// 公式イメージ自体も再ビルドされなくなります。スキャナーが報告する、再ビルドでは直せない問題が増え続けます。
    ///
    /// ### 対処法
    /// サポート期間内のリリースのタグに移行してください (例: `python:3.8-slim-buster` か
    /// ら `python:3.11-slim-trixie`)。
    ///
    /// ### 修正の安全性
    /// 公式イメージの場合、組み込みのサポート対象タグのうち、今後 90 日以上サポートが続く最も近いタグに、
    /// 同じ形式 (バージョンの桁数、`-slim` などの派生語) で置き換えます。
    /// 新しいメジャーバージョンやディストリビューションでビルドやアプリケーションが壊れることがあるため、
    /// 安全な修正ではありません。ダイジェストで固定されていた場合はダイジェストも置き換え、
    /// レジストリへの問い合わせを待ちます。
    pub static END_OF_LIFE_BASE_IMAGE = {
        code: "DW105",
        name: "end-of-life-base-image",
        severity: Warning,
        tags: ["supply-chain"],
        fix: Sometimes,
        since: "0.1.0",
        reads_images_and: [From, Arg],
        per_stage: true,
        check: check,
    }
}

/// "Node.js 16", "Debian 10 (Buster)".
fn display(product: &Product, release: &Release) -> String {
    match release.codename {
        Some(c) if !c.eq_ignore_ascii_case(release.cycle) => format!("{} {} ({c})", product.title, release.cycle),
        _ => format!("{} {}", product.title, release.cycle),
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    // What a use's findings read besides its text: today, and the locale of fix titles.
    let key = (ctx.input.today, ctx.locale());
    for u in image_uses(ctx, sink) {
        let Some(r) = u.image() else { continue };
        if r.tag.is_none() {
            continue;
        }
        memoised(ctx, &END_OF_LIFE_BASE_IMAGE, "DW105", u, &key, sink, |sink| {
            check_use(ctx, u, r, sink)
        });
    }
}

fn check_use(ctx: &Ctx, u: &ImageUse, r: &ImageRef, sink: &mut Sink) {
    let today = ctx.input.today;
    let horizon = Date::from_days_since_epoch(today.days_since_epoch() + SOON_DAYS);
    let (Some(tag), Some(tag_span)) = (r.tag.as_deref(), r.tag_span) else {
        return;
    };
    let repository = canonical_name(r);
    let official = data::official_image(&repository).filter(|_| r.is_library());
    if official.is_none() && data::product_for_image(&repository).is_none() {
        return;
    }
    let cycles = tags::cycles(&repository, tag);
    if !cycles.iter().any(|c| c.release.is_eol(horizon)) {
        return;
    }
    let map = Mapping::of(ctx, u);
    // Memoised per process (it reads every tag of the image).
    let suggestion = official.and_then(|i| tags::nearest_supported(i, tag, horizon));
    let fix = suggestion.and_then(|s| {
        let edits = retag_edits(map.as_ref()?, r, s)?;
        let args = [("image", r.familiar_name()), ("tag", s.to_string())];
        Some(Fix {
            title: ctx.msg("fix.bump-tag", &args).into(),
            applicability: Applicability::Unsafe,
            edits,
            creates: None,
            resolve: r.digest.as_ref().map(|_| Resolve::Digest {
                reference: format!("{repository}:{s}"),
            }),
        })
    });
    for c in &cycles {
        let release = &c.release;
        let newest = tags::newest_supported_release(c.product, today);
        let (message, severity) = if release.is_eol(today) {
            match (release.eol, newest) {
                (_, None) => ("end-of-life-base-image.discontinued", None),
                (Eol::Date(_), Some(_)) => ("end-of-life-base-image", None),
                _ => ("end-of-life-base-image.ended", None),
            }
        } else if release.is_eol(horizon) {
            ("end-of-life-base-image.soon", Some(Severity::Info))
        } else {
            continue;
        };
        let mut args = vec![
            ("release", display(c.product, release)),
            ("product", c.product.title.to_string()),
            ("newest", newest.map(|n| display(c.product, &n)).unwrap_or_default()),
        ];
        if let Some(date) = release.eol.date() {
            args.push(("date", date.to_string()));
            args.push(("days", today.days_until(date).to_string()));
        }
        if let Some(s) = suggestion {
            args.push(("suggestion", s.to_string()));
        }
        let span = (tag_span.0 + c.span.0, tag_span.0 + c.span.1);
        let range = map.as_ref().and_then(|m| m.range(span)).unwrap_or(u.range);
        let finding = sink.report(range, message, args);
        if let Some(sev) = severity {
            finding.severity(sev);
        }
        if suggestion.is_some() && message != "end-of-life-base-image.discontinued" {
            finding.help("end-of-life-base-image.help-bump");
        }
        if let Some(f) = &fix {
            finding.fix(f.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{Input, check};
    use crate::date::Date;
    use crate::diagnostic::Severity;
    use crate::rules::testing::{check_fix, check_rule, check_rule_with};
    use crate::settings::Settings;

    #[test]
    fn flags_each_end_of_life_part_of_the_tag() {
        check_rule(
            "DW105",
            "FROM python:3.8-slim-buster\n#           ^^^ DW105 end-of-life-base-image\n#                    ^^^^^^ DW105 end-of-life-base-image\nFROM node:16.20.2-alpine3.19\n#         ^^^^^^^ DW105 end-of-life-base-image\n#                 ^^^^^^^^^^ DW105 end-of-life-base-image\nFROM node:24.19.0-alpine3.23\nFROM ubuntu:focal\n#           ^^^^^ DW105 end-of-life-base-image\nFROM golang:1.25\n#           ^^^^ DW105 end-of-life-base-image\nFROM node:gallium\n#         ^^^^^^^ DW105 end-of-life-base-image\n",
        );
    }

    #[test]
    fn copy_from_and_vendor_images() {
        check_rule(
            "DW105",
            "FROM alpine:3.24\nCOPY --from=php:8.0-cli /usr/local/bin/php /usr/local/bin/php\n#               ^^^ DW105 end-of-life-base-image\nRUN --mount=from=bitnami/node:16-debian-11,target=/n true\n#                             ^^ DW105 end-of-life-base-image\n#                                ^^^^^^^^^ DW105 end-of-life-base-image\nFROM myorg/app:1.0-buster\nFROM python:3\n",
        );
    }

    #[test]
    fn an_end_of_life_within_90_days_is_information() {
        // Node.js 22 ends on 2027-04-30.
        let src = "FROM node:22-alpine\n#         ^^ DW105 end-of-life-base-image.soon\n";
        let settings = Settings {
            select: Some(vec!["DW105".into()]),
            ..Settings::default()
        };
        check_rule_with("DW105", src, &Input::new(src, Date::new(2027, 3, 1)), &settings);
        let d = check(&Input::new(src, Date::new(2027, 3, 1)), &settings);
        assert_eq!(d[0].severity, Severity::Info);
        assert!(d[0].message.contains("2027-04-30, in 60 days"), "{}", d[0].message);
        assert!(d[0].fixes[0].title.contains("node:24-alpine"), "{:?}", d[0].fixes);
        // Months before, nothing.
        assert!(check(&Input::new(src, Date::new(2026, 11, 28)), &settings).is_empty());
    }

    #[test]
    fn variables_map_to_the_arg_default() {
        check_rule(
            "DW105",
            "ARG PYTHON_VERSION=3.8\n#                  ^^^ DW105 end-of-life-base-image\nFROM python:${PYTHON_VERSION}-slim-bookworm\n#                                  ^^^^^^^^ DW105 end-of-life-base-image\nARG IMG\nFROM python:${IMG}\n",
        );
        check_fix(
            "DW105",
            "ARG PYTHON_VERSION=3.8\nFROM python:${PYTHON_VERSION}-slim-book$0worm\n",
            "ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim-trixie\n",
        );
    }

    #[test]
    fn fixes_bump_to_the_nearest_supported_tag() {
        check_fix(
            "DW105",
            "FROM python:3.8-slim-bu$0ster\n",
            "FROM python:3.11-slim-trixie\n",
        );
        check_fix(
            "DW105",
            "FROM node:1$06-alpine AS web\n",
            "FROM node:22-alpine AS web\n",
        );
        check_fix(
            "DW105",
            "FROM node:16.20.2-alpi$0ne3.19\n",
            "FROM node:22.23.2-alpine3.23\n",
        );
        check_fix("DW105", "FROM ubuntu:fo$0cal\n", "FROM ubuntu:jammy\n");
        check_fix("DW105", "FROM debian:bu$0ster-slim\n", "FROM debian:trixie-slim\n");
        check_fix("DW105", "FROM golang:1.2$05-alpine\n", "FROM golang:1.26-alpine\n");
    }

    #[test]
    fn a_digest_is_replaced_and_looked_up_again() {
        let src = "FROM node:16-alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
        let settings = Settings {
            select: Some(vec!["DW105".into()]),
            ..Settings::default()
        };
        let d = check(&Input::new(src, crate::rules::testing::TODAY), &settings);
        let f = &d[0].fixes[0];
        assert_eq!(
            f.resolve,
            Some(crate::diagnostic::Resolve::Digest {
                reference: "docker.io/library/node:22-alpine".into()
            })
        );
        let fixed = crate::fix::apply_fix(
            src,
            &f.with_digest("sha256:feed"),
            &crate::diagnostic::FileRef::Dockerfile,
        );
        assert_eq!(fixed.unwrap(), "FROM node:22-alpine@sha256:feed\n");
    }
}
