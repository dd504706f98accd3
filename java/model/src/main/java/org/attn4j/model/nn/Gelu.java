package org.attn4j.model.nn;

import org.attn4j.model.nn.simd.GeluKernel;
import org.attn4j.model.nn.simd.ModelKernels;
import org.attn4j.model.nn.simd.PlainGeluKernel;

/**
 * GPT-2's GELU, the tanh approximation {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} (Hugging Face's
 * {@code gelu_new}), element-wise; the loops are a {@link GeluKernel} ({@link ModelKernels}: Vector API or plain
 * Java, the same bits).
 */
public final class Gelu {
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
        GeluKernel k = ModelKernels.gelu();
        par.forRange(n, 8192, (lo, hi) -> k.forward(x, y, slope, lo, hi));
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
        GeluKernel k = ModelKernels.gelu();
        par.forRange(n, 8192, (lo, hi) -> k.backward(x, dy, dx, lo, hi));
    }

    /** {@code tanh} as the GELU computes it (1 in float from 9 on). */
    static float tanh(float u) {
        return PlainGeluKernel.tanh(u);
    }
}
