#!/usr/bin/env bash
# Installs or builds what the tests need, and says what it does. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for step in "$here"/prereqs.d/*.sh; do
  [ -e "$step" ] || continue
  echo "==> prereqs: $(basename "$step")"
  "$step"
done
