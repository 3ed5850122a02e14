//! The rule registry: one file per rule, one line per rule in [`RULES`].
//!
//! A rule file declares its metadata with [`declare_rule!`]; the `///` lines above the declaration are
//! the rule's user documentation, served by `dockward rule CODE`, hover and the generated docs. It ends
//! with a `## 日本語` section, the Japanese documentation ([`ja`], [`Rule::doc_in`]).

mod add_instead_of_copy;
mod base_image_without_digest;
mod consistent_instruction_casing;
mod credential_in_run;
mod docker_socket_exposed;
pub mod docs;
mod download_and_execute;
mod download_verification_disabled;
mod duplicate_stage_name;
mod empty_continuation_line;
mod end_of_life_base_image;
mod expose_invalid_format;
mod expose_proto_casing;
mod from_as_casing;
mod from_platform_flag_const_disallowed;
mod frozen_base_image_tag;
mod ignored_directive;
mod ignored_file_copied;
mod insecure_run_flag;
mod invalid_default_arg_in_from;
pub(crate) mod invalid_expose_port;
mod invalid_ignore_pattern;
mod invalid_instruction;
mod invalid_stop_signal;
mod invalid_utf8;
mod json_args_recommended;
mod legacy_key_value_format;
mod maintainer_deprecated;
mod misleading_ignore_line;
mod multiple_instructions_disallowed;
pub mod per_stage;
mod redundant_target_platform;
pub(crate) mod remote_add_without_checksum;
mod reserved_stage_name;
mod root_only_ignore_pattern;
mod root_user;
mod secret_file_copied;
mod secret_in_arg_or_env;
mod secret_left_in_layer;
pub(crate) mod sensitive_context_copied;
mod sensitive_file_reincluded;
mod shadowed_ignore_pattern;
mod ssh_server_in_image;
mod stage_name_casing;
mod sudo_in_run;
mod syntax_error;
pub(crate) mod undefined_arg_in_from;
mod undefined_var;
mod unknown_flag;
mod unknown_instruction;
pub(crate) mod unknown_pragma_code;
mod unofficial_base_image;
pub(crate) mod unpinned_base_image;
pub(crate) mod unused_pragma;
mod workdir_relative_path;
mod world_writable_permissions;

#[cfg(test)]
pub(crate) mod testing;

use crate::check::Input;
use crate::diagnostic::{Applicability, Diagnostic, FileRef, Fix, Severity, TextEdit};
use crate::messages::{self, Locale};
use crate::model::Model;
use crate::settings::Settings;
use crate::syntax::{Dockerfile, ItemRef};
use crate::text::TextRange;

/// Whether a rule can fix what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "always",
        }
    }
}

/// A rule: metadata, documentation and its check function.
pub struct Rule {
    /// `DW001`.
    pub code: &'static str,
    /// `syntax-error`: the pattern it flags, in kebab case.
    pub name: &'static str,
    pub severity: Severity,
    /// Families: `syntax`, `privilege`, `secrets`, `supply-chain`, `build-context`, `hardening`, `correctness`,
    /// `meta`.
    pub tags: &'static [&'static str],
    pub fix: FixAvailability,
    /// The version that introduced it.
    pub since: &'static str,
    /// Markdown documentation: a one-line summary, then `## What it does`, `## Why is this bad?`, ...,
    /// and last the Japanese section `## 日本語` ([`ja`]). Read it through [`Rule::doc`] (English) or
    /// [`Rule::doc_in`].
    pub doc: &'static str,
    /// Equivalent checks of other tools, as `tool:ID` (`hadolint:DL3002`, `buildkit:SecretsUsedInArgOrEnv`,
    /// `trivy:DS002`, `checkov:CKV_DOCKER_3`). Their suppression comments also suppress this rule.
    pub also: &'static [&'static str],
    /// An opt-in rule runs only when a selector names it by code or name (`select`, `extend-select`):
    /// `ALL`, prefixes and tags do not turn it on.
    pub opt_in: bool,
    /// For a [`Check::Dockerfile`] rule: the instruction kinds whose items it reads (an `ONBUILD`'s inner
    /// instruction counts as `ONBUILD`; a rule that reads the model lists `FROM`, `ARG`, `ENV` and `USER`,
    /// the kinds the model is built from). Its findings then depend only on those items, the ignore file,
    /// the context listing, the parser directives, the date and the settings, and the engine answers a check
    /// where none of them changed from the memo ([`check_memoised`]). `None`: the rule runs on every check.
    pub reads: Option<Reads>,
    /// Whether the rule reads the build context's listing (`Input::context`). Only such a rule's memoised
    /// findings are keyed on the listing: when the language server's scan of the context lands, or a
    /// watched file in it changes, the other rules are answered from their memos.
    pub reads_context: bool,
    /// For a [`Check::Dockerfile`] rule that declares what it reads: its findings in a stage depend only on
    /// what it reads of that stage, of the stages it is built on (`FROM <stage>`) and of the items before
    /// the first `FROM`, and on whether the stage is the last one or one the final stage is built on; it
    /// resolves no stage name itself (the model's bases are followed); and it looks at one stage at a time
    /// through [`Ctx::stages`], [`Ctx::instructions`], [`Ctx::runs`] and [`Ctx::global_args`]. A keystroke
    /// then runs it again only on the stage it changed ([`per_stage`]).
    pub per_stage: bool,
    pub check: Check,
}

/// What a whole-file rule reads ([`Rule::reads`]).
#[derive(Clone, Copy)]
pub enum Reads {
    /// The items of these instruction kinds.
    Kinds(&'static [crate::syntax::Kind]),
    /// The items of these kinds and every instruction that can hold an image reference
    /// (`Instruction::may_hold_image`: `FROM`, `COPY --from`, `RUN --mount=from=`). The image rules read the
    /// model's kinds this way.
    KindsAndImages(&'static [crate::syntax::Kind]),
}

impl Reads {
    /// The items read, as a mask over [`ItemPrint::bits`]: an `ONBUILD` item is read by every rule.
    pub(crate) const fn mask(self) -> u32 {
        let onbuild = kind_mask(&[crate::syntax::Kind::Onbuild]);
        match self {
            Reads::Kinds(kinds) => kind_mask(kinds) | onbuild,
            Reads::KindsAndImages(kinds) => kind_mask(kinds) | onbuild | IMAGE_HOLDER,
        }
    }
}

/// The fingerprint of the items a [`Reads::mask`] designates (with the environment's), and their number.
pub(crate) struct ReadPrint {
    mask: u32,
    fingerprint: u128,
    count: usize,
}

/// Kinds as bits (there are 19).
const fn kind_mask(kinds: &[crate::syntax::Kind]) -> u32 {
    let mut mask = 0;
    let mut i = 0;
    while i < kinds.len() {
        mask |= 1 << kinds[i] as u32;
        i += 1;
    }
    mask
}

/// The bit of [`ItemPrint::bits`] for an instruction that can hold an image reference.
const IMAGE_HOLDER: u32 = 1 << 31;

/// The distinct [`Reads::mask`]s of the whole-file rules.
static READ_MASKS: std::sync::LazyLock<Vec<u32>> = std::sync::LazyLock::new(|| {
    let mut masks: Vec<u32> = Vec::new();
    for rule in RULES {
        if let (Check::Dockerfile(_), Some(reads)) = (rule.check, rule.reads)
            && !masks.contains(&reads.mask())
        {
            masks.push(reads.mask());
        }
    }
    masks
});

/// The kinds the model is built from (with `ONBUILD`, which every rule reads): most rules read these.
const MODEL_READS: u32 = Reads::Kinds(&[
    crate::syntax::Kind::From,
    crate::syntax::Kind::Arg,
    crate::syntax::Kind::Env,
    crate::syntax::Kind::User,
])
.mask();

/// What a rule reads: the Dockerfile (with its ignore file and context), or the ignore file alone.
#[derive(Clone, Copy)]
pub enum Check {
    /// Runs in [`crate::check::check`] on a Dockerfile.
    Dockerfile(fn(&Ctx, &mut Sink)),
    /// Runs on one instruction at a time (see [`Instr`]): its findings depend only on the instruction's text,
    /// the escape character and the locale, and every range it reports (findings, fix edits, related places)
    /// lies inside the instruction. The engine memoises an instruction's findings by its text across checks
    /// ([`check_instructions`]), so a keystroke re-runs these rules on the one instruction it changed.
    Instruction(fn(&Ctx, &Instr, &mut Sink)),
    /// Runs on an ignore file, in [`crate::check::check_ignore`] (the ignore file as a document) and in
    /// [`crate::check::check`] when the Dockerfile's input has an ignore file; reports on
    /// [`FileRef::IgnoreFile`].
    IgnoreFile(fn(&IgnoreCtx, &mut Sink)),
}

impl Rule {
    /// Whether the rule checks ignore files.
    pub fn on_ignore_file(&self) -> bool {
        matches!(self.check, Check::IgnoreFile(_))
    }
}

impl Rule {
    /// Whether `tool:id` (for example `hadolint:DL3002`) names an equivalent of this rule.
    pub fn is_also(&self, tool: &str, id: &str) -> bool {
        self.also.iter().any(|a| {
            a.split_once(':')
                .is_some_and(|(t, i)| t == tool && i.eq_ignore_ascii_case(id))
        })
    }

    /// The whole doc comment with the one-space indent of `///` comments removed, the Japanese section
    /// included.
    fn full_doc(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// The English documentation: the doc comment without its `## 日本語` section.
    pub fn doc(&self) -> String {
        let full = self.full_doc();
        let lines: Vec<&str> = full.lines().collect();
        let Some(start) = lines.iter().position(|l| l.trim() == JA_MARKER) else {
            return full;
        };
        let end = lines[start + 1..]
            .iter()
            .position(|l| l.starts_with("## "))
            .map_or(lines.len(), |i| start + 1 + i);
        let kept: Vec<&str> = lines[..start].iter().chain(&lines[end..]).copied().collect();
        kept.join("\n").trim().to_string() + "\n"
    }

    /// The first line of the English documentation.
    pub fn summary(&self) -> String {
        self.doc().lines().next().unwrap_or("").trim().to_string()
    }

    /// The section `## <heading>` of the English documentation, without the heading.
    pub fn section(&self, heading: &str) -> Option<String> {
        section_of(&self.doc(), heading)
    }

    /// The subsection `### <heading>` of the `## 日本語` section ([`ja`]), its soft-wrapped lines joined as
    /// Japanese text is: without a space between two lines unless both sides are ASCII.
    pub fn ja_section(&self, heading: &str) -> Option<String> {
        let ja = section_of(&self.full_doc(), &JA_MARKER[3..])?;
        let marker = format!("### {heading}");
        let start = ja.lines().position(|l| l.trim() == marker)?;
        let body: Vec<&str> = ja
            .lines()
            .skip(start + 1)
            .take_while(|l| !l.starts_with("### "))
            .collect();
        Some(join_soft_wraps(&body).trim().to_string())
    }

    /// The one-line summary in `locale` (English when the rule has no translation).
    pub fn summary_in(&self, locale: Locale) -> String {
        match locale {
            Locale::Ja => self.ja_section(ja::SUMMARY).unwrap_or_else(|| self.summary()),
            Locale::En => self.summary(),
        }
    }

    /// The documentation in `locale`. In Japanese: the summary and the translated sections
    /// ([`ja::SECTIONS`]) under Japanese headings, then the English sections that are reference
    /// material rather than prose (the example, what to write instead, the references), under their
    /// English headings so that the reader sees they are untranslated. The English "What it does",
    /// "Why is this bad?" and "Fix safety" are left out: their Japanese versions stand in for them.
    pub fn doc_in(&self, locale: Locale) -> String {
        if locale == Locale::En || self.ja_section(ja::SUMMARY).is_none() {
            return self.doc();
        }
        let mut s = self.summary_in(locale) + "\n";
        for h in ja::SECTIONS {
            if let Some(body) = self.ja_section(h) {
                s.push_str(&format!("\n## {h}\n{body}\n"));
            }
        }
        s.push_str(&format!("\n{}\n", ja::REFERENCE_NOTE));
        for h in ja::ENGLISH_REFERENCE {
            if let Some(body) = self.section(h) {
                s.push_str(&format!("\n## {h}\n{body}\n"));
            }
        }
        s
    }

    /// The file name of the generated doc page, `DW001-syntax-error.md`.
    pub fn doc_file(&self) -> String {
        format!("{}-{}.md", self.code, self.name)
    }
}

/// The line that opens a rule doc's Japanese section.
const JA_MARKER: &str = "## 日本語";

/// The Japanese section of a rule's doc comment: `## 日本語`, after the English sections, holding
/// `### 概要` (the one-line summary), `### 検出内容` (what it does), `### なぜ問題か` (why it matters),
/// `### 対処法` (what to do instead) and, for a rule with a fix, `### 修正の安全性` (fix safety).
/// `tests/tidy.rs` checks that every rule has them and that they are written in Japanese.
pub mod ja {
    /// The one-line summary.
    pub const SUMMARY: &str = "概要";
    /// The subsections after the summary, in the order they are shown.
    pub const SECTIONS: [&str; 4] = ["検出内容", "なぜ問題か", "対処法", "修正の安全性"];
    /// The subsection a rule with a fix must have.
    pub const FIX_SAFETY: &str = "修正の安全性";
    /// The English sections [`super::Rule::doc_in`] keeps after the Japanese ones.
    pub const ENGLISH_REFERENCE: [&str; 3] = ["Example", "Use instead", "References"];
    /// The line between the Japanese sections and the English reference sections.
    pub const REFERENCE_NOTE: &str = "---\n\n以下は英語版のコード例と参考資料です。";
}

/// The section `## <heading>` of a Markdown doc, without the heading.
fn section_of(doc: &str, heading: &str) -> Option<String> {
    let marker = format!("## {heading}");
    let start = doc.lines().position(|l| l.trim() == marker)?;
    let body: Vec<&str> = doc
        .lines()
        .skip(start + 1)
        .take_while(|l| !l.starts_with("## "))
        .collect();
    Some(body.join("\n").trim().to_string())
}

/// Joins the soft-wrapped lines of Japanese paragraphs: two lines of a paragraph meet without a space
/// (a space between Japanese characters would show), except between two ASCII characters, where the
/// wrap stood for a space. Blank lines, list items and code blocks keep their line breaks.
fn join_soft_wraps(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut prev_joinable = false;
    for line in lines {
        let fence = line.trim_start().starts_with("```");
        let starts_block = line.trim().is_empty() || fence || line.starts_with("- ") || line.starts_with('#');
        if in_code || starts_block || !prev_joinable {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        } else {
            let line = line.trim_start();
            let (a, b) = (out.chars().last(), line.chars().next());
            if a.is_some_and(|c| c.is_ascii()) && b.is_some_and(|c| c.is_ascii()) {
                out.push(' ');
            }
            out.push_str(line);
        }
        if fence {
            in_code = !in_code;
        }
        prev_joinable = !in_code && !fence && !line.trim().is_empty() && !line.starts_with('#');
    }
    out
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.code == other.code
    }
}

impl Eq for Rule {}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("code", &self.code)
            .field("name", &self.name)
            .finish()
    }
}

/// Declares a rule; the doc comment above becomes its documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        pub static $id:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $sev:ident,
            tags: [$($tag:literal),* $(,)?],
            fix: $fix:ident,
            since: $since:literal,
            $(also: [$($also:literal),* $(,)?],)?
            $(opt_in: $opt_in:literal,)?
            $(reads: [$($read:ident),* $(,)?],)?
            $(reads_images_and: [$($read_images:ident),* $(,)?],)?
            $(per_stage: $per_stage:literal,)?
            $(reads_context: $reads_context:literal,)?
            $(check: $check:ident)?
            $(instruction_check: $instruction_check:ident)?
            $(ignore_check: $ignore_check:ident)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub static $id: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$sev,
            tags: &[$($tag),*],
            fix: $crate::rules::FixAvailability::$fix,
            since: $since,
            doc: concat!($($doc, "\n"),*),
            also: &[$($($also),*)?],
            opt_in: false $(|| $opt_in)?,
            reads: {
                #[allow(unused_variables)]
                let reads: Option<$crate::rules::Reads> = None;
                $(let reads = Some($crate::rules::Reads::Kinds(&[$($crate::syntax::Kind::$read),*]));)?
                $(let reads = Some($crate::rules::Reads::KindsAndImages(&[$($crate::syntax::Kind::$read_images),*]));)?
                reads
            },
            per_stage: false $(|| $per_stage)?,
            reads_context: false $(|| $reads_context)?,
            check: $($crate::rules::Check::Dockerfile($check))?
                $($crate::rules::Check::Instruction($instruction_check))?
                $($crate::rules::Check::IgnoreFile($ignore_check))?,
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, sorted by code. Codes are never reused; a removed rule keeps its entry.
pub static RULES: &[&Rule] = &[
    &syntax_error::SYNTAX_ERROR,
    &unknown_instruction::UNKNOWN_INSTRUCTION,
    &unknown_flag::UNKNOWN_FLAG,
    &invalid_instruction::INVALID_INSTRUCTION,
    &empty_continuation_line::EMPTY_CONTINUATION_LINE,
    &ignored_directive::IGNORED_DIRECTIVE,
    &invalid_utf8::INVALID_UTF8,
    &root_user::ROOT_USER,
    &unofficial_base_image::UNOFFICIAL_BASE_IMAGE,
    &unpinned_base_image::UNPINNED_BASE_IMAGE,
    &base_image_without_digest::BASE_IMAGE_WITHOUT_DIGEST,
    &end_of_life_base_image::END_OF_LIFE_BASE_IMAGE,
    &frozen_base_image_tag::FROZEN_BASE_IMAGE_TAG,
    &secret_in_arg_or_env::SECRET_IN_ARG_OR_ENV,
    &secret_file_copied::SECRET_FILE_COPIED,
    &credential_in_run::CREDENTIAL_IN_RUN,
    &secret_left_in_layer::SECRET_LEFT_IN_LAYER,
    &sensitive_context_copied::SENSITIVE_CONTEXT_COPIED,
    &ignored_file_copied::IGNORED_FILE_COPIED,
    &invalid_ignore_pattern::INVALID_IGNORE_PATTERN,
    &sensitive_file_reincluded::SENSITIVE_FILE_REINCLUDED,
    &misleading_ignore_line::MISLEADING_IGNORE_LINE,
    &root_only_ignore_pattern::ROOT_ONLY_IGNORE_PATTERN,
    &shadowed_ignore_pattern::SHADOWED_IGNORE_PATTERN,
    &remote_add_without_checksum::REMOTE_ADD_WITHOUT_CHECKSUM,
    &add_instead_of_copy::ADD_INSTEAD_OF_COPY,
    &download_and_execute::DOWNLOAD_AND_EXECUTE,
    &download_verification_disabled::DOWNLOAD_VERIFICATION_DISABLED,
    &docker_socket_exposed::DOCKER_SOCKET_EXPOSED,
    &sudo_in_run::SUDO_IN_RUN,
    &world_writable_permissions::WORLD_WRITABLE_PERMISSIONS,
    &ssh_server_in_image::SSH_SERVER_IN_IMAGE,
    &insecure_run_flag::INSECURE_RUN_FLAG,
    &stage_name_casing::STAGE_NAME_CASING,
    &from_as_casing::FROM_AS_CASING,
    &consistent_instruction_casing::CONSISTENT_INSTRUCTION_CASING,
    &duplicate_stage_name::DUPLICATE_STAGE_NAME,
    &reserved_stage_name::RESERVED_STAGE_NAME,
    &json_args_recommended::JSON_ARGS_RECOMMENDED,
    &maintainer_deprecated::MAINTAINER_DEPRECATED,
    &undefined_arg_in_from::UNDEFINED_ARG_IN_FROM,
    &invalid_default_arg_in_from::INVALID_DEFAULT_ARG_IN_FROM,
    &workdir_relative_path::WORKDIR_RELATIVE_PATH,
    &undefined_var::UNDEFINED_VAR,
    &multiple_instructions_disallowed::MULTIPLE_INSTRUCTIONS_DISALLOWED,
    &legacy_key_value_format::LEGACY_KEY_VALUE_FORMAT,
    &redundant_target_platform::REDUNDANT_TARGET_PLATFORM,
    &from_platform_flag_const_disallowed::FROM_PLATFORM_FLAG_CONST_DISALLOWED,
    &expose_proto_casing::EXPOSE_PROTO_CASING,
    &expose_invalid_format::EXPOSE_INVALID_FORMAT,
    &invalid_expose_port::INVALID_EXPOSE_PORT,
    &invalid_stop_signal::INVALID_STOP_SIGNAL,
    &unknown_pragma_code::UNKNOWN_PRAGMA_CODE,
    &unused_pragma::UNUSED_PRAGMA,
];

/// The rule with this code or name.
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// What a rule can read: the input, the parse tree, the model and the settings. All of it is immutable
/// and in memory: a rule never does IO.
pub struct Ctx<'a> {
    pub input: &'a Input<'a>,
    pub text: &'a str,
    pub tree: &'a Dockerfile,
    pub model: &'a Model,
    pub settings: &'a Settings,
    /// The parser's problems, collected once for all the rules that report them.
    pub(crate) parse_errors: std::cell::OnceCell<Vec<crate::syntax::SyntaxError>>,
    /// Every image reference, collected once for all the image rules.
    pub(crate) image_uses: std::cell::OnceCell<Vec<crate::model::refs::ImageUse>>,
    /// The shell scripts of every `RUN`, parsed once for all the rules that read them.
    pub(crate) runs: std::cell::OnceCell<Vec<Run<'a>>>,
    /// What [`check_memoised`] fingerprints, computed once per check.
    pub(crate) environment: std::cell::OnceCell<u128>,
    /// The fingerprint of the build context's listing, once per check ([`Ctx::context_fingerprint`]).
    pub(crate) context_print: std::cell::OnceCell<u128>,
    pub(crate) item_hashes: std::cell::OnceCell<std::sync::Arc<Vec<ItemPrint>>>,
    pub(crate) settings_text: std::cell::OnceCell<String>,
    /// The fingerprints of what the whole-file rules read, computed together once per check.
    pub(crate) read_prints: std::cell::OnceCell<Vec<ReadPrint>>,
    /// This check's fold ([`ReadFold::id`]) and what its item table kept from the check before; set with
    /// `read_prints`.
    pub(crate) item_window: std::cell::Cell<(u64, Option<ItemWindow>)>,
    /// The items each [`Reads::mask`] designates, listed when a check needs them.
    #[allow(clippy::type_complexity)]
    pub(crate) read_items: std::cell::RefCell<Vec<(u32, std::sync::Arc<Vec<(u32, u32)>>)>>,
    /// What a per-stage rule runs on now ([`per_stage`]); `None`: the whole file.
    pub(crate) part: std::cell::Cell<Option<per_stage::Part>>,
    /// The `RUN`s of each part, listed when a per-stage rule first asks for them.
    pub(crate) part_runs: std::cell::OnceCell<Vec<std::cell::OnceCell<Vec<Run<'a>>>>>,
    /// The image references of each part, listed when a per-stage rule first asks for them.
    #[allow(clippy::type_complexity)]
    pub(crate) part_image_uses: std::cell::OnceCell<Vec<std::cell::OnceCell<Vec<crate::model::refs::ImageUse>>>>,
    /// The parts and what their keys are made of, once per check ([`per_stage`]).
    pub(crate) stage_facts: std::cell::OnceCell<Option<per_stage::StageFacts>>,
    /// Each part's key for a read set, computed when a check first needs it.
    #[allow(clippy::type_complexity)]
    pub(crate) part_keys: std::cell::RefCell<Vec<(u32, per_stage::PartKeys)>>,
    /// The parts whose keys changed since a rule's last check, per pair of key lists ([`per_stage`]).
    #[allow(clippy::type_complexity)]
    pub(crate) changed_parts: std::cell::RefCell<
        Vec<(
            std::sync::Arc<Vec<u128>>,
            std::sync::Arc<Vec<u128>>,
            std::rc::Rc<Vec<usize>>,
        )>,
    >,
    /// What the whole file copies by name, and its fingerprint ([`Ctx::copied_by_name`]).
    pub(crate) copied_by_name: std::cell::OnceCell<sensitive_context_copied::CopiedByName>,
}

/// An item as the whole-file memo sees it: its text's hash, its instruction kind (none for a comment) and
/// where it is. A compact table: passes over it do not touch the tree's nodes.
#[derive(Clone)]
pub(crate) struct ItemPrint {
    pub(crate) hash: u128,
    pub(crate) kind: Option<crate::syntax::Kind>,
    /// The kind as a bit ([`kind_mask`]), with [`IMAGE_HOLDER`] for an instruction that can hold an
    /// image reference; 0 for a comment. [`Reads::mask`] selects items by these.
    pub(crate) bits: u32,
    pub(crate) start: u32,
    pub(crate) len: u32,
    /// Whether the item has problems of its own ([`Ctx::parse_errors`] reads only those items).
    pub(crate) has_errors: bool,
}

/// One `RUN` instruction and the shell scripts it executes (see [`crate::shell::run_scripts`]).
pub struct Run<'a> {
    pub item: ItemRef<'a>,
    pub ins: &'a crate::syntax::Instruction,
    pub scripts: std::sync::Arc<Vec<crate::shell::RunScript>>,
}

/// Parsed RUN scripts by instruction text (with the default escape character, which fixes how the text
/// parses): an edit changes one instruction, the other RUNs of the file are not parsed again.
static RUN_MEMO: crate::memo::Memo<String, std::sync::Arc<Vec<crate::shell::RunScript>>> = crate::memo::Memo::new(2048);

impl<'a> Ctx<'a> {
    /// The context of one check, with nothing computed yet.
    pub(crate) fn new(input: &'a Input<'a>, tree: &'a Dockerfile, model: &'a Model, settings: &'a Settings) -> Ctx<'a> {
        Ctx {
            input,
            text: input.dockerfile,
            tree,
            model,
            settings,
            parse_errors: Default::default(),
            image_uses: Default::default(),
            runs: Default::default(),
            environment: Default::default(),
            context_print: Default::default(),
            item_hashes: Default::default(),
            read_prints: Default::default(),
            item_window: std::cell::Cell::new((0, None)),
            read_items: Default::default(),
            settings_text: Default::default(),
            part: Default::default(),
            part_runs: Default::default(),
            part_image_uses: Default::default(),
            stage_facts: Default::default(),
            part_keys: Default::default(),
            changed_parts: Default::default(),
            copied_by_name: Default::default(),
        }
    }

    /// Every `RUN` of the file in order, with its parsed scripts (parsed once per check); only those of
    /// the stage a per-stage rule runs on ([`per_stage`]).
    pub fn runs(&self) -> &[Run<'a>] {
        let Some(part) = self.part.get() else {
            return self.all_runs();
        };
        self.of_part(
            part,
            &self.runs,
            &self.part_runs,
            |r| r.item.index,
            |items| self.runs_in(items),
        )
    }

    /// What a part holds of a per-item list: the slice of the whole file's list (`all`, sorted by item)
    /// when a whole-file rule has listed it already, else the part's own list, made by `list` when a rule
    /// first asks for it (kept in `parts`).
    fn of_part<'s, T>(
        &'s self,
        part: per_stage::Part,
        all: &'s std::cell::OnceCell<Vec<T>>,
        parts: &'s std::cell::OnceCell<Vec<std::cell::OnceCell<Vec<T>>>>,
        item: impl Fn(&T) -> usize,
        list: impl FnOnce(std::ops::Range<usize>) -> Vec<T>,
    ) -> &'s [T] {
        let (a, b) = part.items;
        if let Some(all) = all.get() {
            let from = all.partition_point(|x| item(x) < a);
            let to = all.partition_point(|x| item(x) < b);
            return &all[from..to];
        }
        let parts = parts.get_or_init(|| {
            (0..=self.model.stages.len())
                .map(|_| std::cell::OnceCell::new())
                .collect()
        });
        match parts.get(part.index) {
            Some(cell) => cell.get_or_init(|| list(a..b)),
            None => &[],
        }
    }

    /// Every `RUN` of the file, whatever the rule runs on.
    fn all_runs(&self) -> &[Run<'a>] {
        self.runs.get_or_init(|| self.runs_in(0..self.tree.items.len()))
    }

    /// The `RUN`s among items `items`, with their scripts parsed (or taken from [`RUN_MEMO`]).
    fn runs_in(&self, items: std::ops::Range<usize>) -> Vec<Run<'a>> {
        let tree: &'a Dockerfile = self.tree;
        let text: &'a str = self.text;
        let memo = tree.escape == '\\';
        items
            .filter_map(|i| tree.item(i))
            .filter_map(|item| item.instruction().map(|ins| (item, ins)))
            .filter(|(_, ins)| ins.kind == crate::syntax::Kind::Run)
            .map(|(item, ins)| {
                let source = crate::shell::item_text(text, &item);
                let parse = || std::sync::Arc::new(crate::shell::run_scripts(source, ins));
                let scripts = if memo { RUN_MEMO.get_or(source, parse) } else { parse() };
                Run { item, ins, scripts }
            })
            .collect()
    }

    /// The parsed scripts of the `RUN` at item `index` (empty when it is not a `RUN`).
    pub fn run_scripts(&self, index: usize) -> &[crate::shell::RunScript] {
        let runs = match self.part.get() {
            Some(p) if (p.items.0..p.items.1).contains(&index) => self.runs(),
            _ => self.all_runs(),
        };
        match runs.binary_search_by_key(&index, |r| r.item.index) {
            Ok(i) => &runs[i].scripts,
            Err(_) => &[],
        }
    }

    /// Every parse problem of the file, absolute.
    pub fn parse_errors(&self) -> &[crate::syntax::SyntaxError] {
        // Only the items with problems are read (the compact item table knows which), and the table is
        // not walked when the tree counts none (most keystrokes).
        self.parse_errors.get_or_init(|| {
            if self.tree.tally.error_items == 0 {
                return self.tree.errors_in(std::iter::empty());
            }
            let prints = self.item_fingerprints();
            self.tree.errors_in((0..prints.len()).filter(|&i| prints[i].has_errors))
        })
    }

    /// Every image the build pulls (`FROM`, `COPY --from`, `RUN --mount=from`), resolved; only those of
    /// the stage a per-stage rule runs on ([`per_stage`]).
    pub fn image_uses(&self) -> &[crate::model::refs::ImageUse] {
        let Some(part) = self.part.get() else {
            return self.all_image_uses();
        };
        self.of_part(
            part,
            &self.image_uses,
            &self.part_image_uses,
            |u| u.item,
            |items| crate::model::refs::image_uses_in(self.text, self.tree, self.model, items),
        )
    }

    /// Every image reference of the file, whatever the rule runs on.
    fn all_image_uses(&self) -> &[crate::model::refs::ImageUse] {
        self.image_uses
            .get_or_init(|| crate::model::refs::image_uses(self.text, self.tree, self.model))
    }

    pub fn locale(&self) -> Locale {
        self.settings.locale
    }

    /// A catalog text in the user's language.
    pub fn msg(&self, id: &str, args: &[(&str, String)]) -> String {
        messages::render(self.locale(), id, args)
    }

    /// What `rule` reported, as diagnostics in the user's language with the severity configured for it.
    pub(crate) fn render(&self, rule: &'static Rule, sink: Sink, out: &mut Vec<Diagnostic>) {
        to_diagnostics(rule, self.settings.configured_severity(rule), self.locale(), sink, out);
    }

    /// A fix that replaces `range` of the Dockerfile with `new_text`.
    pub fn replace(
        &self,
        title_id: &str,
        args: &[(&str, String)],
        range: TextRange,
        new_text: impl Into<String>,
        applicability: Applicability,
    ) -> Fix {
        Fix {
            title: self.msg(title_id, args).into(),
            applicability,
            edits: vec![TextEdit {
                file: FileRef::Dockerfile,
                range,
                new_text: new_text.into().into(),
            }],
            creates: None,
            resolve: None,
        }
    }
}

/// What an ignore-file rule can read: the ignore file's text and parse, Docker's matcher for it (when
/// Docker accepts the file), the build context's listing when the edge scanned it, and the settings.
pub struct IgnoreCtx<'a> {
    pub text: &'a str,
    pub file: &'a crate::syntax::dockerignore::IgnoreFile,
    pub matcher: Option<&'a crate::syntax::dockerignore::Matcher>,
    pub context: Option<&'a crate::check::Context>,
    pub settings: &'a Settings,
}

impl IgnoreCtx<'_> {
    /// A catalog text in the user's language.
    pub fn msg(&self, id: &str, args: &[(&str, String)]) -> String {
        messages::render(self.settings.locale, id, args)
    }

    /// A fix made of edits to the ignore file.
    pub fn fix(
        &self,
        title_id: &str,
        args: &[(&str, String)],
        edits: Vec<(TextRange, String)>,
        applicability: Applicability,
    ) -> Fix {
        Fix {
            title: self.msg(title_id, args).into(),
            applicability,
            edits: edits
                .into_iter()
                .map(|(range, new_text)| TextEdit {
                    file: FileRef::IgnoreFile,
                    range,
                    new_text: new_text.into(),
                })
                .collect(),
            creates: None,
            resolve: None,
        }
    }
}

/// `range` with one adjoining blank: the one after it, else the one before it.
pub(crate) fn with_one_space(text: &str, range: TextRange) -> TextRange {
    let b = text.as_bytes();
    let (s, e) = (range.start as usize, range.end as usize);
    if matches!(b.get(e), Some(b' ' | b'\t')) {
        TextRange::new(range.start, range.end + 1)
    } else if s > 0 && matches!(b.get(s - 1), Some(b' ' | b'\t')) {
        TextRange::new(range.start - 1, range.end)
    } else {
        range
    }
}

/// The edit that adds `# syntax=docker/dockerfile:1` at the top when the file has no syntax
/// directive (features such as `RUN --mount=type=secret,env=` need a recent frontend).
pub(crate) fn syntax_directive_edit(ctx: &Ctx) -> Option<TextEdit> {
    ctx.tree.directive("syntax").is_none().then(|| TextEdit {
        file: FileRef::Dockerfile,
        range: TextRange::empty(0),
        new_text: "# syntax=docker/dockerfile:1\n".to_string().into(),
    })
}

/// A finding as a rule reports it: a catalog message id with arguments; the driver adds the rule's
/// code, severity and the rendered texts.
#[derive(Clone, Debug)]
pub struct Finding {
    pub file: FileRef,
    pub range: TextRange,
    pub message: &'static str,
    pub args: Vec<(&'static str, String)>,
    /// Catalog id of the help line; defaults to `<message>.help`.
    pub help: Option<&'static str>,
    /// This finding's severity when it differs from the rule's (an end of life still months away is
    /// information, not a warning). A severity the user configures for the rule wins.
    pub severity: Option<Severity>,
    pub fixes: Vec<Fix>,
    /// Related places.
    pub related: Vec<RelatedFinding>,
}

/// A related place as a rule reports it: a range and a catalog message with its arguments.
#[derive(Clone, Debug)]
pub struct RelatedFinding {
    pub range: TextRange,
    pub message: &'static str,
    pub args: Vec<(&'static str, String)>,
}

/// Collects the findings of one rule.
#[derive(Default)]
pub struct Sink {
    pub(crate) findings: Vec<Finding>,
    /// Diagnostics handed out already rendered, with the rule's own severities (a severity the user
    /// configured is set when the sink becomes diagnostics): the image rules' per-reference memo keeps
    /// its findings rendered, so that a memo hit copies shared texts instead of rendering messages again.
    pub(crate) rendered: Vec<Diagnostic>,
    /// The texts rendered into `rendered` lately, shared by equal messages.
    pub(crate) recent: RecentTexts,
    /// Set by [`Sink::read_unread_items`]: the findings are not memoised.
    pub(crate) unmemoisable: bool,
    /// How many findings there were at each call of [`Sink::read_unread_items`]: the finding reported
    /// next is the one that depends on items the rule does not declare (a whole-file run of a per-stage
    /// rule keeps the other stages' findings).
    pub(crate) unread_at: Vec<usize>,
}

impl Sink {
    /// Says that this check's findings depend on items outside the rule's declared `reads` (for example,
    /// that nothing lies between two RUNs a fix folds together). The memo of whole-file findings keys on
    /// the read items only, so these findings are computed again on the next check instead of stored.
    /// Call it right before reporting the finding that depends on them: when a per-stage rule's findings
    /// are split into stages after a whole-file run, only that finding's stage is left out.
    pub fn read_unread_items(&mut self) {
        self.unmemoisable = true;
        self.unread_at.push(self.findings.len());
    }

    /// A finding on the ignore file (rules of ignore files, and Dockerfile rules that point there).
    pub fn report_ignore(
        &mut self,
        range: TextRange,
        message: &'static str,
        args: Vec<(&'static str, String)>,
    ) -> &mut Finding {
        let f = self.report(range, message, args);
        f.file = FileRef::IgnoreFile;
        f
    }

    pub fn report(
        &mut self,
        range: TextRange,
        message: &'static str,
        args: Vec<(&'static str, String)>,
    ) -> &mut Finding {
        self.findings.push(Finding {
            file: FileRef::Dockerfile,
            range,
            message,
            args,
            help: None,
            severity: None,
            fixes: Vec::new(),
            related: Vec::new(),
        });
        self.findings.last_mut().expect("just pushed")
    }
}

impl Finding {
    pub fn help(&mut self, id: &'static str) -> &mut Finding {
        self.help = Some(id);
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut Finding {
        self.severity = Some(severity);
        self
    }

    pub fn fix(&mut self, fix: Fix) -> &mut Finding {
        self.fixes.push(fix);
        self
    }

    /// A related place of the Dockerfile, described by a catalog message.
    pub fn related(&mut self, range: TextRange, id: &'static str, args: Vec<(&'static str, String)>) -> &mut Finding {
        self.related.push(RelatedFinding {
            range,
            message: id,
            args,
        });
        self
    }
}

/// The last few distinct texts one rule's findings rendered, to share instead of copying again.
#[derive(Default)]
pub(crate) struct RecentTexts(Vec<crate::diagnostic::Text>);

impl RecentTexts {
    /// How many distinct texts are remembered; a rule's findings say a few different things.
    const KEPT: usize = 8;

    /// `text` as a shared text: an earlier equal one, or a new one remembered from now on.
    fn share(&mut self, text: String) -> crate::diagnostic::Text {
        if let Some(t) = self.0.iter().find(|t| t.as_str() == text) {
            return t.clone();
        }
        let t = crate::diagnostic::Text::from(text);
        if self.0.len() == Self::KEPT {
            self.0.remove(0);
        }
        self.0.push(t.clone());
        t
    }
}

/// Turns what a rule reported into diagnostics in the user's language: its findings, rendered, and the
/// diagnostics it handed out rendered, with the severity the user configured for the rule if any.
pub(crate) fn to_diagnostics(
    rule: &'static Rule,
    configured: Option<Severity>,
    locale: Locale,
    sink: Sink,
    out: &mut Vec<Diagnostic>,
) {
    render_findings(
        rule,
        configured,
        locale,
        sink.findings,
        &mut RecentTexts::default(),
        out,
    );
    out.extend(sink.rendered.into_iter().map(|mut d| {
        if let Some(c) = configured {
            d.severity = c;
        }
        d
    }));
}

/// Renders findings of `rule` in `locale`; a finding's severity is `configured`, else its own, else the
/// rule's.
pub(crate) fn render_findings(
    rule: &'static Rule,
    configured: Option<Severity>,
    locale: Locale,
    findings: Vec<Finding>,
    recent: &mut RecentTexts,
    out: &mut Vec<Diagnostic>,
) {
    // A rule often says the same thing many times (the same end-of-life image in every stage): equal
    // texts share one allocation (`recent`), which also lets the language server compare them by pointer.
    for f in findings {
        let message = messages::render(locale, f.message, &f.args);
        let help_id = f
            .help
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}.help", f.message));
        let help = messages::template(locale, &help_id).map(|t| messages::fill(t, &f.args));
        out.push(Diagnostic {
            code: rule.code,
            name: rule.name,
            file: f.file,
            range: f.range,
            severity: configured.or(f.severity).unwrap_or(rule.severity),
            message: recent.share(message),
            help: help.map(|h| recent.share(h)),
            message_id: f.message,
            fixes: f.fixes,
            related: f
                .related
                .into_iter()
                .map(|r| crate::diagnostic::Related {
                    file: FileRef::Dockerfile,
                    range: r.range,
                    message: messages::render(locale, r.message, &r.args),
                })
                .collect(),
        });
    }
}

/// Reports the parser's problems of one kind (shared by the syntax-family rules).
pub(crate) fn report_parse_problems(
    ctx: &Ctx,
    sink: &mut Sink,
    kind: crate::syntax::ProblemKind,
    fix_title: Option<&'static str>,
) {
    for e in ctx.parse_errors().iter().filter(|e| e.kind == kind) {
        let finding = sink.report(e.range, e.message, e.args.clone());
        if let Some((range, text)) = &e.suggestion {
            finding.help(suggest_help(e.message));
            if let Some(title) = fix_title
                && replacement_keeps_the_syntax(ctx, *range, text)
            {
                let fix = ctx.replace(
                    title,
                    &[("suggestion", text.clone())],
                    *range,
                    text.clone(),
                    Applicability::Unsafe,
                );
                finding.fix(fix);
            }
        }
    }
}

/// Whether replacing `range` with `text` adds no syntax error. A keyword or flag typo corrected into a
/// known one makes the parser read the arguments as that instruction's, and they may be invalid for it
/// (`LABE x"` → `LABEL x"`): such a fix is not offered. Found by the `fixes` fuzz target.
fn replacement_keeps_the_syntax(ctx: &Ctx, range: TextRange, text: &str) -> bool {
    let r = range.as_usize();
    let (Some(before), Some(after)) = (ctx.text.get(..r.start), ctx.text.get(r.end..)) else {
        return false;
    };
    let new = format!("{before}{text}{after}");
    let edit = crate::syntax::Edit {
        range,
        new_len: text.len() as u32,
    };
    let syntax = |errs: &[crate::syntax::SyntaxError]| {
        errs.iter()
            .filter(|e| e.kind == crate::syntax::ProblemKind::Syntax)
            .count()
    };
    syntax(&ctx.tree.edit(&new, edit).errors()) <= syntax(ctx.parse_errors())
}

fn suggest_help(message: &'static str) -> &'static str {
    match message {
        "unknown-instruction" => "unknown-instruction.help-suggest",
        _ => "unknown-flag.help-suggest",
    }
}

/// One instruction as an instruction rule ([`Check::Instruction`]) sees it. Such a rule reads this, the
/// instruction's text in `ctx.text`, and `ctx`'s message helpers; nothing else of `ctx` (the model, other
/// items, the input's ignore file or date), or its memoised findings would be wrong elsewhere.
pub struct Instr<'a> {
    pub item: ItemRef<'a>,
    pub ins: &'a crate::syntax::Instruction,
    /// The scripts a `RUN` executes (empty for other instructions).
    pub scripts: &'a [crate::shell::RunScript],
}

/// The diagnostics of every instruction rule on one instruction, as computed at `origin` (the item's start
/// then); another item with the same text gets them moved by the difference of starts.
struct InstrFindings {
    origin: u32,
    found: Vec<Diagnostic>,
}

/// What the instruction rules found on one instruction text: nothing (most instructions), or findings.
type Found = Option<std::sync::Arc<InstrFindings>>;

/// Instruction diagnostics by environment (settings, escape character), then by the instruction's text
/// (its 128-bit hash, [`ItemPrint`]). Bounded: cleared when it holds [`INSTR_MEMO_MAX`] texts.
type InstrTable = std::collections::HashMap<u128, Found, foldhash::fast::RandomState>;
static INSTR_MEMO: std::sync::LazyLock<std::sync::Mutex<(usize, std::collections::HashMap<u128, InstrTable>)>> =
    std::sync::LazyLock::new(Default::default);
const INSTR_MEMO_MAX: usize = 32_768;

/// The last check's instructions in order (environment; each text's hash and findings). Consecutive checks
/// of a document are mostly the same instructions in the same order, so walking along this list answers
/// most of them without a lookup in [`INSTR_MEMO`] (a random access per instruction). The instructions
/// an edit left alone at both ends are found by their hashes alone and keep their entries where they are;
/// only the entries in between are replaced (`Vec::splice`). Any entry whose hash is an instruction's is
/// that text's answer, whichever check or file it came from. An answer the
/// memo does not keep (a range outside its instruction) is a gap here: the hash [`GAP`], which never
/// answers (not an `Option`: that made each entry 48 bytes instead of 32, for thousands of instructions).
#[allow(clippy::type_complexity)]
static INSTR_LAST: std::sync::Mutex<(u128, Vec<(u128, Found)>)> = std::sync::Mutex::new((0, Vec::new()));

/// The hash of a gap in [`INSTR_LAST`]: never taken for an instruction's, even if one had it.
const GAP: u128 = 0;

/// Runs the enabled instruction rules `rules` on every instruction of the file, answering from the memo
/// for every instruction text already checked in the same environment, and appends their diagnostics.
/// An instruction answered from the memo is not looked at: the compact item table says where it is.
pub(crate) fn check_instructions(ctx: &Ctx, rules: &[&'static Rule], out: &mut Vec<Diagnostic>) {
    if rules.is_empty() {
        return;
    }
    let env = {
        use std::hash::{BuildHasher, Hash, Hasher};
        let settings = ctx.settings_text();
        hash128(|s| {
            let mut h = s.build_hasher();
            for r in rules {
                r.code.hash(&mut h);
            }
            settings.hash(&mut h);
            ctx.tree.escape.hash(&mut h);
            h.finish()
        })
    };
    // Keyed by the 128-bit hash of the instruction's text that the whole-file memo also uses.
    let prints = ctx.item_fingerprints();
    let bypass = crate::memo::is_bypassed();
    let mut last = match INSTR_LAST.lock() {
        Ok(mut l) if !bypass && l.0 == env => std::mem::take(&mut l.1),
        _ => Vec::new(),
    };
    // Hands out an answer, moved to where its instruction now starts.
    let hand_out = |found: &Found, start: u32, out: &mut Vec<Diagnostic>| {
        if let Some(f) = found {
            let delta = i64::from(start) - i64::from(f.origin);
            out.extend(
                f.found
                    .iter()
                    .map(|d| moved_copy(d, ctx.input.fixes, |r| shift(r, delta))),
            );
        }
    };
    // 1. The instructions an edit left alone at both ends keep the last check's answers where they are: a
    // comparison of hashes each, with no answer looked up or list rebuilt (on the 50,000-line generated
    // file those passes were a sixth of a keystroke in a comment). The leading ones are handed out as
    // they are found; `head` instructions, the first not among them at item `first`.
    let same = |p: &ItemPrint, k: usize| p.hash != GAP && last.get(k).is_some_and(|(h, _)| *h == p.hash);
    let (mut head, mut first) = (0, prints.len());
    for (i, p) in prints.iter().enumerate() {
        if p.kind.is_none() {
            continue;
        }
        if !same(p, head) {
            first = i;
            break;
        }
        // Most instructions found nothing: no call for those (calling it for each of the 35,000 instructions
        // of the 50,000-line file was over a quarter of this function's instructions on a keystroke).
        if last[head].1.is_some() {
            hand_out(&last[head].1, p.start, out);
        }
        head += 1;
    }
    // The trailing ones, down to the leading ones in both lists: `tail` instructions from item `end`.
    let (mut tail, mut end) = (0, prints.len());
    for i in (first..prints.len()).rev() {
        let p = &prints[i];
        if p.kind.is_none() {
            continue;
        }
        if last.len() - tail <= head || !same(p, last.len() - tail - 1) {
            break;
        }
        tail += 1;
        end = i;
    }
    // The instructions in between, by item index, and the last check's answers in between.
    let middle: Vec<usize> = (first.min(end)..end).filter(|&i| prints[i].kind.is_some()).collect();
    let before = &last[head..last.len() - tail];
    // 2. Along the last check's list in between: an edit replaces, inserts or removes an instruction here
    // and there.
    let mut cached: Vec<Option<Found>> = Vec::with_capacity(middle.len());
    let mut j = 0;
    for (n, &i) in middle.iter().enumerate() {
        let hash = prints[i].hash;
        let kept = |k: usize| before.get(k).filter(|(h, _)| *h == hash && *h != GAP);
        if let Some((_, found)) = kept(j) {
            cached.push(Some(found.clone()));
            j += 1;
        } else if let Some((_, found)) = kept(j + 1) {
            cached.push(Some(found.clone()));
            j += 2;
        } else {
            cached.push(None);
            // A replaced instruction moves on; an inserted one does not (the next one is the old one).
            let next = middle.get(n + 1).map(|&k| prints[k].hash);
            if next.is_none() || before.get(j).map(|(h, _)| *h).filter(|h| *h != GAP) != next {
                j += 1;
            }
        }
    }
    // 3. The others from the table, under one lock; rules run outside the lock.
    if !bypass
        && cached.iter().any(Option::is_none)
        && let Ok(memo) = INSTR_MEMO.lock()
        && let Some(table) = memo.1.get(&env)
    {
        for (slot, &i) in cached.iter_mut().zip(&middle) {
            if slot.is_none() {
                *slot = table.get(&prints[i].hash).cloned();
            }
        }
    }
    // 4. Run the rules on the rest.
    let mut fresh: Vec<(u128, Found)> = Vec::new();
    // What the instructions in between found, then what the next check keeps of it: an answer not kept
    // (its ranges reach outside its instruction) is handed out, then made a gap (`gaps`).
    let mut now: Vec<(u128, Found)> = Vec::with_capacity(middle.len());
    let mut gaps: Vec<usize> = Vec::new();
    for (slot, &i) in cached.into_iter().zip(&middle) {
        let p = &prints[i];
        let found = match slot {
            Some(found) => found,
            None => {
                let Some((item, ins)) = ctx.tree.instruction(i) else {
                    gaps.push(now.len());
                    now.push((GAP, None));
                    continue;
                };
                let computed = run_instruction_rules(ctx, rules, &item, ins);
                let inside = |r: TextRange| r.start >= item.start && r.end <= item.start + item.node.len;
                let found = (!computed.found.is_empty()).then(|| std::sync::Arc::new(computed));
                if found.as_ref().is_none_or(|f| {
                    f.found
                        .iter()
                        .all(|d| d.file == FileRef::Dockerfile && diagnostic_ranges(d).all(inside))
                }) {
                    fresh.push((p.hash, found.clone()));
                } else {
                    gaps.push(now.len());
                }
                found
            }
        };
        now.push((p.hash, found));
    }
    // 5. The diagnostics of the instructions in between and of the trailing ones, in item order.
    for ((_, found), &i) in now.iter().zip(&middle) {
        hand_out(found, prints[i].start, out);
    }
    for (k, p) in (last.len() - tail..).zip(prints[end..].iter().filter(|p| p.kind.is_some())) {
        if last[k].1.is_some() {
            hand_out(&last[k].1, p.start, out);
        }
    }
    if bypass {
        return;
    }
    for g in gaps {
        now[g] = (GAP, None);
    }
    // A first check, or an edit that left no instruction alone, replaces the whole list (a splice would
    // hold both lists at once: 0.1 MiB more peak memory when a 5,000-line file is opened).
    let last = if head == 0 && tail == 0 {
        now
    } else {
        let kept_end = last.len() - tail;
        last.splice(head..kept_end, now);
        last
    };
    if let Ok(mut l) = INSTR_LAST.lock() {
        *l = (env, last);
    }
    if !fresh.is_empty()
        && let Ok(mut memo) = INSTR_MEMO.lock()
    {
        let (count, tables) = &mut *memo;
        if *count + fresh.len() > INSTR_MEMO_MAX || (tables.len() >= 16 && !tables.contains_key(&env)) {
            tables.clear();
            *count = 0;
        }
        let table = tables.entry(env).or_default();
        for (text, found) in fresh {
            if table.insert(text, found).is_none() {
                *count += 1;
            }
        }
    }
}

/// The instruction rules' diagnostics on one instruction, computed.
fn run_instruction_rules(
    ctx: &Ctx,
    rules: &[&'static Rule],
    item: &ItemRef,
    ins: &crate::syntax::Instruction,
) -> InstrFindings {
    let scripts = if ins.kind == crate::syntax::Kind::Run {
        let source = crate::shell::item_text(ctx.text, item);
        let parse = || std::sync::Arc::new(crate::shell::run_scripts(source, ins));
        if ctx.tree.escape == '\\' {
            RUN_MEMO.get_or(source, parse)
        } else {
            parse()
        }
    } else {
        std::sync::Arc::new(Vec::new())
    };
    let instr = Instr {
        item: *item,
        ins,
        scripts: &scripts,
    };
    let mut found = Vec::new();
    for rule in rules {
        let Check::Instruction(run) = rule.check else {
            continue;
        };
        let mut sink = Sink::default();
        run(ctx, &instr, &mut sink);
        ctx.render(rule, sink, &mut found);
    }
    InstrFindings {
        origin: item.start,
        found,
    }
}

/// Every Dockerfile range a diagnostic holds: its own, its fix edits' and its related places'.
fn diagnostic_ranges(d: &Diagnostic) -> impl Iterator<Item = TextRange> + '_ {
    (d.file == FileRef::Dockerfile)
        .then_some(d.range)
        .into_iter()
        .chain(
            d.fixes
                .iter()
                .flat_map(|x| x.edits.iter())
                .filter(|e| e.file == FileRef::Dockerfile)
                .map(|e| e.range),
        )
        .chain(
            d.related
                .iter()
                .filter(|r| r.file == FileRef::Dockerfile)
                .map(|r| r.range),
        )
}

// How many diagnostics this thread copied through [`moved_copy`] (for the test that a per-stage check
// copies each finding once).
#[cfg(test)]
thread_local! {
    pub(crate) static COPIES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A memoised diagnostic handed out again: a copy with `f` applied to every Dockerfile range, and with
/// its fixes only when the check wants them (copying fixes is most of the cost of a copy).
pub(crate) fn moved_copy(d: &Diagnostic, fixes: bool, f: impl Fn(&mut TextRange)) -> Diagnostic {
    #[cfg(test)]
    COPIES.with(|c| c.set(c.get() + 1));
    let Diagnostic {
        code,
        name,
        file,
        range,
        severity,
        message,
        help,
        message_id,
        fixes: all_fixes,
        related,
    } = d;
    // Every Dockerfile range is moved (the range, then the fixes' edits, then the related places: `f`
    // searches forward from the last item it found) before the copy is made, so that the copy is
    // written once, where it goes: moving its ranges after it was made had it copied again (a call to
    // `memcpy` per diagnostic: callgrind, `--edit-profile=50000`, 3,242.6 -> 3,052.0 M instructions).
    let mut range = *range;
    if *file == FileRef::Dockerfile {
        f(&mut range);
    }
    // Most diagnostics have neither fixes (in the server) nor related places: no call for those.
    let mut fixes = if fixes && !all_fixes.is_empty() {
        all_fixes.clone()
    } else {
        Vec::new()
    };
    for e in fixes.iter_mut().flat_map(|x| x.edits.iter_mut()) {
        if e.file == FileRef::Dockerfile {
            f(&mut e.range);
        }
    }
    let mut related = if related.is_empty() {
        Vec::new()
    } else {
        related.clone()
    };
    for r in &mut related {
        if r.file == FileRef::Dockerfile {
            f(&mut r.range);
        }
    }
    Diagnostic {
        code,
        name,
        file: file.clone(),
        range,
        severity: *severity,
        message: message.clone(),
        help: help.clone(),
        message_id,
        fixes,
        related,
    }
}

pub(crate) fn shift(r: &mut TextRange, delta: i64) {
    if delta != 0 {
        r.start = (i64::from(r.start) + delta) as u32;
        r.end = (i64::from(r.end) + delta) as u32;
    }
}

/// A rule's diagnostics for one state of what it reads ([`Rule::reads`]) in the whole file or in one part
/// ([`per_stage`]), with where the items they lie in were then: each diagnostic moves with its item.
pub(crate) struct RuleFindings {
    /// The items the diagnostics' ranges lie in, in order: start, length, and index among the items
    /// read. Only those: a rule that reads every instruction and finds nothing keeps nothing here.
    items: Vec<(u32, u32, u32)>,
    found: Vec<Diagnostic>,
}

impl RuleFindings {
    /// Appends copies of the diagnostics, each moved with the item it lies in to where that item is now
    /// (`read`: the starts and lengths of the items read now, in order; the item indices kept count from
    /// `offset` in it).
    fn moved_to(&self, read: &[(u32, u32)], offset: u32, fixes: bool, out: &mut Vec<Diagnostic>) {
        let read = read.get(offset as usize..).unwrap_or_default();
        // The diagnostics are in order, and so are their items: each range is looked for first where the
        // last one was found.
        let near = std::cell::Cell::new(0);
        out.extend(self.found.iter().map(|d| {
            moved_copy(d, fixes, |r| {
                if let Some(Some(k)) = within_kept_items(*r, &self.items, &near) {
                    let (start, _, i) = self.items[k];
                    if let Some(&(now, _)) = read.get(i as usize) {
                        shift(r, i64::from(now) - i64::from(start));
                    }
                }
            })
        }));
    }
}

/// The read items (start, length, index in `read`) that the ranges of `found` lie in, sorted, each once.
fn kept_items(found: &[Diagnostic], read: &[(u32, u32)]) -> Vec<(u32, u32, u32)> {
    // Most diagnostics have one range and no fix in the server: room for one item each.
    let mut items: Vec<(u32, u32, u32)> = Vec::with_capacity(found.len());
    items.extend(
        found
            .iter()
            .flat_map(diagnostic_ranges)
            .filter_map(|r| within_items(r, read).flatten())
            .map(|i| (read[i].0, read[i].1, i as u32)),
    );
    items.sort_unstable();
    items.dedup();
    items
}

/// Whole-file rule diagnostics by (rule code, fingerprint of what it reads). Bounded in entries and in
/// diagnostics: typing in a `FROM` of a long file makes a new entry at every keystroke for each rule
/// that reads it, each holding all of that rule's findings.
static RULE_MEMO: std::sync::LazyLock<std::sync::Mutex<RuleMemo>> = std::sync::LazyLock::new(Default::default);
const RULE_MEMO_MAX: usize = 512;
const RULE_MEMO_MAX_DIAGNOSTICS: usize = 100_000;

#[derive(Default)]
struct RuleMemo {
    entries: std::collections::HashMap<(&'static str, u128), std::sync::Arc<MemoEntry>>,
    /// The diagnostics the entries hold together (a piece shared by several entries counts in each).
    diagnostics: usize,
}

/// A whole-file rule's diagnostics for one state of what it reads: how many items it read, and its
/// findings in pieces, each with the index in the list of the items read that the piece's item indices
/// count from. One piece when the rule ran on the whole file; when it was answered stage by stage
/// ([`per_stage`]), one per part with findings, in part order, sharing the findings the per-stage table
/// keeps: a keystroke in a `FROM` of a long file answers most stages from that table, and copying every
/// one of their findings (with its fixes) into a new list, then checking where each lies, was most of
/// such a keystroke's cost.
struct MemoEntry {
    count: usize,
    pieces: Vec<(u32, std::sync::Arc<RuleFindings>)>,
}

impl MemoEntry {
    fn diagnostics(&self) -> usize {
        self.pieces.iter().map(|(_, f)| f.found.len()).sum()
    }

    /// Appends copies of the diagnostics, each moved with the item it lies in (`read`: the starts and
    /// lengths of the items read now, in order).
    fn moved_to(&self, read: &[(u32, u32)], fixes: bool, out: &mut Vec<Diagnostic>) {
        for (offset, f) in &self.pieces {
            f.moved_to(read, *offset, fixes, out);
        }
    }
}

impl RuleMemo {
    fn insert(&mut self, key: (&'static str, u128), entry: MemoEntry) {
        let n = entry.diagnostics();
        if self.entries.len() >= RULE_MEMO_MAX || self.diagnostics + n > RULE_MEMO_MAX_DIAGNOSTICS {
            self.entries.clear();
            self.diagnostics = 0;
        }
        self.diagnostics += n;
        if let Some(old) = self.entries.insert(key, std::sync::Arc::new(entry)) {
            self.diagnostics -= old.diagnostics();
        }
    }
}

pub(crate) use crate::memo::hash128;

impl Ctx<'_> {
    /// The settings as text, for the memo keys (every field counts), once per check.
    fn settings_text(&self) -> &str {
        self.settings_text.get_or_init(|| format!("{:?}", self.settings))
    }

    /// The fingerprint of everything but the items and the context's listing: settings, date,
    /// directives, ignore file. The listing is in the keys of the rules that read it
    /// ([`Rule::reads_context`], [`Ctx::context_fingerprint`]).
    fn environment_fingerprint(&self) -> u128 {
        *self.environment.get_or_init(|| {
            use std::hash::{BuildHasher, Hash, Hasher};
            let settings = self.settings_text();
            let prelude = self.text.get(..self.tree.body_start as usize).unwrap_or("");
            hash128(|s| {
                let mut h = s.build_hasher();
                settings.hash(&mut h);
                self.input.today.hash(&mut h);
                self.tree.escape.hash(&mut h);
                self.tree.bom.hash(&mut h);
                prelude.hash(&mut h);
                self.input.ignore_file.hash(&mut h);
                self.input.invalid_utf8_at.hash(&mut h);
                h.finish()
            })
        })
    }

    /// The fingerprint of the build context's listing (none yet, or its entries, what the scan pruned
    /// and whether it finished), for the keys of the rules that read it ([`Rule::reads_context`]).
    pub(crate) fn context_fingerprint(&self) -> u128 {
        *self.context_print.get_or_init(|| {
            use std::hash::{BuildHasher, Hash, Hasher};
            hash128(|s| {
                let mut h = s.build_hasher();
                self.input.context.is_some().hash(&mut h);
                if let Some(c) = self.input.context {
                    c.complete.hash(&mut h);
                    c.pruned.hash(&mut h);
                    for e in &c.entries {
                        e.path.hash(&mut h);
                        (e.kind as u8).hash(&mut h);
                    }
                }
                h.finish()
            })
        })
    }

    /// The fingerprint of the environment and of the items `mask` designates ([`Reads::mask`]), and how
    /// many items that is. The read sets of every whole-file rule ([`READ_MASKS`]) are fingerprinted together
    /// at the first call of a check ([`ReadFold`]).
    fn read_print(&self, mask: u32) -> Option<(u128, usize)> {
        let prints = self.read_prints.get_or_init(|| {
            let env = self.environment_fingerprint();
            let items = self.item_fingerprints_shared();
            let end = READ_FOLD.with(|last| {
                let mut last = last.borrow_mut();
                let fold = ReadFold::after(last.take(), env, items);
                self.item_window.set((fold.id, fold.window));
                let end = fold.end.clone();
                *last = Some(fold);
                end
            });
            let model = end[READ_MASKS.len()];
            READ_MASKS
                .iter()
                .zip(&end)
                .map(|(&mask, set)| {
                    let split = is_split(mask);
                    ReadPrint {
                        mask,
                        fingerprint: if split {
                            hash128(|s| {
                                use std::hash::BuildHasher;
                                s.hash_one((model.h, set.h))
                            })
                        } else {
                            set.h
                        },
                        count: set.steps as usize + if split { model.steps as usize } else { 0 },
                    }
                })
                .collect()
        });
        // Every rule's set is in READ_MASKS: `None` would only mean a rule outside `RULES`.
        prints.iter().find(|s| s.mask == mask).map(|s| (s.fingerprint, s.count))
    }

    /// The starts and lengths of the items `mask` designates, in order, listed once per check and
    /// only for the read sets a check moves or keeps findings of.
    fn read_items(&self, mask: u32) -> std::sync::Arc<Vec<(u32, u32)>> {
        if let Some((_, items)) = self.read_items.borrow().iter().find(|(m, _)| *m == mask) {
            return items.clone();
        }
        // Counted first, so that a list of tens of thousands of items is allocated once, at its size, not
        // grown (and copied) as it is filled; the keystroke timings did not move measurably either way.
        let read = |f: &&ItemPrint| f.bits & mask != 0;
        let prints = self.item_fingerprints();
        let mut items = Vec::with_capacity(prints.iter().filter(read).count());
        items.extend(prints.iter().filter(read).map(|f| (f.start, f.len)));
        let items = std::sync::Arc::new(items);
        self.read_items.borrow_mut().push((mask, items.clone()));
        items
    }

    /// Each item's text, hashed (128 bits), once per check.
    fn item_fingerprints(&self) -> &[ItemPrint] {
        self.item_fingerprints_shared()
    }

    fn item_fingerprints_shared(&self) -> &std::sync::Arc<Vec<ItemPrint>> {
        self.item_hashes
            .get_or_init(|| std::sync::Arc::new(item_prints(self.tree, self.text)))
    }
}

/// Mixes the next value into a read set's fingerprint: an order-sensitive fold (multiply by an odd
/// constant, add), which makes the fingerprint of `v_0 .. v_(n-1)` the polynomial
/// `init * ODD^n + sum(v_i * ODD^(n-1-i))` (wrapping, 128 bits).
const ODD: u128 = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835;
/// Mixes the number of model items before an item into its hash.
const RANK: u128 = 0xD6E8_FEB8_6659_FD93_A5A3_5625_2C5D_5F55;
/// How many items apart [`ReadFold`] keeps its states.
const FOLD_EVERY: usize = 256;

/// `ODD^e` and `1 + ODD + ... + ODD^(e-1)`, by squaring.
fn odd_power(e: u32) -> (u128, u128) {
    let (mut p, mut g) = (1u128, 0u128);
    for bit in (0..u32::BITS - e.leading_zeros()).rev() {
        // e -> 2e: G(2e) = G(e) * ODD^e + G(e).
        g = g.wrapping_mul(p).wrapping_add(g);
        p = p.wrapping_mul(p);
        if e >> bit & 1 == 1 {
            // e -> e + 1: G(e + 1) = G(e) * ODD + 1.
            g = g.wrapping_mul(ODD).wrapping_add(1);
            p = p.wrapping_mul(ODD);
        }
    }
    (p, g)
}

/// Whether a read set holds every model item ([`MODEL_READS`]), and is fingerprinted as the model's items
/// and its other items ranked among them ([`ReadFold`]).
fn is_split(mask: u32) -> bool {
    mask & MODEL_READS == MODEL_READS
}

/// One read set's fold at some item: the fingerprint so far and how many values went into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FoldState {
    h: u128,
    steps: u32,
}

/// The read sets' fingerprints ([`Ctx::read_print`]) as one fold over the item table, kept from one check
/// to the next at every [`FOLD_EVERY`]th item or so, so that a check folds only the items between the
/// last kept state before the first changed item and the first kept state in the unchanged tail.
///
/// There is one column per set of [`READ_MASKS`], and a last one for the model's items. Most sets hold the
/// model's items ([`MODEL_READS`]) and a few more kinds ("split" sets). Such a set is fingerprinted as two
/// sequences: the model's items (the last column, once for all those sets), and the set's other items,
/// each with the number of model items before it mixed in (`RANK`). Both give back the set's sequence of
/// items (an item with `k` model items before it comes after the `k`-th and before the next one), so equal
/// fingerprints still mean equal items in the same order; each item is folded into the few sets its kind
/// adds instead of into every set.
///
/// Why the tail can be kept: a fold is a polynomial (see [`ODD`]). With `O` the old state at a kept point,
/// `X` the old state at any later point, `N` the new state at the same point (the items from there on
/// unchanged), and `Δ` the values folded from there to `X`, the new state at `X`'s point is
/// `X + (N - O) * ODD^Δ + d * RANK * (1 + ... + ODD^(Δ-1))`, where `d` is how many more model items come
/// before the point (the rank of every later value of a split set grows by `d`). Guarded by
/// `read_prints_kept_between_checks_equal_fresh_ones`.
struct ReadFold {
    /// Which fold this is, on its thread (a count): what the lists kept between checks were made at
    /// ([`ItemWindow::from`]).
    id: u64,
    /// Where this fold's item table is the one of the fold it was made from (`None`: a fresh fold).
    window: Option<ItemWindow>,
    /// The environment's fingerprint: every non-split set starts from it.
    env: u128,
    /// The item table the states are of.
    items: std::sync::Arc<Vec<ItemPrint>>,
    /// The item indices of the kept states, increasing, the first 0.
    at: Vec<u32>,
    /// For each kept point, one state per column (`READ_MASKS.len() + 1` a point).
    states: Vec<FoldState>,
    /// The states after the last item.
    end: Vec<FoldState>,
}

thread_local! {
    /// The last check's fold (the language server checks on one thread; each command-line worker keeps its
    /// own).
    static READ_FOLD: std::cell::RefCell<Option<ReadFold>> = const { std::cell::RefCell::new(None) };
    /// How many folds this thread made ([`ReadFold::id`]).
    static FOLDS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// What an item table kept from the check before (the table of fold `from`): its first `head` items are
/// the old table's first ones, and its last `tail` items the old table's last ones `delta` bytes further
/// (wrapping), each with the same hash, kind bits, length and start (plus `delta` in the tail). Found in
/// the pass that compares the two tables for the fold ([`ReadFold::after`], [`shared_ends`]); a list made
/// at fold `from` of what lies in those items holds again, moved by `delta` in the tail (`per_stage`'s
/// kept folds and lists of items read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ItemWindow {
    pub(crate) from: u64,
    pub(crate) head: usize,
    pub(crate) tail: usize,
    pub(crate) delta: u32,
    pub(crate) old_len: usize,
}

/// The items two tables share at their start and at their end, found in one pass from each end: how many
/// items at the start have the same hash, kind bits, length and start in both, and how many at the end
/// have the same hash, kind bits and length, and starts `delta` bytes further in `new` (the move of the
/// last item, wrapping). Comparing the places in the same pass as the texts costs next to nothing; a
/// place that differs (a blank line inserted between two items, which changes no item's text) ends the
/// shared stretch as a changed item would, and the fold folds again what lies between.
fn shared_ends(old: &[ItemPrint], new: &[ItemPrint]) -> (usize, usize, u32) {
    let head = old
        .iter()
        .zip(new)
        .take_while(|(a, b)| a.hash == b.hash && a.bits == b.bits && a.start == b.start && a.len == b.len)
        .count();
    let delta = match (old.last(), new.last()) {
        (Some(a), Some(b)) => b.start.wrapping_sub(a.start),
        _ => 0,
    };
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| {
            a.hash == b.hash && a.bits == b.bits && a.len == b.len && b.start.wrapping_sub(a.start) == delta
        })
        .count();
    (head, tail, delta)
}

impl ReadFold {
    /// The fold of `items`, from `last` (any earlier check's fold, or none) where it can be.
    fn after(last: Option<ReadFold>, env: u128, items: &std::sync::Arc<Vec<ItemPrint>>) -> ReadFold {
        let columns = READ_MASKS.len() + 1;
        let new = &items[..];
        let Some(last) = last.filter(|l| l.env == env && !crate::memo::is_bypassed()) else {
            let start: Vec<FoldState> = READ_MASKS
                .iter()
                .map(|&m| FoldState {
                    h: if is_split(m) { 0 } else { env },
                    steps: 0,
                })
                .chain([FoldState { h: env, steps: 0 }])
                .collect();
            let mut fold = ReadFold::empty(env, items);
            fold.end = fold.run(start, new, 0, new.len());
            return fold;
        };
        let old = &last.items[..];
        let (head, tail, delta) = shared_ends(old, new);
        let window = Some(ItemWindow {
            from: last.id,
            head,
            tail,
            delta,
            old_len: old.len(),
        });
        // The last kept point at or before the first changed item, and the first one in the unchanged tail.
        let from = last.at.partition_point(|&i| i as usize <= head) - 1;
        let to = last.at.partition_point(|&i| (i as usize) < old.len() - tail);
        let mut fold = ReadFold::empty(env, items);
        fold.window = window;
        fold.at.extend_from_slice(&last.at[..from]);
        fold.states.extend_from_slice(&last.states[..from * columns]);
        let start = last.states[from * columns..(from + 1) * columns].to_vec();
        let start_at = last.at[from] as usize;
        // Where the old tail's first kept point is in the new table (or the end, when it has none).
        let moved = |i: u32| (i as usize + new.len()).wrapping_sub(old.len());
        let stop = last.at.get(to).map_or(new.len(), |&i| moved(i));
        let now = fold.run(start, new, start_at, stop);
        if to == last.at.len() {
            fold.end = now;
            return fold;
        }
        // The kept tail, its states shifted (see the type's documentation).
        let old_at_stop = &last.states[to * columns..(to + 1) * columns];
        let model = READ_MASKS.len();
        let d = u128::from(now[model].steps).wrapping_sub(u128::from(old_at_stop[model].steps));
        let mut error: Vec<u128> = now
            .iter()
            .zip(old_at_stop)
            .map(|(n, o)| n.h.wrapping_sub(o.h))
            .collect();
        let steps: Vec<u32> = now
            .iter()
            .zip(old_at_stop)
            .map(|(n, o)| n.steps.wrapping_sub(o.steps))
            .collect();
        let mut previous = old_at_stop.to_vec();
        let ranked: Vec<bool> = READ_MASKS.iter().map(|&m| is_split(m)).chain([false]).collect();
        let mut shift = |states: &[FoldState], out: &mut Vec<FoldState>| {
            for c in 0..columns {
                let (x, p) = (states[c], previous[c]);
                let (power, sum) = odd_power(x.steps.wrapping_sub(p.steps));
                error[c] = error[c].wrapping_mul(power);
                if ranked[c] {
                    error[c] = error[c].wrapping_add(d.wrapping_mul(RANK).wrapping_mul(sum));
                }
                out.push(FoldState {
                    h: x.h.wrapping_add(error[c]),
                    steps: x.steps.wrapping_add(steps[c]),
                });
            }
            previous.copy_from_slice(states);
        };
        for k in to..last.at.len() {
            let at = moved(last.at[k]) as u32;
            let kept = fold.states.len();
            shift(&last.states[k * columns..(k + 1) * columns], &mut fold.states);
            // The fold ended on this point when it folded nothing; its states are these.
            if fold.at.last() == Some(&at) {
                fold.states.truncate(kept);
            } else {
                fold.at.push(at);
            }
        }
        let mut end = Vec::with_capacity(columns);
        shift(&last.end, &mut end);
        fold.end = end;
        // Edits leave a short stretch between the new points and the kept ones: when these add up to as
        // many points again as a fresh fold keeps, the next fold starts afresh.
        if fold.at.len() > 2 * (new.len() / FOLD_EVERY + 1) {
            return ReadFold {
                window,
                ..ReadFold::after(None, env, items)
            };
        }
        fold
    }

    /// A fold of `items` with no state yet, room made for a fresh fold's points.
    fn empty(env: u128, items: &std::sync::Arc<Vec<ItemPrint>>) -> ReadFold {
        let points = items.len() / FOLD_EVERY + 1;
        ReadFold {
            id: FOLDS.with(|n| {
                n.set(n.get() + 1);
                n.get()
            }),
            window: None,
            env,
            items: items.clone(),
            at: Vec::with_capacity(points),
            states: Vec::with_capacity(points * (READ_MASKS.len() + 1)),
            end: Vec::new(),
        }
    }

    /// Folds `items[from..to]` into `state` (the states at `from`), keeping the states at `from` and every
    /// [`FOLD_EVERY`] items after it; the states at `to`.
    fn run(&mut self, mut state: Vec<FoldState>, items: &[ItemPrint], from: usize, to: usize) -> Vec<FoldState> {
        // The sets an item goes into depend only on its bits (a kind, maybe with IMAGE_HOLDER): one bit a
        // set, by kind, with and without that bit; `plain` sets take the item's hash, `ranked` ones (split
        // sets, for an item that is not a model item) the hash mixed with the model items before it. Rows
        // are made when a kind first appears (a small file has a few kinds).
        let row = |bits: u32| {
            let (mut plain, mut ranked) = (0u64, 0u64);
            for (i, &mask) in READ_MASKS.iter().enumerate() {
                if bits & mask == 0 || (bits & MODEL_READS != 0 && is_split(mask)) {
                    continue;
                }
                if is_split(mask) {
                    ranked |= 1 << i;
                } else {
                    plain |= 1 << i;
                }
            }
            (plain, ranked)
        };
        let mut rows: [[Option<(u64, u64)>; 2]; 32] = [[None; 2]; 32];
        let model = READ_MASKS.len();
        for (i, f) in items.iter().enumerate().take(to).skip(from) {
            if (i - from).is_multiple_of(FOLD_EVERY) {
                self.at.push(i as u32);
                self.states.extend_from_slice(&state);
            }
            if f.bits == 0 {
                continue;
            }
            let kind = (f.bits & !IMAGE_HOLDER).trailing_zeros() as usize & 31;
            let image = usize::from(f.bits & IMAGE_HOLDER != 0);
            let (plain, ranked) = *rows[kind][image].get_or_insert_with(|| row(f.bits));
            let mut member = plain;
            while member != 0 {
                let s = &mut state[member.trailing_zeros() as usize];
                member &= member - 1;
                s.h = s.h.wrapping_mul(ODD).wrapping_add(f.hash);
                s.steps += 1;
            }
            let mut member = ranked;
            if member != 0 {
                let value = f.hash.wrapping_add(u128::from(state[model].steps).wrapping_mul(RANK));
                while member != 0 {
                    let s = &mut state[member.trailing_zeros() as usize];
                    member &= member - 1;
                    s.h = s.h.wrapping_mul(ODD).wrapping_add(value);
                    s.steps += 1;
                }
            }
            if f.bits & MODEL_READS != 0 {
                let s = &mut state[model];
                s.h = s.h.wrapping_mul(ODD).wrapping_add(f.hash);
                s.steps += 1;
            }
        }
        // A point at the start even when there is nothing to fold (an empty file), so that every fold has
        // its first point at 0.
        if from >= to && self.at.last().is_none_or(|&a| (a as usize) < from) {
            self.at.push(from as u32);
            self.states.extend_from_slice(&state);
        }
        state
    }
}

/// Each item's text hashed (128 bits), with its kind and place: the compact table the memos key on.
pub(crate) fn item_prints(tree: &crate::syntax::Dockerfile, text: &str) -> Vec<ItemPrint> {
    use crate::syntax::ItemFacts;
    tree.items
        .iter()
        .zip(&tree.starts)
        .map(|(it, &start)| {
            // Read from the item vector, not the nodes.
            let ItemFacts {
                len,
                kind,
                keyword_case: _,
                has_errors,
                may_hold_image,
                may_be_pragma: _,
            } = it.facts;
            ItemPrint {
                hash: it.text_hash_in(start, text),
                kind,
                bits: kind.map_or(0, |k| kind_mask(&[k]) | if may_hold_image { IMAGE_HOLDER } else { 0 }),
                start,
                len,
                has_errors,
            }
        })
        .collect()
}

/// Runs a whole-file rule and appends its diagnostics. When the rule declares what it reads
/// ([`Rule::reads`]) and the environment and the items of those kinds (text and order) are the ones of an
/// earlier check, the diagnostics are the earlier ones, each moved with the item it lies in.
pub(crate) fn check_memoised(ctx: &Ctx, rule: &'static Rule, run: fn(&Ctx, &mut Sink), out: &mut Vec<Diagnostic>) {
    let render = |sink, out: &mut Vec<Diagnostic>| ctx.render(rule, sink, out);
    let Some((mask, (fp, count))) = rule
        .reads
        .and_then(|reads| Some((reads.mask(), ctx.read_print(reads.mask())?)))
    else {
        let mut sink = Sink::default();
        run(ctx, &mut sink);
        return render(sink, out);
    };
    let bypass = crate::memo::is_bypassed();
    // A rule that reads the context's listing is keyed on it too; the others are not.
    let fp = if rule.reads_context {
        hash128(|s| {
            use std::hash::BuildHasher;
            s.hash_one((fp, ctx.context_fingerprint()))
        })
    } else {
        fp
    };
    let key = (rule.code, fp);
    if !bypass
        && let Some(hit) = RULE_MEMO.lock().ok().and_then(|m| m.entries.get(&key).cloned())
        && hit.count == count
    {
        if !hit.pieces.is_empty() {
            hit.moved_to(&ctx.read_items(mask), ctx.input.fixes, out);
        }
        return;
    }
    let per_stage = if rule.per_stage && !bypass {
        per_stage::check(ctx, rule, run, mask)
    } else {
        None
    };
    let (pieces, unmemoisable) = per_stage.unwrap_or_else(|| {
        let mut sink = Sink::default();
        run(ctx, &mut sink);
        let unmemoisable = sink.unmemoisable;
        let mut found = Vec::new();
        render(sink, &mut found);
        (vec![per_stage::Piece::Loose(found)], unmemoisable)
    });
    let read = ctx.read_items(mask);
    let within_read = |found: &[Diagnostic]| {
        found
            .iter()
            .all(|d| diagnostic_ranges(d).all(|r| within_items(r, &read).is_some()))
    };
    let storable = !unmemoisable
        && !bypass
        && pieces.iter().all(|p| match p {
            // Kept by the per-stage table: its ranges lie in the part's read items.
            per_stage::Piece::Kept(..) => true,
            per_stage::Piece::Loose(found) => within_read(found),
        });
    if storable && let Ok(mut memo) = RULE_MEMO.lock() {
        // The memo keeps the findings with their fixes; the check gets copies, without fixes unless it
        // wants them (the language server publishes diagnostics without: they were half the copy).
        let entry = MemoEntry {
            count,
            pieces: pieces
                .into_iter()
                .filter_map(|p| match p {
                    per_stage::Piece::Kept(offset, f) => Some((offset, f)),
                    per_stage::Piece::Loose(found) if found.is_empty() => None,
                    per_stage::Piece::Loose(found) => Some((
                        0,
                        std::sync::Arc::new(RuleFindings {
                            items: kept_items(&found, &read),
                            found,
                        }),
                    )),
                })
                .collect(),
        };
        entry.moved_to(&read, ctx.input.fixes, out);
        memo.insert(key, entry);
        return;
    }
    for p in pieces {
        match p {
            per_stage::Piece::Kept(offset, f) => f.moved_to(&read, offset, ctx.input.fixes, out),
            per_stage::Piece::Loose(found) => out.extend(found),
        }
    }
}

/// [`within_items`] over the items a memo entry kept (start, length, index): the position in `items`.
/// The kept items are those the diagnostics' ranges were in, so each range finds the item it found then.
/// `near` is where to look first (the item of the range before, or the one after it), and is set to the
/// item found; any other position is found by a binary search, with the same answer.
fn within_kept_items(r: TextRange, items: &[(u32, u32, u32)], near: &std::cell::Cell<usize>) -> Option<Option<usize>> {
    if r.start == 0 && r.end == 0 {
        return Some(None);
    }
    // The last item that starts at or before the range, as `partition_point` would give it.
    let last_before = |k: usize| {
        items.get(k).is_some_and(|(s, _, _)| *s <= r.start) && items.get(k + 1).is_none_or(|(s, _, _)| *s > r.start)
    };
    let k = match near.get() {
        k if last_before(k) => k,
        k if last_before(k + 1) => k + 1,
        _ => items.partition_point(|(s, _, _)| *s <= r.start).checked_sub(1)?,
    };
    near.set(k);
    let (s, len, _) = items[k];
    (r.end <= s + len).then_some(Some(k))
}

/// The read item (index in `items`) that contains `r`; `Some(None)` for the empty range at the top of the
/// file (an inserted directive), which never moves; `None` when `r` is elsewhere.
fn within_items(r: TextRange, items: &[(u32, u32)]) -> Option<Option<usize>> {
    if r.start == 0 && r.end == 0 {
        return Some(None);
    }
    let i = items.partition_point(|(s, _)| *s <= r.start).checked_sub(1)?;
    let (s, len) = items[i];
    (r.end <= s + len).then_some(Some(i))
}

#[cfg(test)]
mod within_tests {
    use super::*;

    /// Wherever the search starts, a range finds the item a binary search finds: random item lists
    /// (sorted, some touching, some apart), ranges anywhere (inside, across, between, before, after).
    #[test]
    fn the_near_item_gives_the_answer_of_a_binary_search() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u32| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % u64::from(n)) as u32
        };
        for _ in 0..2_000 {
            let mut items = Vec::new();
            let mut at = next(5);
            for i in 0..next(12) {
                let len = 1 + next(6);
                items.push((at, len, i));
                at += len + next(3);
            }
            let searched = |r: TextRange| {
                if r.start == 0 && r.end == 0 {
                    return Some(None);
                }
                let k = items.partition_point(|(s, _, _)| *s <= r.start).checked_sub(1)?;
                let (s, len, _) = items[k];
                (r.end <= s + len).then_some(Some(k))
            };
            let near = std::cell::Cell::new(next(14) as usize);
            for _ in 0..20 {
                let start = next(at + 4);
                let r = TextRange::new(start, start + next(5));
                assert_eq!(within_kept_items(r, &items, &near), searched(r), "{r:?} in {items:?}");
            }
        }
    }
}

#[cfg(test)]
mod doc_tests {
    use super::*;

    static DOC_RULE: Rule = Rule {
        code: "DW999",
        name: "doc-test",
        severity: Severity::Warning,
        tags: &[],
        fix: FixAvailability::None,
        since: "0.0.0",
        doc: " Summary.\n\n ## What it does\n Finds.\n\n ## Example\n ```dockerfile\n FROM a\n ```\n\n \
              ## References\n - R\n\n ## 日本語\n\n ### 概要\n 要約です。\n\n ### 検出内容\n 一行目と\n \
              二行目を `a b`\n `c` つなぎます。\n\n - 項目\n\n ### なぜ問題か\n 理由です。\n\n ### 対処法\n 対処です。",
        also: &[],
        opt_in: false,
        reads: None,
        per_stage: false,
        reads_context: false,
        check: Check::Dockerfile(|_, _| {}),
    };

    #[test]
    fn the_english_doc_leaves_the_japanese_section_out() {
        let doc = DOC_RULE.doc();
        assert!(doc.ends_with("## References\n- R\n"), "{doc}");
        assert_eq!(DOC_RULE.summary(), "Summary.");
        assert_eq!(DOC_RULE.section("References").as_deref(), Some("- R"));
        assert_eq!(DOC_RULE.doc_in(Locale::En), doc);
        assert_eq!(DOC_RULE.summary_in(Locale::En), "Summary.");
    }

    #[test]
    fn the_japanese_doc_has_the_translated_sections_then_the_english_references() {
        assert_eq!(DOC_RULE.summary_in(Locale::Ja), "要約です。");
        // Soft wraps join without a space, except between two ASCII characters; lists keep their lines.
        assert_eq!(
            DOC_RULE.ja_section("検出内容").as_deref(),
            Some("一行目と二行目を `a b` `c` つなぎます。\n\n- 項目")
        );
        assert_eq!(
            DOC_RULE.doc_in(Locale::Ja),
            "要約です。\n\n## 検出内容\n一行目と二行目を `a b` `c` つなぎます。\n\n- 項目\n\n## なぜ問題か\n理由です。\n\n\
             ## 対処法\n対処です。\n\n---\n\n以下は英語版のコード例と参考資料です。\n\n## Example\n```dockerfile\nFROM a\n```\n\n\
             ## References\n- R\n"
        );
    }

    #[test]
    fn a_rule_without_a_japanese_section_reads_in_english() {
        static PLAIN: Rule = Rule {
            doc: " Plain.\n\n ## What it does\n Finds.",
            ..DOC_RULE
        };
        assert_eq!(PLAIN.doc_in(Locale::Ja), PLAIN.doc());
        assert_eq!(PLAIN.summary_in(Locale::Ja), "Plain.");
    }
}

#[cfg(test)]
mod read_tests {
    use super::*;

    fn findings(n: usize) -> MemoEntry {
        let d = Diagnostic {
            code: "DW105",
            name: "end-of-life-base-image",
            file: FileRef::Dockerfile,
            range: TextRange::new(5, 9),
            severity: Severity::Warning,
            message: String::from("m").into(),
            help: None,
            message_id: "m",
            fixes: Vec::new(),
            related: Vec::new(),
        };
        MemoEntry {
            count: n,
            pieces: vec![(
                0,
                std::sync::Arc::new(RuleFindings {
                    items: vec![(0, 10, 0)],
                    found: vec![d; n],
                }),
            )],
        }
    }

    /// The whole-file memo holds at most `RULE_MEMO_MAX_DIAGNOSTICS` diagnostics (a new entry for every
    /// keystroke in a `FROM` of a long file would otherwise keep all of a rule's findings each time),
    /// and at most `RULE_MEMO_MAX` entries; a replaced entry's diagnostics no longer count.
    #[test]
    fn the_rule_memo_is_bounded_in_diagnostics_and_entries() {
        let mut memo = RuleMemo::default();
        let big = RULE_MEMO_MAX_DIAGNOSTICS / 3;
        for k in 0..3 {
            memo.insert(("DW105", k), findings(big));
        }
        assert_eq!((memo.entries.len(), memo.diagnostics), (3, 3 * big));
        memo.insert(("DW105", 2), findings(1));
        assert_eq!((memo.entries.len(), memo.diagnostics), (3, 2 * big + 1));
        memo.insert(("DW105", 3), findings(big));
        memo.insert(("DW105", 4), findings(big));
        assert_eq!(
            (memo.entries.len(), memo.diagnostics),
            (1, big),
            "cleared, then the new entry"
        );
        for k in 0..RULE_MEMO_MAX as u128 + 1 {
            memo.insert(("DW001", k), findings(0));
        }
        assert!(memo.entries.len() <= RULE_MEMO_MAX);
        assert!(memo.diagnostics <= RULE_MEMO_MAX_DIAGNOSTICS);
    }

    /// `Ctx::read_print` keeps the read sets an item is in as one bit a set in a `u64`.
    #[test]
    fn the_distinct_read_sets_fit_the_membership_bits() {
        let mut masks: Vec<u32> = RULES.iter().filter_map(|r| r.reads).map(Reads::mask).collect();
        masks.sort_unstable();
        masks.dedup();
        assert!(masks.len() > 1);
        assert!(masks.len() <= 64, "{} distinct read sets", masks.len());
        assert_eq!(masks.len(), READ_MASKS.len());
    }

    /// The image rules read the model's kinds and the instructions that can hold an image reference.
    #[test]
    fn an_item_holds_an_image_bit_when_it_can_hold_an_image_reference() {
        let text = "FROM a\nRUN --mount=type=cache,from=b,target=/c true\nRUN --mount=type=cache,target=/c true\n\
                    COPY --from=d / /\nCOPY . .\nLABEL a=b\nARG x\n# c\n";
        let tree = crate::syntax::parse(text);
        let images: Vec<bool> = item_prints(&tree, text)
            .iter()
            .map(|p| p.bits & IMAGE_HOLDER != 0)
            .collect();
        assert_eq!(images, [true, true, false, true, false, false, false, false]);
        let mask = crate::rules::unofficial_base_image::UNOFFICIAL_BASE_IMAGE
            .reads
            .map(Reads::mask);
        let read: Vec<bool> = item_prints(&tree, text)
            .iter()
            .map(|p| p.bits & mask.unwrap() != 0)
            .collect();
        assert_eq!(read, [true, true, false, true, false, false, true, false]);
    }
}

#[cfg(test)]
mod read_fold_tests {
    use super::*;

    /// `ODD^e` and the sum of the powers below it, by repeated multiplication.
    #[test]
    fn odd_power_is_the_power_and_the_sum_below_it() {
        let (mut p, mut g) = (1u128, 0u128);
        for e in 0..600u32 {
            assert_eq!(odd_power(e), (p, g), "{e}");
            g = g.wrapping_add(p);
            p = p.wrapping_mul(ODD);
        }
    }

    /// A fresh fold of `items[..n]`: the states after its `n` first items.
    fn fresh(items: &[ItemPrint], n: usize) -> Vec<FoldState> {
        let prefix = std::sync::Arc::new(items[..n].to_vec());
        ReadFold::after(None, 7, &prefix).end
    }

    /// Read prints kept from check to check equal fresh ones: a file of a few thousand items (so that the
    /// fold keeps states in the middle) edited by a random script of insertions and deletions of lines of
    /// every kind, model items among them (which shift the ranks of the later items of split sets), and
    /// characters typed into lines. After every edit, the kept fold's final states and every state it keeps
    /// equal a fresh fold's over the same items.
    #[test]
    fn read_prints_kept_between_checks_equal_fresh_ones() {
        const LINES: &[&str] = &[
            "FROM golang:1.23 AS build\n",
            "ARG VERSION=1\n",
            "ENV A=1 B=2\n",
            "USER app\n",
            "RUN make\n",
            "COPY . .\n",
            "ADD a.tgz /a\n",
            "WORKDIR /src\n",
            "EXPOSE 22\n",
            "# a comment\n",
            "ONBUILD RUN x\n",
            "CMD [\"a\"]\n",
            "VOLUME /v\n",
            "LABEL a=b\n",
        ];
        let mut next = crate::testing::numbers_below();
        let mut lines: Vec<String> = (0..3_000).map(|i| LINES[i % LINES.len()].to_string()).collect();
        let table = |lines: &[String]| {
            let text: String = lines.concat();
            let tree = crate::syntax::parse(&text);
            std::sync::Arc::new(item_prints(&tree, &text))
        };
        let mut fold = ReadFold::after(None, 7, &table(&lines));
        let mut kept = 0;
        for step in 0..300 {
            crate::testing::edit_lines(&mut lines, LINES, &mut next, (40, 300, false));
            let items = table(&lines);
            fold = ReadFold::after(Some(fold), 7, &items);
            assert_eq!(fold.end, fresh(&items, items.len()), "step {step}: final states");
            assert_eq!(fold.at.first(), Some(&0), "step {step}");
            assert!(fold.at.windows(2).all(|w| w[0] < w[1]), "step {step}: points in order");
            let columns = READ_MASKS.len() + 1;
            for (k, &at) in fold.at.iter().enumerate() {
                assert_eq!(
                    fold.states[k * columns..(k + 1) * columns],
                    fresh(&items, at as usize)[..],
                    "step {step}: point {k} at item {at}"
                );
            }
            kept += fold.at.len();
        }
        assert!(kept > 300 * 4, "the fold keeps states in the middle: {kept}");
    }
}
