// Tile movement and the tensor-core products every attention kernel shares. All kernels use 4 warps and 64x64
// tiles; shared-memory rows are padded by 8 elements (16 bytes) so that the 8 rows one ldmatrix reads fall into
// distinct banks. Scores are computed by exactly one function (qk_scores) so that every pass over a row (threshold
// searches, then the output pass) sees bit-identical scores.
#pragma once

#include <cstdint>

#include "../../host/fragments.hpp"
#include "../../host/mask_model.hpp"
#include "params.cuh"
#include "ptx.cuh"

namespace attn4j {

constexpr int kTile = 64;      // query and key tile of every kernel
constexpr int kWarps = 4;
constexpr int kThreads = 32 * kWarps;

template <int D>
struct Smem {
    static constexpr int kStride = D + 8;                  // elements per padded row
    static constexpr int kTileElems = kTile * kStride;     // one 64-row tile
};

/**
 * Starts cp.async copies of rows [row0, row0 + 64) of a row-major [n_rows, D] matrix into a padded shared tile.
 * Rows at or past n_rows become zeros (masked scores must never meet stale values, and 0 * NaN is NaN).
 */
template <int D, typename T>
__device__ __forceinline__ void load_tile_async(T* smem, const T* gmem, int64_t row0, int64_t n_rows, int tid) {
    constexpr int kChunks = D / 8;  // 16-byte chunks per row
#pragma unroll 4
    for (int c = tid; c < kTile * kChunks; c += kThreads) {
        const int r = c / kChunks;
        const int ch = c - r * kChunks;
        const int64_t g = row0 + r;
        const bool valid = g < n_rows;
        const T* src = valid ? gmem + g * D + ch * 8 : gmem;
        ptx::cp_async_16(smem + r * Smem<D>::kStride + ch * 8, src, valid);
    }
}

/** The warp's 16 query rows (starting at q_rows) as A fragments, one per 16 columns of D. */
template <int D, typename T>
__device__ __forceinline__ void load_a_fragments(uint32_t (&af)[D / 16][4], const T* rows, int lane) {
    int r, c;
    frag::a_rowmajor(lane, r, c);
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
        ptx::ldmatrix_x4(af[kk], rows + r * Smem<D>::kStride + kk * 16 + c);
    }
}

/**
 * s = A B^T for the warp's 16 rows (A fragments) against the N rows of a padded [N][D] shared tile (N = 8 * NT):
 * s[nt][i] is row acc_row(lane, i), column 8 nt + acc_col(lane, i). Accumulates over D in a fixed order.
 */
template <int D, int NT, typename T>
__device__ __forceinline__ void mma_abt(float (&s)[NT][4], const uint32_t (&af)[D / 16][4], const T* b_rows,
                                        int lane) {
#pragma unroll
    for (int nt = 0; nt < NT; ++nt) {
        s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.0f;
    }
    int r, c;
    frag::b_from_nk(lane, r, c);
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
#pragma unroll
        for (int np = 0; np < NT / 2; ++np) {
            uint32_t b[4];
            ptx::ldmatrix_x4(b, b_rows + (16 * np + r) * Smem<D>::kStride + kk * 16 + c);
            ptx::mma_16816<T>(s[2 * np], af[kk], b[0], b[1]);
            ptx::mma_16816<T>(s[2 * np + 1], af[kk], b[2], b[3]);
        }
    }
}

/** Raw scores Q K^T of the warp's 16 query rows against a 64-key tile. */
template <int D, typename T>
__device__ __forceinline__ void qk_scores(float (&s)[8][4], const uint32_t (&qf)[D / 16][4], const T* k_tile,
                                          int lane) {
    mma_abt<D, 8, T>(s, qf, k_tile, lane);
}

/** The score the SPEC defines, rounded once (no fused multiply-add, so every kernel gets the same bits). */
__device__ __forceinline__ float scaled_score(float raw, float scale) {
    return __fmul_rn(raw, scale);
}

/**
 * acc[NO][4] += P V, where P (16 x 16*KC, fp32 accumulator layout, KC = column pairs of n8 tiles) is rounded to T
 * and V is a padded shared [16*KC][8*NO] tile with rows = the reduction index.
 */
template <int D, int KC, int NO, typename T>
__device__ __forceinline__ void mma_pv(float (&acc)[NO][4], const float (&p)[2 * KC][4], const T* v_rows,
                                       int lane) {
    int r, c;
    frag::b_from_kn(lane, r, c);
#pragma unroll
    for (int kc = 0; kc < KC; ++kc) {
        uint32_t a[4];
        a[0] = ptx::pack2<T>(p[2 * kc][0], p[2 * kc][1]);
        a[1] = ptx::pack2<T>(p[2 * kc][2], p[2 * kc][3]);
        a[2] = ptx::pack2<T>(p[2 * kc + 1][0], p[2 * kc + 1][1]);
        a[3] = ptx::pack2<T>(p[2 * kc + 1][2], p[2 * kc + 1][3]);
#pragma unroll
        for (int dp = 0; dp < NO / 2; ++dp) {
            uint32_t b[4];
            ptx::ldmatrix_x4_trans(b, v_rows + (16 * kc + r) * Smem<D>::kStride + 16 * dp + c);
            ptx::mma_16816<T>(acc[2 * dp], a, b[0], b[1]);
            ptx::mma_16816<T>(acc[2 * dp + 1], a, b[2], b[3]);
        }
    }
}

/** Whether in-range or not pair (i, j) survives the static masks and the block top-k selection. */
__device__ __forceinline__ bool pair_allowed(const ForwardParams& p, int32_t b, int32_t h, int64_t i, int64_t j) {
    if (i >= p.nq || j >= p.nk) {
        return false;
    }
    if (!static_allowed(p.mask, i, j)) {
        return false;
    }
    if (p.has_block && !cell_on(p.block, b, h, i, j)) {
        return false;
    }
    if (p.has_topk && !cell_on(p.topk, b, h, i, j)) {
        return false;
    }
    return true;
}

__device__ __forceinline__ float quad_max(float x) {
    x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
    return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}

__device__ __forceinline__ float quad_sum(float x) {
    x += __shfl_xor_sync(0xffffffffu, x, 1);
    return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

__device__ __forceinline__ int quad_sum(int x) {
    x += __shfl_xor_sync(0xffffffffu, x, 1);
    return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

/** Stores two adjacent output values in the requested type (0 fp32, 1 fp16, 2 bf16). */
__device__ __forceinline__ void store2(void* base, int64_t index, int dtype, float a, float b) {
    if (dtype == 0) {
        *reinterpret_cast<float2*>(static_cast<float*>(base) + index) = make_float2(a, b);
    } else if (dtype == 1) {
        *reinterpret_cast<__half2*>(static_cast<__half*>(base) + index) = __floats2half2_rn(a, b);
    } else {
        *reinterpret_cast<__nv_bfloat162*>(static_cast<__nv_bfloat16*>(base) + index) = __floats2bfloat162_rn(a, b);
    }
}

__device__ __forceinline__ float load_as_float(const void* base, int64_t index, int dtype) {
    if (dtype == 0) {
        return static_cast<const float*>(base)[index];
    }
    if (dtype == 1) {
        return __half2float(static_cast<const __half*>(base)[index]);
    }
    return __bfloat162float(static_cast<const __nv_bfloat16*>(base)[index]);
}

}  // namespace attn4j
