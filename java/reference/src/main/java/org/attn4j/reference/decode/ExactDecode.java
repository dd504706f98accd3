package org.attn4j.reference.decode;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.KvCache;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.reference.ExactNormalizers;

/**
 * A decode step read literally from the SPEC, in float64, key by key: for each query row, every cached position's
 * static verdict (causal, window with global tokens, block mask over absolute positions), then block top-k from
 * block means recomputed from the cached keys (not from the cache's running sums, so that those are checked too),
 * then token top-k, the normalizer and the weighted sum of values. Reads any {@link KvCache} through its copies.
 */
public final class ExactDecode {
    private final DecodeRequest r;
    private final int hq;
    private final int nq;
    private final int d;
    private final int dv;
    private final int group;
    private final double scale;
    private final boolean windowed;
    private final int left;
    private final int global;
    private final BlockMask mask;
    private final int blockTopK;
    private final boolean blocksPerGroup;
    private final int tokenTopK;
    private final int blockSize;

    public ExactDecode(DecodeRequest r) {
        this.r = r;
        this.hq = r.queryHeads();
        this.nq = r.queryLength();
        this.d = r.headDim();
        this.dv = r.valueDim();
        this.group = r.groupSize();
        this.scale = r.scale();
        SlidingWindow w = r.window().orElse(null);
        this.windowed = w != null;
        this.left = w != null ? w.left() : 0;
        this.global = w != null ? w.globalTokens() : 0;
        this.mask = r.blockMask().orElse(null);
        this.blockTopK = r.blockTopK().orElse(0);
        this.blocksPerGroup = r.blockTopKPerGroup();
        this.tokenTopK = r.tokenTopK().orElse(0);
        this.blockSize = r.cache().blockSize();
    }

    /** What one step computes: O {@code [B, Hq, Nq, Dv]}, LSE {@code [B, Hq, Nq]} and the attended pairs. */
    public static final class Outputs {
        public final float[] o;
        public final float[] lse;
        /** Attended keys per row {@code (b * Hq + h) * Nq + i}. */
        public final int[] kept;
        public long allowedPairs;

        Outputs(float[] o, float[] lse) {
            this.o = o;
            this.lse = lse;
            this.kept = new int[lse.length];
        }
    }

    public Outputs run() {
        int batch = r.batch();
        KvCache cache = r.cache();
        float[] q = r.q().toFloatArray();
        Outputs out = new Outputs(new float[batch * hq * nq * dv], new float[batch * hq * nq]);
        long pairs = 0;
        for (int b = 0; b < batch; b++) {
            int length = cache.length(b);
            float[] keys = cache.keys(b);
            float[] values = cache.values(b);
            int bb = b;
            pairs += IntStream.range(0, hq).parallel().mapToLong(h -> {
                long kept = 0;
                for (int i = 0; i < nq; i++) {
                    kept += row(bb, h, i, length, q, keys, values, out);
                }
                return kept;
            }).sum();
        }
        out.allowedPairs = pairs;
        return out;
    }

    /** Computes one row into {@code out}; returns its number of kept keys. */
    private int row(int b, int h, int i, int length, float[] q, float[] keys, float[] values, Outputs out) {
        int kvh = h / group;
        int row = (b * hq + h) * nq + i;
        int qBase = row * d;
        int ip = length - nq + i;
        boolean[] kept = new boolean[length];
        if (ip >= 0) {
            if (blockTopK == 0) {
                for (int j = 0; j < length; j++) {
                    kept[j] = j <= ip && inWindow(ip, j) && maskAllows(b, h, ip, j);
                }
            } else {
                selectBlocks(b, h, ip, length, q, qBase, keys, kvh, kept);
            }
        }
        int[] idx = new int[length];
        double[] s = new double[length];
        int n = 0;
        for (int j = 0; j < length; j++) {
            if (!kept[j]) {
                continue;
            }
            int kBase = (kvh * length + j) * d;
            double dot = 0;
            for (int c = 0; c < d; c++) {
                dot += (double) q[qBase + c] * keys[kBase + c];
            }
            idx[n] = j;
            s[n] = scale * dot;
            n++;
        }
        if (tokenTopK > 0 && n > tokenTopK) {
            n = keepTopK(idx, s, n, tokenTopK);
        }
        double[] p = new double[Math.max(1, n)];
        double lse = ExactNormalizers.normalize(r.normalizer(), s, n, p);
        for (int c = 0; c < dv; c++) {
            double acc = 0;
            for (int t = 0; t < n; t++) {
                if (p[t] != 0) { // a key of weight 0 contributes nothing (SPEC), even where V is NaN or infinite
                    acc += p[t] * values[(kvh * length + idx[t]) * dv + c];
                }
            }
            out.o[row * dv + c] = (float) acc;
        }
        out.lse[row] = (float) lse;
        out.kept[row] = n;
        return n;
    }

    /**
     * Block top-k's rule: own block and window always, the k best other blocks by their mean key; per group, scored
     * with the mean of the group's queries, a candidate being a block with such a key for any head of the group.
     */
    private void selectBlocks(int b, int h, int ip, int length, float[] q, int qBase, float[] keys, int kvh,
                              boolean[] kept) {
        int own = ip / blockSize;
        int blocks = (length + blockSize - 1) / blockSize;
        boolean[] forced = new boolean[length];
        boolean[] usable = new boolean[length];
        boolean[] candidateKey = new boolean[length];
        int i = (qBase / d) % nq;
        int firstHead = blocksPerGroup ? h - h % group : h;
        int lastHead = blocksPerGroup ? firstHead + group - 1 : h;
        for (int j = 0; j < length; j++) {
            usable[j] = j <= ip && maskAllows(b, h, ip, j);
            forced[j] = (windowed && inWindow(ip, j)) || j / blockSize == own;
            for (int g = firstHead; g <= lastHead; g++) {
                candidateKey[j] |= j <= ip && maskAllows(b, g, ip, j) && !forced[j];
            }
        }
        double[] query = new double[d];
        for (int g = firstHead; g <= lastHead; g++) {
            int base = ((b * hq + g) * nq + i) * d;
            for (int c = 0; c < d; c++) {
                query[c] += q[base + c];
            }
        }
        for (int c = 0; c < d; c++) {
            query[c] /= lastHead - firstHead + 1;
        }
        Integer[] candidates = new Integer[blocks];
        double[] score = new double[blocks];
        int n = 0;
        for (int kb = 0; kb < blocks; kb++) {
            boolean candidate = false;
            for (int j = kb * blockSize; j < Math.min(length, (kb + 1) * blockSize); j++) {
                candidate |= candidateKey[j];
            }
            if (!candidate) {
                continue;
            }
            double[] mean = new double[d];
            int rows = Math.min(length, (kb + 1) * blockSize) - kb * blockSize;
            for (int j = kb * blockSize; j < kb * blockSize + rows; j++) {
                for (int c = 0; c < d; c++) {
                    mean[c] += keys[(kvh * length + j) * d + c];
                }
            }
            for (int c = 0; c < d; c++) {
                mean[c] /= rows;
            }
            double dot = 0;
            for (int c = 0; c < d; c++) {
                dot += query[c] * mean[c];
            }
            score[kb] = scale * dot;
            candidates[n++] = kb;
        }
        Arrays.sort(candidates, 0, n, (x, y) -> {
            int c = Double.compare(score[y], score[x]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        boolean[] chosen = new boolean[blocks];
        for (int t = 0; t < Math.min(blockTopK, n); t++) {
            chosen[candidates[t]] = true;
        }
        for (int j = 0; j < length; j++) {
            kept[j] = usable[j] && (forced[j] || chosen[j / blockSize]);
        }
    }

    private boolean inWindow(int ip, int j) {
        if (!windowed || j < global || (0 <= ip && ip < global)) {
            return true;
        }
        return j >= (long) ip - left && j <= ip;
    }

    private boolean maskAllows(int b, int h, int ip, int j) {
        return mask == null || mask.get(b, h, ip / mask.blockQ(), j / mask.blockK());
    }

    /** Keeps the {@code k} highest scores (ties: lower key) in key order; returns k. */
    private static int keepTopK(int[] idx, double[] s, int n, int k) {
        Integer[] order = new Integer[n];
        for (int t = 0; t < n; t++) {
            order[t] = t;
        }
        Arrays.sort(order, (x, y) -> {
            int c = Double.compare(s[y], s[x]);
            return c != 0 ? c : Integer.compare(idx[x], idx[y]);
        });
        boolean[] keep = new boolean[n];
        for (int t = 0; t < k; t++) {
            keep[order[t]] = true;
        }
        int w = 0;
        for (int t = 0; t < n; t++) {
            if (keep[t]) {
                idx[w] = idx[t];
                s[w] = s[t];
                w++;
            }
        }
        return w;
    }
}
