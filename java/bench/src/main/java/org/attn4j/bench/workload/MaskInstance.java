package org.attn4j.bench.workload;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.attn4j.AttentionRequest;
import org.attn4j.Normalizer;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.mask.StaticMask;
import org.attn4j.mask.Tiles;
import org.attn4j.mask.TokenTopK;

/**
 * A mask resolved for one shape: every parameter fixed and the random parts (document boundaries, block-sparse
 * tiles) drawn from a seed, so that attn4j and the peer scripts run exactly the same mask.
 *
 * @param label        human and machine name with its parameter, e.g. {@code block_sparse(10%)}
 * @param window       sliding window, or null
 * @param blockMask    block mask, or null
 * @param blockTopK    dynamic block top-k, or null
 * @param tokenTopK    dynamic token top-k, or null
 * @param documentEnds for {@link MaskFamily#DOCUMENT}: per batch, the exclusive end token of each document; else null
 */
public record MaskInstance(MaskFamily family, String label, boolean causal, SlidingWindow window, BlockMask blockMask,
                           BlockTopK blockTopK, TokenTopK tokenTopK, Normalizer normalizer, int[][] documentEnds) {

    /** Default documents per sequence for {@link MaskFamily#DOCUMENT}. */
    public static final int DEFAULT_DOCUMENTS = 8;
    /** Default k of {@link MaskFamily#TOKEN_TOPK}. */
    public static final int DEFAULT_TOKEN_TOPK = 64;

    /**
     * Resolves {@code spec} for {@code shape}.
     *
     * @throws IllegalArgumentException when the mask cannot apply to the shape (documents need Nq = Nk)
     */
    public static MaskInstance resolve(MaskSpec spec, Shape shape, long seed) {
        int bs = shape.blockSize();
        int qTiles = Tiles.ceilDiv(shape.seqQ(), bs);
        int kTiles = Tiles.ceilDiv(shape.seqK(), bs);
        Double p = spec.param();
        switch (spec.family()) {
            case DENSE:
                return plain(MaskFamily.DENSE, "dense", false, Normalizer.SOFTMAX);
            case CAUSAL:
                return plain(MaskFamily.CAUSAL, "causal", true, Normalizer.SOFTMAX);
            case SPARSEMAX:
                return plain(MaskFamily.SPARSEMAX, "sparsemax", false, Normalizer.SPARSEMAX);
            case ENTMAX15:
                return plain(MaskFamily.ENTMAX15, "entmax15", false, Normalizer.ENTMAX15);
            case SLIDING_WINDOW: {
                int w = p != null ? (int) Math.round(p) : Math.max(1, shape.seqK() / 8);
                return new MaskInstance(MaskFamily.SLIDING_WINDOW, "sliding_window(" + w + ")", true,
                        SlidingWindow.of(w, 0), null, null, null, Normalizer.SOFTMAX, null);
            }
            case DOCUMENT: {
                if (shape.seqQ() != shape.seqK()) {
                    throw new IllegalArgumentException("masks: document masking needs seq_q = seq_k, got "
                            + shape.seqQ() + " and " + shape.seqK());
                }
                int docs = Math.max(1, Math.min(qTiles, p != null ? (int) Math.round(p) : DEFAULT_DOCUMENTS));
                int[][] ends = documentEnds(shape.batch(), qTiles, docs, bs, shape.seqQ(), seed);
                int[][] docOfTile = new int[shape.batch()][qTiles];
                for (int b = 0; b < shape.batch(); b++) {
                    int doc = 0;
                    for (int t = 0; t < qTiles; t++) {
                        while (t * bs >= ends[b][doc]) {
                            doc++;
                        }
                        docOfTile[b][t] = doc;
                    }
                }
                BlockMask bm = BlockMask.fromFunction(shape.batch(), 1, qTiles, kTiles, bs, bs,
                        (b, h, q, k) -> docOfTile[b][q] == docOfTile[b][k]);
                return new MaskInstance(MaskFamily.DOCUMENT, "document(" + docs + ")", true, null, bm, null, null,
                        Normalizer.SOFTMAX, ends);
            }
            case BLOCK_SPARSE: {
                double density = p != null ? p : 0.1;
                BlockMask bm = randomBlocks(shape.headsQ(), qTiles, kTiles, bs, density, seed);
                return new MaskInstance(MaskFamily.BLOCK_SPARSE, "block_sparse(" + percent(density) + ")", false,
                        null, bm, null, null, Normalizer.SOFTMAX, null);
            }
            case BLOCK_TOPK: {
                int k = p != null ? (int) Math.round(p) : Math.max(1, Math.round(kTiles / 8f));
                return new MaskInstance(MaskFamily.BLOCK_TOPK, "block_topk(" + k + ")", false, null, null,
                        BlockTopK.of(k, bs, bs), null, Normalizer.SOFTMAX, null);
            }
            case TOKEN_TOPK: {
                int k = p != null ? (int) Math.round(p) : DEFAULT_TOKEN_TOPK;
                return new MaskInstance(MaskFamily.TOKEN_TOPK, "token_topk(" + k + ")", false, null, null, null,
                        TokenTopK.of(k), Normalizer.SOFTMAX, null);
            }
            default:
                throw new IllegalStateException("unhandled mask family " + spec.family());
        }
    }

    private static MaskInstance plain(MaskFamily family, String label, boolean causal, Normalizer normalizer) {
        return new MaskInstance(family, label, causal, null, null, null, null, normalizer, null);
    }

    /** Sets this mask on a request builder. */
    public AttentionRequest.Builder applyTo(AttentionRequest.Builder b) {
        b.causal(causal).normalizer(normalizer);
        if (window != null) {
            b.window(window);
        }
        if (blockMask != null) {
            b.blockMask(blockMask);
        }
        if (blockTopK != null) {
            b.topKBlocks(blockTopK);
        }
        if (tokenTopK != null) {
            b.topKTokens(tokenTopK);
        }
        return b;
    }

    /** The static part (causal, window, block mask) for a problem of these lengths. */
    public StaticMask staticMask(int seqQ, int seqK) {
        return new StaticMask(seqQ, seqK, causal, window, blockMask);
    }

    /** True when which pairs are allowed depends on the data (top-k selections). */
    public boolean isDynamic() {
        return blockTopK != null || tokenTopK != null;
    }

    /**
     * Document ends per batch: {@code docs} documents whose boundaries are distinct random tile boundaries, as
     * attention-gym's document masking draws random document lengths (here rounded to tiles, since the mask is a
     * block mask).
     */
    static int[][] documentEnds(int batch, int tiles, int docs, int blockSize, int seq, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] ends = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int[] boundaries = new int[tiles - 1];
            for (int t = 0; t < boundaries.length; t++) {
                boundaries[t] = t + 1;
            }
            shufflePrefix(boundaries, docs - 1, rnd);
            int[] cuts = Arrays.copyOf(boundaries, docs - 1);
            Arrays.sort(cuts);
            int[] e = new int[docs];
            for (int d = 0; d < docs - 1; d++) {
                e[d] = cuts[d] * blockSize;
            }
            e[docs - 1] = seq;
            ends[b] = e;
        }
        return ends;
    }

    /** Per query head, exactly {@code round(density * tiles)} (at least one) random tiles kept. */
    static BlockMask randomBlocks(int heads, int qTiles, int kTiles, int blockSize, double density, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int cells = qTiles * kTiles;
        int keep = (int) Math.max(1, Math.min(cells, Math.round(density * cells)));
        boolean[] values = new boolean[heads * cells];
        int[] order = new int[cells];
        for (int h = 0; h < heads; h++) {
            for (int c = 0; c < cells; c++) {
                order[c] = c;
            }
            shufflePrefix(order, keep, rnd);
            for (int c = 0; c < keep; c++) {
                values[h * cells + order[c]] = true;
            }
        }
        return BlockMask.of(values, new int[] {1, heads, qTiles, kTiles}, blockSize, blockSize);
    }

    /** Moves a uniform random sample of {@code n} elements to the front (partial Fisher-Yates). */
    private static void shufflePrefix(int[] a, int n, SplittableRandom rnd) {
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static String percent(double density) {
        double pct = density * 100;
        return (pct == Math.rint(pct) ? String.valueOf((long) pct) : String.valueOf(pct)) + "%";
    }


    @Override
    public String toString() {
        return label;
    }
}
