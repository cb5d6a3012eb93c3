#!/usr/bin/env bash
# Imports image archives (OCI layout or `docker save` output, e.g. from deploy/images/oci-image.sh)
# into the containerd of the node of deploy/dev/node-up.sh, where the CRI (the kubelet) sees them:
# a pod then runs them with imagePullPolicy Never or IfNotPresent, nothing pulled.
# Usage: node-import-image.sh ARCHIVE.tar...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=node/env.sh
. "$here/node/env.sh"
[ $# -gt 0 ] || { echo "usage: $0 ARCHIVE.tar..." >&2; exit 2; }
[ -S "$CONTAINERD_SOCK" ] || { echo "node-import-image: ERROR: the node's containerd is not up ($CONTAINERD_SOCK): run deploy/dev/node-up.sh" >&2; exit 1; }
for archive in "$@"; do
  timeout 120 ctr --address "$CONTAINERD_SOCK" -n k8s.io images import "$archive"
done
