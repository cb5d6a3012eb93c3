#!/usr/bin/env bash
# Starts N copies of a program with LD_PRELOAD=RUNTIME, all blocked reading one FIFO that this
# script holds open, prints their PIDs, and waits; kill this script's children to end them.
# usage: spawn-many.sh N RUNTIME PROGRAM
set -euo pipefail
n=$1 runtime=$2 program=$3
fifo=$(mktemp -u /tmp/kulp-spawn.XXXXXX)
mkfifo "$fifo"
exec 3<>"$fifo"
rm -f "$fifo"
for ((i = 0; i < n; i++)); do
  LD_PRELOAD=$runtime "$program" <&3 >/dev/null 2>&1 &
  echo $!
done
wait
