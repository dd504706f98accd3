package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.reference.ReferenceProvider;

/** Random inputs and the comparisons the tests make against the reference provider. */
final class Fixtures {
    static final CpuProvider CPU = new CpuProvider();
    static final ReferenceProvider REFERENCE = new ReferenceProvider();

    private Fixtures() {
    }

    static Tensor randomTensor(Random rnd, DType dtype, double sigma, int... shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * sigma);
        }
        return Tensor.of(dtype, v, shape);
    }

    /** The SPEC's tolerance on the relative error of O for inputs of {@code dtype}. */
    static double forwardTolerance(DType dtype) {
        return dtype == DType.FP32 ? 1e-5 : 1e-2;
    }

    static double backwardTolerance(DType dtype) {
        return dtype == DType.FP32 ? 5e-5 : 2e-2;
    }

    /** {@code ||actual - expected|| / ||expected||}; both all-zero counts as 0. Fails on NaN. */
    static double relativeError(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, "length");
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Float.isNaN(actual[i]) && !Float.isNaN(expected[i])) {
                fail("NaN at " + i + " where the reference has " + expected[i]);
            }
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        if (norm == 0) {
            return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(diff / norm);
    }

    static void assertClose(String what, Tensor actual, Tensor expected, double tolerance, String context) {
        double err = relativeError(actual.toFloatArray(), expected.toFloatArray());
        assertTrue(err <= tolerance, what + ": relative error " + err + " > " + tolerance + " for " + context);
    }

    /** LSE: equal infinities where rows are empty, else small absolute difference. */
    static void assertLseClose(Tensor actual, Tensor expected, double tolerance, String context) {
        float[] a = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (Float.isInfinite(e[i]) || Float.isInfinite(a[i])) {
                assertEquals(e[i], a[i], "lse[" + i + "] for " + context);
            } else {
                assertTrue(Math.abs(a[i] - e[i]) <= tolerance * Math.max(1, Math.abs(e[i])),
                        "lse[" + i + "]: " + a[i] + " vs " + e[i] + " for " + context);
            }
        }
    }
}
