package org.attn4j.bench.results;

/**
 * The work of one call as the SPEC counts it.
 *
 * @param allowedPairs P: (query, key) pairs after every mask and selection, over batch and heads
 * @param densePairs   B Hq Nq Nk
 * @param density      P / dense pairs
 * @param flops        2 (D + Dv) P forward, 2.5 times that backward
 * @param denseFlops   the same for the dense problem
 */
public record WorkCount(long allowedPairs, long densePairs, double density, double flops, double denseFlops) {
}
