package org.attn4j.model.nn;

import org.attn4j.model.nn.simd.ModelKernels;

/**
 * Rounding of float32 values to bfloat16 (1 sign, 8 exponent and 7 mantissa bits: float32's upper half), round to
 * nearest with ties to even as PyTorch converts. The result is a float32 whose lower 16 bits are zero, so emulated
 * bf16 arithmetic is float32 arithmetic followed by this rounding. NaN stays NaN, infinities stay infinite, and a
 * finite value too large for bf16 rounds to infinity as in the hardware conversion.
 */
public final class Bf16 {
    private Bf16() {
    }

    public static float round(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7f800000) == 0x7f800000) {
            // NaN or infinity: keep it (a NaN's payload may sit in the lower bits only, so keep it quiet and NaN).
            return Float.isNaN(x) ? Float.NaN : x;
        }
        int lsb = (bits >>> 16) & 1;
        bits += 0x7fff + lsb;
        return Float.intBitsToFloat(bits & 0xffff0000);
    }

    /** Rounds {@code x[offset .. offset + n)} in place (the Vector API kernel where the JVM has it: same bits). */
    public static void round(float[] x, int offset, int n) {
        ModelKernels.bf16().round(x, offset, offset + n);
    }

    /** Rounds {@code x[0 .. n)} in place. */
    public static void round(float[] x, int n) {
        round(x, 0, n);
    }
}
