package org.attn4j.model.encdec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.attn4j.model.nn.LayerNorm;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.attn4j.model.nn.TiedHead;

/**
 * The sparse-attention reasoning model of seed 000: an encoder-decoder transformer whose three attentions (the
 * encoder's, the decoder's causal one, and cross-attention from the decoder to the encoder) run on the attn4j providers
 * with any mask and normaliser per layer, a CoT module that sparsifies the decoder's reasoning state after every step
 * ({@link FeatureMask}), and a softmax or sparsemax output layer.
 *
 * <pre>
 *   encoder:  e = E[input_0] + sum_f E[input_f] M_f (+ P_enc)  ->  blocks: e + attn(ln(e)), e + mlp(ln(e))  ->  ln  = memory
 *   decoder:  x = E[token] + P_dec  ->  blocks: x + self(ln(x)), x + cross(ln(x), memory), x + mlp(ln(x)), x * M_t
 *             ->  ln  ->  logits = x E^T      (the head is tied to the shared token embedding E = E_0)
 * </pre>
 *
 * Use: {@link #forward} a batch (returns the logits of every decoder position), then {@link #backward} the gradient of
 * the loss with respect to those logits; gradients accumulate in {@link #parameters()}. Not thread-safe.
 */
public final class EncDecModel implements AutoCloseable {
    /** What a forward pass keeps. */
    public enum Mode {
        /** Dropout on, everything kept for {@link #backward}. */
        TRAIN,
        /** Dropout off, everything kept for {@link #backward} (gradient checks). */
        TRAIN_NO_DROPOUT,
        /** Dropout off, nothing kept. */
        EVAL,
        /** Like {@link #EVAL}, and every attention's probabilities fetched. */
        EVAL_WITH_ATTENTION
    }

    private final EncDecConfig config;
    private final Parallel par;
    private final Parameter shared;
    private final Parameter[] fieldMaps;
    private final Parameter encoderPositions;
    private final Parameter decoderPositions;
    private final List<EncoderBlock> encoder;
    private final LayerNorm encoderNorm;
    private final List<DecoderBlock> decoder;
    private final LayerNorm decoderNorm;
    private final List<Parameter> parameters;
    private final SplittableRandom dropoutRandom;
    // The last forward pass, for backward.
    private Pass lastPass;
    private int[] lastInput;
    private int[] lastTokens;
    private int batch;
    private int inputLength;
    private int length;
    private float[] embedded = new float[0];
    private float[] embedMask = new float[0];
    private boolean embedDropped;
    private float[] memoryIn = new float[0];
    private float[] memoryStats = new float[0];
    private float[] memory = new float[0];
    private float[] decoded = new float[0];
    private float[] decodedMask = new float[0];
    private boolean decodedDropped;
    private float[] finalStats = new float[0];
    private float[] finalOut = new float[0];
    private float[] logits = new float[0];

    /** A model with GPT-2's initialisation drawn from {@code seed}. */
    public EncDecModel(EncDecConfig config, long seed, Parallel par) {
        this.config = config;
        this.par = par;
        int d = config.dModel();
        shared = Parameter.weight("shared.weight", config.vocabSize(), d);
        fieldMaps = new Parameter[config.inputFields() - 1];
        for (int f = 1; f < config.inputFields(); f++) {
            fieldMaps[f - 1] = Parameter.weight("encoder.field" + f + ".weight", d, d);
        }
        encoderPositions = config.encoderPositions()
                ? Parameter.weight("encoder.embed_positions.weight", config.encoderLength(), d) : null;
        decoderPositions = Parameter.weight("decoder.embed_positions.weight", config.decoderLength(), d);
        List<EncoderBlock> enc = new ArrayList<>();
        for (int l = 0; l < config.encoderLayers(); l++) {
            enc.add(new EncoderBlock("encoder.h." + l, config, config.encoderAttention().get(l),
                    config.maskSeed() * 1000 + l));
        }
        encoder = List.copyOf(enc);
        encoderNorm = new LayerNorm("encoder.ln_f", d, 1e-5f);
        List<DecoderBlock> dec = new ArrayList<>();
        for (int l = 0; l < config.decoderLayers(); l++) {
            dec.add(new DecoderBlock("decoder.h." + l, config, config.decoderAttention().get(l),
                    config.crossAttention().get(l), config.maskSeed() * 1000 + 500 + 2L * l));
        }
        decoder = List.copyOf(dec);
        decoderNorm = new LayerNorm("decoder.ln_f", d, 1e-5f);
        List<Parameter> ps = new ArrayList<>();
        ps.add(shared);
        ps.addAll(List.of(fieldMaps));
        if (encoderPositions != null) {
            ps.add(encoderPositions);
        }
        ps.add(decoderPositions);
        for (EncoderBlock b : encoder) {
            ps.addAll(b.parameters());
        }
        ps.addAll(encoderNorm.parameters());
        for (DecoderBlock b : decoder) {
            ps.addAll(b.parameters());
        }
        ps.addAll(decoderNorm.parameters());
        parameters = List.copyOf(ps);
        SplittableRandom init = new SplittableRandom(seed);
        dropoutRandom = init.split();
        double std = config.initStd();
        double projStd = std / Math.sqrt(2.0 * (config.encoderLayers() + config.decoderLayers()));
        shared.normal(init, std);
        for (Parameter p : fieldMaps) {
            // keeps a mapped embedding as large as the token's own
            p.normal(init, 1 / Math.sqrt(d));
        }
        if (encoderPositions != null) {
            encoderPositions.normal(init, std);
        }
        decoderPositions.normal(init, std);
        for (EncoderBlock b : encoder) {
            b.init(init, std, projStd);
        }
        encoderNorm.reset();
        for (DecoderBlock b : decoder) {
            b.init(init, std, projStd);
        }
        decoderNorm.reset();
    }

    public EncDecConfig config() {
        return config;
    }

    public Parallel parallel() {
        return par;
    }

    /** Every parameter, in checkpoint order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    public void zeroGrad() {
        for (Parameter p : parameters) {
            p.zeroGrad();
        }
    }

    /**
     * Runs {@code batch} problems: inputs of {@code inputLength} positions ({@code input[(b * N + n) * F + f]}) and
     * decoder tokens of {@code length} ({@code tokens[b * T + t]}).
     *
     * @param override attention used in place of the trained one (null: as trained)
     * @param pairs    where the attended pairs are counted (null: not counted)
     * @return the logits {@code [batch * length, vocab]} (valid until the next forward)
     */
    public float[] forward(int[] input, int[] tokens, int batch, int inputLength, int length, Mode mode,
                           DecodeAttention override, PairCounts pairs) {
        checkInput(input, tokens, batch, inputLength, length);
        boolean train = mode == Mode.TRAIN || mode == Mode.TRAIN_NO_DROPOUT;
        float p = mode == Mode.TRAIN ? config.dropout() : 0f;
        Pass pass = new Pass(train, p, dropoutRandom, mode == Mode.EVAL_WITH_ATTENTION, par, length, override,
                pairs);
        this.batch = batch;
        this.inputLength = inputLength;
        this.length = length;
        this.lastInput = input.clone();
        this.lastTokens = tokens.clone();
        float[] m = encode(input, batch, inputLength, pass);
        int d = config.dModel();
        int rows = batch * length;
        decoded = Buffers.fit(decoded, rows * d);
        decodedMask = Buffers.fit(decodedMask, rows * d);
        embedDecoder(tokens, batch, length, 0, decoded);
        decodedDropped = pass.dropout(decoded, decodedMask, rows * d);
        float[] x = decoded;
        for (DecoderBlock b : decoder) {
            x = b.forward(x, m, batch, length, inputLength, pass);
        }
        finalStats = Buffers.fit(finalStats, 2 * rows);
        finalOut = Buffers.fit(finalOut, rows * d);
        decoderNorm.forward(x, rows, finalOut, finalStats, par);
        logits = Buffers.fit(logits, rows * config.vocabSize());
        head(finalOut, rows, logits);
        lastPass = train ? pass : null;
        return logits;
    }

    /** The encoder: embeddings, blocks, final layer norm; returns the memory {@code [B*N, D]}. */
    float[] encode(int[] input, int batch, int inputLength, Pass pass) {
        // whatever a training pass kept is overwritten from here on (generation calls this directly)
        lastPass = null;
        int d = config.dModel();
        int rows = batch * inputLength;
        embedded = Buffers.fit(embedded, rows * d);
        embedMask = Buffers.fit(embedMask, rows * d);
        embedInput(input, batch, inputLength, embedded);
        embedDropped = pass.dropout(embedded, embedMask, rows * d);
        float[] x = embedded;
        for (EncoderBlock b : encoder) {
            x = b.forward(x, batch, inputLength, pass);
        }
        memoryIn = x;
        memoryStats = Buffers.fit(memoryStats, 2 * rows);
        memory = Buffers.fit(memory, rows * d);
        encoderNorm.forward(x, rows, memory, memoryStats, par);
        return memory;
    }

    /**
     * Backward pass of the last forward (run in a training mode): accumulates every parameter's gradient given
     * {@code dLogits [rows, vocab]}.
     */
    public void backward(float[] dLogits) {
        Pass pass = lastPass;
        if (pass == null) {
            throw new IllegalStateException("backward: the last forward pass was not run in a training mode");
        }
        lastPass = null;
        int d = config.dModel();
        int rows = batch * length;
        if (dLogits.length < rows * config.vocabSize()) {
            throw new IllegalArgumentException("dLogits: expected " + rows * config.vocabSize() + " values, got "
                    + dLogits.length);
        }
        float[] dFinal = new float[rows * d];
        headBackward(finalOut, dLogits, rows, dFinal);
        float[] g = new float[rows * d];
        float[] lastDecoded = decoder.get(decoder.size() - 1).lastOutput();
        decoderNorm.backward(lastDecoded, finalStats, dFinal, rows, g, par);
        float[] dMemory = new float[batch * inputLength * d];
        for (int l = decoder.size() - 1; l >= 0; l--) {
            g = decoder.get(l).backward(g, dMemory, pass);
        }
        if (decodedDropped) {
            Residual.mask(g, decodedMask, rows * d);
        }
        float[] tokenGrad = shared.grad();
        float[] posGrad = decoderPositions.grad();
        for (int r = 0; r < rows; r++) {
            int tok = lastTokens[r];
            int pos = r % length;
            for (int c = 0; c < d; c++) {
                tokenGrad[tok * d + c] += g[r * d + c];
                posGrad[pos * d + c] += g[r * d + c];
            }
        }
        // encoder
        int memoryRows = batch * inputLength;
        float[] e = new float[memoryRows * d];
        encoderNorm.backward(memoryIn, memoryStats, dMemory, memoryRows, e, par);
        for (int l = encoder.size() - 1; l >= 0; l--) {
            e = encoder.get(l).backward(e, pass);
        }
        if (embedDropped) {
            Residual.mask(e, embedMask, memoryRows * d);
        }
        embedInputBackward(e, memoryRows);
    }

    /** Gradients of the encoder's embedding: the shared table, the field maps, the positions. */
    private void embedInputBackward(float[] e, int rows) {
        int d = config.dModel();
        int fields = config.inputFields();
        float[] te = shared.value();
        float[] tg = shared.grad();
        for (int r = 0; r < rows; r++) {
            int go = r * d;
            int tok = lastInput[r * fields];
            for (int c = 0; c < d; c++) {
                tg[tok * d + c] += e[go + c];
            }
            for (int f = 1; f < fields; f++) {
                // row = E[tok] M_f: dM_f += E[tok]^T e_r, dE[tok] += e_r M_f^T
                float[] m = fieldMaps[f - 1].value();
                float[] mg = fieldMaps[f - 1].grad();
                int t = lastInput[r * fields + f] * d;
                for (int i = 0; i < d; i++) {
                    float ei = te[t + i];
                    double acc = 0;
                    for (int c = 0; c < d; c++) {
                        mg[i * d + c] += ei * e[go + c];
                        acc += m[i * d + c] * e[go + c];
                    }
                    tg[t + i] += (float) acc;
                }
            }
            if (encoderPositions != null) {
                float[] pg = encoderPositions.grad();
                int pos = r % inputLength;
                for (int c = 0; c < d; c++) {
                    pg[pos * d + c] += e[go + c];
                }
            }
        }
    }

    /**
     * {@code E[input_0] + sum_{f >= 1} E[input_f] M_f + P_enc[n]} for every encoder position: every field reads the
     * shared token embedding, later fields through their own learned map, so that a symbol is the same token as a
     * key, as a value and in the decoder.
     */
    void embedInput(int[] input, int batch, int inputLength, float[] out) {
        int d = config.dModel();
        int fields = config.inputFields();
        int rows = batch * inputLength;
        java.util.Arrays.fill(out, 0, rows * d, 0f);
        float[] pe = encoderPositions == null ? null : encoderPositions.value();
        float[] te = shared.value();
        for (int r = 0; r < rows; r++) {
            int tok = input[r * fields];
            for (int c = 0; c < d; c++) {
                out[r * d + c] += te[tok * d + c];
            }
            for (int f = 1; f < fields; f++) {
                float[] m = fieldMaps[f - 1].value();
                int t = input[r * fields + f] * d;
                for (int i = 0; i < d; i++) {
                    float ei = te[t + i];
                    for (int c = 0; c < d; c++) {
                        out[r * d + c] += ei * m[i * d + c];
                    }
                }
            }
            if (pe != null) {
                int pos = r % inputLength;
                for (int c = 0; c < d; c++) {
                    out[r * d + c] += pe[pos * d + c];
                }
            }
        }
    }

    /** {@code E[token] + P_dec[first + t]} for decoder tokens {@code [batch, length]}. */
    void embedDecoder(int[] tokens, int batch, int length, int first, float[] out) {
        int d = config.dModel();
        float[] te = shared.value();
        float[] pe = decoderPositions.value();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int r = b * length + t;
                int tok = tokens[r];
                int pos = first + t;
                for (int c = 0; c < d; c++) {
                    out[r * d + c] = te[tok * d + c] + pe[pos * d + c];
                }
            }
        }
    }

    /** {@code logits[r, v] = h[r, :] . E[v, :]}. */
    void head(float[] h, int rows, float[] out) {
        TiedHead.forward(par, shared, config.dModel(), config.vocabSize(), h, rows, out);
    }

    private void headBackward(float[] h, float[] dLogits, int rows, float[] dh) {
        TiedHead.backward(shared, config.dModel(), config.vocabSize(), h, dLogits, rows, dh);
    }

    /** The checks of {@link #forward} on a generation's input and prompts. */
    void forwardChecks(int[] input, int[] prompts, int batch, int inputLength, int promptLength) {
        checkInput(input, prompts, batch, inputLength, promptLength);
    }

    private void checkInput(int[] input, int[] tokens, int batch, int inputLength, int length) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch: expected >= 1, got " + batch);
        }
        if (inputLength < 1 || (config.encoderPositions() && inputLength > config.encoderLength())) {
            throw new IllegalArgumentException("inputLength: expected 1.."
                    + (config.encoderPositions() ? config.encoderLength() + " (the learned encoder positions)"
                    : Integer.MAX_VALUE) + ", got " + inputLength);
        }
        if (length < 1 || length > config.decoderLength()) {
            throw new IllegalArgumentException("length: expected 1.." + config.decoderLength()
                    + " (the learned decoder positions), got " + length);
        }
        long inputs = (long) batch * inputLength * config.inputFields();
        if (input == null || input.length != inputs) {
            throw new IllegalArgumentException("input: expected batch x inputLength x fields = " + inputs
                    + " tokens, got " + (input == null ? "null" : input.length));
        }
        if (tokens == null || tokens.length != (long) batch * length) {
            throw new IllegalArgumentException("tokens: expected batch x length = " + (long) batch * length
                    + " tokens, got " + (tokens == null ? "null" : tokens.length));
        }
        checkVocabulary("input", input);
        checkVocabulary("tokens", tokens);
    }

    private void checkVocabulary(String field, int[] t) {
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= config.vocabSize()) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected 0.." + (config.vocabSize() - 1)
                        + ", got " + t[i]);
            }
        }
    }

    List<EncoderBlock> encoderBlocks() {
        return encoder;
    }

    List<DecoderBlock> decoderBlocks() {
        return decoder;
    }

    LayerNorm decoderNorm() {
        return decoderNorm;
    }

    /** The provider that ran the first decoder block's cross-attention in the last pass (null before any). */
    public String attentionProvider() {
        return decoder.get(0).crossAttention.provider();
    }

    /** Attention probabilities of the last {@link Mode#EVAL_WITH_ATTENTION} pass: {@code [B, H, Nq, Nk]}. */
    public float[] attentionProbabilities(AttentionKind kind, int layer) {
        float[] p = kind == AttentionKind.ENCODER ? encoder.get(layer).attention.probabilities()
                : kind == AttentionKind.DECODER ? decoder.get(layer).selfAttention.probabilities()
                : decoder.get(layer).crossAttention.probabilities();
        if (p == null) {
            throw new IllegalStateException("attentionProbabilities: run forward in EVAL_WITH_ATTENTION mode first");
        }
        return p;
    }

    /** Frees the provider-side tensors. */
    @Override
    public void close() {
        for (EncoderBlock b : encoder) {
            b.close();
        }
        for (DecoderBlock b : decoder) {
            b.close();
        }
    }
}
