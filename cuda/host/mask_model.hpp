// The static masks of ../shared/SPEC.md (causal, sliding window with global tokens, block mask) evaluated per pair,
// per row and per rectangle of pairs. The kernels call static_allowed/cell_on for the pairs of partial tiles; the
// host plan builder calls classify_region to sort tiles into empty, partial and full. Same code on both sides.
#pragma once

#include "hd.hpp"

namespace attn4j {

enum class TileKind : int8_t { Empty = 0, Partial = 1, Full = 2 };

/** Causal and sliding-window parameters of one request. Query i sits at aligned position i + (nk - nq). */
struct MaskParams {
    int32_t nq = 0;
    int32_t nk = 0;
    int32_t causal = 0;
    int32_t windowed = 0;
    int32_t left = 0;
    int32_t right = 0;
    int32_t global = 0;  // only meaningful with windowed
};

/**
 * Whether the query at aligned position ip is a global token: 0 <= i' < G. A query with i' < 0 (Nq > Nk) never is,
 * so its window may hold no key (SPEC; FlashAttention's local attention).
 */
ATTN4J_HD bool global_query(const MaskParams& m, int64_t ip) {
    return ip >= 0 && ip < m.global;
}

/** C(i, j) and L(i, j) of the SPEC for an in-range pair (0 <= i < nq, 0 <= j < nk). */
ATTN4J_HD bool static_allowed(const MaskParams& m, int64_t i, int64_t j) {
    const int64_t ip = i + static_cast<int64_t>(m.nk) - m.nq;
    if (m.causal && j > ip) {
        return false;
    }
    if (m.windowed && !(j < m.global || global_query(m, ip)) && (j < ip - m.left || j > ip + m.right)) {
        return false;
    }
    return true;
}

/**
 * Row i's allowed keys under causal and window (not the block mask) as at most two sorted, disjoint [start, end)
 * intervals written to out[0..3]; returns how many. Mirrors org.attn4j.mask.StaticMask#rowIntervals.
 */
ATTN4J_HD int row_intervals(const MaskParams& m, int64_t i, int64_t out[4]) {
    const int64_t ip = i + static_cast<int64_t>(m.nk) - m.nq;
    int64_t hi = m.nk;
    if (m.causal && ip + 1 < hi) {
        hi = ip + 1;
    }
    if (hi <= 0) {
        return 0;
    }
    if (!m.windowed || global_query(m, ip)) {
        out[0] = 0;
        out[1] = hi;
        return 1;
    }
    const int64_t w_lo = ip - m.left > 0 ? ip - m.left : 0;
    const int64_t w_hi = ip + m.right + 1 < hi ? ip + m.right + 1 : hi;
    const int64_t g_hi = m.global < hi ? m.global : hi;
    if (g_hi > 0 && w_lo <= g_hi) {
        out[0] = 0;
        out[1] = g_hi > w_hi ? g_hi : w_hi;
        return 1;
    }
    int n = 0;
    if (g_hi > 0) {
        out[n++] = 0;
        out[n++] = g_hi;
    }
    if (w_lo < w_hi) {
        out[n++] = w_lo;
        out[n++] = w_hi;
    }
    return n / 2;
}

/**
 * A boolean grid over tiles of bq x bk pairs, [mb][mh][qblocks][kblocks] bytes, where mb and mh are 1 when the
 * grid is shared by every batch or head. Used for the static block mask and for the block top-k selection.
 */
struct CellGrid {
    const uint8_t* cells = nullptr;
    int32_t mb = 1;
    int32_t mh = 1;
    int32_t qblocks = 0;
    int32_t kblocks = 0;
    int32_t bq = 1;
    int32_t bk = 1;
};

ATTN4J_HD int64_t cell_index(const CellGrid& g, int32_t b, int32_t h, int64_t qb, int64_t kb) {
    const int64_t bb = g.mb == 1 ? 0 : b;
    const int64_t hh = g.mh == 1 ? 0 : h;
    return ((bb * g.mh + hh) * g.qblocks + qb) * g.kblocks + kb;
}

/** Whether the cell holding in-range pair (i, j) is set, for batch b and query head h. */
ATTN4J_HD bool cell_on(const CellGrid& g, int32_t b, int32_t h, int64_t i, int64_t j) {
    return g.cells[cell_index(g, b, h, i / g.bq, j / g.bk)] != 0;
}

/** Causal and window only: what they leave of queries [i0, i1) x keys [j0, j1). O(i1 - i0). */
ATTN4J_HD TileKind classify_intervals(const MaskParams& m, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    if (i0 >= i1 || j0 >= j1) {
        return TileKind::Empty;
    }
    if (!m.causal && !m.windowed) {
        return TileKind::Full;
    }
    bool any = false;
    bool all = true;
    int64_t iv[4];
    for (int64_t i = i0; i < i1; ++i) {
        const int n = row_intervals(m, i, iv);
        int64_t covered = 0;
        for (int t = 0; t < n; ++t) {
            const int64_t lo = iv[2 * t] > j0 ? iv[2 * t] : j0;
            const int64_t hi = iv[2 * t + 1] < j1 ? iv[2 * t + 1] : j1;
            if (hi > lo) {
                covered += hi - lo;
            }
        }
        any = any || covered > 0;
        all = all && covered == j1 - j0;
        if (any && !all) {
            return TileKind::Partial;
        }
    }
    return !any ? TileKind::Empty : (all ? TileKind::Full : TileKind::Partial);
}

/**
 * What causal, window and (when grid != nullptr) the grid leave of queries [i0, i1) x keys [j0, j1) for batch b,
 * query head h. The rectangle must lie inside [0, nq) x [0, nk). Mirrors StaticMask#classify.
 */
ATTN4J_HD TileKind classify_region(const MaskParams& m, const CellGrid* grid, int32_t b, int32_t h, int64_t i0,
                                   int64_t i1, int64_t j0, int64_t j1) {
    if (i0 >= i1 || j0 >= j1) {
        return TileKind::Empty;
    }
    if (grid == nullptr) {
        return classify_intervals(m, i0, i1, j0, j1);
    }
    bool any = false;
    bool all = true;
    for (int64_t qb = i0 / grid->bq; qb * grid->bq < i1; ++qb) {
        const int64_t pi0 = i0 > qb * grid->bq ? i0 : qb * grid->bq;
        const int64_t pi1 = i1 < (qb + 1) * grid->bq ? i1 : (qb + 1) * grid->bq;
        for (int64_t kb = j0 / grid->bk; kb * grid->bk < j1; ++kb) {
            const int64_t pj0 = j0 > kb * grid->bk ? j0 : kb * grid->bk;
            const int64_t pj1 = j1 < (kb + 1) * grid->bk ? j1 : (kb + 1) * grid->bk;
            if (grid->cells[cell_index(*grid, b, h, qb, kb)] == 0) {
                all = false;
            } else {
                const TileKind piece = classify_intervals(m, pi0, pi1, pj0, pj1);
                any = any || piece != TileKind::Empty;
                all = all && piece == TileKind::Full;
            }
            if (any && !all) {
                return TileKind::Partial;
            }
        }
    }
    return !any ? TileKind::Empty : (all ? TileKind::Full : TileKind::Partial);
}

}  // namespace attn4j
