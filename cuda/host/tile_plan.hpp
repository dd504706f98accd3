// Host side of a mask plan: classifies every tile of the kernels' grid under the static masks, compresses the
// result into rows and columns (partial tiles first, then full ones), orders the work heaviest first, and lists the
// candidate tiles of block top-k. Built once per mask shape, uploaded as one buffer, reused by every call.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "mask_model.hpp"
#include "tile_lists.hpp"

namespace attn4j {

struct PlanRequest {
    MaskParams mask;
    int32_t batch = 1;
    int32_t q_heads = 1;
    int32_t kv_heads = 1;
    int32_t tile_q = 64;        // the kernels' tile sizes
    int32_t tile_k = 64;
    bool has_block = false;     // static block mask, cells in block.cells (host memory)
    CellGrid block;
    int32_t topk_bq = 0;        // block top-k tile sizes, 0 without block top-k
    int32_t topk_bk = 0;
};

struct HostTileLists {
    int32_t lines = 0;
    int32_t capacity = 0;
    std::vector<int32_t> count;
    std::vector<int32_t> partial;
    std::vector<int32_t> tiles;
};

struct HostPlan {
    int32_t mb = 1;
    int32_t mh = 1;
    int32_t qtiles = 0;
    int32_t ktiles = 0;
    HostTileLists rows;
    HostTileLists cols;
    std::vector<int32_t> fwd_schedule;  // B*Hq*QT items (b*Hq + h)*QT + qt, heaviest first
    std::vector<int32_t> bwd_schedule;  // B*Hkv*KT items (b*Hkv + kvh)*KT + kt, heaviest first
    int32_t topk_qblocks = 0;
    int32_t topk_kblocks = 0;
    std::vector<uint8_t> topk_candidates;  // [mb][mh][topk_qblocks][topk_kblocks]
    int64_t nonempty_tiles = 0;            // over mask rows, for diagnostics and tests
    int64_t full_tiles = 0;
};

/** Kind of kernel tile (qt, kt) for mask row (bb, hh); a full tile cut by the end of the keys is partial. */
inline TileKind kernel_tile_kind(const PlanRequest& r, TileKind static_kind, int32_t bb, int32_t hh, int32_t qt,
                                 int32_t kt) {
    const int64_t i0 = static_cast<int64_t>(qt) * r.tile_q;
    const int64_t i1 = std::min<int64_t>(r.mask.nq, i0 + r.tile_q);
    const int64_t j0 = static_cast<int64_t>(kt) * r.tile_k;
    const int64_t j1 = std::min<int64_t>(r.mask.nk, j0 + r.tile_k);
    TileKind kind = static_kind;
    if (kind != TileKind::Empty && r.has_block) {
        if (kind == TileKind::Full) {
            // Every pair passes causal/window: the cells alone decide.
            bool any = false;
            bool all = true;
            for (int64_t qb = i0 / r.block.bq; qb * r.block.bq < i1; ++qb) {
                for (int64_t kb = j0 / r.block.bk; kb * r.block.bk < j1; ++kb) {
                    const bool on = r.block.cells[cell_index(r.block, bb, hh, qb, kb)] != 0;
                    any = any || on;
                    all = all && on;
                }
            }
            kind = !any ? TileKind::Empty : (all ? TileKind::Full : TileKind::Partial);
        } else {
            kind = classify_region(r.mask, &r.block, bb, hh, i0, i1, j0, j1);
        }
    }
    if (kind == TileKind::Full && j0 + r.tile_k > r.mask.nk) {
        kind = TileKind::Partial;  // the kernel must mask the columns past the last key
    }
    return kind;
}

namespace detail {

/** Indices 0..weights.size()-1 ordered by descending weight, ties in ascending index (a stable counting sort). */
inline std::vector<int32_t> heaviest_first(const std::vector<int32_t>& weights) {
    int32_t max_w = 0;
    for (int32_t w : weights) {
        max_w = std::max(max_w, w);
    }
    std::vector<int64_t> start(static_cast<size_t>(max_w) + 2, 0);
    for (int32_t w : weights) {
        start[static_cast<size_t>(max_w - w) + 1]++;
    }
    for (size_t i = 1; i < start.size(); ++i) {
        start[i] += start[i - 1];
    }
    std::vector<int32_t> order(weights.size());
    for (size_t i = 0; i < weights.size(); ++i) {
        order[static_cast<size_t>(start[static_cast<size_t>(max_w - weights[i])]++)] = static_cast<int32_t>(i);
    }
    return order;
}

inline void require(bool ok, const std::string& message) {
    if (!ok) {
        throw std::invalid_argument(message);
    }
}

}  // namespace detail

/** Builds the plan. Throws std::invalid_argument naming the field when the request is inconsistent. */
inline HostPlan build_plan(const PlanRequest& r) {
    using detail::require;
    require(r.mask.nq >= 1, "nq: expected >= 1, got " + std::to_string(r.mask.nq));
    require(r.mask.nk >= 1, "nk: expected >= 1, got " + std::to_string(r.mask.nk));
    require(r.batch >= 1 && r.q_heads >= 1 && r.kv_heads >= 1, "batch/heads: expected >= 1");
    require(r.q_heads % r.kv_heads == 0, "kv heads: expected a divisor of the query heads ("
            + std::to_string(r.q_heads) + "), got " + std::to_string(r.kv_heads));
    require(r.tile_q >= 16 && r.tile_k >= 16, "kernel tiles: expected >= 16");
    require(r.mask.left >= 0 && r.mask.right >= 0 && r.mask.global >= 0, "window: expected left, right, global >= 0");
    HostPlan p;
    if (r.has_block) {
        require(r.block.cells != nullptr, "block mask: cells missing");
        require(r.block.bq >= 1 && r.block.bk >= 1, "block mask tile: expected >= 1");
        require(r.block.mb == 1 || r.block.mb == r.batch, "block mask batch: expected 1 or "
                + std::to_string(r.batch) + ", got " + std::to_string(r.block.mb));
        require(r.block.mh == 1 || r.block.mh == r.q_heads, "block mask heads: expected 1 or "
                + std::to_string(r.q_heads) + ", got " + std::to_string(r.block.mh));
        require(r.block.qblocks == ceil_div(r.mask.nq, r.block.bq), "block mask query blocks: expected "
                + std::to_string(ceil_div(r.mask.nq, r.block.bq)) + ", got " + std::to_string(r.block.qblocks));
        require(r.block.kblocks == ceil_div(r.mask.nk, r.block.bk), "block mask key blocks: expected "
                + std::to_string(ceil_div(r.mask.nk, r.block.bk)) + ", got " + std::to_string(r.block.kblocks));
        p.mb = r.block.mb;
        p.mh = r.block.mh;
    }
    p.qtiles = static_cast<int32_t>(ceil_div(r.mask.nq, r.tile_q));
    p.ktiles = static_cast<int32_t>(ceil_div(r.mask.nk, r.tile_k));
    const int64_t mrows = static_cast<int64_t>(p.mb) * p.mh;
    const int64_t grid = static_cast<int64_t>(p.qtiles) * p.ktiles;
    require(mrows * grid <= (int64_t{1} << 31) - 1, "mask plan: " + std::to_string(mrows * grid)
            + " tiles is too many (at most 2^31 - 1)");
    require(static_cast<int64_t>(r.batch) * r.q_heads * p.qtiles <= (int64_t{1} << 31) - 1,
            "batch * heads * query tiles: at most 2^31 - 1");

    // Causal and window do not depend on batch or head: classify each tile once.
    std::vector<TileKind> static_kind(static_cast<size_t>(grid));
    for (int32_t qt = 0; qt < p.qtiles; ++qt) {
        const int64_t i0 = static_cast<int64_t>(qt) * r.tile_q;
        const int64_t i1 = std::min<int64_t>(r.mask.nq, i0 + r.tile_q);
        for (int32_t kt = 0; kt < p.ktiles; ++kt) {
            const int64_t j0 = static_cast<int64_t>(kt) * r.tile_k;
            const int64_t j1 = std::min<int64_t>(r.mask.nk, j0 + r.tile_k);
            static_kind[static_cast<size_t>(qt) * p.ktiles + kt] = classify_intervals(r.mask, i0, i1, j0, j1);
        }
    }

    std::vector<TileKind> kinds(static_cast<size_t>(mrows * grid));
    for (int32_t bb = 0; bb < p.mb; ++bb) {
        for (int32_t hh = 0; hh < p.mh; ++hh) {
            const size_t base = static_cast<size_t>((static_cast<int64_t>(bb) * p.mh + hh) * grid);
            for (int32_t qt = 0; qt < p.qtiles; ++qt) {
                for (int32_t kt = 0; kt < p.ktiles; ++kt) {
                    const size_t at = static_cast<size_t>(qt) * p.ktiles + kt;
                    kinds[base + at] = kernel_tile_kind(r, static_kind[at], bb, hh, qt, kt);
                }
            }
        }
    }

    auto fill = [&](HostTileLists& lists, int32_t per_head, int32_t capacity, bool by_rows) {
        lists.lines = static_cast<int32_t>(mrows * per_head);
        lists.capacity = capacity;
        lists.count.assign(static_cast<size_t>(lists.lines), 0);
        lists.partial.assign(static_cast<size_t>(lists.lines), 0);
        lists.tiles.assign(static_cast<size_t>(lists.lines) * capacity, 0);
        for (int64_t mr = 0; mr < mrows; ++mr) {
            for (int32_t t = 0; t < per_head; ++t) {
                const size_t line = static_cast<size_t>(mr * per_head + t);
                int32_t* out = lists.tiles.data() + line * capacity;
                int32_t n = 0;
                for (int pass = 0; pass < 2; ++pass) {
                    const TileKind want = pass == 0 ? TileKind::Partial : TileKind::Full;
                    for (int32_t u = 0; u < capacity; ++u) {
                        const int32_t qt = by_rows ? t : u;
                        const int32_t kt = by_rows ? u : t;
                        if (kinds[static_cast<size_t>(mr * grid) + static_cast<size_t>(qt) * p.ktiles + kt] == want) {
                            out[n++] = u;
                        }
                    }
                    if (pass == 0) {
                        lists.partial[line] = n;
                    }
                }
                lists.count[line] = n;
            }
        }
    };
    fill(p.rows, p.qtiles, p.ktiles, true);
    fill(p.cols, p.ktiles, p.qtiles, false);
    for (size_t i = 0; i < p.rows.count.size(); ++i) {
        p.nonempty_tiles += p.rows.count[i];
        p.full_tiles += p.rows.count[i] - p.rows.partial[i];
    }

    // Work order: a partial tile costs a little more than a full one.
    const TileListView rows_view{p.rows.count.data(), p.rows.partial.data(), p.rows.tiles.data(), p.rows.capacity,
                                 p.mb, p.mh, p.qtiles};
    const TileListView cols_view{p.cols.count.data(), p.cols.partial.data(), p.cols.tiles.data(), p.cols.capacity,
                                 p.mb, p.mh, p.ktiles};
    std::vector<int32_t> weights(static_cast<size_t>(r.batch) * r.q_heads * p.qtiles);
    for (int32_t b = 0; b < r.batch; ++b) {
        for (int32_t h = 0; h < r.q_heads; ++h) {
            for (int32_t qt = 0; qt < p.qtiles; ++qt) {
                const int64_t line = line_index(rows_view, b, h, qt);
                weights[(static_cast<size_t>(b) * r.q_heads + h) * p.qtiles + qt] =
                        4 * p.rows.count[static_cast<size_t>(line)] + p.rows.partial[static_cast<size_t>(line)];
            }
        }
    }
    p.fwd_schedule = detail::heaviest_first(weights);
    const int32_t group = r.q_heads / r.kv_heads;
    weights.assign(static_cast<size_t>(r.batch) * r.kv_heads * p.ktiles, 0);
    for (int32_t b = 0; b < r.batch; ++b) {
        for (int32_t kvh = 0; kvh < r.kv_heads; ++kvh) {
            for (int32_t kt = 0; kt < p.ktiles; ++kt) {
                int32_t w = 0;
                for (int32_t h = kvh * group; h < (kvh + 1) * group; ++h) {
                    const int64_t line = line_index(cols_view, b, h, kt);
                    w += 4 * p.cols.count[static_cast<size_t>(line)] + p.cols.partial[static_cast<size_t>(line)];
                }
                weights[(static_cast<size_t>(b) * r.kv_heads + kvh) * p.ktiles + kt] = w;
            }
        }
    }
    p.bwd_schedule = detail::heaviest_first(weights);

    if (r.topk_bq > 0) {
        require(r.topk_bk >= 1, "block top-k tile: expected >= 1");
        p.topk_qblocks = static_cast<int32_t>(ceil_div(r.mask.nq, r.topk_bq));
        p.topk_kblocks = static_cast<int32_t>(ceil_div(r.mask.nk, r.topk_bk));
        const int64_t cells = mrows * p.topk_qblocks * p.topk_kblocks;
        require(cells <= (int64_t{1} << 31) - 1, "block top-k grid: too many tiles");
        p.topk_candidates.assign(static_cast<size_t>(cells), 0);
        for (int32_t qb = 0; qb < p.topk_qblocks; ++qb) {
            const int64_t i0 = static_cast<int64_t>(qb) * r.topk_bq;
            const int64_t i1 = std::min<int64_t>(r.mask.nq, i0 + r.topk_bq);
            for (int32_t kb = 0; kb < p.topk_kblocks; ++kb) {
                const int64_t j0 = static_cast<int64_t>(kb) * r.topk_bk;
                const int64_t j1 = std::min<int64_t>(r.mask.nk, j0 + r.topk_bk);
                const TileKind s = classify_intervals(r.mask, i0, i1, j0, j1);
                for (int64_t mr = 0; mr < mrows; ++mr) {
                    TileKind k = s;
                    if (k != TileKind::Empty && r.has_block) {
                        k = classify_region(r.mask, &r.block, static_cast<int32_t>(mr / p.mh),
                                            static_cast<int32_t>(mr % p.mh), i0, i1, j0, j1);
                    }
                    p.topk_candidates[static_cast<size_t>((mr * p.topk_qblocks + qb) * p.topk_kblocks + kb)] =
                            k != TileKind::Empty ? 1 : 0;
                }
            }
        }
    }
    return p;
}

/** Byte offsets of the sections of a plan packed into one device buffer (each 256-byte aligned). */
struct PlanLayout {
    int64_t rows_count = 0, rows_partial = 0, rows_tiles = 0;
    int64_t cols_count = 0, cols_partial = 0, cols_tiles = 0;
    int64_t fwd_schedule = 0, bwd_schedule = 0;
    int64_t block_cells = 0, topk_candidates = 0;
    int64_t total = 0;
};

inline PlanLayout plan_layout(const HostPlan& p, int64_t block_cell_bytes) {
    PlanLayout l;
    int64_t at = 0;
    auto take = [&at](int64_t bytes) {
        const int64_t here = at;
        at += (bytes + 255) / 256 * 256;
        return here;
    };
    l.rows_count = take(4 * static_cast<int64_t>(p.rows.count.size()));
    l.rows_partial = take(4 * static_cast<int64_t>(p.rows.partial.size()));
    l.rows_tiles = take(4 * static_cast<int64_t>(p.rows.tiles.size()));
    l.cols_count = take(4 * static_cast<int64_t>(p.cols.count.size()));
    l.cols_partial = take(4 * static_cast<int64_t>(p.cols.partial.size()));
    l.cols_tiles = take(4 * static_cast<int64_t>(p.cols.tiles.size()));
    l.fwd_schedule = take(4 * static_cast<int64_t>(p.fwd_schedule.size()));
    l.bwd_schedule = take(4 * static_cast<int64_t>(p.bwd_schedule.size()));
    l.block_cells = take(block_cell_bytes);
    l.topk_candidates = take(static_cast<int64_t>(p.topk_candidates.size()));
    l.total = at;
    return l;
}

inline void plan_pack(const HostPlan& p, const uint8_t* block_cells, int64_t block_cell_bytes, const PlanLayout& l,
                      uint8_t* dst) {
    auto put = [dst](int64_t offset, const void* src, size_t bytes) {
        if (bytes > 0) {
            std::memcpy(dst + offset, src, bytes);
        }
    };
    std::memset(dst, 0, static_cast<size_t>(l.total));
    put(l.rows_count, p.rows.count.data(), 4 * p.rows.count.size());
    put(l.rows_partial, p.rows.partial.data(), 4 * p.rows.partial.size());
    put(l.rows_tiles, p.rows.tiles.data(), 4 * p.rows.tiles.size());
    put(l.cols_count, p.cols.count.data(), 4 * p.cols.count.size());
    put(l.cols_partial, p.cols.partial.data(), 4 * p.cols.partial.size());
    put(l.cols_tiles, p.cols.tiles.data(), 4 * p.cols.tiles.size());
    put(l.fwd_schedule, p.fwd_schedule.data(), 4 * p.fwd_schedule.size());
    put(l.bwd_schedule, p.bwd_schedule.data(), 4 * p.bwd_schedule.size());
    put(l.block_cells, block_cells, static_cast<size_t>(block_cell_bytes));
    put(l.topk_candidates, p.topk_candidates.data(), p.topk_candidates.size());
}

}  // namespace attn4j
