#!/usr/bin/env bash
# `ulp packer` and `ulp livepatchable` decode x86 code with Capstone 4 (Debian's libcapstone4) to
# patch functions built without padding; the tests read Debian's own libz.so.1 (zlib1g) and
# libcrypto.so.3 (libssl3) as shipped, and the fixtures and the demo link against libz
# (zlib1g-dev); the consistency check unwinds stacks with libunwind (libunwind8). Installs
# whichever of these packages is missing.
set -euo pipefail

say() { echo "capstone: $*"; }
fail() { echo "capstone: ERROR: $*" >&2; exit 1; }

missing=()
for pkg in libcapstone4 zlib1g zlib1g-dev libssl3 libunwind8; do
  # Captured first, then tested: `dpkg-query | grep -q` under pipefail can fail on SIGPIPE.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "kept $(dpkg-query -W -f='libcapstone4 ${Version}' libcapstone4), zlib1g, zlib1g-dev, libssl3, libunwind8"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || fail "${missing[*]} missing and installing needs root (apt-get install ${missing[*]})"
command -v apt-get >/dev/null || fail "${missing[*]} missing and this is not a Debian-like system (no apt-get)"
say "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || fail "apt-get update failed; the Debian package mirror must be reachable to install ${missing[*]}"
apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}" \
  || fail "apt-get install ${missing[*]} failed (see apt's messages above)"
say "installed: $(dpkg-query -W -f='libcapstone4 ${Version}' libcapstone4)"
