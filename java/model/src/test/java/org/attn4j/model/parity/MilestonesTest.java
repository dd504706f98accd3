package org.attn4j.model.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The samples at which each exact-match level and the secret-probability level were first reached. */
class MilestonesTest {
    private static Evaluation eval(double exactMatch, double... secretByRow) {
        return new Evaluation(exactMatch, new double[][] {{0.5}}, Double.NaN, Double.NaN, secretByRow, null);
    }

    @Test
    void firstEvaluationAtOrAboveEachLevel() {
        Milestones m = new Milestones(0.995, true);
        m.record(0, eval(0.0, 0.1, 0.1));
        m.record(2048, eval(0.93, 0.95, 0.5));
        m.record(4096, eval(0.996, 0.95, 0.91));
        m.record(6144, eval(0.991, 0.99, 0.99));  // a dip below 0.995 does not move the first crossing
        m.record(8192, eval(1.0, 0.99, 0.99));
        Map<String, Long> em = m.exactMatch();
        assertEquals(List.of("0.9", "0.99", "0.995", "1.0"), List.copyOf(em.keySet()));
        assertEquals(2048L, em.get("0.9"));
        assertEquals(4096L, em.get("0.99"));
        assertEquals(4096L, em.get("0.995"));
        assertEquals(8192L, em.get("1.0"));
        assertEquals(4096L, m.secretProbability().get("0.9"), "every row at 0.9 or more first at 4096");
    }

    @Test
    void levelsNotReachedAreNullAndTheThresholdIsAdded() {
        Milestones m = new Milestones(0.8, false);
        m.record(0, eval(0.5));
        m.record(1000, eval(0.85));
        assertEquals(1000L, m.exactMatch().get("0.8"));
        assertNull(m.exactMatch().get("0.9"));
        assertTrue(m.exactMatch().containsKey("1.0"));
        assertTrue(m.secretProbability().isEmpty(), "no CoT rows, no secret-probability milestone");
    }
}
