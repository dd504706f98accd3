package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Shapes and situations at the edges: decode, empty rows, odd sizes, caller-provided outputs, aliasing. */
class EdgeCaseTest {

    private static Scenario base(long seed) {
        Scenario s = new Scenario();
        s.seed = seed;
        return s;
    }

    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void decodeOneQueryAgainstManyKeys(Normalizer normalizer) {
        Scenario s = base(11);
        s.nq = 1;
        s.nk = 257;
        s.kvHeads = 2;
        s.group = 4;
        s.d = 64;
        s.dv = 64;
        s.causal = true;
        s.normalizer = normalizer;
        s.lse = normalizer == Normalizer.SOFTMAX;
        Comparison.forward(s);
        Comparison.backward(s);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 100, 257})
    void oddSizesEverywhere(int n) {
        for (Normalizer normalizer : Normalizer.values()) {
            Scenario s = base(n * 3L + normalizer.ordinal());
            s.nq = n;
            s.nk = n == 1 ? 1 : n + 3;
            s.d = n == 1 ? 1 : 7;
            s.dv = n == 1 ? 1 : 5;
            s.causal = n > 1;
            s.normalizer = normalizer;
            s.exact = normalizer == Normalizer.SPARSEMAX;
            s.scale = s.exact ? 0.5 : null;
            Comparison.forward(s);
            Comparison.backward(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Normalizer.class)
    void rowsWithNoAllowedKeyGiveZeroAndMinusInfinity(Normalizer normalizer) {
        // Causal with Nq > Nk: rows i < Nq - Nk sit before every key (bottom-right alignment: i' = i - 30).
        try (Tensor q = Tensor.of(fill(2 * 40 * 8, 1), 1, 2, 40, 8); Tensor k = Tensor.of(fill(2 * 10 * 8, 2), 1, 2, 10, 8);
             Tensor v = Tensor.of(fill(2 * 10 * 8, 3), 1, 2, 10, 8)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).causal().normalizer(normalizer)
                    .returnLse(normalizer == Normalizer.SOFTMAX).returnProbabilities(true).build();
            try (AttentionResult a = Fixtures.CPU.forward(r)) {
                float[] o = a.output().toFloatArray();
                for (int h = 0; h < 2; h++) {
                    for (int i = 0; i < 40; i++) {
                        for (int c = 0; c < 8; c++) {
                            float x = o[(h * 40 + i) * 8 + c];
                            assertTrue(!Float.isNaN(x), "NaN at row " + i);
                            if (i < 30) {
                                assertEquals(0f, x, "row " + i + " has no key: O must be 0");
                            }
                        }
                        if (normalizer == Normalizer.SOFTMAX) {
                            float lse = a.lse().get().toFloatArray()[h * 40 + i];
                            if (i < 30) {
                                assertEquals(Float.NEGATIVE_INFINITY, lse, "LSE of empty row " + i);
                            } else {
                                assertTrue(Float.isFinite(lse), "LSE of row " + i);
                            }
                        }
                    }
                }
                assertEquals(2L * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10), a.allowedPairs().getAsLong());
            }
            Comparison.forward(r, "causal Nq > Nk " + normalizer);
            try (Tensor gradO = Tensor.of(fill(2 * 40 * 8, 4), 1, 2, 40, 8)) {
                Comparison.backward(r, gradO, "causal Nq > Nk " + normalizer);
            }
        }
    }

    @Test
    void blockMaskThatRemovesEverything() {
        try (Tensor q = Tensor.of(fill(64 * 16, 1), 1, 1, 64, 16); Tensor k = Tensor.of(fill(64 * 16, 2), 1, 1, 64, 16);
             Tensor v = Tensor.of(fill(64 * 16, 3), 1, 1, 64, 16)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).blockMask(BlockMask.of(new boolean[2][2], 32, 32))
                    .returnLse(true).build();
            try (AttentionResult a = Fixtures.CPU.forward(r)) {
                assertEquals(0L, a.allowedPairs().getAsLong());
                for (float x : a.output().toFloatArray()) {
                    assertEquals(0f, x);
                }
                for (float x : a.lse().get().toFloatArray()) {
                    assertEquals(Float.NEGATIVE_INFINITY, x);
                }
                try (Tensor g = Tensor.of(fill(64 * 16, 5), 1, 1, 64, 16);
                     AttentionGradients grads = Fixtures.CPU.backward(BackwardRequest.of(r, a, g))) {
                    for (Tensor t : new Tensor[] {grads.dq(), grads.dk(), grads.dv()}) {
                        for (float x : t.toFloatArray()) {
                            assertEquals(0f, x);
                        }
                    }
                }
            }
        }
    }

    @Test
    void largeProblemRunsOnThePoolAndAgrees() {
        // Big enough to leave the inline path: several tasks on the fork/join pool.
        Scenario s = base(99);
        s.batch = 2;
        s.kvHeads = 2;
        s.group = 2;
        s.nq = 200;
        s.nk = 300;
        s.d = 64;
        s.dv = 64;
        s.causal = true;
        s.lse = true;
        assertTrue(2L * 128 * 2 * 4 * 200 * 300 > CpuThreads.INLINE_FLOPS);
        Comparison.forward(s);
        Comparison.backward(s);
        s.normalizer = Normalizer.ENTMAX15;
        s.lse = false;
        Comparison.forward(s);
        Comparison.backward(s);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void writesIntoTheCallersTensors(DType dtype) {
        Random rnd = new Random(3);
        try (Tensor q = Fixtures.randomTensor(rnd, dtype, 1, 1, 2, 70, 16);
             Tensor k = Fixtures.randomTensor(rnd, dtype, 1, 1, 2, 90, 16);
             Tensor v = Fixtures.randomTensor(rnd, dtype, 1, 1, 2, 90, 24);
             Tensor out = Tensor.allocate(DType.FP32, 1, 2, 70, 24);
             Tensor lse = Tensor.allocate(DType.FP32, 1, 2, 70)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).output(out).lseOutput(lse).causal().build();
            try (AttentionResult a = Fixtures.CPU.forward(r); AttentionResult e = Fixtures.REFERENCE.forward(r)) {
                assertSame(out, a.output());
                assertSame(lse, a.lse().get());
                Fixtures.assertClose("O", out, e.output(), Fixtures.forwardTolerance(dtype), "caller output");
                Fixtures.assertLseClose(lse, e.lse().get(), Fixtures.forwardTolerance(dtype), "caller lse");
            }
            assertTrue(!out.isClosed(), "closing the result must not close the caller's tensor");
        }
    }

    @Test
    void outputOverAnInputIsRefusedBeforeAnythingIsWritten() {
        // O written over q would also corrupt a later backward pass, which reads q: the request refuses it.
        Random rnd = new Random(5);
        try (Tensor q = Fixtures.randomTensor(rnd, DType.FP32, 1, 1, 2, 150, 16);
             Tensor k = Fixtures.randomTensor(rnd, DType.FP32, 1, 1, 2, 150, 16);
             Tensor v = Fixtures.randomTensor(rnd, DType.FP32, 1, 1, 2, 150, 16)) {
            float[] before = q.toFloatArray();
            for (Tensor input : new Tensor[] {q, k, v}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> AttentionRequest.builder(q, k, v).output(input).build());
                assertTrue(e.getMessage().startsWith("output: shares memory with "), e.getMessage());
            }
            assertArrayEquals(before, q.toFloatArray());
        }
    }

    @Test
    void outputTypeMayDifferFromTheInputs() {
        Random rnd = new Random(8);
        try (Tensor q = Fixtures.randomTensor(rnd, DType.FP32, 1, 1, 1, 33, 8);
             Tensor k = Fixtures.randomTensor(rnd, DType.FP32, 1, 1, 1, 33, 8);
             Tensor v = Fixtures.randomTensor(rnd, DType.FP32, 1, 1, 1, 33, 8)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).outputDType(DType.BF16).build();
            try (AttentionResult a = Fixtures.CPU.forward(r); AttentionResult e = Fixtures.REFERENCE.forward(r)) {
                assertEquals(DType.BF16, a.output().dtype());
                assertArrayEquals(new int[] {1, 1, 33, 8}, a.output().shape());
                Fixtures.assertClose("O", a.output(), e.output(), 1e-2, "bf16 output");
            }
        }
    }

    static float[] fill(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
