package org.attn4j.cpu;

import org.attn4j.cpu.simd.TileKernels;

/**
 * The plain-Java {@link TileKernels}: {@link Kernels}' loops, one row at a time, which C2 vectorizes without
 * fusing multiply and add. Used when the Vector API module is absent or turned off.
 */
final class ScalarTileKernels implements TileKernels {
    @Override
    public String name() {
        return "scalar (C2 auto-vectorized loops)";
    }

    @Override
    public void scoreRow(float[] q, float[][] kt, int d, int from, int to, float[] s) {
        Kernels.scores(q, kt, d, from, to, s);
    }

    @Override
    public void scoreRows(float[][] q, int rows, float[][] kt, int d, int from, int to, float[][] s) {
        for (int r = 0; r < rows; r++) {
            Kernels.scores(q[r], kt, d, from, to, s[r]);
        }
    }

    @Override
    public void addWeightedRows(float[][] acc, float[][] w, int rows, float[][] values, int first, int from, int to,
                                int len) {
        for (int r = 0; r < rows; r++) {
            Kernels.addWeightedRows(acc[r], w[r], values, first, from, to, len, false);
        }
    }

    @Override
    public void addWeightedIndexedRows(float[] acc, float[] w, int[] index, float[][] rows, int n, int len) {
        Kernels.addWeightedIndexedRows(acc, w, index, rows, n, len, false);
    }

    @Override
    public float dotInScoreOrder(float[] a, float[] b, int len) {
        return Kernels.dotInScoreOrder(a, b, len);
    }

    @Override
    public float max(float[] s, int from, int to) {
        return Kernels.max(s, from, to);
    }

    @Override
    public float expShifted(float[] s, float shift, int from, int to) {
        float[] scratch = SCRATCH.get();
        if (scratch.length < to) {
            scratch = new float[to];
            SCRATCH.set(scratch);
        }
        return FastExp.expShifted(s, shift, from, to, scratch);
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[256]);
}
