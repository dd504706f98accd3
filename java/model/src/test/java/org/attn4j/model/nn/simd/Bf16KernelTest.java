package org.attn4j.model.nn.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.attn4j.model.nn.Bf16;
import org.junit.jupiter.api.Test;

/** The array roundings to bfloat16 against {@link Bf16#round(float)} bit for bit, ties and special values included. */
class Bf16KernelTest {
    private static float[] inputs(int n) {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i % 3 == 0 ? Float.intBitsToFloat(r.nextInt()) : (float) (r.nextGaussian() * 100);
        }
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00123),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE,
            Float.intBitsToFloat(0x3f808000), Float.intBitsToFloat(0x3f818000), Float.intBitsToFloat(0x7f7f8000),
            Float.intBitsToFloat(0x7f7fffff), 1.00390625f};
        for (int i = 0; i < special.length; i++) {
            x[7 + i * 5] = special[i];
        }
        return x;
    }

    private static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = Float.floatToRawIntBits(x[i]);
        }
        return b;
    }

    private static void check(Bf16Kernel kernel) {
        float[] x = inputs(4_099);
        for (int[] range : new int[][] {{0, x.length}, {3, 40}, {1, 2}, {5, 5}}) {
            float[] expected = x.clone();
            for (int i = range[0]; i < range[1]; i++) {
                expected[i] = Bf16.round(expected[i]);
            }
            float[] actual = x.clone();
            kernel.round(actual, range[0], range[1]);
            assertArrayEquals(bits(expected), bits(actual), range[0] + ".." + range[1]);
        }
    }

    @Test
    void plainKernelRoundsEachValue() {
        check(new PlainBf16Kernel());
        assertEquals(0x3f80_0000, Float.floatToRawIntBits(Bf16.round(Float.intBitsToFloat(0x3f808000))), "tie to even");
        assertEquals(0x3f82_0000, Float.floatToRawIntBits(Bf16.round(Float.intBitsToFloat(0x3f818000))), "tie up");
    }

    @Test
    void vectorKernelGivesThePlainBits() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the JVM runs without jdk.incubator.vector (the plain-kernel test run)");
        check(ModelKernels.bf16("vector"));
    }
}
