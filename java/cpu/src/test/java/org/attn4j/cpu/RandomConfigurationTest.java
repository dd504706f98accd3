package org.attn4j.cpu;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

/**
 * Property tests: random shapes, types, mask combinations and normalizers, cpu against the reference. The seeds are
 * fixed so that a run is reproducible; each failure report names its scenario.
 */
class RandomConfigurationTest {

    @Property(tries = 250, seed = "20261122", shrinking = ShrinkingMode.OFF)
    void forwardAgreesWithReference(@ForAll long seed) {
        Comparison.forward(Scenario.random(seed));
    }

    @Property(tries = 120, seed = "4242", shrinking = ShrinkingMode.OFF)
    void backwardAgreesWithReference(@ForAll long seed) {
        Scenario s = Scenario.random(seed);
        s.lse = s.normalizer == org.attn4j.Normalizer.SOFTMAX && (seed & 1) == 0;
        s.probabilities = false;
        Comparison.backward(s);
    }
}
