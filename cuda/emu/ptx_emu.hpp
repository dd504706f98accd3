// The emulated twin of the inline PTX in src/device/ptx.cuh (selected there with -DATTN4J_EMULATOR): the same
// functions, executed by the emulator as the PTX ISA defines the instructions. cp.async lands its bytes at the
// wait that completes its group (poisoned until then); ldmatrix and mma are warp collectives of all 32 lanes.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "kernel_api.hpp"

namespace attn4j {
namespace ptx {

/** Copies 16 bytes, or writes 16 zero bytes when !valid (src is then not read). */
inline void cp_async_16(void* smem_dst, const void* gmem_src, bool valid) {
    emu::cp_async_16(smem_dst, gmem_src, valid);
}

inline void cp_async_commit() {
    emu::cp_async_commit();
}

/** Waits until at most N committed groups of this thread are still in flight. */
template <int N>
inline void cp_async_wait() {
    emu::cp_async_wait(N);
}

inline void ldmatrix_x4(uint32_t (&r)[4], const void* smem_row) {
    emu::ldmatrix_x4(r, smem_row, false);
}

inline void ldmatrix_x4_trans(uint32_t (&r)[4], const void* smem_row) {
    emu::ldmatrix_x4(r, smem_row, true);
}

/** d += a * b for one 16x8x16 tile; T is __half or __nv_bfloat16. */
template <typename T>
inline void mma_16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1);

template <>
inline void mma_16816<__half>(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    emu::mma_16816_f16(d, a, b0, b1);
}

template <>
inline void mma_16816<__nv_bfloat16>(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
    emu::mma_16816_bf16(d, a, b0, b1);
}

}  // namespace ptx
}  // namespace attn4j
