package org.attn4j.cpu.fuzz;

import java.util.List;
import org.attn4j.DType;
import org.attn4j.Tensor;

/**
 * Compares cpu's outputs with reference's as the SPEC defines them, finite or not: the non-finite values must be the
 * same, element by element (NaN where reference has NaN, {@code +inf} and {@code -inf} exactly where it has them:
 * NaN rows, empty rows' {@code LSE = -inf}, infinities carried from V or dO); the finite elements, which must then be
 * the same elements, are within the tolerance by the relative error {@code ||a - e|| / ||e||} over them.
 *
 * <p>Gradients use a floor under {@code ||e||}, the size a gradient of these inputs typically has, so that a
 * gradient that is zero in exact arithmetic (a row with one key, say) is judged by its rounding noise against a
 * meaningful scale rather than against its own near-zero norm. Every comparison has a second floor, the resolution
 * of the type the values are stored in: below its smallest normal number a type holds values only to its smallest
 * subnormal step (fp32 2^-149, fp16 2^-24), so a difference of one such step per element is the type's, not a
 * disagreement (a subnormal V gives gradients of 1e-45 whose relative error means nothing).
 */
final class Agreement {
    private Agreement() {
    }

    /**
     * Records in {@code findings} where {@code actual} (cpu) differs from {@code expected} more than allowed.
     *
     * @param stored the type both were stored in (its resolution bounds the error that can be asked for)
     */
    static void compare(String what, float[] actual, float[] expected, DType stored, double floorNorm,
                        double tolerance, List<String> findings) {
        if (actual.length != expected.length) {
            findings.add(what + ": " + actual.length + " values from cpu, " + expected.length + " from reference");
            return;
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            float a = actual[i];
            float e = expected[i];
            if (!Float.isFinite(a) || !Float.isFinite(e)) {
                // NaN == NaN is false, so NaN patterns are compared by isNaN; infinities by value, sign included.
                boolean same = Float.isNaN(a) ? Float.isNaN(e) : a == e;
                if (!same) {
                    findings.add(what + "[" + i + "]: cpu " + a + ", reference " + e + nonFiniteCount(actual,
                            expected));
                    return;
                }
                continue;
            }
            double d = (double) a - e;
            diff += d * d;
            norm += (double) e * e;
        }
        double resolutionNorm = Math.sqrt(actual.length) * resolution(stored) / tolerance;
        double denominator = Math.max(Math.sqrt(norm), Math.max(floorNorm, resolutionNorm));
        double error = denominator == 0 ? Math.sqrt(diff) : Math.sqrt(diff) / denominator;
        if (!(error <= tolerance)) {
            findings.add(String.format("%s: relative error %.3e exceeds %.1e", what, error, tolerance));
        }
    }

    /**
     * The scale of each query row's scores, {@code |scale| max_j sum_c |q_c k_c|} over every key (masks ignored,
     * finite terms only), as a Euclidean norm over the rows {@code [B, Hq, Nq]}: what a float32 score's rounding,
     * hence an LSE's, is proportional to.
     */
    static double scoreScale(double scale, float[] q, float[] k, int batch, int hq, int hkv, int nq, int nk, int d) {
        int group = hq / hkv;
        double sum = 0;
        for (int bh = 0; bh < batch * hq; bh++) {
            int kvBase = ((bh / hq) * hkv + (bh % hq) / group) * nk * d;
            for (int i = 0; i < nq; i++) {
                int qBase = (bh * nq + i) * d;
                double rowMax = 0;
                for (int j = 0; j < nk; j++) {
                    int kBase = kvBase + j * d;
                    double magnitude = 0;
                    for (int c = 0; c < d; c++) {
                        double term = Math.abs((double) q[qBase + c] * k[kBase + c]);
                        if (term < Double.POSITIVE_INFINITY) {
                            magnitude += term;
                        }
                    }
                    rowMax = Math.max(rowMax, magnitude);
                }
                double row = Math.abs(scale) * rowMax;
                sum += row * row;
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * The absolute error a float32 score {@code sum_c fl(fl(scale q_c) k_c)} of {@code d} terms may have from the
     * subnormal range alone, whatever the scale: the scaled query component is off by up to 2^-149 (cpu keeps a
     * non-zero product non-zero, SPEC), which {@code |k_c|} multiplies, and each product and sum by up to 2^-150.
     * Only a score that is itself tiny (a scale such as 1e-143) is measured against this.
     */
    static double subnormalScoreError(int d, double maxKey) {
        return 0x1p-149 * d * (maxKey + 1);
    }

    /** The smallest positive value of {@code t}, its resolution in the subnormal range. */
    static double resolution(DType t) {
        switch (t) {
            case FP16: return 0x1p-24;
            case BF16: return 0x1p-133;
            default: return 0x1p-149;
        }
    }

    /** How many elements are non-finite on either side, to tell one stray value from a whole pattern. */
    private static String nonFiniteCount(float[] actual, float[] expected) {
        int a = 0;
        int e = 0;
        for (int i = 0; i < actual.length; i++) {
            a += Float.isFinite(actual[i]) ? 0 : 1;
            e += Float.isFinite(expected[i]) ? 0 : 1;
        }
        return " (non-finite: cpu " + a + ", reference " + e + " of " + actual.length + ")";
    }

    /**
     * Root mean square of a tensor's finite values (1 for a tensor without any): the typical size of its entries,
     * which NaN or infinite entries would otherwise make meaningless.
     */
    static double rms(Tensor t) {
        float[] x = t.toFloatArray();
        double s = 0;
        int n = 0;
        for (float f : x) {
            if (Float.isFinite(f)) {
                s += (double) f * f;
                n++;
            }
        }
        return n == 0 ? 1 : Math.sqrt(s / n);
    }
}
