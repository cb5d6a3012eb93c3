#!/usr/bin/env bash
# CLI start-up benchmark (docs/benchmarks.md, "CLI start-up"): whole-process wall time of
# `ulp livepatchable` started four ways, N runs each (default 30), min and median.
# Needs a packaged cli module (mvn -pl node-agent/cli -am package -DskipTests) and the C fixtures.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
n=${N:-30}
target=$root/node-agent/cli/target
# the cli jar (not a -tests jar), the engine, JNA and Jackson: the launcher's class path but picocli
jar=$(ls "$target"/cli-*[0-9T].jar | head -1):$(ls "$target"/lib/*.jar | grep -v /picocli- | paste -sd:)
picocli=$(ls ~/.m2/repository/info/picocli/picocli/*/picocli-*.jar | grep -v sources | tail -1)
lib=$root/runtime-c/target/fixtures/libkfix.so.1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bench() { # label, command...: min and median wall time in ms
  local label=$1; shift
  local times=()
  for ((i = 0; i < n; i++)); do
    local s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    times+=($(( ($(date +%s%N) - s) / 100000 )))
  done
  local sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  printf '%-62s min %3d.%d ms  median %3d.%d ms\n' "$label" $((sorted[0] / 10)) $((sorted[0] % 10)) \
    $((sorted[n / 2] / 10)) $((sorted[n / 2] % 10))
}

fast="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
java $fast -Xlog:cds*=off -XX:ArchiveClassesAtExit="$work/published-picocli.jsa" -cp "$jar:$picocli" \
  io.kulp.cli.CdsTraining /bin/true >"$work/training.log" 2>&1 \
  || { echo "cli-startup: the training run for row C failed:" >&2; cat "$work/training.log" >&2; exit 1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
bench "java -version (C1, serial GC)" java $fast -version
bench "A: java -cp jar:picocli.jar" java -cp "$jar:$picocli" io.kulp.cli.Ulp livepatchable "$lib"
bench "B: A + C1 only + serial GC" java $fast -cp "$jar:$picocli" io.kulp.cli.Ulp livepatchable "$lib"
bench "C: B + AppCDS (published picocli)" java $fast -Xlog:cds*=off -XX:SharedArchiveFile="$work/published-picocli.jsa" \
  -cp "$jar:$picocli" io.kulp.cli.Ulp livepatchable "$lib"
bench "D: target/ulp" "$target/ulp" livepatchable "$lib"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
