# Sourced by deploy/dev/node-up.sh and node-down.sh: where the single-node cluster lives.
# Everything of the node is under these directories, in the network namespace $NODE_NETNS, and in
# the cgroups named kubepods; node-down.sh removes all of it.
NODE_NAME="${KULP_NODE_NAME:-kulp-node}"
NODE_DIR="${KULP_NODE_DIR:-/var/lib/kulp-node}"   # certificates, etcd, containerd, kubelet, CNI state
NODE_RUN="${KULP_NODE_RUN:-/run/kulp-node}"       # sockets, containerd and runc state, pids, saved sysctls
NODE_LOGS="${KULP_NODE_LOGS:-/var/log/kulp-node}" # one log per component, kept after node-down for reading
NODE_NETNS=kulp-node                              # /run/netns/kulp-node: the node's own network
NODE_HOST_IF=kulp-host                            # veth end in the host's namespace
NODE_IF=kulp-eth0                                 # veth end in the node's namespace
NODE_HOST_IP=10.213.213.1                         # the host, seen from the node
NODE_IP=10.213.213.2                              # the node: kubelet, API server (6443)
POD_CIDR=10.214.0.0/24                            # the CNI bridge kulp0, host-local IPAM
SERVICE_CIDR=10.215.0.0/24                        # kubernetes.default is 10.215.0.1
CONTAINERD_SOCK="$NODE_RUN/containerd/containerd.sock"
KUBECONFIG_ADMIN="$NODE_DIR/admin.kubeconfig"
PAUSE_IMAGE=localhost/kulp-node/pause:3.10
# The kernel settings the kubelet changes at start (kubelet's setupKernelTunables): saved by
# node-up.sh before it starts and put back by node-down.sh.
KERNEL_TUNABLES="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes"
# Start order; node-down.sh stops them in reverse.
NODE_COMPONENTS="etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy"
