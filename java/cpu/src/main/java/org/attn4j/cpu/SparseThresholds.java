package org.attn4j.cpu;

import java.util.Arrays;
import org.attn4j.Normalizer;

/**
 * The threshold {@code tau} of sparsemax ({@code p = max(s - tau, 0)}) and entmax-1.5 ({@code p = max(s/2 - tau,
 * 0)^2}) over one row of scores, exactly.
 *
 * <p>Both have {@code tau >= max - 1} (in the entmax case over {@code x = s / 2}): the top element alone already
 * reaches total mass 1 there. So only elements above {@code max - 1} can be in the support; usually few are. When
 * many are, bisection on {@code tau} narrows the bracket and drops elements below it, and the few left are sorted
 * and solved by the closed form of the sorted algorithms (Martins and Astudillo 2016; Peters et al. 2019, alg. 2),
 * in double.
 */
final class SparseThresholds {
    /** Candidates at most this many are sorted directly. */
    private static final int SORT_LIMIT = 64;
    private static final int MAX_BISECTIONS = 60;

    private SparseThresholds() {
    }

    /**
     * {@code tau} for the scores {@code s[0..n)}, {@code n >= 1}.
     *
     * @param scratch length >= n
     */
    static double threshold(Normalizer normalizer, float[] s, int n, float[] scratch) {
        boolean entmax = normalizer == Normalizer.ENTMAX15;
        // Work on x = s (sparsemax) or x = s / 2 (entmax); halving a float is exact.
        float factor = entmax ? 0.5f : 1f;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, s[j]);
        }
        double xMax = (double) max * factor;
        double lo = xMax - 1;
        double hi = xMax;
        int m = 0;
        for (int j = 0; j < n; j++) {
            double x = (double) s[j] * factor;
            if (x > lo) {
                scratch[m++] = (float) x;
            }
        }
        for (int it = 0; m > SORT_LIMIT && it < MAX_BISECTIONS; it++) {
            double mid = 0.5 * (lo + hi);
            if (mass(scratch, m, mid, entmax) >= 1) {
                lo = mid;
                int w = 0;
                for (int t = 0; t < m; t++) {
                    if (scratch[t] > lo) {
                        scratch[w++] = scratch[t];
                    }
                }
                m = w;
            } else {
                hi = mid;
            }
        }
        Arrays.sort(scratch, 0, m);
        return entmax ? entmaxClosedForm(scratch, m) : sparsemaxClosedForm(scratch, m);
    }

    private static double mass(float[] x, int m, double tau, boolean entmax) {
        double total = 0;
        for (int t = 0; t < m; t++) {
            double v = x[t] - tau;
            if (v > 0) {
                total += entmax ? v * v : v;
            }
        }
        return total;
    }

    /** Over {@code z} sorted ascending (the largest last): tau from the largest k with {@code 1 + k z_k > sum}. */
    private static double sparsemaxClosedForm(float[] z, int m) {
        double cumulative = 0;
        double tau = 0;
        for (int k = 1; k <= m; k++) {
            double zk = z[m - k];
            cumulative += zk;
            if (1 + k * zk > cumulative) {
                tau = (cumulative - 1) / k;
            }
        }
        return tau;
    }

    /** Over {@code x} sorted ascending: the support is the largest k whose candidate tau is at most x_k. */
    private static double entmaxClosedForm(float[] x, int m) {
        double sum = 0;
        double sumSq = 0;
        double tau = Double.NaN;
        for (int k = 1; k <= m; k++) {
            double xk = x[m - k];
            sum += xk;
            sumSq += xk * xk;
            double mean = sum / k;
            double ss = sumSq - sum * mean;
            double candidate = mean - Math.sqrt(Math.max((1 - ss) / k, 0));
            if (candidate <= xk) {
                tau = candidate;
            }
        }
        return tau;
    }

    /** Sparsemax weights {@code p = max(s - tau, 0)} in place; returns the support size. */
    static int sparsemaxWeights(float[] s, int n, double tau) {
        int support = 0;
        for (int j = 0; j < n; j++) {
            double p = s[j] - tau;
            s[j] = p > 0 ? (float) p : 0f;
            if (p > 0) {
                support++;
            }
        }
        return support;
    }

    /** Entmax-1.5 weights {@code p = max(s/2 - tau, 0)^2} in place. */
    static void entmaxWeights(float[] s, int n, double tau) {
        for (int j = 0; j < n; j++) {
            double g = 0.5 * s[j] - tau;
            s[j] = g > 0 ? (float) (g * g) : 0f;
        }
    }
}
