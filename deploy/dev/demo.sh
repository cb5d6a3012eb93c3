#!/usr/bin/env bash
# The local live-patching demo (README, first command). It builds what it needs, starts a
# service whose library has a bug, live-patches the bug while the service runs, and reverts.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
show_output() { sleep "${1:-1.2}"; tail -n 2 "$log" | sed 's/^/    service| /'; }

step "Building libpulp.so, the demo service and the ulp tool (first time: a few minutes)"
build_log=$(mktemp /tmp/kulp-demo-build.XXXXXX)
mvn -B -q -ntp -pl node-agent/cli -am package -DskipTests >"$build_log" 2>&1 || {
  echo "build failed; see $build_log" >&2
  exit 1
}
rm -f "$build_log"
ulp=$root/node-agent/cli/target/ulp
work=$(mktemp -d /tmp/kulp-demo.XXXXXX)
cp runtime-c/target/demo/* "$work/"
log=$work/service.log
service_pid=
zlib_pid=
cleanup() {
  [[ -n $service_pid ]] && kill "$service_pid" 2>/dev/null || true
  [[ -n $zlib_pid ]] && kill "$zlib_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step "The service's library, built with -fpatchable-function-entry=16,14, is live-patchable"
run "$ulp" livepatchable "$work/libauth.so.1"

step "Starting auth-service with LD_PRELOAD=libpulp.so; it has CVE-2026-4242: an empty password is granted"
LD_PRELOAD=$root/runtime-c/target/libpulp.so "$work/auth-service" >"$log" 2>&1 &
service_pid=$!
show_output 1.5

step "Packing the fix: the .dsc names the library, the function pair and a reference to its private counter"
cat "$work/fix_cve_2026_4242.dsc" | sed 's/^/    /'
run "$ulp" packer "$work/fix_cve_2026_4242.dsc"
run "$ulp" dump "$work/fix_cve_2026_4242.so"

step "Live-patching the running service (no restart)"
run "$ulp" trigger -v -p "$service_pid" "$work/fix_cve_2026_4242.so"
show_output
run "$ulp" patches -p "$service_pid"

step "Reverting the patch: the old behaviour is back, still without a restart"
run "$ulp" trigger --revert -p "$service_pid" "$work/fix_cve_2026_4242.so"
show_output

step "Same process all along"
printf '    pid %s, running since %s\n' "$service_pid" "$(ps -o lstart= -p "$service_pid")"

# --- Part 2: a library as the distribution ships it ---------------------------------------
libz=$(sed -n 's/^@//p' "$work/fix_zlib_bound.dsc")
step "Part 2: the system's own $libz, built without any padding, as every distribution ships it"
run "$ulp" livepatchable "$libz"

step "Starting zlib-service, an ordinary program using that libz, with LD_PRELOAD=libpulp.so"
log=$work/zlib.log
LD_PRELOAD=$root/runtime-c/target/libpulp.so "$work/zlib-service" >"$log" 2>&1 &
zlib_pid=$!
show_output 1.5

step "Packing a fix for compressBound: the packer proves with a decoder that its first 5 bytes can take a jump"
run "$ulp" packer -v "$work/fix_zlib_bound.dsc"

step "Live-patching the distribution's libz in the running process"
run "$ulp" trigger -v -p "$zlib_pid" "$work/fix_zlib_bound.so"
show_output
run "$ulp" patches -p "$zlib_pid"

step "Reverting: compressBound gets its own bytes back"
run "$ulp" trigger --revert -p "$zlib_pid" "$work/fix_zlib_bound.so"
show_output
