//! Image tags read as versions, variants and release cycles, against the supported tags of the Docker
//! Official Images and the release cycles of endoflife.date (both from [`crate::data`]).
//!
//! A tag is a list of `-`-separated words ([`Tag::parse`]):
//!
//! - a **version** at the start: dotted numbers (`3.12.4`, `22`, `24.04`), with a build number kept as a
//!   further component (`11.0.32_9`, `8u462-b08`) and a pre-release suffix noted (`3.15.0rc1`, `19beta3`);
//! - **pre-release** words (`rc`, `beta`, `ea`, `rc1`, the number after `ea`) and **date** words
//!   (`20260805`, `noble-20260810`, `resolute-20260811.1`), which make a tag a pre-release or a dated
//!   snapshot: neither is a tag one keeps following;
//! - **cycle** words that name a release cycle: Debian and Ubuntu codenames (`bookworm`, `jammy`, from the
//!   codenames endoflife.date gives), Alpine versions (`alpine3.19`, `alpine-3.21`), `debian-11` and
//!   `ubuntu-22.04` as vendor images write them, Node.js codenames on node images ([`NODE_CODENAMES`]:
//!   endoflife.date has none for Node.js), and the image's own cycle names (`ros:noetic`);
//! - **alias** words that move ([`ALIASES`]: `latest`, `lts`, `current`, `stable`, `mainline`, ...);
//! - every other word is a **variant** word compared as text (`slim`, `alpine`, `jdk`, `windowsservercore`).
//!
//! On these, [`cycles`] finds the release cycles a tag names, [`pin`] the most specific version tag a moving
//! tag stands for, [`nearest_supported`] the nearest tag whose cycles are all supported, and
//! [`maintained_tag`] the maintained tag of a line whose tag is frozen.
//!
//! The official-images snapshot lists tags but not which tags share an image, so aliases are inferred:
//! `latest` stands for the highest stable plain version tag, except on [`LATEST_IS_NEWEST_LTS`] images
//! (ubuntu) and on [`LATEST_UNKNOWN`] images, where nothing is inferred.

use crate::data::{self, Date, OfficialImage, Product, Release};
use crate::memo::Memo;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// Node.js release codenames (endoflife.date gives none for Node.js): the tags `node:jod`, `node:lts-krypton`.
pub const NODE_CODENAMES: [(&str, &str); 11] = [
    ("argon", "4"),
    ("boron", "6"),
    ("carbon", "8"),
    ("dubnium", "10"),
    ("erbium", "12"),
    ("fermium", "14"),
    ("gallium", "16"),
    ("hydrogen", "18"),
    ("iron", "20"),
    ("jod", "22"),
    ("krypton", "24"),
];

/// Words that name a moving target rather than a version.
pub const ALIASES: [&str; 17] = [
    "latest",
    "lts",
    "current",
    "stable",
    "mainline",
    "edge",
    "rolling",
    "devel",
    "tip",
    "innovation",
    "oldstable",
    "oldoldstable",
    "testing",
    "unstable",
    "sid",
    "experimental",
    "nightly",
];

/// Images whose `latest` is the newest LTS cycle rather than the highest version.
pub const LATEST_IS_NEWEST_LTS: [&str; 1] = ["ubuntu"];

/// Images whose `latest` cannot be inferred from the tag list: the Java distributions tag `latest` on an
/// LTS line chosen by their maintainers, not on the highest version.
pub const LATEST_UNKNOWN: [&str; 7] = [
    "amazoncorretto",
    "azul-zulu",
    "eclipse-temurin",
    "ibm-semeru-runtimes",
    "ibmjava",
    "openjdk",
    "sapmachine",
];

/// How a cycle word is written, so that a replacement keeps the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// A codename or a cycle name: `bookworm`, `jod`, `noetic`.
    Codename,
    /// A distribution name joined to its version: `alpine3.19`.
    Joined,
    /// A distribution name, a dash and its version: `alpine-3.21`, `debian-11`.
    Dashed,
}

/// What a word of a tag is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordKind {
    /// Names a release cycle of an endoflife.date product.
    Cycle {
        product: &'static str,
        cycle: &'static str,
        form: Form,
    },
    /// A moving target ([`ALIASES`]).
    Alias,
    /// Anything else: compared as text.
    Variant,
}

/// A word of a tag (after the version), with its byte span in the tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'t> {
    pub text: &'t str,
    pub span: (usize, usize),
    pub kind: WordKind,
}

/// The version at the start of a tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Numeric components, a build number last when there is one (`11.0.32_9` gives 11, 0, 32, 9).
    pub parts: Vec<u64>,
    /// Whether a build number (`_9`, `u462`, `-b08`) is among the parts.
    pub build: bool,
    /// Byte span in the tag.
    pub span: (usize, usize),
}

/// A tag read as version, words, pre-release and date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag<'t> {
    pub text: &'t str,
    pub version: Option<Version>,
    /// The words after the version (all words when there is none), without pre-release and date words.
    pub words: Vec<Word<'t>>,
    /// A pre-release: `rc`, `beta`, `alpha`, `ea`, `3.15.0a5`, `1.26rc2`.
    pub prerelease: bool,
    /// A dated snapshot: `20260805`, `jammy-20260810`.
    pub dated: bool,
}

/// One release cycle a tag names, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleRef {
    pub product: &'static Product,
    pub release: Release,
    /// Byte span in the tag of the words that name it (the whole version for the image's own product).
    pub span: (usize, usize),
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `20260805` or `20260811.1`: a date stamp.
fn is_date_word(s: &str) -> bool {
    let head = s
        .split_once('.')
        .map_or(s, |(h, rest)| if is_digits(rest) { h } else { "" });
    head.len() == 8 && is_digits(head) && (head.starts_with("19") || head.starts_with("20"))
}

fn is_prerelease_word(s: &str) -> bool {
    let stem = s.trim_end_matches(|c: char| c.is_ascii_digit());
    matches!(stem, "rc" | "beta" | "alpha" | "ea" | "preview" | "dev")
}

/// Dotted numbers: `3.12` gives 3, 12. Empty components or non-digits give None.
fn dotted(s: &str) -> Option<Vec<u64>> {
    s.split('.')
        .map(|p| if is_digits(p) { p.parse().ok() } else { None })
        .collect()
}

/// Splits a version word into its dotted numbers and what follows them.
fn split_version(word: &str) -> Option<(Vec<u64>, &str)> {
    let mut end = 0;
    let b = word.as_bytes();
    while end < b.len()
        && (b[end].is_ascii_digit() || (b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_digit()))
    {
        end += 1;
    }
    let parts = dotted(&word[..end])?;
    Some((parts, &word[end..]))
}

fn node_cycle(word: &str) -> Option<&'static str> {
    NODE_CODENAMES.iter().find(|(n, _)| *n == word).map(|&(_, c)| c)
}

/// The endoflife.date release a `(product, cycle)` pair names.
fn release(product: &str, cycle: &str) -> Option<(&'static Product, Release)> {
    let p = data::product(product)?;
    Some((p, p.release(cycle)?))
}

/// A distribution codename (`bookworm`, `jammy`): Debian first, then Ubuntu.
fn distro_codename(word: &str) -> Option<(&'static str, &'static str)> {
    if word.len() < 3 || ALIASES.contains(&word) {
        return None;
    }
    // Every tag word of every parsed tag asks this, so the codenames are indexed once: the lower-case
    // codename and its first word, the first release that has it winning (Debian before Ubuntu, newest
    // first), as [`Product::release_by_codename`] would answer.
    static INDEX: LazyLock<HashMap<String, (&'static str, &'static str)>> = LazyLock::new(|| {
        let mut index = HashMap::new();
        for id in ["debian", "ubuntu"] {
            let Some(p) = data::product(id) else { continue };
            for r in p.releases() {
                let Some(c) = r.codename else { continue };
                for key in [c, c.split(' ').next().unwrap_or(c)] {
                    if !key.is_empty() {
                        index.entry(key.to_ascii_lowercase()).or_insert((id, r.cycle));
                    }
                }
            }
        }
        index
    });
    if word.bytes().any(|b| b.is_ascii_uppercase()) {
        INDEX.get(&word.to_ascii_lowercase()).copied()
    } else {
        INDEX.get(word).copied()
    }
}

/// The product and cycle of `name` + version (`alpine` + `3.19`).
fn distro_version(name: &str, version: &str) -> Option<(&'static str, &'static str)> {
    let id = match name {
        "alpine" => "alpine-linux",
        "debian" => "debian",
        "ubuntu" => "ubuntu",
        _ => return None,
    };
    let r = data::product(id)?.release(version)?;
    Some((id, r.cycle))
}

/// `alpine3.19` gives `("alpine", "3.19")`.
fn joined_distro(word: &str) -> Option<(&'static str, &'static str)> {
    let digits = word.find(|c: char| c.is_ascii_digit())?;
    let (name, version) = word.split_at(digits);
    if name != "alpine" || dotted(version).is_none() {
        return None;
    }
    distro_version(name, version)
}

impl<'t> Tag<'t> {
    /// Reads `tag` of `repository` (a repository name as [`data::products_for_image`] takes it: it decides
    /// whether `jod` is a Node.js codename and whether `noetic` is a ROS cycle). Never fails: words it
    /// does not know are variant words.
    pub fn parse(repository: &str, tag: &'t str) -> Tag<'t> {
        let own: Vec<&'static Product> = data::products_for_image(repository).collect();
        let is_node = own.iter().any(|p| p.id == "nodejs");
        let mut raw: Vec<(&'t str, (usize, usize))> = Vec::new();
        let mut start = 0;
        for w in tag.split('-') {
            raw.push((w, (start, start + w.len())));
            start += w.len() + 1;
        }
        let mut out = Tag {
            text: tag,
            version: None,
            words: Vec::new(),
            prerelease: false,
            dated: false,
        };
        let mut i = 0;
        // The version word.
        if let Some(&(first, span)) = raw.first()
            && first.starts_with(|c: char| c.is_ascii_digit())
        {
            if is_date_word(first) {
                out.dated = true;
                i = 1;
            } else if let Some((mut parts, rest)) = split_version(first) {
                let mut build = false;
                let mut end = span.1;
                let ok = if rest.is_empty() {
                    true
                } else if let Some(n) = rest.strip_prefix('_').or_else(|| rest.strip_prefix('u'))
                    && is_digits(n)
                {
                    parts.push(n.parse().unwrap_or(0));
                    build = true;
                    // Java 8: `8u462-b08`.
                    if rest.starts_with('u')
                        && let Some(&(next, nspan)) = raw.get(1)
                        && let Some(b) = next.strip_prefix('b')
                        && is_digits(b)
                    {
                        parts.push(b.parse().unwrap_or(0));
                        end = nspan.1;
                        i = 1;
                    }
                    true
                } else if is_prerelease_word(rest)
                    || matches!(rest.trim_end_matches(|c: char| c.is_ascii_digit()), "a" | "b")
                {
                    out.prerelease = true;
                    true
                } else {
                    false
                };
                if ok {
                    out.version = Some(Version {
                        parts,
                        build,
                        span: (span.0, end),
                    });
                    i += 1;
                }
            }
        }
        let mut after_prerelease = false;
        while i < raw.len() {
            let (w, span) = raw[i];
            i += 1;
            if is_date_word(w) {
                out.dated = true;
                continue;
            }
            if is_prerelease_word(w) || (after_prerelease && is_digits(w)) {
                out.prerelease = true;
                after_prerelease = true;
                continue;
            }
            after_prerelease = false;
            let first = out.version.is_none() && out.words.is_empty();
            let mut kind = WordKind::Variant;
            let mut span = span;
            if ALIASES.contains(&w) {
                kind = WordKind::Alias;
            } else if is_node && let Some(c) = node_cycle(w) {
                kind = cycle_kind("nodejs", c, Form::Codename);
            } else if first
                && let Some((p, c)) = own.iter().find_map(|p| {
                    let r = p.release(w).or_else(|| p.release_by_codename(w))?;
                    Some((p.id, r.cycle))
                })
                && !w.starts_with(|c: char| c.is_ascii_digit())
            {
                kind = cycle_kind(p, c, Form::Codename);
            } else if let Some((p, c)) = distro_codename(w) {
                kind = cycle_kind(p, c, Form::Codename);
            } else if let Some((p, c)) = joined_distro(w) {
                kind = cycle_kind(p, c, Form::Joined);
            } else if let Some(&(next, nspan)) = raw.get(i)
                && let Some((p, c)) = distro_version(w, next)
            {
                kind = cycle_kind(p, c, Form::Dashed);
                span = (span.0, nspan.1);
                i += 1;
            }
            out.words.push(Word {
                text: &tag[span.0..span.1],
                span,
                kind,
            });
        }
        out
    }

    /// A tag one can follow: neither a pre-release nor a dated snapshot.
    pub fn is_stable(&self) -> bool {
        !self.prerelease && !self.dated
    }

    /// Whether `other` has the same form: version with as many components (and a build number alike),
    /// the same variant and alias words, and cycle words of the same products in the same forms.
    pub fn same_shape(&self, other: &Tag) -> bool {
        let v = |t: &Tag| t.version.as_ref().map(|v| (v.parts.len(), v.build));
        v(self) == v(other)
            && self.words.len() == other.words.len()
            && self
                .words
                .iter()
                .zip(&other.words)
                .all(|(a, b)| match (a.kind, b.kind) {
                    (
                        WordKind::Cycle {
                            product: p, form: f, ..
                        },
                        WordKind::Cycle {
                            product: q, form: g, ..
                        },
                    ) => p == q && f == g,
                    (WordKind::Cycle { .. }, _) | (_, WordKind::Cycle { .. }) => false,
                    _ => a.text == b.text,
                })
    }

    /// Whether the words after the version are the same text.
    fn same_words(&self, other: &Tag) -> bool {
        self.words.len() == other.words.len() && self.words.iter().zip(&other.words).all(|(a, b)| a.text == b.text)
    }

    fn parts(&self) -> &[u64] {
        self.version.as_ref().map_or(&[], |v| &v.parts)
    }
}

fn cycle_kind(product: &'static str, cycle: &'static str, form: Form) -> WordKind {
    WordKind::Cycle { product, cycle, form }
}

/// The longest cycle of `product` whose dotted numbers are a prefix of `parts` (`3.8` for 3.8.10, `22`
/// for 22.1.0, `18.04` for 18.04).
fn own_cycle(product: &'static Product, parts: &[u64]) -> Option<Release> {
    product
        .releases()
        .filter(|r| dotted(r.cycle).is_some_and(|c| c.len() <= parts.len() && parts.starts_with(&c)))
        .max_by_key(|r| r.cycle.split('.').count())
}

/// The release cycles `tag` of `repository` names, in tag order: the image's own product by version
/// (`node:16-alpine` gives Node.js 16, `python:3.8-buster` Python 3.8) or by codename (`node:gallium`,
/// `ubuntu:focal`, `ros:noetic`), and the distribution of the variant (`buster` gives Debian 10,
/// `alpine3.19` Alpine Linux 3.19, `jammy` Ubuntu 22.04). A version that matches no cycle (`python:3`)
/// names none. Each cycle appears once.
pub fn cycles(repository: &str, tag: &str) -> Vec<CycleRef> {
    static MEMO: Memo<(String, String), Vec<CycleRef>> = Memo::new(4096);
    MEMO.get_or(&(repository.to_string(), tag.to_string()), || {
        cycles_of(repository, &Tag::parse(repository, tag))
    })
}

fn cycles_of(repository: &str, t: &Tag) -> Vec<CycleRef> {
    let mut out: Vec<CycleRef> = Vec::new();
    if let Some(v) = &t.version {
        for product in data::products_for_image(repository) {
            if let Some(release) = own_cycle(product, &v.parts) {
                out.push(CycleRef {
                    product,
                    release,
                    span: v.span,
                });
            }
        }
    }
    for w in &t.words {
        if let WordKind::Cycle { product, cycle, .. } = w.kind
            && let Some((product, release)) = release(product, cycle)
            && !out
                .iter()
                .any(|c| c.product.id == product.id && c.release.cycle == release.cycle)
        {
            out.push(CycleRef {
                product,
                release,
                span: w.span,
            });
        }
    }
    out
}

/// The release of `product` that is the newest not at end of life on `today` (endoflife.date lists
/// releases newest first).
pub fn newest_supported_release(product: &Product, today: Date) -> Option<Release> {
    product.releases().find(|r| r.release_date <= today && !r.is_eol(today))
}

/// The most specific stable version tag that `tag` (or `latest` when there is none) stands for, inferred
/// from the supported tags: `latest` gives the highest stable plain version (`node` gives `26.7.0`), a
/// version prefix its highest version with the same variant words (`22-alpine` gives `22.23.2-alpine`),
/// a codename its cycle (`node:jod`, `debian:bookworm-slim`), `lts` on node the newest LTS cycle on the
/// snapshot date, `latest` on ubuntu the newest LTS. Pre-releases and dated snapshots are never chosen.
/// None when `tag` is not a supported tag, or is an alias this module cannot follow (`stable`, `edge`).
pub fn pin(image: OfficialImage, tag: Option<&str>) -> Option<&'static str> {
    let name = image.name();
    let written = tag.unwrap_or("latest");
    if !image.has_tag(written) {
        return None;
    }
    let w = Tag::parse(name, written);
    if !w.is_stable() {
        return None;
    }
    let snapshot = data::official_images_snapshot().date;
    let (prefix, skip): (Vec<u64>, usize) = match (&w.version, w.words.first()) {
        (Some(v), _) => (v.parts.clone(), 0),
        (None, None) => return None,
        (None, Some(first)) => match (first.text, first.kind) {
            ("latest" | "current", _) if first.text == "latest" || name == "node" => {
                if LATEST_UNKNOWN.contains(&name) {
                    return None;
                }
                if LATEST_IS_NEWEST_LTS.contains(&name) {
                    let p = data::product_for_image(name)?;
                    let r = p
                        .releases()
                        .find(|r| r.lts.is_lts(snapshot) && r.release_date <= snapshot && !r.is_eol(snapshot))?;
                    (dotted(r.cycle)?, 1)
                } else {
                    (Vec::new(), 1)
                }
            }
            ("lts", _) if name == "node" => match w.words.get(1).map(|x| x.kind) {
                Some(WordKind::Cycle { cycle, .. }) => (dotted(cycle)?, 2),
                _ => {
                    let p = data::product("nodejs")?;
                    let r = p
                        .releases()
                        .find(|r| r.lts.is_lts(snapshot) && r.release_date <= snapshot)?;
                    (dotted(r.cycle)?, 1)
                }
            },
            (_, WordKind::Alias) => return None,
            (_, WordKind::Cycle { product, cycle, .. }) if data::products_for_image(name).any(|p| p.id == product) => {
                (dotted(cycle)?, 1)
            }
            // `slim`, `alpine`, `bookworm` on python: the latest version with these words.
            _ => {
                if LATEST_UNKNOWN.contains(&name) || LATEST_IS_NEWEST_LTS.contains(&name) {
                    return None;
                }
                (Vec::new(), 0)
            }
        },
    };
    let words: Vec<&str> = w.words[skip..].iter().map(|x| x.text).collect();
    image
        .tags()
        .filter_map(|t| {
            let c = Tag::parse(name, t);
            let parts = c.parts();
            (c.is_stable()
                && c.version.is_some()
                && parts.starts_with(&prefix)
                && c.words.iter().map(|x| x.text).eq(words.iter().copied()))
            .then(|| (parts.to_vec(), t))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, t)| t)
}

/// The nearest supported tag for `tag` of an official image: every cycle it names is supported until
/// `horizon` (at end of life after it), each cycle is the same as or newer than the written one (the
/// nearest first, the image's own product before the distribution), the form is the same (as many version
/// components, the same variant words, a codename for a codename: `16-alpine` gives `22-alpine`,
/// `3.8-slim-buster` gives `3.11-slim-trixie`), and the version is the highest of its cycle and never
/// lower than the written one. None when no tag qualifies, or `tag` is a pre-release or a dated snapshot.
pub fn nearest_supported(image: OfficialImage, tag: &str, horizon: Date) -> Option<&'static str> {
    static MEMO: Memo<(&'static str, String, Date), Option<&'static str>> = Memo::new(4096);
    MEMO.get_or(&(image.name(), tag.to_string(), horizon), || {
        nearest_supported_uncached(image, tag, horizon)
    })
}

/// The supported tags of `image`, each parsed once per process: [`nearest_supported`] and
/// [`maintained_tag`] compare a written tag with all of them, and a corpus has many distinct tags.
fn parsed_tags(image: OfficialImage) -> Arc<[(Tag<'static>, &'static str)]> {
    static MEMO: Memo<&'static str, Arc<[(Tag<'static>, &'static str)]>> = Memo::new(1024);
    let name = image.name();
    MEMO.get_or(&name, || image.tags().map(|t| (Tag::parse(name, t), t)).collect())
}

fn nearest_supported_uncached(image: OfficialImage, tag: &str, horizon: Date) -> Option<&'static str> {
    let name = image.name();
    let w = Tag::parse(name, tag);
    if !w.is_stable() {
        return None;
    }
    let w_own = own_release(name, &w);
    let mut best: Option<(Vec<Date>, Vec<u64>, &'static str)> = None;
    for (c, t) in parsed_tags(image).iter() {
        let t = *t;
        if t == tag {
            continue;
        }
        if !c.is_stable() || !w.same_shape(c) || c.parts() < w.parts() {
            continue;
        }
        // The order of preference: the own cycle's release date, then each cycle word's.
        let mut key: Vec<Date> = Vec::new();
        match (&w_own, own_release(name, c)) {
            (Some(a), Some(b)) => {
                if b.release_date < a.release_date {
                    continue;
                }
                key.push(b.release_date);
            }
            (None, None) if c.parts() == w.parts() => {}
            _ => continue,
        }
        let mut ok = true;
        for (a, b) in w.words.iter().zip(&c.words) {
            if let (WordKind::Cycle { product, cycle: ca, .. }, WordKind::Cycle { cycle: cb, .. }) = (a.kind, b.kind) {
                match (release(product, ca), release(product, cb)) {
                    (Some((_, ra)), Some((_, rb))) if rb.release_date >= ra.release_date => key.push(rb.release_date),
                    _ => ok = false,
                }
            }
        }
        if !ok || cycles_of(name, c).iter().any(|x| x.release.is_eol(horizon)) {
            continue;
        }
        let better = match &best {
            None => true,
            Some((k, v, _)) => key < *k || (key == *k && c.parts() > v.as_slice()),
        };
        if better {
            best = Some((key, c.parts().to_vec(), t));
        }
    }
    best.map(|(_, _, t)| t)
}

fn own_release(repository: &str, t: &Tag) -> Option<Release> {
    let v = t.version.as_ref()?;
    data::products_for_image(repository).find_map(|p| own_cycle(p, &v.parts))
}

/// When `tag` is a version tag of an official image that is no longer supported although its line still
/// is (`node:22.1.0`), the maintained tag of that line with the same form (`22.23.2`). The line is the
/// longest proper prefix of the version that supported tags with the same words and as many components
/// still have. None when `tag` is supported, is not a stable version tag, matches no line, or is newer
/// than every tag of its line (probably newer than the snapshot).
pub fn maintained_tag(image: OfficialImage, tag: &str) -> Option<&'static str> {
    static MEMO: Memo<(&'static str, String), Option<&'static str>> = Memo::new(4096);
    MEMO.get_or(&(image.name(), tag.to_string()), || maintained_tag_uncached(image, tag))
}

fn maintained_tag_uncached(image: OfficialImage, tag: &str) -> Option<&'static str> {
    if image.has_tag(tag) {
        return None;
    }
    let name = image.name();
    let w = Tag::parse(name, tag);
    let v = w.version.as_ref()?;
    if !w.is_stable() || v.parts.len() < 2 {
        return None;
    }
    let parsed = parsed_tags(image);
    for k in (1..v.parts.len()).rev() {
        let line = &v.parts[..k];
        let best = parsed
            .iter()
            .filter(|(c, _)| {
                c.is_stable()
                    && c.version
                        .as_ref()
                        .is_some_and(|cv| cv.parts.len() == v.parts.len() && cv.build == v.build)
                    && c.parts().starts_with(line)
                    && w.same_words(c)
            })
            .max_by(|a, b| a.0.parts().cmp(b.0.parts()));
        if let Some((c, t)) = best {
            return (c.parts() > v.parts.as_slice()).then_some(*t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(name: &str) -> OfficialImage {
        data::official_image(name).expect("official image")
    }

    fn names(repository: &str, tag: &str) -> Vec<(String, &'static str, String)> {
        cycles(repository, tag)
            .into_iter()
            .map(|c| {
                (
                    c.product.id.to_string(),
                    c.release.cycle,
                    tag[c.span.0..c.span.1].to_string(),
                )
            })
            .collect()
    }

    fn c(product: &str, cycle: &'static str, text: &str) -> (String, &'static str, String) {
        (product.to_string(), cycle, text.to_string())
    }

    #[test]
    fn parses_versions_words_prereleases_and_dates() {
        let t = Tag::parse("python", "3.12.4-slim-bookworm");
        assert_eq!(t.version.as_ref().map(|v| v.parts.clone()), Some(vec![3, 12, 4]));
        assert_eq!(t.words.iter().map(|w| w.text).collect::<Vec<_>>(), ["slim", "bookworm"]);
        assert_eq!(t.words[0].kind, WordKind::Variant);
        assert!(matches!(
            t.words[1].kind,
            WordKind::Cycle {
                product: "debian",
                cycle: "12",
                form: Form::Codename
            }
        ));
        assert!(t.is_stable());
        for pre in [
            "3.15.0rc1-slim",
            "3.15-rc-alpine",
            "19beta3-alpine",
            "3.15.0a5",
            "1.26rc2",
            "28-ea-11-jdk",
            "27-rc",
        ] {
            assert!(Tag::parse("python", pre).prerelease, "{pre}");
        }
        for dated in [
            "20260805",
            "jammy-20260810",
            "resolute-20260811.1",
            "tip-20260815-alpine",
            "bookworm-20260803-slim",
        ] {
            assert!(Tag::parse("ubuntu", dated).dated, "{dated}");
        }
        let t = Tag::parse("eclipse-temurin", "11.0.32_9-jdk-alpine-3.21");
        let v = t.version.as_ref().unwrap();
        assert_eq!((v.parts.clone(), v.build), (vec![11, 0, 32, 9], true));
        assert_eq!(t.words[1].text, "alpine-3.21");
        assert!(matches!(
            t.words[1].kind,
            WordKind::Cycle {
                product: "alpine-linux",
                cycle: "3.21",
                form: Form::Dashed
            }
        ));
        let t = Tag::parse("eclipse-temurin", "8u462-b08-jdk");
        assert_eq!(t.version.as_ref().unwrap().parts, vec![8, 462, 8]);
        assert_eq!(t.words.len(), 1);
        assert!(matches!(
            Tag::parse("node", "lts-krypton").words[1].kind,
            WordKind::Cycle {
                product: "nodejs",
                cycle: "24",
                ..
            }
        ));
        assert_eq!(Tag::parse("node", "lts-alpine").words[0].kind, WordKind::Alias);
        // `jod` means nothing on other images.
        assert_eq!(Tag::parse("python", "jod").words[0].kind, WordKind::Variant);
        // Words that are not versions.
        let t = Tag::parse("nginx", "1.31.4-alpine3.24-otel");
        assert!(matches!(
            t.words[0].kind,
            WordKind::Cycle {
                product: "alpine-linux",
                cycle: "3.24",
                form: Form::Joined
            }
        ));
        assert_eq!(t.words[1].kind, WordKind::Variant);
        assert_eq!(Tag::parse("busybox", "1.37.0-musl").words[0].kind, WordKind::Variant);
    }

    #[test]
    fn maps_tags_to_cycles() {
        assert_eq!(names("node", "16-alpine"), [c("nodejs", "16", "16")]);
        assert_eq!(
            names("node", "16.20.2-alpine3.19"),
            [c("nodejs", "16", "16.20.2"), c("alpine-linux", "3.19", "alpine3.19")]
        );
        assert_eq!(
            names("python", "3.8-buster"),
            [c("python", "3.8", "3.8"), c("debian", "10", "buster")]
        );
        assert_eq!(
            names("python", "3.8.10-slim-buster"),
            [c("python", "3.8", "3.8.10"), c("debian", "10", "buster")]
        );
        assert_eq!(names("ubuntu", "18.04"), [c("ubuntu", "18.04", "18.04")]);
        assert_eq!(names("ubuntu", "focal"), [c("ubuntu", "20.04", "focal")]);
        assert_eq!(names("debian", "buster-slim"), [c("debian", "10", "buster")]);
        assert_eq!(names("golang", "1.25"), [c("go", "1.25", "1.25")]);
        assert_eq!(
            names("golang", "1.25.3-alpine3.21"),
            [c("go", "1.25", "1.25.3"), c("alpine-linux", "3.21", "alpine3.21")]
        );
        assert_eq!(
            names("node", "gallium-bullseye-slim"),
            [c("nodejs", "16", "gallium"), c("debian", "11", "bullseye")]
        );
        assert_eq!(names("node", "lts-hydrogen"), [c("nodejs", "18", "hydrogen")]);
        assert_eq!(names("alpine", "3.19"), [c("alpine-linux", "3.19", "3.19")]);
        assert_eq!(names("alpine", "3.19.1"), [c("alpine-linux", "3.19", "3.19.1")]);
        assert_eq!(names("postgres", "9.6-alpine"), [c("postgresql", "9.6", "9.6")]);
        assert_eq!(
            names("postgres", "16.1-bookworm"),
            [c("postgresql", "16", "16.1"), c("debian", "12", "bookworm")]
        );
        assert_eq!(
            names("eclipse-temurin", "11-jdk-focal"),
            [c("eclipse-temurin", "11", "11"), c("ubuntu", "20.04", "focal")]
        );
        assert_eq!(
            names("eclipse-temurin", "21.0.2_13-jre-alpine-3.19"),
            [
                c("eclipse-temurin", "21", "21.0.2_13"),
                c("alpine-linux", "3.19", "alpine-3.19")
            ]
        );
        assert_eq!(
            names("php", "8.1-fpm-bullseye"),
            [c("php", "8.1", "8.1"), c("debian", "11", "bullseye")]
        );
        assert_eq!(names("ruby", "2.7-slim"), [c("ruby", "2.7", "2.7")]);
        assert_eq!(names("redis", "6.0.20-alpine"), [c("redis", "6.0", "6.0.20")]);
        assert_eq!(names("mysql", "8.0.36-debian"), [c("mysql", "8.0", "8.0.36")]);
        assert_eq!(
            names("ros", "noetic-ros-core-focal"),
            [c("ros", "noetic", "noetic"), c("ubuntu", "20.04", "focal")]
        );
        assert_eq!(
            names("bitnami/node", "16.20.2-debian-11-r0"),
            [c("nodejs", "16", "16.20.2"), c("debian", "11", "debian-11")]
        );
        // Versions that name no cycle, and images without a product.
        assert!(names("python", "3").is_empty());
        assert!(names("golang", "1-alpine").is_empty());
        assert!(names("busybox", "1.36.1").is_empty());
        assert_eq!(names("busybox", "1.36.1-glibc"), []);
        assert_eq!(names("myorg/app", "1.0-buster"), [c("debian", "10", "buster")]);
    }

    #[test]
    fn pins_moving_tags_to_the_most_specific_version() {
        let pin_of = |name: &str, tag: Option<&str>| pin(image(name), tag);
        assert_eq!(pin_of("node", None), Some("26.7.0"));
        assert_eq!(pin_of("node", Some("latest")), Some("26.7.0"));
        assert_eq!(pin_of("node", Some("22-alpine")), Some("22.23.2-alpine"));
        assert_eq!(pin_of("node", Some("22")), Some("22.23.2"));
        assert_eq!(pin_of("node", Some("lts")), Some("24.19.0"));
        assert_eq!(pin_of("node", Some("lts-alpine")), Some("24.19.0-alpine"));
        assert_eq!(pin_of("node", Some("lts-krypton")), Some("24.19.0"));
        assert_eq!(pin_of("node", Some("jod-bookworm-slim")), Some("22.23.2-bookworm-slim"));
        assert_eq!(pin_of("node", Some("current-alpine3.24")), Some("26.7.0-alpine3.24"));
        assert_eq!(pin_of("node", Some("alpine")), Some("26.7.0-alpine"));
        assert_eq!(pin_of("python", None), Some("3.14.7"), "3.15.0rc1 is a pre-release");
        assert_eq!(pin_of("python", Some("slim")), Some("3.14.7-slim"));
        assert_eq!(pin_of("python", Some("3-slim-trixie")), Some("3.14.7-slim-trixie"));
        assert_eq!(
            pin_of("python", Some("3.12-slim-bookworm")),
            Some("3.12.14-slim-bookworm")
        );
        assert_eq!(pin_of("golang", None), Some("1.27.0"));
        assert_eq!(pin_of("golang", Some("1.26-alpine")), Some("1.26.7-alpine"));
        assert_eq!(pin_of("postgres", None), Some("18.6"), "19beta3 is a pre-release");
        assert_eq!(pin_of("postgres", Some("16-alpine")), Some("16.15-alpine"));
        assert_eq!(pin_of("alpine", None), Some("3.24.1"), "20260805 is a dated snapshot");
        assert_eq!(
            pin_of("ubuntu", None),
            Some("26.04"),
            "ubuntu's latest is the newest LTS"
        );
        assert_eq!(pin_of("ubuntu", Some("jammy")), Some("22.04"));
        assert_eq!(pin_of("debian", None), Some("13.6"));
        assert_eq!(pin_of("debian", Some("bookworm-slim")), Some("12.15-slim"));
        assert_eq!(pin_of("nginx", None), Some("1.31.4"));
        assert_eq!(pin_of("nginx", Some("alpine-slim")), Some("1.31.4-alpine-slim"));
        assert_eq!(pin_of("redis", Some("8")), Some("8.10.1"), "8.10 is above 8.8");
        assert_eq!(pin_of("redis", None), Some("8.10.1"));
        assert_eq!(pin_of("php", Some("8.3-fpm-alpine")), Some("8.3.33-fpm-alpine"));
        assert_eq!(pin_of("ruby", Some("3.4-slim")), Some("3.4.10-slim"));
        assert_eq!(pin_of("httpd", None), Some("2.4.68"));
        assert_eq!(pin_of("mysql", Some("8.4")), Some("8.4.11"));
        assert_eq!(pin_of("eclipse-temurin", Some("21-jdk")), Some("21.0.12_8-jdk"));
        assert_eq!(
            pin_of("eclipse-temurin", Some("8-jdk-alpine")),
            Some("8u502-b07-jdk-alpine")
        );
        assert_eq!(pin_of("busybox", Some("musl")), Some("1.38.0-musl"));
        // Nothing inferred.
        assert_eq!(pin_of("eclipse-temurin", None), None, "temurin's latest is an LTS line");
        assert_eq!(pin_of("nginx", Some("stable")), None);
        assert_eq!(pin_of("debian", Some("testing")), None);
        assert_eq!(pin_of("node", Some("16-alpine")), None, "no longer a supported tag");
        assert_eq!(pin_of("ubuntu", Some("jammy-20260810")), None);
    }

    #[test]
    fn finds_the_nearest_supported_tag() {
        let today = Date::new(2026, 11, 28);
        let near = |name: &str, tag: &str| nearest_supported(image(name), tag, today);
        assert_eq!(near("node", "16-alpine"), Some("22-alpine"));
        assert_eq!(near("node", "16.20.2-alpine"), Some("22.23.2-alpine"));
        assert_eq!(near("node", "16.20-alpine"), Some("22.23-alpine"));
        assert_eq!(near("node", "16"), Some("22"));
        assert_eq!(near("node", "gallium-alpine"), Some("jod-alpine"));
        assert_eq!(
            near("node", "16-bullseye-slim"),
            Some("22-trixie-slim"),
            "bookworm ends 2026-07-11"
        );
        assert_eq!(
            near("node", "22-bookworm"),
            Some("22-trixie"),
            "keeps a supported version"
        );
        assert_eq!(near("node", "22.1.0-bookworm"), Some("22.23.2-trixie"));
        assert_eq!(near("node", "16.20.2-alpine3.19"), Some("22.23.2-alpine3.23"));
        assert_eq!(
            near("python", "3.8-slim-buster"),
            Some("3.11-slim-trixie"),
            "3.10 ends 2026-10-31"
        );
        assert_eq!(near("python", "3.8.10-buster"), Some("3.11.16-trixie"));
        assert_eq!(near("python", "3.8"), Some("3.11"));
        assert_eq!(near("python", "3-slim-bookworm"), Some("3-slim-trixie"));
        assert_eq!(near("golang", "1.25"), Some("1.26"));
        assert_eq!(near("golang", "1.25-alpine3.21"), Some("1.26-alpine3.23"));
        assert_eq!(near("ubuntu", "18.04"), Some("22.04"));
        assert_eq!(near("ubuntu", "focal"), Some("jammy"));
        assert_eq!(near("debian", "buster-slim"), Some("trixie-slim"));
        assert_eq!(near("debian", "10"), Some("13"));
        assert_eq!(near("alpine", "3.19"), Some("3.22"));
        assert_eq!(near("alpine", "3.19.1"), Some("3.22.5"));
        assert_eq!(near("postgres", "13-alpine"), Some("15-alpine"), "14 ends 2026-11-12");
        assert_eq!(near("php", "8.1-fpm-bullseye"), Some("8.2-fpm-trixie"));
        let in_90_days = Date::from_days_since_epoch(today.days_since_epoch() + 90);
        assert_eq!(
            nearest_supported(image("php"), "8.1-fpm-bullseye", in_90_days),
            Some("8.3-fpm-trixie"),
            "8.2 ends within 90 days"
        );
        assert_eq!(near("ruby", "2.7-slim"), Some("3.3-slim"));
        assert_eq!(near("eclipse-temurin", "11-jdk-focal"), Some("11-jdk-jammy"));
        assert_eq!(near("redis", "6.0-alpine"), Some("6.2-alpine"));
        // No candidate.
        assert_eq!(near("python", "3.15.0rc1"), None);
        assert_eq!(near("node", "16-stretch-weird"), None);
    }

    #[test]
    fn finds_the_maintained_tag_of_a_frozen_line() {
        let kept = |name: &str, tag: &str| maintained_tag(image(name), tag);
        assert_eq!(kept("node", "22.1.0"), Some("22.23.2"));
        assert_eq!(kept("node", "22.1.0-alpine"), Some("22.23.2-alpine"));
        assert_eq!(kept("node", "22.1-alpine"), Some("22.23-alpine"));
        assert_eq!(kept("python", "3.12.1-slim"), Some("3.12.14-slim"));
        assert_eq!(kept("python", "3.12.1-slim-bookworm"), Some("3.12.14-slim-bookworm"));
        assert_eq!(kept("postgres", "16.1"), Some("16.15"));
        assert_eq!(kept("nginx", "1.30.0-alpine"), Some("1.30.4-alpine"));
        assert_eq!(kept("redis", "7.2.4-alpine"), Some("7.2.16-alpine"));
        assert_eq!(kept("busybox", "1.36.1"), Some("1.38.0"));
        // Supported, newer than the snapshot, unknown lines, not versions.
        assert_eq!(kept("node", "22.23.2"), None);
        assert_eq!(kept("node", "22.24.0"), None);
        assert_eq!(kept("node", "22"), None);
        assert_eq!(kept("node", "22.1.0-alpine3.19"), None);
        assert_eq!(kept("python", "3.15.0rc2"), None);
        assert_eq!(kept("ubuntu", "jammy-20240101"), None);
    }
}
