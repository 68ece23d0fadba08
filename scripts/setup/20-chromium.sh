#!/usr/bin/env bash
# Set-up for the renderer tests (test/renderer/): Debian's `chromium`, driven by playwright-core.
# Never a downloaded browser. Idempotent: does nothing when /usr/bin/chromium is already there.
# Under CI=true a chromium that cannot be installed is a failure; otherwise a warning, and the
# renderer tests skip with the reason.
set -uo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "[setup/chromium] ERROR: $1" >&2
    exit 1
  fi
  echo "[setup/chromium] WARNING: $1 — the renderer tests will be skipped." >&2
  exit 0
}

if ! command -v apt-get >/dev/null 2>&1; then
  fail "chromium is missing and apt-get is not available (install Debian's chromium package)"
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    fail "chromium is missing and installing it needs root (apt-get install chromium)"
  fi
fi

echo "[setup/chromium] installing Debian chromium (about 30 s)" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be empty on a fresh image; refresh them only when chromium is unknown.
if ! apt-cache show chromium >/dev/null 2>&1; then
  $SUDO apt-get update -o DPkg::Lock::Timeout=600 >&2 || fail "apt-get update failed"
fi
if ! $SUDO apt-get install -y -o DPkg::Lock::Timeout=600 chromium >&2; then
  # A stale list can point at a removed version: refresh once and retry.
  $SUDO apt-get update -o DPkg::Lock::Timeout=600 >&2 || true
  $SUDO apt-get install -y -o DPkg::Lock::Timeout=600 chromium >&2 \
    || fail "apt-get install chromium failed"
fi
command -v chromium >/dev/null 2>&1 || fail "chromium still not found after install"
echo "[setup/chromium] $(chromium --version 2>/dev/null || echo chromium installed)" >&2
