//! Document links: image references to their registry's web page (and the tag to its tag page where the
//! registry has one), and the local sources of COPY/ADD to their file in the build context.
//!
//! Pure: the paths returned are relative to the build context; the language server checks that the file
//! exists (without following symbolic links) before it offers the link.

use crate::model::Model;
use crate::model::image::{DOCKER_HUB, ImageRef};
use crate::model::refs::{self, Target};
use crate::syntax::{Args, Dockerfile, Kind, PathList};
use crate::text::TextRange;

/// Where a link goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// A web page about an image: its repository page, or with `tag` the page of that tag.
    Image {
        url: String,
        /// The registry's name, for the tooltip.
        registry: &'static str,
        /// `domain/path` as a user would read it (`node`, `ghcr.io/owner/app`).
        image: String,
        tag: Option<String>,
    },
    /// A path relative to the build context, `/`-separated, without `.` or `..` components.
    ContextFile(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub range: TextRange,
    pub target: LinkTarget,
}

/// The links of a file, in document order.
pub fn document_links(text: &str, tree: &Dockerfile, model: &Model) -> Vec<Link> {
    let mut out = Vec::new();
    for u in refs::image_uses(text, tree, model) {
        let Target::Image(image) = &u.target else { continue };
        if !u.verbatim {
            continue;
        }
        let name = TextRange::new(
            u.range.start + image.name_span.0 as u32,
            u.range.start + image.name_span.1 as u32,
        );
        if let Some((url, registry)) = repository_page(image) {
            out.push(Link {
                range: name,
                target: LinkTarget::Image {
                    url,
                    registry,
                    image: familiar(image),
                    tag: None,
                },
            });
        }
        if let (Some(tag), Some(span)) = (&image.tag, image.tag_span)
            && let Some((url, registry)) = tag_page(image, tag)
        {
            out.push(Link {
                range: TextRange::new(u.range.start + span.0 as u32, u.range.start + span.1 as u32),
                target: LinkTarget::Image {
                    url,
                    registry,
                    image: familiar(image),
                    tag: Some(tag.clone()),
                },
            });
        }
    }
    for (it, ins) in tree.instructions() {
        if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() {
            continue;
        }
        let Args::Paths(list) = &ins.args else { continue };
        let sources: Vec<(TextRange, String)> = match list {
            PathList::Words(ws) => ws
                .iter()
                .take(ws.len().saturating_sub(1))
                .map(|w| (it.abs(w.range), ins.text(w).to_string()))
                .collect(),
            PathList::Exec(a) => a
                .items
                .iter()
                .take(a.items.len().saturating_sub(1))
                .map(|s| {
                    let r = it.abs(s.span.range);
                    (
                        TextRange::new((r.start + 1).min(r.end), r.end.saturating_sub(1).max(r.start)),
                        s.value.clone(),
                    )
                })
                .collect(),
        };
        for (range, written) in sources {
            if crate::text::slice(text, range) != written {
                continue;
            }
            if let Some(path) = context_path(&written) {
                out.push(Link {
                    range,
                    target: LinkTarget::ContextFile(path),
                });
            }
        }
    }
    out.sort_by_key(|l| (l.range.start, l.range.end));
    out
}

/// A COPY/ADD source as a plain path in the context: no variables, globs, URLs, heredocs or `..`.
fn context_path(written: &str) -> Option<String> {
    if written.is_empty()
        || written.starts_with("<<")
        || written.contains(['$', '*', '?', '[', '\\', '"', '\''])
        || written.contains("://")
        || written.starts_with("git@")
    {
        return None;
    }
    let mut parts = Vec::new();
    for c in written.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => parts.push(c),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn familiar(image: &ImageRef) -> String {
    if image.domain == DOCKER_HUB {
        image.path.strip_prefix("library/").unwrap_or(&image.path).to_string()
    } else {
        format!("{}/{}", image.domain, image.path)
    }
}

/// Percent-encodes a query value or a path segment.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path, each component encoded, joined with `/`.
fn path_url(path: &str) -> String {
    path.split('/').map(encode).collect::<Vec<_>>().join("/")
}

/// Google Container Registry hosts and the location the console names them by.
fn gcr_location(domain: &str) -> Option<&'static str> {
    match domain {
        "gcr.io" => Some("GLOBAL"),
        "us.gcr.io" => Some("US"),
        "eu.gcr.io" => Some("EU"),
        "asia.gcr.io" => Some("ASIA"),
        _ => None,
    }
}

/// The web page of an image's repository, and the registry's name.
pub fn repository_page(image: &ImageRef) -> Option<(String, &'static str)> {
    let d = image.domain.as_str();
    let p = image.path.as_str();
    if d == DOCKER_HUB {
        return Some(match p.strip_prefix("library/") {
            Some(name) if !name.contains('/') => (format!("https://hub.docker.com/_/{}", encode(name)), "Docker Hub"),
            _ => (format!("https://hub.docker.com/r/{}", path_url(p)), "Docker Hub"),
        });
    }
    match d {
        // Browsers are redirected to the package's page on github.com.
        "ghcr.io" if p.contains('/') => Some((format!("https://ghcr.io/{}", path_url(p)), "GitHub Container Registry")),
        "mcr.microsoft.com" => Some((
            format!("https://mcr.microsoft.com/en-us/artifact/mar/{}", path_url(p)),
            "Microsoft Artifact Registry",
        )),
        "quay.io" if p.contains('/') => Some((format!("https://quay.io/repository/{}", path_url(p)), "Quay.io")),
        "public.ecr.aws" if p.contains('/') => Some((
            format!("https://gallery.ecr.aws/{}", path_url(p)),
            "Amazon ECR Public Gallery",
        )),
        _ => {
            if let Some(loc) = gcr_location(d) {
                let (project, rest) = p.split_once('/')?;
                return Some((
                    format!(
                        "https://console.cloud.google.com/gcr/images/{}/{loc}/{}",
                        encode(project),
                        path_url(rest)
                    ),
                    "Google Cloud console",
                ));
            }
            // Artifact Registry: `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`.
            let location = d.strip_suffix("-docker.pkg.dev")?;
            let mut parts = p.splitn(3, '/');
            let (project, repo, name) = (parts.next()?, parts.next()?, parts.next()?);
            Some((
                format!(
                    "https://console.cloud.google.com/artifacts/docker/{}/{}/{}/{}",
                    encode(project),
                    encode(location),
                    encode(repo),
                    encode(name)
                ),
                "Google Cloud console",
            ))
        }
    }
}

/// The web page of a tag, where the registry has one.
pub fn tag_page(image: &ImageRef, tag: &str) -> Option<(String, &'static str)> {
    let (page, registry) = repository_page(image)?;
    let t = encode(tag);
    let url = match image.domain.as_str() {
        DOCKER_HUB => format!("{page}/tags?name={t}"),
        "quay.io" => format!("{page}?tab=tags&tag={t}"),
        "mcr.microsoft.com" => format!("{page}/tags"),
        d if gcr_location(d).is_some() => format!("{page}?tag={t}"),
        _ => return None,
    };
    Some((url, registry))
}
