#!/usr/bin/env bash
# Renders the whole install (deploy/, the kustomize base) into one file, deploy/release/kulp.yaml,
# for `kubectl apply -f` without kustomize. ReleaseManifestIT fails when the file is stale: run
# this after changing anything under deploy/ that the base includes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
kubectl=kubectl
for k in "$HOME"/.kubeapitest/k8s/*/kubectl; do [ -x "$k" ] && kubectl=$k; done
out=$root/deploy/release/kulp.yaml
body=$("$kubectl" kustomize "$root/deploy")
{
  echo "# kulp: the whole install in one file, rendered from deploy/ by deploy/release/render.sh;"
  echo "# do not edit."
  echo "# kubectl apply --server-side -f deploy/release/kulp.yaml"
  printf '%s\n' "$body"
} > "$out"
echo "wrote $out"
