//! Facts embedded at build time: Docker Official Images and their tags, release cycles and end-of-life dates.
//!
//! Two dated snapshots live in `server/data/` (see the `README.md` there for their sources, licences and
//! how to refresh them). The build script turns them into static tables, so nothing is parsed at run time:
//! lookups are binary searches over sorted `'static` data (or short scans of one product's releases), with
//! no allocation, no IO and no clock.
//!
//! - [`official_image`], [`is_official`], [`official_images`]: every Docker Official Image
//!   (`docker.io/library/NAME`) and the tags it was building on the snapshot date. A tag that is absent was
//!   not maintained on that date: it never existed or it is no longer updated.
//! - [`products`], [`product`], [`products_for_image`]: endoflife.date products with their release cycles
//!   and end-of-life dates, and the Docker repositories each product ships as.
//! - [`official_images_snapshot`], [`eol_snapshot`]: where each table comes from, and its date.
//!
//! Repository names are compared after [`normalize_repository`]: a Docker Hub host (`docker.io`,
//! `index.docker.io`, `registry-1.docker.io`, `registry.hub.docker.com`) and then a `library/` prefix are
//! removed, so `node`, `library/node` and `docker.io/library/node` are the same repository, while
//! `bitnami/node` and `ghcr.io/library/node` are not official images. Names are taken without tag or digest.
//!
//! Dates are [`crate::date::Date`], the same type as the engine's "today", which callers supply: this module
//! never reads a clock.

use std::fmt;

include!(concat!(env!("OUT_DIR"), "/data.rs"));

/// Dates in the tables, and the engine's "today", are [`crate::date::Date`]s; re-exported for convenience.
pub use crate::date::Date;

/// Decodes a `yyyymmdd` number from the generated tables (the build script has checked the date).
const fn date_at(packed: u32) -> Date {
    Date::new(
        (packed / 10_000) as u16,
        (packed / 100 % 100) as u8,
        (packed % 100) as u8,
    )
}

// ---------------------------------------------------------------------------------------------------------
// Snapshots

/// Where an embedded table comes from: the upstream repository, the commit it was read at, and that
/// commit's date.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Snapshot {
    /// `owner/name` of the GitHub repository, e.g. `docker-library/official-images`.
    pub source: &'static str,
    /// The full commit hash.
    pub commit: &'static str,
    pub date: Date,
}

impl fmt::Display for Snapshot {
    /// The date, `YYYY-MM-DD`, as `dockward --version` shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.date, f)
    }
}

/// The Docker Official Images snapshot (docker-library/official-images).
pub fn official_images_snapshot() -> Snapshot {
    OFFICIAL_IMAGES_SNAPSHOT
}

/// The release-cycle snapshot (endoflife-date/endoflife.date).
pub fn eol_snapshot() -> Snapshot {
    EOL_SNAPSHOT
}

// ---------------------------------------------------------------------------------------------------------
// Repository names

const DOCKER_HUB_HOSTS: [&str; 4] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// The key under which a repository is looked up: a leading Docker Hub host, then a leading `library/`,
/// are removed (`docker.io/library/node`, `library/node` and `node` all give `node`;
/// `docker.io/bitnami/node` gives `bitnami/node`). Other registries are kept (`ghcr.io/library/node` stays
/// as it is). The host is compared case-insensitively; the rest must already be lowercase, as Docker
/// requires. The input is a repository without tag or digest.
pub fn normalize_repository(repository: &str) -> &str {
    let mut rest = repository;
    if let Some((host, path)) = rest.split_once('/')
        && DOCKER_HUB_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host))
    {
        rest = path;
    }
    rest.strip_prefix("library/").unwrap_or(rest)
}

// ---------------------------------------------------------------------------------------------------------
// Official images

/// A Docker Official Image and the tags it was building on the snapshot date.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct OfficialImage {
    name: &'static str,
    first: u32,
    end: u32,
}

impl OfficialImage {
    /// The short name (`node`), as in `docker.io/library/node`.
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The supported tags, sorted by byte order (so `"10"` comes before `"9"`). Empty for a deprecated
    /// image whose library file no longer lists any tag (`clefos`, `notary`, ...).
    pub fn tags(self) -> Tags {
        Tags {
            next: self.first as usize,
            end: self.end as usize,
        }
    }

    /// Whether `tag` (exact, case-sensitive) was supported on the snapshot date. A binary search.
    pub fn has_tag(self, tag: &str) -> bool {
        let (mut low, mut high) = (self.first as usize, self.end as usize);
        while low < high {
            let middle = low + (high - low) / 2;
            match string_at(middle).cmp(tag) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

/// The tags of an [`OfficialImage`], in sorted order.
#[derive(Clone, Debug)]
pub struct Tags {
    next: usize,
    end: usize,
}

impl Iterator for Tags {
    type Item = &'static str;

    fn next(&mut self) -> Option<&'static str> {
        (self.next < self.end).then(|| {
            self.next += 1;
            string_at(self.next - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.end - self.next, Some(self.end - self.next))
    }

    fn nth(&mut self, n: usize) -> Option<&'static str> {
        self.next = self.next.saturating_add(n).min(self.end);
        self.next()
    }
}

impl DoubleEndedIterator for Tags {
    fn next_back(&mut self) -> Option<&'static str> {
        (self.next < self.end).then(|| {
            self.end -= 1;
            string_at(self.end)
        })
    }
}

impl ExactSizeIterator for Tags {}

impl std::iter::FusedIterator for Tags {}

/// String `index` of the generated pool (see `server/build/data.rs`); string 0 is `""`.
fn string_at(index: usize) -> &'static str {
    &STRINGS[STRING_OFFSETS[index] as usize..STRING_OFFSETS[index + 1] as usize]
}

fn image_at(index: usize) -> OfficialImage {
    let (name, first, end) = OFFICIAL_IMAGES[index];
    OfficialImage { name, first, end }
}

/// The official image named `repository` (after [`normalize_repository`]), if there is one.
pub fn official_image(repository: &str) -> Option<OfficialImage> {
    let name = normalize_repository(repository);
    OFFICIAL_IMAGES
        .binary_search_by(|&(n, _, _)| n.cmp(name))
        .ok()
        .map(image_at)
}

/// Whether `repository` (after [`normalize_repository`]) is a Docker Official Image.
pub fn is_official(repository: &str) -> bool {
    official_image(repository).is_some()
}

/// Every official image, sorted by name.
pub fn official_images() -> impl ExactSizeIterator<Item = OfficialImage> + DoubleEndedIterator + Clone {
    (0..OFFICIAL_IMAGES.len()).map(image_at)
}

// ---------------------------------------------------------------------------------------------------------
// Products and release cycles

/// A product tracked by endoflife.date that ships as at least one Docker image.
#[derive(PartialEq, Eq, Debug)]
pub struct Product {
    /// The endoflife.date identifier (`nodejs`, `alpine-linux`, `debian`, `go`, ...).
    pub id: &'static str,
    /// The display name (`Node.js`).
    pub title: &'static str,
    /// The Docker repositories it ships as, as endoflife.date spells them (`library/node`,
    /// `bitnami/node`, `linuxserver/wireshark?repository_url=lscr.io`), sorted.
    pub images: &'static [&'static str],
    first: u32,
    end: u32,
}

impl Product {
    /// Its release cycles, in endoflife.date's order (newest first).
    pub fn releases(&self) -> Releases {
        Releases {
            next: self.first as usize,
            end: self.end as usize,
        }
    }

    /// The release whose cycle is exactly `cycle` (`"3.12"`, `"22"`, `"12"`).
    pub fn release(&self, cycle: &str) -> Option<Release> {
        self.releases().find(|r| r.cycle == cycle)
    }

    /// The release whose codename, or the codename's first word, equals `name` ignoring ASCII case:
    /// `bookworm` finds Debian 12 ("Bookworm"), `jammy` finds Ubuntu 22.04 ("Jammy Jellyfish").
    pub fn release_by_codename(&self, name: &str) -> Option<Release> {
        if name.is_empty() {
            return None;
        }
        self.releases().find(|r| {
            r.codename.is_some_and(|c| {
                c.eq_ignore_ascii_case(name) || c.split(' ').next().is_some_and(|w| w.eq_ignore_ascii_case(name))
            })
        })
    }
}

/// The releases of a [`Product`], newest first.
#[derive(Clone, Debug)]
pub struct Releases {
    next: usize,
    end: usize,
}

impl Iterator for Releases {
    type Item = Release;

    fn next(&mut self) -> Option<Release> {
        (self.next < self.end).then(|| {
            self.next += 1;
            release_at(self.next - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.end - self.next, Some(self.end - self.next))
    }

    fn nth(&mut self, n: usize) -> Option<Release> {
        self.next = self.next.saturating_add(n).min(self.end);
        self.next()
    }
}

impl DoubleEndedIterator for Releases {
    fn next_back(&mut self) -> Option<Release> {
        (self.next < self.end).then(|| {
            self.end -= 1;
            release_at(self.end)
        })
    }
}

impl ExactSizeIterator for Releases {}

impl std::iter::FusedIterator for Releases {}

/// One release cycle of a product.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Release {
    /// The cycle as endoflife.date names it: `"22"`, `"3.12"`, `"24.04"`, `"noetic"`.
    pub cycle: &'static str,
    pub release_date: Date,
    /// End of life: the end of security support.
    pub eol: Eol,
    /// End of active support (bug fixes), for products that track it; the same three states as `eol`.
    pub eoas: Option<Eol>,
    pub lts: Lts,
    /// The latest version of the cycle (`"22.23.2"`, `"12.15"`); absent for a few products.
    pub latest: Option<&'static str>,
    /// The distribution codename, as written upstream (`"Bookworm"`, `"Jammy Jellyfish"`); only Debian,
    /// Ubuntu, Fedora and ROS give them.
    pub codename: Option<&'static str>,
}

impl Release {
    /// Whether the cycle is end-of-life on `today` (see [`Eol::is_reached`]).
    pub fn is_eol(&self, today: Date) -> bool {
        self.eol.is_reached(today)
    }
}

/// An end date (end of life, or end of active support).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Eol {
    /// Support ends on this date.
    Date(Date),
    /// Support has ended, on a date the source does not give (`true` upstream).
    Ended,
    /// No end date has been announced (`false` upstream).
    NotAnnounced,
}

impl Eol {
    /// Whether support has ended on `today`: the date is on or before `today`, or the source says it ended.
    pub fn is_reached(self, today: Date) -> bool {
        match self {
            Eol::Date(date) => date <= today,
            Eol::Ended => true,
            Eol::NotAnnounced => false,
        }
    }

    /// The date, when one is given.
    pub fn date(self) -> Option<Date> {
        match self {
            Eol::Date(date) => Some(date),
            Eol::Ended | Eol::NotAnnounced => None,
        }
    }
}

/// Whether a cycle is a long-term-support release.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lts {
    /// Not LTS (`false` or absent upstream).
    No,
    /// LTS (`true` upstream).
    Yes,
    /// LTS from this date on (Node.js even releases become LTS some months after their release).
    From(Date),
}

impl Lts {
    /// Whether the cycle is LTS on `today`.
    pub fn is_lts(self, today: Date) -> bool {
        match self {
            Lts::No => false,
            Lts::Yes => true,
            Lts::From(date) => date <= today,
        }
    }
}

/// Decodes entry `index` of the generated `RELEASES` table (see `server/build/data.rs`): strings are pool
/// indices (0 for absent), dates `yyyymmdd` numbers, and for `eol`, `eoas` and `lts` 0 means false, 1 true
/// and 2 absent.
fn release_at(index: usize) -> Release {
    let [cycle, released, eol, eoas, lts, latest, codename] = RELEASES[index];
    let end = |code: u32| match code {
        0 => Eol::NotAnnounced,
        1 => Eol::Ended,
        date => Eol::Date(date_at(date)),
    };
    let text = |index: u32| Some(string_at(index as usize)).filter(|s| !s.is_empty());
    Release {
        cycle: string_at(cycle as usize),
        release_date: date_at(released),
        eol: end(eol),
        eoas: if eoas == 2 { None } else { Some(end(eoas)) },
        lts: match lts {
            0 | 2 => Lts::No,
            1 => Lts::Yes,
            date => Lts::From(date_at(date)),
        },
        latest: text(latest),
        codename: text(codename),
    }
}

/// Every product, sorted by [`Product::id`].
pub fn products() -> &'static [Product] {
    &PRODUCTS
}

/// The product with endoflife.date identifier `id`.
pub fn product(id: &str) -> Option<&'static Product> {
    PRODUCTS.binary_search_by(|p| p.id.cmp(id)).ok().map(|i| &PRODUCTS[i])
}

/// The products that ship as `repository` (after [`normalize_repository`]), sorted by id. In the current
/// snapshot every repository belongs to at most one product, but nothing upstream guarantees it.
pub fn products_for_image(repository: &str) -> impl Iterator<Item = &'static Product> + Clone + use<> {
    let key = normalize_repository(repository);
    let start = IMAGE_PRODUCTS.partition_point(|&(image, _)| image < key);
    let end = start + IMAGE_PRODUCTS[start..].partition_point(|&(image, _)| image == key);
    IMAGE_PRODUCTS[start..end]
        .iter()
        .map(|&(_, index)| &PRODUCTS[index as usize])
}

/// The first of [`products_for_image`].
pub fn product_for_image(repository: &str) -> Option<&'static Product> {
    products_for_image(repository).next()
}
