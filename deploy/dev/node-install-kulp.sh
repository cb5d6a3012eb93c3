#!/usr/bin/env bash
# Installs kulp on the node of deploy/dev/node-up.sh as a user installs it: the images imported
# into the node's containerd (`ctr -n k8s.io images import`), then `kubectl apply -k` of an overlay
# of deploy/ that changes only the images' tags (the Maven project version) and imagePullPolicy
# (Never: nothing is pulled); then waits until the operator Deployment and the agent DaemonSet
# are Ready. The images are built by deploy/images/build.sh when their archives are missing
# (--build: always).
#
# The overlay is written to /var/lib/kulp-node/kulp/kustomization.yaml: kustomize refuses an
# overlay inside the directory of its base (deploy/), so it cannot live in deploy/dev/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=node/env.sh
. "$here/node/env.sh"
say() { echo "install-kulp: $*"; }
die() { echo "install-kulp: ERROR: $*" >&2; exit 1; }
kube_dir="$("$here/kube-test-binaries.sh" --print-dir)"
export PATH="$kube_dir:/usr/sbin:/usr/bin:/sbin:/bin" KUBECONFIG="$KUBECONFIG_ADMIN"
started=$SECONDS

ready="$(kubectl --request-timeout=10s get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)"
[ "$ready" = True ] || die "node $NODE_NAME is not up and Ready: run deploy/dev/node-up.sh first"

version="$(sed -n '0,/<version>/s#.*<version>\(.*\)</version>.*#\1#p' "$root/pom.xml")"
images="${KULP_IMAGE_DIR:-$root/target/images}"
archives=()
for c in operator agent runtime; do archives+=("$images/kulp-$c-$version.tar"); done
if [ "${1:-}" = --build ] || ! ls "${archives[@]}" >/dev/null 2>&1; then
  "$root/deploy/images/build.sh"
fi
"$here/node-import-image.sh" "${archives[@]}" >/dev/null || die "importing the images failed"
say "imported $(printf '%s ' "${archives[@]##*/}")into the node's containerd"
# The same tag with other contents (a rebuild) does not restart running pods: note what was
# imported, and restart the rollouts when it changed since the last install on this node.
digests="$(for a in "${archives[@]}"; do tar -xOf "$a" ./index.json; done | sha256sum | cut -c1-16)"
restart=""
if [ -f "$NODE_DIR/kulp/images.digest" ] && [ "$(cat "$NODE_DIR/kulp/images.digest")" != "$digests" ]; then
  restart=1
fi

overlay="$NODE_DIR/kulp"
mkdir -p "$overlay"
cat >"$overlay/kustomization.yaml" <<EOF
# kulp as deploy/ installs it, with the images of deploy/images/build.sh already on the node.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$overlay" "$root/deploy")
images:
  - {name: ghcr.io/kulp-io/kulp-operator, newTag: "$version"}
  - {name: ghcr.io/kulp-io/kulp-agent, newTag: "$version"}
patches:
  - target: {kind: Deployment, name: kulp-operator}
    patch: |-
      - {op: add, path: /spec/template/spec/containers/0/imagePullPolicy, value: Never}
      - {op: test, path: /spec/template/spec/containers/0/env/3/name, value: KULP_RUNTIME_IMAGE}
      - {op: replace, path: /spec/template/spec/containers/0/env/3/value, value: "ghcr.io/kulp-io/kulp-runtime:$version"}
  - target: {kind: DaemonSet, name: kulp-agent}
    patch: |-
      - {op: add, path: /spec/template/spec/containers/0/imagePullPolicy, value: Never}
EOF
say "kubectl apply -k $overlay"
kubectl --request-timeout=60s apply -k "$overlay" | sed 's/^/    /'
echo "$digests" >"$overlay/images.digest"
if [ -n "$restart" ]; then
  say "the images changed since the last install: restarting the operator and the agent"
  kubectl --request-timeout=20s -n kulp-system rollout restart deployment/kulp-operator daemonset/kulp-agent
fi
kubectl -n kulp-system rollout status deployment/kulp-operator --timeout=180s
kubectl -n kulp-system rollout status daemonset/kulp-agent --timeout=120s
say "operator and agent Ready $((SECONDS - started)) s after the start"
kubectl -n kulp-system get pods -o wide
