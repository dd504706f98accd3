package org.attn4j.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sparsemax output layer and its loss. */
class SparsemaxLossTest {

    @Test
    void sparsemaxProjectsOntoTheSimplex() {
        float[] p = new float[3];
        // z = (0.5, 0.3, -2): the support is the first two, tau = (0.8 - 1) / 2 = -0.1
        assertEquals(2, SparsemaxLoss.sparsemax(new float[] {0.5f, 0.3f, -2f}, 0, 3, p));
        assertArrayEquals(new float[] {0.6f, 0.4f, 0f}, p, 1e-6f);
        // a clear winner takes everything
        assertEquals(1, SparsemaxLoss.sparsemax(new float[] {3f, 1f, 0f}, 0, 3, p));
        assertArrayEquals(new float[] {1f, 0f, 0f}, p, 0f);
    }

    @Test
    void lossIsZeroOnceTheMarginIsOneAndItsGradientIsPMinusOneHot() {
        float[] d = new float[3];
        assertEquals(0.0, SparsemaxLoss.lossAndGradient(new float[] {2f, 1f, 0f}, new int[] {0}, 1, 3, d), 1e-12);
        assertArrayEquals(new float[] {0f, 0f, 0f}, d, 0f);
        // z = (0.5, 0.3, -2), y = 1: L = -0.3 + 1/2 (0.25 + 0.09 - 2 * 0.01) + 1/2 = 0.36; grad = p - e_1
        double loss = SparsemaxLoss.lossAndGradient(new float[] {0.5f, 0.3f, -2f}, new int[] {1}, 1, 3, d);
        assertEquals(0.36, loss, 1e-6);
        assertArrayEquals(new float[] {0.6f, -0.6f, 0f}, d, 1e-6f);
    }

    @Test
    void gradientMatchesFiniteDifferencesAndIgnoredRowsDoNotCount() {
        int rows = 6;
        int vocab = 5;
        float[] z = GradCheck.gaussian(rows * vocab, 1.5, 3);
        int[] targets = {0, 4, CrossEntropy.IGNORE, 2, 1, 3};
        float[] d = new float[rows * vocab];
        double loss = SparsemaxLoss.lossAndGradient(z, targets, rows, vocab, d);
        assertTrue(loss > 0);
        for (int v = 0; v < vocab; v++) {
            assertEquals(0f, d[2 * vocab + v], 0f);
        }
        GradCheck.check("sparsemax loss", z, d, () -> SparsemaxLoss.lossAndGradient(z, targets, rows, vocab, null),
                4, 1e-3, 1e-3, 5);
        assertTrue(Double.isNaN(SparsemaxLoss.lossAndGradient(z, new int[rows], 0, vocab, null)));
    }
}
