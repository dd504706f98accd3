package org.attn4j.conformance;

import java.util.Arrays;

/** The measures the kit applies to a provider's outputs. */
final class Comparisons {
    private Comparisons() {
    }

    /**
     * {@code ||actual - expected|| / ||expected||} in float64, or {@code ||actual - expected||} when
     * {@code expected} is all zero; {@code NaN} when {@code actual} holds a NaN.
     */
    static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("lengths differ: " + actual.length + " vs " + expected.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Float.isNaN(actual[i])) {
                return Double.NaN;
            }
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
        }
        return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
    }

    /**
     * {@code ||actual - expected|| / max(||expected||, ||magnitude||)} in float64: the error relative to the larger of
     * the result and the scale of the terms it sums ({@link GradientScale}); absolute when both are zero, NaN when
     * {@code actual} holds a NaN.
     */
    static double scaledError(float[] actual, float[] expected, float[] magnitude) {
        double diff = 0;
        double norm = 0;
        double scale = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Float.isNaN(actual[i])) {
                return Double.NaN;
            }
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            norm += (double) expected[i] * expected[i];
            scale += (double) magnitude[i] * magnitude[i];
        }
        double denominator = Math.max(norm, scale);
        return denominator == 0 ? Math.sqrt(diff) : Math.sqrt(diff / denominator);
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

    /** Index of the first NaN, or -1. */
    static int firstNaN(float[] x) {
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(x[i])) {
                return i;
            }
        }
        return -1;
    }

    /** A flat index as a full one, e.g. {@code [0, 1, 7, 3]}. */
    static String index(long flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = (int) (flat % shape[d]);
            flat /= shape[d];
        }
        return Arrays.toString(idx);
    }
}
