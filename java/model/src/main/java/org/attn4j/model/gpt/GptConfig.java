package org.attn4j.model.gpt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.attn4j.model.nn.Precision;

/**
 * Shape and training-time settings of a {@link GptModel}; its JSON form (see
 * {@link org.attn4j.model.io.ConfigJson}) uses Hugging Face's GPT-2 keys so the checkpoint also loads there.
 *
 * @param vocabSize     tokens (2 for parity)
 * @param contextLength learned positions (the longest sequence)
 * @param dModel        hidden size
 * @param layers        decoder blocks
 * @param heads         attention heads per block ({@code dModel % heads == 0})
 * @param mlpHidden     inner size of the MLP (GPT-2: {@code 4 * dModel})
 * @param layerNormEps  epsilon of every layer norm (GPT-2: 1e-5)
 * @param dropout       dropout on the embeddings and on both residual branches (0 to disable)
 * @param tieEmbeddings whether the LM head reuses the token embedding (GPT-2: yes)
 * @param initStd       standard deviation of the initial weights (GPT-2: 0.02)
 * @param attention     one entry per layer
 * @param attentionDropout dropout on the attention weights during training (GPT-2's {@code attn_pdrop}; 0 to
 *                      disable). Softmax layers only: the dropped weights are applied outside the provider
 * @param precision     the number format of training and inference ({@link Precision#BF16} is emulated by
 *                      rounding)
 */
public record GptConfig(int vocabSize, int contextLength, int dModel, int layers, int heads, int mlpHidden,
                        float layerNormEps, float dropout, boolean tieEmbeddings, double initStd,
                        List<LayerAttention> attention, float attentionDropout, Precision precision) {

    /** Without attention dropout, in float32. */
    public GptConfig(int vocabSize, int contextLength, int dModel, int layers, int heads, int mlpHidden,
                     float layerNormEps, float dropout, boolean tieEmbeddings, double initStd,
                     List<LayerAttention> attention) {
        this(vocabSize, contextLength, dModel, layers, heads, mlpHidden, layerNormEps, dropout, tieEmbeddings,
                initStd, attention, 0f, Precision.FP32);
    }

    public GptConfig {
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        positive("dModel", dModel);
        positive("layers", layers);
        positive("heads", heads);
        positive("mlpHidden", mlpHidden);
        if (dModel % heads != 0) {
            throw new IllegalArgumentException("heads: expected a divisor of dModel (" + dModel + "), got " + heads);
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layerNormEps: expected > 0, got " + layerNormEps);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout: expected 0 <= p < 1, got " + dropout);
        }
        if (!(initStd > 0) || Double.isInfinite(initStd)) {
            throw new IllegalArgumentException("initStd: expected a finite number > 0, got " + initStd);
        }
        Objects.requireNonNull(attention, "attention");
        if (attention.size() != layers) {
            throw new IllegalArgumentException("attention: expected one entry per layer (" + layers + "), got "
                    + attention.size());
        }
        for (int i = 0; i < attention.size(); i++) {
            Objects.requireNonNull(attention.get(i), "attention[" + i + "]");
            if (attention.get(i).blockTopK() != null) {
                // The SPEC scores a tile by the mean of all its query rows and key rows, later tokens included, so a
                // causal layer trained with it would see the future. Generation may use it (GenerationOptions): a
                // new token's tiles hold only itself and the keys before it.
                throw new IllegalArgumentException("attention[" + i + "].blockTopK: a GPT layer is causal and block"
                        + " top-k tile scores average over later tokens too; use token top-k, or block top-k at"
                        + " generation time (GenerationOptions.topKBlocks)");
            }
        }
        attention = Collections.unmodifiableList(new ArrayList<>(attention));
        if (!(attentionDropout >= 0 && attentionDropout < 1)) {
            throw new IllegalArgumentException("attentionDropout: expected 0 <= p < 1, got " + attentionDropout);
        }
        if (attentionDropout > 0) {
            for (int i = 0; i < attention.size(); i++) {
                if (attention.get(i).normalizer() != org.attn4j.Normalizer.SOFTMAX) {
                    // The dropped weights' backward pass is computed here, with softmax's Jacobian.
                    throw new IllegalArgumentException("attentionDropout: softmax layers only, layer " + i + " is "
                            + attention.get(i).normalizer().label());
                }
            }
        }
        Objects.requireNonNull(precision, "precision");
    }

    /** GPT-2 defaults (MLP 4x, eps 1e-5, tied head, init 0.02), no dropout, dense causal softmax everywhere. */
    public static GptConfig of(int vocabSize, int contextLength, int dModel, int layers, int heads) {
        return new GptConfig(vocabSize, contextLength, dModel, layers, heads, 4 * dModel, 1e-5f, 0f, true, 0.02,
                Collections.nCopies(layers, LayerAttention.dense()));
    }

    public int headDim() {
        return dModel / heads;
    }

    /** The same attention in every layer. */
    public GptConfig withAttention(LayerAttention all) {
        return new GptConfig(vocabSize, contextLength, dModel, layers, heads, mlpHidden, layerNormEps, dropout,
                tieEmbeddings, initStd, Collections.nCopies(layers, all), attentionDropout, precision);
    }

    public GptConfig withAttention(List<LayerAttention> perLayer) {
        return new GptConfig(vocabSize, contextLength, dModel, layers, heads, mlpHidden, layerNormEps, dropout,
                tieEmbeddings, initStd, perLayer, attentionDropout, precision);
    }

    public GptConfig withDropout(float p) {
        return new GptConfig(vocabSize, contextLength, dModel, layers, heads, mlpHidden, layerNormEps, p,
                tieEmbeddings, initStd, attention, attentionDropout, precision);
    }

    public GptConfig withMlpHidden(int hidden) {
        return new GptConfig(vocabSize, contextLength, dModel, layers, heads, hidden, layerNormEps, dropout,
                tieEmbeddings, initStd, attention, attentionDropout, precision);
    }

    public GptConfig withAttentionDropout(float p) {
        return new GptConfig(vocabSize, contextLength, dModel, layers, heads, mlpHidden, layerNormEps, dropout,
                tieEmbeddings, initStd, attention, p, precision);
    }

    public GptConfig withPrecision(Precision p) {
        return new GptConfig(vocabSize, contextLength, dModel, layers, heads, mlpHidden, layerNormEps, dropout,
                tieEmbeddings, initStd, attention, attentionDropout, p);
    }

    public GptConfig withTiedEmbeddings(boolean tied) {
        return new GptConfig(vocabSize, contextLength, dModel, layers, heads, mlpHidden, layerNormEps, dropout,
                tied, initStd, attention, attentionDropout, precision);
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long d = dModel;
        long perLayer = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * mlpHidden + mlpHidden) + (mlpHidden * d + d);
        long head = tieEmbeddings ? 0 : (long) vocabSize * d;
        return (long) vocabSize * d + (long) contextLength * d + layers * perLayer + 2 * d + head;
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": expected >= 1, got " + value);
        }
    }
}
