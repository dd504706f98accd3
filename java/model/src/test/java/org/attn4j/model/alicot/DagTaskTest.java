package org.attn4j.model.alicot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The NatBool-DAG-style generator: irreducible tasks, shuffled listings, a correct chain of thought. */
class DagTaskTest {

    @ParameterizedTest
    @CsvSource({"8,1,2", "8,2,2", "8,4,2", "8,6,2", "6,5,3", "10,8,2", "5,3,4"})
    void flippingAnyAncestorInputFlipsTheAnswerAndNoOtherDoes(int inputs, int depth, int fanIn) {
        for (long seed = 0; seed < 5; seed++) {
            DagTask task = DagTask.draw(new DagShape(inputs, depth, fanIn), seed);
            long ancestors = task.ancestorInputs();
            SplittableRandom r = new SplittableRandom(seed);
            for (int trial = 0; trial < 20; trial++) {
                int[] x = new int[inputs];
                for (int i = 0; i < inputs; i++) {
                    x[i] = r.nextInt(2);
                }
                int answer = task.evaluate(x)[task.shape().gateNode(depth - 1)];
                for (int i = 0; i < inputs; i++) {
                    x[i] ^= 1;
                    int flipped = task.evaluate(x)[task.shape().gateNode(depth - 1)];
                    x[i] ^= 1;
                    boolean ancestor = (ancestors >> i & 1) == 1;
                    assertEquals(ancestor, flipped != answer, task + ": input " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"8,4,2", "8,6,2", "6,5,3", "10,8,2"})
    void everyGateComputesANewParityOfAtLeastTwoInputs(int inputs, int depth, int fanIn) {
        for (long seed = 0; seed < 5; seed++) {
            DagTask task = DagTask.draw(new DagShape(inputs, depth, fanIn), seed);
            assertTrue(task.isIrreducible());
            long[] sets = task.paritySets();
            for (int g = 0; g < depth; g++) {
                int node = task.shape().gateNode(g);
                assertTrue(Long.bitCount(sets[node]) >= 2, task + ": gate " + g);
                for (int earlier = 0; earlier < node; earlier++) {
                    assertNotEquals(sets[earlier], sets[node], task + ": gate " + g + " repeats node " + earlier);
                }
                // The spine: gate g reads gate g - 1, so the sink lies depth gates above the inputs.
                if (g > 0) {
                    int spine = task.shape().gateNode(g - 1);
                    assertTrue(Arrays.stream(task.parents(g)).anyMatch(p -> p == spine), task + ": gate " + g);
                }
            }
        }
    }

    @Test
    void reducibleStructuresAreRecognised() {
        DagShape shape = new DagShape(4, 3, 2);
        // g1 = g0 ^ x2, g2 = g1 ^ g0 = x2: a copy of an input.
        assertFalse(DagTask.isIrreducible(shape, new int[][] {{0, 1}, {4, 2}, {5, 4}}));
        // g2 = g1 ^ x0 = x1 ^ x2 ^ ...: x0 cancels, the sink no longer depends on it.
        assertFalse(DagTask.isIrreducible(shape, new int[][] {{0, 1}, {4, 2}, {5, 0}}));
        assertTrue(DagTask.isIrreducible(shape, new int[][] {{0, 1}, {4, 2}, {5, 3}}));
    }

    @Test
    void theSeedFixesTheTaskAndTheNamesArePermuted() {
        DagShape shape = new DagShape(8, 4, 2);
        assertEquals(DagTask.draw(shape, 7).toString(), DagTask.draw(shape, 7).toString());
        boolean differs = false;
        for (long s = 0; s < 5; s++) {
            differs |= !DagTask.draw(shape, s).toString().equals(DagTask.draw(shape, s + 1).toString());
        }
        assertTrue(differs, "different seeds draw different DAGs");
        // Names: a permutation of the nodes, not the identity for every seed (a name says nothing of its node).
        int identity = 0;
        for (long s = 0; s < 10; s++) {
            DagTask t = DagTask.draw(shape, s);
            boolean[] seen = new boolean[shape.nodes()];
            boolean id = true;
            for (int node = 0; node < shape.nodes(); node++) {
                assertFalse(seen[t.name(node)]);
                seen[t.name(node)] = true;
                id &= t.name(node) == node;
            }
            identity += id ? 1 : 0;
        }
        assertTrue(identity < 10);
    }

    @Test
    void inputsAreListedInAUniformlyShuffledOrder() {
        DagTask task = DagTask.draw(new DagShape(8, 4, 2), 1);
        BoolDagGenerator g = new BoolDagGenerator(task, 2);
        int problems = 16_000;
        int[][] count = new int[8][8];
        int ones = 0;
        for (int i = 0; i < problems; i++) {
            BoolDag dag = g.next();
            for (int pos = 0; pos < 8; pos++) {
                count[pos][dag.listedInput(pos)]++;
            }
            ones += dag.answer();
        }
        // Each input at each position with probability 1/8: 2000 expected, sd about 42.
        for (int pos = 0; pos < 8; pos++) {
            for (int in = 0; in < 8; in++) {
                assertTrue(Math.abs(count[pos][in] - problems / 8) < 250, "input " + in + " at " + pos + ": "
                        + count[pos][in]);
            }
        }
        assertTrue(Math.abs(ones - problems / 2) < 500, "answers are balanced: " + ones);
    }

    @Test
    void theChainListsTheSinksAncestorsInTopologicalOrder() {
        for (long seed = 0; seed < 10; seed++) {
            DagTask task = DagTask.draw(new DagShape(10, 8, 2), seed);
            DagShape shape = task.shape();
            int[] chain = task.chainNodes();
            int[] position = new int[shape.nodes()];
            Arrays.fill(position, -1);
            for (int j = 0; j < chain.length; j++) {
                assertEquals(-1, position[chain[j]], "each ancestor once");
                position[chain[j]] = j;
            }
            // Every gate but the sink and every ancestor input, and nothing else.
            for (int g = 0; g < shape.depth() - 1; g++) {
                assertTrue(position[shape.gateNode(g)] >= 0);
            }
            for (int i = 0; i < shape.inputs(); i++) {
                assertEquals((task.ancestorInputs() >> i & 1) == 1, position[i] >= 0, "input " + i);
            }
            assertEquals(Long.bitCount(task.ancestorInputs()) + shape.depth() - 1, chain.length);
            // Parents before the gate.
            for (int g = 0; g < shape.depth() - 1; g++) {
                for (int p : task.parents(g)) {
                    assertTrue(position[p] < position[shape.gateNode(g)], task + ": parent " + p + " of gate " + g);
                }
            }
        }
    }

    @Test
    void theChainsValuesAreTheGatesEvaluated() {
        DagTask task = DagTask.draw(new DagShape(8, 6, 2), 4);
        DagVocabulary v = new DagVocabulary(task, 1);
        BoolDagGenerator g = new BoolDagGenerator(task, 5);
        int[] chainNodes = task.chainNodes();
        for (int i = 0; i < 200; i++) {
            BoolDag dag = g.next();
            int[] chain = v.chain(dag);
            // Recompute every gate from the listed input tokens, independently of DagTask.evaluate.
            int[] prompt = v.prompt(dag);
            int[] value = new int[task.shape().nodes()];
            for (int pos = 0; pos < 8; pos++) {
                int node = dag.listedInput(pos);
                assertEquals(v.assignment(task.name(node), dag.value(node)), prompt[pos]);
                value[node] = dag.value(node);
            }
            for (int gate = 0; gate < task.shape().depth(); gate++) {
                int parity = 0;
                for (int p : task.parents(gate)) {
                    parity ^= value[p];
                }
                value[task.shape().gateNode(gate)] = task.gate(gate) == Gate.XOR ? parity : 1 - parity;
            }
            for (int j = 0; j < chain.length; j++) {
                assertEquals(value[chainNodes[j]], chain[j], "step " + j);
            }
            assertEquals(value[task.shape().gateNode(5)], dag.answer());
            assertEquals(DagVocabulary.QUERY, prompt[8]);
            assertEquals(v.name(task.name(task.shape().gateNode(5))), prompt[9]);
        }
    }

    @Test
    void badShapesNameTheirField() {
        assertEquals("fanIn: expected 2..8, got 1",
                assertThrows(IllegalArgumentException.class, () -> new DagShape(4, 2, 1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DagShape(1, 2, 2)).getMessage()
                .startsWith("inputs: expected 2..30"));
        assertEquals("depth: expected 1..64, got 0",
                assertThrows(IllegalArgumentException.class, () -> new DagShape(4, 0, 2)).getMessage());
        assertEquals("depth: at most 4 irreducible gates exist over 3 inputs, got 5",
                assertThrows(IllegalArgumentException.class, () -> new DagShape(3, 5, 2)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DagTask(new DagShape(4, 1, 2),
                new int[][] {{0, 0}}, new Gate[] {Gate.XOR}, new int[] {0, 1, 2, 3, 4})).getMessage()
                .startsWith("parents[0]: expected distinct parents"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DagTask(new DagShape(4, 1, 2),
                new int[][] {{0, 4}}, new Gate[] {Gate.XOR}, new int[] {0, 1, 2, 3, 4})).getMessage()
                .startsWith("parents[0]: expected earlier nodes 0..3"));
    }
}
