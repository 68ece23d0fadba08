#!/usr/bin/env bash
# Set-up step: a software Vulkan driver, so the webgpu backend (Dawn over Vulkan) can be tested on
# machines without a GPU.
#
# Installs the Vulkan loader `libvulkan1` and Mesa >= 25 lavapipe (`mesa-vulkan-drivers`) from Debian
# bookworm-backports. Debian 12's own Mesa 22 lavapipe is rejected by Dawn ("shaderUniform*ArrayDynamicIndexing
# required"), hence backports.
#
# Idempotent: does nothing when lavapipe's ICD json and a Mesa >= 25 mesa-vulkan-drivers are present.
# Under CI=true a failure is fatal (exit 1); elsewhere it only warns, and the webgpu tests then skip.
set -uo pipefail

MIN_MESA_MAJOR=25
LOCK=(-o DPkg::Lock::Timeout=600)
BACKPORTS_FILE=/etc/apt/sources.list.d/bookworm-backports.sources

log() { echo "[setup/vulkan-lavapipe] $*"; }
fail() {
  if [ "${CI:-}" = "true" ]; then
    log "ERROR: $* (CI=true: a missing component is a failure)"
    exit 1
  fi
  log "WARNING: $* — the webgpu backend tests will be skipped on this machine."
  exit 0
}

lavapipe_icd() {
  ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | head -n 1
}

mesa_major() {
  local v
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null) || return 1
  # "25.0.7-2~bpo12+1" -> 25 (an epoch "1:" would come first; none is used by Mesa in Debian)
  v=${v#*:}
  echo "${v%%.*}"
}

ready() {
  local icd major
  icd=$(lavapipe_icd)
  [ -n "$icd" ] || return 1
  major=$(mesa_major) || return 1
  [ "$major" -ge "$MIN_MESA_MAJOR" ] 2>/dev/null || return 1
  ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null || return 1
}

if ready; then
  log "ok: $(lavapipe_icd), mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
  exit 0
fi

if [ "$(uname -s)" != "Linux" ] || ! command -v apt-get >/dev/null 2>&1; then
  fail "not a Debian/apt system: install a Vulkan loader and a Vulkan driver (Mesa >= $MIN_MESA_MAJOR lavapipe, or a GPU driver) yourself"
fi
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
if [ "$codename" != "bookworm" ]; then
  fail "this step knows Debian bookworm only (found '${codename:-unknown}'): install libvulkan1 and mesa-vulkan-drivers >= $MIN_MESA_MAJOR yourself"
fi
SUDO=()
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
    fail "not root and no password-less sudo: run as root: apt-get install -t bookworm-backports libvulkan1 mesa-vulkan-drivers"
  fi
fi

# Reuse the mirror (and keyring) the machine is already configured with, for the backports suite.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
  mirror=""
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # deb822: the first URIs line of the stanza holding the 'bookworm' suite
    mirror=$(awk '/^URIs:/{u=$2} /^Suites:.*\<bookworm\>/{print u; exit}' /etc/apt/sources.list.d/debian.sources)
    k=$(awk '/^Signed-By:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    [ -n "$k" ] && keyring=$k
  fi
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1=="deb" && $0 ~ / bookworm / {for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  mirror=${mirror:-http://deb.debian.org/debian}
  log "adding bookworm-backports from $mirror to $BACKPORTS_FILE"
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' "$mirror" "$keyring" |
    "${SUDO[@]}" tee "$BACKPORTS_FILE" >/dev/null || fail "could not write $BACKPORTS_FILE"
fi

log "apt-get update"
if ! "${SUDO[@]}" apt-get "${LOCK[@]}" update -q >/tmp/alignscope-vulkan-apt-update.log 2>&1; then
  tail -n 20 /tmp/alignscope-vulkan-apt-update.log
  fail "apt-get update failed (log: /tmp/alignscope-vulkan-apt-update.log)"
fi
log "apt-get install -t bookworm-backports libvulkan1 mesa-vulkan-drivers"
if ! DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${LOCK[@]}" \
  -t bookworm-backports libvulkan1 mesa-vulkan-drivers >/tmp/alignscope-vulkan-apt-install.log 2>&1; then
  tail -n 30 /tmp/alignscope-vulkan-apt-install.log
  fail "apt-get install of mesa-vulkan-drivers from bookworm-backports failed (log: /tmp/alignscope-vulkan-apt-install.log)"
fi

if ready; then
  log "installed: $(lavapipe_icd), mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
  exit 0
fi
fail "after installing, lavapipe with Mesa >= $MIN_MESA_MAJOR is still missing (icd: '$(lavapipe_icd)', mesa-vulkan-drivers: '$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null)')"
