package org.attn4j.bench.results;

/**
 * An attn4j row against the fastest peer row of the same configuration, type, direction and device kind.
 *
 * @param peer       provider and implementation of that peer row, e.g. {@code torch/sdpa-flash}
 * @param peerTflops its TFLOP/s
 * @param ratio      attn4j TFLOP/s over the peer's (above 1: attn4j is faster)
 */
public record PeerRatio(String peer, double peerTflops, double ratio) {
}
