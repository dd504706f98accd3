package org.attn4j.cuda;

import java.util.Random;
import org.attn4j.DType;
import org.attn4j.Tensor;

/** Random inputs and error measures for the tests. */
final class TestTensors {
    private TestTensors() {
    }

    static Tensor random(Random rnd, DType dtype, float sigma, int... shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * sigma;
        }
        return Tensor.of(dtype, x, shape);
    }

    /** ||a - b|| / ||b|| over all elements (host or device tensors); NaN anywhere gives +inf. */
    static double relativeError(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        if (x.length != y.length) {
            throw new IllegalArgumentException("sizes differ: " + x.length + " vs " + y.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(x[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = (double) x[i] - y[i];
            num += d * d;
            den += (double) y[i] * y[i];
        }
        return den == 0 ? (num == 0 ? 0 : 1) : Math.sqrt(num / den);
    }
}
