// The ordering rules of the SPEC's dynamic selections (org.attn4j.mask.SelectionOrder), as integer keys that compare
// like the reference does: a higher score first, scores compared as numbers (-0.0 ties +0.0), NaN above every number
// (whatever its sign bit or payload), ties to the lower index.
//  - block top-k ranks key tiles by their float64 score;
//  - token top-k ranks keys by score: the SPEC's score is float64 (TokenScore); the GPU ranks its fp32 scores.
// Turning each (score, index) into one unsigned key makes "ties go to the lower index" a plain comparison, and lets
// the threshold search of token top-k work on distinct 64-bit keys.
#pragma once

#include "hd.hpp"

namespace attn4j {

/** Unsigned key in SelectionOrder's order: numeric, -0.0 equal to +0.0, every NaN the largest key. */
ATTN4J_HD uint32_t float_order_key(float f) {
    if (f != f) {
        return 0xFFFFFFFFu;
    }
    const uint32_t u = float_bits(f == 0.0f ? 0.0f : f);  // -0.0 == 0.0: both become +0.0
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/** Unsigned key in SelectionOrder's order for a double: numeric, -0.0 equal to +0.0, every NaN the largest key. */
ATTN4J_HD uint64_t double_order_key(double d) {
    if (d != d) {
        return 0xFFFFFFFFFFFFFFFFull;
    }
    const uint64_t u = double_bits(d == 0.0 ? 0.0 : d);
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
