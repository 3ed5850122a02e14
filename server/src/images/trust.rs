//! Who publishes an image, and whether dockward trusts it by default.
//!
//! Trusted without configuration:
//! - Docker Official Images (`docker.io/library/NAME`) that the embedded snapshot lists;
//! - the same images served by other registries (`public.ecr.aws/docker/library/`,
//!   `mirror.gcr.io/library/`);
//! - the registries and namespaces of vendors that build and patch their images ([`VENDORS`]).
//!
//! Users add their own registries and repository prefixes with `trusted-registries`.

use crate::data;
use crate::model::ImageRef;
use crate::model::image::DOCKER_HUB;

/// Registries and repository prefixes whose images are built and maintained by their vendor, as
/// `domain/path-prefix` (a prefix matches whole path components). Docker Hub namespaces listed here
/// belong to Docker Verified Publishers.
pub const VENDORS: &[(&str, &str)] = &[
    ("mcr.microsoft.com", "Microsoft"),
    ("gcr.io/distroless", "Google (distroless)"),
    ("gcr.io/google-containers", "Google"),
    ("gcr.io/cloud-builders", "Google Cloud Build"),
    ("gcr.io/google.com/cloudsdktool", "Google Cloud SDK"),
    ("registry.k8s.io", "Kubernetes"),
    ("cgr.dev/chainguard", "Chainguard"),
    ("registry.access.redhat.com", "Red Hat"),
    ("registry.redhat.io", "Red Hat"),
    ("public.ecr.aws/amazonlinux", "Amazon"),
    ("public.ecr.aws/lambda", "Amazon (AWS Lambda)"),
    (
        "public.ecr.aws/docker/library",
        "Docker Official Images (Amazon ECR Public mirror)",
    ),
    ("mirror.gcr.io/library", "Docker Official Images (Google mirror)"),
    ("docker.elastic.co", "Elastic"),
    ("quay.io/keycloak", "Keycloak"),
    ("docker.io/docker", "Docker"),
    ("docker.io/bitnami", "Bitnami"),
    ("docker.io/grafana", "Grafana Labs"),
    ("docker.io/hashicorp", "HashiCorp"),
    ("docker.io/circleci", "CircleCI"),
    ("docker.io/cimg", "CircleCI"),
    ("docker.io/nvidia", "NVIDIA"),
    ("docker.io/amazon", "Amazon"),
    ("docker.io/gitlab", "GitLab"),
    ("docker.io/nginxinc", "NGINX"),
    ("docker.io/datadog", "Datadog"),
    ("docker.io/paketobuildpacks", "Paketo Buildpacks"),
    ("docker.io/tensorflow", "TensorFlow (Google)"),
    ("docker.io/pytorch", "PyTorch"),
    ("docker.io/continuumio", "Anaconda"),
    ("docker.io/selenium", "Selenium"),
    ("docker.io/jenkins", "Jenkins"),
    ("docker.io/prom", "Prometheus"),
    ("docker.io/apache", "Apache Software Foundation"),
    ("docker.io/confluentinc", "Confluent"),
    ("docker.io/mongodb", "MongoDB"),
    ("docker.io/redis", "Redis"),
    ("docker.io/envoyproxy", "Envoy"),
    ("docker.io/istio", "Istio"),
    ("docker.io/ubuntu", "Canonical"),
    ("docker.io/opensuse", "openSUSE"),
    ("docker.io/rockylinux", "Rocky Linux"),
    ("docker.io/getsentry", "Sentry"),
    ("docker.io/jupyter", "Project Jupyter"),
    ("quay.io/jupyter", "Project Jupyter"),
    ("quay.io/prometheus", "Prometheus"),
    ("quay.io/coreos", "Red Hat (CoreOS)"),
    ("quay.io/centos", "CentOS Project"),
    ("quay.io/fedora", "Fedora Project"),
    ("ghcr.io/astral-sh", "Astral"),
];

/// Why an image is trusted, or that it is not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// A Docker Official Image, on Docker Hub or on a mirror of the official images.
    Official,
    /// A vendor in [`VENDORS`].
    Vendor(&'static str),
    /// Matches an entry of the user's `trusted-registries`.
    User(String),
    /// A deprecated official image (`centos`, `java`): still pullable, no longer updated. Carries where
    /// its users went.
    RetiredOfficial(&'static str),
    /// `docker.io/library/NAME` that is not an official image: an image built locally (`FROM my-base`)
    /// or a typo. Only Docker can publish under `library/`, so nothing untrusted can come from there.
    LocalOrUnknown,
    /// A registry that is not a public multi-tenant one ([`PUBLIC_REGISTRIES`]): a company's own
    /// registry, `localhost:5000`. Its content is whatever its owner pushes, like the Dockerfile's.
    OwnRegistry,
    /// A user's or organisation's namespace on a public registry where anyone can publish.
    Untrusted,
}

/// Registries where anyone can create an account and publish images.
pub const PUBLIC_REGISTRIES: &[&str] = &[
    "docker.io",
    "ghcr.io",
    "quay.io",
    "gcr.io",
    "public.ecr.aws",
    "registry.gitlab.com",
    "docker.pkg.github.com",
    "mirror.gcr.io",
    "cgr.dev",
    "mcr.microsoft.com",
    "registry.k8s.io",
    "docker.elastic.co",
    "registry.access.redhat.com",
    "registry.redhat.io",
];

/// Docker Hub namespaces that carry the official images built for one architecture
/// (`arm32v7/alpine`, `arm64v8/python`): part of the Docker Official Images program.
pub const ARCH_NAMESPACES: &[&str] = &[
    "amd64",
    "arm32v5",
    "arm32v6",
    "arm32v7",
    "arm64v8",
    "i386",
    "mips64le",
    "ppc64le",
    "riscv64",
    "s390x",
    "windows-amd64",
];

/// Deprecated Docker Official Images and their maintained successors.
pub const RETIRED: &[(&str, &str)] = &[
    ("celery", "python (install Celery with pip)"),
    ("centos", "almalinux, rockylinux"),
    ("django", "python"),
    ("glassfish", "eclipse-temurin with GlassFish installed"),
    ("iojs", "node"),
    ("java", "eclipse-temurin"),
    ("jenkins", "jenkins/jenkins"),
    ("opensuse", "opensuse/leap"),
    ("owncloud", "owncloud/server"),
    ("piwik", "matomo"),
    ("rails", "ruby"),
    ("sentry", "getsentry/self-hosted"),
    ("thrift", "a distribution image with Thrift installed"),
    ("ubuntu-debootstrap", "ubuntu"),
    ("ubuntu-upstart", "ubuntu"),
];

/// `domain/path` of `image`, the form trust entries are matched against.
fn full_name(image: &ImageRef) -> String {
    format!("{}/{}", image.domain, image.path)
}

/// Normalises a `trusted-registries` entry: `docker.io` for Docker Hub short forms (`myorg/` →
/// `docker.io/myorg`), lower case, without scheme or trailing `/`.
pub fn normalize_entry(entry: &str) -> String {
    let e = entry.trim().to_ascii_lowercase();
    if e.is_empty() {
        return e;
    }
    let e = e
        .strip_prefix("https://")
        .or_else(|| e.strip_prefix("http://"))
        .unwrap_or(&e)
        .trim_end_matches('/')
        .to_string();
    let first = e.split('/').next().unwrap_or("");
    let e = if first.contains(['.', ':']) || first == "localhost" {
        e
    } else {
        format!("{DOCKER_HUB}/{e}")
    };
    match e
        .strip_prefix("index.docker.io/")
        .or_else(|| e.strip_prefix("registry-1.docker.io/"))
    {
        Some(rest) => format!("{DOCKER_HUB}/{rest}"),
        None => e,
    }
}

/// Whether `name` (`domain/path`) is `prefix` or inside it, on whole path components.
fn under(name: &str, prefix: &str) -> bool {
    !prefix.is_empty()
        && name
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// How far `image` is trusted, given the user's `trusted-registries` entries.
pub fn trust(image: &ImageRef, user_entries: &[String]) -> Trust {
    let name = full_name(image);
    if image.is_library() {
        let name = image.repository();
        if data::is_official(name) {
            return Trust::Official;
        }
        return match RETIRED.iter().find(|(n, _)| *n == name) {
            Some((_, successor)) => Trust::RetiredOfficial(successor),
            None => Trust::LocalOrUnknown,
        };
    }
    if image.domain == DOCKER_HUB
        && let Some((ns, name)) = image.path.split_once('/')
        && ARCH_NAMESPACES.contains(&ns)
        && !name.contains('/')
    {
        if data::is_official(name) {
            return Trust::Official;
        }
        if let Some((_, successor)) = RETIRED.iter().find(|(n, _)| *n == name) {
            return Trust::RetiredOfficial(successor);
        }
    }
    for entry in user_entries {
        let e = normalize_entry(entry);
        if under(&name, &e) {
            return Trust::User(entry.trim().to_string());
        }
    }
    for (prefix, vendor) in VENDORS {
        if under(&name, prefix) {
            if prefix.ends_with("/library") {
                return Trust::Official;
            }
            return Trust::Vendor(vendor);
        }
    }
    let public = PUBLIC_REGISTRIES.contains(&image.domain.as_str())
        || image.domain.ends_with(".gcr.io")
        || image.domain.ends_with(".pkg.dev")
        || image.domain.ends_with(".azurecr.io")
        || image.domain.ends_with(".amazonaws.com");
    if public { Trust::Untrusted } else { Trust::OwnRegistry }
}

/// The Docker Official Image that an untrusted image seems to repackage (`someone/nginx` → `nginx`), by
/// the last path component.
pub fn official_counterpart(image: &ImageRef) -> Option<&'static str> {
    data::official_image(image.repository()).map(|o| o.name())
}

/// The `trusted-registries` entry that would trust `image`: its namespace (`ghcr.io/acme`,
/// `docker.io/acme`), or the whole registry for single-component paths.
pub fn suggested_entry(image: &ImageRef) -> String {
    match image.path.split_once('/') {
        Some((ns, _)) => format!("{}/{ns}", image.domain),
        None => image.domain.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str, user: &[&str]) -> Trust {
        let user: Vec<String> = user.iter().map(|s| s.to_string()).collect();
        trust(&ImageRef::parse(s).unwrap(), &user)
    }

    #[test]
    fn official_images_and_their_mirrors_are_trusted() {
        assert_eq!(t("node:22", &[]), Trust::Official);
        assert_eq!(t("docker.io/library/python:3.13-slim", &[]), Trust::Official);
        assert_eq!(t("index.docker.io/library/alpine", &[]), Trust::Official);
        assert_eq!(t("public.ecr.aws/docker/library/node:22", &[]), Trust::Official);
        assert_eq!(t("mirror.gcr.io/library/redis", &[]), Trust::Official);
    }

    #[test]
    fn architecture_namespaces_of_official_images_are_official() {
        assert_eq!(t("arm32v7/alpine:3.22", &[]), Trust::Official);
        assert_eq!(t("arm64v8/python:3.13", &[]), Trust::Official);
        assert_eq!(t("arm32v7/not-an-official-image", &[]), Trust::Untrusted);
        // `armhf` was the old name of arm32v7 and is no longer maintained.
        assert_eq!(t("armhf/debian", &[]), Trust::Untrusted);
    }

    #[test]
    fn retired_official_images_are_not() {
        assert_eq!(t("centos:7", &[]), Trust::RetiredOfficial("almalinux, rockylinux"));
        assert_eq!(t("java:8", &[]), Trust::RetiredOfficial("eclipse-temurin"));
        // Only Docker publishes under library/: an unknown name there is a local image or a typo.
        assert_eq!(t("my-company-base:3", &[]), Trust::LocalOrUnknown);
        assert!(
            RETIRED.iter().all(|(n, _)| !data::is_official(n)),
            "a retired image is back in the snapshot"
        );
    }

    #[test]
    fn vendors_match_whole_components() {
        assert_eq!(
            t("mcr.microsoft.com/dotnet/aspnet:9.0", &[]),
            Trust::Vendor("Microsoft")
        );
        assert_eq!(
            t("gcr.io/distroless/static-debian12:nonroot", &[]),
            Trust::Vendor("Google (distroless)")
        );
        assert_eq!(t("bitnami/postgresql:17", &[]), Trust::Vendor("Bitnami"));
        assert_eq!(t("cgr.dev/chainguard/python", &[]), Trust::Vendor("Chainguard"));
        // `gcr.io/distroless-fake` is not under `gcr.io/distroless`.
        assert_eq!(t("gcr.io/distroless-fake/static", &[]), Trust::Untrusted);
        assert_eq!(t("bitnamiofficial/nginx", &[]), Trust::Untrusted);
        assert_eq!(t("someuser/nginx:1.27", &[]), Trust::Untrusted);
        assert_eq!(t("ghcr.io/someone/app", &[]), Trust::Untrusted);
    }

    #[test]
    fn user_entries_in_every_form() {
        for entry in ["ghcr.io/acme", "ghcr.io/acme/", "https://ghcr.io/acme/", "GHCR.io/acme"] {
            assert_eq!(
                t("ghcr.io/acme/base:1", &[entry]),
                Trust::User(entry.trim().to_string()),
                "{entry}"
            );
        }
        assert_eq!(t("ghcr.io/acme-evil/base:1", &["ghcr.io/acme"]), Trust::Untrusted);
        assert_eq!(t("acme/base:1", &["acme/"]), Trust::User("acme/".into()));
        assert_eq!(
            t("docker.io/acme/base:1", &["index.docker.io/acme"]),
            Trust::User("index.docker.io/acme".into())
        );
        assert_eq!(
            t("registry.example.com:5000/x/y", &["registry.example.com:5000"]),
            Trust::User("registry.example.com:5000".into())
        );
        assert_eq!(t("ghcr.io/x/y", &["ghcr.io/x/y/z"]), Trust::Untrusted);
        // An empty entry trusts nothing.
        assert_eq!(t("someuser/nginx", &[""]), Trust::Untrusted);
    }

    #[test]
    fn private_registries_are_their_owners_and_public_ones_are_not() {
        assert_eq!(t("registry.example.com/team/base:1", &[]), Trust::OwnRegistry);
        assert_eq!(t("localhost:5000/app", &[]), Trust::OwnRegistry);
        for public in [
            "ghcr.io/x/y",
            "quay.io/x/y",
            "us-docker.pkg.dev/p/r/i",
            "eu.gcr.io/p/i",
            "someacct.dkr.ecr.us-east-1.amazonaws.com/i",
            "registry.gitlab.com/g/p",
            "cgr.dev/someone-else/x",
        ] {
            assert_eq!(t(public, &[]), Trust::Untrusted, "{public}");
        }
    }

    #[test]
    fn counterparts_and_suggestions() {
        let i = ImageRef::parse("someuser/nginx:1.27").unwrap();
        assert_eq!(official_counterpart(&i), Some("nginx"));
        assert_eq!(suggested_entry(&i), "docker.io/someuser");
        let i = ImageRef::parse("registry.example.com/app").unwrap();
        assert_eq!(official_counterpart(&i), None);
        assert_eq!(suggested_entry(&i), "registry.example.com");
    }
}
