package org.attn4j.model.theory;

import java.util.Arrays;

/**
 * Shape of the simplified transformer of Wen et al. (Definitions 3-6) and its initialisation (Assumption 1).
 *
 * @param length   sequence length {@code T} (one pair of embedding vectors per position)
 * @param dim      embedding dimension {@code d}
 * @param halfWidth {@code m}: the FFN has {@code 2m} ReLU neurons
 * @param epsilon  scale {@code eps} of the initial first-half FFN weights ({@code nu in {-eps, +eps}})
 * @param initRows the positions (0-based) whose embeddings seed the initial FFN weights; Assumption 1 uses the rows
 *                 that carry the loss ({@code n .. n+k-1} with CoT)
 */
public record TheoryConfig(int length, int dim, int halfWidth, double epsilon, int[] initRows) {

    public TheoryConfig {
        if (length < 1) {
            throw new IllegalArgumentException("length: expected >= 1, got " + length);
        }
        if (dim < 1) {
            throw new IllegalArgumentException("dim: expected >= 1, got " + dim);
        }
        if (halfWidth < 1) {
            throw new IllegalArgumentException("halfWidth: expected >= 1, got " + halfWidth);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon: expected a finite number > 0, got " + epsilon);
        }
        initRows = initRows.clone();
        for (int r : initRows) {
            if (r < 0 || r >= length) {
                throw new IllegalArgumentException("initRows: expected positions 0.." + (length - 1) + ", got "
                        + Arrays.toString(initRows));
            }
        }
    }

    @Override
    public int[] initRows() {
        return initRows.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TheoryConfig)) {
            return false;
        }
        TheoryConfig c = (TheoryConfig) o;
        return c.length == length && c.dim == dim && c.halfWidth == halfWidth && c.epsilon == epsilon
                && Arrays.equals(c.initRows, initRows);
    }

    @Override
    public int hashCode() {
        return ((length * 31 + dim) * 31 + halfWidth) * 31 + Arrays.hashCode(initRows);
    }

    @Override
    public String toString() {
        return "TheoryConfig[T=" + length + ", d=" + dim + ", 2m=" + 2 * halfWidth + ", eps=" + epsilon
                + ", initRows=" + Arrays.toString(initRows) + "]";
    }
}
