package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.attn4j.Normalizer;
import org.junit.jupiter.api.Test;

/** The building blocks on their own: exp, the kernels' bit-exactness, thresholds, selection, tile sizes. */
class KernelsTest {

    @Test
    void fastExpIsWithinTwoUlpOfExp() {
        double worst = 0;
        for (int i = 0; i <= 200_000; i++) {
            float x = -87f * i / 200_000f;
            double exact = Math.exp(x);
            worst = Math.max(worst, Math.abs(FastExp.exp(x) - exact) / exact);
        }
        assertTrue(worst < 2.5e-7, "worst relative error " + worst);
    }

    @Test
    void fastExpOfMaskedScoresIsExactlyZero() {
        float[] s = {Float.NEGATIVE_INFINITY, -200f, 0f, -1f};
        float sum = FastExp.expShifted(s, 0f, 4, new float[4]);
        assertEquals(0f, s[0]);
        assertEquals(0f, s[1]);
        assertEquals(1f, s[2]);
        assertEquals((float) Math.exp(-1), s[3], 1e-7f);
        assertEquals(1f + s[3], sum, 1e-7f);
    }

    @Property(tries = 60, seed = "7")
    void scoresMatchTheScalarDotBitForBit(@ForAll @IntRange(min = 1, max = 70) int d,
                                          @ForAll @IntRange(min = 1, max = 130) int n) {
        Random r = new Random(d * 1000L + n);
        float[] q = new float[d];
        float[][] kt = new float[d][n];
        for (int c = 0; c < d; c++) {
            q[c] = (float) r.nextGaussian();
            for (int j = 0; j < n; j++) {
                kt[c][j] = (float) r.nextGaussian();
            }
        }
        float[] s = new float[n];
        Kernels.scores(q, kt, d, n, s);
        for (int j = 0; j < n; j++) {
            float[] key = new float[d];
            for (int c = 0; c < d; c++) {
                key[c] = kt[c][j];
            }
            assertEquals(Float.floatToIntBits(Kernels.dotInScoreOrder(q, key, d)), Float.floatToIntBits(s[j]),
                    "score " + j);
            assertEquals(Kernels.dot(q, key, d), s[j], 1e-4 * Math.sqrt(d));
        }
    }

    @Test
    void weightedRowsSumLikeTheDefinition() {
        Random r = new Random(2);
        float[][] rows = new float[11][9];
        float[] w = new float[11];
        for (int t = 0; t < 11; t++) {
            w[t] = t % 3 == 0 ? 0f : (float) r.nextGaussian();
            for (int c = 0; c < 9; c++) {
                rows[t][c] = (float) r.nextGaussian();
            }
        }
        float[] acc = new float[9];
        Kernels.addWeightedRows(acc, Arrays.copyOfRange(w, 2, 11), rows, 2, 9, 9, false);
        for (int c = 0; c < 9; c++) {
            double expected = 0;
            for (int t = 2; t < 11; t++) {
                expected += w[t] * rows[t][c];
            }
            assertEquals(expected, acc[c], 1e-5);
        }
    }

    @Property(tries = 200, seed = "11")
    void thresholdsGiveDistributions(@ForAll @IntRange(min = 1, max = 600) int n,
                                     @ForAll @IntRange(min = 0, max = 3) int spread) {
        Random r = new Random(n * 7L + spread);
        float[] s = new float[n];
        for (int j = 0; j < n; j++) {
            // spread 0: nearly equal scores, so hundreds of candidates and the bisection path.
            s[j] = (float) (r.nextGaussian() * new double[] {1e-3, 0.3, 1, 4}[spread]);
        }
        for (Normalizer normalizer : new Normalizer[] {Normalizer.SPARSEMAX, Normalizer.ENTMAX15}) {
            float[] p = s.clone();
            float max = Kernels.max(s, n);
            double factor = SparseThresholds.factor(normalizer);
            double relative = SparseThresholds.threshold(normalizer, p, n, max, new double[n]);
            double tau = max * factor + relative;
            double total = 0;
            double exactTotal = 0;
            for (int j = 0; j < n; j++) {
                double x = normalizer == Normalizer.SPARSEMAX ? s[j] : 0.5 * s[j];
                double v = Math.max(x - tau, 0);
                exactTotal += normalizer == Normalizer.SPARSEMAX ? v : v * v;
            }
            p = s.clone();
            if (normalizer == Normalizer.SPARSEMAX) {
                SparseThresholds.sparsemaxWeights(p, n, max, relative);
            } else {
                SparseThresholds.entmaxWeights(p, n, max, relative);
            }
            for (float x : p) {
                assertTrue(x >= 0);
                total += x;
            }
            assertEquals(1.0, exactTotal, 1e-9, normalizer + " mass at tau, n=" + n);
            assertEquals(1.0, total, 1e-5, normalizer + " weights, n=" + n);
            assertEquals(sortedThreshold(normalizer, s), tau, 1e-12, normalizer + " tau, n=" + n);
        }
    }

    /** The textbook sort-based threshold over all scores, for comparison. */
    private static double sortedThreshold(Normalizer normalizer, float[] s) {
        double[] z = new double[s.length];
        for (int j = 0; j < s.length; j++) {
            z[j] = normalizer == Normalizer.SPARSEMAX ? s[j] : 0.5 * s[j];
        }
        Arrays.sort(z);
        double sum = 0;
        double sumSq = 0;
        double tau = Double.NaN;
        for (int k = 1; k <= z.length; k++) {
            double x = z[z.length - k];
            sum += x;
            sumSq += x * x;
            double candidate = normalizer == Normalizer.SPARSEMAX ? (sum - 1) / k
                    : sum / k - Math.sqrt(Math.max((1 - (sumSq - sum * sum / k)) / k, 0));
            boolean inSupport = normalizer == Normalizer.SPARSEMAX ? 1 + k * x > sum : candidate <= x;
            if (inSupport) {
                tau = candidate;
            }
        }
        return tau;
    }

    @Test
    void kthLargestAgreesWithSorting() {
        Random r = new Random(4);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300);
            double[] a = new double[n];
            for (int j = 0; j < n; j++) {
                a[j] = trial % 2 == 0 ? r.nextInt(10) : r.nextGaussian();
            }
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            int k = 1 + r.nextInt(n);
            assertEquals(sorted[n - k], TokenSelection.kthLargest(a.clone(), n, k));
        }
    }

    @Test
    void tilesFollowBlockCells() {
        assertEquals(128, TileGeometry.fit(128, 128));
        assertEquals(64, TileGeometry.fit(64, 128));
        assertEquals(128, TileGeometry.fit(16, 128));
        assertEquals(126, TileGeometry.fit(3, 128));
        assertEquals(128, TileGeometry.fit(1024, 128));
        assertEquals(125, TileGeometry.fit(1000, 128));
        assertEquals(128, TileGeometry.fit(1031, 128));
        assertEquals(32, TileGeometry.fit(32, 64));
        TileGeometry g = new TileGeometry(64, 128, 7, 300);
        assertEquals(7, g.queryTile);
        assertEquals(1, g.queryTiles);
        assertEquals(3, g.keyTiles);
    }
}
