// A CPU model of the two warp-level instructions the kernels build on, written from the PTX ISA's description:
// ldmatrix.sync.aligned.m8n8.x4[.trans].shared.b16 and mma.sync.aligned.m16n8k16.row.col.f32 (see
// host/fragments.hpp). Values are floats here; the tests use small integers so every product is exact.
#pragma once

namespace attn4j {
namespace emu {

/** Registers of a warp: [lane][register][half]. */
struct Regs4 {
    float v[32][4][2];
};

/** A row-major matrix in "shared memory" with a row stride. */
struct Shared {
    const float* data;
    int stride;
    float at(int r, int c) const {
        return data[r * stride + c];
    }
};

/**
 * ldmatrix.x4: lane l supplies the start (row, col) of row (l % 8) of matrix (l / 8); every lane then receives,
 * in register m, row l/4 columns 2(l%4), 2(l%4)+1 of matrix m (transposed: column l/4, rows 2(l%4), 2(l%4)+1).
 */
inline Regs4 ldmatrix_x4(const Shared& s, const int row[32], const int col[32], bool trans) {
    Regs4 out{};
    for (int m = 0; m < 4; ++m) {
        float mat[8][8];
        for (int r = 0; r < 8; ++r) {
            for (int c = 0; c < 8; ++c) {
                mat[r][c] = s.at(row[8 * m + r], col[8 * m + r] + c);
            }
        }
        for (int l = 0; l < 32; ++l) {
            for (int e = 0; e < 2; ++e) {
                out.v[l][m][e] = trans ? mat[2 * (l % 4) + e][l / 4] : mat[l / 4][2 * (l % 4) + e];
            }
        }
    }
    return out;
}

/** d[lane][i] += (A B)[row][col] with the m16n8k16 fragment layouts; b0/b1 are each lane's two B registers. */
inline void mma_16816(float d[32][4], const float a[32][4][2], const float b0[32][2], const float b1[32][2]) {
    float A[16][16];
    float B[16][8];
    for (int l = 0; l < 32; ++l) {
        for (int i = 0; i < 4; ++i) {
            for (int e = 0; e < 2; ++e) {
                A[l / 4 + 8 * (i % 2)][2 * (l % 4) + e + 8 * (i / 2)] = a[l][i][e];
            }
        }
        for (int e = 0; e < 2; ++e) {
            B[2 * (l % 4) + e][l / 4] = b0[l][e];
            B[2 * (l % 4) + e + 8][l / 4] = b1[l][e];
        }
    }
    for (int l = 0; l < 32; ++l) {
        for (int i = 0; i < 4; ++i) {
            const int r = l / 4 + 8 * (i / 2);
            const int c = 2 * (l % 4) + (i % 2);
            float acc = 0;
            for (int k = 0; k < 16; ++k) {
                acc += A[r][k] * B[k][c];
            }
            d[l][i] += acc;
        }
    }
}

}  // namespace emu
}  // namespace attn4j
