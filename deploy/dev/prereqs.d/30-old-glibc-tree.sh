#!/usr/bin/env bash
# A Debian 11 (bullseye, glibc 2.31) file tree: libc6 and libc6-dev, from Debian's mirror, unpacked
# with mmdebstrap (installed with apt if missing). runtime-c builds a copy of kfix-driver against it
# (gcc --sysroot), and OldGlibcContainerIT imports it as the root of a container whose glibc is older
# than the build machine's, to show that libpulp.so loads there. About 6 s and 54 MB, once: a tree
# that is already complete is kept.
# Environment: KULP_OLD_GLIBC_ROOT (default ~/.cache/kulp/bullseye-glibc), KULP_DEBIAN_MIRROR
# (default http://deb.debian.org/debian).
set -euo pipefail

root="${KULP_OLD_GLIBC_ROOT:-$HOME/.cache/kulp/bullseye-glibc}"
mirror="${KULP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
say() { echo "old-glibc-tree: $*"; }
fail() { echo "old-glibc-tree: ERROR: $*" >&2; exit 1; }

# The last step writes this marker: a tree without it is a partial one, made again.
if [ -e "$root/.kulp-complete" ]; then
  say "kept $root ($(cat "$root/.kulp-complete"))"
  exit 0
fi
if ! command -v mmdebstrap >/dev/null; then
  [ "$(id -u)" -eq 0 ] || fail "mmdebstrap is missing and installing it needs root (apt-get install mmdebstrap)"
  say "installing Debian's mmdebstrap with apt-get"
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends mmdebstrap; }
  install || { apt-get update -qq && install; } || fail "apt-get install mmdebstrap failed (see apt's messages above)"
fi

started=$SECONDS
rm -rf "$root" "$root.partial"
mkdir -p "$(dirname "$root")"
say "unpacking bullseye's libc6 and libc6-dev from $mirror into $root"
# Packages are only unpacked (--variant=extract): no maintainer script runs.
timeout 300 mmdebstrap --quiet --variant=extract --include=libc6,libc6-dev \
  bullseye "$root.partial" "$mirror" || fail "mmdebstrap did not make the tree (see its messages above)"
rm -rf "$root.partial"/usr/share/{doc,man,locale}
# Absolute links (/lib64/ld-linux-x86-64.so.2, usr/lib/.../libc.so.6) would lead a linker given
# --sysroot to the host's files: make each one relative to the tree.
find "$root.partial"/{lib,lib64,usr} -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
  ln -sfr "$root.partial$(readlink "$link")" "$link"
done
glibc="$(basename "$root.partial"/lib/x86_64-linux-gnu/libc-*.so .so)"
[ -n "$glibc" ] && [ "$glibc" != 'libc-*' ] || fail "the tree has no lib/x86_64-linux-gnu/libc-VERSION.so"
echo "bullseye, glibc ${glibc#libc-}, made $(date -u +%FT%TZ)" >"$root.partial/.kulp-complete"
mv "$root.partial" "$root"
say "made $root in $((SECONDS - started))s: glibc ${glibc#libc-}, $(du -sh "$root" | cut -f1)"
