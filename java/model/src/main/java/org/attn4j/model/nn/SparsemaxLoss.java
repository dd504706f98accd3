package org.attn4j.model.nn;

import java.util.Arrays;

/**
 * The sparsemax output layer and its natural loss (Martins and Astudillo 2016). {@code sparsemax(z)} is the Euclidean
 * projection of the logits onto the simplex, {@code p_j = max(z_j - tau, 0)}: unlike softmax, most outputs are exactly
 * zero. Its loss, {@code L(z; y) = -z_y + 1/2 sum_{j in S(z)} (z_j^2 - tau^2) + 1/2} over the support {@code S(z)}, is
 * convex, zero once {@code z_y >= 1 + max_{j != y} z_j}, and has the gradient {@code sparsemax(z) - e_y}, as
 * cross-entropy has {@code softmax(z) - e_y}. Same contract as {@link CrossEntropy}: mean over the labelled rows,
 * {@link CrossEntropy#IGNORE} rows skipped.
 */
public final class SparsemaxLoss {
    private SparsemaxLoss() {
    }

    /**
     * Mean loss over rows whose target is not {@link CrossEntropy#IGNORE}; writes {@code dLogits} (the gradient of that
     * mean) when it is not null. Returns NaN when no row is labelled.
     */
    public static double lossAndGradient(float[] logits, int[] targets, int rows, int vocab, float[] dLogits) {
        int labelled = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] != CrossEntropy.IGNORE) {
                if (targets[r] < 0 || targets[r] >= vocab) {
                    throw new IllegalArgumentException("targets[" + r + "]: expected 0.." + (vocab - 1) + " or "
                            + CrossEntropy.IGNORE + ", got " + targets[r]);
                }
                labelled++;
            }
        }
        if (dLogits != null) {
            Arrays.fill(dLogits, 0, rows * vocab, 0f);
        }
        if (labelled == 0) {
            return Double.NaN;
        }
        double inv = 1.0 / labelled;
        double total = 0;
        double[] p = new double[vocab];
        double[] sorted = new double[vocab];
        for (int r = 0; r < rows; r++) {
            int y = targets[r];
            if (y == CrossEntropy.IGNORE) {
                continue;
            }
            int o = r * vocab;
            double tau = threshold(logits, o, vocab, sorted);
            double loss = 0.5 - logits[o + y];
            for (int v = 0; v < vocab; v++) {
                double z = logits[o + v];
                p[v] = Math.max(z - tau, 0);
                if (z > tau) {
                    loss += 0.5 * (z * z - tau * tau);
                }
            }
            total += loss;
            if (dLogits != null) {
                for (int v = 0; v < vocab; v++) {
                    dLogits[o + v] = (float) ((p[v] - (v == y ? 1 : 0)) * inv);
                }
            }
        }
        return total * inv;
    }

    /** {@code out[0..vocab) = sparsemax(logits[row])}; returns the support size (outputs above zero). */
    public static int sparsemax(float[] logits, int row, int vocab, float[] out) {
        int o = row * vocab;
        double tau = threshold(logits, o, vocab, new double[vocab]);
        int support = 0;
        for (int v = 0; v < vocab; v++) {
            double pv = Math.max(logits[o + v] - tau, 0);
            out[v] = (float) pv;
            if (pv > 0) {
                support++;
            }
        }
        return support;
    }

    /**
     * The threshold {@code tau} of row {@code logits[o .. o + vocab)}: with {@code z} sorted in decreasing order, the
     * support is the largest {@code k} with {@code 1 + k z_(k) > sum_{j <= k} z_(j)}, and
     * {@code tau = (sum_{j <= k} z_(j) - 1) / k}.
     */
    static double threshold(float[] logits, int o, int vocab, double[] scratch) {
        for (int v = 0; v < vocab; v++) {
            scratch[v] = logits[o + v];
        }
        Arrays.sort(scratch, 0, vocab);
        double cumulative = 0;
        double tau = 0;
        for (int k = 1; k <= vocab; k++) {
            double z = scratch[vocab - k];
            cumulative += z;
            if (1 + k * z > cumulative) {
                tau = (cumulative - 1) / k;
            } else {
                break;
            }
        }
        return tau;
    }
}
