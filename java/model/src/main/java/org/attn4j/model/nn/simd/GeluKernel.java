package org.attn4j.model.nn.simd;

/**
 * The element-wise loops of {@link org.attn4j.model.nn.Gelu} over a range {@code lo <= i < hi}. Every implementation
 * follows {@link PlainGeluKernel}'s recipe operation for operation (the same float operations in the same order,
 * its own exponential), so they give the same bits ({@code GeluKernelTest}).
 */
public interface GeluKernel {
    /** {@code y = gelu(x)} and, when {@code slope} is not null, {@code slope = gelu'(x)}. */
    void forward(float[] x, float[] y, float[] slope, int lo, int hi);

    /** {@code dx = dy * gelu'(x)} ({@code dx} may be {@code dy}). */
    void backward(float[] x, float[] dy, float[] dx, int lo, int hi);
}
