// Force-included (g++ -include) ahead of every kernel translation unit of the emulator build: what nvcc provides
// and g++ does not. The CUDA headers themselves come from the toolkit (their host halves: __half, __nv_bfloat16,
// dim3, the runtime API's declarations); the built-ins (threadIdx, __syncthreads, warp shuffles, atomics, rounding
// intrinsics) are the emulator's, for the GPU thread that is running. Kernel sources stay as they are.
#pragma once

#if !defined(ATTN4J_EMULATOR)
#error "cuda_emu.hpp belongs to the emulator build (-DATTN4J_EMULATOR)"
#endif

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernel_api.hpp"

// Kernel and function qualifiers: plain C++ functions. Shared memory is per host thread, and a host thread runs one
// CTA at a time (see cta.hpp: the dynamic array is attn4j::smem_raw).
#undef __shared__
#define __shared__ thread_local
#define __launch_bounds__(...)

#define threadIdx (::attn4j::emu::thread_idx())
#define blockIdx (::attn4j::emu::block_idx())
#define blockDim (::attn4j::emu::block_dim())
#define gridDim (::attn4j::emu::grid_dim())

// Barriers carry their source location: threads at different barriers are reported with both.
#define __syncthreads() ::attn4j::emu::sync_threads(__FILE__, __LINE__)
#define __syncthreads_or(predicate) ::attn4j::emu::sync_threads_or((predicate), __FILE__, __LINE__)

inline int __all_sync(unsigned mask, int predicate) {
    return ::attn4j::emu::warp_all(mask, predicate);
}

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T value, int lane_mask, int width = 32) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffles move up to 64 bits");
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof(T));
    bits = ::attn4j::emu::warp_shfl_xor(mask, bits, lane_mask, width);
    T out;
    std::memcpy(&out, &bits, sizeof(T));
    return out;
}

/** atomicAdd on fp32 global memory: a compare-and-swap loop (CTAs run on several host threads at once). */
inline float atomicAdd(float* address, float value) {
    ::attn4j::emu::check_global(address, sizeof(float), true, "atomicAdd");
    auto* word = reinterpret_cast<uint32_t*>(address);
    uint32_t old = __atomic_load_n(word, __ATOMIC_RELAXED);
    while (true) {
        float current;
        std::memcpy(&current, &old, sizeof current);
        const float next = current + value;
        uint32_t next_bits;
        std::memcpy(&next_bits, &next, sizeof next_bits);
        if (__atomic_compare_exchange_n(word, &old, next_bits, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            return current;
        }
    }
}

// Correctly rounded arithmetic without contraction: the translation units are compiled with -ffp-contract=off,
// so a plain operation rounds once, as the _rn intrinsics do.
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __ddiv_rn(double a, double b) { return a / b; }

inline float __uint_as_float(unsigned int x) {
    float f;
    std::memcpy(&f, &x, sizeof f);
    return f;
}

inline unsigned int __float_as_uint(float f) {
    unsigned int x;
    std::memcpy(&x, &f, sizeof x);
    return x;
}

[[noreturn]] inline void __trap() {
    ::attn4j::emu::trap("__trap()");
}
