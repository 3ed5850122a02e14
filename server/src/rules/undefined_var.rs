//! DW611 undefined-var: a variable Docker expands that nothing in scope defines.

use crate::model::{Base, Stage, VarKind};
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::{Instruction, Kind, VarUse};

declare_rule! {
    /// An instruction uses a variable that nothing in scope defines.
    ///
    /// ## What it does
    /// Checks every `$name` that Docker itself expands (in `ADD`, `COPY`, `ENV`, `LABEL`, `USER`,
    /// `WORKDIR`, `VOLUME`, `STOPSIGNAL` and `ARG` defaults; not in `RUN`, `CMD` or `ENTRYPOINT`, which
    /// the shell expands) against the `ARG`s and `ENV`s in scope at that point: those of the stage
    /// before the instruction and those of the stages it is built on. `PATH` is always defined.
    ///
    /// A base image can define variables too, and dockward does not download images. So in a stage
    /// built on an image, a variable is reported only when it is a near miss of one in scope (a likely
    /// typo, which BuildKit reports with the same suggestion); in a stage built on `scratch`, every
    /// undefined variable is reported.
    ///
    /// ## Why is this bad?
    /// An undefined variable expands to nothing: `COPY app $APP_HOEM/` copies to `/`, and
    /// `ENV PATH=$GOPTAH/bin:$PATH` adds `/bin` instead of the Go directory. BuildKit warns about it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// ARG APP_HOME=/srv/app
    /// COPY . $APP_HOEM/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM alpine
    /// ARG APP_HOME=/srv/app
    /// COPY . $APP_HOME/
    /// ```
    ///
    /// ## References
    /// - BuildKit: `UndefinedVar`
    /// - [UndefinedVar](https://docs.docker.com/reference/build-checks/undefined-var/)
    pub static UNDEFINED_VAR = {
        code: "DW611",
        name: "undefined-var",
        severity: Warning,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:UndefinedVar"],
        reads: [From, Arg, Env, User, Add, Copy, Label, Workdir, Volume, Stopsignal],
        check: check,
    }
}

/// Arguments BuildKit reads itself and never puts in the environment.
const NON_ENV: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// The names defined just before `use_` in instruction `ins` (item `item`) of `stage`, whose chain of
/// stages is `chain` (nearest first).
fn in_scope<'a>(
    ctx: &'a Ctx,
    stage: &'a Stage,
    chain: &'a [usize],
    item: usize,
    ins: &'a Instruction,
    use_start: u32,
) -> impl Iterator<Item = &'a str> + 'a {
    let here = stage.vars.iter().filter(move |v| {
        let before = match v.kind {
            VarKind::Env => v.item < item,
            VarKind::Arg => v.item >= stage.from_item && v.item < item,
        };
        // `ARG A=1 B=$A`: BuildKit defines the names of one ARG in order.
        let same_arg = ins.kind == Kind::Arg && v.item == item && v.name_range.end <= use_start;
        before || same_arg
    });
    let ancestors = chain
        .iter()
        .skip(1)
        .flat_map(move |&s| ctx.model.stages.get(s).map_or(&[][..], |st| &st.vars[..]));
    here.chain(ancestors).map(|v| v.name.as_str())
}

/// The name in scope that `name` misspells: one edit away (ignoring case), for names of three or more
/// characters. Tighter than a general suggestion: on an image, it is the only evidence that the variable
/// is not the image's own.
fn near_miss<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if name.chars().count() < 3 {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    candidates
        .filter(|c| c.chars().count() >= 3)
        .find(|c| crate::syntax::errors::edit_distance(&lower, &c.to_ascii_lowercase()) <= 1)
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    for stage in &ctx.model.stages {
        let chain = ctx.model.chain(stage.index);
        let on_scratch = chain
            .last()
            .and_then(|&r| ctx.model.stages.get(r))
            .is_some_and(|r| r.base == Base::Scratch);
        for item in stage.items.clone() {
            let Some(it) = ctx.tree.item(item) else { continue };
            let Some(ins) = it.instruction() else { continue };
            if !matches!(
                ins.kind,
                Kind::Add
                    | Kind::Copy
                    | Kind::Env
                    | Kind::Label
                    | Kind::User
                    | Kind::Workdir
                    | Kind::Volume
                    | Kind::Stopsignal
                    | Kind::Arg
            ) {
                continue;
            }
            let args = ins.args_span.range;
            let uses = ins
                .var_uses
                .iter()
                .filter(|u: &&VarUse| u.expanded_by_docker && u.range.start >= args.start && u.range.end <= args.end);
            for u in uses {
                let name = ins.text(&u.name);
                if name.is_empty() || name == "PATH" || NON_ENV.contains(&name) {
                    continue;
                }
                let use_start = it.abs(u.range).start;
                if in_scope(ctx, stage, &chain, item, ins, use_start).any(|n| n == name) {
                    continue;
                }
                let suggestion = near_miss(name, in_scope(ctx, stage, &chain, item, ins, use_start));
                let range = it.abs(u.range);
                match suggestion {
                    Some(s) => {
                        sink.report(
                            range,
                            "undefined-var.suggest",
                            vec![("name", name.to_string()), ("suggestion", s.to_string())],
                        );
                    }
                    None if on_scratch => {
                        sink.report(range, "undefined-var", vec![("name", name.to_string())]);
                    }
                    None => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::check_rule;

    #[test]
    fn flags_near_misses_on_images() {
        check_rule(
            "DW611",
            "FROM alpine AS base\nARG APP_HOME=/srv/app\nCOPY . $APP_HOEM/\n#      ^^^^^^^^^ DW611 undefined-var.suggest\nCOPY . $APP_HOME/\nENV JAVA_HOME=/x PATH=$PATH:$JAVA_HOME/bin\nWORKDIR $HOME\nRUN echo $APP_HOEM\nARG A=1 B=$A\nFROM base\nWORKDIR $APP_HOME\nWORKDIR ${JAVA_HOEM}\n#       ^^^^^^^^^^^^ DW611 undefined-var.suggest\n",
        );
    }

    #[test]
    fn flags_every_undefined_variable_on_scratch() {
        check_rule(
            "DW611",
            "FROM scratch\nARG V\nCOPY app-$V /app\nCOPY $TARGETARCH/app /app\n#    ^^^^^^^^^^^ DW611 undefined-var\nENV A=1 B=$A\n#         ^^ DW611 undefined-var\nENV C=$A\n",
        );
    }
}
