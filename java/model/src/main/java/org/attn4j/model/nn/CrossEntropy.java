package org.attn4j.model.nn;

/**
 * Next-token cross-entropy over the labelled rows, averaged over them (Hugging Face's convention: rows labelled
 * {@code -1} here, {@code -100} there, are ignored).
 */
public final class CrossEntropy {
    /** The label of a row that does not count. */
    public static final int IGNORE = -1;

    private CrossEntropy() {
    }

    /**
     * Mean loss over rows whose target is not {@link #IGNORE}; writes {@code dLogits} (the gradient of that mean) when
     * it is not null. Returns NaN when no row is labelled.
     *
     * @param logits  {@code [rows, vocab]}
     * @param targets {@code [rows]}: the next token, or {@link #IGNORE}
     */
    public static double lossAndGradient(float[] logits, int[] targets, int rows, int vocab, float[] dLogits) {
        int labelled = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] != IGNORE) {
                if (targets[r] < 0 || targets[r] >= vocab) {
                    throw new IllegalArgumentException("targets[" + r + "]: expected 0.." + (vocab - 1) + " or "
                            + IGNORE + ", got " + targets[r]);
                }
                labelled++;
            }
        }
        if (dLogits != null) {
            java.util.Arrays.fill(dLogits, 0, rows * vocab, 0f);
        }
        if (labelled == 0) {
            return Double.NaN;
        }
        double total = 0;
        double inv = 1.0 / labelled;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t == IGNORE) {
                continue;
            }
            int o = r * vocab;
            float max = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[o + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[o + v] - max);
            }
            double logSum = Math.log(sum) + max;
            total += logSum - logits[o + t];
            if (dLogits != null) {
                for (int v = 0; v < vocab; v++) {
                    double p = Math.exp(logits[o + v] - logSum);
                    dLogits[o + v] = (float) ((p - (v == t ? 1 : 0)) * inv);
                }
            }
        }
        return total * inv;
    }

    /** Index of the largest logit of row {@code r} (ties: the lower index). */
    public static int argmax(float[] logits, int r, int vocab) {
        int o = r * vocab;
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (logits[o + v] > logits[o + best]) {
                best = v;
            }
        }
        return best;
    }
}
