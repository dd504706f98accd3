// Where each lane of a warp points ldmatrix, and which matrix element each lane holds, for the tensor-core
// instruction the kernels use: mma.sync.aligned.m16n8k16 (fp16/bf16 inputs, fp32 accumulators).
//
// PTX fragment layouts (lane = 4 * g + t, g = lane / 4, t = lane % 4), each register holding two 16-bit values, the
// lower column/k index in the low half:
//   A (16x16, row-major):  a0 = (g,   2t..2t+1)   a1 = (g+8, 2t..2t+1)   a2 = (g, 8+2t..)   a3 = (g+8, 8+2t..)
//   B (16x8,  k x n):      b0 = (k 2t..2t+1, n g)   b1 = (k 8+2t..8+2t+1, n g)
//   C (16x8,  fp32):       c0,c1 = (g, 2t..2t+1)    c2,c3 = (g+8, 2t..2t+1)
// ldmatrix.x4: lanes 8m..8m+7 give the row addresses of 8x8 matrix m; lane l receives, of matrix m, register m
// holding row l/4, columns 2(l%4)..+1 (with .trans: column l/4, rows 2(l%4)..+1).
// The host tests emulate these semantics and check every pairing below against a plain matrix product.
#pragma once

#include "hd.hpp"

namespace attn4j {
namespace frag {

/** Row/column, inside a 16x16 block, a lane points ldmatrix.x4 at to load an A operand of a row-major [m][k]. */
ATTN4J_HD void a_rowmajor(int lane, int& row, int& col) {
    const int m = lane >> 3;
    row = (lane & 7) + 8 * (m & 1);
    col = 8 * (m >> 1);
}

/**
 * ldmatrix.x4 (no .trans) of B operands for two consecutive n8 tiles out of a row-major [n][k] matrix (K in S = Q
 * K^T): registers 0, 1 are b0, b1 of the first tile, 2, 3 of the second. Row = n within 16, col = k within 16.
 */
ATTN4J_HD void b_from_nk(int lane, int& row, int& col) {
    const int m = lane >> 3;
    row = (lane & 7) + 8 * (m >> 1);
    col = 8 * (m & 1);
}

/**
 * ldmatrix.x4.trans of B operands for two consecutive n8 tiles out of a row-major [k][n] matrix (V in O = P V):
 * registers 0, 1 are b0, b1 of the first tile, 2, 3 of the second. Row = k within 16, col = n within 16.
 */
ATTN4J_HD void b_from_kn(int lane, int& row, int& col) {
    const int m = lane >> 3;
    row = (lane & 7) + 8 * (m & 1);
    col = 8 * (m >> 1);
}

/**
 * ldmatrix.x4.trans of an A operand [m][k] out of its transpose stored row-major as [k][m] (dS^T in dQ = dS K).
 * Row = k within 16, col = m within 16.
 */
ATTN4J_HD void a_from_km(int lane, int& row, int& col) {
    const int m = lane >> 3;
    row = (lane & 7) + 8 * (m >> 1);
    col = 8 * (m & 1);
}

/** Row (0..15) of accumulator register i (0..3) of a lane. */
ATTN4J_HD int acc_row(int lane, int i) {
    return (lane >> 2) + 8 * (i >> 1);
}

/** Column (0..7) of accumulator register i (0..3) of a lane. */
ATTN4J_HD int acc_col(int lane, int i) {
    return 2 * (lane & 3) + (i & 1);
}

}  // namespace frag
}  // namespace attn4j
