#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (cargo-fuzz, libFuzzer) one after the other.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     # default: 60 seconds each, every target
#
# Needs the nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`,
# `cargo install cargo-fuzz --locked`). Seeds are built from the fixtures first (tests/fuzz/seeds.py);
# what the fuzzer adds stays in fuzz/corpus/<target>/ (ignored by git). Targets are built without a
# sanitizer (the crate forbids unsafe code; its dependencies are widely fuzzed) and with debug
# assertions, so that integer overflows and debug checks panic instead of wrapping silently.
#
# Each target's libFuzzer output goes to $FUZZ_LOG_DIR/<target>.log (default fuzz/logs/). The script
# stops at the first target that finds a crash, a hang (more than 30 s on one input) or a leak of
# memory over 2 GB, and prints the log's end; the failing input is in fuzz/artifacts/<target>/. Reproduce
# it with `cargo +nightly fuzz run --sanitizer none --debug-assertions <target> <file>`, then add it to
# tests/fuzz_regressions.rs.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_EACH=${1:-60}
# A fixed seed makes a short run repeatable (CI explores the same inputs as the run that was checked
# before a commit); set FUZZ_SEED=0 for a new random seed each run, as long runs should.
SEED=${FUZZ_SEED:-1}
# FUZZ_RUNS=N stops each target after N inputs as well: with the fixed seed and the same commit, the run
# is then the same on a fast machine and a slow one (CI sets it).
RUNS=()
if [ -n "${FUZZ_RUNS:-}" ]; then RUNS=(-runs="$FUZZ_RUNS"); fi
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(dockerfile dockerignore incremental_edits lsp fixes)
fi
LOGS=${FUZZ_LOG_DIR:-fuzz/logs}
mkdir -p "$LOGS"
# The fuzz crate has its own target directory; a CARGO_TARGET_DIR meant for the main crate would mix
# instrumented and plain builds.
unset CARGO_TARGET_DIR
FLAGS=(--sanitizer none --debug-assertions)

python3 tests/fuzz/seeds.py "${TARGETS[@]}"
cargo +nightly fuzz build "${FLAGS[@]}"

for t in "${TARGETS[@]}"; do
  log="$LOGS/$t.log"
  echo "fuzzing $t for ${SECONDS_EACH}s (log: $log)"
  if ! cargo +nightly fuzz run "${FLAGS[@]}" "$t" -- \
      -max_total_time="$SECONDS_EACH" -seed="$SEED" ${RUNS[@]+"${RUNS[@]}"} -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
      >"$log" 2>&1; then
    echo "fuzz target $t failed:"
    tail -n 60 "$log"
    exit 1
  fi
  grep -E '(DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
done
