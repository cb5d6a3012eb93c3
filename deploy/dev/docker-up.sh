#!/usr/bin/env bash
# Makes a Docker engine available for kulp's container tests, on a Debian machine where we are root.
#
#  - Installs Debian's docker.io (with containerd, runc, tini) with apt when dockerd is missing.
#  - Starts dockerd when `docker info` does not answer: no bridge, no iptables, no NAT, and nothing
#    listening beyond the unix socket. Containers get `--network none` (or `host`); no image is pulled.
#  - Checks that the storage driver works and that `docker run --network none` runs a program.
#
# Idempotent: a second run with dockerd up only repeats the checks.
# Environment: KULP_DOCKER_LOG (default /var/log/kulp-dockerd.log), KULP_DOCKER_DATA_ROOT (default
# /var/lib/docker), KULP_DOCKER_STORAGE_DRIVER (default: overlay2, falling back to vfs).
set -euo pipefail

log_file="${KULP_DOCKER_LOG:-/var/log/kulp-dockerd.log}"
data_root="${KULP_DOCKER_DATA_ROOT:-/var/lib/docker}"
socket=/var/run/docker.sock
policy_rc=/usr/sbin/policy-rc.d
our_policy_rc=""
export DOCKER_HOST="unix://$socket"

say() { echo "docker-up: $*"; }
fail() { echo "docker-up: ERROR: $*" >&2; exit 1; }

install_docker() {
  [ "$(id -u)" -eq 0 ] || fail "dockerd is missing and installing it needs root (apt-get install docker.io)"
  command -v apt-get >/dev/null || fail "dockerd is missing and this is not a Debian-like system (no apt-get)"
  say "dockerd not found: installing Debian's docker.io with apt-get (it brings containerd, runc, tini and iptables)"
  # Installing must not start a daemon with default networking: a policy-rc.d that answers 101 tells
  # invoke-rc.d not to start services. Only add one when there is none, and remove only ours.
  if [ ! -e "$policy_rc" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy_rc" && chmod +x "$policy_rc" && our_policy_rc=1
    trap 'if [ -n "$our_policy_rc" ]; then rm -f "$policy_rc"; fi' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed; the Debian package mirror must be reachable to install docker.io"
  apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends docker.io \
    || fail "apt-get install docker.io failed (see apt's messages above)"
  if [ -n "$our_policy_rc" ]; then rm -f "$policy_rc"; our_policy_rc=""; fi
  command -v dockerd >/dev/null || fail "docker.io installed but dockerd is still not on PATH"
  say "installed: $(dpkg-query -W -f='docker.io ${Version}, ' docker.io)$(dpkg-query -W -f='containerd ${Version}, ' containerd)$(dpkg-query -W -f='runc ${Version}' runc)"
}

engine_answers() { docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

# Waits up to $1 seconds for the engine to answer.
wait_for_engine() {
  local deadline=$((SECONDS + $1))
  until engine_answers; do
    [ -n "${dockerd_pid:-}" ] && ! kill -0 "$dockerd_pid" 2>/dev/null && return 1
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.5
  done
}

start_dockerd() {
  local driver="$1"
  say "starting dockerd (storage driver $driver, no bridge, no iptables, unix socket only); log: $log_file"
  mkdir -p "$(dirname "$log_file")" "$data_root"
  # setsid: dockerd outlives this script and is not killed with the shell's process group.
  setsid dockerd \
    --host "unix://$socket" \
    --data-root "$data_root" \
    --storage-driver "$driver" \
    --bridge none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --userland-proxy=false \
    --exec-opt native.cgroupdriver=cgroupfs \
    </dev/null >>"$log_file" 2>&1 &
  dockerd_pid=$!
  if ! wait_for_engine 60; then
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
    dockerd_pid=""
    echo "docker-up: dockerd with $driver did not come up; last lines of $log_file:" >&2
    tail -n 15 "$log_file" >&2 || true
    return 1
  fi
}

# No image is pulled: the check imports a rootfs made of the host's /bin/true and the libraries `ldd`
# names for it, and runs that.
check_run() {
  local dir tag=kulp-docker-up-check:latest
  dir="$(mktemp -d)"
  mkdir -p "$dir/rootfs/bin"
  cp /bin/true "$dir/rootfs/bin/true"
  ldd /bin/true | grep -oE '/[^ ]+' | while read -r lib; do
    mkdir -p "$dir/rootfs$(dirname "$lib")" && cp -L "$lib" "$dir/rootfs$lib"
  done
  tar -C "$dir/rootfs" -c . | docker import - "$tag" >/dev/null \
    || { rm -rf "$dir"; fail "docker import of a local rootfs failed"; }
  rm -rf "$dir"
  docker run --rm --network none "$tag" /bin/true \
    || fail "docker run --network none failed (see $log_file)"
  docker rmi "$tag" >/dev/null || true
}

started=$SECONDS
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then install_docker; fi

if engine_answers; then
  say "dockerd already answers on $socket"
else
  if pgrep -x dockerd >/dev/null; then
    say "a dockerd process runs but does not answer yet; waiting up to 30s"
    wait_for_engine 30 || fail "a dockerd process runs but does not answer on $socket; stop it or see its log"
  fi
fi
if ! engine_answers; then
  if [ -n "${KULP_DOCKER_STORAGE_DRIVER:-}" ]; then
    start_dockerd "$KULP_DOCKER_STORAGE_DRIVER" || fail "dockerd did not start with storage driver $KULP_DOCKER_STORAGE_DRIVER"
  else
    start_dockerd overlay2 || { say "overlay2 failed, retrying with vfs"; start_dockerd vfs; } \
      || fail "dockerd did not start with overlay2 nor vfs; see $log_file"
  fi
fi

info="$(docker info --format 'server {{.ServerVersion}}, storage {{.Driver}}, cgroup driver {{.CgroupDriver}} v{{.CgroupVersion}}')"
check_run
say "ready in $((SECONDS - started))s: $info; docker run --network none works"
