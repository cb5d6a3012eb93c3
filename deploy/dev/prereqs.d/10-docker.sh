#!/usr/bin/env bash
# Container tests need a Docker engine: install docker.io if missing, start dockerd (no networking).
exec "$(dirname "$0")/../docker-up.sh"
