package org.attn4j.model.encdec;

import java.util.Arrays;

/**
 * The CoT module's feature mask {@code M_t} (the seed's {@code R_t_sparse = R_t (.) M_t}): after each decoder block,
 * every decoder position (a reasoning step is a token here) keeps the {@code keep} features of its state of largest
 * magnitude and zeroes the rest. The importance score is the magnitude {@code |R_t[i]|}; no parameters. A position's
 * mask depends only on its own state, so training (all positions at once) and generation (one step at a time) apply
 * the same mask. Gradient: through the kept features only (the mask is piecewise constant).
 */
final class FeatureMask {
    private FeatureMask() {
    }

    /**
     * Masks {@code x [rows, width]} in place, writing the mask (1 kept, 0 dropped) into {@code mask} when not null.
     * Ties at the threshold go to the lower feature index.
     */
    static void apply(float[] x, int rows, int width, int keep, float[] mask) {
        if (keep >= width) {
            if (mask != null) {
                Arrays.fill(mask, 0, rows * width, 1f);
            }
            return;
        }
        float[] sorted = new float[width];
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            for (int i = 0; i < width; i++) {
                sorted[i] = Math.abs(x[o + i]);
            }
            Arrays.sort(sorted);
            float threshold = sorted[width - keep];
            int above = 0;
            for (int i = 0; i < width; i++) {
                if (Math.abs(x[o + i]) > threshold) {
                    above++;
                }
            }
            int ties = keep - above;
            for (int i = 0; i < width; i++) {
                float a = Math.abs(x[o + i]);
                boolean kept = a > threshold || (a == threshold && ties-- > 0);
                if (!kept) {
                    x[o + i] = 0f;
                }
                if (mask != null) {
                    mask[o + i] = kept ? 1f : 0f;
                }
            }
        }
    }
}
