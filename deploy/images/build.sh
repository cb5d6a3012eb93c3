#!/usr/bin/env bash
# Builds kulp's three images from local files only, with nothing pulled and no container engine:
#
#   ghcr.io/kulp-io/kulp-operator:<version>   operator, runs as 65532
#   ghcr.io/kulp-io/kulp-agent:<version>      node agent, plus ulp and libpulp.so
#   ghcr.io/kulp-io/kulp-runtime:<version>    libpulp.so and kulp-install (the webhook's init container)
#
# <version> is the Maven project version (the root pom). Each image is written as one archive,
# target/images/kulp-<component>-<version>.tar, in the OCI image layout with docker's manifest.json
# beside it, so both `ctr -n k8s.io images import` and `docker load` read it.
#
# The Java base is made here: a jlink'ed Java 17 runtime from the installed JDK (only the modules
# the operator and agent use), the few glibc, libstdc++ and zlib files it links, and /bin/sh with
# the handful of tools the launchers call, copied from this host. Operator and agent share that
# layer. The images hold what deploy/images/*/Dockerfile copy (those build the same images on a
# public base where one can be pulled; docs/operations.md, "Images"): change both together.
#
# Reproducible: every file has mode from the build and mtime and creation date from the last
# commit (SOURCE_DATE_EPOCH overrides), owner 0:0, sorted, gzip without names; the same inputs give
# the same digests.
#
# Usage: deploy/images/build.sh [--maven]   --maven: first `mvn -B -o -q package -DskipTests`
# Environment: KULP_IMAGE_DIR (default target/images), JAVA_HOME (the JDK to jlink from),
#              KULP_IMAGE_REPO (default ghcr.io/kulp-io).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="${KULP_IMAGE_DIR:-$root/target/images}"
repo="${KULP_IMAGE_REPO:-ghcr.io/kulp-io}"
say() { echo "images: $*"; }
die() { echo "images: ERROR: $*" >&2; exit 1; }

# The modules the operator's and agent's jars use (jdeps --print-module-deps --multi-release 17
# over the jars and their lib directories), plus jdk.crypto.ec, which TLS to the API server needs
# for its EC key exchanges and jdeps cannot see (a security provider found at run time).
JAVA_MODULES=java.base,java.compiler,java.desktop,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.management,jdk.unsupported,jdk.crypto.ec
# java.desktop is there for java.beans (Jackson); its native parts (AWT, fonts, sound, images)
# would need X11 and font libraries and are never loaded by a server: left out.
DESKTOP_NATIVE="libawt.so libawt_headless.so libawt_xawt.so libfontmanager.so libjavajpeg.so libjawt.so libjsound.so liblcms.so libmlib_image.so libsplashscreen.so"
# What the launchers (kulp-agent, kulp-operator, ulp: POSIX sh scripts) run besides java.
TOOLS="/bin/sh /usr/bin/env /bin/ls /usr/bin/head /usr/bin/dirname /usr/bin/readlink"

[ "${1:-}" = --maven ] && { say "mvn -B -o -q package -DskipTests"; mvn -B -o -q package -DskipTests; }

version="$(sed -n '0,/<version>/s#.*<version>\(.*\)</version>.*#\1#p' pom.xml)"
[ -n "$version" ] || die "cannot read the project version from pom.xml"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
epoch="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"

jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[ -x "$jdk/bin/jlink" ] && [ -d "$jdk/jmods" ] || die "no jlink and jmods in $jdk; set JAVA_HOME to a full JDK 17"

agent_jar="$(ls node-agent/agent/target/agent-*[0-9T].jar 2>/dev/null | head -n 1)"
cli_jar="$(ls node-agent/cli/target/cli-*[0-9T].jar 2>/dev/null | head -n 1)"
for f in operator/target/kulp-operator.jar operator/target/lib "$agent_jar" node-agent/agent/target/agent-lib \
         "$cli_jar" node-agent/cli/target/ulp node-agent/cli/target/lib node-agent/cli/target/native \
         runtime-c/target/image/libpulp.so runtime-c/target/image/kulp-install; do
  [ -n "$f" ] && [ -e "$f" ] || die "missing build output ${f:-(agent or cli jar)}; run: deploy/images/build.sh --maven (or mvn -B -o package -DskipTests)"
done

started=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/kulp-images.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# --- the layers' file trees ------------------------------------------------------------------
copy_with_libs() { # copy_with_libs <tree> <host file>...: the files and every library ldd names for them
  local tree=$1 f lib; shift
  for f in "$@"; do
    mkdir -p "$tree$(dirname "$f")"
    cp -L "$f" "$tree$f"
    for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' || true); do
      [ -e "$tree$lib" ] || { mkdir -p "$tree$(dirname "$lib")"; cp -L "$lib" "$tree$lib"; }
    done
  done
}

base="$work/base"
say "jlink: a Java runtime of $JAVA_MODULES from $jdk"
"$jdk/bin/jlink" --add-modules "$JAVA_MODULES" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$base/opt/java"
for lib in $DESKTOP_NATIVE; do rm -f "$base/opt/java/lib/$lib"; done
copy_with_libs "$base" $TOOLS
# The runtime's own libraries (and the java launcher's) with what they link from the host.
while IFS= read -r -d '' so; do
  # the whole output first, then the tests (a `ldd | grep -q` pipe can die of SIGPIPE under pipefail)
  linked="$(LD_LIBRARY_PATH="$base/opt/java/lib:$base/opt/java/lib/server" ldd "$so")"
  [[ $linked != *"not found"* ]] || die "$so needs a library that is not found: $linked"
  for lib in $(grep -oE '/[^ ]+\.so[^ ]*' <<<"$linked" || true); do
    case "$lib" in "$base"/*) continue ;; esac
    [ -e "$base$lib" ] || { mkdir -p "$base$(dirname "$lib")"; cp -L "$lib" "$base$lib"; }
  done
done < <(find "$base/opt/java" \( -name '*.so' -o -path '*/bin/*' \) -type f -print0)
[ -e "$base/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader was not copied"
mkdir -p "$base/usr/bin" "$base/etc" "$base/tmp"
chmod 1777 "$base/tmp"
ln -s /opt/java/bin/java "$base/usr/bin/java"
printf 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/sh\n' >"$base/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$base/etc/group"
"$base/opt/java/bin/java" -version >/dev/null 2>&1 || die "the jlink'ed runtime does not start on this host"

# deploy/images/operator/Dockerfile
operator="$work/operator"
mkdir -p "$operator/opt/kulp"
cp operator/target/kulp-operator.jar "$operator/opt/kulp/kulp-operator.jar"
cp -r operator/target/lib "$operator/opt/kulp/lib"
cp operator/kulp-operator "$operator/opt/kulp/kulp-operator"

# deploy/images/agent/Dockerfile
agent="$work/agent"
mkdir -p "$agent/opt/kulp/ulp"
cp "$agent_jar" "$agent/opt/kulp/agent.jar"
cp -r node-agent/agent/target/agent-lib "$agent/opt/kulp/agent-lib"
cp node-agent/agent/kulp-agent "$agent/opt/kulp/kulp-agent"
cp node-agent/cli/target/ulp "$cli_jar" "$agent/opt/kulp/ulp/"
cp -r node-agent/cli/target/lib node-agent/cli/target/native "$agent/opt/kulp/ulp/"
cp runtime-c/target/image/libpulp.so "$agent/opt/kulp/libpulp.so"

# deploy/images/runtime/Dockerfile
runtime="$work/runtime"
mkdir -p "$runtime"
cp runtime-c/target/image/libpulp.so runtime-c/target/image/kulp-install "$runtime/"

# --- OCI archives ----------------------------------------------------------------------------
blobs="$work/oci"
# layer <tree>: writes the gzipped layer blob; prints "<blob digest> <size> <diff id>"
layer() {
  local tar="$work/layer.tar" diff digest
  tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$1" -cf "$tar" .
  diff="$(sha256sum "$tar" | cut -d' ' -f1)"
  gzip -n -6 <"$tar" >"$work/layer.tgz"
  digest="$(sha256sum "$work/layer.tgz" | cut -d' ' -f1)"
  mkdir -p "$blobs/blobs/sha256"
  mv "$work/layer.tgz" "$blobs/blobs/sha256/$digest"
  rm -f "$tar"
  echo "$digest $(stat -c %s "$blobs/blobs/sha256/$digest") $diff"
}
blob() { # blob <file>: stores it by digest; prints "<digest> <size>"
  local d; d="$(sha256sum "$1" | cut -d' ' -f1)"
  mkdir -p "$blobs/blobs/sha256" && cp "$1" "$blobs/blobs/sha256/$d"
  echo "$d $(stat -c %s "$1")"
}
json_list() { local IFS=,; echo "$*"; }

# image <component> <description> <user> <env json list> <entrypoint json list> <cmd json list> <layer tree>...
image() {
  local component=$1 description=$2 user=$3 env=$4 entrypoint=$5 cmd=$6; shift 6
  local name="kulp-$component" ref="$repo/kulp-$component:$version" tree d s diff
  local layers=() diffs=() paths=() labels
  rm -rf "$blobs" && mkdir -p "$blobs"
  for tree in "$@"; do
    read -r d s diff < <(layer "$tree")
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$s}")
    diffs+=("\"sha256:$diff\"")
    paths+=("\"blobs/sha256/$d\"")
  done
  labels="\"org.opencontainers.image.title\":\"$name\",\"org.opencontainers.image.description\":\"$description\""
  labels="$labels,\"org.opencontainers.image.version\":\"$version\",\"org.opencontainers.image.revision\":\"$revision\""
  labels="$labels,\"org.opencontainers.image.created\":\"$created\",\"org.opencontainers.image.licenses\":\"Apache-2.0\""
  labels="$labels,\"org.opencontainers.image.source\":\"https://github.com/kulp-io/kulp\",\"org.opencontainers.image.vendor\":\"kulp\""
  [ "$component" = runtime ] && labels="$labels,\"io.kulp.runtime.version\":\"$version\""
  printf '{"architecture":"amd64","os":"linux","created":"%s","config":{"User":"%s","Env":%s,"Entrypoint":%s,"Cmd":%s,"WorkingDir":"/","Labels":{%s}},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$created" "$user" "$env" "$entrypoint" "$cmd" "$labels" "$(json_list "${diffs[@]}")" >"$work/config.json"
  read -r d s < <(blob "$work/config.json")
  local config_digest=$d
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s],"annotations":{%s}}' \
    "$d" "$s" "$(json_list "${layers[@]}")" "$labels" >"$work/manifest.json"
  read -r d s < <(blob "$work/manifest.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$d" "$s" "$ref" "$version" >"$blobs/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$blobs/oci-layout"
  # docker load reads this one (docker 20.10 does not read index.json)
  printf '[{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":[%s]}]' \
    "$config_digest" "$ref" "$(json_list "${paths[@]}")" >"$blobs/manifest.json"
  tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$blobs" -cf "$out/$name-$version.tar" .
  say "$ref  sha256:$d  $(du -h --apparent-size "$out/$name-$version.tar" | cut -f1)  -> $out/$name-$version.tar"
}

image operator "kulp operator: rolls LivePatches out across nodes" 65532:65532 \
  '["PATH=/opt/java/bin:/usr/bin:/bin"]' '["/opt/kulp/kulp-operator"]' null "$base" "$operator"
image agent "kulp node agent: live-patches processes in the containers of its node" 0 \
  "[\"PATH=/opt/kulp/ulp:/opt/java/bin:/usr/bin:/bin\",\"JAVA_OPTS=-Djna.tmpdir=/tmp -Djava.io.tmpdir=/tmp\"]" '["/opt/kulp/kulp-agent"]' null "$base" "$agent"
image runtime "kulp's in-process runtime (libpulp.so), copied into pods by the runtime-injection webhook" 65532:65532 \
  '[]' '["/kulp-install"]' '["/libpulp.so","/kulp/runtime"]' "$runtime"
say "done in $((SECONDS - started)) s"
