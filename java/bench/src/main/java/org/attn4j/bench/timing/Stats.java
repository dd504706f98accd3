package org.attn4j.bench.timing;

import java.util.Arrays;

/**
 * Summary of repeated timings: the median (the figure reported; robust to the odd slow repetition), the minimum and
 * the maximum (the spread), and the mean.
 */
public record Stats(double median, double min, double max, double mean, int count) {

    /** Summarizes {@code samples} (at least one). */
    public static Stats of(double[] samples) {
        if (samples == null || samples.length == 0) {
            throw new IllegalArgumentException("samples: expected at least one timing");
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double sum = 0;
        for (double x : s) {
            sum += x;
        }
        return new Stats(median, s[0], s[n - 1], sum / n, n);
    }
}
