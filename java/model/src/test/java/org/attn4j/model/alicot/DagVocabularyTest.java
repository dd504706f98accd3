package org.attn4j.model.alicot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Token ids, the prompt's layout and the chunk states the aligned latents are trained on. */
class DagVocabularyTest {
    /** g0 = XOR(x0, x1), g1 = XNOR(g0, x2), g2 = XOR(g1, x3): the chain is x0 x1 g0 x2 g1 x3. */
    private static final DagTask CHAIN = new DagTask(new DagShape(4, 3, 2), new int[][] {{0, 1}, {4, 2}, {5, 3}},
            new Gate[] {Gate.XOR, Gate.XNOR, Gate.XOR}, new int[] {6, 5, 4, 3, 2, 1, 0});

    @Test
    void aProblemIsWrittenAsNamedInputsInItsOrderThenTheQuery() {
        DagVocabulary v = new DagVocabulary(CHAIN, 1);
        BoolDag dag = new BoolDag(CHAIN, new int[] {1, 0, 1, 1}, new int[] {2, 0, 3, 1});
        assertEquals("[n4=1] [n6=1] [n3=1] [n5=0] ? n0", v.describe(v.prompt(dag), 0, v.promptLength()));
        // x0 ^ x1 = 1; XNOR(1, x2 = 1) = 1; XOR(1, x3 = 1) = 0.
        assertEquals("[1, 0, 1, 1, 1, 1]", java.util.Arrays.toString(v.chain(dag)));
        assertEquals(0, dag.answer());
        assertEquals(6, v.steps());
        assertEquals(3 + 3 * 7, v.size());
    }

    @Test
    void everyTokenIsDistinctAndInTheVocabulary() {
        DagVocabulary v = new DagVocabulary(CHAIN, 2);
        Set<Integer> ids = new HashSet<>(Set.of(DagVocabulary.ZERO, DagVocabulary.ONE, DagVocabulary.QUERY));
        for (int n = 0; n < 7; n++) {
            assertTrue(ids.add(v.name(n)));
            assertTrue(ids.add(v.assignment(n, 0)));
            assertTrue(ids.add(v.assignment(n, 1)));
        }
        BoolDagGenerator g = new BoolDagGenerator(CHAIN, 1);
        for (int i = 0; i < 50; i++) {
            BoolDag dag = g.next();
            for (int j = 0; j < v.latents(); j++) {
                int s = v.stateToken(dag, j);
                assertTrue(s >= 3 + 3 * 7 && s < v.size(), "state token " + s);
            }
        }
        assertEquals(ids.size() + 4, v.size());
    }

    @Test
    void chunkStatesEncodeTheValuesOfTheirSteps() {
        BoolDag dag = new BoolDag(CHAIN, new int[] {1, 0, 1, 1}, new int[] {0, 1, 2, 3});
        int[] chain = new DagVocabulary(CHAIN, 1).chain(dag); // 1 0 1 1 1 1
        DagVocabulary one = new DagVocabulary(CHAIN, 1);
        for (int j = 0; j < 6; j++) {
            assertEquals(chain[j], one.stateToken(dag, j), "ratio 1: the value token itself");
        }
        DagVocabulary two = new DagVocabulary(CHAIN, 2);
        assertEquals(3, two.latents());
        int base = 3 + 3 * 7;
        assertEquals(base + (1 | 0 << 1), two.stateToken(dag, 0));
        assertEquals(base + (1 | 1 << 1), two.stateToken(dag, 1));
        assertEquals(base + (1 | 1 << 1), two.stateToken(dag, 2));
        DagVocabulary four = new DagVocabulary(CHAIN, 4);
        assertEquals(2, four.latents());
        assertEquals(base + (1 | 0 << 1 | 1 << 2 | 1 << 3), four.stateToken(dag, 0));
        // The short last chunk: steps 4 and 5, the missing ones count as 0.
        assertEquals(base + (1 | 1 << 1), four.stateToken(dag, 1));
        assertEquals("j: expected 0..1, got 2",
                assertThrows(IllegalArgumentException.class, () -> four.stateToken(dag, 2)).getMessage());
        assertEquals("ratio: expected 1..6, got 0",
                assertThrows(IllegalArgumentException.class, () -> new DagVocabulary(CHAIN, 0)).getMessage());
    }
}
