package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RadixSelect} gives the k-th largest of a sorted copy, on rows with ties, signs and zeros, whether all values
 * or only the largest were loaded.
 */
class RadixSelectTest {
    @Test
    void kthLargestMatchesSorting() {
        Random random = new Random(3);
        RadixSelect select = new RadixSelect();
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(trial < 100 ? 40 : 3000);
            float[] a = new float[n];
            for (int t = 0; t < n; t++) {
                switch (random.nextInt(6)) {
                    case 0:
                        a[t] = random.nextInt(5) - 2; // ties
                        break;
                    case 1:
                        a[t] = random.nextBoolean() ? -0.0f : 0.0f;
                        break;
                    case 2:
                        a[t] = random.nextInt(20) == 0 ? Float.NEGATIVE_INFINITY : Float.MAX_VALUE;
                        break;
                    case 3:
                        a[t] = Float.MIN_VALUE * (random.nextInt(7) - 3);
                        break;
                    default:
                        a[t] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(10) - 5));
                }
            }
            float[] sorted = a.clone();
            Arrays.sort(sorted); // -0.0 before 0.0, as the selection orders them
            select.load(a, n);
            for (int k = 1; k <= n; k += 1 + n / 50) {
                float expected = sorted[n - k];
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(select.kthLargest(k)),
                        "n=" + n + " k=" + k);
            }
            // Only the largest loaded (a sampled cut, or all of them when the sample misses): k <= m.
            int m = 1 + random.nextInt(Math.max(1, n / 3));
            select.loadLargest(a, n, m);
            for (int k = 1; k <= m; k += 1 + m / 20) {
                assertEquals(Float.floatToIntBits(sorted[n - k]), Float.floatToIntBits(select.kthLargest(k)),
                        "largest n=" + n + " m=" + m + " k=" + k);
            }
        }
    }
}
