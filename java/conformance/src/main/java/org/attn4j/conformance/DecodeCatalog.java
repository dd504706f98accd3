package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.attn4j.DType;
import org.attn4j.Normalizer;

/**
 * The decode scenarios: shapes (MHA, GQA, MQA, several queries per sequence, sequences shorter than the queries,
 * empty ones), every decode mask alone and combined with every normalizer, a long context (so that providers split
 * the keys), growth from a tiny capacity, other types and the output options. Sizes stay small, as in
 * {@link ScenarioCatalog}, so that the float64 reference keeps the category to seconds.
 */
final class DecodeCatalog {
    private final List<DecodeScenario> out = new ArrayList<>();
    private long nextSeed = 90_000;

    private void add(DecodeScenario.Builder b) {
        out.add(b.seed(nextSeed++).build());
    }

    static List<DecodeScenario> all() {
        DecodeCatalog c = new DecodeCatalog();
        // Shapes: MHA, GQA, MQA; several new queries; a sequence empty, one shorter than the queries.
        c.add(DecodeScenario.builder(2, 1, 40, 17));
        c.add(DecodeScenario.builder(2, 3, 33, 0, 9).dims(16, 8));
        c.add(DecodeScenario.builder(1, 4, 50).dims(8, 24));
        c.add(DecodeScenario.builder(2, 2, 30, 1, 12).queries(3));
        c.add(DecodeScenario.builder(1, 2, 5).queries(4).steps(1));
        c.add(DecodeScenario.builder(1, 2, 64).dims(33, 33).scale(0.3));
        // Every mask alone and combined, with every normalizer.
        List<UnaryOperator<DecodeScenario.Builder>> masks = List.of(
                b -> b.window(6, 0),
                b -> b.window(7, 3),
                b -> b.blockMask(BlockPattern.GRID, 4, 8),
                b -> b.blockMask(BlockPattern.PER_HEAD, 8, 4),
                b -> b.topKBlocks(1),
                b -> b.topKBlocks(2).window(9, 0),
                b -> b.topKBlocks(2).blockMask(BlockPattern.PER_HEAD_BROADCAST_BATCH, 4, 12),
                b -> b.topKBlocks(3).window(5, 2).blockMask(BlockPattern.GRID, 8, 4),
                b -> b.topKTokens(5),
                b -> b.topKTokens(4).window(10, 1),
                b -> b.topKTokens(3).topKBlocks(2),
                b -> b.topKBlocksPerGroup(2),
                b -> b.topKBlocksPerGroup(1).window(6, 1).blockMask(BlockPattern.PER_HEAD, 4, 8));
        for (UnaryOperator<DecodeScenario.Builder> m : masks) {
            for (Normalizer n : Normalizer.values()) {
                c.add(m.apply(DecodeScenario.builder(2, 2, 45, 26).queries(2).normalizer(n)));
            }
        }
        // Block top-k keeping everything it may, and rows whose block mask keeps nothing.
        c.add(DecodeScenario.builder(1, 2, 20).topKBlocks(50));
        c.add(DecodeScenario.builder(1, 1, 24).blockMask(BlockPattern.NONE, 4, 4).lse(true));
        // A long context, so that keys are split across threads; blocks of the default size.
        c.add(DecodeScenario.builder(1, 4, 2500).blockSize(64).steps(1).lse(true));
        c.add(DecodeScenario.builder(1, 2, 2300).blockSize(64).steps(1).topKBlocks(4).window(300, 4));
        c.add(DecodeScenario.builder(1, 2, 2200).blockSize(64).steps(1).normalizer(Normalizer.SPARSEMAX));
        c.add(DecodeScenario.builder(1, 2, 2100).blockSize(64).steps(1).topKTokens(16));
        // Capacity: growth from one position; a fixed capacity that holds exactly what comes.
        c.add(DecodeScenario.builder(2, 1, 9, 2).capacity(1, false).steps(4));
        c.add(DecodeScenario.builder(1, 1, 10).capacity(12, true).steps(2));
        // Types and outputs.
        c.add(DecodeScenario.builder(2, 2, 30, 11).dtype(DType.FP16).topKBlocks(2));
        c.add(DecodeScenario.builder(2, 2, 30, 11).dtype(DType.BF16).window(8, 1));
        c.add(DecodeScenario.builder(1, 2, 25).lse(true).callerOutput(true));
        c.add(DecodeScenario.builder(1, 2, 25).outputDType(DType.FP16));
        return c.out;
    }
}
