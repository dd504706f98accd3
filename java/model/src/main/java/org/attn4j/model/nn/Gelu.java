package org.attn4j.model.nn;

/**
 * GPT-2's GELU, the tanh approximation {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} (Hugging Face's
 * {@code gelu_new}), element-wise.
 */
public final class Gelu {
    private static final float C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float A = 0.044715f;

    private Gelu() {
    }

    /** {@code y[0..n) = gelu(x[0..n))}. */
    public static void forward(float[] x, float[] y, int n, Parallel par) {
        forward(x, y, null, n, par);
    }

    /**
     * {@code y = gelu(x)}, and when {@code slope} is not null also {@code slope = gelu'(x)}, which the backward pass
     * then only multiplies (the tanh, the costly part, is computed once).
     */
    public static void forward(float[] x, float[] y, float[] slope, int n, Parallel par) {
        par.forRange(n, 8192, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float v = x[i];
                float t = tanh(C * (v + A * v * v * v));
                y[i] = 0.5f * v * (1f + t);
                if (slope != null) {
                    slope[i] = 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * C * (1f + 3f * A * v * v);
                }
            }
        });
    }

    /** {@code dx = dy * slope} with the slope saved by {@link #forward(float[], float[], float[], int, Parallel)}. */
    public static void backwardFromSlope(float[] slope, float[] dy, float[] dx, int n, Parallel par) {
        par.forRange(n, 8192, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                dx[i] = dy[i] * slope[i];
            }
        });
    }

    /** {@code dx = dy * gelu'(x)} (may write into {@code dy}). */
    public static void backward(float[] x, float[] dy, float[] dx, int n, Parallel par) {
        par.forRange(n, 8192, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                float v = x[i];
                float t = tanh(C * (v + A * v * v * v));
                float d = 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * C * (1f + 3f * A * v * v);
                dx[i] = dy[i] * d;
            }
        });
    }

    /** {@code tanh} through one exponential, which HotSpot compiles to an intrinsic (Math.tanh is much slower). */
    static float tanh(float u) {
        if (u > 9f) {
            return 1f;
        }
        if (u < -9f) {
            return -1f;
        }
        float e = (float) Math.exp(2.0 * u);
        return (e - 1f) / (e + 1f);
    }
}
