package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.attn4j.DType;
import org.attn4j.mask.BlockMask;

/**
 * The inputs of one {@link DecodeScenario}, drawn from its seed and rounded to its type: for each append the keys
 * {@code [B, Hkv, T, D]} and values, for each decode step the queries {@code [B, Hq, Nq, D]}, and the block mask
 * over absolute positions. As in {@link ScenarioData}, selections must not hinge on rounding: token top-k gets
 * integers in {-1, 0, 1} (exact scores; with blocks of a power of two, exact block scores too), and block top-k on
 * other data draws again until, at every step and in every row, all block scores a selection could compare differ
 * by more than {@value #BLOCK_GAP} of the largest.
 */
final class DecodeData {
    private static final int MAX_ATTEMPTS = 500;
    private static final double BLOCK_GAP = 1e-4;

    final List<int[]> counts;
    final List<float[]> keys = new ArrayList<>();
    final List<float[]> values = new ArrayList<>();
    final List<float[]> queries = new ArrayList<>();
    final BlockMask blockMask;

    private DecodeData(DecodeScenario s, Random rnd) {
        counts = s.appends();
        boolean integer = s.tokenTopK > 0;
        for (int[] c : counts) {
            int t = Arrays.stream(c).max().orElse(0);
            keys.add(draw(rnd, s.batch * s.kvHeads * t * s.headDim, integer, s.dtype));
            values.add(draw(rnd, s.batch * s.kvHeads * t * s.valueDim, false, s.dtype));
            queries.add(draw(rnd, s.batch * s.queryHeads() * s.queries * s.headDim, integer, s.dtype));
        }
        int longest = Math.max(1, s.finalLength());
        blockMask = s.blockPattern == null ? null : s.blockPattern.create(s.batch, s.queryHeads(), longest, longest,
                s.maskBlockQ, s.maskBlockK, rnd);
    }

    static DecodeData draw(DecodeScenario s) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            DecodeData data = new DecodeData(s, new Random(s.seed * 1_000_003L + attempt));
            // Integer data and blocks of a power of two: block means and scores are exact in any precision.
            boolean exact = s.tokenTopK > 0 && Integer.bitCount(s.blockSize) == 1;
            if (s.blockTopK == 0 || exact || data.blockScoresApart(s)) {
                return data;
            }
        }
        throw new IllegalStateException("conformance kit: found no data without near-tied block scores in "
                + MAX_ATTEMPTS + " draws for " + s.name());
    }

    int width(int append) {
        return Arrays.stream(counts.get(append)).max().orElse(0);
    }

    private static float[] draw(Random rnd, int n, boolean integer, DType dtype) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = integer ? rnd.nextInt(3) - 1 : dtype.round((float) rnd.nextGaussian());
        }
        return x;
    }

    /** Whether, at every decode step, every row's scores of the complete blocks before its own are well apart. */
    private boolean blockScoresApart(DecodeScenario s) {
        int d = s.headDim;
        int bs = s.blockSize;
        double scale = s.scale != null ? s.scale : 1.0 / Math.sqrt(d);
        List<List<float[]>> rows = new ArrayList<>();
        for (int x = 0; x < s.batch * s.kvHeads; x++) {
            rows.add(new ArrayList<>());
        }
        for (int step = 0; step < counts.size(); step++) {
            int[] c = counts.get(step);
            int t = width(step);
            float[] k = keys.get(step);
            for (int b = 0; b < s.batch; b++) {
                for (int h = 0; h < s.kvHeads; h++) {
                    for (int p = 0; p < c[b]; p++) {
                        int base = (((b * s.kvHeads + h) * t) + p) * d;
                        rows.get(b * s.kvHeads + h).add(Arrays.copyOfRange(k, base, base + d));
                    }
                }
            }
            float[] q = queries.get(step);
            for (int b = 0; b < s.batch; b++) {
                for (int h = 0; h < s.queryHeads(); h++) {
                    List<float[]> cached = rows.get(b * s.kvHeads + h / s.group);
                    for (int i = 0; i < s.queries; i++) {
                        int ip = cached.size() - s.queries + i;
                        int own = ip < 0 ? 0 : ip / bs;
                        if (own <= s.blockTopK) {
                            continue;
                        }
                        double[] scores = new double[own];
                        double[] query = new double[d];
                        int firstHead = s.blocksPerGroup ? h - h % s.group : h;
                        int heads = s.blocksPerGroup ? s.group : 1;
                        for (int hh = firstHead; hh < firstHead + heads; hh++) {
                            int qBase = ((b * s.queryHeads() + hh) * s.queries + i) * d;
                            for (int cc = 0; cc < d; cc++) {
                                query[cc] += q[qBase + cc];
                            }
                        }
                        for (int kb = 0; kb < own; kb++) {
                            double[] mean = new double[d];
                            for (int j = kb * bs; j < (kb + 1) * bs; j++) {
                                for (int cc = 0; cc < d; cc++) {
                                    mean[cc] += cached.get(j)[cc];
                                }
                            }
                            double dot = 0;
                            for (int cc = 0; cc < d; cc++) {
                                dot += query[cc] / heads * (mean[cc] / bs);
                            }
                            scores[kb] = scale * dot;
                        }
                        Arrays.sort(scores);
                        double largest = Math.max(Math.abs(scores[0]), Math.abs(scores[own - 1]));
                        for (int kb = 1; kb < own; kb++) {
                            if (scores[kb] - scores[kb - 1] <= BLOCK_GAP * largest) {
                                return false;
                            }
                        }
                    }
                }
            }
        }
        return true;
    }
}
