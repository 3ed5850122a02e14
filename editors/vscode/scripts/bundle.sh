#!/usr/bin/env bash
# Copies a dockward binary into the extension (server/linux-x64/dockward), where the extension looks for
# its bundled server, so that `npx @vscode/vsce@3 package` puts it into the .vsix.
# Usage (from anywhere): bash editors/vscode/scripts/bundle.sh [BINARY]
#   BINARY defaults to the repository's target/release/dockward (build it with `cargo build-static`: linked
#   statically, it runs on any Linux whatever its glibc);
#   a relative BINARY is taken from the current directory. CARGO_TARGET_DIR is honoured for the default.
set -euo pipefail
EXT=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$EXT/../.." && pwd)
BIN=${1:-${CARGO_TARGET_DIR:-$ROOT/target}/release/dockward}
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
if [ ! -x "$BIN" ]; then
  echo "bundle.sh: no dockward binary at $BIN (run cargo build-static first, or pass a path)" >&2
  exit 2
fi
if ! VERSION=$("$BIN" --version 2>&1) || [[ "$VERSION" != dockward\ * ]]; then
  echo "bundle.sh: $BIN --version printed '$VERSION', not a dockward version" >&2
  exit 2
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PLATFORM=linux-x64 ;;
  *) echo "bundle.sh: only linux-x64 binaries are bundled; this machine is $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac
DEST=$EXT/server/$PLATFORM
rm -rf "$EXT/server"
mkdir -p "$DEST"
cp "$BIN" "$DEST/dockward"
chmod 755 "$DEST/dockward"
echo "bundled $VERSION from $BIN into ${DEST#"$ROOT"/}"
