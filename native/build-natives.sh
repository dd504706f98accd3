#!/usr/bin/env bash
# Builds attn4j's CUDA natives for the attn4j-native module (called by Maven, usable by hand).
#
#   build-natives.sh host-tests BUILD_DIR [EMU_BUILD_DIR]
#       compiles and runs cuda/test/host_tests.cpp with g++ (no CUDA needed); then, where the CUDA headers are, the
#       GPU emulator's checks (built in EMU_BUILD_DIR, default BUILD_DIR, to share the natives' objects) (cuda/emu): its own tests, gpu_check's `check` through the C ABI on the emulated
#       device, and the AddressSanitizer/UBSan and ThreadSanitizer builds on a subset. Fails when a check fails.
#   build-natives.sh natives JAVA JAVACPP_JAR CLASSES_DIR OUT_DIR BUILD_DIR
#       the JNI libraries in OUT_DIR/org/attn4j/cuda/bridge/linux-x86_64/:
#         libjniCudaBridge.so     nvcc -> BUILD_DIR/libattn4j_kernels.a, cudart linked statically (the GPU build)
#         libjniCudaBridgeEmu.so  the same kernels and C ABI on the GPU emulator (g++ and the CUDA headers only)
#       Where nvcc (or the static CUDA runtime, or linux-x86_64) is missing it says so and exits 0: the Java part
#       builds and runs without the natives, and the cuda provider then reports "no native library".
#
# Environment: NVCC (the compiler), else CUDA_HOME, else nvcc on PATH, else /usr/local/cuda; ATTN4J_NVCC_JOBS
# (parallel compiler processes, default: cores); ATTN4J_NATIVES=emu builds only the emulator library (no nvcc run,
# minutes faster); ATTN4J_EMU_SANITIZERS=0 skips the sanitizer builds in host-tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cuda_src=$(cd "$here/../cuda" && pwd)
mode=${1:-}

say() { echo "[attn4j-native] $*"; }

# Sets nvcc and cuda_home (the toolkit root) when a CUDA toolkit is found; empty otherwise.
find_cuda() {
    nvcc=""
    cuda_home=""
    if [ -n "${NVCC:-}" ]; then
        [ -x "$NVCC" ] && nvcc=$NVCC  # an explicit choice, honoured even when it does not exist
    elif [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then
        nvcc="$CUDA_HOME/bin/nvcc"
    elif command -v nvcc > /dev/null 2>&1; then
        nvcc=$(command -v nvcc)
    elif [ -x /usr/local/cuda/bin/nvcc ]; then
        nvcc=/usr/local/cuda/bin/nvcc
    fi
    [ -n "$nvcc" ] || return 0
    # nvcc may be a wrapper script (e.g. /usr/local/bin/nvcc exec-ing the real one): ask nvcc where it lives.
    local top
    top=$("$nvcc" --dryrun -c -x cu /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ TOP=//p' | head -1)
    if [ -n "$top" ] && [ -d "$top" ]; then
        cuda_home=$(cd "$top" && pwd)  # TOP is .../bin/.., the toolkit root
    else
        cuda_home=$(cd "$(dirname "$(readlink -f "$nvcc")")/.." && pwd)
    fi
    nvcc="$cuda_home/bin/nvcc"
}

jobs=${ATTN4J_NVCC_JOBS:-$(nproc 2> /dev/null || echo 2)}

case "$mode" in
host-tests)
    build=$2
    emu_build=${3:-$2}
    cxx=${CXX:-g++}
    if ! command -v "$cxx" > /dev/null 2>&1; then
        say "no C++ compiler ($cxx) found: the CUDA engine's host tests need one (set CXX, or -DskipTests)"
        exit 1
    fi
    make -s -C "$cuda_src" host-tests BUILD="$build" CXX="$cxx"
    find_cuda
    if [ -z "$cuda_home" ] || [ ! -f "$cuda_home/include/cuda_fp16.h" ]; then
        say "no CUDA toolkit headers: skipping the GPU emulator's checks (the kernels are not built here either)"
        exit 0
    fi
    start=$(date +%s)
    say "GPU emulator: its own tests, then every gpu_check case through the C ABI"
    make -s -C "$cuda_src" emu-tests emu-check BUILD="$emu_build" CXX="$cxx" CUDA_HOME="$cuda_home" -j"$jobs"
    if [ "${ATTN4J_EMU_SANITIZERS:-1}" != "0" ]; then
        say "GPU emulator under AddressSanitizer + UndefinedBehaviorSanitizer, then ThreadSanitizer (subsets)"
        make -s -C "$cuda_src" emu-asan emu-tsan BUILD="$emu_build" CXX="$cxx" CUDA_HOME="$cuda_home" -j"$jobs"
    fi
    say "GPU emulator checks passed in $(( $(date +%s) - start )) s"
    ;;
natives)
    java=$2 javacpp_jar=$3 classes=$4 out=$5 build=$6
    mkdir -p "$out"
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
        say "skipping the CUDA natives: they are built for linux-x86_64 only, this is $(uname -s)-$(uname -m)"
        exit 0
    fi
    find_cuda
    if [ -z "$nvcc" ]; then
        say "nvcc not found (set CUDA_HOME or NVCC, or put nvcc on PATH): skipping the CUDA natives."
        say "The build goes on; the cuda provider will report 'no native library for this platform'."
        exit 0
    fi
    target_dir="$out/org/attn4j/cuda/bridge/linux-x86_64"
    class_file="$classes/org/attn4j/cuda/bridge/CudaBridge.class"
    mkdir -p "$target_dir"
    start=$(date +%s)

    # The GPU build: nvcc kernels, cudart static.
    cudart=""
    for candidate in "$cuda_home/lib64/libcudart_static.a" "$cuda_home/targets/x86_64-linux/lib/libcudart_static.a"; do
        if [ -f "$candidate" ]; then cudart=$candidate; break; fi
    done
    library="$target_dir/libjniCudaBridge.so"
    if [ "${ATTN4J_NATIVES:-all}" = "emu" ]; then
        say "ATTN4J_NATIVES=emu: building the emulator library only"
    elif [ -z "$cudart" ]; then
        say "libcudart_static.a not found under $cuda_home: skipping the GPU library (the emulator is still built)."
    else
        say "nvcc: $nvcc ($("$nvcc" --version | tail -1)); building the kernels with $jobs parallel jobs"
        make -s -C "$cuda_src" lib BUILD="$build" CUDA_HOME="$cuda_home" NVCC="$nvcc" -j"$jobs"
        say "kernel library ready after $(( $(date +%s) - start )) s: $build/libattn4j_kernels.a"
        if [ -f "$library" ] && [ "$library" -nt "$build/libattn4j_kernels.a" ] && [ "$library" -nt "$class_file" ]; then
            say "JNI library up to date: $library"
        else
            mkdir -p "$build/jni"
            # Static archives go through compilerOptions (after the generated source); JavaCPP's link list would
            # put cudart first. No linkPaths: they would end up in the library's RUNPATH.
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
        fi
    fi

    # The emulator build: the same C ABI and kernels compiled by g++ onto the emulated device, loaded instead of the
    # GPU library when ATTN4J_CUDA_EMULATOR=1 (or -Dattn4j.cuda.emulator=true).
    emu_library="$target_dir/libjniCudaBridgeEmu.so"
    make -s -C "$cuda_src" emu-lib BUILD="$build" CUDA_HOME="$cuda_home" -j"$jobs"
    emu_archive="$build/emu-memcheck/libattn4j_emu.a"
    if [ -f "$emu_library" ] && [ "$emu_library" -nt "$emu_archive" ] && [ "$emu_library" -nt "$class_file" ]; then
        say "emulator JNI library up to date: $emu_library"
        exit 0
    fi
    # JavaCPP generates the JNI source only; g++ links it with the emulator.
    rm -rf "$build/jni-emu"
    mkdir -p "$build/jni-emu"
    "$java" -cp "$javacpp_jar:$classes" org.bytedeco.javacpp.tools.Builder -d "$build/jni-emu" -nocompile \
        org.attn4j.cuda.bridge.CudaBridge > /dev/null
    mapfile -t sources < <(find "$build/jni-emu" -name '*.cpp' | sort)  # the bridge and JavaCPP's common part
    if [ "${#sources[@]}" -eq 0 ]; then
        say "error: JavaCPP generated no JNI source under $build/jni-emu"
        exit 1
    fi
    jdk=$(cd "$(dirname "$(readlink -f "$java")")/.." && pwd)
    ${CXX:-g++} -std=c++17 -O2 -fPIC -shared -fvisibility=hidden -I"$jdk/include" -I"$jdk/include/linux" \
        -I"$cuda_src/include" "${sources[@]}" "$emu_archive" \
        -static-libstdc++ -static-libgcc -lpthread -ldl -Wl,--no-undefined -Wl,-z,noexecstack \
        -o "$emu_library"
    say "emulator JNI library: $emu_library ($(du -k "$emu_library" | cut -f1) KiB), total $(( $(date +%s) - start )) s"
    ;;
*)
    echo "usage: $0 host-tests BUILD_DIR | natives JAVA JAVACPP_JAR CLASSES_DIR OUT_DIR BUILD_DIR" >&2
    exit 2
    ;;
esac
