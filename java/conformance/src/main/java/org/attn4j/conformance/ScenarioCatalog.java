package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.attn4j.DType;
import org.attn4j.Normalizer;

/**
 * The forward and backward scenarios of the kit, by category. Sizes stay small (sequences up to 257, a few heads,
 * head dims around 16) so that the float64 reference keeps the whole kit to seconds; what matters is that every
 * mask, normalizer, alignment and partial tile is hit, not the size.
 *
 * <p>Scenarios are written with fp32 and head dim 16 wherever they are not about types or dims;
 * {@link ConformanceKit} moves them to the provider's main type and nearest supported head dim.
 */
final class ScenarioCatalog {
    private static final Normalizer[] NORMALIZERS = Normalizer.values();
    private static final Normalizer SOFTMAX = Normalizer.SOFTMAX;
    private static final Normalizer SPARSEMAX = Normalizer.SPARSEMAX;
    private static final Normalizer ENTMAX = Normalizer.ENTMAX15;

    private final List<Scenario> out = new ArrayList<>();
    private long nextSeed;

    private ScenarioCatalog(long firstSeed) {
        this.nextSeed = firstSeed;
    }

    /** A base scenario: B, Hq, Hkv, Nq, Nk, D = Dv = 16, softmax, no mask. */
    private static Scenario.Builder base(int b, int hq, int hkv, int nq, int nk) {
        return Scenario.builder().heads(b, hq, hkv).lengths(nq, nk).dims(16, 16);
    }

    private void add(Scenario.Builder b) {
        out.add(b.seed(nextSeed++).build());
    }

    /** Dense attention: named shapes (MHA, GQA, MQA, Nq != Nk, Dv != D, scales, dims) and seeded random ones. */
    static List<Scenario> shapes() {
        ScenarioCatalog c = new ScenarioCatalog(1_000);
        c.add(base(2, 4, 4, 64, 64));
        c.add(base(2, 6, 2, 50, 50).dims(32, 32));
        c.add(base(1, 8, 1, 40, 40));
        c.add(base(1, 4, 2, 23, 90));
        c.add(base(1, 4, 2, 90, 23));
        c.add(base(1, 2, 2, 33, 33).dims(32, 8));
        c.add(base(1, 2, 1, 33, 45).dims(8, 40));
        c.add(base(1, 4, 2, 48, 48).scale(0.3));
        c.add(base(1, 2, 2, 48, 48).scale(2.0));
        c.add(base(1, 2, 1, 48, 48).dims(64, 64));
        c.add(base(1, 2, 2, 33, 33).dims(128, 128));
        Random rnd = new Random(20240531L);
        for (int n = 0; n < 12; n++) {
            int hkv = 1 + rnd.nextInt(3);
            int hq = hkv * (1 + rnd.nextInt(4));
            int d = new int[] {8, 16, 32, 64}[rnd.nextInt(4)];
            int dv = rnd.nextInt(10) < 7 ? d : new int[] {4, 24, 48}[rnd.nextInt(3)];
            c.add(base(1 + rnd.nextInt(2), hq, hkv, 1 + rnd.nextInt(130), 1 + rnd.nextInt(130)).dims(d, dv)
                    .normalizer(NORMALIZERS[n % 3]));
        }
        return c.out;
    }

    /** Every mask alone and in combination, with every normalizer, on a square and two lopsided shapes. */
    static List<Scenario> masks() {
        List<UnaryOperator<Scenario.Builder>> configs = List.of(
                b -> b.causal(true),
                b -> b.window(16, 0, 0),
                b -> b.window(8, 8, 0),
                b -> b.window(12, 4, 5),
                b -> b.causal(true).window(20, 0, 3),
                b -> b.blockMask(BlockPattern.GRID, 16, 16),
                b -> b.blockMask(BlockPattern.PER_HEAD, 32, 8),
                b -> b.blockMask(BlockPattern.PER_HEAD_BROADCAST_BATCH, 8, 32),
                b -> b.topKBlocks(3, 16, 16),
                b -> b.topKTokens(10),
                b -> b.causal(true).blockMask(BlockPattern.GRID, 16, 16),
                b -> b.causal(true).topKBlocks(2, 32, 16),
                b -> b.window(24, 8, 0).topKTokens(6),
                b -> b.blockMask(BlockPattern.GRID, 16, 16).topKBlocks(2, 16, 32),
                b -> b.topKBlocks(3, 16, 16).topKTokens(12),
                b -> b.causal(true).window(40, 0, 4).blockMask(BlockPattern.PER_HEAD, 16, 16).topKBlocks(3, 16, 16)
                        .topKTokens(8));
        List<Scenario.Builder> shapes = List.of(base(2, 4, 2, 100, 100), base(1, 2, 1, 37, 100),
                base(1, 2, 2, 100, 37));
        ScenarioCatalog c = new ScenarioCatalog(2_000);
        for (UnaryOperator<Scenario.Builder> config : configs) {
            for (Normalizer n : NORMALIZERS) {
                for (Scenario.Builder shape : shapes) {
                    c.add(config.apply(shape.build().toBuilder()).normalizer(n));
                }
            }
        }
        return c.out;
    }

    /** One query (Nq = 1) against 1, 7, 100 and 257 keys. */
    static List<Scenario> decode() {
        ScenarioCatalog c = new ScenarioCatalog(3_000);
        for (int nk : new int[] {1, 7, 100, 257}) {
            for (Normalizer n : NORMALIZERS) {
                c.add(base(2, 4, 1, 1, nk).normalizer(n));
            }
            c.add(base(2, 4, 1, 1, nk).causal(true));
            c.add(base(1, 4, 2, 1, nk).window(32, 0, 2));
            c.add(base(1, 4, 2, 1, nk).causal(true).topKTokens(5));
            c.add(base(1, 4, 2, 1, nk).topKBlocks(2, 1, 16).normalizer(SPARSEMAX));
            c.add(base(1, 4, 4, 1, nk).blockMask(BlockPattern.PER_HEAD, 1, 16).normalizer(ENTMAX));
        }
        return c.out;
    }

    /** Masks that leave rows with no allowed key, under every normalizer (softmax with LSE). */
    static List<Scenario> fullyMasked() {
        List<Scenario.Builder> configs = List.of(
                base(1, 2, 1, 50, 20).causal(true),
                base(1, 2, 2, 40, 10).causal(true).window(2, 0, 0),
                base(2, 2, 2, 30, 30).blockMask(BlockPattern.EMPTY_QUERY_TILE, 8, 8),
                base(1, 2, 2, 20, 20).blockMask(BlockPattern.NONE, 16, 16),
                base(1, 2, 2, 30, 30).window(1, 1, 0).blockMask(BlockPattern.EMPTY_QUERY_TILE, 8, 8),
                base(1, 4, 2, 1, 20).blockMask(BlockPattern.NONE, 1, 8),
                base(1, 2, 2, 60, 24).causal(true).topKBlocks(1, 16, 8).topKTokens(3));
        ScenarioCatalog c = new ScenarioCatalog(4_000);
        for (Scenario.Builder config : configs) {
            for (Normalizer n : NORMALIZERS) {
                c.add(config.build().toBuilder().normalizer(n).lse(n == SOFTMAX));
            }
        }
        return c.out;
    }

    /** Lengths 1, 7, 100, 257, square and lopsided, and odd head dims. */
    static List<Scenario> oddSizes() {
        ScenarioCatalog c = new ScenarioCatalog(5_000);
        int[] sizes = {1, 7, 100, 257};
        for (int n : sizes) {
            c.add(base(1, 2, 1, n, n));
            c.add(base(1, 2, 1, n, n).causal(true));
            c.add(base(1, 2, 1, n, n).causal(true).normalizer(ENTMAX));
        }
        for (int nq : sizes) {
            for (int nk : sizes) {
                if (nq != nk && (nq == 257 || nk == 257 || nq * nk == 700)) {
                    c.add(base(1, 2, 1, nq, nk).causal(nq > nk));
                }
            }
        }
        c.add(base(1, 2, 1, 7, 7).dims(1, 1));
        c.add(base(1, 2, 1, 100, 100).dims(7, 3).causal(true));
        c.add(base(1, 3, 1, 257, 100).dims(24, 24).window(7, 7, 1).normalizer(SPARSEMAX));
        return c.out;
    }

    /** Each type on a few configurations, and output types other than the input's. */
    static List<Scenario> dtypes() {
        ScenarioCatalog c = new ScenarioCatalog(6_000);
        for (DType t : DType.values()) {
            c.add(base(2, 4, 2, 64, 64).dtype(t));
            c.add(base(1, 2, 2, 64, 64).dtype(t).causal(true));
            c.add(base(1, 2, 1, 64, 64).dtype(t).window(8, 2, 2));
            c.add(base(1, 2, 2, 64, 64).dtype(t).blockMask(BlockPattern.GRID, 16, 16));
            c.add(base(1, 2, 2, 64, 64).dtype(t).topKTokens(8));
            c.add(base(1, 2, 2, 64, 64).dtype(t).topKBlocks(2, 16, 16));
            c.add(base(1, 2, 2, 64, 64).dtype(t).causal(true).normalizer(SPARSEMAX));
            c.add(base(1, 2, 2, 64, 64).dtype(t).window(16, 0, 0).normalizer(ENTMAX));
            c.add(base(1, 2, 2, 50, 30).dtype(t).causal(true).lse(true));
            for (DType out : DType.values()) {
                if (out != t) {
                    c.add(base(1, 2, 2, 40, 40).dtype(t).outputDType(out).causal(true));
                }
            }
        }
        return c.out;
    }

    /** LSE, probabilities, and caller-provided O and LSE (filled with NaN first). */
    static List<Scenario> outputs() {
        ScenarioCatalog c = new ScenarioCatalog(7_000);
        c.add(base(2, 4, 2, 64, 64).lse(true));
        c.add(base(1, 2, 2, 50, 20).causal(true).lse(true));
        c.add(base(1, 2, 1, 64, 64).window(6, 2, 3).lse(true));
        c.add(base(1, 2, 2, 64, 64).topKTokens(7).lse(true));
        c.add(base(1, 4, 2, 40, 40).probabilities(true));
        c.add(base(1, 2, 2, 40, 56).causal(true).blockMask(BlockPattern.GRID, 8, 8).probabilities(true));
        c.add(base(1, 2, 2, 40, 40).window(5, 5, 0).normalizer(SPARSEMAX).probabilities(true));
        c.add(base(1, 2, 2, 40, 40).topKTokens(9).normalizer(ENTMAX).probabilities(true));
        c.add(base(1, 2, 2, 30, 12).causal(true).probabilities(true));
        c.add(base(1, 4, 2, 64, 64).callerOutput(true));
        c.add(base(1, 2, 2, 50, 20).causal(true).callerOutput(true));
        c.add(base(1, 2, 2, 48, 48).blockMask(BlockPattern.EMPTY_QUERY_TILE, 16, 16).normalizer(SPARSEMAX)
                .callerOutput(true));
        c.add(base(1, 2, 2, 50, 20).causal(true).callerLse(true));
        c.add(base(1, 2, 2, 50, 20).causal(true).callerOutput(true).callerLse(true));
        c.add(base(1, 2, 2, 50, 20).causal(true).lse(true).probabilities(true).callerOutput(true));
        return c.out;
    }

    /** dQ, dK, dV: every mask and normalizer, MHA/GQA/MQA, empty rows, decode, and each type. */
    static List<Scenario> backward() {
        ScenarioCatalog c = new ScenarioCatalog(8_000);
        List<Scenario.Builder> all = List.of(
                base(2, 2, 2, 48, 48),
                base(1, 4, 2, 48, 48),
                base(1, 4, 1, 48, 48),
                base(1, 2, 2, 48, 48).causal(true),
                base(1, 2, 2, 40, 24).causal(true),
                base(1, 2, 2, 24, 40).causal(true),
                base(1, 2, 2, 48, 48).window(8, 4, 2),
                base(1, 2, 2, 48, 48).blockMask(BlockPattern.GRID, 16, 16),
                base(1, 2, 2, 40, 40).blockMask(BlockPattern.PER_HEAD, 8, 16),
                base(1, 2, 2, 48, 48).topKBlocks(2, 16, 16),
                base(1, 2, 2, 48, 48).topKTokens(6),
                base(1, 4, 2, 1, 100).causal(true),
                base(1, 2, 2, 32, 32).dims(16, 8),
                base(1, 2, 2, 32, 32).scale(0.5),
                // A peaked softmax (|scale| >= 1.5 with D = 64): dS = p (dP - delta) nearly cancels, so the gradient is
                // about 1e-5 of its terms; a float32 provider is held to the terms' scale (GradientScale).
                base(1, 1, 1, 3, 3).dims(64, 64).causal(true).scale(2.0));
        for (Scenario.Builder b : all) {
            c.add(b.build().toBuilder());
        }
        List<Scenario.Builder> sparse = List.of(
                base(1, 4, 2, 48, 48),
                base(1, 2, 2, 48, 48).causal(true),
                base(1, 2, 2, 40, 24).causal(true),
                base(1, 2, 2, 48, 48).window(8, 4, 2),
                base(1, 2, 2, 48, 48).blockMask(BlockPattern.GRID, 16, 16),
                base(1, 2, 2, 48, 48).topKTokens(6));
        for (Normalizer n : new Normalizer[] {SPARSEMAX, ENTMAX}) {
            for (Scenario.Builder b : sparse) {
                c.add(b.build().toBuilder().normalizer(n));
            }
        }
        for (DType t : new DType[] {DType.FP16, DType.BF16}) {
            c.add(base(1, 4, 2, 48, 48).dtype(t));
            c.add(base(1, 2, 2, 48, 48).dtype(t).causal(true));
            c.add(base(1, 2, 2, 48, 48).dtype(t).window(8, 4, 2));
            c.add(base(1, 2, 2, 48, 48).dtype(t).causal(true).normalizer(SPARSEMAX));
            c.add(base(1, 2, 2, 48, 48).dtype(t).topKTokens(6).normalizer(ENTMAX));
        }
        return c.out;
    }
}
