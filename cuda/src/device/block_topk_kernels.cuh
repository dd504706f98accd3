// Dynamic block top-k on the GPU, three small kernels before the attention pass:
//  1. pool:   the mean query of every query tile and the mean key of every key tile (float64, rows summed in
//             order, then times 1/n: the reference's arithmetic, so the means match it bit for bit);
//  2. select: per (batch, head, query tile), the score of every candidate key tile (scale * dot of the means,
//             float64 without fused multiply-add, as the reference) and the k best, ties to the lower tile;
//  3. refine: the kernels' compressed rows intersected with the selection: tiles with no selected allowed pair are
//             dropped (never loaded), tiles not wholly selected become partial.
#pragma once

#include "../../host/selection_rules.hpp"
#include "../../host/topk_refine.hpp"
#include "tile_ops.cuh"

namespace attn4j {


/** grid B * H * tiles, 128 threads over the columns. */
template <typename T>
__global__ void __launch_bounds__(128) block_means_kernel(const BlockTopKParams p) {
    const int64_t bh = blockIdx.x / p.tiles;
    const int64_t tile = blockIdx.x % p.tiles;
    const int64_t r0 = tile * p.tile;
    const int64_t r1 = r0 + p.tile < p.n ? r0 + p.tile : p.n;
    const T* x = static_cast<const T*>(p.x) + bh * p.n * static_cast<int64_t>(p.d);
    const double count = static_cast<double>(r1 - r0);
    for (int c = threadIdx.x; c < p.d; c += blockDim.x) {
        double sum = 0.0;
        for (int64_t r = r0; r < r1; ++r) {
            sum = add_exact_order(sum, static_cast<double>(static_cast<float>(x[r * p.d + c])));
        }
        // The mean as BlockTopKSelection computes it: the ordered sum divided by the row count.
        p.means[(bh * p.tiles + tile) * p.d + c] = __ddiv_rn(sum, count);
    }
}

/** grid B * Hq * QB, 128 threads over the key tiles. */
__global__ void __launch_bounds__(128) block_select_kernel(const BlockTopKParams p) {
    const int32_t qb = static_cast<int32_t>(blockIdx.x % p.qblocks);
    const int64_t bh = blockIdx.x / p.qblocks;
    const int32_t b = static_cast<int32_t>(bh / p.q_heads);
    const int32_t h = static_cast<int32_t>(bh % p.q_heads);
    const int32_t kvh = h / (p.q_heads / p.kv_heads);
    const int64_t cb = p.cand_mb == 1 ? 0 : b;
    const int64_t ch = p.cand_mh == 1 ? 0 : h;
    const uint8_t* cand = p.candidates + ((cb * p.cand_mh + ch) * p.qblocks + qb) * static_cast<int64_t>(p.kblocks);
    const double* qm = p.q_means + (bh * p.qblocks + qb) * static_cast<int64_t>(p.d);
    const double* km = p.k_means + (static_cast<int64_t>(b) * p.kv_heads + kvh) * p.kblocks * static_cast<int64_t>(p.d);
    const int64_t out = (bh * p.qblocks + qb) * static_cast<int64_t>(p.kblocks);
    double* scores = p.scores + out;
    for (int32_t kb = threadIdx.x; kb < p.kblocks; kb += blockDim.x) {
        if (cand[kb]) {
            double dot = 0.0;
            const double* kr = km + static_cast<int64_t>(kb) * p.d;
            for (int c = 0; c < p.d; ++c) {
                dot = add_exact_order(dot, mul_exact_order(qm[c], kr[c]));
            }
            scores[kb] = mul_exact_order(p.scale, dot);
        }
    }
    __syncthreads();  // the block's global writes are visible to the whole block after the barrier
    for (int32_t kb = threadIdx.x; kb < p.kblocks; kb += blockDim.x) {
        uint8_t keep = 0;
        if (cand[kb]) {
            const double mine = scores[kb];
            int32_t ahead = 0;
            for (int32_t o = 0; o < p.kblocks && ahead < p.k; ++o) {
                if (o != kb && cand[o] && block_ranks_before(scores[o], o, mine, kb)) {
                    ++ahead;
                }
            }
            keep = ahead < p.k ? 1 : 0;
        }
        p.selected[out + kb] = keep;
    }
}


/** One thread per (b, h, qt): keeps the static row's tiles that hold a selected, allowed pair. */
__global__ void __launch_bounds__(128) block_refine_kernel(const RefineParams p) {
    const int64_t id = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    const int64_t lines = static_cast<int64_t>(p.batch) * p.q_heads * p.qtiles;
    if (id >= lines) {
        return;
    }
    const int32_t qt = static_cast<int32_t>(id % p.qtiles);
    const int64_t bh = id / p.qtiles;
    const int32_t b = static_cast<int32_t>(bh / p.q_heads);
    const int32_t h = static_cast<int32_t>(bh % p.q_heads);
    const int64_t line = line_index(p.static_rows, b, h, qt);
    int32_t partial = 0;
    const int32_t n = refine_row(p.mask, p.has_block ? &p.block : nullptr, p.selected, b, h, qt, kTile,
                                 p.static_rows.tiles + line * p.static_rows.capacity, p.static_rows.count[line],
                                 p.static_rows.partial[line], p.tiles + id * p.ktiles, &partial);
    p.count[id] = n;
    p.partial[id] = partial;
}

}  // namespace attn4j
