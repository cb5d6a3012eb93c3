#!/usr/bin/env bash
# Starts a real single-node Kubernetes cluster on this machine, for tests and for trying kulp as a
# user installs it (deploy/dev/node-install-kulp.sh). Nothing is pulled; deploy/dev/node-down.sh
# removes every trace of it.
#
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler   control plane (Node,RBAC)
#   containerd (its own instance, config, root, state and socket), runc, CNI bridge + host-local + loopback
#   kubelet (cgroupfs driver; this machine is cgroup v1 and PID 1 is not systemd), kube-proxy (nftables)
#
# All of them run in a network namespace of their own, /run/netns/kulp-node, joined to the host by
# a veth pair: the node is 10.213.213.2 and the API server https://10.213.213.2:6443. Their
# listening ports, the pod bridge, the CNI and kube-proxy rules and the sysctls of that namespace
# go with it; dockerd and its containerd are not touched. Pods run in the host's PID namespace
# tree, as on any node, so a hostPID pod sees the host's processes.
#
# Idempotent: when the node is up and Ready it says so and does nothing. A half-started node is
# taken down first. Builds or installs what is missing first (deploy/dev/prereqs.d/50-kube-node.sh).
# Prints the kubeconfig to use: export KUBECONFIG=/var/lib/kulp-node/admin.kubeconfig
#
# Environment: KULP_NODE_DIR, KULP_NODE_RUN, KULP_NODE_LOGS, KULP_NODE_NAME (deploy/dev/node/env.sh).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=node/env.sh
. "$here/node/env.sh"
say() { echo "node-up: $*"; }
die() { echo "node-up: ERROR: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root: it starts containerd and a kubelet"

started=$SECONDS
"$here/prereqs.d/50-kube-node.sh" | sed 's/^/node-up: /'
kube_dir="$("$here/kube-test-binaries.sh" --print-dir)"
export PATH="$kube_dir:$kube_dir/node:/usr/sbin:/usr/bin:/sbin:/bin"
pause_bin="${KULP_NODE_CACHE:-$HOME/.cache/kulp/node}/pause"
kubectl() { command kubectl --kubeconfig "$KUBECONFIG_ADMIN" --request-timeout=10s "$@"; }

alive() { local pid; pid="$(cat "$NODE_RUN/pids/$1" 2>/dev/null)" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
node_ready() {
  local out
  out="$(kubectl get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" || return 1
  [ "$out" = True ]
}

if [ -d "$NODE_RUN/pids" ]; then
  all=1
  for c in $NODE_COMPONENTS; do alive "$c" || all=""; done
  if [ -n "$all" ] && node_ready; then
    say "already up and Ready: export KUBECONFIG=$KUBECONFIG_ADMIN"
    exit 0
  fi
  say "a node that is not fully up is there: taking it down first"
  "$here/node-down.sh"
fi
if [ -e "/run/netns/$NODE_NETNS" ] || [ -d "$NODE_DIR" ]; then
  say "leftovers of an earlier node: taking them down first"
  "$here/node-down.sh"
fi

mkdir -p "$NODE_DIR" "$NODE_RUN/pids" "$NODE_LOGS"
rm -f "$NODE_LOGS"/*.log
# A start that fails half-way leaves nothing running either (the logs stay for reading).
trap 'status=$?; if [ "$status" -ne 0 ]; then echo "node-up: failed: taking the node down" >&2; "$here/node-down.sh" >&2; fi' EXIT

# start <name> <command...>: in the node's network namespace, its own session, log in $NODE_LOGS.
# nsenter joins only the network namespace (not `ip netns exec`, which also makes a mount
# namespace: the kubelet's mounts must be the ones containerd sees).
start() {
  local name=$1; shift
  setsid nsenter --net="/run/netns/$NODE_NETNS" "$@" </dev/null >"$NODE_LOGS/$name.log" 2>&1 &
  echo $! >"$NODE_RUN/pids/$name"
}
# wait_for <seconds> <component> <what> <command...>: until the command succeeds; fails with the
# component's log when it exits or the time is up.
wait_for() {
  local limit=$1 name=$2 what=$3 deadline=$((SECONDS + $1)); shift 3
  until "$@" >/dev/null 2>&1; do
    alive "$name" || { tail -n 30 "$NODE_LOGS/$name.log" >&2; die "$name exited before $what"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 30 "$NODE_LOGS/$name.log" >&2; die "$what: not within ${limit}s"; }
    sleep 0.3
  done
}

# --- the node's network ---------------------------------------------------------------------
ip netns add "$NODE_NETNS"
ip link add "$NODE_HOST_IF" type veth peer name "$NODE_IF" netns "$NODE_NETNS"
ip addr add "$NODE_HOST_IP/30" dev "$NODE_HOST_IF"
ip link set "$NODE_HOST_IF" up
in_node() { nsenter --net="/run/netns/$NODE_NETNS" "$@"; }
in_node ip link set lo up
in_node ip addr add "$NODE_IP/30" dev "$NODE_IF"
in_node ip link set "$NODE_IF" up
in_node ip route add default via "$NODE_HOST_IP"
in_node sysctl -qw net.ipv4.ip_forward=1

# --- certificates and kubeconfigs -----------------------------------------------------------
pki="$NODE_DIR/pki"
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=kulp-node-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
# cert <name> <subject> [subjectAltName]
cert() {
  local ext="$pki/$1.ext"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
  [ -n "${3:-}" ] && echo "subjectAltName=$3" >>"$ext"
  openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
    -extfile "$ext" -out "$pki/$1.crt" 2>/dev/null
  rm -f "$pki/$1.csr" "$ext"
}
cert apiserver "/CN=kube-apiserver" \
  "IP:$NODE_IP,IP:${SERVICE_CIDR%.*}.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
cert admin "/O=system:masters/CN=kulp-node-admin"
cert controller-manager "/CN=system:kube-controller-manager"
cert scheduler "/CN=system:kube-scheduler"
cert kube-proxy "/CN=system:kube-proxy"
cert kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME"
cert kubelet "/CN=$NODE_NAME" "IP:$NODE_IP,DNS:$NODE_NAME"
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
# kubeconfig <file> <client cert name> <server>
kubeconfig() {
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $NODE_NAME
  cluster: {server: "$3", certificate-authority: $pki/ca.crt}
users:
- name: $2
  user: {client-certificate: $pki/$2.crt, client-key: $pki/$2.key}
contexts:
- name: $NODE_NAME
  context: {cluster: $NODE_NAME, user: $2}
current-context: $NODE_NAME
EOF
}
api="https://$NODE_IP:6443"
kubeconfig "$KUBECONFIG_ADMIN" admin "$api"
for c in controller-manager scheduler kube-proxy kubelet-client; do kubeconfig "$NODE_DIR/$c.kubeconfig" "$c" "$api"; done

# --- control plane --------------------------------------------------------------------------
start etcd etcd --name "$NODE_NAME" --data-dir "$NODE_DIR/etcd" --unsafe-no-fsync \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --listen-metrics-urls=
start kube-apiserver kube-apiserver --etcd-servers http://127.0.0.1:2379 \
  --advertise-address "$NODE_IP" --bind-address 0.0.0.0 --secure-port 6443 \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$pki/ca.crt" --kubelet-preferred-address-types InternalIP \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged=true \
  --profiling=false
wait_for 60 kube-apiserver "the API server is ready" kubectl get --raw /readyz
say "API server ready after $((SECONDS - started)) s"
start kube-controller-manager kube-controller-manager --kubeconfig "$NODE_DIR/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$NODE_DIR/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$NODE_DIR/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --service-cluster-ip-range "$SERVICE_CIDR" --profiling=false
start kube-scheduler kube-scheduler --kubeconfig "$NODE_DIR/scheduler.kubeconfig" \
  --authentication-kubeconfig "$NODE_DIR/scheduler.kubeconfig" \
  --authorization-kubeconfig "$NODE_DIR/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false

# --- container runtime ----------------------------------------------------------------------
mkdir -p "$NODE_DIR/cni/net.d" "$NODE_RUN/containerd"
cat >"$NODE_DIR/containerd.toml" <<EOF
# containerd of the kulp test node (deploy/dev/node-up.sh); dockerd's containerd is another one.
version = 2
root = "$NODE_DIR/containerd"
state = "$NODE_RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$NODE_RUN/containerd/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$NODE_DIR/containerd-opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The VM's capability bounding set has no CAP_SYS_RESOURCE: lowering a sandbox's
  # oom_score_adj below containerd's own fails, so containerd keeps it at its own or above.
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$NODE_RUN/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE_DIR/cni/net.d"
EOF
cat >"$NODE_DIR/cni/net.d/10-kulp-node.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "kulp-node",
  "plugins": [{
    "type": "bridge", "bridge": "kulp0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
    "ipam": {"type": "host-local", "dataDir": "$NODE_DIR/cni/ipam",
             "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}
  }]
}
EOF
start containerd containerd --config "$NODE_DIR/containerd.toml"
ctr_() { timeout 60 ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }
wait_for 30 containerd "containerd answers" ctr_ version
# The pod sandbox image: the pause program compiled by prereqs.d/50-kube-node.sh, alone.
pause_tree="$NODE_DIR/pause-image"
mkdir -p "$pause_tree"
cp "$pause_bin" "$pause_tree/pause"
"$here/../images/oci-image.sh" --ref "$PAUSE_IMAGE" --out "$NODE_DIR/pause.tar" --user 65535:65535 \
  --entrypoint /pause "$pause_tree" >/dev/null
ctr_ images import "$NODE_DIR/pause.tar" >/dev/null

# --- kubelet and kube-proxy -----------------------------------------------------------------
# The node has no DNS server and cannot reach the host's. A pod whose resolver waited for one would
# hang in every lookup until it timed out (the JDK's HTTPS server looks up each client's address
# before the TLS handshake: the API server's calls to kulp's webhook then time out). Pods get a
# nameserver that refuses at once instead: nothing listens on port 53 of a pod's loopback.
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$NODE_DIR/resolv.conf"
saved="$NODE_RUN/kernel-tunables"
for t in $KERNEL_TUNABLES; do echo "$t=$(sysctl -n "$t")"; done >"$saved"
cat >"$NODE_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroup v1 (hybrid) and no systemd as PID 1 here
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
podLogsDir: $NODE_DIR/pod-logs
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
clusterDomain: cluster.local
resolvConf: $NODE_DIR/resolv.conf
failSwapOn: false
rotateCertificates: false
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
maxPods: 60
EOF
start kubelet kubelet --config "$NODE_DIR/kubelet.yaml" --kubeconfig "$NODE_DIR/kubelet-client.kubeconfig" \
  --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --root-dir "$NODE_DIR/kubelet" --cert-dir "$pki"
cat >"$NODE_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $NODE_DIR/kube-proxy.kubeconfig}
mode: nftables
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# 0: leave the kernel's conntrack settings as they are
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
# kube-proxy exits when its configuration file changes: it is written once, before it starts.
start kube-proxy kube-proxy --config "$NODE_DIR/kube-proxy.yaml"

wait_for 60 kubelet "node $NODE_NAME is Ready" node_ready
wait_for 30 kube-proxy "kube-proxy is healthy" in_node curl -sf -m 2 http://127.0.0.1:10256/healthz
# Pods need their service account's namespace objects: wait for the default one.
wait_for 30 kube-controller-manager "the default service account exists" kubectl get serviceaccount default
say "node $NODE_NAME Ready in $((SECONDS - started)) s; logs in $NODE_LOGS"
say "export KUBECONFIG=$KUBECONFIG_ADMIN"
