//! DW611 undefined-var: a variable Docker expands that nothing in scope defines.

use std::collections::BTreeSet;

use crate::model::{Base, Stage, VarKind};
use crate::rules::{Ctx, Sink, declare_rule};
use crate::syntax::{Kind, VarUse};

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
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// 命令が、スコープ内のどこでも定義されていない変数を使っています。
    ///
    /// ### 検出内容
    /// Docker 自身が展開する `$name` (`ADD`、`COPY`、`ENV`、`LABEL`、`USER`、`WORKDIR`、`VOLUME`、`STOPSIGNAL`、
    /// `ARG` の既定値の中。シェルが展開する `RUN`、`CMD`、`ENTRYPOINT` は対象外) を、
    /// その時点でスコープにある `ARG` と `ENV` と照合します。ベースイメージも変数を定義しうるので、
    /// イメージから作るステージではスコープ内の変数と紛らわしい名前 (タイプミスらしいもの) だけを報告し、
    /// `scratch` から作るステージでは未定義の変数をすべて報告します。
    ///
    /// ### なぜ問題か
    /// 未定義の変数は空文字列に展開されます。`COPY app $APP_HOEM/` は `/` にコピーし、
    /// `ENV PATH=$GOPTAH/bin:$PATH` は Go のディレクトリではなく `/bin` を追加してしまいます。BuildKit も警告します。
    ///
    /// ### 対処法
    /// 変数名のつづりを直すか、使う前に `ARG` や `ENV` で定義してください。
    pub static UNDEFINED_VAR = {
        code: "DW611",
        name: "undefined-var",
        severity: Warning,
        tags: ["correctness"],
        fix: None,
        since: "0.2.0",
        also: ["buildkit:UndefinedVar"],
        reads: [From, Arg, Env, User, Add, Copy, Label, Workdir, Volume, Stopsignal],
        per_stage: true,
        check: check,
    }
}

/// Arguments BuildKit reads itself and never puts in the environment.
const NON_ENV: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// The name in scope that `name` misspells: one edit away (ignoring case), for names of three or more
/// characters. Tighter than a general suggestion: on an image, it is the only evidence that the variable
/// is not the image's own.
fn near_miss<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if name.chars().count() < 3 {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    candidates
        .filter(|c| c.chars().count() >= 3 && c.len().abs_diff(name.len()) <= 1)
        .find(|c| crate::syntax::errors::edit_distance(&lower, &c.to_ascii_lowercase()) <= 1)
}

/// Whether the instruction is one whose arguments Docker expands and BuildKit checks.
fn checked(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Add
            | Kind::Copy
            | Kind::Env
            | Kind::Label
            | Kind::User
            | Kind::Workdir
            | Kind::Volume
            | Kind::Stopsignal
            | Kind::Arg
    )
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    let stages = &ctx.model.stages;
    // The names each stage defines, and whether its chain of stages starts from `scratch`, for the stages
    // looked at and those they are built on.
    let mut own: Vec<Option<BTreeSet<&str>>> = vec![None; stages.len()];
    let mut on_scratch: Vec<Option<bool>> = vec![None; stages.len()];
    for stage in ctx.stages() {
        // The stage and the stages it is built on not seen yet, nearest first: the walk stops at one seen
        // (what it inherits is known), so a pass over every stage walks each chain once.
        let mut path = vec![stage.index];
        if own[stage.index].is_none() {
            path.extend(ancestors(ctx, stage).take_while(|&a| own[a].is_none()));
        }
        let last = path.last().copied().unwrap_or(stage.index);
        let scratch = match stages[last].base {
            Base::Scratch => true,
            Base::Stage(p) if p < last => on_scratch[p].unwrap_or(false),
            _ => false,
        };
        for &s in &path {
            own[s].get_or_insert_with(|| stages[s].vars.iter().map(|v| v.name.as_str()).collect());
            on_scratch[s].get_or_insert(scratch);
        }
        report_stage(ctx, stage, &own, on_scratch[stage.index].unwrap_or(false), sink);
    }
}

/// The stages `stage` is built on, nearest first (each earlier than the one before).
fn ancestors<'a>(ctx: &'a Ctx, stage: &Stage) -> impl Iterator<Item = usize> + 'a {
    let mut cur = stage.index;
    std::iter::from_fn(move || match ctx.model.stages.get(cur).map(|s| &s.base) {
        Some(Base::Stage(p)) if *p < cur => {
            cur = *p;
            Some(cur)
        }
        _ => None,
    })
}

fn report_stage(ctx: &Ctx, stage: &Stage, own: &[Option<BTreeSet<&str>>], on_scratch: bool, sink: &mut Sink) {
    // The stage's own definitions so far, in item order; the ENVs it inherited come first (items before
    // its FROM). ENV and ARG values of the stages it is built on reach it through the state: those are
    // looked up only for a name the stage does not define.
    let mut scope: BTreeSet<&str> = BTreeSet::new();
    let vars = &stage.vars;
    let mut next = 0;
    for item in stage.items.clone() {
        while let Some(v) = vars.get(next).filter(|v| v.item < item) {
            if v.kind == VarKind::Env || v.item >= stage.from_item {
                scope.insert(v.name.as_str());
            }
            next += 1;
        }
        let Some(it) = ctx.tree.item(item) else { continue };
        let Some(ins) = it.instruction() else { continue };
        if !checked(ins.kind) {
            continue;
        }
        let args = ins.args_span.range;
        let uses = ins
            .var_uses
            .iter()
            .filter(|u: &&VarUse| u.expanded_by_docker && u.range.start >= args.start && u.range.end <= args.end);
        for u in uses {
            let name = ins.text(&u.name);
            if name.is_empty() || name == "PATH" || NON_ENV.contains(&name) || scope.contains(name) {
                continue;
            }
            if ancestors(ctx, stage).any(|a| {
                own.get(a)
                    .and_then(Option::as_ref)
                    .is_some_and(|names| names.contains(name))
            }) {
                continue;
            }
            let range = it.abs(u.range);
            // `ARG A=1 B=$A`: BuildKit defines the names of one ARG in order.
            let same_arg = ins.kind == Kind::Arg
                && vars[next..]
                    .iter()
                    .take_while(|v| v.item == item)
                    .any(|v| v.name == name && v.name_range.end <= range.start);
            if same_arg {
                continue;
            }
            // Bounded: a file with thousands of variables does not make every miss scan them all.
            let inherited =
                ancestors(ctx, stage).flat_map(|a| own.get(a).and_then(Option::as_ref).into_iter().flatten().copied());
            match near_miss(name, scope.iter().copied().chain(inherited).take(4096)) {
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
