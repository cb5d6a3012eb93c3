#!/usr/bin/env bash
# Usage: glibc_versions.sh ELF_FILE MAX (for example 2.17)
#
# Fails, naming them, if ELF_FILE needs a glibc symbol version newer than MAX, or one that is not a
# plain GLIBC_x.y[.z] (GLIBC_PRIVATE, GLIBC_ABI_DT_RELR): a glibc older than that refuses to load
# the file, and a program that preloads it does not start. It reads the version needs
# (.gnu.version_r), which also list versions that no symbol carries, then the dynamic symbols that
# use each offending version.
set -euo pipefail
file="$1" max="$2"

needs="$(readelf -W -V "$file" | awk '/^Version needs section/ {on = 1; next} /^Version/ {on = 0}
  on && $2 == "Name:" {print $3}' | sort -u)"
bad=()
for version in $needs; do
  number="${version#GLIBC_}"
  if [[ "$version" != GLIBC_* ]]; then
    continue # another library's versions (libgcc's GCC_x.y) are not glibc's business
  elif [[ ! "$number" =~ ^2(\.[0-9]+)+$ ]]; then
    bad+=("$version")
  elif [ "$(printf '%s\n%s\n' "$number" "$max" | sort -V | tail -n 1)" != "$max" ]; then
    bad+=("$version")
  fi
done

if [ "${#bad[@]}" -gt 0 ]; then
  echo "$file needs glibc newer than $max, which would keep programs that preload it from starting there:" >&2
  for version in "${bad[@]}"; do
    symbols="$(readelf -W --dyn-syms "$file" | awk -v v="@$version" 'index($8, v) {sub(/@.*/, "", $8); printf " %s", $8}')"
    echo "  $version:${symbols:- (no symbol: a loader feature)}" >&2
  done
  echo "pin each symbol to an older version in src/glibc_symver.h (see its comment)" >&2
  exit 1
fi
