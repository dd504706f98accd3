// Forward attention, FlashAttention-2 style: one CTA of 4 warps per (batch, head, 64-query tile), each warp owning
// 16 query rows; the CTA walks the key tiles of its compressed row (partial tiles first, with per-pair masking,
// then full tiles with none), loading each K and V tile once with cp.async while the previous product runs.
// Softmax keeps a running maximum and sum per row (online softmax); sparsemax and entmax-1.5 read the per-row
// threshold found by the threshold kernel and accumulate only the support. Empty tiles are never listed, so never
// loaded. Non-finite scores follow the SPEC: a row with an allowed NaN or +inf score, or with only -inf scores, is
// NaN in O and LSE; a row with nothing allowed is 0 and -inf.
#pragma once

#include <cmath>

#include "../../host/selection_rules.hpp"
#include "tile_ops.cuh"

namespace attn4j {

/** Where a CTA's work item points: (b, h, qt) of a [B, Hq, qtiles] grid, through the schedule if any. */
struct RowItem {
    int32_t b, h, qt;
    int64_t bh;
};

__device__ __forceinline__ RowItem decode_row_item(const ForwardParams& p, int32_t item) {
    const int32_t id = p.schedule != nullptr ? p.schedule[item] : item;
    RowItem w;
    w.qt = id % p.qtiles;
    w.bh = id / p.qtiles;
    w.b = static_cast<int32_t>(w.bh / p.q_heads);
    w.h = static_cast<int32_t>(w.bh % p.q_heads);
    return w;
}

template <int D, typename T, bool kSparse>
__global__ void __launch_bounds__(kThreads) forward_kernel(const ForwardParams p) {
    using S = Smem<D>;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    T* q_s = reinterpret_cast<T*>(smem_raw);
    T* k_s = q_s + S::kTileElems;
    T* v_s = k_s + S::kTileElems;

    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const RowItem w = decode_row_item(p, blockIdx.x);
    const int32_t kvh = w.h / p.group;
    const T* q = static_cast<const T*>(p.q) + w.bh * p.nq * static_cast<int64_t>(D);
    const int64_t kv_off = (static_cast<int64_t>(w.b) * p.kv_heads + kvh) * p.nk * static_cast<int64_t>(D);
    const T* k = static_cast<const T*>(p.k) + kv_off;
    const T* v = static_cast<const T*>(p.v) + kv_off;
    const int64_t q0 = static_cast<int64_t>(w.qt) * kTile;

    const int64_t line = line_index(p.rows, w.b, w.h, w.qt);
    const int n_all = p.rows.count[line];
    const int n_part = p.rows.partial[line];
    const int32_t* tiles = p.rows.tiles + line * p.rows.capacity;

    // This thread's two query rows (accumulator rows g and g + 8 of the warp's 16).
    int64_t row[2];
    row[0] = q0 + 16 * warp + (lane >> 2);
    row[1] = row[0] + 8;
    uint64_t keep_from[2] = {0, 0};
    float tau[2] = {0.0f, 0.0f};     // sparse: the threshold relative to the row's maximum, in units of x
    float x_max[2] = {0.0f, 0.0f};   // sparse: the row's maximum of x over its kept scores
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        const bool in = row[r] < p.nq;
        if (p.token_threshold != nullptr && in) {
            keep_from[r] = p.token_threshold[w.bh * p.nq + row[r]];
        }
        if (kSparse) {
            tau[r] = in ? p.row_tau[w.bh * p.nq + row[r]] : INFINITY;
            x_max[r] = in ? p.row_max[w.bh * p.nq + row[r]] : 0.0f;
        }
    }
    // Per row, over its kept keys: any kept at all, any score NaN or +inf, any score above -inf.
    int seen[2] = {0, 0};
    int non_finite[2] = {0, 0};
    int finite[2] = {0, 0};

    float o[D / 8][4];
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt) {
        o[dt][0] = o[dt][1] = o[dt][2] = o[dt][3] = 0.0f;
    }
    float m[2] = {-INFINITY, -INFINITY};
    float l[2] = {0.0f, 0.0f};
    constexpr float kLog2e = 1.4426950408889634f;
    const float x_scale = p.sparse_power == 2 ? 0.5f : 1.0f;

    if (n_all > 0) {
        load_tile_async<D>(q_s, q, q0, p.nq, tid);
        ptx::cp_async_commit();
        load_tile_async<D>(k_s, k, static_cast<int64_t>(tiles[0]) * kTile, p.nk, tid);
        ptx::cp_async_commit();
    }
    uint32_t qf[D / 16][4];

    for (int it = 0; it < n_all; ++it) {
        const int32_t kt = tiles[it];
        const bool partial = it < n_part;
        const int64_t j0 = static_cast<int64_t>(kt) * kTile;
        load_tile_async<D>(v_s, v, j0, p.nk, tid);
        ptx::cp_async_commit();
        ptx::cp_async_wait<1>();  // Q and K(it) have landed; V(it) may still be in flight
        __syncthreads();
        if (it == 0) {
            load_a_fragments<D>(qf, q_s + 16 * warp * S::kStride, lane);
        }
        float s[8][4];
        qk_scores<D, T>(s, qf, k_s, lane);
        __syncthreads();  // every warp is done with K(it)
        const bool more = it + 1 < n_all;
        if (more) {
            load_tile_async<D>(k_s, k, static_cast<int64_t>(tiles[it + 1]) * kTile, p.nk, tid);
            ptx::cp_async_commit();
        }

        // Scores, masks and weights, in registers while K(it + 1) loads.
#pragma unroll
        for (int nt = 0; nt < 8; ++nt) {
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int r = i >> 1;
                const int64_t j = j0 + 8 * nt + frag::acc_col(lane, i);
                const float sc = scaled_score(s[nt][i], p.scale);
                bool keep = !partial || pair_allowed(p, w.b, w.h, row[r], j);
                if (p.token_threshold != nullptr) {
                    keep = keep && token_rank_key(sc, j) >= keep_from[r];
                }
                if (keep) {
                    seen[r] = 1;
                    non_finite[r] |= !(sc < INFINITY);
                    finite[r] |= sc > -INFINITY;
                }
                if (kSparse) {
                    // Relative to the row's maximum, so that huge scores keep their precision.
                    float x = fmaxf((sc * x_scale - x_max[r]) - tau[r], 0.0f);
                    x = p.sparse_power == 2 ? x * x : x;
                    s[nt][i] = keep ? x : 0.0f;
                } else {
                    s[nt][i] = keep ? sc : -INFINITY;
                }
            }
        }
        if (kSparse) {
#pragma unroll
            for (int nt = 0; nt < 8; ++nt) {
                l[0] += s[nt][0] + s[nt][1];
                l[1] += s[nt][2] + s[nt][3];
            }
        } else {
#pragma unroll
            for (int r = 0; r < 2; ++r) {
                float mx = m[r];
#pragma unroll
                for (int nt = 0; nt < 8; ++nt) {
                    mx = fmaxf(mx, fmaxf(s[nt][2 * r], s[nt][2 * r + 1]));
                }
                mx = quad_max(mx);
                // A row with nothing allowed so far keeps m = -inf; exponentiate against 0 so no NaN appears.
                const float m_use = mx == -INFINITY ? 0.0f : mx;
                const float corr = exp2f((m[r] - m_use) * kLog2e);
                m[r] = mx;
                float sum = 0.0f;
#pragma unroll
                for (int nt = 0; nt < 8; ++nt) {
                    const float p0 = exp2f((s[nt][2 * r] - m_use) * kLog2e);
                    const float p1 = exp2f((s[nt][2 * r + 1] - m_use) * kLog2e);
                    s[nt][2 * r] = p0;
                    s[nt][2 * r + 1] = p1;
                    sum += p0 + p1;
                }
                l[r] = l[r] * corr + sum;
#pragma unroll
                for (int dt = 0; dt < D / 8; ++dt) {
                    o[dt][2 * r] *= corr;
                    o[dt][2 * r + 1] *= corr;
                }
            }
        }

        if (more) {
            ptx::cp_async_wait<1>();  // V(it) has landed; K(it + 1) may still be in flight
        } else {
            ptx::cp_async_wait<0>();
        }
        __syncthreads();
        mma_pv<D, 4, D / 8, T>(o, s, v_s, lane);
        __syncthreads();  // every warp is done with V(it) before the next V load
    }

    // Epilogue: O = acc / l and LSE = m + log l; 0 and -inf for a row with nothing allowed; NaN for a row with an
    // allowed NaN or +inf score or only -inf scores (never mistaken for an empty row).
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        // Every lane of the warp takes part in every shuffle: no short-circuit around them.
        const float total = quad_sum(l[r]);
        const int any_kept = quad_sum(seen[r]);
        const int any_non_finite = quad_sum(non_finite[r]);
        const int any_finite = quad_sum(finite[r]);
        const bool any = any_kept > 0;
        const bool nan_row = any && (any_non_finite > 0 || any_finite == 0);
        const float inv = nan_row ? NAN : (total > 0.0f ? 1.0f / total : 0.0f);
        if (row[r] >= p.nq) {
            continue;
        }
        const int64_t base = (w.bh * p.nq + row[r]) * static_cast<int64_t>(D);
#pragma unroll
        for (int dt = 0; dt < D / 8; ++dt) {
            const int col = 8 * dt + 2 * (lane & 3);
            // A row with nothing allowed is exactly 0, whatever the masked keys' values did to its accumulator.
            store2(p.o, base + col, p.out_dtype, any ? o[dt][2 * r] * inv : 0.0f, any ? o[dt][2 * r + 1] * inv : 0.0f);
        }
        if (!kSparse && p.lse != nullptr && (lane & 3) == 0) {
            p.lse[w.bh * p.nq + row[r]] = nan_row ? NAN : (total > 0.0f ? m[r] + logf(total) : -INFINITY);
        }
    }
}

}  // namespace attn4j
