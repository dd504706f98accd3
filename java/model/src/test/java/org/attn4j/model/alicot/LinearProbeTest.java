package org.attn4j.model.alicot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The linear probe reads a linearly encoded bit and does not find one that is not there. */
class LinearProbeTest {
    private static final int DIM = 16;
    private static final int ROWS = 600;

    @Test
    void readsABitEncodedAlongADirectionUnderNoise() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[ROWS * DIM];
        int[] y = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            y[i] = r.nextInt(2);
            for (int c = 0; c < DIM; c++) {
                x[i * DIM + c] = (float) (r.nextGaussian() + (c == 3 ? 2.5 * (2 * y[i] - 1) : 0));
            }
        }
        assertTrue(LinearProbe.heldOutAccuracy(x, DIM, y) > 0.97);
    }

    @Test
    void findsNothingInNoiseNorInAParityOfTwoEncodedBits() {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = new float[ROWS * DIM];
        int[] noise = new int[ROWS];
        int[] parity = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            int a = r.nextInt(2);
            int b = r.nextInt(2);
            noise[i] = r.nextInt(2);
            parity[i] = a ^ b; // each bit is linear in x, their parity is not
            for (int c = 0; c < DIM; c++) {
                x[i * DIM + c] = (float) (0.1 * r.nextGaussian() + (c == 0 ? a : 0) + (c == 1 ? b : 0));
            }
        }
        assertEquals(0.5, LinearProbe.heldOutAccuracy(x, DIM, noise), 0.1);
        assertEquals(0.5, LinearProbe.heldOutAccuracy(x, DIM, parity), 0.1);
    }
}
