package org.attn4j.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of each dense layer's backward pass, and the kernels against plain loops. */
class LayerGradientTest {
    private static final Parallel PAR = Parallel.of(2);

    @Test
    void linearForwardMatchesPlainLoops() {
        int rows = 7;
        int in = 5;
        int out = 9;
        Linear l = new Linear("l", in, out, true);
        l.init(new SplittableRandom(1), 0.5);
        l.bias().set(GradCheck.gaussian(out, 1, 2));
        float[] x = GradCheck.gaussian(rows * in, 1, 3);
        float[] y = new float[rows * out];
        l.forward(x, rows, y, PAR);
        float[] w = l.weight().value();
        float[] b = l.bias().value();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) x[r * in + i] * w[i * out + o];
                }
                assertEquals(acc, y[r * out + o], 1e-5, "y[" + r + "," + o + "]");
            }
        }
    }

    @Test
    void linearBackward() {
        int rows = 6;
        int in = 7;
        int out = 5;
        Linear l = new Linear("l", in, out, true);
        l.init(new SplittableRandom(4), 0.5);
        l.bias().set(GradCheck.gaussian(out, 0.5, 5));
        float[] x = GradCheck.gaussian(rows * in, 1, 6);
        float[] weights = GradCheck.gaussian(rows * out, 1, 7);
        float[] y = new float[rows * out];
        float[] dx = new float[rows * in];
        l.weight().zeroGrad();
        l.bias().zeroGrad();
        l.backward(x, weights, rows, dx, PAR);
        java.util.function.DoubleSupplier loss = () -> {
            l.forward(x, rows, y, PAR);
            return GradCheck.dot(y, weights, y.length);
        };
        GradCheck.check("dW", l.weight().value(), l.weight().grad(), loss, 6, 1e-2, 1e-3, 8);
        GradCheck.check("db", l.bias().value(), l.bias().grad(), loss, 4, 1e-2, 1e-3, 9);
        GradCheck.check("dx", x, dx, loss, 6, 1e-2, 1e-3, 10);
    }

    @Test
    void layerNormBackward() {
        int rows = 5;
        int dim = 8;
        LayerNorm ln = new LayerNorm("ln", dim, 1e-5f);
        ln.gain().set(GradCheck.gaussian(dim, 1, 11));
        ln.bias().set(GradCheck.gaussian(dim, 1, 12));
        float[] x = GradCheck.gaussian(rows * dim, 2, 13);
        float[] weights = GradCheck.gaussian(rows * dim, 1, 14);
        float[] y = new float[rows * dim];
        float[] stats = new float[2 * rows];
        float[] dx = new float[rows * dim];
        ln.forward(x, rows, y, stats, PAR);
        ln.gain().zeroGrad();
        ln.bias().zeroGrad();
        ln.backward(x, stats, weights, rows, dx, PAR);
        java.util.function.DoubleSupplier loss = () -> {
            ln.forward(x, rows, y, null, PAR);
            return GradCheck.dot(y, weights, y.length);
        };
        GradCheck.check("dgain", ln.gain().value(), ln.gain().grad(), loss, 4, 1e-3, 5e-3, 15);
        GradCheck.check("dbias", ln.bias().value(), ln.bias().grad(), loss, 4, 1e-3, 5e-3, 16);
        GradCheck.check("dx", x, dx, loss, 6, 1e-3, 5e-3, 17);
    }

    @Test
    void layerNormNormalises() {
        LayerNorm ln = new LayerNorm("ln", 4, 1e-5f);
        float[] y = new float[4];
        ln.forward(new float[] {1, 2, 3, 4}, 1, y, null, Parallel.serial());
        double mean = (y[0] + y[1] + y[2] + y[3]) / 4;
        double var = 0;
        for (float v : y) {
            var += (v - mean) * (v - mean) / 4;
        }
        assertEquals(0, mean, 1e-6);
        assertEquals(1, var, 1e-4);
    }

    @Test
    void geluBackwardAndValues() {
        float[] x = GradCheck.gaussian(40, 2, 18);
        float[] weights = GradCheck.gaussian(40, 1, 19);
        float[] y = new float[40];
        float[] dx = new float[40];
        Gelu.backward(x, weights, dx, 40, PAR);
        GradCheck.check("gelu", x, dx, () -> {
            Gelu.forward(x, y, 40, PAR);
            return GradCheck.dot(y, weights, 40);
        }, 6, 1e-3, 5e-3, 20);
        float[] slope = new float[40];
        float[] fromSlope = new float[40];
        Gelu.forward(x, y, slope, 40, PAR);
        Gelu.backwardFromSlope(slope, weights, fromSlope, 40, PAR);
        assertArrayEquals(dx, fromSlope, 1e-6f, "saved slope gives the same gradient");
        float[] one = new float[1];
        Gelu.forward(new float[] {1f}, one, 1, Parallel.serial());
        // 0.5 (1 + tanh(sqrt(2/pi) * 1.044715)) = 0.841192
        assertEquals(0.841192, one[0], 1e-5);
        assertEquals((float) Math.tanh(0.3), Gelu.tanh(0.3f), 1e-6);
        assertEquals(1f, Gelu.tanh(30f));
    }

    @Test
    void crossEntropyGradient() {
        int rows = 4;
        int vocab = 3;
        float[] logits = GradCheck.gaussian(rows * vocab, 1, 21);
        int[] targets = {2, CrossEntropy.IGNORE, 0, 1};
        float[] grad = new float[rows * vocab];
        CrossEntropy.lossAndGradient(logits, targets, rows, vocab, grad);
        for (int v = 0; v < vocab; v++) {
            assertEquals(0f, grad[vocab + v], "ignored row has no gradient");
        }
        GradCheck.check("ce", logits, grad, () -> CrossEntropy.lossAndGradient(logits, targets, rows, vocab, null),
                6, 1e-3, 5e-3, 22);
        // Uniform logits: loss = ln(vocab).
        assertEquals(Math.log(3), CrossEntropy.lossAndGradient(new float[3], new int[] {1}, 1, 3, null), 1e-9);
        assertEquals(Double.NaN, CrossEntropy.lossAndGradient(new float[3], new int[] {CrossEntropy.IGNORE}, 1, 3,
                null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossEntropy.lossAndGradient(new float[3], new int[] {3}, 1, 3, null));
        assertEquals("targets[0]: expected 0..2 or -1, got 3", e.getMessage());
    }

    @Test
    void dropoutKeepsTheExpectation() {
        float[] mask = new float[100_000];
        Dropout.drawMask(0.25f, new SplittableRandom(1), mask, mask.length);
        double sum = 0;
        int zeros = 0;
        for (float m : mask) {
            sum += m;
            zeros += m == 0 ? 1 : 0;
            if (m != 0) {
                assertEquals(1f / 0.75f, m, 1e-6);
            }
        }
        assertEquals(1.0, sum / mask.length, 0.01);
        assertEquals(0.25, zeros / (double) mask.length, 0.01);
        assertThrows(IllegalArgumentException.class, () -> Dropout.drawMask(1f, new SplittableRandom(1), mask, 1));
    }

    @Test
    void parallelChunksCoverTheRangeOnce() {
        Parallel p = Parallel.of(3);
        int[] hits = new int[1000];
        p.forRange(1000, 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                hits[i]++;
            }
        });
        int[] ones = new int[1000];
        java.util.Arrays.fill(ones, 1);
        assertArrayEquals(ones, hits);
        assertEquals(3, p.chunks(1000, 1));
        assertEquals(1, p.chunks(10, 100));
        assertEquals(1, Parallel.serial().chunks(1000, 1));
    }
}
