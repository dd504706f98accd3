package org.attn4j.bench.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianMinMaxMean() {
        Stats odd = Stats.of(new double[] {5, 1, 9, 3, 7});
        assertEquals(5, odd.median());
        assertEquals(1, odd.min());
        assertEquals(9, odd.max());
        assertEquals(5, odd.mean());
        assertEquals(5, odd.count());
        Stats even = Stats.of(new double[] {4, 1, 3, 100});
        assertEquals(3.5, even.median());
        assertEquals(1, even.min());
        assertEquals(100, even.max());
        assertEquals(27, even.mean());
        assertEquals(2, Stats.of(new double[] {2}).median());
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0]));
    }

    @Test
    void inputIsNotReordered() {
        double[] samples = {3, 1, 2};
        Stats.of(samples);
        assertEquals(3, samples[0]);
    }

    @Test
    void policyStopsOnRepsTimeOrBudget() {
        RepetitionPolicy p = new RepetitionPolicy(1, 3, 10, 2.0);
        assertFalse(p.done(2, 100, true), "min reps first");
        assertTrue(p.done(3, 2.0, false), "target time reached");
        assertFalse(p.done(3, 1.0, false));
        assertTrue(p.done(3, 1.0, true), "budget used up");
        assertTrue(p.done(10, 0, false), "max reps");
        assertThrows(IllegalArgumentException.class, () -> new RepetitionPolicy(0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RepetitionPolicy(0, 5, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> new RepetitionPolicy(-1, 1, 1, 1));
    }

    @Test
    void measurementWarmsUpRotatesSetsAndClosesResults() throws Exception {
        List<Integer> sets = new ArrayList<>();
        int[] closed = {0};
        double[] ms = Measurement.run(set -> {
            sets.add(set);
            return () -> closed[0]++;
        }, 3, new RepetitionPolicy(2, 4, 4, 0), new WallClockTimer(null), Deadline.none());
        assertEquals(4, ms.length);
        assertEquals(List.of(0, 1, 2, 0, 1, 2), sets, "warm-up then timed calls, rotating over 3 sets");
        assertEquals(6, closed[0]);
        for (double t : ms) {
            assertTrue(t >= 0);
        }
    }

    @Test
    void deadline() throws InterruptedException {
        assertFalse(Deadline.none().passed());
        assertTrue(Deadline.none().unlimited());
        Deadline d = Deadline.in(0.001);
        Thread.sleep(5);
        assertTrue(d.passed());
        assertEquals(0.001, d.seconds());
    }
}
