package org.attn4j.conformance;

import java.util.Arrays;
import java.util.Random;
import org.attn4j.DType;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.StaticMask;
import org.attn4j.mask.TileKind;
import org.attn4j.mask.Tiles;

/**
 * The inputs of one scenario, drawn deterministically from its seed and already rounded to its type, so that the
 * provider (on tensors of that type) and the reference (on fp32 tensors holding the same values) see identical
 * numbers.
 *
 * <p>The dynamic selections are discontinuous: a provider that computes a score with a rounding error of 1e-7 may
 * rightly keep another key than the float64 reference when two scores are that close, and then O differs by far
 * more than any tolerance. So the data avoid near-ties where a selection is made:
 * <ul>
 *   <li>token top-k: queries and keys are integers in {-1, 0, 1} and the scale is a power of two, so every score is
 *       exact in fp32 (and in every input type) whatever the order of summation; exact ties remain, and the SPEC's
 *       rule (lower key first) decides them, which the case then checks;</li>
 *   <li>block top-k: the draw is repeated (seed, attempt 1, 2, ...) until, in every query tile, the k-th and
 *       (k+1)-th candidate tile scores differ by more than 1e-3 of the largest score: a thousand times what fp32
 *       arithmetic can move them.</li>
 * </ul>
 */
final class ScenarioData {
    private static final int MAX_ATTEMPTS = 500;
    private static final double BLOCK_GAP = 1e-3;

    final float[] q;
    final float[] k;
    final float[] v;
    final float[] gradOutput;
    final BlockMask blockMask;
    /** Which draw satisfied the block top-k gap (0: the first). */
    final int attempt;

    private ScenarioData(float[] q, float[] k, float[] v, float[] gradOutput, BlockMask blockMask, int attempt) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.gradOutput = gradOutput;
        this.blockMask = blockMask;
        this.attempt = attempt;
    }

    static ScenarioData draw(Scenario s) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Random rnd = new Random(s.seed * 1_000_003L + attempt);
            boolean integer = s.tokenTopK != null;
            float[] q = values(rnd, size(s.qShape()), integer, s.dtype);
            float[] k = values(rnd, size(s.kShape()), integer, s.dtype);
            float[] v = values(rnd, size(s.vShape()), false, s.dtype);
            float[] dO = values(rnd, size(s.oShape()), false, s.dtype);
            BlockMask mask = s.blockPattern == null ? null : s.blockPattern.create(s.batch, s.queryHeads,
                    s.queryLength, s.keyLength, s.maskBlockQ, s.maskBlockK, rnd);
            if (s.blockTopK == null || blockSelectionIsClear(s, q, k, mask)) {
                return new ScenarioData(q, k, v, dO, mask, attempt);
            }
        }
        throw new IllegalStateException("conformance kit: found no data without near-tied block scores in "
                + MAX_ATTEMPTS + " draws for " + s.name());
    }

    /** Values of a scenario's type: standard normal, or integers in {-1, 0, 1}. */
    private static float[] values(Random rnd, int n, boolean integer, DType dtype) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = integer ? rnd.nextInt(3) - 1 : dtype.round((float) rnd.nextGaussian());
        }
        return x;
    }

    /** True when no query tile's k-th and (k+1)-th block scores are within {@link #BLOCK_GAP}. */
    private static boolean blockSelectionIsClear(Scenario s, float[] q, float[] k, BlockMask blockMask) {
        StaticMask mask = new StaticMask(s.queryLength, s.keyLength, s.causal, s.window, blockMask);
        int bq = s.blockTopK.blockQ();
        int bk = s.blockTopK.blockK();
        int keep = s.blockTopK.k();
        int qTiles = Tiles.ceilDiv(s.queryLength, bq);
        int kTiles = Tiles.ceilDiv(s.keyLength, bk);
        int d = s.headDim;
        int group = s.queryHeads / s.kvHeads;
        double scale = s.scale != null ? s.scale : 1.0 / Math.sqrt(d);
        double[] scores = new double[kTiles];
        for (int b = 0; b < s.batch; b++) {
            for (int h = 0; h < s.queryHeads; h++) {
                int qBase = (b * s.queryHeads + h) * s.queryLength * d;
                int kBase = (b * s.kvHeads + h / group) * s.keyLength * d;
                double[][] kMeans = new double[kTiles][];
                for (int kb = 0; kb < kTiles; kb++) {
                    kMeans[kb] = mean(k, kBase, d, Tiles.start(kb, bk), Tiles.end(kb, bk, s.keyLength));
                }
                for (int qb = 0; qb < qTiles; qb++) {
                    int i0 = Tiles.start(qb, bq);
                    int i1 = Tiles.end(qb, bq, s.queryLength);
                    double[] qMean = mean(q, qBase, d, i0, i1);
                    int n = 0;
                    for (int kb = 0; kb < kTiles; kb++) {
                        if (mask.classify(b, h, i0, i1, Tiles.start(kb, bk), Tiles.end(kb, bk, s.keyLength))
                                == TileKind.EMPTY) {
                            continue;
                        }
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += qMean[c] * kMeans[kb][c];
                        }
                        scores[n++] = scale * dot;
                    }
                    if (n <= keep) {
                        continue;
                    }
                    double[] sorted = Arrays.copyOf(scores, n);
                    Arrays.sort(sorted);
                    double largest = Math.max(Math.abs(sorted[0]), Math.abs(sorted[n - 1]));
                    // Ascending: the k-th best is sorted[n - keep], the (k+1)-th sorted[n - keep - 1].
                    if (sorted[n - keep] - sorted[n - keep - 1] <= BLOCK_GAP * largest) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static double[] mean(float[] x, int base, int d, int r0, int r1) {
        double[] m = new double[d];
        for (int r = r0; r < r1; r++) {
            for (int c = 0; c < d; c++) {
                m[c] += x[base + r * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            m[c] /= (r1 - r0);
        }
        return m;
    }

    static int size(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return Math.toIntExact(n);
    }
}
