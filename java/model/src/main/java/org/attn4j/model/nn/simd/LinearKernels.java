package org.attn4j.model.nn.simd;

/**
 * The inner loops of {@link org.attn4j.model.nn.Linear}: its three matrix products over a range of rows (or of weight
 * rows), single-threaded; {@code Linear} splits the ranges among threads and owns the bias. The weights come as rows
 * ({@code w[i]} is {@code W[i, :]}). Every implementation sums each element in the same order with fused
 * multiply-adds, so they give the same bits ({@code LinearKernelsTest}).
 */
public interface LinearKernels {
    /** What runs, for logs and reports. */
    String name();

    /**
     * {@code y[r, :] = b + sum_i x[r, i] w[i]} for rows {@code lo <= r < hi} ({@code x [rows, in]}, {@code y [rows,
     * out]}; {@code b} null for none), summed from {@code b} in ascending {@code i}.
     */
    void forward(float[] x, float[][] w, float[] b, float[] y, int in, int out, int lo, int hi);

    /**
     * {@code dw[i] = sum_r x[r, i] dy[r, :]} for weight rows {@code i0 <= i < i1} (overwritten), summed from 0 over the
     * {@code rows} rows in ascending order.
     */
    void weightGradient(float[] x, float[] dy, float[][] dw, int rows, int in, int out, int i0, int i1);

    /**
     * {@code dx[r, :] = sum_o dy[r, o] wt[o]} for rows {@code lo <= r < hi}, with {@code wt} the transposed weights
     * ({@code wt[o]} is {@code W[:, o]}), summed from 0 in ascending {@code o}.
     */
    void inputGradient(float[] dy, float[][] wt, float[] dx, int in, int out, int lo, int hi);
}
