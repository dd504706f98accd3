// Marks functions that run on both sides: compiled by nvcc they are __host__ __device__, compiled by g++ (the host
// unit tests) they are plain inline functions. Everything in cuda/host/ is written against this macro so that the
// logic the kernels use is the logic the CPU tests check.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define ATTN4J_HD __host__ __device__ __forceinline__
#else
#define ATTN4J_HD inline
#endif

namespace attn4j {

/** The bits of a float, without undefined behaviour on either side. */
ATTN4J_HD uint32_t float_bits(float f) {
#if defined(__CUDA_ARCH__)
    return __float_as_uint(f);
#else
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
#endif
}

ATTN4J_HD uint64_t double_bits(double d) {
#if defined(__CUDA_ARCH__)
    return static_cast<uint64_t>(__double_as_longlong(d));
#else
    uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    return u;
#endif
}

ATTN4J_HD int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

}  // namespace attn4j
