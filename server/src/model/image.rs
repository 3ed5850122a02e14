//! Image references parsed and normalised the way Docker does (`node` = `docker.io/library/node`).
//!
//! Grammar from the distribution reference spec: `[domain/]path[:tag][@digest]`, where the first path
//! component is a domain when it contains `.` or `:`, is `localhost`, or has upper-case letters.

use crate::text::TextRange;

/// Docker Hub's canonical domain.
pub const DOCKER_HUB: &str = "docker.io";

/// A parsed image reference, with offsets of its parts inside the written text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// The reference as written (after variable expansion).
    pub written: String,
    /// Registry host (and port), normalised: `docker.io` for Docker Hub.
    pub domain: String,
    /// Repository path on the registry, normalised: `library/node` for an official image.
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// Offsets into `written`: the name (domain and path), the tag (without `:`), the digest (without `@`).
    pub name_span: (usize, usize),
    pub tag_span: Option<(usize, usize)>,
    pub digest_span: Option<(usize, usize)>,
}

/// Why a reference is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageError {
    Empty,
    /// Repository names must be lower case.
    UpperCase,
    /// Anything else Docker reports as "invalid reference format".
    Format,
}

impl ImageRef {
    /// Parses a reference; `written` must not contain variables.
    pub fn parse(written: &str) -> Result<ImageRef, ImageError> {
        if written.is_empty() {
            return Err(ImageError::Empty);
        }
        let (rest, digest, digest_span) = match written.find('@') {
            Some(i) => {
                let d = &written[i + 1..];
                if !valid_digest(d) {
                    return Err(ImageError::Format);
                }
                (&written[..i], Some(d.to_string()), Some((i + 1, written.len())))
            }
            None => (written, None, None),
        };
        // A tag is after the last `:` that comes after the last `/`.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag, tag_span) = match rest[last_slash..].find(':') {
            Some(j) => {
                let i = last_slash + j;
                let t = &rest[i + 1..];
                if !valid_tag(t) {
                    return Err(ImageError::Format);
                }
                (&rest[..i], Some(t.to_string()), Some((i + 1, rest.len())))
            }
            None => (rest, None, None),
        };
        if name.is_empty() {
            return Err(ImageError::Format);
        }
        let (domain, path) = match name.find('/') {
            Some(i) => {
                let first = &name[..i];
                if first.contains(['.', ':']) || first == "localhost" || first.bytes().any(|b| b.is_ascii_uppercase()) {
                    (first.to_string(), name[i + 1..].to_string())
                } else {
                    (DOCKER_HUB.to_string(), name.to_string())
                }
            }
            None => (DOCKER_HUB.to_string(), name.to_string()),
        };
        if !valid_domain(&domain) {
            return Err(ImageError::Format);
        }
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(ImageError::UpperCase);
        }
        if !path.split('/').all(valid_path_component) {
            return Err(ImageError::Format);
        }
        let (domain, path) = if domain == "index.docker.io" || domain == "registry-1.docker.io" {
            (DOCKER_HUB.to_string(), path)
        } else {
            (domain, path)
        };
        let path = if domain == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        Ok(ImageRef {
            written: written.to_string(),
            domain,
            path,
            tag,
            digest,
            name_span: (0, name.len()),
            tag_span,
            digest_span,
        })
    }

    /// A Docker Official Image (`docker.io/library/NAME`)?
    pub fn is_library(&self) -> bool {
        self.domain == DOCKER_HUB && self.path.starts_with("library/") && self.path.matches('/').count() == 1
    }

    /// The repository name without the `library/` prefix for official images (`node`, `bitnami/node`,
    /// `ghcr.io/org/app`): what users write.
    pub fn familiar_name(&self) -> String {
        if self.domain == DOCKER_HUB {
            self.path.strip_prefix("library/").unwrap_or(&self.path).to_string()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// The last path component (`node` for `docker.io/library/node`).
    pub fn repository(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The fully qualified name, `docker.io/library/node:20`.
    pub fn canonical(&self) -> String {
        let mut s = format!("{}/{}", self.domain, self.path);
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// The tag Docker pulls: the written tag, or `latest` when neither tag nor digest is given.
    pub fn effective_tag(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(t), _) => Some(t),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }

    /// Source range of a part of the reference, given the source range of the written word (only exact
    /// when the word had no variables).
    pub fn part_range(word: TextRange, span: (usize, usize)) -> TextRange {
        TextRange::new(word.start + span.0 as u32, word.start + span.1 as u32)
    }
}

fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn valid_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|c| {
            let b = c.as_bytes();
            !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
        });
    let hex_ok = hex.len() >= 32 && hex.bytes().all(|c| c.is_ascii_hexdigit());
    alg_ok && hex_ok && (alg != "sha256" || (hex.len() == 64 && hex.bytes().all(|c| !c.is_ascii_uppercase())))
}

fn valid_domain(d: &str) -> bool {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, Some(p)),
        _ => (d, None),
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    if host.starts_with('[') {
        return host.ends_with(']') && host.len() > 2;
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        })
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_lowercase() || b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && matches!(b[i], b'.' | b'_' | b'-') {
            i += 1;
        }
        let sep = &c[start..i];
        // Any other byte (`+`, `~`, non-ASCII, ...) is no separator: the component is invalid. (An empty
        // separator used to count as a run of `-` and the loop never advanced: found by fuzzing.)
        let ok = !sep.is_empty() && (sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-'));
        if !ok || i >= b.len() {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_characters_make_a_path_component_invalid() {
        for bad in ["my+app", "caf\u{e9}s", "a~b", "ja\u{FFFD}va", "a..b", "a-"] {
            assert!(!valid_path_component(bad), "{bad}");
        }
        for good in ["my-app", "a__b", "a.b", "a---b", "a_b9"] {
            assert!(valid_path_component(good), "{good}");
        }
    }

    #[test]
    fn normalises_like_docker() {
        let r = ImageRef::parse("node").unwrap();
        assert_eq!(r.canonical(), "docker.io/library/node");
        assert!(r.is_library());
        assert_eq!(r.effective_tag(), Some("latest"));
        let r =
            ImageRef::parse("bitnami/node:20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
                .unwrap();
        assert_eq!(r.domain, "docker.io");
        assert_eq!(r.path, "bitnami/node");
        assert_eq!(r.tag.as_deref(), Some("20"));
        assert!(!r.is_library());
        let r = ImageRef::parse("localhost:5000/app:1.0").unwrap();
        assert_eq!(
            (r.domain.as_str(), r.path.as_str(), r.tag.as_deref()),
            ("localhost:5000", "app", Some("1.0"))
        );
        let r = ImageRef::parse("ghcr.io/org/team/app").unwrap();
        assert_eq!(r.familiar_name(), "ghcr.io/org/team/app");
        let r = ImageRef::parse("index.docker.io/library/alpine:3.20").unwrap();
        assert_eq!(r.canonical(), "docker.io/library/alpine:3.20");
        assert_eq!(&r.written[r.tag_span.unwrap().0..r.tag_span.unwrap().1], "3.20");
    }

    #[test]
    fn rejects_what_docker_rejects() {
        assert_eq!(ImageRef::parse("Ubuntu"), Err(ImageError::UpperCase));
        assert_eq!(ImageRef::parse("node:"), Err(ImageError::Format));
        assert_eq!(ImageRef::parse("node@sha256:abc"), Err(ImageError::Format));
        assert_eq!(ImageRef::parse("a//b"), Err(ImageError::Format));
        assert_eq!(ImageRef::parse("-a"), Err(ImageError::Format));
        assert!(ImageRef::parse("my_org/my__app-x.y").is_ok());
    }
}
