#include "fragments_ptx.hpp"

#include <cmath>
#include <cstring>

namespace attn4j {
namespace emu {

namespace {

uint16_t half_of(uint32_t reg, int which) {
    return static_cast<uint16_t>(which == 0 ? reg & 0xffffu : reg >> 16);
}

uint32_t pack(uint16_t lo, uint16_t hi) {
    return static_cast<uint32_t>(lo) | (static_cast<uint32_t>(hi) << 16);
}

/** Element c (0..7) of a 16-byte row given as four registers. */
uint16_t row_element(const uint32_t (&row)[4], int c) {
    return half_of(row[c >> 1], c & 1);
}

}  // namespace

float half_bits_to_float(uint16_t h) {
    const int sign = h >> 15;
    const int exp = (h >> 10) & 0x1f;
    const int mant = h & 0x3ff;
    float value;
    if (exp == 0) {
        value = std::ldexp(static_cast<float>(mant), -24);
    } else if (exp == 0x1f) {
        value = mant == 0 ? INFINITY : NAN;
    } else {
        value = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
    }
    return sign ? -value : value;
}

float bf16_bits_to_float(uint16_t b) {
    const uint32_t bits = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

void ldmatrix_x4_exchange(const uint32_t (&rows)[32][4], bool trans, uint32_t (&out)[32][4]) {
    for (int lane = 0; lane < 32; ++lane) {
        const int g = lane >> 2;
        const int t = lane & 3;
        for (int m = 0; m < 4; ++m) {
            if (!trans) {
                // Row g of matrix m, columns 2t and 2t + 1: one register of the row's owner.
                out[lane][m] = rows[8 * m + g][t];
            } else {
                // Column g of matrix m, rows 2t and 2t + 1.
                out[lane][m] = pack(row_element(rows[8 * m + 2 * t], g), row_element(rows[8 * m + 2 * t + 1], g));
            }
        }
    }
}

void mma_16816_exchange(const MmaLaneInput (&in)[32], MmaType type, float (&d)[32][4]) {
    double a[16][16];
    double b[16][8];
    double c[16][8];
    auto value = [type](uint16_t bits) -> double {
        return type == MmaType::F16 ? half_bits_to_float(bits) : bf16_bits_to_float(bits);
    };
    for (int lane = 0; lane < 32; ++lane) {
        const int g = lane >> 2;
        const int t = lane & 3;
        for (int i = 0; i < 4; ++i) {
            const int row = g + 8 * (i & 1);
            const int col = 2 * t + 8 * (i >> 1);
            a[row][col] = value(half_of(in[lane].a[i], 0));
            a[row][col + 1] = value(half_of(in[lane].a[i], 1));
        }
        for (int i = 0; i < 2; ++i) {
            const int k = 2 * t + 8 * i;
            b[k][g] = value(half_of(in[lane].b[i], 0));
            b[k + 1][g] = value(half_of(in[lane].b[i], 1));
        }
        for (int i = 0; i < 4; ++i) {
            c[g + 8 * (i >> 1)][2 * t + (i & 1)] = in[lane].c[i];
        }
    }
    for (int lane = 0; lane < 32; ++lane) {
        const int g = lane >> 2;
        const int t = lane & 3;
        for (int i = 0; i < 4; ++i) {
            const int row = g + 8 * (i >> 1);
            const int col = 2 * t + (i & 1);
            double sum = 0.0;
            for (int k = 0; k < 16; ++k) {
                sum += a[row][k] * b[k][col];
            }
            d[lane][i] = static_cast<float>(sum + c[row][col]);
        }
    }
}

}  // namespace emu
}  // namespace attn4j
