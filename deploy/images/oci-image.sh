#!/usr/bin/env bash
# Writes a container image from file trees, with no container engine and nothing pulled: one
# gzipped layer per tree, in the OCI image layout, with docker's manifest.json beside it, as one
# tar archive. `ctr -n k8s.io images import` and `docker load` both read it.
#
# Reproducible: entries sorted, owner 0:0, every mtime and the creation date from --epoch, gzip
# without names or times; the same trees and options give the same digests.
#
# Usage: oci-image.sh --ref REPO/NAME:TAG --out FILE.tar [--epoch SECONDS] [--user UID[:GID]]
#          [--env NAME=VALUE]... [--label NAME=VALUE]... [--entrypoint ARG]... [--cmd ARG]... TREE...
# Prints "<ref> sha256:<manifest digest>".
set -euo pipefail

die() { echo "oci-image: ERROR: $*" >&2; exit 1; }
json() { # a JSON string
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}
join() { local IFS=,; echo "$*"; }

ref="" out="" epoch=0 user="" env=() labels=() entrypoint=() cmd=() trees=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ref) ref=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --epoch) epoch=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --env) env+=("$(json "$2")"); shift 2 ;;
    --label) labels+=("$(json "${2%%=*}"):$(json "${2#*=}")"); shift 2 ;;
    --entrypoint) entrypoint+=("$(json "$2")"); shift 2 ;;
    --cmd) cmd+=("$(json "$2")"); shift 2 ;;
    -*) die "unknown option $1" ;;
    *) trees+=("$1"); shift ;;
  esac
done
[ -n "$ref" ] && [ -n "$out" ] && [ ${#trees[@]} -gt 0 ] || die "usage: see the header of $0"

work="$(mktemp -d "${TMPDIR:-/tmp}/oci-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
blobs="$work/layout/blobs/sha256"
mkdir -p "$blobs"
deterministic_tar() { tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu "$@"; }
store() { # store <file>: moves it into blobs/ by digest; prints "<digest> <size>"
  local d s
  d="$(sha256sum "$1" | cut -d' ' -f1)"
  s="$(stat -c %s "$1")"
  mv "$1" "$blobs/$d"
  echo "$d $s"
}

layers=() diffs=() paths=()
for tree in "${trees[@]}"; do
  [ -d "$tree" ] || die "$tree is not a directory"
  deterministic_tar -C "$tree" -cf "$work/layer.tar" .
  diffs+=("\"sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)\"")
  gzip -n -6 "$work/layer.tar"
  read -r d s < <(store "$work/layer.tar.gz")
  layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$s}")
  paths+=("\"blobs/sha256/$d\"")
done

created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
printf '{"architecture":"amd64","os":"linux","created":"%s","config":{"User":%s,"Env":[%s],"Entrypoint":[%s],"Cmd":[%s],"WorkingDir":"/","Labels":{%s}},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$created" "$(json "$user")" "$(join "${env[@]}")" "$(join "${entrypoint[@]}")" "$(join "${cmd[@]}")" \
  "$(join "${labels[@]}")" "$(join "${diffs[@]}")" >"$work/config"
read -r config_digest config_size < <(store "$work/config")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s],"annotations":{%s}}' \
  "$config_digest" "$config_size" "$(join "${layers[@]}")" "$(join "${labels[@]}")" >"$work/manifest"
read -r manifest_digest manifest_size < <(store "$work/manifest")
tag="${ref##*:}"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":%s,"org.opencontainers.image.ref.name":%s}}]}' \
  "$manifest_digest" "$manifest_size" "$(json "$ref")" "$(json "$tag")" >"$work/layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"
# docker load reads this one (docker 20.10 does not read index.json)
printf '[{"Config":"blobs/sha256/%s","RepoTags":[%s],"Layers":[%s]}]' \
  "$config_digest" "$(json "$ref")" "$(join "${paths[@]}")" >"$work/layout/manifest.json"
mkdir -p "$(dirname "$out")"
deterministic_tar -C "$work/layout" -cf "$out.partial" .
mv "$out.partial" "$out"
echo "$ref sha256:$manifest_digest"
