package org.attn4j.reference;

import java.util.Arrays;
import org.attn4j.Normalizer;

/**
 * The SPEC's normalizers and their vector-Jacobian products over one row of scores, in float64, by the textbook
 * sort-based algorithms (exact thresholds, no iteration). Public for the decode package; not API.
 *
 * <p>Non-finite scores (SPEC): a row with a NaN or a +inf score, or whose every score is -inf, is a NaN row (every
 * weight NaN, LSE NaN); -inf scores next to finite ones get weight 0. Sparsemax and entmax-1.5 do not change when
 * a constant is added to every score, so they are computed on {@code s - max s}, which keeps huge finite scores
 * from overflowing or cancelling in the closed forms.
 */
public final class ExactNormalizers {
    private ExactNormalizers() {
    }

    /**
     * Writes the weights of scores {@code s[0..n)} into {@code p[0..n)} and returns the log-sum-exp for softmax
     * ({@code NaN} for the others). {@code n == 0} gives {@code -inf}; a NaN row gives NaN weights and NaN.
     */
    public static double normalize(Normalizer normalizer, double[] s, int n, double[] p) {
        if (n == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        double max = max(s, n);
        if (!Double.isFinite(max)) {
            // NaN, +inf (inf - inf in every normalizer), or every score -inf (-inf - -inf): IEEE gives NaN.
            Arrays.fill(p, 0, n, Double.NaN);
            return Double.NaN;
        }
        switch (normalizer) {
            case SOFTMAX: return softmax(s, n, max, p);
            case SPARSEMAX: sparsemax(s, n, max, p); return Double.NaN;
            case ENTMAX15: entmax15(s, n, max, p); return Double.NaN;
            default: throw new IllegalStateException("unknown normalizer " + normalizer);
        }
    }

    /** The largest of {@code s[0..n)}, NaN if any is NaN. */
    private static double max(double[] s, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, s[j]);
        }
        return max;
    }

    private static double softmax(double[] s, int n, double max, double[] p) {
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

    /**
     * Projection onto the simplex, over {@code z = s - max}: tau from the largest k with
     * {@code 1 + k z_k > sum_{l <= k} z_l}.
     */
    private static void sparsemax(double[] s, int n, double max, double[] p) {
        double[] z = shiftedDescending(s, n, max, 1);
        double cumulative = 0;
        double tau = 0;
        for (int k = 1; k <= n; k++) {
            cumulative += z[k - 1];
            if (1 + k * z[k - 1] > cumulative) {
                tau = (cumulative - 1) / k;
            }
        }
        for (int j = 0; j < n; j++) {
            p[j] = Math.max((s[j] - max) - tau, 0);
        }
    }

    /**
     * 1.5-entmax: {@code p = max(s/2 - tau, 0)^2}, tau from the sorted closed form (Peters et al. 2019, Alg. 2) over
     * {@code x = (s - max) / 2}. The top score alone is always a valid support ({@code tau = -1 <= 0}).
     *
     * <p>The support grows while the next key lies strictly above the threshold of the current one
     * ({@code x[k] > tau_k}, which is equivalent to the paper's {@code tau_{k+1} <= x[k]}). A key exactly on the
     * threshold has weight 0 whichever support computes tau; testing it against the smaller support's tau keeps
     * that 0 exact where the larger support's closed form would round tau just below it (a weight of 1e-32, and an
     * infinite V would then reach O).
     */
    private static void entmax15(double[] s, int n, double max, double[] p) {
        double[] x = shiftedDescending(s, n, max, 0.5);
        double sum = 0;
        double sumSq = 0;
        double tau = Double.NaN;
        for (int k = 1; k <= n; k++) {
            sum += x[k - 1];
            sumSq += x[k - 1] * x[k - 1];
            double mean = sum / k;
            double ss = sumSq - sum * mean; // k * variance
            double delta = (1 - ss) / k;
            tau = mean - Math.sqrt(Math.max(delta, 0));
            if (k == n || !(x[k] > tau)) {
                break;
            }
        }
        for (int j = 0; j < n; j++) {
            double t = Math.max((s[j] - max) / 2 - tau, 0);
            p[j] = t * t;
        }
    }

    /**
     * Turns {@code dP = dL/dp} into {@code dS = dL/ds} in place, given the weights {@code p}: softmax
     * {@code p (dP - dO.O)}, sparsemax {@code dP - mean over the support} on the support, entmax-1.5
     * {@code g dP - g (g.dP) / sum g} with {@code g = sqrt(p)}. A key of weight 0 gets {@code dS = 0} and takes no
     * part in the row terms (SPEC), even where its dP is NaN or infinite.
     *
     * @param outputDot softmax's row term {@code dO[i] . O[i]} (SPEC: FlashAttention's rowsum(dO * O); it equals
     *                  {@code p.dP} for finite values, but not where dO is infinite); unused by the others
     */
    static void backward(Normalizer normalizer, double[] p, double[] dp, int n, double outputDot) {
        if (n > 0 && Double.isNaN(p[0])) {
            // A NaN row (every weight NaN): its gradient is NaN too, never zero.
            Arrays.fill(dp, 0, n, Double.NaN);
            return;
        }
        switch (normalizer) {
            case SOFTMAX: {
                for (int j = 0; j < n; j++) {
                    dp[j] = p[j] == 0 ? 0 : p[j] * (dp[j] - outputDot);
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
                    if (p[j] != 0) {
                        double g = Math.sqrt(p[j]);
                        gdp += g * dp[j];
                        gsum += g;
                    }
                }
                double q = gsum > 0 ? gdp / gsum : 0;
                for (int j = 0; j < n; j++) {
                    double g = Math.sqrt(p[j]);
                    dp[j] = p[j] == 0 ? 0 : g * dp[j] - q * g;
                }
                return;
            }
            default:
                throw new IllegalStateException("unknown normalizer " + normalizer);
        }
    }

    /** {@code factor * (s[j] - max)} for {@code j < n}, sorted descending. */
    private static double[] shiftedDescending(double[] s, int n, double max, double factor) {
        double[] z = new double[n];
        for (int j = 0; j < n; j++) {
            z[j] = (s[j] - max) * factor;
        }
        Arrays.sort(z);
        for (int a = 0, b = n - 1; a < b; a++, b--) {
            double t = z[a];
            z[a] = z[b];
            z[b] = t;
        }
        return z;
    }
}
