package org.attn4j.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** bf16 rounding, and AdamW stepping a bf16 model. */
class Bf16Test {
    private static final float STEP_AT_ONE = 0x1p-7f; // bf16 keeps 7 mantissa bits: the spacing just above 1.0

    @Test
    void representableValuesStay() {
        for (float x : new float[] {0f, -0f, 1f, -2.5f, 0x1p-130f, 3.0e38f, 1f + STEP_AT_ONE}) {
            float r = Bf16.round(x);
            if (Float.floatToRawIntBits(x) << 16 == 0) {
                assertEquals(Float.floatToRawIntBits(x), Float.floatToRawIntBits(r), "exact bf16 value " + x);
            }
            assertEquals(0, Float.floatToRawIntBits(r) & 0xffff, "low half cleared for " + x);
        }
    }

    @Test
    void roundsToNearestWithTiesToEven() {
        assertEquals(1f, Bf16.round(1f + STEP_AT_ONE / 4));                   // below half a step: down
        assertEquals(1f + STEP_AT_ONE, Bf16.round(1f + STEP_AT_ONE * 3 / 4)); // above half: up
        assertEquals(1f, Bf16.round(1f + STEP_AT_ONE / 2));                   // tie: to the even mantissa (1.0)
        assertEquals(1f + 2 * STEP_AT_ONE, Bf16.round(1f + STEP_AT_ONE * 3 / 2)); // tie: up to the even one
        assertEquals(-1f, Bf16.round(-1f - STEP_AT_ONE / 4));
        assertEquals(0.10009765625f, Bf16.round(0.1f));                       // 0.1 in bf16 (0x3dcd)
    }

    @Test
    void specialValues() {
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
        assertTrue(Float.isNaN(Bf16.round(Float.intBitsToFloat(0x7f800001)))); // NaN with a low-half payload only
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, Bf16.round(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.MAX_VALUE), "beyond bf16's largest: infinity");
    }

    @Test
    void roundsArraysInPlace() {
        float[] x = {1f + STEP_AT_ONE / 4, 2f, 1f + STEP_AT_ONE * 3 / 4, 7f};
        Bf16.round(x, 1, 2);
        assertEquals(1f + STEP_AT_ONE / 4, x[0], "outside the range: untouched");
        assertEquals(2f, x[1]);
        assertEquals(1f + STEP_AT_ONE, x[2]);
    }

    @Test
    void precisionParsesAndNamesItsField() {
        assertEquals(Precision.BF16, Precision.parse("bf16"));
        assertEquals(Precision.FP32, Precision.parse(" FP32 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp8"));
        assertTrue(e.getMessage().startsWith("precision:"), e.getMessage());
    }

    private static Parameter param(float... values) {
        Parameter p = Parameter.weight("w", values.length);
        System.arraycopy(values, 0, p.value(), 0, values.length);
        return p;
    }

    @Test
    void bf16AdamLosesUpdatesBelowHalfAStep() {
        // w = 1.0 has a bf16 spacing of 2^-7; Adam's first step moves a weight by about lr = 1e-4: lost in bf16.
        Parameter w16 = param(1f, 0.001f);
        Parameter w32 = param(1f, 0.001f);
        AdamW bf16 = AdamW.standard(List.of(w16), 0, Precision.BF16);
        AdamW fp32 = AdamW.standard(List.of(w32), 0, Precision.FP32);
        for (Parameter p : List.of(w16, w32)) {
            p.grad()[0] = 0.5f;
            p.grad()[1] = 0.5f;
        }
        bf16.step(1e-4);
        fp32.step(1e-4);
        assertEquals(1f, w16.value()[0], "an update of 1e-4 on 1.0 rounds away in bf16");
        assertTrue(w32.value()[0] < 1f, "but not in fp32");
        assertTrue(w16.value()[1] < 0.001f, "a small weight has a fine spacing: it moves");
        assertEquals(0, Float.floatToRawIntBits(w16.value()[1]) & 0xffff, "and stays a bf16 value");
    }

    @Test
    void bf16AdamFollowsThePyTorchOrderOfRoundings() {
        SplittableRandom r = new SplittableRandom(3);
        float[] init = new float[64];
        for (int i = 0; i < init.length; i++) {
            init[i] = Bf16.round((float) (r.nextDouble() - 0.5));
        }
        Parameter p = param(init.clone());
        AdamW opt = AdamW.standard(List.of(p), 0, Precision.BF16);
        float[] m = new float[init.length];
        float[] v = new float[init.length];
        float[] w = init.clone();
        for (int step = 1; step <= 5; step++) {
            for (int i = 0; i < init.length; i++) {
                p.grad()[i] = Bf16.round((float) (r.nextDouble() - 0.3));
            }
            double lr = 1e-3;
            opt.step(lr);
            float c1 = (float) (1 - Math.pow(0.9, step));
            float sqrtC2 = (float) Math.sqrt(1 - Math.pow(0.999, step));
            for (int i = 0; i < init.length; i++) {
                float g = p.grad()[i];
                m[i] = Bf16.round(m[i] + 0.1f * (g - m[i]));
                v[i] = Bf16.round(Bf16.round(v[i] * 0.999f) + (1f - 0.999f) * g * g);
                float s = Bf16.round(Bf16.round(Bf16.round((float) Math.sqrt(v[i])) / sqrtC2) + 1e-8f);
                w[i] = Bf16.round(w[i] - (float) lr / c1 * m[i] / s);
                assertEquals(w[i], p.value()[i], "step " + step + ", element " + i);
            }
        }
    }

    @Test
    void bf16SecondMomentDoesNotDecay() {
        // v * 0.999 is within half a bf16 step of v, so v keeps its value when the gradients stop.
        Parameter p = param(0.5f);
        AdamW opt = AdamW.standard(List.of(p), 0, Precision.BF16);
        p.grad()[0] = 1f;
        opt.step(1e-4);
        float before = p.value()[0];
        p.grad()[0] = 0f;
        for (int i = 0; i < 20; i++) {
            opt.step(1e-4);
        }
        // with v stuck and m decaying by 0.9 per step the weight keeps moving by ever smaller steps, never up
        assertTrue(p.value()[0] <= before);
    }
}
