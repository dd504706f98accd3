package org.attn4j.model.encdec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.attn4j.model.nn.Parameter;

/**
 * Finite differences for piecewise smooth losses (token top-k selections, sparsemax supports, the feature mask): along
 * each random direction the central difference is taken at several step sizes, and the analytic derivative must match
 * at one of them. A large step may cross a selection boundary (a jump no gradient describes), a small one drowns in
 * float32 rounding; a wrong gradient matches at none of them.
 */
final class PiecewiseGradCheck {
    private static final double[] STEPS = {1e-2, 3e-3, 1e-3};

    private PiecewiseGradCheck() {
    }

    /**
     * @param lossScale the sum of the magnitudes of the terms the loss adds up: its float32 rounding (a few tens of
     *                  units in the last place, the error of a float32 forward pass) divided by the step is noise
     *                  that no gradient can match
     */
    static void check(String what, float[] x, float[] grad, DoubleSupplier loss, double lossScale, int directions,
                      double tolerance, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] saved = x.clone();
        double gradNorm = 0;
        for (float g : grad) {
            gradNorm += (double) g * g;
        }
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
            double best = Double.POSITIVE_INFINITY;
            StringBuilder seen = new StringBuilder();
            for (double eps : STEPS) {
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
                double noise = 0x1p-18 * lossScale / eps;
                double err = Math.abs(numeric - analytic)
                        / (Math.abs(numeric) + Math.abs(analytic) + Math.max(floor, noise));
                best = Math.min(best, err);
                seen.append(' ').append(eps).append(": ").append(numeric);
            }
            assertTrue(best < tolerance, what + ": direction " + d + ": analytic " + analytic + ", numeric at steps"
                    + seen + " (best relative error " + best + ")");
        }
    }
}
