package org.attn4j.cpu;

/**
 * {@code exp} over a row of scores, about three times faster than {@link Math#exp} per element on HotSpot.
 *
 * <p>Classic range reduction {@code exp(x) = 2^k exp(r)}, {@code |r| <= ln2 / 2}, with a degree-6 polynomial for
 * {@code exp(r)} (Cephes {@code expf}'s coefficients; relative error below 1e-7 over the range used). The polynomial
 * loop is pure float arithmetic, so C2 vectorizes it; building {@code 2^k} needs float/int bit moves, which C2 does
 * not vectorize, so that runs as a second, short scalar loop.
 */
public final class FastExp {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND = 12582912f;
    /** Below this the result is under the smallest normal float and is flushed to zero. */
    private static final float LOWEST = -100f;

    private FastExp() {
    }

    /**
     * Replaces {@code s[j]} by {@code exp(s[j] - shift)} for {@code j < n} and returns the sum (in float). Inputs at
     * {@code -inf} (masked scores) give exactly 0. Arguments must be {@code <= ~88} (they are {@code <= 0} here: the
     * shift is the row maximum).
     *
     * @param k scratch of length >= n
     */
    static float expShifted(float[] s, float shift, int n, float[] k) {
        return expShifted(s, shift, 0, n, k);
    }

    /** {@link #expShifted(float[], float, int, float[])} over {@code s[from..to)}. */
    public static float expShifted(float[] s, float shift, int from, int to, float[] k) {
        for (int j = from; j < to; j++) {
            float x = Math.max(s[j] - shift, LOWEST);
            float kj = (x * LOG2E + ROUND) - ROUND;
            float r = x - kj * LN2_HI - kj * LN2_LO;
            float y = 1.9875691500E-4f;
            y = y * r + 1.3981999507E-3f;
            y = y * r + 8.3334519073E-3f;
            y = y * r + 4.1665795894E-2f;
            y = y * r + 1.6666665459E-1f;
            y = y * r + 5.0000001201E-1f;
            s[j] = y * r * r + r + 1f;
            k[j] = kj;
        }
        float sum = 0f;
        for (int j = from; j < to; j++) {
            int biased = (int) k[j] + 127;
            float e = biased > 0 ? s[j] * Float.intBitsToFloat(biased << 23) : 0f;
            s[j] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * {@link #expShifted(float[], float, int, int, float[])} as the Vector API kernels compute it, so that both
     * paths give the same bits ({@code org.attn4j.cpu.simd.TileKernels#expShifted}): the polynomial in fused
     * multiply-adds, and the sum in 16 interleaved partial sums ({@code (j - from) mod 16}) added in order at the end.
     *
     * @param k scratch of length >= to
     */
    static float expShiftedInPartials(float[] s, float shift, int from, int to, float[] k) {
        for (int j = from; j < to; j++) {
            float x = Math.max(s[j] - shift, LOWEST);
            float kj = (x * LOG2E + ROUND) - ROUND;
            float r = x - kj * LN2_HI - kj * LN2_LO;
            float y = Math.fma(r, 1.9875691500E-4f, 1.3981999507E-3f);
            y = Math.fma(y, r, 8.3334519073E-3f);
            y = Math.fma(y, r, 4.1665795894E-2f);
            y = Math.fma(y, r, 1.6666665459E-1f);
            y = Math.fma(y, r, 5.0000001201E-1f);
            s[j] = Math.fma(y * r, r, r) + 1f;
            k[j] = kj;
        }
        float[] partial = new float[16];
        for (int j = from; j < to; j++) {
            int biased = (int) k[j] + 127;
            float e = biased > 0 ? s[j] * Float.intBitsToFloat(biased << 23) : 0f;
            s[j] = e;
            partial[(j - from) & 15] += e;
        }
        float sum = 0f;
        for (int i = 0; i < 16; i++) {
            sum += partial[i];
        }
        return sum;
    }

    /** One value, same algorithm (for tests and scalar uses). */
    static float exp(float x) {
        float[] s = {x};
        expShifted(s, 0f, 1, new float[1]);
        return s[0];
    }
}
