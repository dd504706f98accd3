package org.attn4j.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.attn4j.Normalizer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every combination of the SPEC's masks (causal; no window, a window, a window with global tokens; block mask;
 * block top-k; token top-k) with every normalizer, forward and backward, on a shape of several tiles with GQA and
 * Nq != Nk.
 */
class MaskCombinationTest {

    @TestFactory
    Stream<DynamicTest> everyMaskCombinationWithEveryNormalizer() {
        List<DynamicTest> tests = new ArrayList<>();
        long seed = 1;
        for (Normalizer normalizer : Normalizer.values()) {
            for (int combo = 0; combo < 48; combo++) {
                Scenario s = new Scenario();
                s.seed = seed++;
                s.batch = 1;
                s.kvHeads = 2;
                s.group = 2;
                s.nq = 96;
                s.nk = 136;
                s.d = 16;
                s.dv = 12;
                s.normalizer = normalizer;
                s.causal = (combo & 1) != 0;
                int window = (combo >> 1) % 3;
                int rest = combo / 6;
                if (window == 1) {
                    s.window = new int[] {40, 5, 0};
                } else if (window == 2) {
                    s.window = new int[] {40, 5, 6};
                }
                if ((rest & 1) != 0) {
                    s.blockMask = new int[] {32, 16, 1, 60};
                }
                if ((rest & 2) != 0) {
                    s.blockTopK = new int[] {3, 16, 32};
                }
                if ((rest & 4) != 0) {
                    s.tokenTopK = 9;
                }
                s.exact = true;
                s.scale = 0.25;
                s.lse = normalizer == Normalizer.SOFTMAX;
                Scenario forward = s;
                tests.add(DynamicTest.dynamicTest("forward " + s, () -> Comparison.forward(forward)));
                Scenario backward = copyWithoutExtras(s);
                tests.add(DynamicTest.dynamicTest("backward " + s, () -> Comparison.backward(backward)));
            }
        }
        return tests.stream();
    }

    private static Scenario copyWithoutExtras(Scenario s) {
        Scenario c = new Scenario();
        c.seed = s.seed;
        c.batch = s.batch;
        c.kvHeads = s.kvHeads;
        c.group = s.group;
        c.nq = s.nq;
        c.nk = s.nk;
        c.d = s.d;
        c.dv = s.dv;
        c.normalizer = s.normalizer;
        c.causal = s.causal;
        c.window = s.window;
        c.blockMask = s.blockMask;
        c.blockTopK = s.blockTopK;
        c.tokenTopK = s.tokenTopK;
        c.exact = s.exact;
        c.scale = s.scale;
        c.lse = s.seed % 2 == 0 && s.normalizer == Normalizer.SOFTMAX;
        return c;
    }
}
