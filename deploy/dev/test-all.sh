#!/usr/bin/env bash
# The one command that runs every kulp test on a fresh machine (README, .ci/run).
# It first installs or builds what the tests need (deploy/dev/prereqs.sh), then runs Maven.
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/dev/prereqs.sh
exec mvn -B -ntp verify "$@"
