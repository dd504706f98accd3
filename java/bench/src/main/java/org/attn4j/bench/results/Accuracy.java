package org.attn4j.bench.results;

/**
 * How a row's result compared with float64 on sampled rows (attn4j: the {@code reference} provider; peers: their
 * own float64 computation). Forward rows compare O, backward rows dQ.
 *
 * @param relError  ||x - ref|| / ||ref||, or null when the result held NaN or infinity
 * @param tolerance the bound it had to meet
 * @param samples   the slices compared
 */
public record Accuracy(Double relError, double tolerance, String samples) {
}
