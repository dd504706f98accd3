package org.attn4j.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    @Test
    void adamFirstStepMovesEachWeightByTheLearningRate() {
        Parameter w = Parameter.weight("w", 3);
        w.set(new float[] {1f, -2f, 0.5f});
        System.arraycopy(new float[] {0.3f, -4f, 1e-3f}, 0, w.grad(), 0, 3);
        AdamW adam = AdamW.standard(List.of(w), 0);
        adam.step(0.01);
        // Bias-corrected first Adam step: m_hat / sqrt(v_hat) = sign(g) (up to eps).
        assertEquals(1f - 0.01f, w.value()[0], 1e-5);
        assertEquals(-2f + 0.01f, w.value()[1], 1e-5);
        assertEquals(0.5f - 0.01f, w.value()[2], 1e-4);
    }

    @Test
    void adamMatchesTheRecurrenceOverSeveralSteps() {
        Parameter w = Parameter.weight("w", 1);
        w.set(new float[] {2f});
        AdamW adam = new AdamW(List.of(w), 0.9, 0.999, 1e-8, 0.1);
        double x = 2;
        double m = 0;
        double v = 0;
        for (int t = 1; t <= 5; t++) {
            double g = 2 * x;
            w.grad()[0] = (float) (2 * w.value()[0]);
            adam.step(0.05);
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            double mh = m / (1 - Math.pow(0.9, t));
            double vh = v / (1 - Math.pow(0.999, t));
            x = x * (1 - 0.05 * 0.1) - 0.05 * mh / (Math.sqrt(vh) + 1e-8);
            assertEquals(x, w.value()[0], 1e-5, "step " + t);
        }
    }

    @Test
    void biasesAreNotDecayed() {
        Parameter b = Parameter.bias("b", 1);
        b.set(new float[] {1f});
        AdamW adam = new AdamW(List.of(b), 0.9, 0.999, 1e-8, 0.5);
        adam.step(0.1);
        assertEquals(1f, b.value()[0], 1e-6);
    }

    @Test
    void clippingScalesToTheMaximumNorm() {
        Parameter a = Parameter.weight("a", 2);
        a.grad()[0] = 3;
        a.grad()[1] = 4;
        assertEquals(5.0, AdamW.clipGradients(List.of(a), 1.0), 1e-9);
        assertEquals(0.6f, a.grad()[0], 1e-5);
        assertEquals(0.8f, a.grad()[1], 1e-5);
        assertEquals(1.0, AdamW.clipGradients(List.of(a), 0), 1e-5);
    }

    @Test
    void linearDecayReachesZeroAtTheEnd() {
        LinearDecay s = new LinearDecay(1e-3, 0, 4);
        assertEquals(1e-3, s.at(0), 1e-15);
        assertEquals(0.75e-3, s.at(1), 1e-15);
        assertEquals(0.25e-3, s.at(3), 1e-15);
        assertEquals(0, s.at(4), 0);
        LinearDecay w = new LinearDecay(1, 2, 6);
        assertEquals(0.5, w.at(0), 1e-12);
        assertEquals(1.0, w.at(1), 1e-12);
        assertEquals(1.0, w.at(2), 1e-12);
        assertEquals(0.25, w.at(5), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LinearDecay(0, 0, 1));
        assertEquals("lr: expected a finite number > 0, got 0.0", e.getMessage());
    }
}
