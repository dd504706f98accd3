package org.attn4j.model.encdec;

/**
 * Moving between the row layout of the dense layers, {@code [B * N, width]}, and the head layout of the providers,
 * {@code [B, H, N, Dh]}.
 */
final class Heads {
    private Heads() {
    }

    /** Columns {@code [offset, offset + H * Dh)} of {@code src [B * N, stride]} into {@code dst [B, H, N, Dh]}. */
    static void split(float[] src, int stride, int offset, float[] dst, int batch, int length, int heads, int dh) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int s = (b * length + t) * stride + offset;
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(src, s + h * dh, dst, ((b * heads + h) * length + t) * dh, dh);
                }
            }
        }
    }

    /** Inverse of {@link #split}: {@code src [B, H, N, Dh]} into columns {@code [offset, offset + H * Dh)}. */
    static void merge(float[] src, float[] dst, int stride, int offset, int batch, int length, int heads, int dh) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int d = (b * length + t) * stride + offset;
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(src, ((b * heads + h) * length + t) * dh, dst, d + h * dh, dh);
                }
            }
        }
    }
}
