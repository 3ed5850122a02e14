//! The embedded data tables against the JSON they were generated from, and the lookups over them.

use std::collections::BTreeMap;

use dockward::data::{self, Date, Eol, Lts, Release};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/server/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap_or_else(|| panic!("not a date: {text:?}"))
}

/// The JSON value of `eol`/`eoas` as the API models it.
fn end_from_json(value: &Value) -> Eol {
    match value {
        Value::Bool(false) => Eol::NotAnnounced,
        Value::Bool(true) => Eol::Ended,
        Value::String(text) => Eol::Date(date(text)),
        other => panic!("unexpected end value {other}"),
    }
}

fn release_from_json(value: &Value) -> (String, Date, Eol, Option<Eol>, Lts, Option<String>, Option<String>) {
    let text = |key: &str| {
        value
            .get(key)
            .map(|v| v.as_str().unwrap_or_else(|| panic!("{key}: {v}")).to_owned())
    };
    let lts = match value.get("lts") {
        None | Some(Value::Bool(false)) => Lts::No,
        Some(Value::Bool(true)) => Lts::Yes,
        Some(Value::String(d)) => Lts::From(date(d)),
        Some(other) => panic!("unexpected lts {other}"),
    };
    (
        text("releaseCycle").expect("releaseCycle"),
        date(&text("releaseDate").expect("releaseDate")),
        end_from_json(&value["eol"]),
        value.get("eoas").map(end_from_json),
        lts,
        text("latest"),
        text("codename"),
    )
}

fn release_tuple(r: &Release) -> (String, Date, Eol, Option<Eol>, Lts, Option<String>, Option<String>) {
    (
        r.cycle.to_owned(),
        r.release_date,
        r.eol,
        r.eoas,
        r.lts,
        r.latest.map(str::to_owned),
        r.codename.map(str::to_owned),
    )
}

// ---------------------------------------------------------------------------------------------------------
// The tables equal the JSON

#[test]
fn every_official_image_and_tag_is_embedded() {
    let json = load("official-images.json");
    let images = json["images"].as_object().expect("images");
    let embedded: Vec<_> = data::official_images().collect();
    assert_eq!(embedded.len(), images.len());
    assert_eq!(data::official_images().len(), images.len());

    let mut expected: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, tags) in images {
        let mut tags: Vec<&str> = tags
            .as_array()
            .expect("tags")
            .iter()
            .map(|t| t.as_str().expect("tag"))
            .collect();
        tags.sort_unstable();
        expected.insert(name, tags);
    }
    for (image, (name, tags)) in embedded.iter().zip(&expected) {
        assert_eq!(image.name(), *name);
        let got: Vec<&str> = image.tags().collect();
        assert_eq!(&got, tags, "tags of {name}");
        assert_eq!(image.tags().len(), tags.len());
        let mut reversed: Vec<&str> = image.tags().rev().collect();
        reversed.reverse();
        assert_eq!(&reversed, tags, "reversed tags of {name}");
        for tag in tags {
            assert!(image.has_tag(tag), "{name}:{tag}");
        }
        for absent in ["", "no-such-tag", "zzzz", "0", "LATEST"] {
            assert_eq!(image.has_tag(absent), tags.contains(&absent), "{name}:{absent}");
        }
        assert_eq!(data::official_image(name), Some(*image));
        assert!(data::is_official(name));
    }
    // Sorted by name, as the binary search needs.
    assert!(embedded.windows(2).all(|w| w[0].name() < w[1].name()));
}

#[test]
fn every_product_and_release_is_embedded() {
    let json = load("eol.json");
    let products = json["products"].as_object().expect("products");
    assert_eq!(data::products().len(), products.len());
    assert_eq!(products.len(), 113);
    assert!(data::products().windows(2).all(|w| w[0].id < w[1].id));

    for (product, (id, value)) in data::products().iter().zip(products) {
        assert_eq!(product.id, id);
        assert_eq!(data::product(id), Some(product));
        assert_eq!(product.title, value["title"].as_str().expect("title"));

        let mut images: Vec<&str> = value["images"]
            .as_array()
            .expect("images")
            .iter()
            .map(|i| i.as_str().expect("image"))
            .collect();
        images.sort_unstable();
        assert_eq!(product.images, images.as_slice(), "images of {id}");

        let releases = value["releases"].as_array().expect("releases");
        let expected: Vec<_> = releases.iter().map(release_from_json).collect();
        let got: Vec<_> = product.releases().map(|r| release_tuple(&r)).collect();
        assert_eq!(got, expected, "releases of {id}");
        assert_eq!(product.releases().len(), releases.len());
        let mut backwards: Vec<_> = product.releases().rev().map(|r| release_tuple(&r)).collect();
        backwards.reverse();
        assert_eq!(backwards, expected, "reversed releases of {id}");
    }
}

#[test]
fn every_product_image_finds_its_product() {
    let json = load("eol.json");
    for (id, value) in json["products"].as_object().expect("products") {
        for image in value["images"].as_array().expect("images") {
            let image = image.as_str().expect("image");
            // The purl qualifier `?repository_url=HOST` names the registry.
            let reference = match image.split_once("?repository_url=") {
                Some((path, host)) => format!("{host}/{path}"),
                None => image.to_owned(),
            };
            let found: Vec<&str> = data::products_for_image(&reference).map(|p| p.id).collect();
            assert!(found.contains(&id.as_str()), "{reference} -> {found:?}, expected {id}");
            if let Some(short) = image.strip_prefix("library/") {
                assert_eq!(
                    data::product_for_image(short).map(|p| p.id),
                    Some(id.as_str()),
                    "{short}"
                );
                assert_eq!(
                    data::product_for_image(&format!("docker.io/library/{short}")).map(|p| p.id),
                    Some(id.as_str())
                );
            }
        }
    }
}

#[test]
fn snapshots_match_the_files() {
    for (file, snapshot) in [
        ("official-images.json", data::official_images_snapshot()),
        ("eol.json", data::eol_snapshot()),
    ] {
        let json = load(file);
        assert_eq!(snapshot.source, json["source"].as_str().expect("source"), "{file}");
        assert_eq!(snapshot.commit, json["commit"].as_str().expect("commit"), "{file}");
        assert_eq!(snapshot.date, date(json["date"].as_str().expect("date")), "{file}");
    }
    let images = data::official_images_snapshot();
    assert_eq!(images.source, "docker-library/official-images");
    assert_eq!(images.date, Date::new(2026, 8, 21));
    // `dockward --version` shows the dates.
    assert_eq!(images.to_string(), "2026-08-21");
    let eol = data::eol_snapshot();
    assert_eq!(eol.source, "endoflife-date/endoflife.date");
    assert_eq!(eol.date.to_string(), "2026-08-22");
}

// ---------------------------------------------------------------------------------------------------------
// Lookups

#[test]
fn official_image_lookups() {
    let node = data::official_image("node").expect("node");
    assert_eq!(node.name(), "node");
    for tag in [
        "lts",
        "latest",
        "current",
        "22",
        "24",
        "26",
        "jod",
        "krypton",
        "lts-alpine",
        "24-bookworm-slim",
    ] {
        assert!(node.has_tag(tag), "node:{tag}");
    }
    // Node 20 reached end of life on 2026-04-30: its tags are no longer built.
    for tag in ["20", "20-alpine", "iron", "18", "Latest", "lts "] {
        assert!(!node.has_tag(tag), "node:{tag}");
    }

    let python = data::official_image("python").expect("python");
    assert!(python.has_tag("3.14-slim-trixie"));
    assert!(python.has_tag("3.10"));
    assert!(!python.has_tag("3.9"));
    assert!(!python.has_tag("2.7"));

    let debian = data::official_image("debian").expect("debian");
    for tag in [
        "trixie",
        "bookworm-slim",
        "bullseye",
        "12",
        "13-slim",
        "stable",
        "oldstable",
        "sid",
    ] {
        assert!(debian.has_tag(tag), "debian:{tag}");
    }
    assert!(!debian.has_tag("buster"));
    assert!(!debian.has_tag("stretch-slim"));

    let alpine = data::official_image("alpine").expect("alpine");
    assert!(alpine.has_tag("3.21"));
    assert!(alpine.has_tag("3.24.1"));
    assert!(!alpine.has_tag("3.20"));

    // Repository spellings.
    for name in [
        "node",
        "library/node",
        "docker.io/node",
        "docker.io/library/node",
        "index.docker.io/library/node",
    ] {
        assert_eq!(data::official_image(name), Some(node), "{name}");
    }
    for name in [
        "bitnami/node",
        "ghcr.io/library/node",
        "nodejs",
        "Node",
        "",
        "node:22",
        "docker.io/",
        "library/",
    ] {
        assert!(!data::is_official(name), "{name}");
    }
    assert!(data::is_official("hello-world"));
    // `FROM scratch` is not an image.
    assert!(!data::is_official("scratch"));

    // Deprecated images keep a library file with no tags.
    let clefos = data::official_image("clefos").expect("clefos");
    assert_eq!(clefos.tags().len(), 0);
    assert!(!clefos.has_tag("latest"));

    // The iterator is exact-sized at every step.
    let mut tags = node.tags();
    let total = tags.len();
    tags.next();
    tags.next_back();
    assert_eq!(tags.len(), total - 2);
    assert_eq!(node.tags().nth(total), None);
    assert_eq!(node.tags().nth(total - 1), node.tags().next_back());
}

#[test]
fn normalize_repository_spellings() {
    assert_eq!(data::normalize_repository("node"), "node");
    assert_eq!(data::normalize_repository("library/node"), "node");
    assert_eq!(data::normalize_repository("docker.io/library/node"), "node");
    assert_eq!(data::normalize_repository("DOCKER.IO/library/node"), "node");
    assert_eq!(
        data::normalize_repository("registry-1.docker.io/bitnami/node"),
        "bitnami/node"
    );
    assert_eq!(
        data::normalize_repository("registry.hub.docker.com/library/node"),
        "node"
    );
    assert_eq!(data::normalize_repository("bitnami/node"), "bitnami/node");
    assert_eq!(
        data::normalize_repository("ghcr.io/library/node"),
        "ghcr.io/library/node"
    );
    assert_eq!(data::normalize_repository("localhost:5000/node"), "localhost:5000/node");
    assert_eq!(data::normalize_repository(""), "");
}

#[test]
fn products_by_image() {
    let id = |repo: &str| data::product_for_image(repo).map(|p| p.id);
    assert_eq!(id("library/python"), Some("python"));
    assert_eq!(id("python"), Some("python"));
    assert_eq!(id("bitnami/python"), Some("python"));
    assert_eq!(id("docker.io/circleci/python"), Some("python"));
    assert_eq!(id("node"), Some("nodejs"));
    assert_eq!(id("golang"), Some("go"));
    assert_eq!(id("alpine"), Some("alpine-linux"));
    assert_eq!(id("debian"), Some("debian"));
    assert_eq!(id("ubuntu"), Some("ubuntu"));
    assert_eq!(id("postgres"), Some("postgresql"));
    assert_eq!(id("mongo"), Some("mongodb"));
    assert_eq!(id("httpd"), Some("apache-http-server"));
    assert_eq!(id("varnish"), Some("vinyl-cache"));
    assert_eq!(id("linuxserver/wireshark"), Some("wireshark"));
    assert_eq!(id("lscr.io/linuxserver/wireshark"), Some("wireshark"));
    // `consul` is named as an official image by endoflife.date, though no longer one.
    assert_eq!(id("consul"), Some("consul"));
    assert!(!data::is_official("consul"));
    assert_eq!(id("ghcr.io/library/python"), None);
    assert_eq!(id("busybox"), None);
    assert_eq!(id(""), None);
    assert_eq!(data::products_for_image("python").count(), 1);
    assert_eq!(data::products_for_image("nothing").count(), 0);

    assert_eq!(data::product("nodejs").map(|p| p.title), Some("Node.js"));
    assert!(data::product("node").is_none());
}

#[test]
fn distribution_codenames() {
    let debian = data::product("debian").expect("debian");
    let cycle = |name: &str| debian.release_by_codename(name).map(|r| r.cycle);
    assert_eq!(cycle("bookworm"), Some("12"));
    assert_eq!(cycle("Bookworm"), Some("12"));
    assert_eq!(cycle("trixie"), Some("13"));
    assert_eq!(cycle("bullseye"), Some("11"));
    assert_eq!(cycle("buster"), Some("10"));
    assert_eq!(cycle("stretch"), Some("9"));
    assert_eq!(cycle("jessie"), Some("8"));
    // Testing and unstable have no release cycle yet.
    assert_eq!(cycle("forky"), None);
    assert_eq!(cycle("sid"), None);
    assert_eq!(cycle(""), None);

    // Every codename tag of the debian image (`bookworm`, `trixie-slim`, ...) that names a release resolves.
    let image = data::official_image("debian").expect("debian image");
    let codenames: Vec<&str> = debian.releases().filter_map(|r| r.codename).collect();
    let mut resolved = Vec::new();
    for tag in image.tags() {
        let word = tag.split('-').next().unwrap_or(tag);
        if let Some(release) = debian.release_by_codename(word) {
            assert!(codenames.iter().any(|c| c.eq_ignore_ascii_case(word)));
            resolved.push((word, release.cycle));
        }
    }
    resolved.dedup();
    assert_eq!(resolved, [("bookworm", "12"), ("bullseye", "11"), ("trixie", "13")]);

    let ubuntu = data::product("ubuntu").expect("ubuntu");
    let release = |name: &str| ubuntu.release_by_codename(name).map(|r| r.cycle);
    assert_eq!(release("jammy"), Some("22.04"));
    assert_eq!(release("noble"), Some("24.04"));
    assert_eq!(release("resolute"), Some("26.04"));
    assert_eq!(release("Jammy Jellyfish"), Some("22.04"));
    assert_eq!(release("focal"), Some("20.04"));
    assert_eq!(release("jellyfish"), None);
    // 26.10's codename tag is in the image but not yet in endoflife.date.
    assert!(
        data::official_image("ubuntu")
            .expect("ubuntu image")
            .has_tag("stonking")
    );
    assert_eq!(release("stonking"), None);
}

#[test]
fn release_states() {
    let today = date("2026-08-21");
    let python = data::product("python").expect("python");
    let p39 = python.release("3.9").expect("3.9");
    assert_eq!(p39.eol, Eol::Date(date("2025-10-31")));
    assert!(p39.is_eol(today));
    let p314 = python.release("3.14").expect("3.14");
    assert!(!p314.is_eol(today));
    assert_eq!(p314.latest, Some("3.14.7"));
    assert_eq!(python.release("2.7").expect("2.7").eoas, Some(Eol::Ended));

    let node = data::product("nodejs").expect("nodejs");
    let n22 = node.release("22").expect("22");
    assert_eq!(n22.lts, Lts::From(date("2024-10-29")));
    assert!(n22.lts.is_lts(today));
    assert!(!n22.lts.is_lts(date("2024-10-28")));
    assert_eq!(node.release("25").expect("25").lts, Lts::No);
    assert!(node.release("20").expect("20").is_eol(today));
    let n3 = node.release("3").expect("3");
    assert_eq!(n3.eol, Eol::Ended);
    assert!(n3.eol.is_reached(date("2015-01-01")));
    assert_eq!(n3.eol.date(), None);
    assert_eq!(node.release("26").expect("26").codename, None);

    let go = data::product("go").expect("go");
    let go127 = go.release("1.27").expect("1.27");
    assert_eq!(go127.eol, Eol::NotAnnounced);
    assert!(!go127.is_eol(date("9999-12-31")));
    assert_eq!(go127.eoas, None);

    // The end date itself counts as ended.
    let bookworm = data::product("debian")
        .and_then(|d| d.release("12"))
        .expect("debian 12");
    assert_eq!(bookworm.eol.date(), Some(date("2026-07-11")));
    assert!(bookworm.is_eol(date("2026-07-11")));
    assert!(!bookworm.is_eol(date("2026-07-10")));

    let temurin = data::product("eclipse-temurin").expect("eclipse-temurin");
    assert_eq!(temurin.release("21").expect("21").lts, Lts::Yes);
    assert_eq!(temurin.release("26").expect("26").lts, Lts::No);

    let ros = data::product("ros").expect("ros");
    assert_eq!(ros.release("noetic").expect("noetic").latest, None);
    assert_eq!(ros.release_by_codename("noetic").map(|r| r.cycle), Some("noetic"));
}

// ---------------------------------------------------------------------------------------------------------
// Dates

#[test]
fn dates_parse_display_and_order() {
    let d = date("2026-08-21");
    assert_eq!((d.year, d.month, d.day), (2026, 8, 21));
    assert_eq!(d, Date::new(2026, 8, 21));
    assert_eq!(d.to_string(), "2026-08-21");
    for bad in [
        "",
        "2026-8-21",
        "2026/08/21",
        "2026-08-21 ",
        "20260821",
        "2026-13-01",
        "2026-02-29",
        "0000-01-01",
    ] {
        assert_eq!(Date::parse(bad), None, "{bad:?}");
    }
    let mut dates = [
        "2026-08-21",
        "2025-12-31",
        "2026-01-01",
        "2026-08-20",
        "1999-12-31",
        "2026-10-01",
    ]
    .map(date);
    dates.sort();
    let sorted: Vec<String> = dates.iter().map(Date::to_string).collect();
    assert_eq!(
        sorted,
        [
            "1999-12-31",
            "2025-12-31",
            "2026-01-01",
            "2026-08-20",
            "2026-08-21",
            "2026-10-01"
        ]
    );

    // Every date in the tables prints back as the JSON wrote it.
    let json = load("eol.json");
    for (id, product) in json["products"].as_object().expect("products") {
        let embedded = data::product(id).expect("product");
        for (value, release) in product["releases"]
            .as_array()
            .expect("releases")
            .iter()
            .zip(embedded.releases())
        {
            assert_eq!(
                release.release_date.to_string(),
                value["releaseDate"].as_str().expect("releaseDate")
            );
            if let Some(text) = value["eol"].as_str() {
                assert_eq!(release.eol.date().map(|d| d.to_string()).as_deref(), Some(text), "{id}");
            }
        }
    }
}
