#!/usr/bin/env bash
# What a real single-node cluster needs (deploy/dev/node-up.sh), besides containerd and runc, which
# come with Debian's docker.io (10-docker.sh):
#  - Debian's containernetworking-plugins (bridge, host-local, loopback in /usr/lib/cni) and
#    nftables (kube-proxy's nftables mode), installed with apt when missing;
#  - kubelet, kube-controller-manager, kube-scheduler and kube-proxy, built from source through the
#    Go module proxy beside kube-apiserver (kube-test-binaries.sh --node: about 3 to 11 minutes on
#    2 cores the first time, then nothing);
#  - the pod sandbox's `pause` program, compiled with gcc -static from build/pause/linux/pause.c of
#    the same k8s.io/kubernetes module (node-up.sh makes it an image).
# Idempotent: each part is skipped when it is there. Environment: KULP_NODE_CACHE (default
# ~/.cache/kulp/node, where pause is kept).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${KULP_NODE_CACHE:-$HOME/.cache/kulp/node}"
say() { echo "kube-node: $*"; }
fail() { echo "kube-node: ERROR: $*" >&2; exit 1; }
export PATH="/usr/local/go/bin:$PATH"

missing=()
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] \
  || missing+=(containernetworking-plugins)
command -v nft >/dev/null || missing+=(nftables)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "${missing[*]} missing and installing needs root"
  say "installing Debian's ${missing[*]} with apt-get"
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"; }
  install || { apt-get update -qq && install; } || fail "apt-get install ${missing[*]} failed (see apt's messages above)"
fi
for tool in containerd containerd-shim-runc-v2 runc ctr; do
  command -v "$tool" >/dev/null || fail "$tool is missing: it comes with Debian's docker.io (deploy/dev/prereqs.d/10-docker.sh)"
done

nice -n 10 "$here/kube-test-binaries.sh" --node

version="$(sed -n 's#^require k8s.io/kubernetes v\([^ ]*\).*#\1#p' "$here/kube-test-binaries/kubernetes/go.mod")"
src="$(cd "$here/kube-test-binaries/kubernetes" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly \
  go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')/build/pause/linux/pause.c"
[ -f "$src" ] || fail "no pause.c in the k8s.io/kubernetes v$version module ($src)"
stamp="$(sha256sum "$src" | cut -c1-16) $(gcc -dumpfullversion)"
if [ -x "$cache/pause" ] && [ "$(cat "$cache/pause.stamp" 2>/dev/null)" = "$stamp" ]; then
  say "kept $cache/pause"
else
  mkdir -p "$cache"
  gcc -Os -static -Wall -Werror -DVERSION="v$version-kulp" -o "$cache/pause.partial" "$src"
  strip "$cache/pause.partial"
  mv "$cache/pause.partial" "$cache/pause"
  echo "$stamp" >"$cache/pause.stamp"
  say "compiled $cache/pause from $src"
fi
