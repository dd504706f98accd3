package org.attn4j.reference;

import java.util.Arrays;
import org.attn4j.Normalizer;

/**
 * The SPEC's normalizers and their vector-Jacobian products over one row of scores, in float64, by the textbook
 * sort-based algorithms (exact thresholds, no iteration). Public for the decode package; not API.
 */
public final class ExactNormalizers {
    private ExactNormalizers() {
    }

    /**
     * Writes the weights of scores {@code s[0..n)} into {@code p[0..n)} and returns the log-sum-exp for softmax
     * ({@code NaN} for the others). {@code n == 0} gives {@code -inf}.
     */
    public static double normalize(Normalizer normalizer, double[] s, int n, double[] p) {
        if (n == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        switch (normalizer) {
            case SOFTMAX: return softmax(s, n, p);
            case SPARSEMAX: sparsemax(s, n, p); return Double.NaN;
            case ENTMAX15: entmax15(s, n, p); return Double.NaN;
            default: throw new IllegalStateException("unknown normalizer " + normalizer);
        }
    }

    static double softmax(double[] s, int n, double[] p) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            p[j] = Math.exp(s[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < n; j++) {
            p[j] /= sum;
        }
        return max + Math.log(sum);
    }

    /** Projection onto the simplex: tau from the largest k with {@code 1 + k z_k > sum_{l <= k} z_l}. */
    static void sparsemax(double[] s, int n, double[] p) {
        double[] z = sortedDescending(s, n);
        double cumulative = 0;
        double tau = 0;
        for (int k = 1; k <= n; k++) {
            cumulative += z[k - 1];
            if (1 + k * z[k - 1] > cumulative) {
                tau = (cumulative - 1) / k;
            }
        }
        for (int j = 0; j < n; j++) {
            p[j] = Math.max(s[j] - tau, 0);
        }
    }

    /** 1.5-entmax: {@code p = max(s/2 - tau, 0)^2}, tau from the sorted closed form (Peters et al. 2019, Alg. 2). */
    static void entmax15(double[] s, int n, double[] p) {
        double[] x = sortedDescending(s, n);
        for (int j = 0; j < n; j++) {
            x[j] /= 2;
        }
        double sum = 0;
        double sumSq = 0;
        int support = 0;
        double[] taus = new double[n];
        for (int k = 1; k <= n; k++) {
            sum += x[k - 1];
            sumSq += x[k - 1] * x[k - 1];
            double mean = sum / k;
            double ss = sumSq - sum * mean; // k * variance
            double delta = (1 - ss) / k;
            double tau = mean - Math.sqrt(Math.max(delta, 0));
            taus[k - 1] = tau;
            if (tau <= x[k - 1]) {
                support = k;
            }
        }
        double tau = taus[support - 1];
        for (int j = 0; j < n; j++) {
            double t = Math.max(s[j] / 2 - tau, 0);
            p[j] = t * t;
        }
    }

    /**
     * Turns {@code dP = dL/dp} into {@code dS = dL/ds} in place, given the weights {@code p}: softmax
     * {@code p (dP - p.dP)}, sparsemax {@code dP - mean over the support} on the support, entmax-1.5
     * {@code g dP - g (g.dP) / sum g} with {@code g = sqrt(p)}.
     */
    static void backward(Normalizer normalizer, double[] p, double[] dp, int n) {
        switch (normalizer) {
            case SOFTMAX: {
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    dot += p[j] * dp[j];
                }
                for (int j = 0; j < n; j++) {
                    dp[j] = p[j] * (dp[j] - dot);
                }
                return;
            }
            case SPARSEMAX: {
                double sum = 0;
                int count = 0;
                for (int j = 0; j < n; j++) {
                    if (p[j] > 0) {
                        sum += dp[j];
                        count++;
                    }
                }
                double mean = count > 0 ? sum / count : 0;
                for (int j = 0; j < n; j++) {
                    dp[j] = p[j] > 0 ? dp[j] - mean : 0;
                }
                return;
            }
            case ENTMAX15: {
                double gdp = 0;
                double gsum = 0;
                for (int j = 0; j < n; j++) {
                    double g = Math.sqrt(p[j]);
                    gdp += g * dp[j];
                    gsum += g;
                }
                double q = gsum > 0 ? gdp / gsum : 0;
                for (int j = 0; j < n; j++) {
                    double g = Math.sqrt(p[j]);
                    dp[j] = g * dp[j] - q * g;
                }
                return;
            }
            default:
                throw new IllegalStateException("unknown normalizer " + normalizer);
        }
    }

    private static double[] sortedDescending(double[] s, int n) {
        double[] z = Arrays.copyOf(s, n);
        Arrays.sort(z);
        for (int a = 0, b = n - 1; a < b; a++, b--) {
            double t = z[a];
            z[a] = z[b];
            z[b] = t;
        }
        return z;
    }
}
