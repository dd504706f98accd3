package org.attn4j.model.encdec;

import java.util.Collections;
import java.util.List;

/**
 * Shape and training-time settings of an {@link EncDecModel}.
 *
 * @param vocabSize          tokens, shared by the encoder's first field, the decoder and the output head
 * @param inputFields        tokens per encoder position, their embeddings summed (2 for a table of key/value cells;
 *                           every field reads the shared embedding, fields after the first through a learned
 *                           {@code D x D} map)
 * @param encoderPositions   learned encoder positions (false: none, the input is a set, of any length)
 * @param encoderLength      encoder positions learned (the longest input when they are learned)
 * @param decoderLength      decoder positions learned (prompt plus reasoning)
 * @param dModel             hidden size
 * @param heads              attention heads of every attention
 * @param encoderLayers      encoder blocks (0: the encoder is the embedding and a layer norm)
 * @param decoderLayers      decoder blocks
 * @param mlpHidden          inner size of every MLP
 * @param dropout            dropout on the embeddings and every residual branch
 * @param initStd            standard deviation of the initial weights (residual projections scaled by
 *                           {@code 1 / sqrt(2 * blocks)}, as GPT-2)
 * @param encoderAttention   the encoder's self-attention, one per encoder block
 * @param decoderAttention   the decoder's self-attention, one per decoder block
 * @param crossAttention     the decoder's cross-attention, one per decoder block
 * @param featureMask        alpha of the CoT module's feature mask {@code M_t}: after each decoder block, each position
 *                           keeps the {@code 1 - alpha} fraction of its features of largest magnitude (0: off)
 * @param output             softmax or sparsemax output
 * @param maskSeed           seeds the static random block masks
 */
public record EncDecConfig(int vocabSize, int inputFields, boolean encoderPositions, int encoderLength,
                           int decoderLength, int dModel, int heads, int encoderLayers, int decoderLayers,
                           int mlpHidden, float dropout, double initStd, List<AttentionSpec> encoderAttention,
                           List<AttentionSpec> decoderAttention, List<AttentionSpec> crossAttention,
                           double featureMask, OutputLayer output, long maskSeed) {

    public EncDecConfig {
        positive("vocabSize", vocabSize);
        positive("inputFields", inputFields);
        positive("encoderLength", encoderLength);
        positive("decoderLength", decoderLength);
        positive("dModel", dModel);
        positive("heads", heads);
        positive("decoderLayers", decoderLayers);
        positive("mlpHidden", mlpHidden);
        if (encoderLayers < 0) {
            throw new IllegalArgumentException("encoderLayers: expected >= 0, got " + encoderLayers);
        }
        if (dModel % heads != 0) {
            throw new IllegalArgumentException("heads: expected a divisor of dModel (" + dModel + "), got " + heads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout: expected 0 <= p < 1, got " + dropout);
        }
        if (!(initStd > 0) || Double.isInfinite(initStd)) {
            throw new IllegalArgumentException("initStd: expected a finite number > 0, got " + initStd);
        }
        if (!(featureMask >= 0 && featureMask < 1)) {
            throw new IllegalArgumentException("featureMask: expected 0 <= alpha < 1, got " + featureMask);
        }
        if (output == null) {
            throw new IllegalArgumentException("output: expected softmax or sparsemax, got null");
        }
        encoderAttention = perLayer("encoderAttention", encoderAttention, encoderLayers);
        decoderAttention = perLayer("decoderAttention", decoderAttention, decoderLayers);
        crossAttention = perLayer("crossAttention", crossAttention, decoderLayers);
    }

    /** Dense softmax attention everywhere, no feature mask, softmax output, no dropout, GPT-2's initialisation. */
    public static EncDecConfig of(int vocabSize, int inputFields, boolean encoderPositions, int encoderLength,
                                  int decoderLength, int dModel, int heads, int encoderLayers, int decoderLayers) {
        return new EncDecConfig(vocabSize, inputFields, encoderPositions, encoderLength, decoderLength, dModel, heads,
                encoderLayers, decoderLayers, 4 * dModel, 0f, 0.02,
                Collections.nCopies(encoderLayers, AttentionSpec.dense()),
                Collections.nCopies(decoderLayers, AttentionSpec.dense()),
                Collections.nCopies(decoderLayers, AttentionSpec.dense()), 0, OutputLayer.SOFTMAX, 0);
    }

    public int headDim() {
        return dModel / heads;
    }

    /** The same attention in every layer of the given kind. */
    public EncDecConfig withAttention(AttentionKind kind, AttentionSpec spec) {
        int layers = kind == AttentionKind.ENCODER ? encoderLayers : decoderLayers;
        List<AttentionSpec> all = Collections.nCopies(layers, spec);
        return new EncDecConfig(vocabSize, inputFields, encoderPositions, encoderLength, decoderLength, dModel, heads,
                encoderLayers, decoderLayers, mlpHidden, dropout, initStd,
                kind == AttentionKind.ENCODER ? all : encoderAttention,
                kind == AttentionKind.DECODER ? all : decoderAttention,
                kind == AttentionKind.CROSS ? all : crossAttention, featureMask, output, maskSeed);
    }

    /** The same attention in every layer of every kind. */
    public EncDecConfig withAttention(AttentionSpec spec) {
        return withAttention(AttentionKind.ENCODER, spec).withAttention(AttentionKind.DECODER, spec)
                .withAttention(AttentionKind.CROSS, spec);
    }

    public EncDecConfig withMlpHidden(int hidden) {
        return new EncDecConfig(vocabSize, inputFields, encoderPositions, encoderLength, decoderLength, dModel, heads,
                encoderLayers, decoderLayers, hidden, dropout, initStd, encoderAttention, decoderAttention,
                crossAttention, featureMask, output, maskSeed);
    }

    public EncDecConfig withDropout(float p) {
        return new EncDecConfig(vocabSize, inputFields, encoderPositions, encoderLength, decoderLength, dModel, heads,
                encoderLayers, decoderLayers, mlpHidden, p, initStd, encoderAttention, decoderAttention,
                crossAttention, featureMask, output, maskSeed);
    }

    public EncDecConfig withFeatureMask(double alpha) {
        return new EncDecConfig(vocabSize, inputFields, encoderPositions, encoderLength, decoderLength, dModel, heads,
                encoderLayers, decoderLayers, mlpHidden, dropout, initStd, encoderAttention, decoderAttention,
                crossAttention, alpha, output, maskSeed);
    }

    public EncDecConfig withOutput(OutputLayer o) {
        return new EncDecConfig(vocabSize, inputFields, encoderPositions, encoderLength, decoderLength, dModel, heads,
                encoderLayers, decoderLayers, mlpHidden, dropout, initStd, encoderAttention, decoderAttention,
                crossAttention, featureMask, o, maskSeed);
    }

    public EncDecConfig withMaskSeed(long seed) {
        return new EncDecConfig(vocabSize, inputFields, encoderPositions, encoderLength, decoderLength, dModel, heads,
                encoderLayers, decoderLayers, mlpHidden, dropout, initStd, encoderAttention, decoderAttention,
                crossAttention, featureMask, output, seed);
    }

    /** Features a decoder position keeps under the feature mask. */
    public int keptFeatures() {
        return Math.max(1, (int) Math.round((1 - featureMask) * dModel));
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long d = dModel;
        long mlp = (d * mlpHidden + mlpHidden) + (mlpHidden * d + d);
        long selfAttention = (d * 3 * d + 3 * d) + (d * d + d);
        long crossAttention = (d * d + d) + (d * 2 * d + 2 * d) + (d * d + d);
        long encoderBlock = 4 * d + selfAttention + mlp;
        long decoderBlock = 6 * d + selfAttention + crossAttention + mlp;
        long embeddings = (long) vocabSize * d + (inputFields - 1) * d * d + (encoderPositions ? (long) encoderLength * d : 0)
                + (long) decoderLength * d;
        return embeddings + encoderLayers * encoderBlock + decoderLayers * decoderBlock + 4 * d;
    }

    private static List<AttentionSpec> perLayer(String field, List<AttentionSpec> specs, int layers) {
        if (specs == null || specs.size() != layers) {
            throw new IllegalArgumentException(field + ": expected one entry per layer (" + layers + "), got "
                    + (specs == null ? "null" : specs.size()));
        }
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i) == null) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected an attention, got null");
            }
        }
        return List.copyOf(specs);
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": expected >= 1, got " + value);
        }
    }
}
