package org.attn4j.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.junit.jupiter.api.Test;

/** The decode rule for kept keys, against the SPEC written out key by key, and on examples worked by hand. */
class DecodeSelectionTest {
    private static final int D = 4;

    /** One random decode setting; {@link #keptByDefinition} is the SPEC's text as code. */
    private static final class Setting {
        final Random rnd;
        final int length;
        final int queries;
        final int blockSize;
        final int left;
        final int global;
        final BlockMask mask;
        final int topK;
        final float[] q;
        final double[][] means;

        Setting(long seed) {
            rnd = new Random(seed);
            length = rnd.nextInt(70);
            queries = 1 + rnd.nextInt(4);
            blockSize = 1 + rnd.nextInt(9);
            left = rnd.nextBoolean() ? -1 : rnd.nextInt(12);
            global = left >= 0 && rnd.nextBoolean() ? rnd.nextInt(5) : 0;
            int bq = 1 + rnd.nextInt(6);
            int bk = 1 + rnd.nextInt(6);
            int cover = Math.max(1, length);
            boolean[] cells = new boolean[((cover + bq - 1) / bq) * ((cover + bk - 1) / bk)];
            for (int c = 0; c < cells.length; c++) {
                cells[c] = rnd.nextDouble() < 0.7;
            }
            mask = rnd.nextBoolean() ? null : BlockMask.of(cells, new int[] {(cover + bq - 1) / bq,
                    (cover + bk - 1) / bk}, bq, bk);
            topK = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(4);
            q = new float[queries * D];
            for (int c = 0; c < q.length; c++) {
                q[c] = (float) rnd.nextGaussian();
            }
            int blocks = (length + blockSize - 1) / blockSize;
            means = new double[blocks][D];
            for (double[] m : means) {
                for (int c = 0; c < D; c++) {
                    // Coarse values: ties between blocks happen, and the rule must break them by the lower block.
                    m[c] = rnd.nextInt(3) - 1;
                }
            }
        }

        boolean[] keptByDefinition(int i, double scale) {
            boolean[] kept = new boolean[length];
            int ip = length - queries + i;
            if (ip < 0) {
                return kept;
            }
            boolean[] usable = new boolean[length];
            boolean[] inWindow = new boolean[length];
            for (int j = 0; j < length; j++) {
                boolean maskOk = mask == null || mask.get(0, 0, ip / mask.blockQ(), j / mask.blockK());
                usable[j] = j <= ip && maskOk;
                inWindow[j] = left < 0 || j < global || ip < global || j >= ip - left;
            }
            if (topK == 0) {
                for (int j = 0; j < length; j++) {
                    kept[j] = usable[j] && inWindow[j];
                }
                return kept;
            }
            int own = ip / blockSize;
            int blocks = means.length;
            double[] score = new double[blocks];
            boolean[] candidate = new boolean[blocks];
            for (int j = 0; j < length; j++) {
                boolean forced = (left >= 0 && inWindow[j]) || j / blockSize == own;
                if (usable[j] && !forced) {
                    candidate[j / blockSize] = true;
                }
            }
            for (int kb = 0; kb < blocks; kb++) {
                double dot = 0;
                for (int c = 0; c < D; c++) {
                    dot += (double) q[i * D + c] * means[kb][c];
                }
                score[kb] = scale * dot;
            }
            boolean[] chosen = new boolean[blocks];
            for (int round = 0; round < topK; round++) {
                int best = -1;
                for (int kb = 0; kb < blocks; kb++) {
                    if (candidate[kb] && !chosen[kb] && (best < 0 || Double.compare(score[kb], score[best]) > 0)) {
                        best = kb;
                    }
                }
                if (best >= 0) {
                    chosen[best] = true;
                }
            }
            for (int j = 0; j < length; j++) {
                boolean forced = (left >= 0 && inWindow[j]) || j / blockSize == own;
                kept[j] = usable[j] && (forced || chosen[j / blockSize]);
            }
            return kept;
        }
    }

    @Property(tries = 400)
    void keepsExactlyWhatTheSpecSays(@ForAll long seed) {
        Setting s = new Setting(seed);
        try (HostKvCache cache = new HostKvCache(KvCacheConfig.builder(1, 1, D).blockSize(s.blockSize).build(), "t");
             Tensor q = Tensor.of(DType.FP32, s.q, 1, 1, s.queries, D)) {
            DecodeRequest.Builder b = DecodeRequest.builder(q, cache).scale(0.7);
            if (s.left >= 0) {
                b.window(s.left).globalTokens(s.global);
            }
            if (s.mask != null) {
                b.blockMask(s.mask);
            }
            if (s.topK > 0) {
                b.topKBlocks(s.topK);
            }
            DecodeSelection selection = DecodeSelection.of(b.build());
            KeptKeys kept = new KeptKeys();
            for (int i = 0; i < s.queries; i++) {
                selection.keptKeys(0, 0, i, s.length, s.q, transposed(s.means), kept);
                boolean[] want = s.keptByDefinition(i, 0.7);
                boolean[] got = new boolean[s.length];
                long n = 0;
                for (int t = 0; t < kept.count(); t++) {
                    for (int j = kept.start(t); j < kept.end(t); j++) {
                        got[j] = true;
                    }
                    n += kept.end(t) - kept.start(t);
                    if (t > 0) {
                        assertEquals(true, kept.start(t) > kept.end(t - 1), "intervals sorted and apart: " + kept);
                    }
                }
                assertEquals(Arrays.toString(want), Arrays.toString(got), "row " + i + " of seed " + seed);
                assertEquals(n, kept.keys());
            }
        }
    }

    /**
     * Per-group block top-k scored once per group ({@code chooseBlocks}, then {@code keptKeysChosen} per head) keeps
     * what {@code keptKeys} keeps for every head, with a block mask that differs between the group's heads.
     */
    @Property(tries = 300)
    void aGroupsSharedChoiceKeepsWhatEachHeadWould(@ForAll long seed) {
        Setting s = new Setting(seed);
        int heads = 4;
        int kvHeads = 2;
        Random rnd = new Random(seed ^ 0x5eed);
        float[] q = new float[heads * s.queries * D];
        for (int c = 0; c < q.length; c++) {
            q[c] = (float) rnd.nextGaussian();
        }
        int cover = Math.max(1, s.length);
        int bq = 1 + rnd.nextInt(4);
        int bk = 1 + rnd.nextInt(4);
        int rowsQ = (cover + bq - 1) / bq;
        int colsK = (cover + bk - 1) / bk;
        boolean[] cells = new boolean[heads * rowsQ * colsK];
        for (int c = 0; c < cells.length; c++) {
            cells[c] = rnd.nextDouble() < 0.6;
        }
        BlockMask mask = BlockMask.of(cells, new int[] {1, heads, rowsQ, colsK}, bq, bk);
        try (HostKvCache cache = new HostKvCache(KvCacheConfig.builder(1, kvHeads, D).blockSize(s.blockSize)
                .build(), "t");
             Tensor tq = Tensor.of(DType.FP32, q, 1, heads, s.queries, D)) {
            DecodeRequest.Builder b = DecodeRequest.builder(tq, cache).scale(0.7)
                    .topKBlocksPerGroup(1 + rnd.nextInt(4));
            if (s.left >= 0) {
                b.window(s.left).globalTokens(s.global);
            }
            if (rnd.nextBoolean()) {
                b.blockMask(mask);
            }
            DecodeSelection selection = DecodeSelection.of(b.build());
            assertEquals(true, selection.choosesPerGroup());
            double[][] meansT = transposed(s.means);
            KeptKeys choice = new KeptKeys();
            KeptKeys shared = new KeptKeys();
            KeptKeys alone = new KeptKeys();
            for (int kvh = 0; kvh < kvHeads; kvh++) {
                for (int i = 0; i < s.queries; i++) {
                    int chosen = selection.chooseBlocks(0, kvh * 2, i, s.length, q, meansT, choice);
                    for (int h = kvh * 2; h < kvh * 2 + 2; h++) {
                        selection.keptKeysChosen(0, h, i, s.length, choice, chosen, shared);
                        selection.keptKeys(0, h, i, s.length, q, meansT, alone);
                        assertEquals(alone.toString(), shared.toString(), "head " + h + " row " + i + " seed " + seed);
                        assertEquals(alone.keys(), shared.keys());
                    }
                }
            }
        }
    }

    @Test
    void blockTopKKeepsTheOwnBlockTheWindowAndTheBestOthersTiesToTheLowerBlock() {
        // 20 positions in blocks of 4 (the last, 16..19, is the query's own); block means give scores
        // 1, 3, 3, 0 for blocks 0..3 with q = (1, 0, 0, 0) and scale 1.
        double[][] means = {{1, 0, 0, 0}, {3, 0, 0, 0}, {3, 0, 0, 0}, {0, 0, 0, 0}, {9, 0, 0, 0}};
        float[] q = {1, 0, 0, 0};
        assertEquals("[4..8, 16..20]", kept(q, means, 20, b -> b.topKBlocks(1)));
        assertEquals("[4..12, 16..20]", kept(q, means, 20, b -> b.topKBlocks(2)));
        assertEquals("[0..12, 16..20]", kept(q, means, 20, b -> b.topKBlocks(3)));
        // The window (keys 14..19) is kept whole; block 3 (12..15) holds keys outside it and stays a candidate.
        assertEquals("[4..8, 14..20]", kept(q, means, 20, b -> b.topKBlocks(1).window(5)));
        // Global tokens 0..1 come with the window; block 0 still has keys 2, 3 to offer.
        assertEquals("[0..2, 4..8, 14..20]", kept(q, means, 20, b -> b.topKBlocks(1).window(5).globalTokens(2)));
        // Without block top-k the window restricts.
        assertEquals("[0..2, 14..20]", kept(q, means, 20, b -> b.window(5).globalTokens(2)));
        // Three new queries at 17, 18, 19: the first (i = 0) sits at 17 and keeps nothing after it.
        assertEquals("[4..8, 16..18]", kept(q, means, 20, 3, 0, b -> b.topKBlocks(1)));
        // A sequence shorter than the queries: the rows before it are empty.
        assertEquals("[]", kept(q, means, 2, 3, 0, b -> b));
        assertEquals("[0..1]", kept(q, means, 2, 3, 1, b -> b));
    }

    private static double[][] transposed(double[][] means) {
        double[][] t = new double[D][means.length];
        for (int kb = 0; kb < means.length; kb++) {
            for (int c = 0; c < D; c++) {
                t[c][kb] = means[kb][c];
            }
        }
        return t;
    }

    private static String kept(float[] q, double[][] means, int length,
                               java.util.function.UnaryOperator<DecodeRequest.Builder> masks) {
        return kept(q, means, length, 1, 0, masks);
    }

    private static String kept(float[] q, double[][] means, int length, int queries, int row,
                               java.util.function.UnaryOperator<DecodeRequest.Builder> masks) {
        float[] qs = new float[queries * D];
        System.arraycopy(q, 0, qs, row * D, D);
        try (HostKvCache cache = new HostKvCache(KvCacheConfig.builder(1, 1, D).blockSize(4).build(), "t");
             Tensor tq = Tensor.of(DType.FP32, qs, 1, 1, queries, D)) {
            DecodeSelection s = DecodeSelection.of(masks.apply(DecodeRequest.builder(tq, cache).scale(1)).build());
            KeptKeys kept = new KeptKeys();
            s.keptKeys(0, 0, row, length, qs, transposed(means), kept);
            return kept.toString();
        }
    }
}
