package org.attn4j.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attn4j.AttentionResult;
import org.attn4j.reference.ReferenceProvider;
import org.junit.jupiter.api.Test;

class PairCounterTest {
    private final ReferenceProvider reference = new ReferenceProvider();

    @Test
    void countsWhatTheReferenceAttends() {
        for (long seed = 0; seed < 150; seed++) {
            try (SparseRequests s = new SparseRequests(seed);
                 AttentionResult result = reference.forward(s.request)) {
                assertEquals(result.allowedPairs().orElseThrow(), PairCounter.count(s.request),
                        "seed " + seed + ": " + s.request.describe());
            }
        }
    }

    @Test
    void denseAndCausalCountsByFormula() {
        try (org.attn4j.Tensor x = org.attn4j.Tensor.allocate(org.attn4j.DType.FP32, 2, 3, 10, 4)) {
            assertEquals(2L * 3 * 10 * 10, PairCounter.count(org.attn4j.AttentionRequest.builder(x, x, x).build()));
            assertEquals(2L * 3 * 55, PairCounter.count(org.attn4j.AttentionRequest.builder(x, x, x).causal()
                    .build()));
        }
    }

    @Test
    void flopsFollowTheSpec() {
        // Dense, non-causal, D = Dv: 4 B Hq Nq Nk D.
        assertEquals(4.0 * 1 * 8 * 4096 * 4096 * 64, FlopCount.forward(64, 64, 1L * 8 * 4096 * 4096));
        assertEquals(2.0, FlopCount.gigaflopsPerSecond(4e9, 2));
    }
}
