//! What the editing features know about instruction flags, `RUN --mount` options and their values: the
//! flags BuildKit's current Dockerfile frontend documents per instruction, with a signature, a snippet
//! and the catalog id of their documentation (shared by completion and hover).
//!
//! Source: the Dockerfile reference (docs.docker.com/reference/dockerfile, BuildKit's
//! `frontend/dockerfile/docs/reference.md`): `RUN --mount` types and options, `--network`, `--security`,
//! `--device`; `COPY --from/--chown/--chmod/--link/--parents/--exclude`;
//! `ADD --keep-git-dir/--checksum/--chmod/--chown/--link/--unpack/--exclude`; `FROM --platform`;
//! `HEALTHCHECK --interval/--timeout/--start-period/--start-interval/--retries`.

use crate::syntax::Kind;

/// A flag an instruction accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagDoc {
    pub kind: Kind,
    /// The name without `--`.
    pub name: &'static str,
    /// How it is written (`--mount=type=<type>[,<option>=<value>...]`).
    pub signature: &'static str,
    /// The completion snippet, `--` included.
    pub snippet: &'static str,
    /// `--name=value` (true) or a bare `--name` (false).
    pub takes_value: bool,
    /// May be given more than once.
    pub repeatable: bool,
}

const fn flag(
    kind: Kind,
    name: &'static str,
    signature: &'static str,
    snippet: &'static str,
    takes_value: bool,
    repeatable: bool,
) -> FlagDoc {
    FlagDoc {
        kind,
        name,
        signature,
        snippet,
        takes_value,
        repeatable,
    }
}

/// Every flag, in the order completion offers them (most used first).
pub const FLAGS: &[FlagDoc] = &[
    flag(
        Kind::From,
        "platform",
        "--platform=<os>/<arch>[/<variant>]",
        "--platform=${1:\\$BUILDPLATFORM}",
        true,
        false,
    ),
    flag(
        Kind::Run,
        "mount",
        "--mount=[type=<type>][,<option>=<value>...]",
        "--mount=type=${1|cache,bind,secret,ssh,tmpfs|}",
        true,
        true,
    ),
    flag(
        Kind::Run,
        "network",
        "--network=default|none|host",
        "--network=${1|none,default,host|}",
        true,
        false,
    ),
    flag(
        Kind::Run,
        "security",
        "--security=sandbox|insecure",
        "--security=${1|sandbox,insecure|}",
        true,
        false,
    ),
    flag(
        Kind::Run,
        "device",
        "--device=<name>[,required]",
        "--device=${1:name}",
        true,
        true,
    ),
    flag(
        Kind::Copy,
        "from",
        "--from=<stage|image|context>",
        "--from=${1:stage}",
        true,
        false,
    ),
    flag(
        Kind::Copy,
        "chown",
        "--chown=<user>[:<group>]",
        "--chown=${1:user}:${2:group}",
        true,
        false,
    ),
    flag(Kind::Copy, "chmod", "--chmod=<perms>", "--chmod=${1:0644}", true, false),
    flag(Kind::Copy, "link", "--link[=<boolean>]", "--link", false, false),
    flag(
        Kind::Copy,
        "parents",
        "--parents[=<boolean>]",
        "--parents",
        false,
        false,
    ),
    flag(
        Kind::Copy,
        "exclude",
        "--exclude=<pattern>",
        "--exclude=${1:pattern}",
        true,
        true,
    ),
    flag(
        Kind::Add,
        "checksum",
        "--checksum=<hash>",
        "--checksum=sha256:${1:hash}",
        true,
        false,
    ),
    flag(
        Kind::Add,
        "chown",
        "--chown=<user>[:<group>]",
        "--chown=${1:user}:${2:group}",
        true,
        false,
    ),
    flag(Kind::Add, "chmod", "--chmod=<perms>", "--chmod=${1:0644}", true, false),
    flag(Kind::Add, "link", "--link[=<boolean>]", "--link", false, false),
    flag(
        Kind::Add,
        "keep-git-dir",
        "--keep-git-dir[=<boolean>]",
        "--keep-git-dir",
        false,
        false,
    ),
    flag(
        Kind::Add,
        "unpack",
        "--unpack[=<boolean>]",
        "--unpack=${1|true,false|}",
        false,
        false,
    ),
    flag(
        Kind::Add,
        "exclude",
        "--exclude=<pattern>",
        "--exclude=${1:pattern}",
        true,
        true,
    ),
    flag(
        Kind::Healthcheck,
        "interval",
        "--interval=<duration> (default 30s)",
        "--interval=${1:30s}",
        true,
        false,
    ),
    flag(
        Kind::Healthcheck,
        "timeout",
        "--timeout=<duration> (default 30s)",
        "--timeout=${1:30s}",
        true,
        false,
    ),
    flag(
        Kind::Healthcheck,
        "start-period",
        "--start-period=<duration> (default 0s)",
        "--start-period=${1:0s}",
        true,
        false,
    ),
    flag(
        Kind::Healthcheck,
        "start-interval",
        "--start-interval=<duration> (default 5s)",
        "--start-interval=${1:5s}",
        true,
        false,
    ),
    flag(
        Kind::Healthcheck,
        "retries",
        "--retries=<number> (default 3)",
        "--retries=${1:3}",
        true,
        false,
    ),
];

/// The flags of an instruction.
pub fn flags_of(kind: Kind) -> impl Iterator<Item = &'static FlagDoc> {
    FLAGS.iter().filter(move |f| f.kind == kind)
}

/// The flag `name` of an instruction (ASCII case-insensitive, as BuildKit reads flag names).
pub fn flag_doc(kind: Kind, name: &str) -> Option<&'static FlagDoc> {
    flags_of(kind).find(|f| f.name.eq_ignore_ascii_case(name))
}

/// The catalog id of a flag's documentation.
pub fn flag_message(name: &str) -> String {
    format!("flag.{name}")
}

/// `RUN --mount` types, most used first (`bind` is the default).
pub const MOUNT_TYPES: [&str; 5] = ["cache", "bind", "secret", "ssh", "tmpfs"];

/// The options of a mount type, in the order completion offers them (canonical spellings).
pub fn mount_keys(ty: &str) -> &'static [&'static str] {
    match ty {
        "cache" => &["target", "id", "sharing", "from", "source", "mode", "uid", "gid", "ro"],
        "tmpfs" => &["target", "size"],
        "secret" => &["id", "target", "env", "required", "mode", "uid", "gid"],
        "ssh" => &["id", "target", "required", "mode", "uid", "gid"],
        // `bind`, and anything unknown (BuildKit rejects unknown types; bind is the default).
        _ => &["target", "source", "from", "rw"],
    }
}

/// The canonical spelling of a mount option (`dst`, `destination` → `target`; `readonly` → `ro`;
/// `readwrite` → `rw`; `src` → `source`), or `None` for an unknown option.
pub fn mount_key_canonical(key: &str) -> Option<&'static str> {
    Some(match key.to_ascii_lowercase().as_str() {
        "type" => "type",
        "target" | "dst" | "destination" => "target",
        "source" | "src" => "source",
        "from" => "from",
        "id" => "id",
        "sharing" => "sharing",
        "mode" => "mode",
        "uid" => "uid",
        "gid" => "gid",
        "required" => "required",
        "env" => "env",
        "ro" | "readonly" => "ro",
        "rw" | "readwrite" => "rw",
        "size" => "size",
        _ => return None,
    })
}

/// Whether a mount option is a boolean written alone (`ro`, `rw`) rather than `key=value`.
pub fn mount_key_is_bare(key: &str) -> bool {
    matches!(key, "ro" | "rw")
}

/// Values of an enumerable mount option.
pub fn mount_values(key: &str) -> &'static [&'static str] {
    match key {
        "type" => &MOUNT_TYPES,
        "sharing" => &["shared", "private", "locked"],
        "required" | "ro" | "rw" => &["true", "false"],
        _ => &[],
    }
}

/// The catalog id of a mount option's documentation.
pub fn mount_key_message(key: &str) -> String {
    format!("mount.key.{key}")
}

/// The catalog id of a documented flag or option value (`--network=host`, `type=secret`,
/// `sharing=locked`), if there is one.
pub fn value_message(flag: &str, value: &str) -> Option<String> {
    let known = match flag {
        "network" => ["default", "none", "host"].contains(&value),
        "security" => ["sandbox", "insecure"].contains(&value),
        "type" => MOUNT_TYPES.contains(&value),
        "sharing" => ["shared", "private", "locked"].contains(&value),
        _ => false,
    };
    known.then(|| format!("value.{flag}.{value}"))
}

/// Values of an enumerable flag (besides `--platform`, `--from` and booleans, which completion computes).
pub fn flag_values(name: &str) -> &'static [&'static str] {
    match name {
        "network" => &["none", "default", "host"],
        "security" => &["sandbox", "insecure"],
        "link" | "parents" | "keep-git-dir" | "unpack" => &["true", "false"],
        "interval" | "timeout" => &["30s"],
        "start-period" => &["0s"],
        "start-interval" => &["5s"],
        "retries" => &["3"],
        _ => &[],
    }
}

/// Platforms offered after `--platform=`, besides the `$BUILDPLATFORM`/`$TARGETPLATFORM` variables.
pub const PLATFORMS: [&str; 9] = [
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "linux/riscv64",
    "windows/amd64",
];

/// BuildKit's build checks (docs.docker.com/reference/build-checks), the names `# check=skip=` takes.
pub const BUILD_CHECKS: [&str; 22] = [
    "ConsistentInstructionCasing",
    "CopyIgnoredFile",
    "DuplicateStageName",
    "ExposeInvalidFormat",
    "ExposeProtoCasing",
    "FromAsCasing",
    "FromPlatformFlagConstDisallowed",
    "InvalidBaseImagePlatform",
    "InvalidDefaultArgInFrom",
    "InvalidDefinitionDescription",
    "JSONArgsRecommended",
    "LegacyKeyValueFormat",
    "MaintainerDeprecated",
    "MultipleInstructionsDisallowed",
    "NoEmptyContinuation",
    "RedundantTargetPlatform",
    "ReservedStageName",
    "SecretsUsedInArgOrEnv",
    "StageNameCasing",
    "UndefinedArgInFrom",
    "UndefinedVar",
    "WorkdirRelativePath",
];

/// Signals offered after `STOPSIGNAL`.
pub const SIGNALS: [&str; 8] = [
    "SIGTERM", "SIGINT", "SIGQUIT", "SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_is_one_the_parser_accepts_and_has_docs() {
        for f in FLAGS {
            assert!(
                f.kind.flags().iter().any(|s| s.name == f.name),
                "--{} is not a flag of {:?}",
                f.name,
                f.kind
            );
            assert!(crate::messages::exists(&flag_message(f.name)), "{}", f.name);
            assert!(f.snippet.starts_with(&format!("--{}", f.name)));
        }
        for ty in MOUNT_TYPES {
            for k in mount_keys(ty).iter().chain(["type"].iter()) {
                assert_eq!(mount_key_canonical(k), Some(*k));
                assert!(crate::messages::exists(&mount_key_message(k)), "{k}");
            }
            assert!(value_message("type", ty).is_some_and(|id| crate::messages::exists(&id)));
        }
        for (flag, values) in [
            ("network", &["default", "none", "host"][..]),
            ("security", &["sandbox", "insecure"]),
            ("sharing", &["shared", "private", "locked"]),
        ] {
            for v in values {
                assert!(
                    value_message(flag, v).is_some_and(|id| crate::messages::exists(&id)),
                    "{flag}={v}"
                );
            }
        }
    }
}
