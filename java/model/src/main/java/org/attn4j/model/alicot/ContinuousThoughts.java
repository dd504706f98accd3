package org.attn4j.model.alicot;

import java.util.Arrays;
import org.attn4j.model.gpt.GptModel;

/**
 * Training through continuous thoughts (Coconut's recipe): the input of latent row {@code P+j} is the final hidden
 * state of row {@code P-1+j}, so the {@code m} thoughts are computed by {@code m} sequential forward passes and the
 * loss is backpropagated through all of them.
 *
 * <p>Forward: pass {@code j} runs the whole sequence (rows after {@code P-1+j} hold stale inputs, which the causal
 * mask keeps out of every row that matters) and copies row {@code P-1+j}'s hidden state into row {@code P+j}'s input;
 * a last pass with every thought in place keeps its activations. Because the model is causal, that last pass computes
 * every row exactly as the pass that produced its thought did, so its activations serve every backward pass.
 *
 * <p>Backward: the loss's gradient seeds one backward pass; then, for {@code j = m-1} down to {@code 0}, the
 * gradient accumulated at latent row {@code P+j}'s input (complete by then: only rows at or after it feed it) seeds
 * another pass at row {@code P-1+j}'s hidden state. Parameter gradients add up over the {@code m + 1} passes.
 */
final class ContinuousThoughts {
    private ContinuousThoughts() {
    }

    /**
     * Fills the latent rows of {@code embeddings} ({@code tokens} holds {@link GptModel#INPUT_EMBEDDING} there) and
     * returns the logits of a last pass run in {@code finalMode}.
     */
    static float[] forward(GptModel model, int[] tokens, float[] embeddings, int batch, ReasoningLayout layout,
                           GptModel.Mode finalMode) {
        if (model.config().dropout() > 0) {
            // Each pass would draw other dropout masks, and the thoughts fed back would not be the ones the kept
            // activations computed.
            throw new IllegalArgumentException("dropout: continuous thoughts need dropout 0, got "
                    + model.config().dropout());
        }
        int d = model.config().dModel();
        int len = layout.length();
        for (int j = 0; j < layout.latents(); j++) {
            model.forward(tokens, embeddings, batch, len, GptModel.Mode.EVAL);
            float[] h = model.hiddenStates();
            for (int b = 0; b < batch; b++) {
                System.arraycopy(h, (b * len + layout.reasoningRow(j)) * d, embeddings, (b * len + layout.promptLength()
                        + j) * d, d);
            }
        }
        return model.forward(tokens, embeddings, batch, len, finalMode);
    }

    /** Backward of the last {@link #forward} (run in a training mode) given the loss's gradient on its logits. */
    static void backward(GptModel model, float[] dLogits, int batch, ReasoningLayout layout) {
        int d = model.config().dModel();
        int len = layout.length();
        int p = layout.promptLength();
        int m = layout.latents();
        // Accumulated input gradient of the latent rows only: [batch, m, d].
        float[] latentGrad = new float[batch * m * d];
        float[] seed = new float[batch * len * d];
        accumulate(model.backwardThroughInputs(dLogits, null), latentGrad, batch, len, p, m, d);
        for (int j = m - 1; j >= 0; j--) {
            int row = layout.reasoningRow(j);
            for (int b = 0; b < batch; b++) {
                System.arraycopy(latentGrad, (b * m + j) * d, seed, (b * len + row) * d, d);
            }
            float[] g = model.backwardThroughInputs(null, seed);
            if (j > 0) {
                accumulate(g, latentGrad, batch, len, p, j, d);
            }
            for (int b = 0; b < batch; b++) {
                Arrays.fill(seed, (b * len + row) * d, (b * len + row + 1) * d, 0f);
            }
        }
    }

    /** Adds the input gradient of latent rows {@code P .. P+count-1} to {@code latentGrad}. */
    private static void accumulate(float[] inputGrad, float[] latentGrad, int batch, int len, int p, int count,
                                   int d) {
        int m = latentGrad.length / (batch * d);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < count; j++) {
                int src = (b * len + p + j) * d;
                int dst = (b * m + j) * d;
                for (int c = 0; c < d; c++) {
                    latentGrad[dst + c] += inputGrad[src + c];
                }
            }
        }
    }
}
