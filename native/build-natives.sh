#!/usr/bin/env bash
# Builds attn4j's CUDA natives for the attn4j-native module (called by Maven, usable by hand).
#
#   build-natives.sh host-tests BUILD_DIR
#       compiles and runs cuda/test/host_tests.cpp with g++ (no CUDA needed); fails when a check fails
#   build-natives.sh natives JAVA JAVACPP_JAR CLASSES_DIR OUT_DIR BUILD_DIR
#       nvcc -> BUILD_DIR/libattn4j_kernels.a, then JavaCPP's Builder -> the JNI library
#       OUT_DIR/org/attn4j/cuda/bridge/linux-x86_64/libjniCudaBridge.so, cudart linked statically.
#       Where nvcc (or the static CUDA runtime, or linux-x86_64) is missing it says so and exits 0: the Java part
#       builds and runs without the natives, and the cuda provider then reports "no native library".
#
# Environment: NVCC (the compiler), else CUDA_HOME, else nvcc on PATH, else /usr/local/cuda; ATTN4J_NVCC_JOBS
# (parallel nvcc processes, default: cores).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cuda_src=$(cd "$here/../cuda" && pwd)
mode=${1:-}

say() { echo "[attn4j-native] $*"; }

case "$mode" in
host-tests)
    build=$2
    cxx=${CXX:-g++}
    if ! command -v "$cxx" > /dev/null 2>&1; then
        say "no C++ compiler ($cxx) found: the CUDA engine's host tests need one (set CXX, or -DskipTests)"
        exit 1
    fi
    make -s -C "$cuda_src" host-tests BUILD="$build" CXX="$cxx"
    ;;
natives)
    java=$2 javacpp_jar=$3 classes=$4 out=$5 build=$6
    mkdir -p "$out"
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
        say "skipping the CUDA natives: they are built for linux-x86_64 only, this is $(uname -s)-$(uname -m)"
        exit 0
    fi
    nvcc=""
    if [ -n "${NVCC:-}" ]; then
        [ -x "$NVCC" ] && nvcc=$NVCC  # an explicit choice, honoured even when it does not exist
    elif [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then
        nvcc="$CUDA_HOME/bin/nvcc"
    elif command -v nvcc > /dev/null 2>&1; then
        nvcc=$(command -v nvcc)
    elif [ -x /usr/local/cuda/bin/nvcc ]; then
        nvcc=/usr/local/cuda/bin/nvcc
    fi
    if [ -z "$nvcc" ]; then
        say "nvcc not found (set CUDA_HOME or NVCC, or put nvcc on PATH): skipping the CUDA natives."
        say "The build goes on; the cuda provider will report 'no native library for this platform'."
        exit 0
    fi
    # nvcc may be a wrapper script (e.g. /usr/local/bin/nvcc exec-ing the real one): ask nvcc where it lives.
    cuda_home=""
    top=$("$nvcc" --dryrun -c -x cu /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ TOP=//p' | head -1)
    if [ -n "$top" ] && [ -d "$top" ]; then
        cuda_home=$(cd "$top" && pwd)  # TOP is .../bin/.., the toolkit root
    else
        cuda_home=$(cd "$(dirname "$(readlink -f "$nvcc")")/.." && pwd)
    fi
    nvcc="$cuda_home/bin/nvcc"
    cudart=""
    for candidate in "$cuda_home/lib64/libcudart_static.a" "$cuda_home/targets/x86_64-linux/lib/libcudart_static.a"; do
        if [ -f "$candidate" ]; then cudart=$candidate; break; fi
    done
    if [ -z "$cudart" ]; then
        say "libcudart_static.a not found under $cuda_home: skipping the CUDA natives."
        exit 0
    fi
    jobs=${ATTN4J_NVCC_JOBS:-$(nproc 2> /dev/null || echo 2)}
    say "nvcc: $nvcc ($("$nvcc" --version | tail -1)); building the kernels with $jobs parallel jobs"
    start=$(date +%s)
    make -s -C "$cuda_src" lib BUILD="$build" CUDA_HOME="$cuda_home" NVCC="$nvcc" -j"$jobs"
    say "kernel library ready after $(( $(date +%s) - start )) s: $build/libattn4j_kernels.a"

    target_dir="$out/org/attn4j/cuda/bridge/linux-x86_64"
    library="$target_dir/libjniCudaBridge.so"
    class_file="$classes/org/attn4j/cuda/bridge/CudaBridge.class"
    if [ -f "$library" ] && [ "$library" -nt "$build/libattn4j_kernels.a" ] && [ "$library" -nt "$class_file" ]; then
        say "JNI library up to date: $library"
        exit 0
    fi
    mkdir -p "$build/jni" "$target_dir"
    # Static archives go through compilerOptions (after the generated source); JavaCPP's link list would put
    # cudart first. No linkPaths: they would end up in the library's RUNPATH.
    "$java" -cp "$javacpp_jar:$classes" org.bytedeco.javacpp.tools.Builder \
        -d "$build/jni" \
        -Dplatform.includepath="$cuda_src/include" \
        -Xcompiler "$build/libattn4j_kernels.a" \
        -Xcompiler "$cudart" \
        -Xcompiler -static-libstdc++ -Xcompiler -static-libgcc \
        -Xcompiler -lrt -Xcompiler -ldl -Xcompiler -lpthread \
        -Xcompiler -Wl,--no-undefined \
        org.attn4j.cuda.bridge.CudaBridge
    cp "$build/jni/libjniCudaBridge.so" "$library"
    if ldd "$library" | grep -q "libcudart\|libcuda\.so"; then
        say "error: $library links the CUDA runtime or driver dynamically:"
        ldd "$library"
        exit 1
    fi
    say "JNI library: $library ($(du -k "$library" | cut -f1) KiB), total $(( $(date +%s) - start )) s"
    ;;
*)
    echo "usage: $0 host-tests BUILD_DIR | natives JAVA JAVACPP_JAR CLASSES_DIR OUT_DIR BUILD_DIR" >&2
    exit 2
    ;;
esac
