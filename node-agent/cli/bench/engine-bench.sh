#!/usr/bin/env bash
# Live-patching benchmark (docs/benchmarks.md, "Live patching"): apply latency, the pause other
# threads see, 1000 processes in one command, the cost of a call through a patch; then the whole
# CLI process for one trigger and the start-up cost of LD_PRELOAD=libpulp.so.
# Needs: mvn -pl node-agent/cli -am verify -DskipTests (fixtures packed, classes built).
# usage: engine-bench.sh [latency|pause|fleet [N]|callcost|unprepared|consistent|cli|stress [N]|cli-fleet [N]|preload|all]
#   cli-fleet: `ulp trigger -p NAME` over N (default 1000) single-threaded processes: the first
#   apply with no resident engine running, then the first apply to N fresh processes once it has
#   served commands, then applies and reverts
#   stress: libpulp's stress loop, N (default 200) `ulp trigger` calls, apply and revert in turn,
#   against a process whose threads keep every CPU busy; the loop's total and the median call
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
what=${1:-all}
target=node-agent/cli/target
rt=runtime-c/target
if [[ $what != cli && $what != stress && $what != preload && $what != cli-fleet ]]; then
  cpfile=$(mktemp)
  # In one Maven session with the modules it depends on, so that the engine resolves to its
  # target/classes (nothing of kulp needs to be installed in ~/.m2); the last module to write the
  # file is the cli.
  mvn -q -B -o -pl node-agent/cli -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cpfile" >/dev/null \
    || { echo "engine-bench: cannot build the cli module's classpath; run the mvn command above without -q to see why" >&2; exit 1; }
  cp=$(cat "$cpfile"); rm -f "$cpfile"
  # The JIT and GC of the node agent (node-agent/agent/kulp-agent) and of the CLI: C1 only, serial GC.
  # With C2 on, its compiler threads took a fifth of a CPU during the 1000-process figure, a
  # cost the agent and the CLI never pay.
  MALLOC_ARENA_MAX=2 java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ${BENCH_JAVA_OPTS:-} -Dkulp.runtime.dir="$rt" -cp "$target/classes:$target/test-classes:$cp" \
    io.kulp.bench.EngineBench "$@"
fi

ms() { echo "scale=3; $1 / 1000000" | bc; }
# `ulp` hands trigger to the resident engine: a daemon of this benchmark's own, started by its first
# call (docs/design.md, "The resident engine"). ULP_DAEMON=off: every call starts a JVM of its own.
export ULP_DAEMON_DIR=$(mktemp -d)
trap 'pkill -f "io.kulp.cli.UlpDaemon $ULP_DAEMON_DIR" || true; rm -rf "$ULP_DAEMON_DIR"' EXIT
mode="through the resident engine, first call starting it"
[[ ${ULP_DAEMON:-} == off ]] && mode="each in a JVM of its own (ULP_DAEMON=off)"
if [[ $what == cli || $what == all ]]; then
  fifo=$(mktemp -u); mkfifo "$fifo"; exec 5<>"$fifo"; rm -f "$fifo"
  LD_PRELOAD=$rt/libpulp.so $rt/fixtures/kfix-driver <&5 >/dev/null & pid=$!
  sleep 0.5
  s=$(date +%s%N); $target/ulp trigger -q -p $pid $rt/patches/value_v2.so; first=$(( $(date +%s%N) - s ))
  $target/ulp trigger -q -p $pid --revert $rt/patches/value_v2.so
  times=()
  for i in $(seq 20); do
    s=$(date +%s%N); $target/ulp trigger -q -p $pid $rt/patches/value_v2.so; times+=($(( $(date +%s%N) - s )))
    $target/ulp trigger -q -p $pid --revert $rt/patches/value_v2.so
  done
  kill $pid
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  echo "CLI, whole process of one 'ulp trigger' $mode (ms): first $(ms $first); then 20: min $(ms ${sorted[0]})" \
    "median $(ms ${sorted[10]}) max $(ms ${sorted[19]})"
fi
if [[ $what == stress || $what == all ]]; then
  n=${2:-200}
  [[ $what == all ]] && n=200
  fifo=$(mktemp -u); mkfifo "$fifo"; exec 6<>"$fifo"; rm -f "$fifo"
  LD_PRELOAD=$rt/libpulp.so $rt/fixtures/kfix-driver <&6 >/dev/null & pid=$!
  sleep 0.5
  echo "threads $(nproc)" >&6 # busy threads calling into the patched library, one per CPU
  sleep 0.5
  times=(); start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do
    revert=; (( i % 2 )) && revert=--revert
    s=$(date +%s%N); $target/ulp trigger -q -p $pid $revert $rt/patches/value_v2.so; times+=($(( $(date +%s%N) - s )))
  done
  total=$(( $(date +%s%N) - start ))
  kill $pid
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  echo "stress loop, $n 'ulp trigger' $mode, against $(nproc) busy threads: total $(ms $total) ms, per call median" \
    "$(ms ${sorted[$((n / 2))]}) ms, max $(ms ${sorted[$((n - 1))]}) ms"
fi
if [[ $what == cli-fleet ]]; then
  n=${2:-1000}
  spawned=()
  spawn() { # N fresh processes named kfix-driver, blocked on a FIFO
    bash node-agent/cli/bench/spawn-many.sh "$n" "$rt/libpulp.so" "$rt/fixtures/kfix-driver" >/dev/null & spawned+=($!)
    while (( $(pgrep -c -x kfix-driver || true) < n )); do sleep 0.2; done; sleep 1
  }
  end() { pkill -P "${spawned[-1]}" || true; kill "${spawned[-1]}" || true; while pgrep -x kfix-driver >/dev/null; do sleep 0.2; done; }
  timed() { local s=$(date +%s%N); $target/ulp trigger -q -p kfix-driver "$@" $rt/patches/value_v2.so; ms $(( $(date +%s%N) - s )); }
  echo "$n processes, 'ulp trigger -q -p kfix-driver value_v2.so' $mode (ms):"
  spawn
  echo "  first apply, no engine running: $(timed)"; timed --revert >/dev/null
  for i in 1 2; do timed >/dev/null; timed --revert >/dev/null; done
  end
  spawn
  echo "  first apply to fresh processes, after 6 commands: $(timed)"
  echo "  revert, apply, revert, apply, revert: $(timed --revert) $(timed) $(timed --revert) $(timed) $(timed --revert)"
  end
fi
if [[ $what == preload || $what == all ]]; then
  best() { # runs: command...; best of 5 rounds of N runs, ns per run
    local n=$1; shift; local b=
    for r in 1 2 3 4 5; do
      local s=$(date +%s%N)
      for ((i = 0; i < n; i++)); do "$@"; done
      local t=$(( ($(date +%s%N) - s) / n ))
      [[ -z $b || $t -lt $b ]] && b=$t
    done
    echo $b
  }
  plain=$(best 500 /bin/true)
  pre=$(best 500 env LD_PRELOAD=$rt/libpulp.so /bin/true)
  envonly=$(best 500 env /bin/true)
  echo "start-up of /bin/true (ms, best of 5x500): plain $(ms $plain), env $(ms $envonly), with LD_PRELOAD=libpulp.so $(ms $pre): +$(ms $((pre - envonly)))"
fi
