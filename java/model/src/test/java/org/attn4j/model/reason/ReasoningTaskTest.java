package org.attn4j.model.reason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Every task's problems are what its definition says, for any seed and size. */
class ReasoningTaskTest {

    @Property(tries = 50)
    void linalgChainsArePartialSumsOfTheProduct(@ForAll @IntRange(min = 1, max = 4) int n,
                                                @ForAll @IntRange(min = 2, max = 11) int p, @ForAll long seed) {
        LinalgTask t = new LinalgTask(n, p);
        Problem pr = t.sample(new SplittableRandom(seed));
        int[] in = pr.input();
        assertEquals(n * n + n, in.length);
        for (int i = 0; i < n; i++) {
            int y = 0;
            for (int j = 0; j < n; j++) {
                y += in[i * n + j] * in[n * n + j];
            }
            assertEquals(Math.floorMod(y, p), pr.cot()[t.answerPositions()[i]], "y_" + i);
        }
        for (int i = 0; i < n; i++) {
            int s = 0;
            for (int j = 0; j < n; j++) {
                s = (s + in[i * n + j] * in[n * n + j]) % p;
                assertEquals(s, pr.cot()[i * n + j]);
            }
        }
        checkVocabulary(t, pr);
    }

    @Property(tries = 50)
    void pointerChainsFollowTheTable(@ForAll @IntRange(min = 2, max = 40) int cells,
                                     @ForAll @IntRange(min = 1, max = 12) int hops, @ForAll long seed) {
        PointerTask t = new PointerTask(cells, hops, 48);
        Problem pr = t.sample(new SplittableRandom(seed));
        Map<Integer, Integer> table = new HashMap<>();
        Set<Integer> values = new HashSet<>();
        for (int i = 0; i < cells; i++) {
            assertEquals(null, table.put(pr.input()[2 * i], pr.input()[2 * i + 1]), "keys must be distinct");
            values.add(pr.input()[2 * i + 1]);
        }
        assertEquals(table.keySet(), values, "every value is the key of a cell");
        int x = pr.prompt()[0];
        assertTrue(table.containsKey(x));
        Set<Integer> visited = new HashSet<>();
        for (int h = 0; h < hops; h++) {
            x = table.get(x);
            assertEquals(x, pr.cot()[h]);
            visited.add(x);
        }
        // one cycle through all keys: the first min(hops, cells) hops are distinct
        assertEquals(Math.min(hops, cells), visited.size());
        checkVocabulary(t, pr);
    }

    @Property(tries = 30)
    void parityChainsXorTheSecretBits(@ForAll @IntRange(min = 2, max = 30) int n, @ForAll long seed) {
        int k = 1 + (int) Math.floorMod(seed, (long) Math.min(n, 5));
        ParityCotTask t = new ParityCotTask(n, k, seed);
        Problem pr = t.sample(new SplittableRandom(seed + 1));
        int c = 0;
        for (int j = 0; j < k; j++) {
            c ^= pr.input()[t.secret()[j]];
            assertEquals(c, pr.cot()[j]);
        }
        checkVocabulary(t, pr);
    }

    @Property(tries = 50)
    void sumChainsAreRunningSumsAfterEveryGroup(@ForAll @IntRange(min = 1, max = 30) int n,
                                                @ForAll @IntRange(min = 2, max = 9) int p, @ForAll long seed) {
        int group = 1 + (int) Math.floorMod(seed, (long) n);
        SumTask t = new SumTask(n, p, group, 2 + (int) Math.floorMod(seed >> 8, (long) p - 1));
        Problem pr = t.sample(new SplittableRandom(seed));
        assertEquals((n + group - 1) / group, pr.cot().length);
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += pr.input()[i];
            if ((i + 1) % group == 0 || i == n - 1) {
                assertEquals(total % p, pr.cot()[i / group]);
            }
        }
        checkVocabulary(t, pr);
    }

    @Test
    void sameSeedSameProblemsAndFingerprintsTellThemApart() {
        LinalgTask t = new LinalgTask(3, 7);
        Problem a = t.sample(new SplittableRandom(5));
        assertEquals(a, t.sample(new SplittableRandom(5)));
        assertEquals(a.fingerprint(), t.sample(new SplittableRandom(5)).fingerprint());
        assertNotEquals(a.fingerprint(), t.sample(new SplittableRandom(6)).fingerprint());
    }

    @Test
    void pointerScalesAndOthersRefuse() {
        ReasoningTask big = new PointerTask(16, 4, 2048).withInputLength(1024);
        assertEquals(1024, big.inputLength());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LinalgTask(3, 7).withInputLength(30));
        assertTrue(e.getMessage().startsWith("testLengths: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PointerTask(16, 4, 64).withInputLength(65));
    }

    @Test
    void badSizesNameTheirField() {
        assertEquals("n: expected a matrix size >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new LinalgTask(0, 7)).getMessage());
        assertEquals("p: expected a modulus >= 2, got 1",
                assertThrows(IllegalArgumentException.class, () -> new SumTask(4, 1, 1, 2)).getMessage());
        assertEquals("group: expected 1..4 digits per chain step, got 5",
                assertThrows(IllegalArgumentException.class, () -> new SumTask(4, 3, 5, 2)).getMessage());
        assertEquals("digits: expected 2..3 (at most the modulus), got 4",
                assertThrows(IllegalArgumentException.class, () -> new SumTask(4, 3, 2, 4)).getMessage());
        assertEquals("hops: expected >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new PointerTask(4, 0, 8)).getMessage());
        assertEquals("k: expected 1..4 secret bits, got 5",
                assertThrows(IllegalArgumentException.class, () -> new ParityCotTask(4, 5, 0)).getMessage());
    }

    private static void checkVocabulary(ReasoningTask t, Problem p) {
        assertEquals(t.inputLength() * t.inputFields(), p.input().length);
        assertEquals(t.promptLength(), p.prompt().length);
        assertEquals(t.cotLength(), p.cot().length);
        for (int[] part : new int[][] {p.input(), p.prompt(), p.cot()}) {
            for (int tok : part) {
                assertTrue(tok >= 0 && tok < t.vocabSize() && tok != t.eos(), "token " + tok);
            }
        }
    }
}
