// The data movement of the warp-wide tensor-core instructions, written from the PTX ISA's fragment layouts: which
// lane receives which matrix element. Pure functions over the 32 lanes' registers, so the tests can check them
// against a brute-force matrix product without running a kernel.
//
// Lane l = 4 g + t (g = l / 4, t = l % 4); a 32-bit register holds two 16-bit elements, the lower index in the low
// half.
//   ldmatrix.m8n8.x4.b16: lanes 8m..8m+7 give the addresses of rows 0..7 of matrix m (16 bytes each); lane l
//     receives in register m the elements (row g, columns 2t, 2t+1) of matrix m; with .trans the elements
//     (rows 2t and 2t+1, column g), i.e. the same fragment of the transposed matrix.
//   mma.m16n8k16.row.col, f16/bf16 inputs, f32 accumulators:
//     A (16x16): a0 = (g, 2t..2t+1), a1 = (g+8, 2t..2t+1), a2 = (g, 8+2t..), a3 = (g+8, 8+2t..)
//     B (16x8, k x n): b0 = (k 2t..2t+1, n g), b1 = (k 8+2t..8+2t+1, n g)
//     C, D (16x8): c0, c1 = (g, 2t..2t+1), c2, c3 = (g+8, 2t..2t+1)
#pragma once

#include <cstdint>

namespace attn4j {
namespace emu {

/** Element types of mma operands. */
enum class MmaType { F16, BF16 };

/** ldmatrix.x4 (.trans): rows[l] is the 16 bytes lane l points at; out[l][m] is lane l's register m. */
void ldmatrix_x4_exchange(const uint32_t (&rows)[32][4], bool trans, uint32_t (&out)[32][4]);

/** Inputs of one lane to mma.m16n8k16: its A, B and C fragments (C as float bits). */
struct MmaLaneInput {
    uint32_t a[4];
    uint32_t b[2];
    float c[4];
};

/**
 * D = A B + C for the warp. Products of 16-bit inputs are exact in float64; each output sums its 16 products and C in
 * float64 and rounds once to float (hardware rounds its partial sums differently: the GPU run checks that).
 */
void mma_16816_exchange(const MmaLaneInput (&in)[32], MmaType type, float (&d)[32][4]);

/** The float value of fp16 / bf16 bits (exact). */
float half_bits_to_float(uint16_t h);
float bf16_bits_to_float(uint16_t b);

}  // namespace emu
}  // namespace attn4j
