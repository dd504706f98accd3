package org.attn4j.model.nn;

/**
 * The language-model head tied to the token embedding: {@code logits[r, v] = h[r, :] . E[v, :]} for an embedding
 * {@code E [vocab, d]}, and its backward pass. Shared by the GPT and the encoder-decoder.
 */
public final class TiedHead {
    private TiedHead() {
    }

    /** {@code logits [rows, vocab]} from {@code h [rows, d]}. */
    public static void forward(Parallel par, Parameter embedding, int d, int vocab, float[] h, int rows,
                               float[] logits) {
        final float[] w = embedding.value();
        par.forRange(rows, Math.max(1, 16384 / Math.max(1, vocab * d)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int ho = r * d;
                for (int v = 0; v < vocab; v++) {
                    int wo = v * d;
                    float acc = 0;
                    for (int c = 0; c < d; c++) {
                        acc += h[ho + c] * w[wo + c];
                    }
                    logits[r * vocab + v] = acc;
                }
            }
        });
    }

    /** Adds {@code dLogits . E} to {@code dh [rows, d]} and {@code dLogits^T . h} to the embedding's gradient. */
    public static void backward(Parameter embedding, int d, int vocab, float[] h, float[] dLogits, int rows,
                                float[] dh) {
        float[] w = embedding.value();
        float[] dw = embedding.grad();
        for (int r = 0; r < rows; r++) {
            int ho = r * d;
            for (int v = 0; v < vocab; v++) {
                float gl = dLogits[r * vocab + v];
                if (gl == 0f) {
                    continue;
                }
                int wo = v * d;
                for (int c = 0; c < d; c++) {
                    dh[ho + c] += gl * w[wo + c];
                    dw[wo + c] += gl * h[ho + c];
                }
            }
        }
    }
}
