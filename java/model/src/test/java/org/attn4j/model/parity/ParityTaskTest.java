package org.attn4j.model.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The sequence layout of the paper's reference code, the secret draw and the data split. */
class ParityTaskTest {

    @Test
    void paperExampleWithAndWithoutCot() {
        // The paper's example: f(b) = b1 xor b2 xor b4 on 5 bits, input 0 1 0 1 0 (0-based secret 0, 1, 3).
        int[] bits = {0, 1, 0, 1, 0};
        ParityTask cot = ParityTask.of(5, true, 3, 0, 1);
        int[] seq = new int[cot.length()];
        cot.write(bits, 0, seq, 0);
        // Inputs, then 0 (empty parity), b1 = 0, b1^b2 = 1, b1^b2^b4 = 0: as the reference code lays it out.
        assertArrayEquals(new int[] {0, 1, 0, 1, 0, 0, 0, 1, 0}, seq);
        assertEquals(4, cot.labelledTokens());
        assertArrayEquals(new int[] {4, 5, 6, 7}, cot.labelRows());
        assertArrayEquals(new int[] {5, 6, 7}, cot.theoryRows());
        assertEquals(0, cot.secretOfRow(5));
        assertEquals(1, cot.secretOfRow(6));
        assertEquals(3, cot.secretOfRow(7));
        assertEquals(-1, cot.secretOfRow(4));
        assertEquals(-1, cot.secretOfRow(8));

        ParityTask plain = cot.withCot(false);
        int[] s2 = new int[plain.length()];
        plain.write(bits, 0, s2, 0);
        assertArrayEquals(new int[] {0, 1, 0, 1, 0, 0}, s2);
        assertArrayEquals(new int[] {4}, plain.labelRows());
        assertThrows(IllegalStateException.class, plain::theoryRows, "the reference layout has no end-of-input row");
        assertEquals(-1, plain.secretOfRow(5));

        // Definition 1: b_1..b_n, b_{n+1} = 0, b_{n+2} = parity; the loss sits on row n+1 (1-based), the 0's.
        ParityTask definition1 = plain.withEndOfInput();
        int[] s3 = new int[definition1.length()];
        definition1.write(bits, 0, s3, 0);
        assertArrayEquals(new int[] {0, 1, 0, 1, 0, 0, 0}, s3);
        assertEquals(7, definition1.length());
        assertArrayEquals(new int[] {5}, definition1.theoryRows());
        assertArrayEquals(new int[] {4, 5}, definition1.labelRows());
        int[] odd = {1, 1, 0, 0, 1};
        definition1.write(odd, 0, s3, 0);
        assertArrayEquals(new int[] {1, 1, 0, 0, 1, 0, 0}, s3, "1 xor 1 xor 0 = 0");
        int[] one = {1, 0, 0, 0, 0};
        definition1.write(one, 0, s3, 0);
        assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0, 1}, s3);
        int[] withToken = new int[cot.withEndOfInput().length()];
        cot.withEndOfInput().write(bits, 0, withToken, 0);
        assertArrayEquals(seq, withToken, "with CoT the 0 is there already");
    }

    @Property(tries = 200)
    void cotTokensChainTheParity(@ForAll @IntRange(min = 2, max = 30) int n, @ForAll @IntRange(min = 1, max = 30) int k,
                                 @ForAll long seed) {
        if (k > n) {
            return;
        }
        ParityTask t = ParityTask.withSeed(n, k, true, seed);
        int[] secret = t.secret();
        assertEquals(k, secret.length);
        assertEquals(k, Arrays.stream(secret).distinct().count());
        assertTrue(Arrays.stream(secret).allMatch(i -> i >= 0 && i < n));
        for (int i = 1; i < k; i++) {
            assertTrue(secret[i - 1] < secret[i], "ascending");
        }
        if (k < n) {
            assertFalse(Arrays.stream(secret).anyMatch(i -> i == n - 1), "the last input is never secret");
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = r.nextInt(2);
        }
        int[] seq = new int[t.length()];
        t.write(bits, 0, seq, 0);
        assertEquals(0, seq[n]);
        for (int row = n; row < n + k; row++) {
            // Sparse dependence: each CoT token is the previous one xor one secret input.
            assertEquals(seq[row] ^ bits[t.secretOfRow(row)], seq[row + 1]);
        }
        assertEquals(t.answer(bits, 0), seq[t.length() - 1]);
    }

    @Test
    void fixedTrainingSetsThatCouldNotBeDrawnAreRefusedUpFront() {
        ParityTask big = ParityTask.withSeed(23, 3, true, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ParityData(big, 1, 2048, 5_000_000));
        assertTrue(e.getMessage().startsWith("trainSize: for n > 22 the training and evaluation inputs together may"
                + " fill at most half"), e.getMessage());
        ParityTask wide = ParityTask.withSeed(60, 3, true, 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> new ParityData(wide, 1, 2048, 100_000_000));
        assertTrue(e.getMessage().contains("do not fit in one Java array"), e.getMessage());
    }

    @Test
    void theSecretDependsOnlyOnTheSeed() {
        assertArrayEquals(ParityTask.withSeed(20, 3, true, 7).secret(), ParityTask.withSeed(20, 3, false, 7).secret());
        Set<String> secrets = new HashSet<>();
        for (long s = 0; s < 20; s++) {
            secrets.add(Arrays.toString(ParityTask.withSeed(20, 3, true, s).secret()));
        }
        assertTrue(secrets.size() > 15, "seeds draw different secrets");
    }

    @Test
    void invalidTasksAreRejected() {
        assertEquals("k: expected 1..20 (1 <= k <= n), got 21",
                assertThrows(IllegalArgumentException.class, () -> ParityTask.withSeed(20, 21, true, 0)).getMessage());
        assertEquals("n: expected >= 2 input bits, got 1",
                assertThrows(IllegalArgumentException.class, () -> ParityTask.withSeed(1, 1, true, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParityTask.of(5, true, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> ParityTask.of(5, true, 5));
        assertThrows(IllegalArgumentException.class, () -> ParityTask.of(5, true, 1).write(new int[] {0, 2, 0, 0, 0},
                0, new int[7], 0));
    }

    @Test
    void evaluationAndTrainingInputsAreDisjoint() {
        ParityTask t = ParityTask.withSeed(12, 3, true, 1);
        ParityData fresh = new ParityData(t, 2, 512, 0);
        int len = t.length();
        int[] eval = fresh.evalSequences();
        Set<String> evalInputs = new HashSet<>();
        for (int i = 0; i < 512; i++) {
            evalInputs.add(Arrays.toString(Arrays.copyOfRange(eval, i * len, i * len + 12)));
            assertArrayEquals(fresh.evalInput(i), Arrays.copyOfRange(eval, i * len, i * len + 12));
        }
        assertEquals(512, evalInputs.size(), "distinct evaluation inputs");
        int[] batch = new int[200 * len];
        for (int rep = 0; rep < 10; rep++) {
            fresh.nextBatch(200, batch);
            for (int b = 0; b < 200; b++) {
                assertFalse(evalInputs.contains(Arrays.toString(Arrays.copyOfRange(batch, b * len, b * len + 12))));
                assertFalse(fresh.isEvalInput(batch, b * len));
            }
        }
    }

    @Test
    void multiPassCyclesThroughTheFixedSet() {
        ParityTask t = ParityTask.withSeed(10, 2, false, 3);
        ParityData fixed = new ParityData(t, 4, 100, 50);
        int len = t.length();
        int[] batch = new int[25 * len];
        Set<String> firstEpoch = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            fixed.nextBatch(25, batch);
            for (int b = 0; b < 25; b++) {
                firstEpoch.add(Arrays.toString(Arrays.copyOfRange(batch, b * len, (b + 1) * len)));
                assertFalse(fixed.isEvalInput(batch, b * len));
            }
        }
        assertEquals(50, firstEpoch.size(), "one epoch visits every training sequence once");
        assertEquals(1, fixed.epochsStarted());
        fixed.nextBatch(25, batch);
        assertEquals(2, fixed.epochsStarted());
        assertTrue(firstEpoch.contains(Arrays.toString(Arrays.copyOfRange(batch, 0, len))));
        assertEquals("trainSize: the 1000 training and 100 evaluation inputs must be distinct, but n = 10 has only 1024",
                assertThrows(IllegalArgumentException.class, () -> new ParityData(t, 1, 100, 1000)).getMessage());
    }
}
