//! Which user an image starts as, and how to give a Dockerfile built on it an unprivileged user.
//!
//! The default user of an arbitrary image is in its configuration on the registry, which dockward never
//! reads. What is known offline is kept here as data tables, first match wins:
//!
//! - [`OFFICIAL_NON_ROOT`]: Docker Official Images whose Dockerfile ends with a non-root `USER`.
//!   Every other official image starts as root.
//! - [`OFFICIAL_DROPPERS`]: official images that start as root but whose entrypoint (or server) switches
//!   to an unprivileged user before it runs the image's own command.
//! - [`VENDOR_USERS`]: other publishers' images whose default user is documented (distroless,
//!   Chainguard, Bitnami, `*-unprivileged`, .NET chiseled, Red Hat UBI language images, ...).
//!   An image that matches none of them is [`DefaultUser::Unknown`].
//! - [`OFFICIAL_FAMILIES`] and the tag words in [`family`]: which account tools an image has
//!   (`groupadd`/`useradd` on Debian and Ubuntu, BusyBox `addgroup`/`adduser` on Alpine), for fixes.
//!
//! Each entry names its source: the upstream Dockerfile, entrypoint or documentation that sets or
//! documents the user. To refresh, re-read those sources (for official images, the Dockerfiles linked
//! from `docker-library/official-images/library/<name>`, or the image history in
//! `docker-library/repo-info/repos/<name>/remote/<tag>.md`), and run `cargo test --lib images::users`:
//! a test checks that every official image named here is still in the [`crate::data`] snapshot, so a
//! renamed or removed image is noticed when that snapshot is refreshed.
//!
//! Pure knowledge over [`ImageRef`]: no IO.

use crate::model::ImageRef;

/// The user an image starts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultUser {
    /// uid 0.
    Root,
    /// The image sets a non-root `USER` (`user` as the image writes it; empty when not documented).
    NonRoot { user: &'static str },
    /// Starts as root; the entrypoint switches to an unprivileged user for the image's own command.
    DropsPrivileges(&'static Dropper),
    /// A Windows image: users there are not Linux users, so the question does not apply.
    Windows,
    /// Not known offline.
    Unknown,
}

/// An official image whose entrypoint drops root itself.
#[derive(Debug, PartialEq, Eq)]
pub struct Dropper {
    pub image: &'static str,
    /// The account it switches to.
    pub user: &'static str,
    /// The first words of an exec-form command for which the entrypoint switches: exact words, a prefix
    /// when the word ends with `*`, `*` alone for any command, and `-` for a command that starts with an
    /// option (the entrypoint puts its server command in front of it).
    pub commands: &'static [&'static str],
}

impl Dropper {
    /// Whether the entrypoint switches user when the command's first word is `first` (`None`: no command).
    pub fn drops_for(&self, first: Option<&str>) -> bool {
        let Some(first) = first else {
            return false;
        };
        self.commands.iter().any(|c| match *c {
            "*" => true,
            "-" => first.starts_with('-'),
            c => match c.strip_suffix('*') {
                Some(prefix) => first.starts_with(prefix),
                None => first == c,
            },
        })
    }
}

/// Docker Official Images that set a non-root `USER` in their Dockerfile: (image, user as set).
pub const OFFICIAL_NON_ROOT: &[(&str, &str)] = &[
    // docker-library/repo-info repos/adminer: `USER adminer`
    ("adminer", "adminer"),
    // elastic/dockerfiles elasticsearch/Dockerfile: `USER 1000:0`
    ("elasticsearch", "1000:0"),
    // emqx/emqx deploy/docker/Dockerfile: `USER emqx`
    ("emqx", "emqx"),
    // groovy/docker-groovy: `USER groovy` (uid 1000)
    ("groovy", "groovy"),
    // docker-library/haproxy: `USER haproxy` since 2.4 (uid 99)
    ("haproxy", "haproxy"),
    // irssi/docker-irssi: `USER user`
    ("irssi", "user"),
    // eclipse/jetty.docker: `USER jetty`
    ("jetty", "jetty"),
    // elastic/dockerfiles kibana/Dockerfile: `USER 1000`
    ("kibana", "1000"),
    // Kong/docker-kong: `USER kong` (repo-info image history)
    ("kong", "kong"),
    // liquibase/docker: `USER liquibase`
    ("liquibase", "liquibase"),
    // elastic/dockerfiles logstash/Dockerfile: `USER 1000`
    ("logstash", "1000"),
    // docker-library/memcached: `USER memcache` (repo-info image history, 2026)
    ("memcached", "memcache"),
    // odoo/docker: `USER odoo`
    ("odoo", "odoo"),
    // OpenLiberty/ci.docker: `USER 1001`
    ("open-liberty", "1001"),
    // RocketChat/Docker.Official.Image: `USER rocketchat`
    ("rocket.chat", "rocketchat"),
    // SonarSource/docker-sonarqube: `USER sonarqube`
    ("sonarqube", "sonarqube"),
    // apache/spark-docker: `USER spark` (uid 185)
    ("spark", "spark"),
    // apache/solr-docker: `USER $SOLR_UID` (8983)
    ("solr", "8983"),
    // TeamSpeak-Systems/teamspeak-linux-docker-images: `USER ts3server` (uid 9987)
    ("teamspeak", "ts3server"),
    // WASdev/ci.docker: `USER 1001`
    ("websphere-liberty", "1001"),
];

/// Official images whose entrypoint drops root before running their own command.
pub static OFFICIAL_DROPPERS: &[Dropper] = &[
    // docker-library/cassandra docker-entrypoint.sh: `-*` becomes `cassandra -f`; `gosu cassandra`
    Dropper {
        image: "cassandra",
        user: "cassandra",
        commands: &["cassandra", "-"],
    },
    // ClickHouse docker/server/entrypoint.sh: no arguments or `--*` arguments run the server as `clickhouse`
    Dropper {
        image: "clickhouse",
        user: "clickhouse",
        commands: &["-"],
    },
    // apache/couchdb-docker docker-entrypoint.sh: `gosu couchdb` for the couchdb command
    Dropper {
        image: "couchdb",
        user: "couchdb",
        commands: &["couchdb", "/opt/couchdb/bin/couchdb"],
    },
    // eclipse/mosquitto: the broker itself switches to `mosquitto` when started as root
    Dropper {
        image: "eclipse-mosquitto",
        user: "mosquitto",
        commands: &["/usr/sbin/mosquitto", "mosquitto"],
    },
    // apache/flink-docker docker-entrypoint.sh: `gosu flink` for the Flink roles
    Dropper {
        image: "flink",
        user: "flink",
        commands: &["jobmanager", "taskmanager", "standalone-job", "history-server", "-"],
    },
    // docker-library/ghost docker-entrypoint.sh: `gosu node` for `node current/index.js`
    Dropper {
        image: "ghost",
        user: "node",
        commands: &["node"],
    },
    // MariaDB/mariadb-docker docker-entrypoint.sh: `-*` becomes `mariadbd`; `gosu mysql`
    Dropper {
        image: "mariadb",
        user: "mysql",
        commands: &["mariadbd", "mysqld", "-"],
    },
    // docker-library/mongo docker-entrypoint.sh: `-*` becomes `mongod`; `gosu mongodb`
    Dropper {
        image: "mongo",
        user: "mongodb",
        commands: &["mongod", "mongos", "-"],
    },
    // docker-library/mysql docker-entrypoint.sh: `-*` becomes `mysqld`; `gosu mysql`
    Dropper {
        image: "mysql",
        user: "mysql",
        commands: &["mysqld", "-"],
    },
    // neo4j/docker-neo4j-publish docker-entrypoint.sh: runs `neo4j` as the neo4j user when root
    Dropper {
        image: "neo4j",
        user: "neo4j",
        commands: &["neo4j"],
    },
    // docker-library/postgres docker-entrypoint.sh: `-*` becomes `postgres`; `gosu postgres`
    Dropper {
        image: "postgres",
        user: "postgres",
        commands: &["postgres", "-"],
    },
    // docker-library/rabbitmq docker-entrypoint.sh: `rabbitmq*` commands run with `gosu rabbitmq`
    Dropper {
        image: "rabbitmq",
        user: "rabbitmq",
        commands: &["rabbitmq*"],
    },
    // redis/docker-library-redis docker-entrypoint.sh: `-*` becomes `redis-server`; `gosu redis`
    Dropper {
        image: "redis",
        user: "redis",
        commands: &["redis-server", "redis-sentinel", "-"],
    },
    // 31z4/storm-docker docker-entrypoint.sh: `gosu storm` for the storm command
    Dropper {
        image: "storm",
        user: "storm",
        commands: &["storm"],
    },
    // influxdata/influxdata-docker telegraf/entrypoint.sh: `setpriv --reuid telegraf` for every command
    Dropper {
        image: "telegraf",
        user: "telegraf",
        commands: &["*"],
    },
    // 31z4/zookeeper-docker docker-entrypoint.sh: `gosu zookeeper` for zkServer.sh
    Dropper {
        image: "zookeeper",
        user: "zookeeper",
        commands: &["zkServer.sh"],
    },
];

/// How a pattern matches a tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagMatch {
    Any,
    /// The tag has this word between `-`, `_` or `.` (`nonroot` in `debug-nonroot`).
    Word(&'static str),
}

impl TagMatch {
    fn matches(self, tag: &str) -> bool {
        match self {
            TagMatch::Any => true,
            TagMatch::Word(w) => has_word(tag, w),
        }
    }
}

/// A vendor image pattern and the user it starts as.
#[derive(Clone, Copy, Debug)]
pub struct VendorUser {
    /// Registry host, exact (`docker.io` for Docker Hub).
    pub domain: &'static str,
    /// Repository path: exact, a prefix when it ends with `/` or `*`, a suffix when it starts with `*`.
    pub path: &'static str,
    pub tag: TagMatch,
    pub user: DefaultUser,
}

const fn vendor(domain: &'static str, path: &'static str, tag: TagMatch, user: DefaultUser) -> VendorUser {
    VendorUser {
        domain,
        path,
        tag,
        user,
    }
}

const fn non_root(user: &'static str) -> DefaultUser {
    DefaultUser::NonRoot { user }
}

/// Vendor images with a documented default user; first match wins. `*` as domain matches any registry.
pub const VENDOR_USERS: &[VendorUser] = &[
    // GoogleContainerTools/distroless README: `:nonroot` and `:debug-nonroot` tags run as 65532
    vendor("gcr.io", "distroless/", TagMatch::Word("nonroot"), non_root("nonroot")),
    // ... every other distroless tag runs as root
    vendor("gcr.io", "distroless/", TagMatch::Any, DefaultUser::Root),
    // Chainguard: wolfi-base and chainguard-base are base images for building; their user is not documented
    vendor("cgr.dev", "chainguard/wolfi-base", TagMatch::Any, DefaultUser::Unknown),
    vendor(
        "cgr.dev",
        "chainguard/chainguard-base",
        TagMatch::Any,
        DefaultUser::Unknown,
    ),
    // Chainguard `-dev` variants add a shell and apk; not documented as non-root for every image
    vendor("cgr.dev", "chainguard/", TagMatch::Word("dev"), DefaultUser::Unknown),
    // edu.chainguard.dev "Porting apps": Chainguard images run as `nonroot` (65532)
    vendor("cgr.dev", "chainguard/", TagMatch::Any, non_root("nonroot")),
    // bitnami/minideb is a plain Debian base image and runs as root
    vendor("docker.io", "bitnami/minideb", TagMatch::Any, DefaultUser::Root),
    // Bitnami containers docs: "non-root container images" run as uid 1001
    vendor("docker.io", "bitnami/", TagMatch::Any, non_root("1001")),
    // .NET: `*-chiseled*` and Azure Linux `*-distroless` tags run as `app` (1654); others as root
    vendor(
        "mcr.microsoft.com",
        "dotnet/",
        TagMatch::Word("chiseled"),
        non_root("app"),
    ),
    vendor(
        "mcr.microsoft.com",
        "dotnet/",
        TagMatch::Word("distroless"),
        non_root("app"),
    ),
    vendor(
        "mcr.microsoft.com",
        "dotnet/",
        TagMatch::Word("nanoserver"),
        DefaultUser::Windows,
    ),
    vendor(
        "mcr.microsoft.com",
        "dotnet/",
        TagMatch::Word("windowsservercore"),
        DefaultUser::Windows,
    ),
    vendor("mcr.microsoft.com", "dotnet/", TagMatch::Any, DefaultUser::Root),
    // Windows base images
    vendor("mcr.microsoft.com", "windows/", TagMatch::Any, DefaultUser::Windows),
    vendor("mcr.microsoft.com", "windows", TagMatch::Any, DefaultUser::Windows),
    vendor(
        "mcr.microsoft.com",
        "powershell",
        TagMatch::Word("nanoserver"),
        DefaultUser::Windows,
    ),
    // Red Hat UBI: sclorg s2i-base images (nodejs, python, ruby, php, perl) set `USER 1001`
    vendor(
        "registry.access.redhat.com",
        "ubi*/nodejs-*",
        TagMatch::Any,
        non_root("1001"),
    ),
    vendor(
        "registry.access.redhat.com",
        "ubi*/python-*",
        TagMatch::Any,
        non_root("1001"),
    ),
    vendor(
        "registry.access.redhat.com",
        "ubi*/ruby-*",
        TagMatch::Any,
        non_root("1001"),
    ),
    vendor(
        "registry.access.redhat.com",
        "ubi*/php-*",
        TagMatch::Any,
        non_root("1001"),
    ),
    vendor(
        "registry.access.redhat.com",
        "ubi*/perl-*",
        TagMatch::Any,
        non_root("1001"),
    ),
    // Red Hat UBI OpenJDK images: `USER 185`
    vendor(
        "registry.access.redhat.com",
        "ubi*/openjdk-*",
        TagMatch::Any,
        non_root("185"),
    ),
    // Plain UBI images (`ubi9`, `ubi9/ubi`, `ubi9/ubi-minimal`, `ubi9-minimal`, ...) run as root
    vendor("registry.access.redhat.com", "ubi*", TagMatch::Any, DefaultUser::Root),
    // nginxinc/docker-nginx-unprivileged and similar `*-unprivileged` images (uid 101 for nginx)
    vendor("*", "*-unprivileged", TagMatch::Any, non_root("")),
    // jenkinsci/docker: `USER ${user}` (jenkins, 1000)
    vendor("docker.io", "jenkins/jenkins", TagMatch::Any, non_root("jenkins")),
    // grafana/grafana packaging/docker/Dockerfile: `USER "$GF_UID"` (472)
    vendor("docker.io", "grafana/grafana", TagMatch::Any, non_root("472")),
    vendor("docker.io", "grafana/grafana-oss", TagMatch::Any, non_root("472")),
    // prometheus Dockerfiles (prometheus, alertmanager, node-exporter, ...): `USER nobody`
    vendor("docker.io", "prom/", TagMatch::Any, non_root("nobody")),
    vendor("quay.io", "prometheus/", TagMatch::Any, non_root("nobody")),
    // elastic/dockerfiles: Elasticsearch, Kibana and Logstash run as uid 1000
    vendor(
        "docker.elastic.co",
        "elasticsearch/elasticsearch",
        TagMatch::Any,
        non_root("1000:0"),
    ),
    vendor("docker.elastic.co", "kibana/kibana", TagMatch::Any, non_root("1000")),
    vendor(
        "docker.elastic.co",
        "logstash/logstash",
        TagMatch::Any,
        non_root("1000"),
    ),
    // keycloak/keycloak quarkus/container/Dockerfile: `USER 1000`
    vendor("quay.io", "keycloak/keycloak", TagMatch::Any, non_root("1000")),
];

/// Which tools an image has to create an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Debian or Ubuntu: `groupadd` and `useradd` (package `passwd`).
    Debian,
    /// Alpine, or anything with BusyBox's `addgroup` and `adduser`.
    Alpine,
    /// Google's distroless: no shell; the `nonroot` user (65532) exists.
    Distroless,
    /// Chainguard: the `nonroot` user (65532) exists.
    Chainguard,
    /// Not known.
    Unknown,
}

/// The default variant of official images: which distribution their untagged (and plain version) tags
/// are built on. Tags with a distribution word (`-alpine`, `-slim`, `-bookworm`, `-noble`, ...) decide
/// for themselves. From each image's `library/<name>` file in docker-library/official-images.
pub const OFFICIAL_FAMILIES: &[(&str, Family)] = &[
    ("alpine", Family::Alpine),
    ("bash", Family::Alpine),
    ("buildpack-deps", Family::Debian),
    ("caddy", Family::Alpine),
    ("cassandra", Family::Debian),
    ("clojure", Family::Debian),
    ("composer", Family::Alpine),
    ("debian", Family::Debian),
    ("docker", Family::Alpine),
    ("drupal", Family::Debian),
    ("eclipse-temurin", Family::Debian),
    ("elixir", Family::Debian),
    ("erlang", Family::Debian),
    ("gcc", Family::Debian),
    ("ghost", Family::Debian),
    ("golang", Family::Debian),
    ("gradle", Family::Debian),
    ("haskell", Family::Debian),
    ("httpd", Family::Debian),
    ("joomla", Family::Debian),
    ("julia", Family::Debian),
    ("mariadb", Family::Debian),
    ("maven", Family::Debian),
    ("mediawiki", Family::Debian),
    ("mongo", Family::Debian),
    ("nextcloud", Family::Debian),
    ("nginx", Family::Debian),
    ("node", Family::Debian),
    ("perl", Family::Debian),
    ("php", Family::Debian),
    ("postgres", Family::Debian),
    ("pypy", Family::Debian),
    ("python", Family::Debian),
    ("r-base", Family::Debian),
    ("rabbitmq", Family::Debian),
    ("redis", Family::Debian),
    ("redmine", Family::Debian),
    ("registry", Family::Alpine),
    ("ruby", Family::Debian),
    ("rust", Family::Debian),
    ("sapmachine", Family::Debian),
    ("swift", Family::Debian),
    ("tomcat", Family::Debian),
    ("traefik", Family::Alpine),
    ("ubuntu", Family::Debian),
    ("wordpress", Family::Debian),
];

/// Debian and Ubuntu release words in tags.
const DEBIAN_WORDS: &[&str] = &[
    "slim", "trixie", "bookworm", "bullseye", "buster", "stretch", "jessie", "sid", "forky", "bionic", "focal",
    "jammy", "noble", "oracular", "plucky", "questing", "resolute", "lunar", "mantic", "kinetic", "xenial",
];

/// Ubuntu releases from 23.04 on, whose images ship the user `ubuntu` (uid and gid 1000).
const UBUNTU_WITH_USER: &[&str] = &["lunar", "mantic", "noble", "oracular", "plucky", "questing", "resolute"];

/// Tag words of other distributions, where the account tools are not known (Amazon Linux 2023 and
/// UBI minimal lack `useradd`).
const OTHER_WORDS: &[&str] = &[
    "ubi",
    "ubi8",
    "ubi9",
    "ubi10",
    "oracle",
    "oraclelinux",
    "al2",
    "al2023",
    "amazonlinux",
    "centos",
    "fedora",
    "rockylinux",
    "almalinux",
    "minimal",
    "musl",
    "glibc",
    "uclibc",
    "scratch",
];

/// Windows tag words.
const WINDOWS_WORDS: &[&str] = &["windowsservercore", "nanoserver", "ltsc2019", "ltsc2022", "ltsc2025"];

/// Whether `tag` contains `word` as a whole word, words being separated by `-`, `_` or `.`.
fn has_word(tag: &str, word: &str) -> bool {
    tag.split(['-', '_', '.']).any(|w| w == word)
}

fn tag_of(image: &ImageRef) -> &str {
    image.effective_tag().unwrap_or("")
}

fn is_windows_tag(tag: &str) -> bool {
    WINDOWS_WORDS.iter().any(|w| has_word(tag, w)) || tag.contains("windowsservercore") || tag.contains("nanoserver")
}

fn path_matches(pattern: &str, path: &str) -> bool {
    if let Some(suffix) = pattern.strip_prefix('*') {
        return path.ends_with(suffix);
    }
    // `*` inside a component matches within that component (`ubi*/nodejs-*`).
    let (mut p, mut s) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some(""), _) => return true, // a trailing `/`: any deeper path
            (Some(pc), Some(sc)) => {
                let ok = match pc.strip_suffix('*') {
                    Some(prefix) => sc.starts_with(prefix),
                    None => pc == sc,
                };
                if !ok {
                    return false;
                }
                if pc.ends_with('*') && p.clone().next().is_none() {
                    return true; // `ubi*` as the last component also covers `ubi9/ubi-minimal`
                }
            }
            _ => return false,
        }
    }
}

/// The user `image` starts as.
pub fn default_user(image: &ImageRef) -> DefaultUser {
    let tag = tag_of(image);
    // `docker.io/library/NAME` that is not an official image is most likely an image built locally
    // (`FROM myapp-base`): its user is not known.
    if image.is_library() && crate::data::is_official(image.repository()) {
        let name = image.repository();
        if is_windows_tag(tag) {
            return DefaultUser::Windows;
        }
        if name == "docker" && has_word(tag, "rootless") {
            // docker-library/docker: the `*-rootless` variants set `USER rootless`
            return non_root("rootless");
        }
        if let Some(&(_, user)) = OFFICIAL_NON_ROOT.iter().find(|(n, _)| *n == name) {
            return non_root(user);
        }
        if let Some(d) = OFFICIAL_DROPPERS.iter().find(|d| d.image == name) {
            return DefaultUser::DropsPrivileges(d);
        }
        return DefaultUser::Root;
    }
    VENDOR_USERS
        .iter()
        .find(|v| {
            (v.domain == "*" || v.domain == image.domain) && path_matches(v.path, &image.path) && v.tag.matches(tag)
        })
        .map_or(DefaultUser::Unknown, |v| v.user)
}

/// The account tools of `image`'s distribution, for fixes that create a user.
pub fn family(image: &ImageRef) -> Family {
    let tag = tag_of(image);
    if image.domain == "gcr.io" && image.path.starts_with("distroless/") {
        return Family::Distroless;
    }
    if image.domain == "cgr.dev" && image.path.starts_with("chainguard/") {
        return Family::Chainguard;
    }
    if tag.contains("alpine") {
        return Family::Alpine;
    }
    if OTHER_WORDS.iter().any(|w| has_word(tag, w)) || is_windows_tag(tag) {
        return Family::Unknown;
    }
    if DEBIAN_WORDS.iter().any(|w| has_word(tag, w)) {
        return Family::Debian;
    }
    if image.is_library() {
        let name = image.repository();
        return OFFICIAL_FAMILIES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Family::Unknown, |&(_, f)| f);
    }
    Family::Unknown
}

/// An unprivileged account an image ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShippedUser {
    pub name: &'static str,
    /// `uid:gid` when the same in every variant of the image; `None` when only the name is stable.
    pub ids: Option<&'static str>,
}

/// The unprivileged account `image` ships for running its software, if one is known.
pub fn shipped_user(image: &ImageRef) -> Option<ShippedUser> {
    let tag = tag_of(image);
    match family(image) {
        // GoogleContainerTools/distroless base: /etc/passwd has `nonroot:x:65532:65532`.
        // Chainguard images: `nonroot` 65532.
        Family::Distroless | Family::Chainguard => {
            return Some(ShippedUser {
                name: "nonroot",
                ids: Some("65532:65532"),
            });
        }
        _ => {}
    }
    if !image.is_library() {
        return None;
    }
    let name = image.repository();
    // nodejs/docker-node: `groupadd --gid 1000 node && useradd --uid 1000 --gid node ...` (Alpine too).
    if name == "node" {
        return Some(ShippedUser {
            name: "node",
            ids: Some("1000:1000"),
        });
    }
    if let Some(d) = OFFICIAL_DROPPERS.iter().find(|d| d.image == name) {
        // The ids differ between variants (postgres is 999 on Debian, 70 on Alpine): use the name.
        return Some(ShippedUser {
            name: d.user,
            ids: None,
        });
    }
    // Ubuntu 23.04 and later images ship `ubuntu` (1000:1000); so do images built on them (`*-noble`).
    if ubuntu_ships_user(name, tag) {
        return Some(ShippedUser {
            name: "ubuntu",
            ids: Some("1000:1000"),
        });
    }
    None
}

fn ubuntu_ships_user(name: &str, tag: &str) -> bool {
    if UBUNTU_WITH_USER.iter().any(|w| has_word(tag, w)) {
        return true;
    }
    if name != "ubuntu" {
        return false;
    }
    if matches!(tag, "latest" | "rolling" | "devel") {
        return true;
    }
    // `24.04`, `24.04-20240801`, `25.10`: the year of the release.
    tag.split(['.', '-'])
        .next()
        .and_then(|y| y.parse::<u32>().ok())
        .is_some_and(|year| (23..100).contains(&year))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn every_official_image_named_here_is_in_the_snapshot() {
        let named = OFFICIAL_NON_ROOT
            .iter()
            .map(|(n, _)| *n)
            .chain(OFFICIAL_DROPPERS.iter().map(|d| d.image))
            .chain(OFFICIAL_FAMILIES.iter().map(|(n, _)| *n));
        for name in named {
            assert!(
                crate::data::is_official(name),
                "{name} is not an official image in the data snapshot: update images/users.rs"
            );
        }
    }

    #[test]
    fn official_images_start_as_root_unless_listed() {
        assert_eq!(default_user(&img("python:3.13")), DefaultUser::Root);
        assert_eq!(default_user(&img("memcached:1.6")), non_root("memcache"));
        assert_eq!(default_user(&img("docker.io/library/solr")), non_root("8983"));
        assert_eq!(default_user(&img("docker:27-dind-rootless")), non_root("rootless"));
        assert_eq!(default_user(&img("docker:27-dind")), DefaultUser::Root);
        assert!(matches!(default_user(&img("postgres:17")), DefaultUser::DropsPrivileges(d) if d.user == "postgres"));
        assert_eq!(
            default_user(&img("golang:1.24-windowsservercore-ltsc2022")),
            DefaultUser::Windows
        );
    }

    #[test]
    fn vendor_images() {
        let cases = [
            ("gcr.io/distroless/static-debian12:nonroot", non_root("nonroot")),
            ("gcr.io/distroless/base-debian12:debug-nonroot", non_root("nonroot")),
            ("gcr.io/distroless/static-debian12", DefaultUser::Root),
            ("gcr.io/distroless/java21-debian12:debug", DefaultUser::Root),
            ("cgr.dev/chainguard/static:latest", non_root("nonroot")),
            ("cgr.dev/chainguard/python:latest-dev", DefaultUser::Unknown),
            ("cgr.dev/chainguard/wolfi-base", DefaultUser::Unknown),
            ("bitnami/postgresql:16", non_root("1001")),
            ("bitnami/minideb:bookworm", DefaultUser::Root),
            ("nginxinc/nginx-unprivileged:1.27-alpine", non_root("")),
            ("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled", non_root("app")),
            (
                "mcr.microsoft.com/dotnet/runtime:9.0-azurelinux3.0-distroless",
                non_root("app"),
            ),
            ("mcr.microsoft.com/dotnet/aspnet:8.0", DefaultUser::Root),
            (
                "mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022",
                DefaultUser::Windows,
            ),
            ("mcr.microsoft.com/windows/servercore:ltsc2022", DefaultUser::Windows),
            ("registry.access.redhat.com/ubi9/nodejs-20", non_root("1001")),
            ("registry.access.redhat.com/ubi8/openjdk-17:1.20", non_root("185")),
            ("registry.access.redhat.com/ubi9/ubi-minimal", DefaultUser::Root),
            ("registry.access.redhat.com/ubi9", DefaultUser::Root),
            ("ghcr.io/acme/app:1.0", DefaultUser::Unknown),
            ("jenkins/jenkins:lts", non_root("jenkins")),
            ("myapp-base:1.0", DefaultUser::Unknown),
        ];
        for (image, want) in cases {
            assert_eq!(default_user(&img(image)), want, "{image}");
        }
    }

    #[test]
    fn droppers_match_their_commands() {
        let pg = OFFICIAL_DROPPERS.iter().find(|d| d.image == "postgres").unwrap();
        assert!(pg.drops_for(Some("postgres")) && pg.drops_for(Some("-c")));
        assert!(!pg.drops_for(Some("bash")) && !pg.drops_for(None));
        let mq = OFFICIAL_DROPPERS.iter().find(|d| d.image == "rabbitmq").unwrap();
        assert!(mq.drops_for(Some("rabbitmq-server")) && !mq.drops_for(Some("sh")));
        let tg = OFFICIAL_DROPPERS.iter().find(|d| d.image == "telegraf").unwrap();
        assert!(tg.drops_for(Some("anything")));
    }

    #[test]
    fn families_and_shipped_users() {
        assert_eq!(family(&img("python:3.13-slim")), Family::Debian);
        assert_eq!(family(&img("python:3.13-alpine3.21")), Family::Alpine);
        assert_eq!(family(&img("python")), Family::Debian);
        assert_eq!(family(&img("eclipse-temurin:21-jre-noble")), Family::Debian);
        assert_eq!(family(&img("amazoncorretto:21-al2023")), Family::Unknown);
        assert_eq!(family(&img("ghcr.io/acme/app")), Family::Unknown);
        assert_eq!(family(&img("gcr.io/distroless/static")), Family::Distroless);
        let node = shipped_user(&img("node:22-alpine")).unwrap();
        assert_eq!((node.name, node.ids), ("node", Some("1000:1000")));
        assert_eq!(shipped_user(&img("ubuntu:24.04")).map(|u| u.name), Some("ubuntu"));
        assert_eq!(shipped_user(&img("ubuntu:22.04")), None);
        assert_eq!(shipped_user(&img("ubuntu:jammy")), None);
        assert_eq!(
            shipped_user(&img("eclipse-temurin:21-noble")).map(|u| u.name),
            Some("ubuntu")
        );
        assert_eq!(
            shipped_user(&img("postgres:17-alpine")).map(|u| (u.name, u.ids)),
            Some(("postgres", None))
        );
        assert_eq!(shipped_user(&img("python:3.13")), None);
        assert_eq!(
            shipped_user(&img("gcr.io/distroless/static-debian12")).and_then(|u| u.ids),
            Some("65532:65532")
        );
    }
}
