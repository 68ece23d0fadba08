#!/usr/bin/env bash
# Installs the Debian Jupyter components the kernel tests drive (nbconvert, jupyter_client, nbclient and the
# kernel conformance suite jupyter_kernel_test) into the system Python (/usr/bin/python3). Idempotent.
# Under CI=true a component that cannot be installed is fatal; otherwise the kernel tests skip with a reason.
set -uo pipefail

PACKAGES=(jupyter-nbconvert jupyter-client python3-nbclient python3-jupyter-kernel-test)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[setup/jupyter] present: ${PACKAGES[*]}"
  exit 0
fi

fail() {
  if [ "${CI:-}" = "true" ]; then
    echo "[setup/jupyter] ERROR: $1 (CI=true: the kernel conformance and nbconvert tests need these)" >&2
    exit 1
  fi
  echo "[setup/jupyter] WARNING: $1 — the Jupyter kernel conformance/nbconvert tests will be skipped" >&2
  exit 0
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    fail "not root and no passwordless sudo to install: ${missing[*]}"
  fi
fi
command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (not a Debian system?); install by hand: ${missing[*]}"

echo "[setup/jupyter] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when one of the packages is unknown to apt.
for pkg in "${missing[@]}"; do
  if ! apt-cache show "$pkg" >/dev/null 2>&1; then
    echo "[setup/jupyter] '$pkg' not in the package lists: apt-get update"
    $SUDO apt-get update -o DPkg::Lock::Timeout=600 || fail "apt-get update failed"
    break
  fi
done
$SUDO apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" \
  || fail "apt-get install ${missing[*]} failed"
echo "[setup/jupyter] installed: ${missing[*]}"
