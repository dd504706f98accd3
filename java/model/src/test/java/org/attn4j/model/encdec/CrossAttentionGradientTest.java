package org.attn4j.model.encdec;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.attn4j.Normalizer;
import org.attn4j.model.nn.GradCheck;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cross-attention layer alone, three decoder rows over seven encoder positions ({@code Nq != Nk}): finite
 * differences against the gradients of its decoder input, of the encoder output it reads, and of its weights.
 */
class CrossAttentionGradientTest {
    private static final int BATCH = 2;
    private static final int ROWS = 3;
    private static final int MEMORY = 7;
    private static final int D = 8;

    @ParameterizedTest
    @ValueSource(strings = {"softmax dense", "entmax15 dense", "softmax blocktopk:2,2", "softmax window:1,1",
        "sparsemax tokentopk:3"})
    void inputsMemoryAndWeights(String setting) {
        String[] parts = setting.split(" ");
        AttentionSpec spec = new AttentionSpec(Normalizer.parse(parts[0]), Sparsity.parse(parts[1]));
        long seed = setting.hashCode();
        try (CrossAttention layer = new CrossAttention("cross", spec, D, 2, 3)) {
            SplittableRandom r = new SplittableRandom(seed);
            layer.init(r, 0.5, 0.5);
            float[] x = GradCheck.gaussian(BATCH * ROWS * D, 1, seed + 1);
            float[] memory = GradCheck.gaussian(BATCH * MEMORY * D, 1, seed + 2);
            float[] weights = GradCheck.gaussian(BATCH * ROWS * D, 1, seed + 3);
            float[] out = new float[BATCH * ROWS * D];
            Pass train = new Pass(true, 0f, null, false, Parallel.serial(), ROWS, null, null);
            Pass eval = new Pass(false, 0f, null, false, Parallel.serial(), ROWS, null, null);
            for (Parameter p : layer.parameters()) {
                p.zeroGrad();
            }
            layer.forward(x, memory, BATCH, ROWS, MEMORY, out, train);
            double scale = 0;
            for (int i = 0; i < out.length; i++) {
                scale += Math.abs(out[i] * weights[i]);
            }
            float[] dx = new float[x.length];
            float[] dMemory = new float[memory.length];
            layer.backward(weights, dx, dMemory, train);
            DoubleSupplier loss = () -> {
                float[] o = new float[BATCH * ROWS * D];
                layer.forward(x, memory, BATCH, ROWS, MEMORY, o, eval);
                return GradCheck.dot(o, weights, o.length);
            };
            PiecewiseGradCheck.check(setting + " x", x, dx, loss, scale, 3, 2e-2, seed);
            PiecewiseGradCheck.check(setting + " memory", memory, dMemory, loss, scale, 3, 2e-2, seed + 1);
            for (Parameter p : layer.parameters()) {
                PiecewiseGradCheck.check(setting + " " + p.name(), p.value(), p.grad(), loss, scale, 2, 2e-2,
                        seed + p.size());
            }
        }
    }
}
