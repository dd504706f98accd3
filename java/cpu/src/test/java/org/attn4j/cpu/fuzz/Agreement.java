package org.attn4j.cpu.fuzz;

import java.util.List;
import org.attn4j.Tensor;

/**
 * Compares cpu's outputs with reference's, as the SPEC measures them: relative error {@code ||a - e|| / ||e||} of
 * each tensor. Gradients use a floor under {@code ||e||}, the size a gradient of these inputs typically has, so that
 * a gradient that is zero in exact arithmetic (a row with one key, say) is judged by its rounding noise against a
 * meaningful scale rather than against its own near-zero norm.
 */
final class Agreement {
    private Agreement() {
    }

    /** Records in {@code findings} where {@code actual} (cpu) is further from {@code expected} than allowed. */
    static void compare(String what, float[] actual, float[] expected, double floorNorm, double tolerance,
                        List<String> findings) {
        if (actual.length != expected.length) {
            findings.add(what + ": " + actual.length + " values from cpu, " + expected.length + " from reference");
            return;
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Float.isNaN(actual[i]) != Float.isNaN(expected[i])) {
                findings.add(what + "[" + i + "]: cpu " + actual[i] + ", reference " + expected[i]);
                return;
            }
            if (Float.isNaN(actual[i])) {
                continue;
            }
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        double denominator = Math.max(Math.sqrt(norm), floorNorm);
        double error = denominator == 0 ? Math.sqrt(diff) : Math.sqrt(diff) / denominator;
        if (!(error <= tolerance)) {
            findings.add(String.format("%s: relative error %.3e exceeds %.1e", what, error, tolerance));
        }
    }

    /** LSE: the same rows empty (-inf) on both, the others within {@code tolerance}. */
    static void compareLse(float[] actual, float[] expected, double tolerance, List<String> findings) {
        float[] a = new float[actual.length];
        float[] e = new float[actual.length];
        int n = 0;
        for (int i = 0; i < actual.length; i++) {
            boolean emptyA = actual[i] == Float.NEGATIVE_INFINITY;
            boolean emptyE = expected[i] == Float.NEGATIVE_INFINITY;
            if (emptyA != emptyE) {
                findings.add("LSE[" + i + "]: cpu " + actual[i] + ", reference " + expected[i]);
                return;
            }
            if (!emptyA) {
                a[n] = actual[i];
                e[n] = expected[i];
                n++;
            }
        }
        compare("LSE", java.util.Arrays.copyOf(a, n), java.util.Arrays.copyOf(e, n), 0, tolerance, findings);
    }

    /** Index of the first NaN or infinity, or -1. */
    static int firstNonFinite(float[] x) {
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Root mean square of a tensor's values (1 for an empty one). */
    static double rms(Tensor t) {
        float[] x = t.toFloatArray();
        if (x.length == 0) {
            return 1;
        }
        double s = 0;
        for (float f : x) {
            s += (double) f * f;
        }
        return Math.sqrt(s / x.length);
    }
}
