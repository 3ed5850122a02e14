//! Resolves an image tag to its manifest digest at the registry: the only network access dockward has,
//! made only on explicit user action (`dockward check --fix --resolve-digests`, or an editor code action
//! resolved on demand), never while linting.
//!
//! The protocol is the OCI distribution one, as Docker speaks it:
//!
//! 1. `HEAD /v2/<path>/manifests/<tag>` with an `Accept` header listing the OCI and Docker manifest and
//!    index types ([`MANIFEST_ACCEPT`]); the digest is the `Docker-Content-Digest` response header.
//!    A multi-platform image answers with its index, so the digest pinned is the index digest (what
//!    `docker pull` records and what works on every platform).
//! 2. On `401` with `WWW-Authenticate: Bearer realm="…",service="…",scope="…"`, an anonymous token is
//!    fetched from the realm (`GET realm?service=…&scope=…`, reading `token` or `access_token`) and the
//!    request is repeated with `Authorization: Bearer <token>`. Tokens are cached per (realm, service,
//!    scope) until they expire.
//! 3. When `HEAD` gives no digest header (some registries and proxies), the manifest is fetched with
//!    `GET` (at most [`MANIFEST_LIMIT`] bytes) and, when the header is still absent, its digest is the
//!    sha256 of the exact bytes received.
//!
//! Security: plain `http` is used only for hosts listed in [`RegistryConfig::insecure`] or for a mirror
//! configured explicitly with an `http://` URL; no credentials are ever sent (only the anonymous token,
//! and only to the registry that asked for it); the token realm must be `https` (or an allowed plain-http
//! host); redirects are followed by hand, at most [`MAX_REDIRECTS`] times, under the same rules, and a
//! redirect of the token realm to another host must be `https`; responses are bounded (token JSON
//! [`TOKEN_LIMIT`], manifest [`MANIFEST_LIMIT`], headers 64 KiB). No server response makes it panic.
//!
//! Results are cached in memory per (registry base URL, repository, tag, accept set) for
//! [`DEFAULT_CACHE_TTL`] (see [`Resolver::with_cache_ttl`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{Duration, Instant};

use crate::config::RegistrySettings;
use crate::messages::{self, Locale};
use crate::model::image::{DOCKER_HUB, ImageRef};

/// The media types asked for, in order of preference: OCI index and manifest, Docker manifest list and
/// manifest (schema 2). Docker's own client sends the same set.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Docker Hub's registry endpoint (what `docker.io` means on the wire).
pub const DOCKER_HUB_REGISTRY: &str = "https://registry-1.docker.io";

/// How long a resolved digest is reused without asking the registry again.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(10 * 60);

/// Default time limit of one HTTP exchange (connect, send, receive).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest token response read.
pub const TOKEN_LIMIT: u64 = 64 * 1024;

/// Largest manifest read by the `GET` fallback.
pub const MANIFEST_LIMIT: u64 = 4 * 1024 * 1024;

/// Redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// Where registries are and how they may be reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryConfig {
    /// Registry domain as normalised in [`ImageRef::domain`] (`docker.io`, `ghcr.io`, `localhost:5000`)
    /// → base URL to use instead (`https://registry-1.docker.io`, `http://127.0.0.1:5055`, a pull-through
    /// cache). A mirror given with `http://` is allowed over plain http because it was named explicitly.
    /// The default maps `docker.io` to [`DOCKER_HUB_REGISTRY`]; any other domain is `https://<domain>`.
    pub mirrors: BTreeMap<String, String>,
    /// Hosts (`host` for every port, or `host:port`) that may be reached over plain http (like Docker's
    /// `insecure-registries`). A domain listed here without a mirror is reached at `http://<domain>`.
    pub insecure: Vec<String>,
    /// Time limit of each HTTP exchange.
    pub timeout: Duration,
    /// Contact nothing: every resolution fails with [`RegistryError::Offline`].
    pub offline: bool,
}

impl Default for RegistryConfig {
    fn default() -> RegistryConfig {
        RegistryConfig {
            mirrors: BTreeMap::from([(DOCKER_HUB.to_string(), DOCKER_HUB_REGISTRY.to_string())]),
            insecure: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            offline: false,
        }
    }
}

/// A problem in the registry settings; the setting keeps its default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryWarning {
    /// The timeout is not a positive number of seconds (at most 300).
    Timeout { value: String, default: u64 },
}

impl RegistryWarning {
    /// The warning in `locale` (catalog id `registry.timeout-setting`).
    pub fn render(&self, locale: Locale) -> String {
        match self {
            RegistryWarning::Timeout { value, default } => messages::render(
                locale,
                "registry.timeout-setting",
                &[("value", value.clone()), ("default", default.to_string())],
            ),
        }
    }
}

/// In English.
impl fmt::Display for RegistryWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Locale::En))
    }
}

impl RegistryConfig {
    /// The configuration the user's settings describe (defaults for what they leave out); a timeout
    /// that is not a positive number of seconds (at most 300) keeps the default and is reported.
    pub fn from_settings(s: &RegistrySettings) -> (RegistryConfig, Vec<RegistryWarning>) {
        let mut c = RegistryConfig::default();
        let mut warnings = Vec::new();
        for (domain, url) in s.mirrors.iter().flatten() {
            c.mirrors
                .insert(domain.trim().to_ascii_lowercase(), url.trim().to_string());
        }
        c.insecure = s.insecure.clone().unwrap_or_default();
        if let Some(t) = s.timeout {
            if t.is_finite() && t > 0.0 && t <= 300.0 {
                c.timeout = Duration::from_secs_f64(t);
            } else {
                warnings.push(RegistryWarning::Timeout {
                    value: t.to_string(),
                    default: DEFAULT_TIMEOUT.as_secs(),
                });
            }
        }
        c.offline = s.offline.unwrap_or(false);
        (c, warnings)
    }

    /// The base URL (scheme and authority, maybe a path prefix, no trailing `/`) that serves `domain`.
    pub fn base_url(&self, domain: &str) -> Result<String, RegistryError> {
        let domain = domain.to_ascii_lowercase();
        if let Some(m) = self.mirrors.get(&domain) {
            let url = m.trim().trim_end_matches('/');
            let bad = |reason: &str| RegistryError::BadMirror {
                domain: domain.clone(),
                url: clean(m),
                reason: reason.to_string(),
            };
            let parsed = Url::parse(url).map_err(|r| bad(&r))?;
            if parsed.rest.contains(['?', '#']) {
                return Err(bad("a mirror URL has no query or fragment"));
            }
            return Ok(format!("{}://{}{}", parsed.scheme, parsed.authority, parsed.rest));
        }
        if !domain_is_plausible(&domain) {
            return Err(RegistryError::BadMirror {
                domain: clean(&domain),
                url: String::new(),
                reason: "not a registry host".to_string(),
            });
        }
        if domain == DOCKER_HUB {
            Ok(DOCKER_HUB_REGISTRY.to_string())
        } else if self.insecure_lists(&domain) {
            Ok(format!("http://{domain}"))
        } else {
            Ok(format!("https://{domain}"))
        }
    }

    /// May `authority` (`host` or `host:port`) be reached over plain http?
    pub fn allows_http(&self, authority: &str) -> bool {
        let authority = authority.to_ascii_lowercase();
        self.insecure_lists(&authority)
            || self.mirrors.values().any(|m| {
                Url::parse(m.trim().trim_end_matches('/')).is_ok_and(|u| u.scheme == "http" && u.authority == authority)
            })
    }

    fn insecure_lists(&self, authority: &str) -> bool {
        let (host, _) = split_host_port(authority);
        self.insecure.iter().any(|entry| {
            let entry = entry.trim().to_ascii_lowercase();
            let entry = entry.strip_prefix("http://").unwrap_or(&entry).trim_end_matches('/');
            entry == authority || (split_host_port(entry).1.is_none() && entry == host)
        })
    }
}

/// A resolved tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// `sha256:<64 hex>` (or `sha512:<128 hex>`): the digest of the manifest or index the tag points to.
    pub digest: String,
    /// The manifest's media type when the registry said it (`application/vnd.oci.image.index.v1+json`
    /// for a multi-platform image).
    pub media_type: Option<String>,
    /// Taken from the in-memory cache, without contacting the registry.
    pub from_cache: bool,
}

/// Why a tag could not be resolved. `Display` says what failed and what to do, in one sentence a user
/// can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryError {
    /// The reference names no tag (it is pinned by digest only): there is nothing to resolve.
    NoTag { image: String },
    /// The mirror URL configured for a registry domain is unusable, or the domain is not a host.
    BadMirror {
        domain: String,
        url: String,
        reason: String,
    },
    /// Offline mode is on, or the host could not be reached (connection refused, DNS failure, no route).
    Offline { host: String, reason: String },
    /// The host did not answer in time.
    Timeout { host: String, after: Duration },
    /// The TLS handshake or certificate check failed.
    Tls { host: String, reason: String },
    /// Plain http to a host that is not allowed to get it (only https unless listed in `insecure`).
    InsecureUrl { url: String },
    /// A redirect that the security rules forbid.
    RedirectRefused { from: String, to: String },
    /// 401 or 403 even with an anonymous token (or a registry that wants a login).
    Denied { image: String, host: String, status: u16 },
    /// 404: no such tag (or repository).
    NotFound { image: String, tag: String, host: String },
    /// 429: the registry's rate limit.
    RateLimited { host: String, retry_after: Option<String> },
    /// The digest the registry sent is not `sha256:` + 64 lowercase hex digits (or `sha512:` + 128).
    InvalidDigest { host: String, value: String },
    /// A response larger than the bound for its kind.
    TooLarge {
        host: String,
        what: &'static str,
        limit: u64,
    },
    /// Any other HTTP status.
    UnexpectedStatus { host: String, status: u16 },
    /// A response that does not follow the protocol (malformed challenge, token or manifest, broken
    /// HTTP).
    Protocol { host: String, reason: String },
}

impl RegistryError {
    /// The catalog id of the message that says what failed and what to do, and its arguments. The text
    /// lives in `server/messages/<lang>.txt` (`registry.*`); the edges (the CLI's warnings, the language
    /// server's messages) render it in the user's language with [`RegistryError::render`]. Reasons that
    /// come from the network stack (`reason`) stay as the stack words them.
    pub fn message(&self) -> (&'static str, Vec<(&'static str, String)>) {
        use RegistryError::*;
        match self {
            NoTag { image } => ("registry.no-tag", vec![("image", image.clone())]),
            BadMirror { domain, url, reason } if url.is_empty() => (
                "registry.bad-domain",
                vec![("domain", domain.clone()), ("reason", reason.clone())],
            ),
            BadMirror { domain, url, reason } => (
                "registry.bad-mirror",
                vec![
                    ("domain", domain.clone()),
                    ("url", url.clone()),
                    ("reason", reason.clone()),
                ],
            ),
            Offline { host, reason } => (
                "registry.offline",
                vec![("host", host.clone()), ("reason", reason.clone())],
            ),
            Timeout { host, after } => (
                "registry.timeout",
                vec![("host", host.clone()), ("seconds", after.as_secs_f64().to_string())],
            ),
            Tls { host, reason } => ("registry.tls", vec![("host", host.clone()), ("reason", reason.clone())]),
            InsecureUrl { url } => ("registry.insecure-url", vec![("url", url.clone())]),
            RedirectRefused { from, to } => (
                "registry.redirect-refused",
                vec![("from", from.clone()), ("to", to.clone())],
            ),
            Denied { image, host, status } => (
                "registry.denied",
                vec![
                    ("host", host.clone()),
                    ("image", image.clone()),
                    ("status", status.to_string()),
                ],
            ),
            NotFound { image, tag, host } => (
                "registry.not-found",
                vec![("host", host.clone()), ("tag", tag.clone()), ("image", image.clone())],
            ),
            RateLimited {
                host,
                retry_after: None,
            } => ("registry.rate-limited", vec![("host", host.clone())]),
            RateLimited {
                host,
                retry_after: Some(r),
            } => (
                "registry.rate-limited-retry",
                vec![("host", host.clone()), ("retry", r.clone())],
            ),
            InvalidDigest { host, value } => (
                "registry.invalid-digest",
                vec![("host", host.clone()), ("value", value.clone())],
            ),
            TooLarge { host, what, limit } => (
                "registry.too-large",
                vec![
                    ("host", host.clone()),
                    ("what", what.to_string()),
                    ("limit", limit.to_string()),
                ],
            ),
            UnexpectedStatus { host, status } => (
                "registry.unexpected-status",
                vec![("host", host.clone()), ("status", status.to_string())],
            ),
            Protocol { host, reason } => (
                "registry.protocol",
                vec![("host", host.clone()), ("reason", reason.clone())],
            ),
        }
    }

    /// The message in `locale`.
    pub fn render(&self, locale: Locale) -> String {
        let (id, args) = self.message();
        messages::render(locale, id, &args)
    }
}

/// In English: what logs and `?` print.
impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Locale::En))
    }
}

impl std::error::Error for RegistryError {}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CacheKey {
    base: String,
    path: String,
    tag: String,
    accept: &'static str,
}

#[derive(Clone, Debug)]
struct CacheEntry {
    digest: String,
    media_type: Option<String>,
    fetched: Instant,
}

#[derive(Clone, Debug)]
struct Token {
    value: String,
    expires: Instant,
}

/// Resolves tags to digests; holds the configuration, the HTTP agent and the in-memory caches (digests
/// and bearer tokens). One per CLI run or per language server.
pub struct Resolver {
    config: RegistryConfig,
    agent: ureq::Agent,
    ttl: Duration,
    cache: HashMap<CacheKey, CacheEntry>,
    /// (realm, service, scope) → anonymous token.
    tokens: HashMap<(String, String, String), Token>,
    /// (registry base, repository) → the last bearer challenge seen, so that later requests send the
    /// cached token at once.
    challenges: HashMap<(String, String), Challenge>,
    requests: usize,
}

impl Resolver {
    pub fn new(config: RegistryConfig) -> Resolver {
        Resolver::with_cache_ttl(config, DEFAULT_CACHE_TTL)
    }

    /// A resolver whose cached digests live `ttl` (zero: always ask the registry).
    pub fn with_cache_ttl(config: RegistryConfig, ttl: Duration) -> Resolver {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(config.timeout))
            .user_agent(concat!("dockward/", env!("CARGO_PKG_VERSION")))
            .max_response_header_size(64 * 1024)
            .build()
            .new_agent();
        Resolver {
            config,
            agent,
            ttl,
            cache: HashMap::new(),
            tokens: HashMap::new(),
            challenges: HashMap::new(),
            requests: 0,
        }
    }

    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// How many HTTP requests this resolver has sent (manifests, tokens and redirects followed).
    pub fn requests_sent(&self) -> usize {
        self.requests
    }

    /// Forgets cached digests (tokens stay until they expire).
    pub fn clear_cache(&mut self) {
        self.cache.clear();
    }

    /// The digest of the manifest (or multi-platform index) that `image`'s tag points to now: the tag as
    /// written, or `latest` when there is neither tag nor digest. A reference with a tag and a digest
    /// resolves the tag (to refresh a pin); one with only a digest is [`RegistryError::NoTag`].
    pub fn resolve(&mut self, image: &ImageRef) -> Result<Resolved, RegistryError> {
        let Some(tag) = image.effective_tag() else {
            return Err(RegistryError::NoTag {
                image: image.familiar_name(),
            });
        };
        let base = self.config.base_url(&image.domain)?;
        let key = CacheKey {
            base: base.clone(),
            path: image.path.clone(),
            tag: tag.to_string(),
            accept: MANIFEST_ACCEPT,
        };
        if let Some(e) = self.cache.get(&key)
            && e.fetched.elapsed() < self.ttl
        {
            return Ok(Resolved {
                digest: e.digest.clone(),
                media_type: e.media_type.clone(),
                from_cache: true,
            });
        }
        let url = format!("{base}/v2/{}/manifests/{tag}", image.path);
        let host = Url::parse(&base).map(|u| u.authority).unwrap_or_else(|_| base.clone());
        if self.config.offline {
            return Err(RegistryError::Offline {
                host,
                reason: "offline mode is on, so nothing was contacted".to_string(),
            });
        }
        let name = format!("{}:{tag}", image.familiar_name());
        let not_found = || RegistryError::NotFound {
            image: image.familiar_name(),
            tag: tag.to_string(),
            host: host.clone(),
        };

        let head = self.registry_request(Method::Head, &url, &base, &image.path, &name)?;
        let (digest, media_type) = match head.status {
            200 => match head.header("docker-content-digest") {
                Some(d) => (Some(d.trim().to_string()), media_type_of(head.header("content-type"))),
                None => (None, None),
            },
            404 => return Err(not_found()),
            // Method not allowed or not implemented: some proxies only do GET.
            405 | 501 => (None, None),
            s => return Err(status_error(s, &head, &host, &name)),
        };
        let (digest, media_type) = match digest {
            Some(d) => (d, media_type),
            None => {
                let get = self.registry_request(Method::Get, &url, &base, &image.path, &name)?;
                match get.status {
                    200 => {}
                    404 => return Err(not_found()),
                    s => return Err(status_error(s, &get, &host, &name)),
                }
                let body: serde_json::Value =
                    serde_json::from_slice(&get.body).map_err(|_| RegistryError::Protocol {
                        host: host.clone(),
                        reason: "the manifest is not JSON".to_string(),
                    })?;
                if !body.get("schemaVersion").is_some_and(serde_json::Value::is_u64) {
                    return Err(RegistryError::Protocol {
                        host: host.clone(),
                        reason: "the answer is not an image manifest (no schemaVersion)".to_string(),
                    });
                }
                let media_type = media_type_of(get.header("content-type"))
                    .or_else(|| media_type_of(body.get("mediaType").and_then(|m| m.as_str())));
                let digest = match get.header("docker-content-digest") {
                    Some(d) => d.trim().to_string(),
                    None => format!("sha256:{}", sha256_hex(&get.body)),
                };
                (digest, media_type)
            }
        };
        if !is_valid_digest(&digest) {
            return Err(RegistryError::InvalidDigest {
                host,
                value: clean(&digest),
            });
        }
        self.cache.insert(
            key,
            CacheEntry {
                digest: digest.clone(),
                media_type: media_type.clone(),
                fetched: Instant::now(),
            },
        );
        Ok(Resolved {
            digest,
            media_type,
            from_cache: false,
        })
    }

    /// A request to the registry, with the bearer-token dance on 401.
    fn registry_request(
        &mut self,
        method: Method,
        url: &str,
        base: &str,
        path: &str,
        image: &str,
    ) -> Result<Reply, RegistryError> {
        let repo_key = (base.to_string(), path.to_string());
        let mut token = self.challenges.get(&repo_key).and_then(|c| {
            let key = c.token_key(path);
            self.tokens
                .get(&key)
                .filter(|t| t.expires > Instant::now())
                .map(|t| t.value.clone())
        });
        let limit = match method {
            Method::Head => None,
            Method::Get => Some((MANIFEST_LIMIT, "manifest")),
        };
        let mut authenticated = false;
        loop {
            let reply = self.fetch(
                method,
                url,
                token.as_deref(),
                Some(MANIFEST_ACCEPT),
                limit,
                Hop::Registry,
            )?;
            if reply.status != 401 || authenticated {
                return Ok(reply);
            }
            authenticated = true;
            let host = reply.host.clone();
            let challenges = reply
                .headers_named("www-authenticate")
                .flat_map(parse_challenges)
                .collect::<Vec<_>>();
            let Some(bearer) = challenges.iter().find(|c| c.scheme.eq_ignore_ascii_case("bearer")) else {
                return Err(if challenges.is_empty() {
                    RegistryError::Protocol {
                        host,
                        reason: "HTTP 401 without a usable WWW-Authenticate challenge".to_string(),
                    }
                } else {
                    RegistryError::Denied {
                        image: image.to_string(),
                        host,
                        status: 401,
                    }
                });
            };
            let Some(challenge) = Challenge::from_params(bearer) else {
                return Err(RegistryError::Protocol {
                    host,
                    reason: "a Bearer challenge without a realm".to_string(),
                });
            };
            let key = challenge.token_key(path);
            if token.is_some() {
                // The token we sent was refused: fetch a fresh one.
                self.tokens.remove(&key);
            }
            token = Some(self.token(&key, image)?);
            self.challenges.insert(repo_key.clone(), challenge);
        }
    }

    /// An anonymous token for (realm, service, scope), cached until it expires.
    fn token(&mut self, key: &(String, String, String), image: &str) -> Result<String, RegistryError> {
        if let Some(t) = self.tokens.get(key)
            && t.expires > Instant::now()
        {
            return Ok(t.value.clone());
        }
        let (realm, service, scope) = key;
        let mut query = Vec::new();
        if !service.is_empty() {
            query.push(("service", service.as_str()));
        }
        for s in scope.split_whitespace() {
            query.push(("scope", s));
        }
        let url = with_query(realm, &query);
        let reply = self.fetch(
            Method::Get,
            &url,
            None,
            Some("application/json"),
            Some((TOKEN_LIMIT, "token response")),
            Hop::Realm,
        )?;
        let host = reply.host.clone();
        match reply.status {
            200 => {}
            401 | 403 => {
                return Err(RegistryError::Denied {
                    image: image.to_string(),
                    host,
                    status: reply.status,
                });
            }
            s => return Err(status_error(s, &reply, &host, image)),
        }
        let protocol = |reason: &str| RegistryError::Protocol {
            host: host.clone(),
            reason: reason.to_string(),
        };
        let json: serde_json::Value =
            serde_json::from_slice(&reply.body).map_err(|_| protocol("the token response is not JSON"))?;
        let value = ["token", "access_token"]
            .iter()
            .filter_map(|k| json.get(k).and_then(|v| v.as_str()))
            .find(|t| !t.is_empty())
            .ok_or_else(|| protocol("the token response has no `token`"))?;
        if !value.bytes().all(|b| b.is_ascii_graphic()) || value.len() > TOKEN_LIMIT as usize {
            return Err(protocol("the token has characters a header cannot carry"));
        }
        let lifetime = json
            .get("expires_in")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(60)
            .clamp(60, 24 * 3600);
        // Renew a little early so that a token never expires on its way.
        let expires = Instant::now() + Duration::from_secs(lifetime - 10);
        self.tokens.insert(
            key.clone(),
            Token {
                value: value.to_string(),
                expires,
            },
        );
        Ok(value.to_string())
    }

    /// One logical request: redirects followed by hand under the security rules; the bearer token goes
    /// only to the origin it was meant for.
    fn fetch(
        &mut self,
        method: Method,
        url: &str,
        token: Option<&str>,
        accept: Option<&str>,
        limit: Option<(u64, &'static str)>,
        hop: Hop,
    ) -> Result<Reply, RegistryError> {
        let first = Url::parse(url).map_err(|reason| RegistryError::Protocol {
            host: clean(url),
            reason,
        })?;
        let mut current = first.clone();
        for _ in 0..=MAX_REDIRECTS {
            if current.scheme == "http" && !self.config.allows_http(&current.authority) {
                return Err(RegistryError::InsecureUrl {
                    url: clean(&current.to_string()),
                });
            }
            let send_token = token.filter(|_| current.same_origin(&first));
            let reply = self.exchange(method, &current, send_token, accept, limit)?;
            if !matches!(reply.status, 301 | 302 | 303 | 307 | 308) {
                return Ok(reply);
            }
            let Some(location) = reply.header("location") else {
                return Err(RegistryError::Protocol {
                    host: current.authority.clone(),
                    reason: format!("HTTP {} without a Location", reply.status),
                });
            };
            let next = current.join(location).map_err(|reason| RegistryError::Protocol {
                host: current.authority.clone(),
                reason,
            })?;
            if hop == Hop::Realm && next.authority != current.authority && next.scheme != "https" {
                return Err(RegistryError::RedirectRefused {
                    from: clean(&current.to_string()),
                    to: clean(&next.to_string()),
                });
            }
            current = next;
        }
        Err(RegistryError::Protocol {
            host: first.authority,
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// One HTTP exchange, without redirects. The body is read (bounded) only for 200 answers that want it.
    fn exchange(
        &mut self,
        method: Method,
        url: &Url,
        token: Option<&str>,
        accept: Option<&str>,
        limit: Option<(u64, &'static str)>,
    ) -> Result<Reply, RegistryError> {
        let host = url.authority.clone();
        let text = url.to_string();
        let mut req = match method {
            Method::Head => self.agent.head(&text),
            Method::Get => self.agent.get(&text),
        };
        if let Some(a) = accept {
            req = req.header("Accept", a);
        }
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        self.requests += 1;
        let mut resp = req
            .call()
            .map_err(|e| map_error(e, &host, &url.scheme, self.config.timeout))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_string())))
            .collect();
        let body = match limit {
            Some((max, what)) if status == 200 => {
                resp.body_mut()
                    .with_config()
                    .limit(max)
                    .read_to_vec()
                    .map_err(|e| match e {
                        ureq::Error::BodyExceedsLimit(_) => RegistryError::TooLarge {
                            host: host.clone(),
                            what,
                            limit: max,
                        },
                        e => map_error(e, &host, &url.scheme, self.config.timeout),
                    })?
            }
            _ => Vec::new(),
        };
        Ok(Reply {
            host,
            status,
            headers,
            body,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Head,
    Get,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hop {
    Registry,
    Realm,
}

struct Reply {
    host: String,
    status: u16,
    /// Names in lower case; values that are not visible ASCII are dropped.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn status_error(status: u16, reply: &Reply, host: &str, image: &str) -> RegistryError {
    match status {
        401 | 403 => RegistryError::Denied {
            image: image.to_string(),
            host: host.to_string(),
            status,
        },
        429 => RegistryError::RateLimited {
            host: host.to_string(),
            retry_after: reply.header("retry-after").map(|r| {
                let r = clean(r.trim());
                if r.bytes().all(|b| b.is_ascii_digit()) && !r.is_empty() {
                    format!("{r} s")
                } else {
                    r
                }
            }),
        },
        _ => RegistryError::UnexpectedStatus {
            host: host.to_string(),
            status,
        },
    }
}

fn map_error(e: ureq::Error, host: &str, scheme: &str, timeout: Duration) -> RegistryError {
    use std::io::ErrorKind as K;
    let host = host.to_string();
    let offline = |reason: &str| RegistryError::Offline {
        host: host.clone(),
        reason: reason.to_string(),
    };
    let tls = |reason: String| RegistryError::Tls {
        host: host.clone(),
        reason: clean(&reason),
    };
    match e {
        ureq::Error::Timeout(_) => RegistryError::Timeout { host, after: timeout },
        ureq::Error::HostNotFound => offline("host not found (DNS lookup failed)"),
        ureq::Error::ConnectionFailed => offline("connection failed"),
        ureq::Error::Io(io) => {
            let text = io.to_string();
            match io.kind() {
                K::ConnectionRefused => offline("connection refused"),
                K::TimedOut | K::WouldBlock => RegistryError::Timeout { host, after: timeout },
                K::NetworkUnreachable | K::HostUnreachable | K::AddrNotAvailable | K::NetworkDown => {
                    offline("no route to the host")
                }
                K::NotFound if text.contains("resolve") || text.contains("lookup") => {
                    offline("host not found (DNS lookup failed)")
                }
                _ if scheme == "https" && (io.kind() == K::InvalidData || looks_like_tls(&text)) => tls(text),
                K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe => {
                    RegistryError::Protocol {
                        host,
                        reason: "the connection was closed before a complete answer".to_string(),
                    }
                }
                _ => RegistryError::Protocol {
                    host,
                    reason: clean(&text),
                },
            }
        }
        ureq::Error::Tls(m) => tls(m.to_string()),
        ureq::Error::Rustls(r) => tls(r.to_string()),
        ureq::Error::Pem(p) => tls(format!("{p:?}")),
        ureq::Error::RequireHttpsOnly(u) => RegistryError::InsecureUrl { url: clean(&u) },
        ureq::Error::TlsRequired => tls("the connection is not encrypted".to_string()),
        ureq::Error::LargeResponseHeader(_, limit) => RegistryError::TooLarge {
            host,
            what: "response header",
            limit: limit as u64,
        },
        ureq::Error::BodyExceedsLimit(limit) => RegistryError::TooLarge {
            host,
            what: "response",
            limit,
        },
        other => RegistryError::Protocol {
            host,
            reason: clean(&other.to_string()),
        },
    }
}

fn looks_like_tls(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "alert",
        "peer is incompatible",
        "corrupt message",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// Is `d` a digest dockward pins: `sha256:` + 64 lowercase hex digits, or `sha512:` + 128?
pub fn is_valid_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let len = match alg {
        "sha256" => 64,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The media type of a `Content-Type` value without its parameters, when it is well formed.
fn media_type_of(value: Option<&str>) -> Option<String> {
    let v = value?.split(';').next()?.trim();
    let (a, b) = v.split_once('/')?;
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&c))
    };
    (token(a) && token(b)).then(|| v.to_ascii_lowercase())
}

/// A server-sent string made safe to print: control characters escaped, at most 120 characters.
fn clean(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 120 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn domain_is_plausible(d: &str) -> bool {
    !d.is_empty()
        && d.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(i) => (
                &authority[..=i],
                authority[i + 1..].strip_prefix(':').filter(|p| !p.is_empty()),
            ),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (authority, None),
    }
}

/// `url` with query parameters appended, percent-encoded.
fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let mut out = url.to_string();
    for (k, v) in params {
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(k);
        out.push('=');
        for b in v.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// An absolute http(s) URL split into scheme, authority (lower case, no user info) and the rest (path
/// and query, maybe empty).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Url {
    scheme: String,
    authority: String,
    rest: String,
}

impl Url {
    fn parse(s: &str) -> Result<Url, String> {
        let (scheme, after) = s.split_once("://").ok_or_else(|| "not an absolute URL".to_string())?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(format!("scheme `{}` is not http or https", clean(&scheme)));
        }
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        if authority.contains('@') {
            return Err("URLs with credentials are refused".to_string());
        }
        let (host, port) = split_host_port(authority);
        let host_ok = if let Some(inner) = host.strip_prefix('[') {
            inner
                .strip_suffix(']')
                .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.'))
        } else {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        };
        let port_ok = port.is_none_or(|p| p.len() <= 5 && p.parse::<u16>().is_ok_and(|n| n > 0));
        if !host_ok || !port_ok {
            return Err(format!("`{}` is not a host", clean(authority)));
        }
        if rest.bytes().any(|b| b <= b' ' || b >= 0x7f) {
            return Err("the URL has spaces or non-ASCII characters".to_string());
        }
        let rest = rest.split('#').next().unwrap_or_default();
        Ok(Url {
            scheme,
            authority: authority.to_ascii_lowercase(),
            rest: rest.to_string(),
        })
    }

    fn same_origin(&self, other: &Url) -> bool {
        self.scheme == other.scheme && self.authority == other.authority
    }

    /// Resolves a `Location` value against this URL.
    fn join(&self, location: &str) -> Result<Url, String> {
        let location = location.trim();
        if location.contains("://") && !location.starts_with('/') {
            Url::parse(location)
        } else if let Some(rest) = location.strip_prefix("//") {
            Url::parse(&format!("{}://{rest}", self.scheme))
        } else if location.starts_with('/') {
            Url::parse(&format!("{}://{}{location}", self.scheme, self.authority))
        } else {
            Err(format!("unsupported redirect target `{}`", clean(location)))
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.rest)
    }
}

/// One authentication challenge of a `WWW-Authenticate` header: the scheme and its parameters (names in
/// lower case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthChallenge {
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

impl AuthChallenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a `WWW-Authenticate` value (RFC 9110 §11.6.1): one or more challenges separated by commas,
/// each a scheme followed by `name=value` or `name="quoted, \"value\""` parameters (or a token68).
/// Never fails: whatever cannot be read is skipped.
pub fn parse_challenges(header: &str) -> Vec<AuthChallenge> {
    let b = header.as_bytes();
    let n = b.len();
    let is_tchar = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
    let skip_ws = |mut i: usize| {
        while i < n && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    let mut out: Vec<AuthChallenge> = Vec::new();
    let mut i = 0;
    while i < n {
        if matches!(b[i], b' ' | b'\t' | b',') {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && is_tchar(b[i]) {
            i += 1;
        }
        if i == start {
            // Not a token: skip one character.
            i += header[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let token = &header[start..i];
        let mut j = skip_ws(i);
        if j < n && b[j] == b'=' && !out.is_empty() {
            // A parameter of the current challenge: name=token or name="quoted \"string\"".
            j = skip_ws(j + 1);
            let mut value = String::new();
            if j < n && b[j] == b'"' {
                j += 1;
                while j < n && b[j] != b'"' {
                    if b[j] == b'\\' && j + 1 < n {
                        j += 1;
                    }
                    let c = header[j..].chars().next().unwrap_or(' ');
                    value.push(c);
                    j += c.len_utf8();
                }
                j = (j + 1).min(n);
            } else {
                let vs = j;
                while j < n && !matches!(b[j], b',' | b' ' | b'\t') {
                    j += 1;
                }
                value.push_str(&header[vs..j]);
            }
            if let Some(ch) = out.last_mut() {
                ch.params.push((token.to_ascii_lowercase(), value));
            }
            i = j;
            continue;
        }
        // A new challenge; a token68 after the scheme (`Basic dXNlcjpwYXNz`) is kept as a parameter
        // named "".
        let mut params = Vec::new();
        let t = j;
        let mut k = j;
        while k < n && (b[k].is_ascii_alphanumeric() || b"-._~+/".contains(&b[k])) {
            k += 1;
        }
        let mut e = k;
        while e < n && b[e] == b'=' {
            e += 1;
        }
        let after = skip_ws(e);
        if k > t && (after == n || b[after] == b',') {
            params.push((String::new(), header[t..e].to_string()));
            i = after;
        }
        out.push(AuthChallenge {
            scheme: token.to_string(),
            params,
        });
    }
    out
}

/// The parts of a Bearer challenge dockward uses.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Challenge {
    realm: String,
    service: String,
    scope: Option<String>,
}

impl Challenge {
    fn from_params(c: &AuthChallenge) -> Option<Challenge> {
        let realm = c.param("realm").filter(|r| !r.is_empty())?.to_string();
        Some(Challenge {
            realm,
            service: c.param("service").unwrap_or_default().to_string(),
            scope: c.param("scope").filter(|s| !s.is_empty()).map(str::to_string),
        })
    }

    /// (realm, service, scope): the scope the registry named, else pull access to the repository.
    fn token_key(&self, path: &str) -> (String, String, String) {
        let scope = self.scope.clone().unwrap_or_else(|| format!("repository:{path}:pull"));
        (self.realm.clone(), self.service.clone(), scope)
    }
}

/// SHA-256 of `data` as 64 lowercase hex digits, by `ring` (already linked for TLS).
pub fn sha256_hex(data: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    /// One error of every kind.
    fn every_error() -> Vec<RegistryError> {
        use RegistryError::*;
        let host = || "registry.test".to_string();
        vec![
            NoTag {
                image: "node@sha256:ab".into(),
            },
            BadMirror {
                domain: "x".into(),
                url: String::new(),
                reason: "not a host".into(),
            },
            BadMirror {
                domain: "docker.io".into(),
                url: "ftp://x".into(),
                reason: "scheme".into(),
            },
            Offline {
                host: host(),
                reason: "connection refused".into(),
            },
            Timeout {
                host: host(),
                after: Duration::from_secs(10),
            },
            Tls {
                host: host(),
                reason: "expired".into(),
            },
            InsecureUrl {
                url: "http://registry.test/v2/".into(),
            },
            RedirectRefused {
                from: host(),
                to: "http://cdn.test/".into(),
            },
            Denied {
                image: "org/app".into(),
                host: host(),
                status: 401,
            },
            NotFound {
                image: "node".into(),
                tag: "99".into(),
                host: host(),
            },
            RateLimited {
                host: host(),
                retry_after: None,
            },
            RateLimited {
                host: host(),
                retry_after: Some("60".into()),
            },
            InvalidDigest {
                host: host(),
                value: "md5:x".into(),
            },
            TooLarge {
                host: host(),
                what: "response",
                limit: 4096,
            },
            UnexpectedStatus {
                host: host(),
                status: 500,
            },
            Protocol {
                host: host(),
                reason: "no token".into(),
            },
        ]
    }

    #[test]
    fn every_error_has_a_message_in_every_language_with_its_details() {
        for e in every_error() {
            let (id, args) = e.message();
            assert!(messages::exists(id), "{id}");
            for locale in Locale::ALL {
                let text = e.render(locale);
                assert!(!text.contains('{'), "{locale:?} {id}: unfilled placeholder in {text}");
                for (_, value) in &args {
                    assert!(
                        text.contains(value.as_str()),
                        "{locale:?} {id}: {value} missing in {text}"
                    );
                }
            }
            // `Display` is the English message.
            assert_eq!(e.to_string(), e.render(Locale::En));
        }
        let e = RegistryError::NotFound {
            image: "node".into(),
            tag: "99".into(),
            host: "r.test".into(),
        };
        assert_eq!(
            e.render(Locale::Ja),
            "タグが見つかりません: r.test に node の `99` はありません。タグ (とリポジトリ) の名前を確認してください"
        );
        let w = RegistryWarning::Timeout {
            value: "-1".into(),
            default: 10,
        };
        assert!(w.render(Locale::Ja).contains("`-1`") && w.render(Locale::Ja).contains("10 秒"));
        assert!(w.to_string().contains("using 10 s"));
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            sha256_hex(&vec![b'a'; 1_000_000]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        // Lengths around the padding boundary.
        for n in 54..=66 {
            assert_eq!(sha256_hex(&vec![0u8; n]).len(), 64);
        }
    }

    #[test]
    fn digests_are_validated() {
        let ok = format!("sha256:{}", "a".repeat(64));
        assert!(is_valid_digest(&ok));
        assert!(is_valid_digest(&format!("sha512:{}", "0".repeat(128))));
        for bad in [
            "",
            "sha256:",
            "sha256:abc",
            &format!("sha256:{}", "A".repeat(64)),
            &format!("sha256:{}", "g".repeat(64)),
            &format!("sha256:{}", "a".repeat(65)),
            &format!("md5:{}", "a".repeat(64)),
            &format!("sha256 :{}", "a".repeat(64)),
            &format!("sha256:{}\n", "a".repeat(64)),
        ] {
            assert!(!is_valid_digest(bad), "{bad:?}");
        }
    }

    #[test]
    fn www_authenticate_is_parsed_robustly() {
        let h = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#;
        let c = parse_challenges(h);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "Bearer");
        assert_eq!(c[0].param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c[0].param("service"), Some("registry.docker.io"));
        assert_eq!(c[0].param("scope"), Some("repository:library/alpine:pull"));

        // Commas and escaped quotes inside quoted values, odd spacing, upper-case names, two challenges.
        let h = r#"Basic realm="a, \"b\"", BEARER  Realm = "https://x.test/t?a=1,b=2" , service=reg.test,scope="repository:a/b:pull,push""#;
        let c = parse_challenges(h);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].param("realm"), Some(r#"a, "b""#));
        assert!(c[1].scheme.eq_ignore_ascii_case("bearer"));
        assert_eq!(c[1].param("realm"), Some("https://x.test/t?a=1,b=2"));
        assert_eq!(c[1].param("service"), Some("reg.test"));
        assert_eq!(c[1].param("scope"), Some("repository:a/b:pull,push"));
        let ch = Challenge::from_params(&c[1]).unwrap();
        assert_eq!(ch.token_key("a/b").2, "repository:a/b:pull,push");

        // token68 and a challenge after it.
        let c = parse_challenges("Basic dXNlcjpwYXNz==, Bearer realm=\"r\"");
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].param(""), Some("dXNlcjpwYXNz=="));
        assert_eq!(c[1].param("realm"), Some("r"));

        // No scope: pull access to the repository.
        let c = parse_challenges(r#"Bearer realm="https://r.test/token""#);
        let ch = Challenge::from_params(&c[0]).unwrap();
        assert_eq!(
            ch.token_key("org/app"),
            (
                "https://r.test/token".into(),
                "".into(),
                "repository:org/app:pull".into()
            )
        );

        // Garbage never panics.
        for g in [
            "",
            ",",
            "=",
            "\"",
            "Bearer",
            "Bearer realm",
            "Bearer realm=",
            "Bearer realm=\"",
            "Bearer realm=\"\\",
            "=x, =y",
            "Bearer ,,,realm=\"x\"",
            "日本語 realm=\"語\"",
            "Bearer realm=\"é\\",
            "\u{0}\u{7f}",
        ] {
            let _ = parse_challenges(g);
        }
        let mut seed = 7u64;
        for _ in 0..2000 {
            let s: String = (0..seed % 40)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ['B', 'r', '=', '"', ',', ' ', '\\', 'é', 'a', '/', '\t'][(seed >> 33) as usize % 11]
                })
                .collect();
            let _ = parse_challenges(&s);
        }
    }

    #[test]
    fn base_urls_and_plain_http_rules() {
        let c = RegistryConfig::default();
        assert_eq!(c.base_url("docker.io").unwrap(), DOCKER_HUB_REGISTRY);
        assert_eq!(c.base_url("ghcr.io").unwrap(), "https://ghcr.io");
        assert_eq!(c.base_url("localhost:5000").unwrap(), "https://localhost:5000");
        assert!(!c.allows_http("localhost:5000"));

        let c = RegistryConfig {
            mirrors: BTreeMap::from([
                ("docker.io".to_string(), "http://127.0.0.1:5055/".to_string()),
                ("quay.io".to_string(), "ftp://x".to_string()),
                ("gcr.io".to_string(), "https://user:pw@mirror.test".to_string()),
            ]),
            insecure: vec!["registry.lan".to_string(), "10.0.0.1:5000".to_string()],
            ..RegistryConfig::default()
        };
        assert_eq!(c.base_url("docker.io").unwrap(), "http://127.0.0.1:5055");
        assert!(c.allows_http("127.0.0.1:5055"));
        assert!(!c.allows_http("127.0.0.1:5056"));
        assert_eq!(c.base_url("registry.lan:8443").unwrap(), "http://registry.lan:8443");
        assert_eq!(c.base_url("10.0.0.1:5000").unwrap(), "http://10.0.0.1:5000");
        assert_eq!(c.base_url("10.0.0.1:5001").unwrap(), "https://10.0.0.1:5001");
        // Without a docker.io mirror, Docker Hub is still its registry endpoint.
        let c2 = RegistryConfig {
            mirrors: BTreeMap::new(),
            ..RegistryConfig::default()
        };
        assert_eq!(c2.base_url("docker.io").unwrap(), DOCKER_HUB_REGISTRY);
        let e = c.base_url("quay.io").unwrap_err();
        assert!(e.to_string().contains("unusable"), "{e}");
        let e = c.base_url("gcr.io").unwrap_err();
        assert!(e.to_string().contains("credentials"), "{e}");
    }

    #[test]
    fn urls_parse_and_join() {
        let u = Url::parse("HTTPS://Auth.Docker.IO/token?x=1#frag").unwrap();
        assert_eq!(u.to_string(), "https://auth.docker.io/token?x=1");
        assert!(Url::parse("https://[::1]:5000/v2/").is_ok());
        for bad in [
            "",
            "auth.docker.io",
            "file:///etc/passwd",
            "https://",
            "https://a b",
            "http://a:0",
            "http://a:99999",
            "http://a:b",
        ] {
            assert!(Url::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(u.join("/v2/x").unwrap().to_string(), "https://auth.docker.io/v2/x");
        assert_eq!(u.join("//cdn.test/b").unwrap().to_string(), "https://cdn.test/b");
        assert_eq!(u.join("http://other.test/").unwrap().to_string(), "http://other.test/");
        assert!(u.join("relative/path").is_err());
        assert_eq!(
            with_query(
                "https://r.test/t",
                &[("service", "a b"), ("scope", "repository:x/y:pull")]
            ),
            "https://r.test/t?service=a%20b&scope=repository%3Ax%2Fy%3Apull"
        );
        assert_eq!(
            with_query("https://r.test/t?a=1", &[("s", "x")]),
            "https://r.test/t?a=1&s=x"
        );
    }

    #[test]
    fn errors_say_what_failed_and_what_to_do() {
        let e = RegistryError::Offline {
            host: "registry-1.docker.io".into(),
            reason: "connection refused".into(),
        };
        assert_eq!(
            e.to_string(),
            "could not reach registry-1.docker.io: connection refused; digests are only resolved when you ask \
             and the registry is reachable"
        );
        let e = RegistryError::Denied {
            image: "acme/private:1".into(),
            host: "r.test".into(),
            status: 401,
        };
        assert!(
            e.to_string()
                .contains("private repository? log in is not supported; pin by hand")
        );
        let e = RegistryError::RateLimited {
            host: "r.test".into(),
            retry_after: Some("30 s".into()),
        };
        assert!(e.to_string().contains("rate limit (HTTP 429), retry after 30 s"));
        assert_eq!(clean("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(clean(&"x".repeat(500)).chars().count(), 121);
        assert_eq!(
            media_type_of(Some("application/vnd.oci.image.index.v1+json; charset=utf-8")).as_deref(),
            Some("application/vnd.oci.image.index.v1+json")
        );
        assert_eq!(media_type_of(Some("garbage")), None);
        assert_eq!(media_type_of(Some("a/b c")), None);
    }

    /// A loopback server that answers every connection with the current canned bytes, then closes.
    struct Canned {
        port: u16,
        response: Arc<Mutex<Vec<u8>>>,
        stop: Arc<AtomicBool>,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl Canned {
        fn start() -> Canned {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let response = Arc::new(Mutex::new(Vec::new()));
            let stop = Arc::new(AtomicBool::new(false));
            let (r, s) = (response.clone(), stop.clone());
            let thread = std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if s.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut conn) = conn else { continue };
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut req = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !req.windows(4).any(|w| w == b"\r\n\r\n") && req.len() < 16 * 1024 {
                        match conn.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => req.extend_from_slice(&buf[..n]),
                        }
                    }
                    let bytes = r.lock().unwrap().clone();
                    let _ = conn.write_all(&bytes);
                    let _ = conn.shutdown(std::net::Shutdown::Both);
                }
            });
            Canned {
                port,
                response,
                stop,
                thread: Some(thread),
            }
        }
    }

    impl Canned {
        /// A canned server standing in for Docker Hub, its URL, the configuration that reaches it and
        /// the image asked for.
        fn setup() -> (Canned, String, RegistryConfig, ImageRef) {
            let server = Canned::start();
            let base = format!("http://127.0.0.1:{}", server.port);
            let config = RegistryConfig {
                mirrors: BTreeMap::from([("docker.io".to_string(), base.clone())]),
                timeout: Duration::from_secs(3),
                ..RegistryConfig::default()
            };
            (server, base, config, ImageRef::parse("alpine:3.22").unwrap())
        }
    }

    impl Drop for Canned {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(("127.0.0.1", self.port));
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }

    #[test]
    fn garbage_responses_never_panic() {
        let (server, base, config, image) = Canned::setup();
        let digest = format!("sha256:{}", "ab".repeat(32));
        let realms = [
            format!("{base}/token"),
            "http://127.0.0.1:1/token".to_string(),
            format!("https://127.0.0.1:{}/token", server.port),
            "http://10.0.0.1/token".to_string(),
            "ftp://x".to_string(),
            String::new(),
            "http://[::1".to_string(),
            format!("http://u:p@127.0.0.1:{}/", server.port),
        ];
        let mut cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"garbage\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nnot j".to_vec(),
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n{}".to_vec(),
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:nothex\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\nDocker-Content-Digest: \xff\xfe\r\nContent-Type: \xc3\x28\r\n\r\n".to_vec(),
            format!("HTTP/1.1 200 OK\r\nDocker-Content-Digest: {digest}\r\nContent-Type: ;;;/\r\n\r\n").into_bytes(),
            format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "a".repeat(70_000)).into_bytes(),
            b"HTTP/1.1 999 What\r\n\r\n".to_vec(),
            b"HTTP/1.1 401 Unauthorized\r\n\r\n".to_vec(),
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n".to_vec(),
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n\r\n".to_vec(),
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"\r\n\r\n".to_vec(),
            b"HTTP/1.1 302 Found\r\n\r\n".to_vec(),
            b"HTTP/1.1 302 Found\r\nLocation: /v2/loop\r\n\r\n".to_vec(),
            b"HTTP/1.1 302 Found\r\nLocation: ftp://x/\r\n\r\n".to_vec(),
            b"HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/\r\n\r\n".to_vec(),
            b"HTTP/1.1 429 Too Many\r\nRetry-After: \x1b[31m\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{\"schemaVersion\":".to_vec(),
        ];
        for realm in &realms {
            cases.push(
                format!(
                    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"{realm}\",service=\"s\"\r\n\r\n"
                )
                .into_bytes(),
            );
        }
        // Random mixtures of protocol fragments and bytes (deterministic).
        let pieces: Vec<Vec<u8>> = vec![
            b"HTTP/1.1 ".to_vec(),
            b"200 OK".to_vec(),
            b"401 U".to_vec(),
            b"302 F".to_vec(),
            b"\r\n".to_vec(),
            b"\r\n\r\n".to_vec(),
            b"WWW-Authenticate: Bearer realm=".to_vec(),
            format!("\"{base}/t\"").into_bytes(),
            b",service=\"".to_vec(),
            b"Docker-Content-Digest: ".to_vec(),
            digest.clone().into_bytes(),
            b"Location: /x".to_vec(),
            b"Content-Length: 3".to_vec(),
            b"Transfer-Encoding: chunked".to_vec(),
            b"{\"token\":\"t\",\"schemaVersion\":2}".to_vec(),
            b"\"".to_vec(),
            b",".to_vec(),
            vec![0xff, 0x00, 0x80],
        ];
        let mut seed = 0x5eedu64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..150 {
            let mut bytes = b"HTTP/1.1 ".to_vec();
            for _ in 0..(next() % 12) {
                bytes.extend_from_slice(&pieces[next() % pieces.len()]);
            }
            cases.push(bytes);
        }
        let started = Instant::now();
        for bytes in cases {
            *server.response.lock().unwrap() = bytes.clone();
            let mut r = Resolver::with_cache_ttl(config.clone(), Duration::ZERO);
            let result = r.resolve(&image);
            if let Ok(ok) = &result {
                assert!(is_valid_digest(&ok.digest), "{:?}", String::from_utf8_lossy(&bytes));
            }
            if let Err(e) = &result {
                let text = e.to_string();
                assert!(!text.contains('\u{1b}') && !text.contains('\n'), "{text:?}");
            }
            assert!(
                r.requests_sent() <= 2 * (MAX_REDIRECTS + 1) + 1,
                "{}",
                r.requests_sent()
            );
        }
        assert!(started.elapsed() < Duration::from_secs(60));
    }

    #[test]
    fn specific_answers_give_specific_errors() {
        let (server, _, config, image) = Canned::setup();
        let run = |bytes: &[u8]| {
            *server.response.lock().unwrap() = bytes.to_vec();
            Resolver::new(config.clone()).resolve(&image)
        };
        let e = run(b"HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:nothex\r\n\r\n").unwrap_err();
        assert!(matches!(e, RegistryError::InvalidDigest { .. }), "{e}");
        let e = run(b"HTTP/1.1 429 Too Many\r\nRetry-After: 17\r\n\r\n").unwrap_err();
        assert_eq!(
            e,
            RegistryError::RateLimited {
                host: format!("127.0.0.1:{}", server.port),
                retry_after: Some("17 s".into())
            }
        );
        let e = run(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n").unwrap_err();
        assert!(matches!(e, RegistryError::Denied { status: 401, .. }), "{e}");
        let e = run(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").unwrap_err();
        assert!(e.to_string().starts_with("tag not found"), "{e}");
        // A realm over plain http to a host that is not allowed is refused before contacting it.
        let e = run(b"HTTP/1.1 401 U\r\nWWW-Authenticate: Bearer realm=\"http://10.0.0.1/token\"\r\n\r\n").unwrap_err();
        assert_eq!(
            e,
            RegistryError::InsecureUrl {
                url: "http://10.0.0.1/token?scope=repository%3Alibrary%2Falpine%3Apull".into()
            }
        );
        // A redirect to plain http elsewhere is refused.
        let e = run(b"HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/x\r\n\r\n").unwrap_err();
        assert!(matches!(e, RegistryError::InsecureUrl { .. }), "{e}");
        // A redirect loop ends.
        let e = run(b"HTTP/1.1 302 Found\r\nLocation: /v2/again\r\n\r\n").unwrap_err();
        assert!(e.to_string().contains("redirects"), "{e}");
        // HEAD without a digest, then GET of something that is not a manifest.
        let e = run(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\n\r\n<html>").unwrap_err();
        assert!(e.to_string().contains("not JSON"), "{e}");
        // HEAD without a digest, then GET of a manifest without the header: sha256 of the body.
        let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#;
        let mut reply = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        reply.extend_from_slice(body);
        let ok = run(&reply).unwrap();
        assert_eq!(ok.digest, format!("sha256:{}", sha256_hex(body)));
        assert_eq!(
            ok.media_type.as_deref(),
            Some("application/vnd.oci.image.manifest.v1+json")
        );
        // A manifest over the 4 MiB bound is refused.
        let e =
            run(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", MANIFEST_LIMIT + 1).as_bytes()).unwrap_err();
        assert!(
            matches!(e, RegistryError::TooLarge { .. } | RegistryError::Protocol { .. }),
            "{e}"
        );
    }
}
