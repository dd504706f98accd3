// The ordering rules of the SPEC's dynamic selections, as integer keys that compare like the reference does:
//  - block top-k ranks key tiles by score (float64, Double.compare order: -0.0 below +0.0), ties to the lower tile;
//  - token top-k ranks keys by score (fp32 on the GPU), ties to the lower key index.
// Turning each (score, index) into one unsigned key makes "ties go to the lower index" a plain comparison, and lets
// the threshold search of token top-k work on distinct 64-bit keys.
#pragma once

#include "hd.hpp"

namespace attn4j {

/** Unsigned key with the order of the float (Java's Float.compare order for non-NaN values, -0.0 < +0.0). */
ATTN4J_HD uint32_t float_order_key(float f) {
    const uint32_t u = float_bits(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/** Unsigned key with the order of the double (Double.compare order for non-NaN values). */
ATTN4J_HD uint64_t double_order_key(double d) {
    const uint64_t u = double_bits(d);
    return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}

/**
 * Token top-k rank key of key j with score s: a larger key ranks first. Keys are distinct for distinct j, and a
 * higher score, or the same score at a lower j, gives a larger key.
 */
ATTN4J_HD uint64_t token_rank_key(float s, int64_t j) {
    return (static_cast<uint64_t>(float_order_key(s)) << 32) | (0xFFFFFFFFull - static_cast<uint64_t>(j));
}

/** Block top-k: whether tile a (score sa) ranks before tile b (score sb). */
ATTN4J_HD bool block_ranks_before(double sa, int32_t a, double sb, int32_t b) {
    const uint64_t ka = double_order_key(sa);
    const uint64_t kb = double_order_key(sb);
    return ka > kb || (ka == kb && a < b);
}

/**
 * Product and sum with no fused multiply-add, in the order the Java reference evaluates them
 * (BlockTopKSelection: {@code dot += qMean[c] * kMean[c]}), so the GPU's block scores equal the reference's bit for
 * bit.
 */
ATTN4J_HD double mul_exact_order(double a, double b) {
#if defined(__CUDA_ARCH__)
    return __dmul_rn(a, b);
#else
    volatile double p = a * b;  // volatile: keep the host compiler from contracting into an FMA
    return p;
#endif
}

ATTN4J_HD double add_exact_order(double a, double b) {
#if defined(__CUDA_ARCH__)
    return __dadd_rn(a, b);
#else
    return a + b;
#endif
}

}  // namespace attn4j
