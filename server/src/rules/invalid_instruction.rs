//! DW004 invalid-instruction: what BuildKit rejects when it reads an instruction.

use crate::rules::{Ctx, Sink, declare_rule, report_parse_problems};
use crate::syntax::ProblemKind;

declare_rule! {
    /// BuildKit rejects this instruction when it reads it.
    ///
    /// ## What it does
    /// Docker's parser accepts some lines that BuildKit then refuses while it turns them into build
    /// steps. This rule reports them: a wrong number of arguments (`FROM a b`, `COPY onlyone`, `USER` with
    /// nothing after it), a flag without its value (`COPY --from build`), a repeated flag, a boolean flag
    /// with another value, an invalid stage name or a name used twice, an instruction other than `ARG`
    /// before the first `FROM`, `SHELL` not in JSON form, `HEALTHCHECK` options that are not durations,
    /// `ONBUILD ONBUILD`, an invalid image reference such as `FROM Ubuntu`, and a `${...}` that Docker
    /// cannot expand.
    ///
    /// ## Why is this bad?
    /// The build fails, usually after minutes of earlier steps. Some of these mistakes also change
    /// meaning silently in other tools: `COPY --from build src dst` copies from the context in a builder
    /// that ignores the broken flag.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static
    /// COPY --from build /app /app
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=build /app /app
    /// ```
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    /// - BuildKit: `frontend/dockerfile/instructions` errors
    /// - hadolint: DL3021 (COPY with more than two arguments needs a trailing `/`), DL3023 (COPY --from
    ///   its own stage), DL3024 (duplicate stage name)
    pub static INVALID_INSTRUCTION = {
        code: "DW004",
        name: "invalid-instruction",
        severity: Error,
        tags: ["syntax"],
        fix: None,
        since: "0.1.0",
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    report_parse_problems(ctx, sink, ProblemKind::Instruction, None);
    for p in &ctx.model.problems {
        sink.report(p.range, p.message, p.args.clone());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn reports_what_buildkit_rejects() {
        check_rule(
            "DW004",
            r#"WORKDIR /x
#^^^^^^ DW004 invalid.before-from
FROM Ubuntu AS base
#    ^^^^^^ DW004 invalid.image-uppercase
FROM alpine AS BASE
#              ^^^^ DW004 invalid.duplicate-stage
COPY --from build /a /b
#    ^^^^^^ DW004 invalid.flag-missing-value
COPY onlyone
#    ^^^^^^^ DW004 invalid.no-destination
FROM a b
#      ^ DW004 invalid.from-arguments
SHELL /bin/bash -c
#     ^^^^^^^^^^^^ DW004 invalid.shell-not-json
HEALTHCHECK --interval=5 CMD true
#                      ^ DW004 invalid.healthcheck-duration
ENV P=${X:?}${
#     ^^^^^^^^ DW004 invalid.bad-substitution
"#,
        );
    }

    #[test]
    fn accepts_valid_files() {
        check_rule(
            "DW004",
            "ARG BASE=alpine\nFROM ${BASE}:3.20 AS build\nCOPY --from=build --chown=1:1 --link /a /b\nHEALTHCHECK --interval=30s --retries=3 CMD true\nSHELL [\"/bin/sh\", \"-c\"]\n",
        );
    }
}
