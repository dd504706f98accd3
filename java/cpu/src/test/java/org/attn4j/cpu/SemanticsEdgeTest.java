package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC edge rules on {@code cpu} against the reference: block sizes near {@code Integer.MAX_VALUE}, token top-k's
 * float64 score when the float scale underflows or rounds, and local windows when Nq > Nk.
 */
class SemanticsEdgeTest {
    private static final int MAX = Integer.MAX_VALUE;

    private static Tensor random(long seed, int... shape) {
        return Fixtures.randomTensor(new Random(seed), DType.FP32, 1, shape);
    }

    @Test
    void blockTopKWithHugeBlocks() {
        try (Tensor q = random(1, 1, 2, 19, 8); Tensor k = random(2, 1, 2, 19, 8); Tensor v = random(3, 1, 2, 19, 8)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).topKBlocks(1, MAX, MAX).causal().build();
            Comparison.forward(r, "topKBlocks(1, MAX, MAX)");
            try (Tensor dO = random(4, 1, 2, 19, 8)) {
                Comparison.backward(r, dO, "topKBlocks(1, MAX, MAX)");
            }
            AttentionRequest split = AttentionRequest.builder(q, k, v).topKBlocks(1, 3, MAX - 1).build();
            Comparison.forward(split, "topKBlocks(1, 3, MAX - 1)");
        }
    }

    @Test
    void blockMaskWithHugeBlocks() {
        try (Tensor q = random(5, 1, 1, 19, 8); Tensor k = random(6, 1, 1, 19, 8); Tensor v = random(7, 1, 1, 19, 8)) {
            BlockMask mask = BlockMask.of(new boolean[][] {{true}}, MAX, MAX);
            Comparison.forward(AttentionRequest.builder(q, k, v).blockMask(mask).build(), "blockMask MAX x MAX");
            BlockMask tall = BlockMask.of(new boolean[][] {{true}, {false}}, 10, MAX - 7);
            Comparison.forward(AttentionRequest.builder(q, k, v).blockMask(tall).returnLse(true).build(),
                    "blockMask 10 x (MAX - 7)");
        }
    }

    /**
     * The scale rounds to 0 in float (1e-300), is 0 (all scores +-0.0), or rounds (1/3): token top-k must still keep
     * the keys the float64 score ranks first, as the reference does.
     */
    @ParameterizedTest
    @ValueSource(doubles = {1e-300, 1e-44, 0.0, -0.0, 1.0 / 3, -7.3})
    void tokenTopKRanksByTheFloat64Score(double scale) {
        for (Normalizer normalizer : Normalizer.values()) {
            try (Tensor q = random(8, 1, 2, 33, 16); Tensor k = random(9, 1, 1, 70, 16);
                 Tensor v = random(10, 1, 1, 70, 16); Tensor dO = random(11, 1, 2, 33, 16)) {
                AttentionRequest r = AttentionRequest.builder(q, k, v).scale(scale).topKTokens(5).causal()
                        .normalizer(normalizer).returnLse(normalizer == Normalizer.SOFTMAX).build();
                String what = "scale " + scale + " " + normalizer;
                Comparison.forward(r, what);
                Comparison.backward(r, dO, what);
            }
        }
    }

    /** FlashAttention's local attention with Nq > Nk: rows before the first key have an empty window. */
    @Test
    void windowRowsBeforeTheFirstKeyAreEmpty() {
        try (Tensor q = random(12, 1, 1, 5, 4); Tensor k = random(13, 1, 1, 1, 4); Tensor v = random(14, 1, 1, 1, 4)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).window(0, 0).returnLse(true).build();
            Comparison.forward(r, "Nq=5 Nk=1 window(0,0)");
            try (AttentionResult res = Fixtures.CPU.forward(r)) {
                float[] lse = res.lse().get().toFloatArray();
                float[] o = res.output().toFloatArray();
                for (int i = 0; i < 4; i++) {
                    assertEquals(Float.NEGATIVE_INFINITY, lse[i], "row " + i);
                    assertEquals(0f, o[i * 4], "row " + i);
                }
                assertEquals(v.toFloatArray()[0], o[16], 1e-6f);
                assertEquals(1, res.allowedPairs().getAsLong());
            }
        }
    }
}
