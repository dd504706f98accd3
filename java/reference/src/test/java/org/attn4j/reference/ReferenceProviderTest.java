package org.attn4j.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The oracle checked against hand-computed values and independent formulas: the rest of the project trusts it.
 */
class ReferenceProviderTest {
    private final ReferenceProvider reference = new ReferenceProvider();

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** Scores s_j = q * k_j with q = 1, D = 1, scale 1, and V = identity: O is the weight vector itself. */
    private float[] weightsOf(float[] scores, Normalizer normalizer) {
        int n = scores.length;
        float[] eye = new float[n * n];
        for (int j = 0; j < n; j++) {
            eye[j * n + j] = 1;
        }
        try (Tensor q = Tensor.of(new float[] {1}, 1, 1, 1, 1); Tensor k = Tensor.of(scores, 1, 1, n, 1);
             Tensor v = Tensor.of(eye, 1, 1, n, n);
             AttentionResult r = reference.forward(AttentionRequest.builder(q, k, v).scale(1).normalizer(normalizer)
                     .build())) {
            return r.output().toFloatArray();
        }
    }

    @Test
    void sparsemaxOfAKnownRow() {
        assertArrayEquals(new float[] {0.75f, 0.25f, 0f}, weightsOf(new float[] {1, 0.5f, -1}, Normalizer.SPARSEMAX),
                1e-7f);
        assertArrayEquals(new float[] {1f, 0f}, weightsOf(new float[] {3, 1}, Normalizer.SPARSEMAX), 1e-7f);
        assertArrayEquals(new float[] {0.5f, 0.5f}, weightsOf(new float[] {2, 2}, Normalizer.SPARSEMAX), 1e-7f);
    }

    @Test
    void softmaxOfAKnownRow() {
        double e = Math.exp(1);
        assertArrayEquals(new float[] {(float) (e / (e + 1)), (float) (1 / (e + 1))},
                weightsOf(new float[] {1, 0}, Normalizer.SOFTMAX), 1e-7f);
    }

    /** Entmax-1.5 against tau found by bisection, an algorithm independent of the provider's sorted closed form. */
    @Test
    void entmaxMatchesBisection() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + rnd.nextInt(12);
            float[] s = random(rnd, n);
            for (int j = 0; j < n; j++) {
                s[j] *= 3;
            }
            double lo = -10;
            double hi = 10;
            for (int it = 0; it < 200; it++) {
                double tau = (lo + hi) / 2;
                double sum = 0;
                for (float x : s) {
                    double t = Math.max(x / 2.0 - tau, 0);
                    sum += t * t;
                }
                if (sum > 1) {
                    lo = tau;
                } else {
                    hi = tau;
                }
            }
            float[] p = weightsOf(s, Normalizer.ENTMAX15);
            double total = 0;
            for (int j = 0; j < n; j++) {
                double t = Math.max(s[j] / 2.0 - lo, 0);
                assertEquals(t * t, p[j], 1e-6, "trial " + trial + " j " + j);
                total += p[j];
            }
            assertEquals(1, total, 1e-6);
        }
    }

    @Test
    void fullyMaskedRowsGiveZeroAndMinusInfinity() {
        // Nq > Nk with causal: the first Nq - Nk queries sit before every key.
        Random rnd = new Random(1);
        try (Tensor q = Tensor.of(random(rnd, 5 * 4), 1, 1, 5, 4); Tensor k = Tensor.of(random(rnd, 3 * 4), 1, 1, 3, 4);
             Tensor v = Tensor.of(random(rnd, 3 * 4), 1, 1, 3, 4);
             AttentionResult r = reference.forward(AttentionRequest.builder(q, k, v).causal().returnLse(true).build())) {
            float[] o = r.output().toFloatArray();
            float[] lse = r.lse().orElseThrow().toFloatArray();
            for (int i = 0; i < 2; i++) {
                assertEquals(Float.NEGATIVE_INFINITY, lse[i]);
                for (int c = 0; c < 4; c++) {
                    assertEquals(0f, o[i * 4 + c]);
                }
            }
            assertTrue(Float.isFinite(lse[2]));
            // Query 2 sits at aligned position 0: it sees key 0 only, so O = V[0].
            for (int c = 0; c < 4; c++) {
                assertEquals(v.get(0, 0, 0, c), o[2 * 4 + c], 1e-6f);
            }
            assertEquals(1 + 2 + 3, r.allowedPairs().getAsLong());
        }
    }

    /** Softmax attention with GQA, a window and global tokens, against a literal per-row computation. */
    @Test
    void maskedGqaSoftmaxMatchesLiteralComputation() {
        Random rnd = new Random(3);
        int b = 2, hq = 4, hkv = 2, nq = 6, nk = 9, d = 5, dv = 3;
        float[] qd = random(rnd, b * hq * nq * d);
        float[] kd = random(rnd, b * hkv * nk * d);
        float[] vd = random(rnd, b * hkv * nk * dv);
        int left = 2, right = 1, global = 2;
        double scale = 0.3;
        try (Tensor q = Tensor.of(qd, b, hq, nq, d); Tensor k = Tensor.of(kd, b, hkv, nk, d);
             Tensor v = Tensor.of(vd, b, hkv, nk, dv);
             AttentionResult r = reference.forward(AttentionRequest.builder(q, k, v).scale(scale).causal()
                     .window(left, right).globalTokens(global).returnLse(true).returnProbabilities(true).build())) {
            float[] o = r.output().toFloatArray();
            float[] lse = r.lse().orElseThrow().toFloatArray();
            float[] probs = r.probabilities().orElseThrow().toFloatArray();
            for (int bb = 0; bb < b; bb++) {
                for (int h = 0; h < hq; h++) {
                    int kvh = h / (hq / hkv);
                    for (int i = 0; i < nq; i++) {
                        int ip = i + nk - nq;
                        double[] s = new double[nk];
                        boolean[] ok = new boolean[nk];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < nk; j++) {
                            ok[j] = j <= ip && (j < global || ip < global || (ip - left <= j && j <= ip + right));
                            if (!ok[j]) {
                                continue;
                            }
                            double dot = 0;
                            for (int c = 0; c < d; c++) {
                                dot += qd[((bb * hq + h) * nq + i) * d + c] * (double) kd[((bb * hkv + kvh) * nk + j) * d + c];
                            }
                            s[j] = scale * dot;
                            max = Math.max(max, s[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j < nk; j++) {
                            sum += ok[j] ? Math.exp(s[j] - max) : 0;
                        }
                        int row = (bb * hq + h) * nq + i;
                        assertEquals(max + Math.log(sum), lse[row], 1e-5);
                        for (int c = 0; c < dv; c++) {
                            double acc = 0;
                            for (int j = 0; j < nk; j++) {
                                if (ok[j]) {
                                    acc += Math.exp(s[j] - max) / sum * vd[((bb * hkv + kvh) * nk + j) * dv + c];
                                }
                            }
                            assertEquals(acc, o[row * dv + c], 1e-6);
                        }
                        for (int j = 0; j < nk; j++) {
                            assertEquals(ok[j] ? Math.exp(s[j] - max) / sum : 0, probs[row * nk + j], 1e-6);
                        }
                    }
                }
            }
        }
    }

    @Test
    void tokenTopOneCopiesTheBestValue() {
        Random rnd = new Random(5);
        int n = 10, d = 4;
        float[] qd = random(rnd, n * d);
        float[] kd = random(rnd, n * d);
        float[] vd = random(rnd, n * d);
        try (Tensor q = Tensor.of(qd, 1, 1, n, d); Tensor k = Tensor.of(kd, 1, 1, n, d); Tensor v = Tensor.of(vd, 1, 1, n, d);
             AttentionResult r = reference.forward(AttentionRequest.builder(q, k, v).causal().topKTokens(1).build())) {
            float[] o = r.output().toFloatArray();
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += qd[i * d + c] * (double) kd[j * d + c];
                    }
                    if (dot > bestScore) {
                        bestScore = dot;
                        best = j;
                    }
                }
                for (int c = 0; c < d; c++) {
                    assertEquals(vd[best * d + c], o[i * d + c], 1e-7f, "row " + i);
                }
            }
            assertEquals(n, r.allowedPairs().getAsLong());
        }
    }

    @Test
    void halfPrecisionInputsAreReadAsRounded() {
        Random rnd = new Random(9);
        float[] qd = random(rnd, 2 * 8);
        try (Tensor q16 = Tensor.of(DType.BF16, qd, 1, 1, 2, 8); Tensor q32 = q16.toDType(DType.FP32);
             AttentionResult a = reference.forward(AttentionRequest.builder(q16, q16, q16).outputDType(DType.FP32).build());
             AttentionResult b = reference.forward(AttentionRequest.builder(q32, q32, q32).build())) {
            assertArrayEquals(b.output().toFloatArray(), a.output().toFloatArray(), 0f);
            assertEquals(DType.FP32, a.output().dtype());
        }
    }

    @Test
    void writesIntoCallerTensors() {
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2); Tensor out = Tensor.allocate(DType.FP32, 1, 1, 2, 2)) {
            AttentionResult r = reference.forward(AttentionRequest.builder(x, x, x).output(out).build());
            r.close(); // must not close the caller's tensor
            assertTrue(!out.isClosed());
            assertTrue(out.toFloatArray()[3] > 3);
        }
    }

    @Test
    void isFoundByServiceLoaderAndRejectsClosedTensors() {
        assertEquals(ReferenceProvider.NAME, Attention.provider("reference").name());
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 1, 1, 2);
        AttentionRequest r = AttentionRequest.builder(x, x, x).build();
        x.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attention.forward(r, "reference"));
        assertTrue(e.getMessage().startsWith("q"), e.getMessage());
    }

    /**
     * Central finite differences of L = sum(O * G) against the analytic backward, for every normalizer, with GQA, a
     * causal window and token top-k (a fixed mask for small perturbations).
     */
    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void backwardMatchesFiniteDifferences(Normalizer normalizer) {
        Random rnd = new Random(11 + normalizer.ordinal());
        int b = 1, hq = 2, hkv = 1, nq = 5, nk = 7, d = 3, dv = 2;
        float[][] inputs = {random(rnd, b * hq * nq * d), random(rnd, b * hkv * nk * d), random(rnd, b * hkv * nk * dv)};
        for (float[] x : inputs) {
            for (int i = 0; i < x.length; i++) {
                x[i] *= 2; // sharper rows, so sparsemax and entmax have non-trivial supports
            }
        }
        int[][] shapes = {{b, hq, nq, d}, {b, hkv, nk, d}, {b, hkv, nk, dv}};
        float[] g = random(rnd, b * hq * nq * dv);
        float[][] analytic;
        try (Tensor q = Tensor.of(inputs[0], shapes[0]); Tensor k = Tensor.of(inputs[1], shapes[1]);
             Tensor v = Tensor.of(inputs[2], shapes[2]); Tensor go = Tensor.of(g, b, hq, nq, dv)) {
            AttentionRequest r = request(q, k, v, normalizer);
            try (AttentionResult res = reference.forward(r);
                 AttentionGradients grads = reference.backward(BackwardRequest.of(r, res, go))) {
                analytic = new float[][] {grads.dq().toFloatArray(), grads.dk().toFloatArray(), grads.dv().toFloatArray()};
            }
        }
        double eps = 1e-3;
        for (int which = 0; which < 3; which++) {
            for (int idx = 0; idx < inputs[which].length; idx++) {
                float saved = inputs[which][idx];
                inputs[which][idx] = (float) (saved + eps);
                double plus = loss(inputs, shapes, g, normalizer);
                inputs[which][idx] = (float) (saved - eps);
                double minus = loss(inputs, shapes, g, normalizer);
                inputs[which][idx] = saved;
                double numeric = (plus - minus) / (2 * eps);
                assertEquals(numeric, analytic[which][idx], 2e-3 + 2e-3 * Math.abs(numeric),
                        normalizer + " grad of input " + which + " element " + idx);
            }
        }
    }

    private AttentionRequest request(Tensor q, Tensor k, Tensor v, Normalizer normalizer) {
        return AttentionRequest.builder(q, k, v).normalizer(normalizer).causal().window(3, 0).globalTokens(1)
                .topKTokens(3).build();
    }

    private double loss(float[][] inputs, int[][] shapes, float[] g, Normalizer normalizer) {
        try (Tensor q = Tensor.of(inputs[0], shapes[0]); Tensor k = Tensor.of(inputs[1], shapes[1]);
             Tensor v = Tensor.of(inputs[2], shapes[2]);
             AttentionResult res = reference.forward(request(q, k, v, normalizer))) {
            float[] o = res.output().toFloatArray();
            double l = 0;
            for (int i = 0; i < o.length; i++) {
                l += (double) o[i] * g[i];
            }
            return l;
        }
    }
}
