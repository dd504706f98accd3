package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.List;
import org.attn4j.cpu.simd.TileKernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LargestScores} gives the k-th and (k+1)-th largest of a sorted copy, on rows with ties, signs, zeros,
 * subnormals, huge spreads and clusters, whether the sample's cut filtered the row or the whole row was loaded; its
 * candidates are exactly the positions at or above the cut. On every kernel path.
 */
class LargestScoresTest {
    static List<TileKernels> kernels() {
        return TileKernelsTest.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void selectsWhatSortingSelects(TileKernels kernels) {
        Random random = new Random(3);
        LargestScores largest = new LargestScores();
        int filteredRows = 0;
        for (int trial = 0; trial < 400; trial++) {
            int n = 2 + random.nextInt(trial < 100 ? 60 : 5000);
            float[] a = row(random, n, trial % 7);
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            int m = 2 + random.nextInt(Math.max(1, n / 3));
            m = Math.min(m, n);
            largest.load(a, n, m, kernels);
            filteredRows += largest.filtered() ? 1 : 0;
            int loaded = largest.loaded();
            float cut = largest.cut();
            int expected = 0;
            for (int t = 0; t < n; t++) {
                if (a[t] >= cut) {
                    assertEquals(t, largest.position(expected++), "candidate positions, n=" + n);
                }
            }
            assertEquals(expected, loaded, "candidates, n=" + n);
            for (int k = 1; k < m; k += 1 + m / 15) {
                largest.select(a, k);
                String where = "kind=" + trial % 7 + " n=" + n + " m=" + m + " k=" + k;
                assertEquals(sorted[n - k], largest.kth, where);
                assertEquals(sorted[n - k - 1], largest.next, where);
            }
        }
        assertTrue(filteredRows > 50, "the sampled cut was exercised: " + filteredRows);
    }

    private static float[] row(Random random, int n, int kind) {
        float[] a = new float[n];
        for (int t = 0; t < n; t++) {
            switch (kind) {
                case 0:
                    a[t] = random.nextInt(5) - 2; // ties
                    break;
                case 1:
                    a[t] = random.nextBoolean() ? -0.0f : 0.0f;
                    break;
                case 2:
                    a[t] = random.nextInt(20) == 0 ? -Float.MAX_VALUE : Float.MAX_VALUE;
                    break;
                case 3:
                    a[t] = Float.MIN_VALUE * (random.nextInt(7) - 3);
                    break;
                case 4: // a cluster and a far outlier: the bins must narrow several times
                    a[t] = random.nextInt(50) == 0 ? 1e30f : 1f + random.nextInt(1000) * Math.ulp(1f);
                    break;
                case 5:
                    a[t] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(10) - 5));
                    break;
                default:
                    a[t] = (float) random.nextGaussian();
            }
        }
        return a;
    }
}
