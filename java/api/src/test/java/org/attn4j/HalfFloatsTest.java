package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void everyFiniteHalfRoundTripsExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = HalfFloats.halfBitsToFloat(h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(f))));
                continue;
            }
            assertEquals(bits, HalfFloats.floatToHalfBits(f) & 0xffff, "half bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void halfRoundsToNearestEven() {
        assertEquals(1.0f, HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(1.0f + 0x1p-11f)), "tie to even");
        assertEquals(1.0f + 0x1p-9f,
                HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(1.0f + 0x1p-10f + 0x1p-11f)), "tie to even up");
        assertEquals(65504f, HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(65519f)));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(65520f)));
        assertEquals(0x1p-24f, HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(0x1p-24f)), "smallest subnormal");
        assertEquals(0f, HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(0x1p-26f)));
        assertEquals(-2.5f, HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(-2.5f)));
    }

    @Test
    void halfMatchesExactRoundingOnManyValues() {
        java.util.Random rnd = new java.util.Random(1);
        for (int t = 0; t < 200_000; t++) {
            float f = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(40) - 25));
            float h = HalfFloats.halfBitsToFloat(HalfFloats.floatToHalfBits(f));
            // No other half value may be strictly closer to f.
            short bits = HalfFloats.floatToHalfBits(f);
            for (int delta = -1; delta <= 1; delta += 2) {
                float neighbour = HalfFloats.halfBitsToFloat((short) (bits + delta));
                if (!Float.isNaN(neighbour) && !Float.isInfinite(neighbour) && Math.signum(neighbour) == Math.signum(h)) {
                    assertTrue(Math.abs((double) neighbour - f) >= Math.abs((double) h - f), "value " + f);
                }
            }
        }
    }

    @Test
    void bf16KeepsUpperBitsWithRounding() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.bf16BitsToFloat((short) bits);
            if (!Float.isNaN(f)) {
                assertEquals(bits, HalfFloats.floatToBf16Bits(f) & 0xffff);
            }
        }
        assertEquals(1.0f, HalfFloats.bf16BitsToFloat(HalfFloats.floatToBf16Bits(1.0f + 0x1p-8f)), "tie to even");
        assertEquals(1.0f + 0x1p-7f, HalfFloats.bf16BitsToFloat(HalfFloats.floatToBf16Bits(1.0f + 0x1p-8f + 0x1p-10f)));
        assertTrue(Float.isNaN(HalfFloats.bf16BitsToFloat(HalfFloats.floatToBf16Bits(Float.NaN))));
    }
}
