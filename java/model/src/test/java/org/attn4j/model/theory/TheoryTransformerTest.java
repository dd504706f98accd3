package org.attn4j.model.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.attn4j.model.nn.GradCheck;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.junit.jupiter.api.Test;

class TheoryTransformerTest {
    private static final int T = 7;
    private static final int BATCH = 4;

    private static TheoryTransformer model(long seed) {
        return new TheoryTransformer(new TheoryConfig(T, 16, 6, 0.5, new int[] {4, 5}), seed, Parallel.of(2));
    }

    @Test
    void initialisationFollowsAssumption1() {
        TheoryTransformer m = model(1);
        for (float a : m.attentionWeight().value()) {
            assertEquals(0f, a);
        }
        int d = 16;
        float[] w = m.ffnWeight().value();
        float[] e = m.embedding().table().value();
        for (int r = 0; r < 12; r++) {
            for (int c = d; c < 2 * d; c++) {
                assertEquals(0f, w[r * 2 * d + c], "attention half of W is zero");
            }
            // <W_r, e(i, b)> ~ nu(r, i, b) = +-eps for the init rows (near-orthogonal embeddings).
            double proj = 0;
            int eo = m.embedding().offset(4, 1);
            for (int c = 0; c < d; c++) {
                proj += w[r * 2 * d + c] * e[eo + c];
            }
            assertTrue(Math.abs(Math.abs(proj) - 0.5) < 0.5, "projection " + proj);
        }
        float[] h = m.ffnHead().value();
        assertEquals(1f / 12, h[0], 1e-7);
        assertEquals(-1f / 12, h[11], 1e-7);
        for (float v : e) {
            assertEquals(0.25f, Math.abs(v), 1e-7, "hypercube entries are +-1/sqrt(d)");
        }
    }

    @Test
    void uniformAttentionWhileAIsZero() {
        TheoryTransformer m = model(2);
        int[] tokens = bits(3);
        float[] out = new float[BATCH * T];
        float[] p = new float[BATCH * T * T];
        m.forward(tokens, BATCH, T, out, p);
        for (int b = 0; b < BATCH; b++) {
            for (int i = 0; i < T; i++) {
                for (int j = 0; j < T; j++) {
                    assertEquals(j <= i ? 1.0 / (i + 1) : 0, p[(b * T + i) * T + j], 1e-6);
                }
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        TheoryTransformer m = model(4);
        SplittableRandom r = new SplittableRandom(5);
        for (Parameter p : new Parameter[] {m.attentionWeight(), m.ffnWeight()}) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (Parameter.gaussian(r) * 0.8);
            }
        }
        int[] tokens = bits(6);
        int[] targets = new int[BATCH * T];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = i % T >= 3 ? tokens[(i + 1) % targets.length] : -1;
        }
        m.zeroGrad();
        m.lossAndGradient(tokens, targets, BATCH, T);
        java.util.function.DoubleSupplier loss = () -> {
            float[] g1 = m.attentionWeight().grad().clone();
            float[] g2 = m.ffnWeight().grad().clone();
            double l = m.lossAndGradient(tokens, targets, BATCH, T);
            System.arraycopy(g1, 0, m.attentionWeight().grad(), 0, g1.length);
            System.arraycopy(g2, 0, m.ffnWeight().grad(), 0, g2.length);
            return l;
        };
        GradCheck.check("A", m.attentionWeight().value(), m.attentionWeight().grad(), loss, 6, 1e-2, 2e-2, 7);
        GradCheck.check("W", m.ffnWeight().value(), m.ffnWeight().grad(), loss, 6, 1e-2, 2e-2, 8);
    }

    @Test
    void sgdStepMovesAgainstTheGradient() {
        TheoryTransformer m = model(9);
        int[] tokens = bits(10);
        int[] targets = new int[BATCH * T];
        java.util.Arrays.fill(targets, -1);
        for (int b = 0; b < BATCH; b++) {
            targets[b * T + 4] = 1;
            targets[b * T + 5] = 0;
        }
        m.zeroGrad();
        double before = m.lossAndGradient(tokens, targets, BATCH, T);
        float[] w = m.ffnWeight().value().clone();
        float[] g = m.ffnWeight().grad().clone();
        m.sgdStep(0.5);
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i] - 0.5f * g[i], m.ffnWeight().value()[i], 1e-6);
        }
        assertArrayEquals(new float[g.length], m.ffnWeight().grad(), "gradients are cleared");
        m.zeroGrad();
        double after = m.lossAndGradient(tokens, targets, BATCH, T);
        assertTrue(after < before, "loss " + before + " -> " + after);
    }

    @Test
    void hingeLoss() {
        assertEquals(0, HingeLoss.loss(-1f, 0));
        assertEquals(1, HingeLoss.loss(0f, 1));
        assertEquals(2.5, HingeLoss.loss(1.5f, 0), 1e-6);
        assertEquals(1f, HingeLoss.gradient(0.2f, 0));
        assertEquals(-1f, HingeLoss.gradient(0.2f, 1));
        assertEquals(0f, HingeLoss.gradient(1.2f, 1));
        assertEquals(1, HingeLoss.predict(0.1f));
        assertEquals(0, HingeLoss.predict(-0.1f));
    }

    @Test
    void rejectsNonBits() {
        TheoryTransformer m = model(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(new int[] {0, 1, 2, 0, 0, 0, 0}, 1, T, new float[T], null));
        assertEquals("tokens[2]: expected a bit (0 or 1), got 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TheoryConfig(7, 16, 6, 0.5, new int[] {7}));
    }

    private static int[] bits(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[BATCH * T];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(2);
        }
        return t;
    }
}
