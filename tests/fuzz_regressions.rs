//! Every input a fuzz target (`fuzz/`, `tests/fuzz/run.sh`) found to crash, hang or break a promise,
//! kept as a test of the normal suite, with the fix it led to.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use dockward::date::Date;
use dockward::settings::Settings;
use dockward::{Input, check};

#[path = "support/fixes.rs"]
mod fixes;

const TODAY: Date = Date::new(2026, 11, 28);

/// Checks `text` on another thread and fails if that takes longer than `limit` (a hang would otherwise
/// stop the suite rather than fail it).
fn check_within(text: &str, limit: Duration) -> Vec<dockward::Diagnostic> {
    let (tx, rx) = mpsc::channel();
    let owned = text.to_string();
    thread::spawn(move || {
        let _ = tx.send(check(&Input::new(&owned, TODAY), &Settings::default()));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("checking {text:?} took longer than {limit:?}"))
}

/// Every fix offered on `text` keeps its promises, and `code` is reported there without a fix.
fn reported_without_fix(text: &str, code: &str) {
    let input = Input::new(text, TODAY);
    fixes::all_promises(&input, &Settings::default()).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let diags = check(&input, &Settings::default());
    let d = diags
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("{code} on {text:?}: {diags:#?}"));
    assert!(d.fixes.is_empty(), "{code} on {text:?}: {:?}", d.fixes);
}

/// `fuzz/artifacts/dockerfile/timeout-8db43bd2…`: an image path component with a byte that is neither a
/// letter, a digit nor a separator (here U+FFFD from invalid UTF-8; `+` or `é` do the same) made
/// `model::image::valid_path_component` loop forever, so the language server hung on `FROM my+app`.
#[test]
fn image_names_with_a_stray_character_do_not_hang() {
    for text in [
        "FROM ja\u{FFFD}va:8-jre-alpine\n",
        "FROM my+app\n",
        "FROM caf\u{e9}s/app:1\n",
        "FROM registry.example.com/team/a~b:1\nCOPY --from=x~y:1 / /\n",
    ] {
        let diags = check_within(text, Duration::from_secs(10));
        assert!(!diags.is_empty(), "{text:?}: an invalid image reference is reported");
    }
}

/// `fuzz/artifacts/fixes/crash-bcbdbc07…` (seed 1, found by CI's run): DW613 converted
/// `ENV GRE"$(dpkg --print-architecture …)"; \` to `GRE"$(dpkg=--print-architecture\ …`, where the key's
/// quote pairs with the value's: the fixed line split into words that are not pairs, a syntax error.
/// The fix is now offered only when the new text parses as the same one pair.
#[test]
fn the_key_value_fix_is_not_offered_when_the_key_has_a_quote() {
    let text = "FROM alpine:3.24\nENV GRE\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"; \\\n\twget -O /usr/local/bin/g\u{2038}OF\n";
    reported_without_fix(text, "DW613");
}

/// `fuzz/artifacts/fixes/crash-fb544934…` (seed 4), minimised to `RUN sh -c 'sudo m'"`: the argument of
/// `sh -c` is rejoined from a quoted part and an unterminated one, so the nested script is not written as
/// such and all its spans are the whole argument. DW502's fix removed the text from `sudo` to the next
/// word, an empty range there, and fired again. Such commands are now marked (`Command::widened`) and no
/// fix edits their words; the findings stay. DW404's option removal had the same flaw (it would have
/// removed the whole argument).
#[test]
fn no_fix_edits_the_words_of_a_rejoined_nested_script() {
    for (text, code) in [
        ("FROM debian\nRUN sh -c 'sudo m'\"\n", "DW502"),
        ("FROM debian\nRUN sh -c 'curl -k https://example.com/x'\"\n", "DW404"),
    ] {
        reported_without_fix(text, code);
    }
    // Written as such, the nested script's words are fixed as before.
    let diags = check(
        &Input::new("FROM debian\nRUN sh -c 'sudo m'\n", TODAY),
        &Settings::default(),
    );
    assert_eq!(diags.iter().find(|d| d.code == "DW502").map(|d| d.fixes.len()), Some(1));
}

/// `fuzz/artifacts/fixes/crash-c26e8c0a…`: DW002 offered `LABE` → `LABEL` on `LABE Ldescriptior�me"`,
/// whose arguments are a syntax error for `LABEL` (an open quote): the fix added a syntax error. Such a
/// replacement is no longer offered; the typo is still reported.
#[test]
fn a_keyword_fix_is_not_offered_when_the_arguments_would_be_invalid() {
    reported_without_fix("FROM alpine:3.20\nLABE Ldescriptior\u{FFFD}me\"\n", "DW002");
    // With valid arguments the correction is still offered.
    let diags = check(&Input::new("FROM alpine:3.20\nLABE a=b\n", TODAY), &Settings::default());
    let typo = diags.iter().find(|d| d.code == "DW002").expect("the typo is reported");
    assert_eq!(typo.fixes.len(), 1);
}

/// `fuzz/artifacts/fixes/crash-0a8b23f3…`: the file ended inside a `RUN` continuation (its last line
/// ends with `\`), and DW101's fix appended `USER 1000:1000`, which Docker reads as more of that `RUN`:
/// the stage still ran as root. No `USER` fix is offered at such an end; the finding stays.
#[test]
fn no_user_is_appended_to_an_open_continuation() {
    for text in [
        "FROM node:22\nRUN npm ci; \\\n",
        "FROM node:22\nRUN npm ci; \\",
        "FROM node:22\nRUN npm ci; \\\n\n",
        "# escape=`\nFROM node:22\nRUN npm ci; `\n",
        // `.ci/run`, fuzz/artifacts/fixes/crash-3749e6fb…: comment lines after the open continuation.
        "FROM node:22\nRUN npm ci \\\n#     && apt-get install x\n\n# Install emacs:\n# Note: only",
    ] {
        reported_without_fix(text, "DW101");
    }
    // A closed last instruction still gets the fix.
    assert_eq!(root_user_fixes("FROM node:22\nRUN npm ci\n"), 1);
}

/// How many fixes DW101 offers on `text` (which must run as root).
fn root_user_fixes(text: &str) -> usize {
    let diags = check(&Input::new(text, TODAY), &Settings::default());
    let root = diags
        .iter()
        .find(|d| d.code == "DW101")
        .unwrap_or_else(|| panic!("{text:?}: running as root is reported"));
    root.fixes.len()
}

/// `fuzz/artifacts/fixes/crash-8fdec5cf…` (seed 1, found by CI's run): the last instruction of the file
/// had a heredoc that is never closed (`COPY --from=build/out <<EO…`, its delimiter made of invalid
/// UTF-8), so its body ran to the end of the file, and DW101's fix appended `RUN adduser …` and
/// `USER 10001:10001` inside that body: the stage still ran as root. No `USER` fix is offered there.
#[test]
fn no_user_is_appended_to_an_unclosed_heredoc() {
    let artifact = String::from_utf8_lossy(
        b"FROM alpine\nRUNCH go build -o /out/app .\nFROM alpine:2.20\n COPY --from=build\xea/out <<EO\xb5\xf5/coredn3/tc\x9a\x9c\x97\x90\xdf\x91ever cl\x7f\x01next\n",
    )
    .into_owned();
    for text in [
        artifact.as_str(),
        "FROM node:22\nCOPY <<EOF /app/config\nkey=value\n",
        "FROM node:22\nRUN <<EOF\nnpm ci\n",
        "FROM node:22\nRUN cat <<A <<B\na\nA\nb\n",
    ] {
        reported_without_fix(text, "DW101");
    }
    // A closed heredoc at the end still gets the fix.
    assert_eq!(root_user_fixes("FROM node:22\nRUN <<EOF\nnpm ci\nEOF\n"), 1);
}

/// `fuzz/artifacts/dockerignore/timeout-864cd348…`: a 65 KB ignore file of 2,471 lines, most of them
/// exceptions naming sensitive files. DW304 built a second matcher (every line but one) for each such
/// exception: 8.9 s for the file in a release build, a timeout in the fuzzer. It now asks the one matcher
/// with that line left out (`Matcher::excluded_in_walk_without`, its flags from counts kept at
/// construction), and a file at the top of the context is decided by the last pattern that matches it,
/// found scanning backwards. These 3,002 lines: 2.4 s in a debug build. (Exceptions for nested paths
/// still cost a walk over every line each: quadratic in the worst case.)
#[test]
fn many_sensitive_exceptions_in_an_ignore_file_are_checked_quickly() {
    use dockward::{IgnoreInput, check_ignore};
    let mut text = String::from("**/*.pem\n.env*\n");
    for k in 0..1_500 {
        text.push_str(&format!("!.env.p{k}\n!s{k}.pem\n"));
    }
    let (tx, rx) = mpsc::channel();
    let owned = text.clone();
    thread::spawn(move || {
        let diags = check_ignore(
            &IgnoreInput {
                text: &owned,
                context: None,
            },
            &Settings::default(),
        );
        let _ = tx.send(diags);
    });
    let diags = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("checking the ignore file takes less than a minute");
    let reincluded = diags.iter().filter(|d| d.code == "DW304").count();
    assert_eq!(reincluded, 3_000, "every exception brings a sensitive file back");
}

/// Fuzz (`fixes`, CI run of 2026-11-29): `curl -skkkk…kSL` took one safe-fix round per `k`, so the safe
/// fixes did not reach a fixpoint in ten rounds. DW404's fix now removes every `k` of the cluster at once.
#[test]
fn every_k_of_a_curl_option_cluster_goes_in_one_fix() {
    let text = "FROM alpine:3.24\nRUN curl -skkkkkkkkkkkkSL https://example.com/x | tar xz && curl -kk https://example.com/y\n";
    let input = Input::new(text, TODAY);
    fixes::all_promises(&input, &Settings::default()).unwrap();
    let (fixed, _) = fixes::safe_fixpoint(&input, &Settings::default()).unwrap();
    assert!(fixed.contains("curl -sSL https://example.com/x"), "{fixed}");
    assert!(fixed.contains("&& curl https://example.com/y"), "{fixed}");
    let left: Vec<_> = check(&Input::new(&fixed, TODAY), &Settings::default())
        .into_iter()
        .filter(|d| d.code == "DW404")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `second` checked (memoised, as the language server checks it, with every memo of this process as the
/// files checked before left it) after `first` and after `between`, against a fresh check with every memo
/// bypassed; DW301 reports something in `second`.
fn second_after_first_is_fresh(first: &str, between: impl FnOnce(), second: &str) {
    let memoised_and_fresh = |text: &str| {
        let input = Input::new(text, TODAY);
        let memoised = check(&input, &Settings::default());
        (
            memoised,
            dockward::memo::bypassed(|| check(&input, &Settings::default())),
        )
    };
    let (memoised, fresh) = memoised_and_fresh(first);
    assert_eq!(memoised, fresh, "{first:?}");
    between();
    let (memoised, fresh) = memoised_and_fresh(second);
    assert_eq!(memoised, fresh, "{second:?} after {first:?}");
    assert!(fresh.iter().any(|d| d.code == "DW301"), "{fresh:#?}");
}

/// `fuzz/artifacts/incremental_edits/crash-40a55cf5…` (`FUZZ_SEED=0`, 2026-12-01): a failure that needs
/// the files checked before it (the memos are process-wide), reduced from a random walk of edits around
/// that input to these two files. The third stage of the second file holds the `COPY . /code` that the
/// first file's first stage holds, and is built on no stage; the third stage of the first file holds no
/// `COPY` and is built on stage 0. A stage's chain of bases was folded from zero, which does not tell
/// leading zeros apart, so both had one key, and DW301's finding on `COPY . /code` was answered from the
/// first file's third stage, which had none. Each base's fold is now sealed before it enters the chain
/// (`rules/per_stage.rs`, `seal`, `a_stage_built_on_stage_0_is_told_apart_…`).
#[test]
fn a_stage_built_on_stage_0_is_not_answered_for_one_that_holds_its_copy() {
    let first = "# syntax=docker/dockerfile:1.4\nFROM --platform=$BUILDPLATFORM node:lts AS development\nCOPY package.json /code/package.json\nCOPY . /code\nFROM --platform=$BUILDPLATFORM node:lts AS development\nFROM development AS build\nFROM nginx:1.13-alpine\n";
    let second = "# syntax=docker/dockerfile:1.4\nFROM --platform=$BUILDPLATFORM node:lts AS development\nFROM build AS build\nFROM --platform=$BUILDPLATFORM node:lts AS development\nCOPY package.json /code/package.json\nCOPY . /code\nFROM --platform=$BUILDPLATFORM node:lts AS development\nCOPY --from=build /code/build /usr/share/nginx/html\n";
    second_after_first_is_fresh(first, || {}, second);
}

/// Found the same night, by the same random walk of edits once the first fix was in:
/// the same `COPY` instructions, one of them moved before the first `FROM`. The whole file's DW301 read
/// set is the same, so part 0's key (the whole-file fingerprint alone) was too: once the whole-file
/// memo had forgotten the first file (here: it is emptied by the files of one stage checked in between,
/// which leave the per-stage table alone), DW301's finding on the moved `COPY` was answered from the
/// first file's part 0, which had none (`rules/per_stage.rs`, `part_0_is_told_apart_…`).
#[test]
fn part_0_is_not_answered_for_a_copy_moved_before_the_first_from() {
    let first = "FROM node:24-alpine AS build\nCOPY . /src\nFROM nginx:1.29-alpine\nCOPY --from=build /src/dist /usr/share/nginx/html\n";
    let second = "COPY . /src\nFROM node:24-alpine AS build\nFROM nginx:1.29-alpine\nCOPY --from=build /src/dist /usr/share/nginx/html\n";
    // Files of one stage, which leave the per-stage table alone, until the whole-file memo is emptied.
    let one_stage_files = || {
        for i in 0..600 {
            let _ = check(
                &Input::new(&format!("FROM alpine:3.22\nCOPY f{i} /f\n"), TODAY),
                &Settings::default(),
            );
        }
    };
    second_after_first_is_fresh(first, one_stage_files, second);
}
