// Per-row threshold searches that run as a few streaming passes over a row's scores, never holding the row.
// Each pass evaluates 16 (token top-k) or 8 (sparse) pivots at once; the kernels count, per pivot, what the row's allowed scores contribute and
// call the update below (the same code the host tests drive with exact counts).
//
// Token top-k: find the k-th largest token_rank_key of the row; keys are distinct, so "keep key >= threshold" keeps
// exactly k keys, ties resolved to the lower index as the SPEC says.
// Sparsemax / entmax-1.5: find tau with sum_j max(y_j - tau, 0)^a = 1 (a = 1, resp. 2, y = the row's x minus its
// maximum, x = s, resp. s / 2). Bisection narrows tau until no score lies between two pivots; then the support is
// known and tau follows in closed form.
#pragma once

#include <cmath>

#include "hd.hpp"

namespace attn4j {

constexpr int kSearchPivots = 16;  // token top-k: 4 bits of the 64-bit key per pass
constexpr int kSparsePivots = 8;   // sparse tau: 3 sums per pivot and row, so fewer to stay in registers

// ---------------------------------------------------------------------------------------------------------------
// Token top-k

struct TokenTopKSearch {
    uint64_t lo = 0;           // the k-th largest key lies in [lo, hi]
    uint64_t hi = 0;
    int64_t above_hi = 0;      // #{key > hi} (< k)
    int64_t at_least_lo = 0;   // #{key >= lo} (>= k)
    int64_t k = 0;
    int32_t done = 0;
    uint64_t threshold = 0;    // once done: keep exactly the keys >= threshold
};

/** Starts the search over a row of n allowed keys spanning [min_key, max_key]. */
ATTN4J_HD void token_search_start(TokenTopKSearch& s, int64_t k, int64_t n, uint64_t min_key, uint64_t max_key) {
    s.k = k;
    s.lo = min_key;
    s.hi = max_key;
    s.above_hi = 0;
    s.at_least_lo = n;
    s.threshold = 0;  // keep everything: right when n <= k
    s.done = n <= k ? 1 : 0;
}

/** Pivot m (0..15): lo + ceil(m * (hi - lo) / 16), strictly above lo for m >= 1 whenever hi > lo. */
ATTN4J_HD uint64_t token_search_pivot(const TokenTopKSearch& s, int m) {
    const uint64_t span = s.hi - s.lo;
    const uint64_t q = span >> 4;
    const uint64_t r = span & 15u;
    return s.lo + q * static_cast<uint64_t>(m) + ((r * static_cast<uint64_t>(m) + 15u) >> 4);
}

/**
 * One pass's result: counts[m] = #{pivot_m <= key <= hi} over the row's allowed keys. Narrows [lo, hi]; the search
 * is done once exactly k keys are >= lo. Each pass shrinks the interval, so it ends after at most 17 passes.
 */
ATTN4J_HD void token_search_update(TokenTopKSearch& s, const int64_t counts[kSearchPivots]) {
    if (s.done) {
        return;
    }
    int chosen = 0;
    for (int m = kSearchPivots - 1; m >= 1; --m) {
        if (s.above_hi + counts[m] >= s.k) {
            chosen = m;
            break;
        }
    }
    const uint64_t new_lo = token_search_pivot(s, chosen);
    const uint64_t new_hi = chosen == kSearchPivots - 1 ? s.hi : token_search_pivot(s, chosen + 1) - 1;
    const int64_t new_above = s.above_hi + (chosen == kSearchPivots - 1 ? 0 : counts[chosen + 1]);
    s.at_least_lo = s.above_hi + counts[chosen];
    s.lo = new_lo;
    s.hi = new_hi;
    s.above_hi = new_above;
    if (s.at_least_lo <= s.k || s.lo >= s.hi) {
        // Exactly k keys are >= lo (keys are distinct, so lo == hi also means this).
        s.done = 1;
        s.threshold = s.lo;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Sparsemax (power 1) and entmax-1.5 (power 2)

struct SparseSearch {
    float lo = -1.0f;     // tau lies in [lo, hi), in units shifted by the row maximum (so y <= 0, tau in [-1, 0))
    float hi = 0.0f;
    int32_t count_hi = 0; // #{y > hi}
    int32_t done = 0;
    float tau = 0.0f;     // once done, shifted like lo and hi
};

/** Pivot m (0..7) of the current interval; pivot 0 is lo. */
ATTN4J_HD float sparse_search_pivot(const SparseSearch& s, int m) {
    return s.lo + (s.hi - s.lo) * (static_cast<float>(m) * (1.0f / kSparsePivots));
}

/** tau - p from the support {y > p}: n values, s1 = sum (y - p), s2 = sum (y - p)^2. */
ATTN4J_HD float sparse_tau_from_support(int power, int32_t n, float s1, float s2) {
    if (n <= 0) {
        return 0.0f;
    }
    const float nf = static_cast<float>(n);
    if (power == 1) {
        return (s1 - 1.0f) / nf;
    }
    float disc = s1 * s1 - nf * (s2 - 1.0f);
    disc = disc > 0.0f ? disc : 0.0f;
    return (s1 - sqrtf(disc)) / nf;
}

/**
 * One pass's result for pivots m = 0..7: n[m] = #{y > p_m}, s1[m] = sum (y - p_m), s2[m] = sum (y - p_m)^2 over
 * those y. Narrows the interval to two neighbouring pivots around tau; once no y lies strictly between them (or
 * the interval no longer shrinks in float, or this was the last pass) tau is computed from the support.
 */
ATTN4J_HD void sparse_search_update(SparseSearch& s, int power, const int32_t n[kSparsePivots],
                                    const float s1[kSparsePivots], const float s2[kSparsePivots], bool last_pass) {
    if (s.done) {
        return;
    }
    int chosen = 0;
    for (int m = kSparsePivots - 1; m >= 1; --m) {
        const float f = power == 1 ? s1[m] : s2[m];
        if (f >= 1.0f) {
            chosen = m;
            break;
        }
    }
    const float new_lo = sparse_search_pivot(s, chosen);
    const float new_hi = chosen == kSparsePivots - 1 ? s.hi : sparse_search_pivot(s, chosen + 1);
    const int32_t new_count_hi = chosen == kSparsePivots - 1 ? s.count_hi : n[chosen + 1];
    const bool settled = n[chosen] == new_count_hi;
    const bool stuck = !(new_lo < new_hi) || (new_lo == s.lo && new_hi == s.hi);
    if (settled || stuck || last_pass) {
        float t = new_lo + sparse_tau_from_support(power, n[chosen], s1[chosen], s2[chosen]);
        t = t < new_lo ? new_lo : t;
        t = t > new_hi ? new_hi : t;
        s.tau = t;
        s.done = 1;
    }
    s.lo = new_lo;
    s.hi = new_hi;
    s.count_hi = new_count_hi;
}

}  // namespace attn4j
