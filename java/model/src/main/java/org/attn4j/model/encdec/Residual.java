package org.attn4j.model.encdec;

/** The element-wise steps of residual streams and their gradients. */
final class Residual {
    private Residual() {
    }

    /** {@code acc[0..n) += x[0..n)}. */
    static void add(float[] acc, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += x[i];
        }
    }

    /** {@code x[0..n) *= mask[0..n)} (dropout's and the feature mask's backward). */
    static void mask(float[] x, float[] mask, int n) {
        for (int i = 0; i < n; i++) {
            x[i] *= mask[i];
        }
    }
}
