// Block top-k, final step: a query tile's compressed row intersected with the selection. Runs on the GPU (one
// thread per row, block_refine_kernel) and in the host tests. A tile stays only if some selected cell overlapping it
// holds a pair the static masks allow (so no tile without an attended pair is ever loaded); it stays full only if it
// was full and every overlapping cell is selected.
#pragma once

#include "mask_model.hpp"

namespace attn4j {

/**
 * in[0..n_all) is the static row (partial tiles first); writes the kept tiles to out (partial first) and returns
 * their count, the number of partial ones in *partial_out.
 */
ATTN4J_HD int32_t refine_row(const MaskParams& mask, const CellGrid* block, const CellGrid& sel, int32_t b, int32_t h,
                             int32_t qt, int32_t tile, const int32_t* in, int32_t n_all, int32_t n_part,
                             int32_t* out, int32_t* partial_out) {
    const int64_t i0 = static_cast<int64_t>(qt) * tile;
    const int64_t i1 = i0 + tile < mask.nq ? i0 + tile : mask.nq;
    int32_t written = 0;
    int32_t partial = 0;
    for (int pass = 0; pass < 2; ++pass) {  // partial tiles first, then full ones
        for (int32_t e = 0; e < n_all; ++e) {
            const int32_t kt = in[e];
            const bool static_full = e >= n_part;
            const int64_t j0 = static_cast<int64_t>(kt) * tile;
            const int64_t j1 = j0 + tile < mask.nk ? j0 + tile : mask.nk;
            bool any = false;
            bool all = true;
            for (int64_t qb = i0 / sel.bq; qb * sel.bq < i1; ++qb) {
                for (int64_t kb = j0 / sel.bk; kb * sel.bk < j1; ++kb) {
                    if (sel.cells[cell_index(sel, b, h, qb, kb)] == 0) {
                        all = false;
                        continue;
                    }
                    if (!any) {
                        if (static_full) {
                            any = true;  // every pair of a full tile is allowed
                        } else {
                            const int64_t a0 = i0 > qb * sel.bq ? i0 : qb * sel.bq;
                            const int64_t a1 = i1 < (qb + 1) * sel.bq ? i1 : (qb + 1) * sel.bq;
                            const int64_t c0 = j0 > kb * sel.bk ? j0 : kb * sel.bk;
                            const int64_t c1 = j1 < (kb + 1) * sel.bk ? j1 : (kb + 1) * sel.bk;
                            any = classify_region(mask, block, b, h, a0, a1, c0, c1) != TileKind::Empty;
                        }
                    }
                }
            }
            if (!any) {
                continue;
            }
            const bool full = static_full && all;
            if ((pass == 0) == !full) {
                out[written++] = kt;
                partial += pass == 0 ? 1 : 0;
            }
        }
    }
    *partial_out = partial;
    return written;
}

}  // namespace attn4j
