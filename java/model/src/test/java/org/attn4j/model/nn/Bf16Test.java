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
            float stepSize = (float) (lr / (1 - Math.pow(0.9, step))); // PyTorch: a double, then float
            float sqrtC2 = (float) Math.sqrt(1 - Math.pow(0.999, step));
            for (int i = 0; i < init.length; i++) {
                float g = p.grad()[i];
                m[i] = Bf16.round(m[i] + 0.1f * (g - m[i]));
                v[i] = Bf16.round(Bf16.round(v[i] * 0.999f) + (float) (1 - 0.999) * (g * g));
                float s = Bf16.round(Bf16.round(Bf16.round((float) Math.sqrt(v[i])) / sqrtC2) + 1e-8f);
                w[i] = Bf16.round(w[i] - stepSize * (m[i] / s));
                // the moments are compared too: a rounding left out of v often vanishes in sqrt(v) and the update
                assertEquals(m[i], opt.firstMoment(0, i), "m, step " + step + ", element " + i);
                assertEquals(v[i], opt.secondMoment(0, i), "v, step " + step + ", element " + i);
                assertEquals(w[i], p.value()[i], "w, step " + step + ", element " + i);
            }
        }
    }

    @Test
    void bf16SecondMomentDoesNotDecay() {
        // After one step with g = 1, v = 0.001 (bf16: 0.0010004). With zero gradients afterwards v * 0.999 lies within
        // half a bf16 step of v, so in bf16 v keeps its value; in fp32 it decays by 0.999 per step.
        Parameter p16 = param(0.5f);
        Parameter p32 = param(0.5f);
        AdamW bf16 = AdamW.standard(List.of(p16), 0, Precision.BF16);
        AdamW fp32 = AdamW.standard(List.of(p32), 0, Precision.FP32);
        p16.grad()[0] = 1f;
        p32.grad()[0] = 1f;
        bf16.step(1e-4);
        fp32.step(1e-4);
        float v16 = bf16.secondMoment(0, 0);
        assertEquals(Bf16.round(0.001f), v16, "the first step's v, rounded to bf16");
        assertEquals(0.001f, fp32.secondMoment(0, 0), 1e-7f, "fp32: (1 - 0.999f) g^2");
        p16.grad()[0] = 0f;
        p32.grad()[0] = 0f;
        for (int i = 0; i < 50; i++) {
            bf16.step(1e-4);
            fp32.step(1e-4);
        }
        assertEquals(v16, bf16.secondMoment(0, 0), "bf16: v * 0.999 rounds back to v");
        assertEquals(0.001 * Math.pow(0.999, 50), fp32.secondMoment(0, 0), 1e-7, "fp32: v decays");
    }

    @Test
    void fp32AdamIsTheTextbookUpdate() {
        // Adam with bias correction and decoupled weight decay, computed in double: w -= lr (m/c1) / (sqrt(v/c2) + eps),
        // after w *= 1 - lr wd for a decayed parameter.
        Parameter w = param(0.3f, -1.2f);
        AdamW opt = new AdamW(List.of(w), 0.9, 0.999, 1e-8, 0.1);
        double[] m = new double[2];
        double[] v = new double[2];
        double[] x = {0.3f, -1.2f};
        float[][] grads = {{0.5f, -2f}, {0.1f, 0.3f}, {-0.4f, 1f}};
        double lr = 1e-2;
        for (int t = 1; t <= grads.length; t++) {
            System.arraycopy(grads[t - 1], 0, w.grad(), 0, 2);
            opt.step(lr);
            for (int i = 0; i < 2; i++) {
                double g = grads[t - 1][i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                x[i] *= 1 - lr * 0.1;
                x[i] -= lr * (m[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(v[i] / (1 - Math.pow(0.999, t))) + 1e-8);
                assertEquals(x[i], w.value()[i], 1e-6, "step " + t + ", element " + i);
            }
        }
    }
}
