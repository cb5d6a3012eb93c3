#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd for the tests that run a real API server
# (kube-api-test), unless they are already in ~/.kubeapitest. See deploy/dev/kube-test-binaries.sh.
set -euo pipefail
exec "$(dirname "$0")/../kube-test-binaries.sh"
