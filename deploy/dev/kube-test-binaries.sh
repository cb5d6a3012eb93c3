#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from source, through the Go module proxy, into the
# directory where io.fabric8:kube-api-test looks for them before it tries to download:
#
#   ${KUBE_API_TEST_DIR:-~/.kubeapitest}/k8s/<X.Y.Z>-linux-amd64/{kube-apiserver,kubectl,etcd}
#
# kube-api-test (7.5.2, BinaryManager) uses that directory as is when it exists, and when no
# version is pinned it picks the highest <X.Y.Z> present. Nothing is downloaded at test time.
#
# The versions live in the wrapper modules next to this script, which are the only source of truth:
#   kube-test-binaries/kubernetes/go.mod  k8s.io/kubernetes vX.Y.Z, every k8s.io/* staging module
#                                         replaced by its published v0.Y.Z, `tool` lines for the commands
#   kube-test-binaries/etcd/go.mod        go.etcd.io/etcd/server/v3, built through a tiny main.go
#
# Idempotent: when the target directory holds the three binaries and a stamp that matches the
# wrapper modules and the Go version, it does nothing. Otherwise it builds with the normal Go
# module cache and build cache, so a rebuild on a warm machine costs seconds.
#
# With --node it also builds what a real node needs (deploy/dev/node-up.sh): kubelet,
# kube-controller-manager, kube-scheduler and kube-proxy, from the same wrapper module, into
# <dir>/node/, with a stamp of its own (about 11 minutes on 2 cores the first time).
#
# Usage: kube-test-binaries.sh            build if needed
#        kube-test-binaries.sh --force    rebuild even if the stamp matches
#        kube-test-binaries.sh --node     also the node binaries (--node --force: rebuild both)
#        kube-test-binaries.sh --print-dir  print the target directory and exit
#        KUBE_VERSION=1.37.2 kube-test-binaries.sh --regenerate
#                                         rewrite the kubernetes wrapper go.mod/go.sum for another release
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
mods="$here/kube-test-binaries"
export PATH="/usr/local/go/bin:$PATH"
# Use the Go that is installed; never let the go command fetch another toolchain behind our back.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly

log() { echo "kube-test-binaries: $*"; }
die() { echo "kube-test-binaries: ERROR: $*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "no 'go' on PATH or in /usr/local/go/bin; install Go >= $(sed -n 's/^go //p' "$mods/kubernetes/go.mod") first"

module_version() { # module_version <go.mod> <module path>  ->  version without the leading v
  sed -n "s#^\(require \)\?[[:space:]]*$2 v\([^ ]*\).*#\2#p" "$1" | head -n1
}

regenerate() {
  local v="${KUBE_VERSION:?set KUBE_VERSION=X.Y.Z}" gomod
  cd "$mods/kubernetes"
  gomod="$(go mod download -json "k8s.io/kubernetes@v$v" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')"
  [ -f "$gomod" ] || die "the Go module proxy did not supply k8s.io/kubernetes@v$v"
  {
    printf 'module kulp.io/dev/kubernetes\n\ngo %s\n\nrequire k8s.io/kubernetes v%s\n\n' \
      "$(sed -n 's/^go //p' "$gomod")" "$v"
    echo "// k8s.io/kubernetes replaces each staging module with ./staging/src/...; a dependent"
    echo "// module must point each one at its published release, v0.<minor>.<patch>."
    echo "replace ("
    sed -n "s#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\t\1 => \1 v0.${v#*.}#p" "$gomod"
    echo ")"
  } > go.mod
  rm -f go.sum
  GOFLAGS=-mod=mod go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$v" "k8s.io/kubernetes/cmd/kubectl@v$v" \
    "k8s.io/kubernetes/cmd/kubelet@v$v" "k8s.io/kubernetes/cmd/kube-controller-manager@v$v" \
    "k8s.io/kubernetes/cmd/kube-scheduler@v$v" "k8s.io/kubernetes/cmd/kube-proxy@v$v"
  GOFLAGS=-mod=mod go mod tidy
  log "regenerated $mods/kubernetes/go.mod for Kubernetes $v"
}

force="" node="" print_dir=""
for arg in "$@"; do
  case "$arg" in
    --regenerate) regenerate; exit 0 ;;
    --force) force=1 ;;
    --node) node=1 ;;
    --print-dir) print_dir=1 ;;
    *) die "unknown argument '$arg' (see the header of $0)" ;;
  esac
done

kube_version="$(module_version "$mods/kubernetes/go.mod" k8s.io/kubernetes)"
etcd_version="$(module_version "$mods/etcd/go.mod" go.etcd.io/etcd/server/v3)"
[ -n "$kube_version" ] || die "cannot read the k8s.io/kubernetes version from $mods/kubernetes/go.mod"
[ -n "$etcd_version" ] || die "cannot read the etcd server version from $mods/etcd/go.mod"

case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) die "unsupported machine $(uname -m)" ;; esac
base="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
dest="$base/k8s/$kube_version-linux-$arch"
if [ -n "$print_dir" ]; then echo "$dest"; exit 0; fi

stamp="$(cat "$mods"/kubernetes/go.mod "$mods"/kubernetes/go.sum "$mods"/etcd/go.mod "$mods"/etcd/go.sum \
  "$mods"/etcd/main.go <(go env GOVERSION GOARCH) | sha256sum | cut -c1-16)"
node_binaries=(kubelet kube-controller-manager kube-scheduler kube-proxy)

minor="${kube_version#*.}"; minor="${minor%%.*}"
x=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  x="$x -X $pkg.gitVersion=v$kube_version -X $pkg.gitMajor=${kube_version%%.*} -X $pkg.gitMinor=$minor"
  x="$x -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

# Each check reads the whole output first: `cmd | grep -q` fails under pipefail when grep exits at
# its first match and the command then dies of SIGPIPE, although it printed the right version.
reports() { # reports <version> <command...>: the command's output names the version
  local want=$1 out; shift
  out=$("$@" 2>&1) || die "$* failed: $out"
  [[ $out == *"$want"* ]] || die "$* does not report $want; it says: $out"
}

build_node() { # the node binaries into $dest/node, unless their stamp matches
  local ndest="$dest/node" ntmp b nstart=$SECONDS
  if [ -z "$force" ] && [ "$(cat "$ndest/.kulp-stamp" 2>/dev/null)" = "$stamp" ]; then
    log "up to date: ${node_binaries[*]} $kube_version in $ndest"
    return 0
  fi
  log "building ${node_binaries[*]} $kube_version into $ndest (first time: about 11 minutes on 2 cores)"
  ntmp="$(mktemp -d "$dest/.node.XXXXXX")"
  trap 'rm -rf "$ntmp"' EXIT
  ( cd "$mods/kubernetes" && go build -trimpath -ldflags "-s -w$x" -o "$ntmp/" \
      $(printf 'k8s.io/kubernetes/cmd/%s ' "${node_binaries[@]}") ) \
    || die "building the node binaries $kube_version failed (see the go output above)"
  for b in "${node_binaries[@]}"; do reports "v$kube_version" "$ntmp/$b" --version; done
  echo "$stamp" > "$ntmp/.kulp-stamp"
  chmod 755 "$ntmp"
  rm -rf "$ndest"
  mv "$ntmp" "$ndest"
  trap - EXIT
  log "node binaries built in $((SECONDS - nstart)) s: $(cd "$ndest" && ls -s --block-size=M "${node_binaries[@]}" | tr '\n' ' ')"
}

if [ -z "$force" ] && [ -x "$dest/kube-apiserver" ] && [ -x "$dest/kubectl" ] && [ -x "$dest/etcd" ] \
   && [ "$(cat "$dest/.kulp-stamp" 2>/dev/null)" = "$stamp" ]; then
  log "up to date: kube-apiserver and kubectl $kube_version, etcd $etcd_version in $dest"
  if [ -n "$node" ]; then build_node; fi
  exit 0
fi

log "building kube-apiserver and kubectl $kube_version, etcd $etcd_version with $(go env GOVERSION)"
log "into $dest (module cache $(go env GOMODCACHE), build cache $(go env GOCACHE))"
start=$SECONDS
tmp="$(mktemp -d "$base/.build.XXXXXX" 2>/dev/null || { mkdir -p "$base" && mktemp -d "$base/.build.XXXXXX"; })"
trap 'rm -rf "$tmp"' EXIT

( cd "$mods/kubernetes" && go build -trimpath -ldflags "-s -w$x" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl ) \
  || die "building kube-apiserver/kubectl $kube_version failed (see the go output above)"
log "kube-apiserver and kubectl built after $((SECONDS - start)) s"
( cd "$mods/etcd" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" . ) \
  || die "building etcd $etcd_version failed (see the go output above)"
log "etcd built after $((SECONDS - start)) s"

reports "v$kube_version" "$tmp/kube-apiserver" --version
reports "v$kube_version" "$tmp/kubectl" version --client
reports "$etcd_version" "$tmp/etcd" --version

echo "$stamp" > "$tmp/.kulp-stamp"
chmod 755 "$tmp"
mkdir -p "$(dirname "$dest")"
# node binaries that are there stay (build_node rebuilds them only when their stamp is stale)
if [ -d "$dest/node" ]; then mv "$dest/node" "$tmp/node"; fi
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
log "done in $((SECONDS - start)) s: $(cd "$dest" && ls -s --block-size=M kube-apiserver kubectl etcd | tr '\n' ' ')"
if [ -n "$node" ]; then build_node; fi
