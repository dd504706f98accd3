package org.attn4j.model.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Finite-difference checks for float32 code: the analytic gradient, projected on random directions, against the
 * central difference of the loss along the same direction. Projections average out float32 rounding, which would
 * swamp element-wise differences.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /**
     * Checks {@code grad} (the analytic gradient of {@code loss} with respect to {@code x}, already computed at the
     * current {@code x}) along {@code directions} random directions; restores {@code x}.
     *
     * @return the largest relative error seen
     */
    public static double check(String what, float[] x, float[] grad, DoubleSupplier loss, int directions,
                               double eps, double tolerance, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] saved = x.clone();
        double worst = 0;
        double gradNorm = 0;
        for (float g : grad) {
            gradNorm += (double) g * g;
        }
        // A random unit direction sees about |g| / sqrt(N) of the gradient; errors are measured against at least a
        // tenth of that, so that directions nearly orthogonal to the gradient do not turn float32 noise into failures.
        double floor = Math.max(0.1 * Math.sqrt(gradNorm / grad.length), 1e-4);
        for (int d = 0; d < directions; d++) {
            double[] u = new double[x.length];
            double norm = 0;
            for (int i = 0; i < u.length; i++) {
                u[i] = Parameter.gaussian(r);
                norm += u[i] * u[i];
            }
            norm = Math.sqrt(norm);
            double analytic = 0;
            for (int i = 0; i < u.length; i++) {
                u[i] /= norm;
                analytic += u[i] * grad[i];
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (saved[i] + eps * u[i]);
            }
            double plus = loss.getAsDouble();
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (saved[i] - eps * u[i]);
            }
            double minus = loss.getAsDouble();
            System.arraycopy(saved, 0, x, 0, x.length);
            double numeric = (plus - minus) / (2 * eps);
            double err = Math.abs(numeric - analytic) / (Math.abs(numeric) + Math.abs(analytic) + floor);
            worst = Math.max(worst, err);
            assertTrue(err < tolerance, what + ": direction " + d + ": analytic " + analytic + ", numeric " + numeric
                    + " (relative error " + err + ")");
        }
        return worst;
    }

    /** {@code sum_i weights[i] * y[i]} in double. */
    public static double dot(float[] y, float[] weights, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) y[i] * weights[i];
        }
        return s;
    }

    public static float[] gaussian(int n, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (Parameter.gaussian(r) * std);
        }
        return out;
    }
}
