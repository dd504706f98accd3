package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * FlashAttention's own test grid, as a conformance category: its (Nq, Nk) pairs (decode, Nq > Nk down to a single
 * key, odd lengths, 1023 against 1024), its head dims 32 to 256 (59 and 111 included), MHA, GQA and MQA, causal and
 * local (sliding-window) attention, softmax with LSE. Only the sizes come from FlashAttention's tests.
 *
 * <p>Head dims are used as they are, not moved to the nearest the provider declares: a provider that does not
 * declare a shape (cuda: head dims 64 and 128) has those cases skipped with its reason.
 *
 * <p>The full product (22 pairs x 12 dims x 3 head layouts x 4 masks, forward and backward) takes the float64
 * reference hours; by default the kit runs a seeded sample of it (about 30 forward and 20 backward cases, seconds
 * on the CPU): every pair with a local window (the case that exposed rows with {@code i' < 0} taken for global
 * tokens), and pairs up to 256 x 256 also with one of no mask, causal, causal + local in turn; head dims and layouts
 * cycle so that each appears; a case costing more than {@link #CASE_BUDGET} multiply-adds takes smaller dims, then a
 * single head; the two largest pairs are left out. Backward runs on the sampled cases of at most
 * {@link #BACKWARD_BUDGET}. {@code -Dattn4j.conformance.flashGrid=full} runs the full product (for a GPU machine or a
 * long run).
 */
final class FlashAttentionGrid {
    /** The system property that selects the full product. */
    static final String FULL_PROPERTY = "attn4j.conformance.flashGrid";
    /** FlashAttention's (seqlen_q, seqlen_k) pairs. */
    static final int[][] LENGTHS = {{1, 1}, {1, 147}, {64, 128}, {128, 192}, {256, 256}, {239, 1}, {799, 3},
            {3, 799}, {113, 203}, {113, 128}, {128, 217}, {113, 211}, {108, 256}, {256, 512}, {384, 256}, {640, 128},
            {512, 256}, {1024, 1024}, {1023, 1024}, {1024, 1023}, {4096, 4096}, {4224, 4224}};
    /** FlashAttention's head dims. */
    static final int[] HEAD_DIMS = {32, 40, 59, 64, 80, 96, 111, 128, 160, 192, 224, 256};
    /** (Hq, Hkv) of MHA, GQA and MQA. */
    static final int[][] HEADS = {{2, 2}, {4, 2}, {2, 1}};
    /** Largest {@code Hq Nq Nk (D + Dv)} of one sampled forward case. */
    static final long CASE_BUDGET = 50_000_000L;
    /** Pairs of at most this many (query, key) positions get a second sampled mask. */
    private static final long SECOND_MASK_PAIRS = 256 * 256;
    /** Largest {@code Hq Nq Nk (D + Dv)} of a sampled case that also runs backward. */
    static final long BACKWARD_BUDGET = 15_000_000L;
    private static final long SEED = 20_240_611L;
    private static final int SAMPLED_PAIRS = LENGTHS.length - 2;

    private enum Mask {
        NONE, CAUSAL, LOCAL, CAUSAL_LOCAL
    }

    private final List<Scenario> forward = new ArrayList<>();
    private final List<Scenario> backward = new ArrayList<>();
    private long nextSeed = 9_000;

    private FlashAttentionGrid() {
    }

    /** The grid's cases: {@code [0]} forward, {@code [1]} backward; the sample unless the full product is asked. */
    static List<List<Scenario>> cases() {
        FlashAttentionGrid g = new FlashAttentionGrid();
        if ("full".equals(System.getProperty(FULL_PROPERTY))) {
            g.full();
        } else {
            g.sample();
        }
        return List.of(g.forward, g.backward);
    }

    private void full() {
        for (int[] n : LENGTHS) {
            for (int d : HEAD_DIMS) {
                for (int[] heads : HEADS) {
                    for (Mask m : Mask.values()) {
                        Scenario s = scenario(n, d, heads, m, new Random(nextSeed));
                        forward.add(s);
                        backward.add(s);
                    }
                }
            }
        }
    }

    private void sample() {
        Random rnd = new Random(SEED);
        int[] dims = HEAD_DIMS.clone();
        shuffle(dims, rnd);
        Mask[] others = {Mask.NONE, Mask.CAUSAL, Mask.CAUSAL_LOCAL};
        int at = 0;
        for (int p = 0; p < SAMPLED_PAIRS; p++) {
            int[] n = LENGTHS[p];
            Mask[] masks = (long) n[0] * n[1] <= SECOND_MASK_PAIRS ? new Mask[] {Mask.LOCAL, others[p % others.length]}
                    : new Mask[] {Mask.LOCAL};
            for (Mask m : masks) {
                int[] heads = HEADS[at % HEADS.length];
                int d = fitting(dims, at, n, heads);
                if (cost(n, d, heads) > CASE_BUDGET) {
                    heads = new int[] {1, 1};
                }
                at++;
                Scenario s = scenario(n, d, heads, m, rnd);
                forward.add(s);
                if (cost(n, d, heads) <= BACKWARD_BUDGET) {
                    backward.add(s);
                }
            }
        }
    }

    /** The dim the cycle gives at {@code at}, or the largest smaller one whose case fits {@link #CASE_BUDGET}. */
    private static int fitting(int[] dims, int at, int[] n, int[] heads) {
        int d = dims[at % dims.length];
        for (int i = HEAD_DIMS.length - 1; i >= 0 && cost(n, d, heads) > CASE_BUDGET; i--) {
            if (HEAD_DIMS[i] < d) {
                d = HEAD_DIMS[i];
            }
        }
        return d;
    }

    private static long cost(int[] n, int d, int[] heads) {
        return (long) heads[0] * n[0] * n[1] * 2 * d;
    }

    private Scenario scenario(int[] n, int d, int[] heads, Mask m, Random rnd) {
        Scenario.Builder b = Scenario.builder().heads(1, heads[0], heads[1]).lengths(n[0], n[1]).dims(d, d)
                .lse(true).causal(m == Mask.CAUSAL || m == Mask.CAUSAL_LOCAL);
        if (m == Mask.LOCAL || m == Mask.CAUSAL_LOCAL) {
            // As FlashAttention draws it: left and right each uniform in [0, Nk).
            b.window(rnd.nextInt(n[1]), rnd.nextInt(n[1]), 0);
        }
        return b.seed(nextSeed++).build();
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
