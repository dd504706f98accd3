// Per-row thresholds that need every allowed score of a row before any weight is known: token top-k (the k-th
// largest rank key) and the tau of sparsemax / entmax-1.5. One CTA per (batch, head, 64-query tile) streams the
// row's key tiles (double-buffered cp.async) once per pass; each pass evaluates 16 or 8 pivots per row and narrows the
// search (host/threshold_search.hpp); the CTA stops as soon as all its rows are settled. Scores come from the same
// qk_scores/scaled_score as the output pass, so they are bit-identical to what that pass compares.
#pragma once

#include <cmath>

#include "../../host/selection_rules.hpp"
#include "../../host/threshold_search.hpp"
#include "forward_kernel.cuh"

namespace attn4j {

__device__ __forceinline__ uint64_t shfl_xor_u64(uint64_t x, int mask) {
    return __shfl_xor_sync(0xffffffffu, static_cast<unsigned long long>(x), mask);
}

/**
 * Streams the key tiles of one query tile once, calling visit(nt, i, j, score) for every pair of this thread's
 * two rows that the static masks and block top-k allow (row index r = i >> 1). Double-buffered K tiles.
 */
template <int D, typename T, typename Visit>
__device__ __forceinline__ void stream_row_scores(const ForwardParams& p, const RowItem& w, const T* k,
                                                  const int32_t* tiles, int n_all, int n_part,
                                                  const uint32_t (&qf)[D / 16][4], T* k_buf0, T* k_buf1,
                                                  const int64_t (&row)[2], int tid, int lane, Visit&& visit) {
    if (n_all == 0) {
        return;
    }
    load_tile_async<D>(k_buf0, k, static_cast<int64_t>(tiles[0]) * kTile, p.nk, tid);
    ptx::cp_async_commit();
    for (int it = 0; it < n_all; ++it) {
        T* cur = (it & 1) ? k_buf1 : k_buf0;
        T* next = (it & 1) ? k_buf0 : k_buf1;
        if (it + 1 < n_all) {
            load_tile_async<D>(next, k, static_cast<int64_t>(tiles[it + 1]) * kTile, p.nk, tid);
            ptx::cp_async_commit();
            ptx::cp_async_wait<1>();
        } else {
            ptx::cp_async_wait<0>();
        }
        __syncthreads();
        float s[8][4];
        qk_scores<D, T>(s, qf, cur, lane);
        __syncthreads();  // the buffer is refilled two iterations later; nobody may still read it then
        const bool partial = it < n_part;
        const int64_t j0 = static_cast<int64_t>(tiles[it]) * kTile;
#pragma unroll
        for (int nt = 0; nt < 8; ++nt) {
#pragma unroll
            for (int i = 0; i < 4; ++i) {
                const int64_t j = j0 + 8 * nt + frag::acc_col(lane, i);
                const int r = i >> 1;
                if (row[r] < p.nq && j < p.nk && (!partial || pair_allowed(p, w.b, w.h, row[r], j))) {
                    visit(r, j, scaled_score(s[nt][i], p.scale));
                }
            }
        }
    }
}

template <int D, typename T>
__device__ __forceinline__ void threshold_prologue(const ForwardParams& p, const RowItem& w, T* q_s, int tid,
                                                   int warp, int lane, uint32_t (&qf)[D / 16][4]) {
    const T* q = static_cast<const T*>(p.q) + w.bh * p.nq * static_cast<int64_t>(D);
    load_tile_async<D>(q_s, q, static_cast<int64_t>(w.qt) * kTile, p.nq, tid);
    ptx::cp_async_commit();
    ptx::cp_async_wait<0>();
    __syncthreads();
    load_a_fragments<D>(qf, q_s + 16 * warp * Smem<D>::kStride, lane);
}

/** Token top-k: per query row, the rank key of its k-th best allowed key (all keys kept when k >= allowed). */
template <int D, typename T>
__global__ void __launch_bounds__(kThreads) token_topk_kernel(const ForwardParams p, const ThresholdOutputs out) {
    using S = Smem<D>;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    T* q_s = reinterpret_cast<T*>(smem_raw);
    T* k_b0 = q_s + S::kTileElems;
    T* k_b1 = k_b0 + S::kTileElems;
    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const RowItem w = decode_row_item(p, blockIdx.x);
    const int32_t kvh = w.h / p.group;
    const T* k = static_cast<const T*>(p.k) + (static_cast<int64_t>(w.b) * p.kv_heads + kvh) * p.nk *
                                                  static_cast<int64_t>(D);
    const int64_t line = line_index(p.rows, w.b, w.h, w.qt);
    const int n_all = p.rows.count[line];
    const int n_part = p.rows.partial[line];
    const int32_t* tiles = p.rows.tiles + line * p.rows.capacity;
    int64_t row[2];
    row[0] = static_cast<int64_t>(w.qt) * kTile + 16 * warp + (lane >> 2);
    row[1] = row[0] + 8;

    uint32_t qf[D / 16][4];
    threshold_prologue<D, T>(p, w, q_s, tid, warp, lane, qf);

    // Pass 0: how many keys each row may see, and the range of their rank keys.
    int count[2] = {0, 0};
    uint64_t lo_key[2] = {~0ull, ~0ull};
    uint64_t hi_key[2] = {0, 0};
    stream_row_scores<D, T>(p, w, k, tiles, n_all, n_part, qf, k_b0, k_b1, row, tid, lane,
                            [&](int r, int64_t j, float sc) {
                                const uint64_t key = token_rank_key(sc, j);
                                count[r] += 1;
                                lo_key[r] = key < lo_key[r] ? key : lo_key[r];
                                hi_key[r] = key > hi_key[r] ? key : hi_key[r];
                            });
    TokenTopKSearch search[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        count[r] = quad_sum(count[r]);
#pragma unroll
        for (int x = 1; x <= 2; x <<= 1) {
            const uint64_t a = shfl_xor_u64(lo_key[r], x);
            const uint64_t b = shfl_xor_u64(hi_key[r], x);
            lo_key[r] = a < lo_key[r] ? a : lo_key[r];
            hi_key[r] = b > hi_key[r] ? b : hi_key[r];
        }
        token_search_start(search[r], out.token_k, count[r], lo_key[r], hi_key[r]);
    }

    for (int pass = 1; pass < out.max_passes; ++pass) {
        const bool warp_done = __all_sync(0xffffffffu, search[0].done && search[1].done);
        if (!__syncthreads_or(!warp_done)) {
            break;
        }
        int counts[2][kSearchPivots];
        uint64_t piv[2][kSearchPivots];
#pragma unroll
        for (int r = 0; r < 2; ++r) {
#pragma unroll
            for (int m = 0; m < kSearchPivots; ++m) {
                counts[r][m] = 0;
                piv[r][m] = token_search_pivot(search[r], m);
            }
        }
        stream_row_scores<D, T>(p, w, k, tiles, n_all, n_part, qf, k_b0, k_b1, row, tid, lane,
                                [&](int r, int64_t j, float sc) {
                                    const uint64_t key = token_rank_key(sc, j);
                                    if (key >= search[r].lo && key <= search[r].hi) {
#pragma unroll
                                        for (int m = 0; m < kSearchPivots; ++m) {
                                            counts[r][m] += key >= piv[r][m] ? 1 : 0;
                                        }
                                    }
                                });
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            int64_t total[kSearchPivots];
#pragma unroll
            for (int m = 0; m < kSearchPivots; ++m) {
                total[m] = quad_sum(counts[r][m]);
            }
            token_search_update(search[r], total);
        }
    }
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        if (row[r] < p.nq && (lane & 3) == 0) {
            // Unsettled after the pass limit cannot happen (17 passes settle any row); lo keeps >= k keys then.
            out.token_threshold[w.bh * p.nq + row[r]] = search[r].done ? search[r].threshold : search[r].lo;
        }
    }
}

/** Sparsemax (power 1) / entmax-1.5 (power 2): tau per query row, in units of x = s / power. */
template <int D, typename T>
__global__ void __launch_bounds__(kThreads) sparse_tau_kernel(const ForwardParams p, const ThresholdOutputs out) {
    using S = Smem<D>;
    extern __shared__ __align__(16) unsigned char smem_raw[];
    T* q_s = reinterpret_cast<T*>(smem_raw);
    T* k_b0 = q_s + S::kTileElems;
    T* k_b1 = k_b0 + S::kTileElems;
    const int tid = threadIdx.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const RowItem w = decode_row_item(p, blockIdx.x);
    const int32_t kvh = w.h / p.group;
    const T* k = static_cast<const T*>(p.k) + (static_cast<int64_t>(w.b) * p.kv_heads + kvh) * p.nk *
                                                  static_cast<int64_t>(D);
    const int64_t line = line_index(p.rows, w.b, w.h, w.qt);
    const int n_all = p.rows.count[line];
    const int n_part = p.rows.partial[line];
    const int32_t* tiles = p.rows.tiles + line * p.rows.capacity;
    int64_t row[2];
    row[0] = static_cast<int64_t>(w.qt) * kTile + 16 * warp + (lane >> 2);
    row[1] = row[0] + 8;
    const int power = p.sparse_power;
    const float x_scale = power == 2 ? 0.5f : 1.0f;
    uint64_t keep_from[2] = {0, 0};
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        if (p.token_threshold != nullptr && row[r] < p.nq) {
            keep_from[r] = p.token_threshold[w.bh * p.nq + row[r]];
        }
    }

    uint32_t qf[D / 16][4];
    threshold_prologue<D, T>(p, w, q_s, tid, warp, lane, qf);

    // Pass 0: the row maximum of x over the allowed (and token-kept) keys.
    float mx[2] = {-INFINITY, -INFINITY};
    stream_row_scores<D, T>(p, w, k, tiles, n_all, n_part, qf, k_b0, k_b1, row, tid, lane,
                            [&](int r, int64_t j, float sc) {
                                if (p.token_threshold == nullptr || token_rank_key(sc, j) >= keep_from[r]) {
                                    mx[r] = fmaxf(mx[r], sc * x_scale);
                                }
                            });
    SparseSearch search[2];
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        mx[r] = quad_max(mx[r]);
        if (mx[r] == -INFINITY) {
            search[r].done = 1;  // nothing allowed: every weight is 0
            search[r].tau = INFINITY;
        }
    }

    for (int pass = 1; pass < out.max_passes; ++pass) {
        const bool warp_done = __all_sync(0xffffffffu, search[0].done && search[1].done);
        if (!__syncthreads_or(!warp_done)) {
            break;
        }
        int n[2][kSparsePivots];
        float s1[2][kSparsePivots];
        float s2[2][kSparsePivots];
#pragma unroll
        for (int r = 0; r < 2; ++r) {
#pragma unroll
            for (int m = 0; m < kSparsePivots; ++m) {
                n[r][m] = 0;
                s1[r][m] = 0.0f;
                s2[r][m] = 0.0f;
            }
        }
        float base[2];
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            base[r] = search[r].lo;
        }
        stream_row_scores<D, T>(p, w, k, tiles, n_all, n_part, qf, k_b0, k_b1, row, tid, lane,
                                [&](int r, int64_t j, float sc) {
                                    if (p.token_threshold != nullptr && token_rank_key(sc, j) < keep_from[r]) {
                                        return;
                                    }
                                    const float y = sc * x_scale - mx[r];
                                    if (y <= base[r]) {
                                        return;
                                    }
#pragma unroll
                                    for (int m = 0; m < kSparsePivots; ++m) {
                                        const float z = y - sparse_search_pivot(search[r], m);
                                        if (z > 0.0f) {
                                            n[r][m] += 1;
                                            s1[r][m] += z;
                                            s2[r][m] += z * z;
                                        }
                                    }
                                });
#pragma unroll
        for (int r = 0; r < 2; ++r) {
            int32_t tn[kSparsePivots];
            float t1[kSparsePivots];
            float t2[kSparsePivots];
#pragma unroll
            for (int m = 0; m < kSparsePivots; ++m) {
                tn[m] = quad_sum(n[r][m]);
                t1[m] = quad_sum(s1[r][m]);
                t2[m] = quad_sum(s2[r][m]);
            }
            sparse_search_update(search[r], power, tn, t1, t2, pass + 1 == out.max_passes);
        }
    }
#pragma unroll
    for (int r = 0; r < 2; ++r) {
        if (row[r] < p.nq && (lane & 3) == 0) {
            // Stored relative to the row maximum (the output pass subtracts the maximum first, keeping precision
            // for huge scores). tau = +inf for a row with nothing allowed or only -inf scores: every weight is then
            // 0, never NaN (the output pass decides what such a row is).
            const float shifted = search[r].done ? search[r].tau : search[r].lo;
            const bool none = mx[r] == -INFINITY;
            out.row_tau[w.bh * p.nq + row[r]] = none ? INFINITY : shifted;
            out.row_max[w.bh * p.nq + row[r]] = none ? 0.0f : mx[r];
        }
    }
}

}  // namespace attn4j
