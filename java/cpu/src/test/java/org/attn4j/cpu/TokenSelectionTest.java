package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.attn4j.mask.SelectionOrder;
import org.attn4j.mask.TokenScore;
import org.junit.jupiter.api.Test;

/**
 * Token top-k on the provider's float scores keeps exactly the keys the SPEC's float64 score ranks first
 * ({@link TokenScore}, {@link SelectionOrder}), whatever the float scores' rounding: ties, near ties, a scale that
 * underflows or rounds in float, -0.0 against +0.0, NaN and infinite scores. The cut re-applied by the backward pass
 * keeps the same keys.
 */
class TokenSelectionTest {
    private static final double[] SCALES = {0.25, 1.0 / Math.sqrt(7), 1e-300, 1e-40, 3e-39, 1e30, 0.0, -0.0, -1.5};

    @Property(tries = 300, seed = "17")
    void keepsTheKeysTheExactScoreRanksFirst(@ForAll @IntRange(min = 1, max = 90) int n,
                                             @ForAll @IntRange(min = 1, max = 95) int k,
                                             @ForAll @IntRange(min = 0, max = 8) int scaleIndex,
                                             @ForAll @IntRange(min = 0, max = 3) int data) {
        Random r = new Random(n * 7919L + k * 31L + scaleIndex * 3L + data);
        int d = 1 + r.nextInt(9);
        float[] q = values(r, d, data);
        float[] keys = values(r, n * d, data);
        if (data == 3) {
            // Non-finite entries: a NaN or an infinity in a few keys.
            for (int t = 0; t < 1 + n / 10; t++) {
                keys[r.nextInt(n) * d + r.nextInt(d)] = new float[] {Float.NaN, Float.POSITIVE_INFINITY,
                        Float.NEGATIVE_INFINITY}[r.nextInt(3)];
            }
        }
        check(q, keys, n, d, k, SCALES[scaleIndex]);
    }

    /**
     * Rows long enough for the sampled cut ({@link LargestScores}), where the selection decides among the candidates
     * alone: exact ties, Gaussian scores, and near ties one ulp apart (many unsure keys around the cut).
     */
    @Property(tries = 60, seed = "23")
    void longRowsDecideAmongTheCandidates(@ForAll @IntRange(min = 1024, max = 5000) int n,
                                          @ForAll @IntRange(min = 1, max = 700) int k,
                                          @ForAll @IntRange(min = 0, max = 2) int data) {
        Random r = new Random(n * 131L + k * 7L + data);
        int d = 1 + r.nextInt(16);
        float[] q = values(r, d, data);
        float[] keys = values(r, n * d, data);
        check(q, keys, n, d, k, 1 / Math.sqrt(d));
    }

    /** Scores +0.0 and -0.0 tie (the lower key wins); Double.compare would rank +0.0 first. */
    @Test
    void negativeZeroTiesWithPositiveZero() {
        // D = 1, q = 1: key 0 scores -0.0, key 1 scores +0.0.
        float[] keys = {-0f, 0f};
        int[] kept = check(new float[] {1}, keys, 2, 1, 1, 1.0);
        assertEquals(0, kept[0]);
    }

    /** NaN ranks first, as in torch.topk: the row keeps it (and turns NaN). */
    @Test
    void nanRanksFirst() {
        float[] keys = {5f, Float.NaN, 7f, Float.POSITIVE_INFINITY};
        int[] kept = check(new float[] {1}, keys, 4, 1, 2, 1.0);
        assertEquals(1, kept[0]);
        assertEquals(3, kept[1]);
    }

    private static float[] values(Random r, int count, int data) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = value(r, data);
        }
        return v;
    }

    private static float value(Random r, int data) {
        switch (data) {
            case 0: return r.nextInt(3) - 1;               // exact ties
            case 1: return (float) r.nextGaussian();
            case 2: return 1 + r.nextInt(4) * 0x1p-23f;    // near ties, one ulp apart
            default: return (float) r.nextGaussian();
        }
    }

    /** Runs the selection on the kernel's float scores; checks it and its cut; returns the kept keys. */
    private static int[] check(float[] q, float[] keys, int n, int d, int k, double scale) {
        float[] scaled = q.clone();
        Kernels.scaleQuery(scaled, scale, d);
        float[][] keysT = new float[d][n];
        for (int j = 0; j < n; j++) {
            for (int c = 0; c < d; c++) {
                keysT[c][j] = keys[j * d + c];
            }
        }
        float[] scores = new float[n];
        Kernels.scores(scaled, keysT, d, n, scores);
        int[] ids = new int[n];
        for (int j = 0; j < n; j++) {
            ids[j] = j;
        }
        float[] floatScores = scores.clone();
        ExactTokenScores scorer = new ExactTokenScores();
        scorer.prepare(scale, q, keys, d, ExactTokenScores.keyNormMax(keys, n, d));
        // Without the cut (the forward pass), and with the keys left implicit (unwritten: here -1), the same keys
        // and scores are kept.
        float[] scoresNoCut = scores.clone();
        int[] idsNoCut = new int[n];
        Arrays.fill(idsNoCut, -1);
        int keptNoCut = new TokenSelection().keep(scoresNoCut, idsNoCut, n, k, scorer, SelectedKernels.get(), false,
                true);
        TokenSelection selection = new TokenSelection();
        int kept = selection.keep(scores, ids, n, k, scorer, SelectedKernels.get(), true, false);
        assertEquals(kept, keptNoCut, "kept without the cut");
        assertArrayEquals(Arrays.copyOf(ids, kept), Arrays.copyOf(idsNoCut, kept), "keys kept without the cut");
        assertArrayEquals(Arrays.copyOf(scores, kept), Arrays.copyOf(scoresNoCut, kept), "scores kept without the cut");

        double[] exact = new double[n];
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            exact[j] = TokenScore.exact(scale, q, 0, keys, j * d, d);
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> SelectionOrder.compare(exact[a], a, exact[b], b));
        boolean[] expected = new boolean[n];
        for (int t = 0; t < Math.min(n, k); t++) {
            expected[order[t]] = true;
        }
        String what = "n=" + n + " k=" + k + " d=" + d + " scale=" + scale;
        assertEquals(Math.min(n, k), kept, what);
        int w = 0;
        for (int j = 0; j < n; j++) {
            if (expected[j]) {
                assertEquals(j, ids[w], what + ": kept keys");
                assertEquals(Float.floatToIntBits(floatScores[j]), Float.floatToIntBits(scores[w]), what);
                w++;
            }
            assertEquals(expected[j], TokenSelection.passes(floatScores[j], j, selection.cutScore,
                    selection.cutKey, scorer), what + ": cut at key " + j);
        }
        return Arrays.copyOf(ids, kept);
    }
}
