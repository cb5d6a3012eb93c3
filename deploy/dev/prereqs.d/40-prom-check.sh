#!/usr/bin/env bash
# Builds prom-check (deploy/dev/prom-check): Prometheus's own scrape parser, promlint and PromQL
# parser, which the tests use to check /metrics of the operator and the agent and the alert rules
# of deploy/components/monitoring. From the Go module proxy, with the checked-in go.sum, like the
# kube test binaries: about 20 s and 100 MB of modules the first time, nothing after.
# Environment: KULP_PROM_CHECK (the binary; default ~/.cache/kulp/prom-check/prom-check).
set -euo pipefail

src="$(cd "$(dirname "$0")/../prom-check" && pwd)"
bin="${KULP_PROM_CHECK:-$HOME/.cache/kulp/prom-check/prom-check}"
say() { echo "prom-check: $*"; }

stamp="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16) $(go version)"
if [ -x "$bin" ] && [ "$(cat "$bin.stamp" 2>/dev/null)" = "$stamp" ]; then
  say "kept $bin"
  exit 0
fi
started=$SECONDS
mkdir -p "$(dirname "$bin")"
(cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin.partial" .)
mv "$bin.partial" "$bin"
echo "$stamp" >"$bin.stamp"
say "built $bin in $((SECONDS - started))s"
