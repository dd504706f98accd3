package org.attn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.DType;
import org.junit.jupiter.api.Test;

class ScenarioDataTest {

    private static List<Scenario> everyScenario() {
        List<Scenario> all = new ArrayList<>();
        all.addAll(ScenarioCatalog.shapes());
        all.addAll(ScenarioCatalog.masks());
        all.addAll(ScenarioCatalog.decode());
        all.addAll(ScenarioCatalog.fullyMasked());
        all.addAll(ScenarioCatalog.oddSizes());
        all.addAll(ScenarioCatalog.dtypes());
        all.addAll(ScenarioCatalog.outputs());
        all.addAll(ScenarioCatalog.backward());
        return all;
    }

    @Test
    void tokenTopKDataAreSmallIntegersAndOtherDataAreRoundedToTheType() {
        for (Scenario s : everyScenario()) {
            ScenarioData d = ScenarioData.draw(s);
            for (float x : d.q) {
                if (s.tokenTopK != null) {
                    assertTrue(x == -1 || x == 0 || x == 1, s::name);
                } else {
                    assertEquals(s.dtype.round(x), x, s::name);
                }
            }
            for (float x : d.v) {
                assertEquals(s.dtype.round(x), x, s::name);
            }
        }
    }

    @Test
    void blockTopKDrawsNeedFewRetries() {
        int worst = 0;
        for (Scenario s : everyScenario()) {
            if (s.blockTopK != null) {
                worst = Math.max(worst, ScenarioData.draw(s).attempt);
            }
        }
        // A retry rate this low means the gap rule excludes only genuine near-ties.
        assertTrue(worst < 20, "a block top-k scenario needed " + worst + " draws");
    }

    @Test
    void tokenTopKScalesArePowersOfTwoAndNotTheDefault() {
        for (Scenario s : ScenarioCatalog.masks()) {
            if (s.tokenTopK != null) {
                Scenario a = s.adaptTo(org.attn4j.spi.Capabilities.everything());
                double log2 = Math.log(a.scale) / Math.log(2);
                assertEquals(Math.rint(log2), log2, 0, a::name);
                assertFalse(a.scale == 1 / Math.sqrt(a.headDim), a::name);
            }
        }
    }

    @Test
    void theMainTypeIsFp32WhenDeclared() {
        assertEquals(DType.FP32, ConformanceKit.mainType(org.attn4j.spi.Capabilities.everything()));
        assertEquals(DType.BF16, ConformanceKit.mainType(org.attn4j.spi.Capabilities.builder()
                .dtypes(java.util.EnumSet.of(DType.BF16)).build()));
    }
}
