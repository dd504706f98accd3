package org.attn4j.cpu;

import java.util.Arrays;
import org.attn4j.Normalizer;

/**
 * The threshold {@code tau} of sparsemax ({@code p = max(s - tau, 0)}) and entmax-1.5 ({@code p = max(s/2 - tau,
 * 0)^2}) over one row of scores, exactly.
 *
 * <p>Both do not change when a constant is added to every score, so everything here works on {@code y = x - xMax}
 * ({@code x = s}, resp. {@code s / 2}) and tau is returned relative to {@code xMax}: huge finite scores then neither
 * overflow nor cancel, and the weights come out of {@code y - tau} without rounding {@code xMax + tau}.
 *
 * <p>{@code tau >= -1} (relative): the top element alone already reaches total mass 1 there. So only elements with
 * {@code y > -1} can be in the support; usually few are. When many are, bisection on {@code tau} narrows the bracket
 * and drops elements below it, and the few left are sorted and solved by the closed form of the sorted algorithms
 * (Martins and Astudillo 2016; Peters et al. 2019, alg. 2), in double. The top element alone is always a valid
 * support, so a tau always exists.
 */
final class SparseThresholds {
    /** Candidates at most this many are sorted directly. */
    private static final int SORT_LIMIT = 64;
    private static final int MAX_BISECTIONS = 60;

    private SparseThresholds() {
    }

    /** The factor from a score to x: 1 for sparsemax, 1/2 for entmax-1.5 (halving a float is exact). */
    static double factor(Normalizer normalizer) {
        return normalizer == Normalizer.ENTMAX15 ? 0.5 : 1.0;
    }

    /**
     * {@code tau} relative to {@code factor * max} for the scores {@code s[0..n)}, {@code n >= 1}, whose largest is
     * {@code max} (finite).
     *
     * @param scratch length >= n
     */
    static double threshold(Normalizer normalizer, float[] s, int n, float max, double[] scratch) {
        boolean entmax = normalizer == Normalizer.ENTMAX15;
        double factor = factor(normalizer);
        double xMax = max * factor;
        double lo = -1;
        double hi = 0;
        int m = 0;
        for (int j = 0; j < n; j++) {
            double y = s[j] * factor - xMax;
            if (y > lo) {
                scratch[m++] = y;
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

    private static double mass(double[] y, int m, double tau, boolean entmax) {
        double total = 0;
        for (int t = 0; t < m; t++) {
            double v = y[t] - tau;
            if (v > 0) {
                total += entmax ? v * v : v;
            }
        }
        return total;
    }

    /** Over {@code z} sorted ascending (the largest last): tau from the largest k with {@code 1 + k z_k > sum}. */
    private static double sparsemaxClosedForm(double[] z, int m) {
        double cumulative = 0;
        double tau = -1;
        for (int k = 1; k <= m; k++) {
            double zk = z[m - k];
            cumulative += zk;
            if (1 + k * zk > cumulative) {
                tau = (cumulative - 1) / k;
            }
        }
        return tau;
    }

    /**
     * Over {@code x} sorted ascending: the support grows while the next element lies strictly above the current
     * support's tau (equivalent to the paper's test of the larger support's tau). An element exactly on the
     * threshold has weight 0 either way; testing it against the smaller support's tau keeps that 0 exact, as the
     * reference does, where the larger support's closed form could round tau just below it (scores (2, 1.5, 1, 1, 1)
     * and seven of 0.5: tau 2^-52 below 3/4, weights of 4e-32, and a NaN in V would reach O).
     */
    private static double entmaxClosedForm(double[] x, int m) {
        double sum = 0;
        double sumSq = 0;
        double tau = -1;
        for (int k = 1; k <= m; k++) {
            double xk = x[m - k];
            sum += xk;
            sumSq += xk * xk;
            double mean = sum / k;
            double ss = sumSq - sum * mean;
            tau = mean - Math.sqrt(Math.max((1 - ss) / k, 0));
            if (k == m || !(x[m - k - 1] > tau)) {
                break;
            }
        }
        return tau;
    }

    /**
     * {@code y - tau} for score {@code s} of a row with maximum {@code max} and relative threshold {@code tau}: the
     * weight is this (sparsemax) or its square (entmax-1.5) where it is positive. One formula for the forward and
     * the backward pass, so both see the same support.
     */
    static double margin(float s, float max, double factor, double tau) {
        return (s * factor - max * factor) - tau;
    }

    /** Sparsemax weights {@code p = max(s - tau, 0)} in place; returns the support size. */
    static int sparsemaxWeights(float[] s, int n, float max, double tau) {
        int support = 0;
        for (int j = 0; j < n; j++) {
            double p = margin(s[j], max, 1.0, tau);
            s[j] = p > 0 ? (float) p : 0f;
            if (p > 0) {
                support++;
            }
        }
        return support;
    }

    /** Entmax-1.5 weights {@code p = max(s/2 - tau, 0)^2} in place. */
    static void entmaxWeights(float[] s, int n, float max, double tau) {
        for (int j = 0; j < n; j++) {
            double g = margin(s[j], max, 0.5, tau);
            s[j] = g > 0 ? (float) (g * g) : 0f;
        }
    }
}
