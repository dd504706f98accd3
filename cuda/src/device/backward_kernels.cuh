// Backward pass of softmax attention, FlashAttention-2 style, with the static masks and the block mask:
//  1. dsum_kernel (aux_kernels.cuh): D_i = rowsum(dO_i * O_i);
//  2. backward_kernel: one CTA of 4 warps per (batch, kv head, 64-key tile), each warp owning 16 keys; it walks the
//     query tiles of its compressed column for every query head of the group, recomputes P = exp(S - LSE) and
//     accumulates dV += P^T dO and dK += dS^T Q in registers, with dS = P (dP - D), dP = dO V^T; dQ += dS K goes
//     to an fp32 buffer with atomics, converted to the input type afterwards.
// Keys past Nk and queries past Nq are zero-filled; their P is forced to 0 through LSE = +inf.
#pragma once

#include <cmath>

#include "tile_ops.cuh"

namespace attn4j {

__device__ __forceinline__ bool pair_allowed_bwd(const BackwardParams& p, int32_t b, int32_t h, int64_t i,
                                                 int64_t j) {
    if (i >= p.nq || j >= p.nk) {
        return false;
    }
    if (!static_allowed(p.mask, i, j)) {
        return false;
    }
    return !p.has_block || cell_on(p.block, b, h, i, j);
}

template <int D, typename T>
__global__ void __launch_bounds__(kThreads) backward_kernel(const BackwardParams p) {
    using S = Smem<D>;
    constexpr int kDsStride = kTile + 8;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    T* k_s = reinterpret_cast<T*>(smem_raw);
    T* v_s = k_s + S::kTileElems;
    T* q_s = v_s + S::kTileElems;
    T* do_s = q_s + S::kTileElems;
    T* ds_s = do_s + S::kTileElems;                                  // dS^T [64 keys][64 queries], padded
    float* lse_s = reinterpret_cast<float*>(ds_s + kTile * kDsStride);  // [64]
    float* dsum_s = lse_s + kTile;                                   // [64]

    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const int32_t id = p.schedule != nullptr ? p.schedule[blockIdx.x] : static_cast<int32_t>(blockIdx.x);
    const int32_t kt = id % p.ktiles;
    const int64_t bkv = id / p.ktiles;
    const int32_t b = static_cast<int32_t>(bkv / p.kv_heads);
    const int32_t kvh = static_cast<int32_t>(bkv % p.kv_heads);
    const int64_t j0 = static_cast<int64_t>(kt) * kTile;
    const T* k = static_cast<const T*>(p.k) + bkv * p.nk * static_cast<int64_t>(D);
    const T* v = static_cast<const T*>(p.v) + bkv * p.nk * static_cast<int64_t>(D);

    load_tile_async<D>(k_s, k, j0, p.nk, tid);
    load_tile_async<D>(v_s, v, j0, p.nk, tid);
    ptx::cp_async_commit();

    float dk[D / 8][4];
    float dv[D / 8][4];
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt) {
#pragma unroll
        for (int i = 0; i < 4; ++i) {
            dk[dt][i] = 0.0f;
            dv[dt][i] = 0.0f;
        }
    }
    constexpr float kLog2e = 1.4426950408889634f;
    // This thread's keys: rows g and g + 8 of the warp's 16 (accumulator rows of S^T).
    const int64_t key_base = j0 + 16 * warp + (lane >> 2);

    for (int32_t h = kvh * p.group; h < (kvh + 1) * p.group; ++h) {
        const int64_t bh = static_cast<int64_t>(b) * p.q_heads + h;
        const T* q = static_cast<const T*>(p.q) + bh * p.nq * static_cast<int64_t>(D);
        const T* d_o = static_cast<const T*>(p.d_o) + bh * p.nq * static_cast<int64_t>(D);
        const int64_t line = line_index(p.cols, b, h, kt);
        const int n_all = p.cols.count[line];
        const int n_part = p.cols.partial[line];
        const int32_t* tiles = p.cols.tiles + line * p.cols.capacity;
        for (int it = 0; it < n_all; ++it) {
            const int32_t qt = tiles[it];
            const bool partial = it < n_part;
            const int64_t i0 = static_cast<int64_t>(qt) * kTile;
            load_tile_async<D>(q_s, q, i0, p.nq, tid);
            load_tile_async<D>(do_s, d_o, i0, p.nq, tid);
            ptx::cp_async_commit();
            if (tid < kTile) {
                const int64_t i = i0 + tid;
                float lse = INFINITY;  // rows past Nq: P = 0
                float ds = 0.0f;
                if (i < p.nq) {
                    lse = p.lse[bh * p.nq + i];
                    lse = lse == -INFINITY ? INFINITY : lse;  // a row with nothing allowed has P = 0
                    ds = p.dsum[bh * p.nq + i];
                }
                lse_s[tid] = lse * kLog2e;
                dsum_s[tid] = ds;
            }
            ptx::cp_async_wait<0>();
            __syncthreads();

#pragma unroll
            for (int half = 0; half < 2; ++half) {
                const int qoff = 32 * half;
                // S^T = K_w Q^T for 16 keys x 32 queries.
                float st[4][4];
                {
                    uint32_t kf[D / 16][4];
                    load_a_fragments<D>(kf, k_s + 16 * warp * S::kStride, lane);
                    mma_abt<D, 4, T>(st, kf, q_s + qoff * S::kStride, lane);
                }
                // P^T = exp(S^T * scale - LSE), masked.
#pragma unroll
                for (int nt = 0; nt < 4; ++nt) {
#pragma unroll
                    for (int i = 0; i < 4; ++i) {
                        const int qi = qoff + 8 * nt + frag::acc_col(lane, i);
                        const int64_t key = key_base + 8 * (i >> 1);
                        const float sc = scaled_score(st[nt][i], p.scale);
                        const bool keep = !partial || pair_allowed_bwd(p, b, h, i0 + qi, key);
                        st[nt][i] = keep ? exp2f(sc * kLog2e - lse_s[qi]) : 0.0f;
                    }
                }
                // dV += P^T dO.
                mma_pv<D, 2, D / 8, T>(dv, st, do_s + qoff * S::kStride, lane);
                // dP^T = V_w dO^T.
                float dpt[4][4];
                {
                    uint32_t vf[D / 16][4];
                    load_a_fragments<D>(vf, v_s + 16 * warp * S::kStride, lane);
                    mma_abt<D, 4, T>(dpt, vf, do_s + qoff * S::kStride, lane);
                }
                // dS^T = P^T (dP^T - D); exactly 0 where P is 0 (a NaN row's D must not reach the keys it masks).
#pragma unroll
                for (int nt = 0; nt < 4; ++nt) {
#pragma unroll
                    for (int i = 0; i < 4; ++i) {
                        const int qi = qoff + 8 * nt + frag::acc_col(lane, i);
                        dpt[nt][i] = st[nt][i] != 0.0f ? st[nt][i] * (dpt[nt][i] - dsum_s[qi]) : 0.0f;
                    }
                }
                // dK += dS^T Q.
                mma_pv<D, 2, D / 8, T>(dk, dpt, q_s + qoff * S::kStride, lane);
                // Keep dS^T for dQ.
#pragma unroll
                for (int nt = 0; nt < 4; ++nt) {
                    const int key_row = 16 * warp + (lane >> 2);
                    const int col = qoff + 8 * nt + 2 * (lane & 3);
                    *reinterpret_cast<uint32_t*>(ds_s + key_row * kDsStride + col) =
                            ptx::pack2<T>(dpt[nt][0], dpt[nt][1]);
                    *reinterpret_cast<uint32_t*>(ds_s + (key_row + 8) * kDsStride + col) =
                            ptx::pack2<T>(dpt[nt][2], dpt[nt][3]);
                }
            }
            __syncthreads();

            // dQ (64 queries x D) += dS K: warp w owns queries 16w..16w+15, in column chunks of 32.
            {
                uint32_t af[kTile / 16][4];
                int r, c;
                frag::a_from_km(lane, r, c);
#pragma unroll
                for (int kc = 0; kc < kTile / 16; ++kc) {
                    ptx::ldmatrix_x4_trans(af[kc], ds_s + (16 * kc + r) * kDsStride + 16 * warp + c);
                }
                int br, bc;
                frag::b_from_kn(lane, br, bc);
                float* dq = p.dq_accum + bh * p.nq * static_cast<int64_t>(D);
#pragma unroll
                for (int chunk = 0; chunk < D / 32; ++chunk) {
                    float acc[4][4];
#pragma unroll
                    for (int nt = 0; nt < 4; ++nt) {
                        acc[nt][0] = acc[nt][1] = acc[nt][2] = acc[nt][3] = 0.0f;
                    }
#pragma unroll
                    for (int kc = 0; kc < kTile / 16; ++kc) {
#pragma unroll
                        for (int dp = 0; dp < 2; ++dp) {
                            uint32_t bfr[4];
                            ptx::ldmatrix_x4_trans(bfr, k_s + (16 * kc + br) * S::kStride + 32 * chunk + 16 * dp + bc);
                            ptx::mma_16816<T>(acc[2 * dp], af[kc], bfr[0], bfr[1]);
                            ptx::mma_16816<T>(acc[2 * dp + 1], af[kc], bfr[2], bfr[3]);
                        }
                    }
#pragma unroll
                    for (int nt = 0; nt < 4; ++nt) {
#pragma unroll
                        for (int i = 0; i < 4; ++i) {
                            const int64_t qrow = i0 + 16 * warp + frag::acc_row(lane, i);
                            const int col = 32 * chunk + 8 * nt + frag::acc_col(lane, i);
                            if (qrow < p.nq) {
                                atomicAdd(dq + qrow * D + col, acc[nt][i] * p.scale);
                            }
                        }
                    }
                }
            }
            __syncthreads();  // Q, dO and dS^T are overwritten by the next query tile
        }
    }

    ptx::cp_async_wait<0>();  // K and V were requested even when no query tile came

    // dK = scale * sum dS^T Q, dV = sum P^T dO, for keys < Nk.
    constexpr int dtype = ptx::DtypeCode<T>::value;
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        const int64_t key = key_base + 8 * r;
        if (key >= p.nk) {
            continue;
        }
        const int64_t base = (bkv * p.nk + key) * static_cast<int64_t>(D);
#pragma unroll
        for (int dt = 0; dt < D / 8; ++dt) {
            const int col = 8 * dt + 2 * (lane & 3);
            store2(p.dk, base + col, dtype, dk[dt][2 * r] * p.scale, dk[dt][2 * r + 1] * p.scale);
            store2(p.dv, base + col, dtype, dv[dt][2 * r], dv[dt][2 * r + 1]);
        }
    }
}

}  // namespace attn4j
