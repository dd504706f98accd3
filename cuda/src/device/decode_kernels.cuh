// Decoding with a KV cache (SPEC "Decoding with a KV cache"): a few new queries per sequence against everything the
// device cache holds. Memory-bound, so plain CUDA cores, in passes that each read what they need once:
//  1. select (block top-k only): per row, or per kv-head group, the k blocks of highest score over the cached block
//     means (float64, as the reference), plus the own block and the window, which are always kept;
//  2. scores: chunks of 128 keys in parallel CTAs, a kv head's chunk read once for all query heads of its group (GQA)
//     and skipped unread when no row keeps a key in it, so the work follows the kept keys;
//  3. rows: per query row, the normalizer over its scores (token top-k threshold, sparse tau, softmax sums), the
//     scores turned into weights in place;
//  4. output: chunks of 128 values in parallel CTAs, O += weight * V for nonzero weights only (a zero weight adds
//     nothing, even against a non-finite value), partial sums added atomically in fp32; converted after.
// A score slot with all bits set is a key the row does not keep (computed NaNs are canonical, never all ones).
#pragma once

#include <cmath>

#include "../../host/selection_rules.hpp"
#include "../../host/threshold_search.hpp"
#include "decode_params.cuh"
#include "tile_ops.cuh"

namespace attn4j {

constexpr int kDecodeChunk = 128;   // keys per CTA in the score and output passes (= threads)
constexpr uint32_t kNotKept = 0xFFFFFFFFu;

__device__ __forceinline__ bool decode_block_allows(const DecodeParams& p, int32_t b, int32_t h, int64_t ip,
                                                    int64_t j) {
    if (p.block_cells == nullptr) {
        return true;
    }
    const int64_t cb = p.block_mb == 1 ? 0 : b;
    const int64_t ch = p.block_mh == 1 ? 0 : h;
    const int64_t qb = ip / p.block_bq;
    const int64_t kb = j / p.block_bk;
    return p.block_cells[((cb * p.block_mh + ch) * p.block_qb + qb) * p.block_kb + kb] != 0;
}

/** The window (with its global tokens) allows key j for the query at position ip. */
__device__ __forceinline__ bool decode_window_allows(const DecodeParams& p, int64_t ip, int64_t j) {
    return j >= ip - p.left || j < p.global || (ip >= 0 && ip < p.global);
}

__device__ __forceinline__ int64_t decode_chosen_row(const DecodeParams& p, int32_t b, int32_t h, int32_t i) {
    return p.per_group ? (static_cast<int64_t>(b) * p.kv_heads + h / p.group) * p.nq + i
                       : (static_cast<int64_t>(b) * p.q_heads + h) * p.nq + i;
}

/** Whether query row i of sequence b, query head h, at position ip keeps key j (before token top-k). */
__device__ __forceinline__ bool decode_kept(const DecodeParams& p, int32_t b, int32_t h, int32_t i, int64_t ip,
                                            int64_t j) {
    if (ip < 0 || j > ip || !decode_block_allows(p, b, h, ip, j)) {
        return false;
    }
    if (p.topk_blocks == 0) {
        return !p.windowed || decode_window_allows(p, ip, j);
    }
    const int64_t blk = j / p.block_size;
    if (blk == ip / p.block_size || (p.windowed && decode_window_allows(p, ip, j))) {
        return true;  // the own block and the window are always kept
    }
    return p.chosen[decode_chosen_row(p, b, h, i) * p.block_capacity + blk] == 2;
}

/**
 * Block top-k. grid: B * (per group ? Hkv : Hq) * Nq, 128 threads. chosen[row][kb] becomes 1 for a candidate
 * block, 2 for a chosen one; block_scores is scratch of the same shape.
 */
template <typename T>
__global__ void __launch_bounds__(128) decode_select_kernel(const DecodeParams p, double* block_scores) {
    __shared__ double query[256];
    const int64_t row = blockIdx.x;
    const int32_t i = static_cast<int32_t>(row % p.nq);
    const int64_t bh = row / p.nq;
    const int32_t heads = p.per_group ? p.kv_heads : p.q_heads;
    const int32_t b = static_cast<int32_t>(bh / heads);
    const int32_t hsel = static_cast<int32_t>(bh % heads);
    const int32_t h_first = p.per_group ? hsel * p.group : hsel;
    const int32_t h_count = p.per_group ? p.group : 1;
    const int32_t kvh = h_first / p.group;
    const int64_t length = p.lengths[b];
    const int64_t ip = length - p.nq + i;
    uint8_t* chosen = p.chosen + row * p.block_capacity;
    double* scores = block_scores + row * p.block_capacity;
    for (int32_t kb = threadIdx.x; kb < p.block_capacity; kb += blockDim.x) {
        chosen[kb] = 0;
    }
    if (ip < 0) {
        return;
    }
    // The scoring query: the row's own, or the mean of its group's (float64, summed in head order).
    for (int c = threadIdx.x; c < p.d; c += blockDim.x) {
        double sum = 0.0;
        for (int32_t h = h_first; h < h_first + h_count; ++h) {
            const int64_t at = ((static_cast<int64_t>(b) * p.q_heads + h) * p.nq + i) * p.d + c;
            sum = add_exact_order(sum, static_cast<double>(load_as_float(p.q, at, p.dtype)));
        }
        query[c] = p.per_group ? __ddiv_rn(sum, static_cast<double>(h_count)) : sum;
    }
    __syncthreads();
    const int32_t own = static_cast<int32_t>(ip / p.block_size);
    const double* sums = p.block_sums + (static_cast<int64_t>(b) * p.kv_heads + kvh) * p.block_capacity * p.d;
    for (int32_t kb = threadIdx.x; kb < own; kb += blockDim.x) {
        // A candidate holds a key the block mask allows (for a head of the group) that the window does not keep.
        bool candidate = false;
        const int64_t j0 = static_cast<int64_t>(kb) * p.block_size;
        for (int64_t j = j0; j < j0 + p.block_size && !candidate; ++j) {
            if (p.windowed && decode_window_allows(p, ip, j)) {
                continue;
            }
            for (int32_t h = h_first; h < h_first + h_count && !candidate; ++h) {
                candidate = decode_block_allows(p, b, h, ip, j);
            }
        }
        if (candidate) {
            // Every block before the own one is complete: its mean is the sum divided by the block size.
            const double count = static_cast<double>(p.block_size);
            double dot = 0.0;
            for (int c = 0; c < p.d; ++c) {
                const double mean = __ddiv_rn(sums[static_cast<int64_t>(kb) * p.d + c], count);
                dot = add_exact_order(dot, mul_exact_order(query[c], mean));
            }
            scores[kb] = mul_exact_order(p.scale_d, dot);
            chosen[kb] = 1;
        }
    }
    __syncthreads();  // the CTA's global writes are visible to the whole CTA after the barrier
    for (int32_t kb = threadIdx.x; kb < own; kb += blockDim.x) {
        if (chosen[kb] == 0) {
            continue;
        }
        const double mine = scores[kb];
        int32_t ahead = 0;
        for (int32_t o = 0; o < own && ahead < p.topk_blocks; ++o) {
            if (o != kb && chosen[o] != 0 && block_ranks_before(scores[o], o, mine, kb)) {
                ++ahead;
            }
        }
        if (ahead < p.topk_blocks) {
            chosen[kb] = 2;  // 1 -> 2 leaves "is a candidate" (non-zero) as the other threads read it
        }
    }
}

/** Loads rows [0, n) of a row-major [*, width] matrix of T into shared memory (row stride width), 16 bytes at once. */
template <typename T>
__device__ __forceinline__ void decode_load_rows(T* dst, const T* src, int n, int width) {
    const int chunks = width / 8;
    for (int c = threadIdx.x; c < n * chunks; c += blockDim.x) {
        const int r = c / chunks;
        const int part = c - r * chunks;
        *reinterpret_cast<uint4*>(dst + r * width + part * 8) =
                *reinterpret_cast<const uint4*>(src + static_cast<int64_t>(r) * width + part * 8);
    }
}

/**
 * Scores. grid: (B * Hkv) x ceil(max_length / 128), 128 threads (a thread per key); shared memory: the chunk's keys
 * [128][D] of T, then the group's queries [group * Nq][D] as float.
 */
template <typename T>
__global__ void __launch_bounds__(kDecodeChunk) decode_scores_kernel(const DecodeParams p) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    T* keys = reinterpret_cast<T*>(smem_raw);
    float* queries = reinterpret_cast<float*>(smem_raw + kDecodeChunk * p.d * sizeof(T));
    const int32_t bkv = blockIdx.x;
    const int32_t b = bkv / p.kv_heads;
    const int32_t kvh = bkv % p.kv_heads;
    const int64_t length = p.lengths[b];
    const int64_t j0 = static_cast<int64_t>(blockIdx.y) * kDecodeChunk;
    if (j0 >= length) {
        return;
    }
    const int rows = p.group * p.nq;
    const int64_t j = j0 + threadIdx.x;
    uint64_t kept = 0;  // bit r: row r of the group keeps key j
    if (j < length) {
        for (int r = 0; r < rows; ++r) {
            const int32_t h = kvh * p.group + r / p.nq;
            const int32_t i = r % p.nq;
            if (decode_kept(p, b, h, i, length - p.nq + i, j)) {
                kept |= 1ull << r;
            }
        }
    }
    if (!__syncthreads_or(kept != 0)) {
        return;  // no row keeps a key of this chunk: its keys are never read
    }
    const int n = static_cast<int>(length - j0 < kDecodeChunk ? length - j0 : kDecodeChunk);
    decode_load_rows<T>(keys, static_cast<const T*>(p.k) + (static_cast<int64_t>(bkv) * p.capacity + j0) * p.d, n,
                        p.d);
    for (int e = threadIdx.x; e < rows * p.d; e += blockDim.x) {
        const int r = e / p.d;
        const int c = e - r * p.d;
        const int32_t h = kvh * p.group + r / p.nq;
        const int64_t at = ((static_cast<int64_t>(b) * p.q_heads + h) * p.nq + r % p.nq) * p.d + c;
        queries[e] = load_as_float(p.q, at, p.dtype);
    }
    __syncthreads();
    if (kept == 0) {
        return;
    }
    const T* key = keys + threadIdx.x * p.d;
    for (int r = 0; r < rows; ++r) {
        if (((kept >> r) & 1ull) == 0) {
            continue;
        }
        const float* q = queries + r * p.d;
        float dot = 0.0f;
        for (int c = 0; c < p.d; ++c) {
            dot += q[c] * static_cast<float>(key[c]);
        }
        float s = scaled_score(dot, p.scale);
        s = s != s ? NAN : s;  // canonical: all ones marks "not kept"
        const int32_t h = kvh * p.group + r / p.nq;
        const int64_t score_row = (static_cast<int64_t>(b) * p.q_heads + h) * p.nq + r % p.nq;
        p.scores[score_row * p.max_length + j] = s;
    }
}

__device__ __forceinline__ bool decode_slot_kept(float s) {
    return float_bits(s) != kNotKept;
}

__device__ __forceinline__ float decode_not_kept() {
    return __uint_as_float(kNotKept);
}

/** Sum of x over the CTA (128 threads), into every thread. */
template <typename X>
__device__ __forceinline__ X decode_cta_sum(X x, X* scratch) {
    scratch[threadIdx.x] = x;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (static_cast<int>(threadIdx.x) < half) {
            scratch[threadIdx.x] += scratch[threadIdx.x + half];
        }
        __syncthreads();
    }
    const X total = scratch[0];
    __syncthreads();
    return total;
}

/**
 * Rows. grid: B * Hq * Nq, 128 threads: the normalizer over the row's kept scores, which become weights in place
 * (0 where not kept), and the LSE. A row with nothing kept stays all "not kept" (O = 0, LSE = -inf); a row whose
 * kept scores include NaN or +inf, or are all -inf, gets NaN weights (O and LSE NaN).
 */
__global__ void __launch_bounds__(128) decode_rows_kernel(const DecodeParams p) {
    __shared__ double dscratch[128];
    __shared__ float fscratch[128];
    __shared__ int64_t iscratch[128];
    __shared__ unsigned long long kscratch[128];
    // The searches' state, shared by the CTA (raw storage: shared variables take no constructors).
    __shared__ __align__(8) unsigned char token_storage[sizeof(TokenTopKSearch)];
    __shared__ __align__(8) unsigned char sparse_storage[sizeof(SparseSearch)];
    TokenTopKSearch& token = *reinterpret_cast<TokenTopKSearch*>(token_storage);
    SparseSearch& sparse = *reinterpret_cast<SparseSearch*>(sparse_storage);
    const int64_t row = blockIdx.x;
    const int32_t b = static_cast<int32_t>(row / (static_cast<int64_t>(p.q_heads) * p.nq));
    const int64_t length = p.lengths[b];
    float* s = p.scores + row * p.max_length;
    const int tid = threadIdx.x;

    // Token top-k: keep the k kept keys of highest rank key (score order, ties to the lower position).
    int64_t kept = 0;
    for (int64_t j = tid; j < length; j += blockDim.x) {
        kept += decode_slot_kept(s[j]) ? 1 : 0;
    }
    kept = decode_cta_sum<int64_t>(kept, iscratch);
    if (kept == 0) {
        if (p.lse != nullptr && tid == 0) {
            p.lse[row] = -INFINITY;
        }
        return;
    }
    if (p.topk_tokens > 0 && p.topk_tokens < kept) {
        uint64_t lo = ~0ull, hi = 0;
        for (int64_t j = tid; j < length; j += blockDim.x) {
            if (decode_slot_kept(s[j])) {
                const uint64_t key = token_rank_key(s[j], j);
                lo = key < lo ? key : lo;
                hi = key > hi ? key : hi;
            }
        }
        kscratch[tid] = lo;
        __syncthreads();
        if (tid == 0) {
            for (int t = 1; t < static_cast<int>(blockDim.x); ++t) {
                lo = kscratch[t] < lo ? kscratch[t] : lo;
            }
        }
        __syncthreads();
        kscratch[tid] = hi;
        __syncthreads();
        if (tid == 0) {
            for (int t = 1; t < static_cast<int>(blockDim.x); ++t) {
                hi = kscratch[t] > hi ? kscratch[t] : hi;
            }
            token_search_start(token, p.topk_tokens, kept, lo, hi);
        }
        __syncthreads();
        for (int pass = 0; pass < 20 && !token.done; ++pass) {
            int64_t counts[kSearchPivots];
            for (int m = 0; m < kSearchPivots; ++m) {
                counts[m] = 0;
            }
            for (int64_t j = tid; j < length; j += blockDim.x) {
                if (!decode_slot_kept(s[j])) {
                    continue;
                }
                const uint64_t key = token_rank_key(s[j], j);
                if (key >= token.lo && key <= token.hi) {
                    for (int m = 0; m < kSearchPivots; ++m) {
                        counts[m] += key >= token_search_pivot(token, m) ? 1 : 0;
                    }
                }
            }
            int64_t totals[kSearchPivots];
            for (int m = 0; m < kSearchPivots; ++m) {
                totals[m] = decode_cta_sum<int64_t>(counts[m], iscratch);
            }
            if (tid == 0) {
                token_search_update(token, totals);
            }
            __syncthreads();
        }
        const uint64_t threshold = token.done ? token.threshold : token.lo;
        for (int64_t j = tid; j < length; j += blockDim.x) {
            if (decode_slot_kept(s[j]) && token_rank_key(s[j], j) < threshold) {
                s[j] = decode_not_kept();
            }
        }
        __syncthreads();
    }

    // The SPEC's non-finite rule, over the keys kept now.
    int non_finite = 0, finite = 0;
    float mx = -INFINITY;
    for (int64_t j = tid; j < length; j += blockDim.x) {
        const float x = s[j];
        if (decode_slot_kept(x)) {
            non_finite |= !(x < INFINITY);
            finite |= x > -INFINITY;
            mx = fmaxf(mx, x);
        }
    }
    non_finite = decode_cta_sum<int64_t>(non_finite, iscratch) > 0;
    finite = decode_cta_sum<int64_t>(finite, iscratch) > 0;
    fscratch[tid] = mx;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (tid < half) {
            fscratch[tid] = fmaxf(fscratch[tid], fscratch[tid + half]);
        }
        __syncthreads();
    }
    mx = fscratch[0];
    __syncthreads();
    if (non_finite || !finite) {
        for (int64_t j = tid; j < length; j += blockDim.x) {
            if (decode_slot_kept(s[j])) {
                s[j] = NAN;
            }
        }
        if (p.lse != nullptr && tid == 0) {
            p.lse[row] = NAN;
        }
        return;
    }

    if (p.normalizer == 0) {
        double l = 0.0;
        for (int64_t j = tid; j < length; j += blockDim.x) {
            if (decode_slot_kept(s[j])) {
                l += static_cast<double>(expf(s[j] - mx));
            }
        }
        l = decode_cta_sum<double>(l, dscratch);
        const float inv = static_cast<float>(1.0 / l);
        for (int64_t j = tid; j < length; j += blockDim.x) {
            s[j] = decode_slot_kept(s[j]) ? expf(s[j] - mx) * inv : 0.0f;
        }
        if (p.lse != nullptr && tid == 0) {
            p.lse[row] = mx + static_cast<float>(log(l));
        }
        return;
    }

    // Sparsemax (x = s) / entmax-1.5 (x = s / 2): tau of y = x - max x, by the pivot search the forward pass uses.
    const int power = p.normalizer == 2 ? 2 : 1;
    const float x_scale = power == 2 ? 0.5f : 1.0f;
    const float x_max = mx * x_scale;
    if (tid == 0) {
        sparse = SparseSearch{};
    }
    __syncthreads();
    for (int pass = 0; pass < 16 && !sparse.done; ++pass) {
        int32_t n[kSparsePivots];
        float s1[kSparsePivots], s2[kSparsePivots];
        for (int m = 0; m < kSparsePivots; ++m) {
            n[m] = 0;
            s1[m] = 0.0f;
            s2[m] = 0.0f;
        }
        for (int64_t j = tid; j < length; j += blockDim.x) {
            if (!decode_slot_kept(s[j])) {
                continue;
            }
            const float y = s[j] * x_scale - x_max;
            if (y <= sparse.lo) {
                continue;
            }
            for (int m = 0; m < kSparsePivots; ++m) {
                const float z = y - sparse_search_pivot(sparse, m);
                if (z > 0.0f) {
                    n[m] += 1;
                    s1[m] += z;
                    s2[m] += z * z;
                }
            }
        }
        int32_t tn[kSparsePivots];
        float t1[kSparsePivots], t2[kSparsePivots];
        for (int m = 0; m < kSparsePivots; ++m) {
            tn[m] = static_cast<int32_t>(decode_cta_sum<int64_t>(n[m], iscratch));
            t1[m] = decode_cta_sum<float>(s1[m], fscratch);
            t2[m] = decode_cta_sum<float>(s2[m], fscratch);
        }
        if (tid == 0) {
            sparse_search_update(sparse, power, tn, t1, t2, pass == 15);
        }
        __syncthreads();
    }
    const float tau = sparse.done ? sparse.tau : sparse.lo;
    double total = 0.0;
    for (int64_t j = tid; j < length; j += blockDim.x) {
        if (decode_slot_kept(s[j])) {
            float x = fmaxf((s[j] * x_scale - x_max) - tau, 0.0f);
            x = power == 2 ? x * x : x;
            total += static_cast<double>(x);
        }
    }
    total = decode_cta_sum<double>(total, dscratch);
    const float inv = total > 0.0 ? static_cast<float>(1.0 / total) : 0.0f;
    for (int64_t j = tid; j < length; j += blockDim.x) {
        if (decode_slot_kept(s[j])) {
            float x = fmaxf((s[j] * x_scale - x_max) - tau, 0.0f);
            x = power == 2 ? x * x : x;
            s[j] = x * inv;
        } else {
            s[j] = 0.0f;
        }
    }
}

/**
 * Output. grid: (B * Hkv) x ceil(max_length / 128), 128 threads; shared memory: the chunk's weights
 * [group * Nq][128] as float, then its values [128][Dv] of T. Skips a chunk no row gives a nonzero weight.
 */
template <typename T>
__global__ void __launch_bounds__(kDecodeChunk) decode_output_kernel(const DecodeParams p) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    const int rows = p.group * p.nq;
    float* weights = reinterpret_cast<float*>(smem_raw);
    T* values = reinterpret_cast<T*>(smem_raw + static_cast<size_t>(rows) * kDecodeChunk * sizeof(float));
    const int32_t bkv = blockIdx.x;
    const int32_t b = bkv / p.kv_heads;
    const int32_t kvh = bkv % p.kv_heads;
    const int64_t length = p.lengths[b];
    const int64_t j0 = static_cast<int64_t>(blockIdx.y) * kDecodeChunk;
    if (j0 >= length) {
        return;
    }
    const int n = static_cast<int>(length - j0 < kDecodeChunk ? length - j0 : kDecodeChunk);
    int any = 0;
    for (int e = threadIdx.x; e < rows * kDecodeChunk; e += blockDim.x) {
        const int r = e / kDecodeChunk;
        const int t = e - r * kDecodeChunk;
        float w = 0.0f;
        if (t < n) {
            const int32_t h = kvh * p.group + r / p.nq;
            const int64_t score_row = (static_cast<int64_t>(b) * p.q_heads + h) * p.nq + r % p.nq;
            w = p.scores[score_row * p.max_length + j0 + t];
            w = decode_slot_kept(w) ? w : 0.0f;
        }
        weights[e] = w;
        any |= w != 0.0f;  // NaN counts: it must reach O
    }
    if (!__syncthreads_or(any)) {
        return;  // no kept key in this chunk: its values are never read
    }
    decode_load_rows<T>(values, static_cast<const T*>(p.v) + (static_cast<int64_t>(bkv) * p.capacity + j0) * p.dv,
                        n, p.dv);
    __syncthreads();
    for (int e = threadIdx.x; e < rows * p.dv; e += blockDim.x) {
        const int r = e / p.dv;
        const int c = e - r * p.dv;
        const float* w = weights + r * kDecodeChunk;
        float acc = 0.0f;
        bool touched = false;
        for (int t = 0; t < n; ++t) {
            if (w[t] != 0.0f) {  // a zero weight adds nothing, whatever the value
                acc += w[t] * static_cast<float>(values[t * p.dv + c]);
                touched = true;
            }
        }
        if (touched) {
            const int32_t h = kvh * p.group + r / p.nq;
            const int64_t out_row = (static_cast<int64_t>(b) * p.q_heads + h) * p.nq + r % p.nq;
            atomicAdd(p.o_acc + out_row * p.dv + c, acc);
        }
    }
}

/** Appends: copies the new keys and values into place. grid: B * Hkv * t rows, 128 threads over the columns. */
template <typename T>
__global__ void __launch_bounds__(128) kv_copy_kernel(const KvAppendParams p) {
    const int64_t id = blockIdx.x;
    const int32_t tt = static_cast<int32_t>(id % p.t);
    const int64_t bh = id / p.t;
    const int32_t b = static_cast<int32_t>(bh / p.kv_heads);
    if (tt >= p.counts[b]) {
        return;
    }
    const int64_t pos = static_cast<int64_t>(p.from[b]) + tt;
    const T* ks = static_cast<const T*>(p.k_new) + (bh * p.t + tt) * p.d;
    const T* vs = static_cast<const T*>(p.v_new) + (bh * p.t + tt) * p.dv;
    T* kd = static_cast<T*>(p.k) + (bh * p.capacity + pos) * p.d;
    T* vd = static_cast<T*>(p.v) + (bh * p.capacity + pos) * p.dv;
    for (int c = threadIdx.x; c < p.d; c += blockDim.x) {
        kd[c] = ks[c];
    }
    for (int c = threadIdx.x; c < p.dv; c += blockDim.x) {
        vd[c] = vs[c];
    }
}

/**
 * Appends: adds the new keys to their blocks' float64 sums, in position order (the reference's order, bit for bit).
 * grid: B * Hkv, 128 threads over the columns.
 */
template <typename T>
__global__ void __launch_bounds__(128) kv_sums_kernel(const KvAppendParams p) {
    const int64_t bh = blockIdx.x;
    const int32_t b = static_cast<int32_t>(bh / p.kv_heads);
    const int32_t count = p.counts[b];
    const T* ks = static_cast<const T*>(p.k_new) + bh * p.t * p.d;
    double* sums = p.block_sums + bh * p.block_capacity * p.d;
    for (int c = threadIdx.x; c < p.d; c += blockDim.x) {
        for (int32_t tt = 0; tt < count; ++tt) {
            const int64_t blk = (static_cast<int64_t>(p.from[b]) + tt) / p.block_size;
            double& sum = sums[blk * p.d + c];
            sum = add_exact_order(sum, static_cast<double>(static_cast<float>(ks[static_cast<int64_t>(tt) * p.d + c])));
        }
    }
}

}  // namespace attn4j
