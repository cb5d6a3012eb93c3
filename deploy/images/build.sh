#!/usr/bin/env bash
# Builds kulp's three images from local files only, with nothing pulled and no container engine
# (the archives are written by deploy/images/oci-image.sh):
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
# Reproducible: every file's mtime and the creation date are the last commit's (SOURCE_DATE_EPOCH
# overrides), owner 0:0, entries sorted, gzip without names; the same inputs give the same digests.
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

# globs, not `ls | head`: under pipefail that pipe fails when head exits before ls has written
jars=(node-agent/agent/target/agent-*[0-9T].jar); agent_jar=${jars[0]}
jars=(node-agent/cli/target/cli-*[0-9T].jar); cli_jar=${jars[0]}
for f in operator/target/kulp-operator.jar operator/target/lib "$agent_jar" node-agent/agent/target/agent-lib \
         "$cli_jar" node-agent/cli/target/ulp node-agent/cli/target/lib node-agent/cli/target/native \
         runtime-c/target/image/libpulp.so runtime-c/target/image/kulp-install; do
  [ -e "$f" ] || die "missing build output $f; run: deploy/images/build.sh --maven (or mvn -B -o package -DskipTests)"
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
# Not ulp-client: in the agent's container, with the agent's memory limit, `ulp` starts a JVM per
# command rather than leave a resident engine behind (docs/design.md, "The resident engine").
cp node-agent/cli/target/ulp "$cli_jar" "$agent/opt/kulp/ulp/"
cp -r node-agent/cli/target/lib node-agent/cli/target/native "$agent/opt/kulp/ulp/"
cp runtime-c/target/image/libpulp.so "$agent/opt/kulp/libpulp.so"
# libunwind (Debian's libunwind8), with which the engine unwinds stacks for the consistency check,
# and what it links that the base layer lacks (liblzma).
for so in /usr/lib/x86_64-linux-gnu/libunwind-x86_64.so.8 /usr/lib/x86_64-linux-gnu/libunwind-ptrace.so.0; do
  [ -e "$so" ] || die "$so is missing: apt-get install libunwind8"
  for lib in "$so" $(ldd "$so" | grep -oE '/[^ ]+\.so[^ ]*' || true); do
    [ -e "$base$lib" ] || [ -e "$agent$lib" ] || { mkdir -p "$agent$(dirname "$lib")"; cp -L "$lib" "$agent$lib"; }
  done
done

# deploy/images/runtime/Dockerfile
runtime="$work/runtime"
mkdir -p "$runtime"
cp runtime-c/target/image/libpulp.so runtime-c/target/image/kulp-install "$runtime/"

# --- the archives (deploy/images/oci-image.sh) ----------------------------------------------
image() { # image <component> <description> <oci-image.sh options...> -- <trees...>
  local component=$1 description=$2 line; shift 2
  line="$("$root/deploy/images/oci-image.sh" --ref "$repo/kulp-$component:$version" \
    --out "$out/kulp-$component-$version.tar" --epoch "$epoch" \
    --label "org.opencontainers.image.title=kulp-$component" \
    --label "org.opencontainers.image.description=$description" \
    --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.revision=$revision" \
    --label "org.opencontainers.image.created=$created" \
    --label "org.opencontainers.image.licenses=Apache-2.0" \
    --label "org.opencontainers.image.source=https://github.com/kulp-io/kulp" \
    "$@")"
  say "$line  $(du -h --apparent-size "$out/kulp-$component-$version.tar" | cut -f1)  $out/kulp-$component-$version.tar"
}
image operator "kulp operator: rolls LivePatches out across nodes" --user 65532:65532 \
  --env PATH=/opt/java/bin:/usr/bin:/bin --entrypoint /opt/kulp/kulp-operator "$base" "$operator"
image agent "kulp node agent: live-patches processes in the containers of its node" --user 0 \
  --env PATH=/opt/kulp/ulp:/opt/java/bin:/usr/bin:/bin --env "JAVA_OPTS=-Djna.tmpdir=/tmp -Djava.io.tmpdir=/tmp" \
  --entrypoint /opt/kulp/kulp-agent "$base" "$agent"
image runtime "kulp's in-process runtime (libpulp.so), copied into pods by the runtime-injection webhook" \
  --user 65532:65532 --label "io.kulp.runtime.version=$version" \
  --entrypoint /kulp-install --cmd /libpulp.so --cmd /kulp/runtime "$runtime"
say "done in $((SECONDS - started)) s"
