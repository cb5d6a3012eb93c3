#!/usr/bin/env bash
# Takes down the node of deploy/dev/node-up.sh and leaves nothing behind: no process (pods,
# shims, components), no mount (the kubelet's pod volumes, container root filesystems, /dev/shm of
# sandboxes, network namespaces), no network namespace (the node's, whose removal takes the veth
# pair, the pod bridge and every CNI and kube-proxy rule with it, and the pods'), no kubepods
# cgroup, and the kernel settings the kubelet changed put back. Then it checks that, and exits 1
# naming what is left if anything is.
#
# Pods are deleted through the API first, so the kubelet stops them as on any node (CNI DEL);
# whatever is still there after 30 s is killed through containerd. Every wait is bounded.
# Safe to run when nothing is up. Logs stay in /var/log/kulp-node.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=node/env.sh
. "$here/node/env.sh"
say() { echo "node-down: $*"; }
[ "$(id -u)" -eq 0 ] || { echo "node-down: ERROR: run as root" >&2; exit 1; }
kube_dir="$("$here/kube-test-binaries.sh" --print-dir)"
export PATH="$kube_dir:$kube_dir/node:/usr/sbin:/usr/bin:/sbin:/bin"
started=$SECONDS

pid_of() { cat "$NODE_RUN/pids/$1" 2>/dev/null; }
alive() { local pid; pid="$(pid_of "$1")" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
kubectl_() { command kubectl --kubeconfig "$KUBECONFIG_ADMIN" --request-timeout=5s "$@"; }
ctr_() { timeout 20 ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }
# stop_pid <pid> <what>: SIGTERM, up to 10 s, then SIGKILL, up to 5 s more.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  say "$2 (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  say "$2 (pid $pid) is still there after SIGKILL"
}
stop() {
  local pid t=$SECONDS
  pid="$(pid_of "$1")" && [ -n "$pid" ] && stop_pid "$pid" "$1"
  rm -f "$NODE_RUN/pids/$1"
  [ $((SECONDS - t)) -lt 3 ] || say "$1 took $((SECONDS - t)) s to stop"
}
# Processes of this node that are not components: containerd's shims (they outlive containerd by
# design), found by the socket address on their command line; one PID each, never by name.
node_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ "$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)" == *"$CONTAINERD_SOCK"* ]] && echo "${p#/proc/}"
  done
}

# --- pods, the way a node stops them --------------------------------------------------------
if alive kube-apiserver && alive kubelet && alive containerd; then
  say "deleting every workload and pod through the API; the kubelet stops them"
  # The controllers go first and leave their pods (a garbage-collected pod would get its full
  # grace period, 30 s by default); then every pod gets 1 s. kulp's uninstall guard would refuse
  # to delete its operator and agents while a LivePatch is left (deploy/uninstall-guard.yaml): the
  # whole cluster goes, so the guard goes first, with the finalizer the operator keeps on it while
  # a LivePatch exists (UninstallGuard).
  kubectl_ delete validatingadmissionpolicybindings kulp-uninstall-guard --ignore-not-found --wait=false >/dev/null 2>&1
  kubectl_ patch validatingadmissionpolicybindings kulp-uninstall-guard --type=merge \
    -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
  kubectl_ delete daemonsets,deployments,statefulsets,replicasets,jobs --all -A --cascade=orphan --wait=false >/dev/null 2>&1
  kubectl_ delete pods --all -A --grace-period=1 --wait=false >/dev/null 2>&1
  deadline=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$deadline" ]; do
    tasks="$(ctr_ tasks ls -q 2>/dev/null)" || break
    [ -z "$tasks" ] && break
    sleep 0.5
  done
  say "pods stopped after $((SECONDS - started)) s${tasks:+ (not all: $(wc -w <<<"$tasks") tasks left)}"
fi
stop kube-proxy
stop kubelet

# --- whatever is still running: killed through containerd -----------------------------------
netns_paths=()
if alive containerd; then
  for id in $(ctr_ containers ls -q 2>/dev/null); do
    ns="$(ctr_ containers info "$id" 2>/dev/null \
      | sed -n '/"type": "network"/{n;s/.*"path": "\(.*\)".*/\1/p}')"
    [ -n "$ns" ] && netns_paths+=("$ns")
    if ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1; then say "killed the task of container $id through containerd"; fi
    ctr_ tasks delete -f "$id" >/dev/null 2>&1
    ctr_ containers delete "$id" >/dev/null 2>&1
  done
fi
stop containerd
for pid in $(node_pids); do
  say "stopping leftover process $pid: $({ tr '\0' ' ' </proc/"$pid"/cmdline; } 2>/dev/null | cut -c1-120)"
  stop_pid "$pid" "pid $pid"
done
stop kube-scheduler
stop kube-controller-manager
stop kube-apiserver
stop etcd

# --- mounts, network namespaces -------------------------------------------------------------
# The pods' network namespaces that CNI did not delete: those containerd named, and any cni-*
# namespace whose eth0 has an address of this node's pod network.
for ns in /run/netns/cni-*; do
  [ -e "$ns" ] || continue
  addr="$(ip -n "$(basename "$ns")" -4 -o addr show 2>/dev/null)"
  [[ $addr == *" ${POD_CIDR%.*}."* ]] && netns_paths+=("$ns")
done
for ns in "${netns_paths[@]}"; do
  [ -e "$ns" ] || continue
  timeout 10 umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null
  rm -f "$ns" && say "removed pod network namespace $ns"
done
unmount_under() { # every mount at or below the directories, deepest first
  local m
  for m in $(findmnt -rn -o TARGET | grep -E "^($(IFS='|'; echo "$*"))(/|$)" | sort -r); do
    timeout 10 umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "cannot unmount $m"
  done
}
unmount_under "$NODE_DIR" "$NODE_RUN"
if [ -e "/run/netns/$NODE_NETNS" ]; then
  ip netns delete "$NODE_NETNS" && say "removed network namespace $NODE_NETNS (veth pair, bridge kulp0, CNI and kube-proxy rules)"
fi

# --- cgroups, kernel settings, files --------------------------------------------------------
for d in /sys/fs/cgroup/*/kubepods; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
done
tunables="$(cat "$NODE_RUN/kernel-tunables" 2>/dev/null)"
while IFS='=' read -r key value; do
  [ -n "$key" ] || continue
  [ "$(sysctl -n "$key")" = "$value" ] || { sysctl -qw "$key=$value" && say "restored $key=$value"; }
done <<<"$tunables"
# the kubelet's links to container logs (its pod logs were under $NODE_DIR)
if [ -d /var/log/containers ]; then
  find /var/log/containers -maxdepth 1 -type l -lname "$NODE_DIR/*" -delete
  rmdir /var/log/containers 2>/dev/null
fi
# Two paths the kubelet and containerd's CNI library use whatever their configuration says.
rm -f /var/lib/kubelet/device-plugins/kubelet.sock /var/lib/cni/results/kulp-node-*
rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet /var/lib/cni/results /var/lib/cni 2>/dev/null
rm -rf "$NODE_DIR" "$NODE_RUN"

# --- the check ------------------------------------------------------------------------------
left=()
for pid in $(node_pids); do left+=("process $pid"); done
for c in $NODE_COMPONENTS; do
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = "$kube_dir/node/$c" ] && left+=("$c process ${p#/proc/}")
  done
done
mounts="$(findmnt -rn -o TARGET | grep -E "^($NODE_DIR|$NODE_RUN)(/|$)")" && left+=("mounts: $mounts")
[ -e "/run/netns/$NODE_NETNS" ] && left+=("network namespace $NODE_NETNS")
ip link show "$NODE_HOST_IF" >/dev/null 2>&1 && left+=("link $NODE_HOST_IF")
for d in /sys/fs/cgroup/*/kubepods; do [ -d "$d" ] && left+=("cgroup $d"); done
for f in "$NODE_DIR" "$NODE_RUN" /var/lib/kubelet/device-plugins/kubelet.sock /var/lib/cni/results/kulp-node-*; do
  [ -e "$f" ] && left+=("$f")
done
while IFS='=' read -r key value; do
  [ -n "$key" ] || continue
  [ "$(sysctl -n "$key")" = "$value" ] || left+=("$key=$(sysctl -n "$key") (was $value)")
done <<<"$tunables"
if [ ${#left[@]} -gt 0 ]; then
  printf 'node-down: ERROR: left behind: %s\n' "${left[@]}" >&2
  exit 1
fi
say "nothing left of node $NODE_NAME ($((SECONDS - started)) s)"
