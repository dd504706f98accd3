package org.attn4j.model.nn.simd;

/**
 * GPT-2's GELU, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, in plain Java, with the recipe every
 * {@link GeluKernel} follows: the tanh argument clamped to [-9, 9] (where tanh is 1 in float), then
 * {@code tanh(u) = (e - 1) / (e + 1)} with {@code e = exp(2u)} computed by its own float exponential
 * ({@link #exp}): a round to the nearest power of two, a two-part ln 2, and the Taylor polynomial of degree 7 on the
 * remainder (|f| <= ln 2 / 2: truncation error 5e-9, under a float ulp). {@code Math.exp} would be faster to write
 * but has no vector twin with the same bits.
 */
public final class PlainGeluKernel implements GeluKernel {
    static final float C = (float) Math.sqrt(2.0 / Math.PI);
    static final float A = 0.044715f;
    static final float LIMIT = 9f;
    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 in two parts; the first has few enough bits that {@code n * LN2_HI} is exact for |n| < 2^11. */
    static final float LN2_HI = 0.693145751953125f;
    static final float LN2_LO = 1.42860682030941723212e-6f;
    /** Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to the nearest integer. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    /** The Taylor coefficients of e^f, 1/j!, highest first in Horner's order. */
    static final float T7 = 1f / 5040;
    static final float T6 = 1f / 720;
    static final float T5 = 1f / 120;
    static final float T4 = 1f / 24;
    static final float T3 = 1f / 6;
    static final float T2 = 0.5f;
    static final float T1 = 1f;
    static final float T0 = 1f;

    @Override
    public void forward(float[] x, float[] y, float[] slope, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            float v = x[i];
            float t = tanh(C * (v + A * v * v * v));
            y[i] = 0.5f * v * (1f + t);
            if (slope != null) {
                slope[i] = slope(v, t);
            }
        }
    }

    @Override
    public void backward(float[] x, float[] dy, float[] dx, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            float v = x[i];
            float t = tanh(C * (v + A * v * v * v));
            dx[i] = dy[i] * slope(v, t);
        }
    }

    private static float slope(float v, float t) {
        return 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * C * (1f + 3f * A * v * v);
    }

    /** {@code tanh(u)}, 1 for {@code u >= 9}, -1 for {@code u <= -9}. */
    public static float tanh(float u) {
        float e = exp(2f * Math.max(-LIMIT, Math.min(LIMIT, u)));
        return (e - 1f) / (e + 1f);
    }

    /** {@code e^z} for |z| <= 2 * 9. */
    static float exp(float z) {
        float shifted = z * LOG2E + ROUND;
        float n = shifted - ROUND;
        float f = (z - n * LN2_HI) - n * LN2_LO;
        float p = ((((((T7 * f + T6) * f + T5) * f + T4) * f + T3) * f + T2) * f + T1) * f + T0;
        // shifted holds n in its low mantissa bits: 2^n without a float-to-int conversion.
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(shifted) - ROUND_BITS + 127) << 23);
    }
}
