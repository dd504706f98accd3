package org.attn4j.model.nn;

import java.util.SplittableRandom;

/**
 * Inverted dropout: during training each element is zeroed with probability {@code p} and the survivors are scaled by
 * {@code 1 / (1 - p)}, so evaluation needs no rescaling. The mask (the scale of each element, 0 or {@code 1/(1-p)}) is
 * kept for the backward pass.
 */
public final class Dropout {
    private Dropout() {
    }

    /** Draws a mask for {@code n} elements into {@code mask}; returns false (and draws nothing) when {@code p == 0}. */
    public static boolean drawMask(float p, SplittableRandom random, float[] mask, int n) {
        if (p < 0 || p >= 1 || Float.isNaN(p)) {
            throw new IllegalArgumentException("dropout: expected 0 <= p < 1, got " + p);
        }
        if (p == 0) {
            return false;
        }
        float keep = 1f / (1f - p);
        for (int i = 0; i < n; i++) {
            mask[i] = random.nextDouble() < p ? 0f : keep;
        }
        return true;
    }

    /** {@code x *= mask} element-wise (forward and backward are the same product). */
    public static void apply(float[] x, float[] mask, int n) {
        for (int i = 0; i < n; i++) {
            x[i] *= mask[i];
        }
    }
}
