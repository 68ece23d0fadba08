#!/usr/bin/env bash
# Builds and packages the installable extension (`npm run package`):
#   bash scripts/package-vsix.sh [OUT.vsix]        default: dist/alignscope-<version>.vsix
# Builds the kernel and renderer (npm run build) and the extension bundle, stages the extension with the
# kernel's runtime dependencies (extension/package/stage.mjs), then runs `vsce package --no-dependencies`
# in the staging directory. Set ALIGNSCOPE_SKIP_BUILD=1 to package what is already built.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

VERSION="$(node -p "require('./package.json').version")"
OUT="${1:-dist/alignscope-$VERSION.vsix}"
case "$OUT" in /*) ;; *) OUT="$ROOT/$OUT" ;; esac
# A staging directory per run: concurrent runs (e.g. a test suite and a developer) never share one.
mkdir -p "$ROOT/.cache"
STAGE="$(mktemp -d "$ROOT/.cache/vsix-stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

if [ "${ALIGNSCOPE_SKIP_BUILD:-}" != "1" ]; then
  echo "[package] build kernel + renderer"
  npm run --silent build
  echo "[package] build extension"
  node extension/build.mjs
fi

node extension/package/stage.mjs "$STAGE" | sed -n '1p'

VSCE="$ROOT/node_modules/@vscode/vsce/vsce"
[ -f "$VSCE" ] || { echo "[package] @vscode/vsce is not installed (npm install at the root)" >&2; exit 1; }
flags=(--no-dependencies --allow-missing-repository --no-update-package-json --no-git-tag-version --out "$OUT")
[ -f "$STAGE/LICENSE" ] || flags+=(--skip-license)
mkdir -p "$(dirname "$OUT")"
started=$(date +%s)
(cd "$STAGE" && node "$VSCE" package "${flags[@]}" </dev/null)
bytes=$(stat -c %s "$OUT")
echo "[package] $OUT: $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1048576 }') ($bytes bytes), vsce took $(( $(date +%s) - started )) s"
