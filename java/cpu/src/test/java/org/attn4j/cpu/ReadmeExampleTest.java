package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;

/** The README's "API in ten lines", as written there (with a shorter sequence), on the automatically chosen provider. */
class ReadmeExampleTest {

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    @Test
    void theReadmeExampleRunsOnTheCpuProvider() {
        int n = 512;
        Random rnd = new Random(1);
        float[] qData = random(rnd, 8 * n * 64);
        float[] kData = random(rnd, 2 * n * 64);
        float[] vData = random(rnd, 2 * n * 64);
        try (Tensor q = Tensor.of(DType.FP32, qData, 1, 8, n, 64);
             Tensor k = Tensor.of(DType.FP32, kData, 1, 2, n, 64);
             Tensor v = Tensor.of(DType.FP32, vData, 1, 2, n, 64)) {
            AttentionRequest request = AttentionRequest.builder(q, k, v)
                    .causal().window(512, 0).globalTokens(4)
                    .topKTokens(64)
                    .normalizer(Normalizer.SPARSEMAX).build();
            try (AttentionResult r = Attention.forward(request)) {
                float[] o = r.output().toFloatArray();
                assertEquals(8 * n * 64, o.length);
                assertEquals(CpuProvider.NAME, r.provider());
                // Every query keeps at most 64 keys: P <= 8 heads x n x 64.
                assertTrue(r.allowedPairs().getAsLong() <= 8L * n * 64);
                try (Tensor dO = Tensor.of(DType.FP32, random(rnd, o.length), 1, 8, n, 64);
                     AttentionGradients g = Attention.backward(request, r, dO)) {
                    assertEquals(CpuProvider.NAME, g.provider());
                    assertEquals(2 * n * 64, g.dk().size());
                }
            }
        }
    }
}
