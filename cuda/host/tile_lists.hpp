// Compressed rows of the kernels' tile grid (FlexAttention's BlockMask format, split into partial and full tiles):
// for every query tile (a "line"), how many key tiles hold an allowed pair, how many of those need per-element
// masking, and their indices, partial ones first. Columns are the same per key tile (the backward pass walks them).
// Lines are stored per mask row [mb][mh] and broadcast when the mask is shared by every batch or head.
#pragma once

#include "hd.hpp"

namespace attn4j {

/** A device or host view of one set of lines; capacity = entries reserved per line. */
struct TileListView {
    const int32_t* count = nullptr;
    const int32_t* partial = nullptr;
    const int32_t* tiles = nullptr;
    int32_t capacity = 0;
    int32_t mb = 1;
    int32_t mh = 1;
    int32_t per_head = 0;  // lines per (batch, head): query tiles for rows, key tiles for columns
};

ATTN4J_HD int64_t line_index(const TileListView& v, int32_t b, int32_t h, int32_t t) {
    const int64_t bb = v.mb == 1 ? 0 : b;
    const int64_t hh = v.mh == 1 ? 0 : h;
    return (bb * v.mh + hh) * v.per_head + t;
}

}  // namespace attn4j
