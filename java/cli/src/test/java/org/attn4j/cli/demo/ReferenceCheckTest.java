package org.attn4j.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.reference.ReferenceProvider;
import org.junit.jupiter.api.Test;

class ReferenceCheckTest {
    private final ReferenceProvider reference = new ReferenceProvider();

    /**
     * The slice is an exact sub-problem: the reference on the slice reproduces the reference on the whole request bit
     * for bit, whatever the masks, as long as the slice starts on a tile.
     */
    @Test
    void theSliceIsAnExactSubProblem() {
        for (long seed = 0; seed < 120; seed++) {
            try (SparseRequests s = new SparseRequests(seed)) {
                AttentionRequest r = s.request.toBuilder().outputDType(DType.FP32).build();
                try (AttentionResult full = reference.forward(r)) {
                    ReferenceCheck check = ReferenceCheck.lastRows(r.queryHeads(), r.queryLength(), 9,
                            tileHeights(r));
                    assertEquals(0.0, check.relativeError(r, full.output()), "seed " + seed + ": " + r.describe());
                }
            }
        }
    }

    @Test
    void aWrongOutputIsCaught() {
        try (SparseRequests s = new SparseRequests(3);
             AttentionResult full = reference.forward(s.request.toBuilder().outputDType(DType.FP32).build())) {
            AttentionRequest r = s.request;
            ReferenceCheck check = ReferenceCheck.lastRows(r.queryHeads(), r.queryLength(), 9, tileHeights(r));
            float[] o = full.output().toFloatArray();
            // Disturb the last row of the last head, which every check covers.
            int lastHead = r.queryHeads() - 1;
            int at = (int) full.output().flatIndex(0, lastHead, r.queryLength() - 1, 0);
            o[at] += 0.5f;
            try (Tensor wrong = Tensor.of(o, full.output().shape())) {
                double err = check.relativeError(r, wrong);
                assertTrue(err > 1e-3, "error " + err);
            }
        }
    }

    @Test
    void describesTheSliceAndTheTolerances() {
        ReferenceCheck check = ReferenceCheck.lastRows(4, 1024, 256, 64);
        assertEquals("query rows 768..1023 of heads 0 and 3 (batch 0)", check.describe(1024));
        assertEquals("query rows 0..99 of head 0 (batch 0)", ReferenceCheck.lastRows(1, 100, 256, 64).describe(100));
        // The slice starts on a multiple of every tile height: lcm(6, 4) = 12.
        assertEquals("query rows 84..99 of heads 0 and 1 (batch 0)",
                ReferenceCheck.lastRows(2, 100, 10, 6, 4).describe(100));
        assertEquals(1e-5, ReferenceCheck.tolerance(DType.FP32, false));
        assertEquals(1e-4, ReferenceCheck.tolerance(DType.FP32, true));
        assertEquals(1e-2, ReferenceCheck.tolerance(DType.BF16, false));
    }

    private static int[] tileHeights(AttentionRequest r) {
        return new int[] {r.blockMask().map(m -> m.blockQ()).orElse(1), r.blockTopK().map(t -> t.blockQ()).orElse(1)};
    }
}
