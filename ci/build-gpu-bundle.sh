#!/usr/bin/env bash
# Builds and packs everything a GPU run needs into .gpu-bundle/ (git-ignored, under 64 MiB), for ci/run-gpu-checks.sh
# on a machine that has a GPU but no Java and no internet:
#   jre.tar.gz  a jlink runtime from the Temurin 25 JDK (java.base, java.logging, jdk.unsupported, and jdk.zipfs, which
#               the console launcher needs to scan the test jar)
#   lib/        attn4j jars (incl. the attn4j-native linux-x86_64 jar with the kernels), test jars, dependencies
#   launcher/   the JUnit console launcher (junit-platform-console-standalone 1.11.4)
#   bin/        gpu_check.gz (the kernels through the C ABI: checks, sanitizer runs, benchmark; gzip-compressed)
#   MANIFEST    commit, date, versions, sizes
# Usage: ci/build-gpu-bundle.sh        (run on the build machine, from anywhere; needs nvcc, g++ and Maven access)
# Then, on the GPU machine, from the repo root with .gpu-bundle carried along:  ci/run-gpu-checks.sh "$OUT"
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/.gpu-bundle"
jdk=${ATTN4J_BUNDLE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
launcher_version=1.11.4
limit_mib=64
cd "$repo"

say() { echo "[gpu-bundle] $*"; }

[ -x "$jdk/bin/jlink" ] || { say "no JDK with jlink at $jdk (set ATTN4J_BUNDLE_JDK)"; exit 1; }

# java/bench brings ./attn4j bench (BenchMain) and its peers for the GPU run's javabench phase.
modules="java/cuda,java/conformance,java/bench"
say "building $modules and what they need (tests compiled, not run)"
rm -rf "$out"
mkdir -p "$out/lib" "$out/launcher" "$out/bin"
# One reactor run, so that attn4j's own jars resolve from the build (nothing is installed into ~/.m2). The test
# dependencies go along, minus JUnit itself (the console launcher carries the same versions).
./mvnw -B -q -pl "$modules" -am -DskipTests package dependency:copy-dependencies -DincludeScope=test \
    -DoutputDirectory="$out/lib" -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
    -DexcludeArtifactIds=slf4j-nop
native_jar=$(ls native/target/attn4j-native-*-linux-x86_64.jar 2> /dev/null | head -1 || true)
[ -n "$native_jar" ] || { say "native/target has no linux-x86_64 jar: nvcc missing here? The bundle needs the kernels."; exit 1; }
cp "$native_jar" java/cuda/target/attn4j-cuda-*.jar java/bench/target/attn4j-bench-*.jar "$out/lib/"
./mvnw -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$launcher_version \
    -DoutputDirectory="$out/launcher"

say "jlink runtime from $jdk"
"$jdk/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,jdk.zipfs --strip-debug --no-header-files \
    --no-man-pages --compress=zip-9 --output "$out/jre"
"$out/jre/bin/java" -version 2>&1 | sed 's/^/[gpu-bundle]   /'
# Packed, the runtime is half its size on disk, and what travels to the GPU machine counts against 64 MiB.
tar -C "$out" -czf "$out/jre.tar.gz" jre

say "gpu_check (links the kernel library built by the native module)"
make -s -C cuda gpu-check BUILD="$repo/native/target/cuda-build"
gzip -9 -c native/target/cuda-build/gpu_check > "$out/bin/gpu_check.gz"  # fatbins for 5 targets: 19 MiB -> 4

{
    echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- . ':!.gpu-bundle' || echo ' (with uncommitted changes)')"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
    echo "nvcc: $(nvcc --version 2> /dev/null | tail -1 || /usr/local/cuda/bin/nvcc --version | tail -1)"
    echo "jdk: $("$jdk/bin/java" -version 2>&1 | head -1)"
    echo "launcher: junit-platform-console-standalone $launcher_version"
    echo "files:"
    (cd "$out" && find . -type f ! -path './jre/*' -printf '  %p %s\n' | sort)
} > "$out/MANIFEST"

size_kib=$(du -sk --exclude=jre "$out" | cut -f1)
say "bundle: $out, $((size_kib / 1024)) MiB"
if [ "$size_kib" -gt $((limit_mib * 1024)) ]; then
    say "error: the bundle exceeds ${limit_mib} MiB"
    exit 1
fi

say "smoke test here (no GPU: the GPU tests must be skipped with the reason, the rest must pass)"
smoke=$("$out/jre/bin/java" --enable-native-access=ALL-UNNAMED -Dorg.bytedeco.javacpp.cachedir="$out/.javacpp-smoke" \
    -Dattn4j.cuda.header="$repo/cuda/include/attn4j_cuda.h" \
    -jar "$out"/launcher/junit-platform-console-standalone-*.jar execute \
    --class-path "$(ls "$out"/lib/*.jar | tr '\n' ':')" --scan-class-path "$(ls "$out"/lib/*-tests.jar | tr '\n' ':')" \
    --disable-banner --details=summary 2>&1) || true
echo "$smoke" | tail -14 | sed 's/^/[gpu-bundle]   /'
if ! echo "$smoke" | grep -q "\[ *0 tests failed *\]" || echo "$smoke" | grep -q "\[ *0 tests successful *\]"; then
    say "error: the bundled tests did not pass here"
    rm -rf "$out/.javacpp-smoke"
    exit 1
fi
rm -rf "$out/.javacpp-smoke" "$out/jre"
say "done"
