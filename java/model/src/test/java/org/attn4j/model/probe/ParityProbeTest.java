package org.attn4j.model.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.parity.ParityTask;
import org.junit.jupiter.api.Test;

/** The probe on functions whose answers are known, then on a real (untrained) GPT model. */
class ParityProbeTest {
    private static final ParityTask TASK = ParityTask.of(12, false, 1, 4, 6, 9);

    /** A model whose answer is {@code f(input bits)}, with logits +-2. */
    private static AnswerModel function(int n, Function<int[], Integer> f) {
        return new AnswerModel() {
            @Override
            public int vocab() {
                return 2;
            }

            @Override
            public float[] answerLogits(int[] tokens, int batch, int length) {
                float[] out = new float[batch * 2];
                for (int b = 0; b < batch; b++) {
                    int[] x = new int[n];
                    System.arraycopy(tokens, b * length, x, 0, n);
                    int a = f.apply(x);
                    out[2 * b + a] = 2;
                    out[2 * b + 1 - a] = -2;
                }
                return out;
            }
        };
    }

    private static int parity(int[] x, int... indices) {
        int p = 0;
        for (int i : indices) {
            p ^= x[i];
        }
        return p;
    }

    @Test
    void theParityItselfIsRightEverywhereAndReadsOnlyTheSecret() {
        ProbeReport r = ParityProbe.run(TASK, function(12, x -> parity(x, 1, 4, 6, 9)), 8, 3, 16);
        assertEquals(128, r.sequences());
        assertEquals(1.0, r.accuracy());
        assertEquals(1.0, r.parityCoefficient(), 1e-12);
        assertEquals(16, r.patternsRight());
        assertEquals(0, r.patternsWrong() + r.patternsMixed());
        double right = 1 / (1 + Math.exp(-4));
        assertEquals(right, r.meanProbabilityCorrect(), 1e-9);
        for (int i = 0; i < 12; i++) {
            boolean secret = i == 1 || i == 4 || i == 6 || i == 9;
            assertEquals(secret ? 1.0 : 0.0, r.influence()[i], "bit " + i);
        }
        assertArrayEquals(new int[] {1, 4, 6, 9}, r.topCoefficients().get(0).subset());
        assertEquals(1.0, r.topCoefficients().get(0).value(), 1e-12);
        assertEquals(0.0, r.topCoefficients().get(1).value(), 1e-12);
    }

    @Test
    void aParityOfThreeSecretBitsIsAtChanceButItsCoefficientShowsWhichThree() {
        ProbeReport r = ParityProbe.run(TASK, function(12, x -> parity(x, 1, 4, 6)), 8, 3, 50);
        assertEquals(0.5, r.accuracy());
        assertEquals(0.0, r.parityCoefficient(), 1e-12);
        assertEquals(8, r.patternsRight());
        assertEquals(8, r.patternsWrong());
        assertArrayEquals(new int[] {1, 4, 6}, r.topCoefficients().get(0).subset());
        assertEquals(1.0, r.topCoefficients().get(0).value(), 1e-12);
        assertEquals(0.0, r.influence()[9]);
        assertEquals(1.0, r.influence()[6]);
    }

    @Test
    void rightOnHalfThePatternsAndGuessingOnTheRestGivesThreeQuarters() {
        // Right when secret bit 1 is 0; otherwise the answer copies bit 0, which is not in the secret.
        ProbeReport r = ParityProbe.run(TASK, function(12, x -> x[1] == 0 ? parity(x, 1, 4, 6, 9) : x[0]), 256, 5,
                1000);
        assertEquals(0.75, r.accuracy(), 0.02);
        assertEquals(8, r.patternsRight());
        assertEquals(8, r.patternsMixed());
        assertEquals(0, r.patternsWrong());
        assertEquals(0.5, r.influence()[0], 0.03);
        assertEquals(0.0, r.influence()[2]);
        assertEquals(2 * r.accuracy() - 1, r.parityCoefficient(), 1e-12);
        for (ProbeReport.Pattern p : r.patterns()) {
            assertEquals(p.bits().charAt(0) == '0' ? 1.0 : 0.5, p.accuracy(), p.bits().charAt(0) == '0' ? 0 : 0.15,
                    p.bits());
        }
        // The split shows which bit decides: right every time when secret bit 1 is 0, half the time when it is 1.
        assertEquals(1.0, r.accuracyByBit()[1][0]);
        assertEquals(0.5, r.accuracyByBit()[1][1], 0.03);
        assertEquals(0.75, r.accuracyByBit()[2][0], 0.03);
        assertEquals(0.75, r.accuracyByBit()[2][1], 0.03);
        assertEquals(5, r.byOnes().size());
        assertEquals(1, r.byOnes().get(0).patterns());
        assertEquals(1.0, r.byOnes().get(0).accuracy());
    }

    @Test
    void aConstantAnswerIsAllBias() {
        ProbeReport r = ParityProbe.run(TASK, function(12, x -> 0), 4, 1, 7);
        assertEquals(0.5, r.accuracy());
        assertEquals(1.0, r.constantCoefficient(), 1e-12);
        assertEquals(0.0, r.parityCoefficient(), 1e-12);
        for (double v : r.influence()) {
            assertEquals(0.0, v);
        }
        // Patterns of even parity are right every time, odd ones never.
        for (ProbeReport.Pattern p : r.patterns()) {
            assertEquals(p.ones() % 2 == 0 ? 1.0 : 0.0, p.accuracy(), p.bits());
        }
    }

    @Test
    void withCotTheProbeReadsTheLastRowAfterATeacherForcedChain() {
        ParityTask cot = ParityTask.of(8, true, 2, 5);
        // The last row's token is the partial parity c_1 (position n + 1); the answer is c_1 xor b_5.
        AnswerModel m = new AnswerModel() {
            @Override
            public int vocab() {
                return 2;
            }

            @Override
            public float[] answerLogits(int[] tokens, int batch, int length) {
                assertEquals(cot.length(), length);
                float[] out = new float[batch * 2];
                for (int b = 0; b < batch; b++) {
                    int a = tokens[b * length + length - 2] ^ tokens[b * length + 5];
                    out[2 * b + a] = 1;
                }
                return out;
            }
        };
        ProbeReport r = ParityProbe.run(cot, m, 4, 2, 3);
        assertEquals(1.0, r.accuracy());
        assertEquals(1.0, r.influence()[2]);
        assertEquals(1.0, r.influence()[5]);
        assertEquals(0.0, r.influence()[0]);
    }

    @Test
    void walshHadamardOfACharacterIsOneAtItsSet() {
        // v[p] = (-1)^(bit 0 + bit 2 of p) over 3 bits: the character of the set {0, 2} (mask 5).
        double[] v = new double[8];
        for (int p = 0; p < 8; p++) {
            v[p] = Integer.bitCount(p & 5) % 2 == 0 ? 1 : -1;
        }
        double[] c = ParityProbe.walshHadamard(v);
        for (int a = 0; a < 8; a++) {
            assertEquals(a == 5 ? 1.0 : 0.0, c[a], 1e-12);
        }
    }

    @Test
    void aRealGptModelAnswersThroughItsLastRowButOne() {
        ParityTask task = ParityTask.of(6, false, 0, 3);
        GptConfig c = GptConfig.of(2, task.length(), 16, 1, 2);
        try (GptModel gpt = new GptModel(c, 7, Parallel.serial())) {
            GptAnswerModel m = new GptAnswerModel(gpt);
            int[] tokens = {1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0};
            float[] all = gpt.forward(tokens, 2, 7, GptModel.Mode.EVAL).clone();
            float[] answers = m.answerLogits(tokens, 2, 7);
            assertArrayEquals(new float[] {all[5 * 2], all[5 * 2 + 1], all[12 * 2], all[12 * 2 + 1]}, answers);
            ProbeReport r = ParityProbe.run(task, m, 16, 4, 10);
            assertEquals(64, r.sequences());
            assertTrue(r.accuracy() >= 0 && r.accuracy() <= 1);
            assertEquals(4, r.patterns().size());
            assertEquals(r.sequences(), r.patterns().size() * r.sequencesPerPattern());
        }
    }

    @Test
    void badInputIsRefusedByName() {
        AnswerModel ok = function(12, x -> 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParityProbe.run(null, ok, 1, 0, 1))
                .getMessage().startsWith("task:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParityProbe.run(TASK, null, 1, 0, 1))
                .getMessage().startsWith("model:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParityProbe.run(TASK, ok, 0, 0, 1))
                .getMessage().startsWith("perPattern:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParityProbe.run(TASK, ok, 1, 0, 0))
                .getMessage().startsWith("chunk:"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ParityProbe.run(TASK, ok, Integer.MAX_VALUE, 0, 1)).getMessage().startsWith("perPattern:"));
        ParityTask wide = ParityTask.withSeed(40, 13, false, 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParityProbe.run(wide, ok, 1, 0, 1))
                .getMessage().startsWith("k: the probe enumerates"));
        AnswerModel three = new AnswerModel() {
            @Override
            public int vocab() {
                return 3;
            }

            @Override
            public float[] answerLogits(int[] tokens, int batch, int length) {
                return new float[batch * 3];
            }
        };
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParityProbe.run(TASK, three, 1, 0, 1))
                .getMessage().startsWith("vocab:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GptAnswerModel(null))
                .getMessage().startsWith("model:"));
    }
}
