package org.attn4j.model.nn.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link org.attn4j.model.nn.Bf16#round(float)} on the Vector API: the same integer steps on the bits of a vector at a
 * time (add {@code 0x7fff} plus the kept part's lowest bit, clear the lower half), infinities kept and every NaN made
 * the canonical one, as the scalar rounding does; the tail through {@link PlainBf16Kernel}.
 */
public final class VectorBf16Kernel implements Bf16Kernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int EXPONENT = 0x7f800000;
    private static final int CANONICAL_NAN = Float.floatToRawIntBits(Float.NaN);
    private static final PlainBf16Kernel TAIL = new PlainBf16Kernel();

    /** Refuses a machine whose preferred float vector has fewer than 4 lanes (the Vector API would run in Java). */
    public VectorBf16Kernel() {
        if (L < 4) {
            throw new UnsupportedOperationException("the preferred float vector has " + L + " lanes; expected >= 4");
        }
    }

    @Override
    public void round(float[] x, int lo, int hi) {
        int i = lo;
        for (; i + L <= hi; i += L) {
            IntVector bits = FloatVector.fromArray(S, x, i).reinterpretAsInts();
            IntVector lsb = bits.lanewise(VectorOperators.LSHR, 16).and(1);
            IntVector rounded = bits.add(0x7fff).add(lsb).and(0xffff0000);
            VectorMask<Integer> special = bits.and(EXPONENT).compare(VectorOperators.EQ, EXPONENT);
            VectorMask<Integer> nan = bits.and(0x7fffffff).compare(VectorOperators.GT, EXPONENT);
            rounded.blend(bits, special).blend(CANONICAL_NAN, nan).reinterpretAsFloats().intoArray(x, i);
        }
        TAIL.round(x, i, hi);
    }
}
