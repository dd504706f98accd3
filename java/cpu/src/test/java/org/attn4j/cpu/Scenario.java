package org.attn4j.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.attn4j.AttentionRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;

/**
 * One random attention configuration for comparison tests: shapes, type, masks, normalizer, outputs. Inputs are
 * Gaussian, or "exact" (multiples of 1/8 with a power-of-two scale), where every score is exact in float: then the
 * discrete choices (token top-k, sparsemax's support) cannot flip on rounding between providers.
 */
final class Scenario {
    private static final int[] LENGTHS = {1, 2, 7, 16, 33, 64, 100, 129, 257};
    private static final int[] DIMS = {1, 3, 8, 16, 32, 64};
    private static final int[] BLOCKS = {1, 3, 8, 16, 32, 64, 128};

    DType dtype = DType.FP32;
    int batch = 1;
    int kvHeads = 1;
    int group = 1;
    int nq = 16;
    int nk = 16;
    int d = 16;
    int dv = 16;
    boolean causal;
    int[] window; // left, right, global
    int[] blockMask; // bq, bk, layout (0 broadcast, 1 per head, 2 per batch and head), density in percent
    int[] blockTopK; // k, bq, bk
    int tokenTopK;
    Normalizer normalizer = Normalizer.SOFTMAX;
    boolean lse;
    boolean probabilities;
    Double scale;
    boolean exact;
    double sigma = 1;
    long seed;

    static Scenario random(long seed) {
        Random r = new Random(seed);
        Scenario s = new Scenario();
        s.seed = seed;
        double t = r.nextDouble();
        s.dtype = t < 0.7 ? DType.FP32 : t < 0.85 ? DType.FP16 : DType.BF16;
        s.batch = 1 + r.nextInt(2);
        s.kvHeads = 1 + r.nextInt(2);
        s.group = new int[] {1, 2, 4}[r.nextInt(3)];
        s.nq = r.nextDouble() < 0.15 ? 1 : LENGTHS[r.nextInt(LENGTHS.length)];
        s.nk = LENGTHS[r.nextInt(LENGTHS.length)];
        s.d = DIMS[r.nextInt(DIMS.length)];
        s.dv = r.nextBoolean() ? s.d : DIMS[r.nextInt(DIMS.length)];
        s.causal = r.nextDouble() < 0.4;
        if (r.nextDouble() < 0.3) {
            s.window = new int[] {r.nextInt(s.nk + 1), r.nextInt(9), r.nextBoolean() ? 1 + r.nextInt(8) : 0};
        }
        if (r.nextDouble() < 0.3) {
            s.blockMask = new int[] {BLOCKS[r.nextInt(BLOCKS.length)], BLOCKS[r.nextInt(BLOCKS.length)], r.nextInt(3),
                    10 + r.nextInt(90)};
        }
        if (r.nextDouble() < 0.25) {
            s.blockTopK = new int[] {1 + r.nextInt(4), BLOCKS[r.nextInt(BLOCKS.length)],
                    BLOCKS[r.nextInt(BLOCKS.length)]};
        }
        if (r.nextDouble() < 0.25) {
            s.tokenTopK = 1 + r.nextInt(20);
        }
        s.normalizer = Normalizer.values()[r.nextInt(3)];
        s.lse = s.normalizer == Normalizer.SOFTMAX && r.nextBoolean();
        s.probabilities = r.nextDouble() < 0.2;
        s.exact = s.tokenTopK > 0 || s.normalizer == Normalizer.SPARSEMAX || r.nextDouble() < 0.1;
        if (s.exact) {
            s.scale = new double[] {0.25, 0.125, 0.0625}[r.nextInt(3)];
        } else {
            s.scale = r.nextDouble() < 0.2 ? 0.05 + r.nextDouble() : null;
            s.sigma = new double[] {0.3, 1, 2}[r.nextInt(3)];
        }
        return s;
    }

    /** Holds the tensors of one scenario; closing frees them. */
    final class Inputs implements AutoCloseable {
        final Tensor q;
        final Tensor k;
        final Tensor v;
        final AttentionRequest request;

        Inputs() {
            Random r = new Random(seed ^ 0x5DEECE66DL);
            q = tensor(r, batch, kvHeads * group, nq, d);
            k = tensor(r, batch, kvHeads, nk, d);
            v = tensor(r, batch, kvHeads, nk, dv);
            request = apply(AttentionRequest.builder(q, k, v), r).build();
        }

        private Tensor tensor(Random r, int... shape) {
            int n = shape[0] * shape[1] * shape[2] * shape[3];
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = exact ? (r.nextInt(17) - 8) / 8f : (float) (r.nextGaussian() * sigma);
            }
            return Tensor.of(dtype, x, shape);
        }

        /** A gradient of O, Gaussian. */
        Tensor gradOutput() {
            Random r = new Random(seed * 31 + 7);
            float[] x = new float[batch * kvHeads * group * nq * dv];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            return Tensor.of(dtype, x, batch, kvHeads * group, nq, dv);
        }

        @Override
        public void close() {
            q.close();
            k.close();
            v.close();
        }
    }

    Inputs inputs() {
        return new Inputs();
    }

    private AttentionRequest.Builder apply(AttentionRequest.Builder b, Random r) {
        b.causal(causal).normalizer(normalizer).returnLse(lse).returnProbabilities(probabilities);
        if (scale != null) {
            b.scale(scale);
        }
        if (window != null) {
            b.window(window[0], window[1]);
            if (window[2] > 0) {
                b.globalTokens(window[2]);
            }
        }
        if (blockMask != null) {
            int bq = blockMask[0];
            int bk = blockMask[1];
            int qb = (nq + bq - 1) / bq;
            int kb = (nk + bk - 1) / bk;
            int mb = blockMask[2] == 2 ? batch : 1;
            int mh = blockMask[2] >= 1 ? kvHeads * group : 1;
            double density = blockMask[3] / 100.0;
            boolean[] cells = new boolean[mb * mh * qb * kb];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = r.nextDouble() < density;
            }
            b.blockMask(BlockMask.of(cells, new int[] {mb, mh, qb, kb}, bq, bk));
        }
        if (blockTopK != null) {
            b.topKBlocks(blockTopK[0], blockTopK[1], blockTopK[2]);
        }
        if (tokenTopK > 0) {
            b.topKTokens(tokenTopK);
        }
        return b;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("seed=" + seed);
        parts.add(dtype + " B=" + batch + " Hkv=" + kvHeads + " group=" + group + " Nq=" + nq + " Nk=" + nk + " D=" + d
                + " Dv=" + dv + " " + normalizer);
        if (causal) {
            parts.add("causal");
        }
        if (window != null) {
            parts.add("window(" + window[0] + "," + window[1] + ",G=" + window[2] + ")");
        }
        if (blockMask != null) {
            parts.add("blockMask(" + blockMask[0] + "x" + blockMask[1] + ",layout " + blockMask[2] + ","
                    + blockMask[3] + "%)");
        }
        if (blockTopK != null) {
            parts.add("topKBlocks(" + blockTopK[0] + "," + blockTopK[1] + "x" + blockTopK[2] + ")");
        }
        if (tokenTopK > 0) {
            parts.add("topKTokens(" + tokenTopK + ")");
        }
        parts.add((exact ? "exact" : "sigma=" + sigma) + (scale != null ? " scale=" + scale : ""));
        if (lse) {
            parts.add("lse");
        }
        if (probabilities) {
            parts.add("probabilities");
        }
        return String.join(" ", parts);
    }
}
