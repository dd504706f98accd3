package org.attn4j.model.gpt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.attn4j.model.nn.Bf16;
import org.attn4j.model.nn.Dropout;
import org.attn4j.model.nn.Gelu;
import org.attn4j.model.nn.LayerNorm;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.nn.Parameter;
import org.attn4j.model.nn.TiedHead;
import org.attn4j.model.nn.Precision;

/**
 * A GPT-2 style decoder: token and learned position embeddings, pre-LayerNorm blocks whose attention runs on the
 * attn4j providers, GELU MLPs, a final layer norm and an LM head (tied to the token embedding by default).
 *
 * <p>Use: {@link #forward} a batch of equal-length sequences (returns the logits), then {@link #backward} the gradient
 * of the loss with respect to those logits; the weight gradients accumulate in {@link #parameters()}. Parameter names
 * follow Hugging Face's {@code GPT2LMHeadModel}. Not thread-safe: one forward/backward at a time; the dense layers
 * use the model's {@link Parallel} pool internally.
 *
 * <p>In {@link Precision#BF16} the weights are rounded to bf16 at initialisation (and by the optimiser after every
 * step), every activation a PyTorch bf16 model would store (embeddings, layer-norm outputs, projections, the
 * attention output, GELU, residual sums, logits) is rounded to bf16 after the float32 operation that made it, and so
 * are the gradients flowing back between layers and the weight gradients. The attention scores and probabilities
 * inside the provider stay float32 (the provider works in float32); with attention dropout the dropped weights are
 * rounded too.
 */
public final class GptModel implements AutoCloseable {
    /** What a forward pass keeps. */
    public enum Mode {
        /** Dropout on, everything kept for {@link #backward}. */
        TRAIN,
        /** Dropout off, nothing kept for a backward pass. */
        EVAL,
        /** Like {@link #EVAL}, and the attention probabilities of every layer are fetched. */
        EVAL_WITH_ATTENTION,
        /** Dropout off but everything kept for {@link #backward} (gradient checks). */
        TRAIN_NO_DROPOUT
    }

    /**
     * The token of a row whose input embedding the caller gives instead ({@link #forward(int[], float[], int, int,
     * Mode)}): a continuous thought, the hidden state of an earlier position fed back as an input.
     */
    public static final int INPUT_EMBEDDING = -1;

    private static final int MAX_CACHED_SHAPES = 3;

    private final GptConfig config;
    private final Parallel par;
    private final Parameter wte;
    private final Parameter wpe;
    private final List<Block> blocks;
    private final LayerNorm lnf;
    private final Parameter lmHead;
    private final List<Parameter> parameters;
    private final SplittableRandom dropoutRandom;
    private final Map<Long, Activations> cache = new LinkedHashMap<>(8, 0.75f, true);
    private Activations last;

    /** A model with GPT-2's initialisation drawn from {@code seed}. */
    public GptModel(GptConfig config, long seed, Parallel par) {
        this.config = config;
        this.par = par;
        int d = config.dModel();
        this.wte = Parameter.weight("transformer.wte.weight", config.vocabSize(), d);
        this.wpe = Parameter.weight("transformer.wpe.weight", config.contextLength(), d);
        List<Block> bs = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            bs.add(new Block("transformer.h." + l, config, config.attention().get(l)));
        }
        this.blocks = List.copyOf(bs);
        this.lnf = new LayerNorm("transformer.ln_f", d, config.layerNormEps());
        this.lmHead = config.tieEmbeddings() ? null : Parameter.weight("lm_head.weight", config.vocabSize(), d);
        List<Parameter> ps = new ArrayList<>();
        ps.add(wte);
        ps.add(wpe);
        for (Block b : blocks) {
            ps.addAll(b.parameters());
        }
        ps.addAll(lnf.parameters());
        if (lmHead != null) {
            ps.add(lmHead);
        }
        this.parameters = List.copyOf(ps);
        SplittableRandom init = new SplittableRandom(seed);
        this.dropoutRandom = init.split();
        initialise(init);
        if (bf16()) {
            for (Parameter p : parameters) {
                Bf16.round(p.value(), p.size());
            }
        }
    }

    /** Whether the model trains in (emulated) bf16. */
    public boolean bf16() {
        return config.precision() == Precision.BF16;
    }

    /** Rounds {@code x[0 .. n)} to bf16 when the model is in bf16. */
    private void lowp(float[] x, int n) {
        if (bf16()) {
            Bf16.round(x, n);
        }
    }

    private void initialise(SplittableRandom r) {
        double std = config.initStd();
        // GPT-2 scales the residual projections by 1/sqrt(2 * layers) so the residual stream's variance stays flat.
        double projStd = std / Math.sqrt(2.0 * config.layers());
        wte.normal(r, std);
        wpe.normal(r, std);
        for (Block b : blocks) {
            b.ln1().reset();
            b.attention().qkv().init(r, std);
            b.attention().proj().init(r, projStd);
            b.ln2().reset();
            b.fc().init(r, std);
            b.fcProj().init(r, projStd);
        }
        lnf.reset();
        if (lmHead != null) {
            lmHead.normal(r, std);
        }
    }

    public GptConfig config() {
        return config;
    }

    public Parallel parallel() {
        return par;
    }

    /** Every parameter, in checkpoint order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    public List<Block> blocks() {
        return blocks;
    }

    public Parameter tokenEmbedding() {
        return wte;
    }

    public Parameter positionEmbedding() {
        return wpe;
    }

    public LayerNorm finalNorm() {
        return lnf;
    }

    /** The LM head {@code [vocab, D]}: the token embedding when tied. */
    public Parameter head() {
        return lmHead != null ? lmHead : wte;
    }

    public void zeroGrad() {
        for (Parameter p : parameters) {
            p.zeroGrad();
        }
    }

    /**
     * Runs {@code batch} sequences of {@code length} tokens ({@code tokens[b * length + t]}).
     *
     * @return the logits {@code [batch * length, vocab]} (valid until the next forward with the same shape)
     */
    public float[] forward(int[] tokens, int batch, int length, Mode mode) {
        return forward(tokens, null, batch, length, mode);
    }

    /**
     * Like {@link #forward(int[], int, int, Mode)}, but a row whose token is {@link #INPUT_EMBEDDING} takes its input
     * from {@code embeddings [batch * length, D]} (the same row) in place of a token embedding; the position
     * embedding is added as for tokens. {@link #backwardThroughInputs} then gives the gradient with respect to these
     * inputs.
     *
     * @param embeddings the input rows of {@link #INPUT_EMBEDDING} tokens (other rows are not read); may be null when
     *                   no token is {@link #INPUT_EMBEDDING}
     */
    public float[] forward(int[] tokens, float[] embeddings, int batch, int length, Mode mode) {
        checkInput(tokens, embeddings, batch, length);
        Activations a = activations(batch, length);
        boolean train = mode == Mode.TRAIN || mode == Mode.TRAIN_NO_DROPOUT;
        boolean dropout = mode == Mode.TRAIN && config.dropout() > 0;
        boolean dropAttention = mode == Mode.TRAIN && config.attentionDropout() > 0;
        boolean capture = mode == Mode.EVAL_WITH_ATTENTION;
        boolean bf16 = bf16();
        int d = config.dModel();
        int h = config.mlpHidden();
        int rows = a.rows;
        System.arraycopy(tokens, 0, a.tokens, 0, rows);
        embed(tokens, embeddings, batch, length, a.embedded);
        lowp(a.embedded, rows * d);
        a.embedDropped = dropout && Dropout.drawMask(config.dropout(), dropoutRandom, a.embedMask, rows * d);
        if (a.embedDropped) {
            Dropout.apply(a.embedded, a.embedMask, rows * d);
            lowp(a.embedded, rows * d);
        }
        for (int l = 0; l < blocks.size(); l++) {
            Block blk = blocks.get(l);
            Activations.Layer la = a.layers[l];
            float[] in = a.input(l);
            blk.ln1().forward(in, rows, la.ln1, la.ln1Stats, par);
            lowp(la.ln1, rows * d);
            if (dropAttention) {
                float[] mask = la.attention.dropoutMask();
                Dropout.drawMask(config.attentionDropout(), dropoutRandom, mask, mask.length);
            }
            blk.attention().forward(la.ln1, la.qkv, la.merged, la.attnOut, la.attention, train, capture,
                    dropAttention, bf16, par);
            la.attnDropped = dropout && Dropout.drawMask(config.dropout(), dropoutRandom, la.attnMask, rows * d);
            if (la.attnDropped) {
                Dropout.apply(la.attnOut, la.attnMask, rows * d);
                lowp(la.attnOut, rows * d);
            }
            add(in, la.attnOut, la.mid, rows * d);
            lowp(la.mid, rows * d);
            blk.ln2().forward(la.mid, rows, la.ln2, la.ln2Stats, par);
            lowp(la.ln2, rows * d);
            blk.fc().forward(la.ln2, rows, la.fcPre, par);
            lowp(la.fcPre, rows * h);
            Gelu.forward(la.fcPre, la.fcAct, train ? la.fcSlope : null, rows * h, par);
            lowp(la.fcAct, rows * h);
            blk.fcProj().forward(la.fcAct, rows, la.mlpOut, par);
            lowp(la.mlpOut, rows * d);
            la.mlpDropped = dropout && Dropout.drawMask(config.dropout(), dropoutRandom, la.mlpMask, rows * d);
            if (la.mlpDropped) {
                Dropout.apply(la.mlpOut, la.mlpMask, rows * d);
                lowp(la.mlpOut, rows * d);
            }
            add(la.mid, la.mlpOut, la.out, rows * d);
            lowp(la.out, rows * d);
        }
        lnf.forward(a.finalResidual(), rows, a.lnf, a.lnfStats, par);
        lowp(a.lnf, rows * d);
        headForward(a.lnf, rows, a.logits);
        lowp(a.logits, rows * config.vocabSize());
        a.backwardReady = train;
        last = a;
        return a.logits;
    }

    /**
     * Backward pass of the last forward (which must have been a training one): accumulates every parameter's gradient
     * given {@code dLogits [rows, vocab]}.
     */
    public void backward(float[] dLogits) {
        if (dLogits == null) {
            throw new IllegalArgumentException("dLogits: expected " + (last == null ? "the logits' gradient"
                    : last.rows * config.vocabSize() + " values") + ", got null");
        }
        backpropagate(dLogits, null, false);
    }

    /**
     * Backward pass of the last training forward seeded by the gradient of the loss with respect to the logits
     * and/or to the hidden states ({@link #hiddenStates()}); accumulates every parameter's gradient and returns the
     * gradient with respect to each row's input embedding {@code [rows, D]} (valid until the next backward pass).
     * The forward pass stays available, so this may be called again with another seed: backpropagation through
     * continuous thoughts seeds one call per thought, since each seed depends on the input gradient of the calls
     * before it (the gradients add up, as the backward pass is linear in its seed).
     *
     * @param dLogits {@code [rows, vocab]} or null (zero)
     * @param dHidden {@code [rows, D]} or null (zero)
     */
    public float[] backwardThroughInputs(float[] dLogits, float[] dHidden) {
        return backpropagate(dLogits, dHidden, true);
    }

    private float[] backpropagate(float[] dLogits, float[] dHidden, boolean keepForward) {
        Activations a = last;
        if (a == null || !a.backwardReady) {
            throw new IllegalStateException("backward: the last forward pass was not run in a training mode");
        }
        int rows = a.rows;
        int d = config.dModel();
        if (dLogits != null && dLogits.length < rows * config.vocabSize()) {
            throw new IllegalArgumentException("dLogits: expected " + rows * config.vocabSize() + " values, got "
                    + dLogits.length);
        }
        if (dHidden != null && dHidden.length < rows * d) {
            throw new IllegalArgumentException("dHidden: expected " + rows * d + " values, got " + dHidden.length);
        }
        a.backwardReady = keepForward;
        boolean bf16 = bf16();
        int hidden = config.mlpHidden();
        float[] g = a.grad;
        if (dLogits != null) {
            if (bf16) {
                // The loss gradient arrives as a bf16 tensor in PyTorch; round a copy, not the caller's array.
                float[] rounded = Arrays.copyOf(dLogits, rows * config.vocabSize());
                Bf16.round(rounded, rounded.length);
                dLogits = rounded;
            }
            headBackward(a.lnf, dLogits, rows, a.scratch1);
        } else {
            Arrays.fill(a.scratch1, 0, rows * d, 0f);
        }
        if (dHidden != null) {
            addInPlace(a.scratch1, dHidden, rows * d);
        }
        lowp(a.scratch1, rows * d);
        lnf.backward(a.finalResidual(), a.lnfStats, a.scratch1, rows, g, par);
        lowp(g, rows * d);
        for (int l = blocks.size() - 1; l >= 0; l--) {
            Block blk = blocks.get(l);
            Activations.Layer la = a.layers[l];
            float[] s1 = a.scratch1;
            float[] s2 = a.scratch2;
            float[] s3 = a.scratch3;
            float[] h = a.hiddenGrad;
            // MLP branch: g is dL/d(out); out = mid + dropout(mlp(ln_2(mid))).
            System.arraycopy(g, 0, s1, 0, rows * d);
            if (la.mlpDropped) {
                Dropout.apply(s1, la.mlpMask, rows * d);
                lowp(s1, rows * d);
            }
            blk.fcProj().backward(la.fcAct, s1, rows, h, par);
            lowp(h, rows * hidden);
            Gelu.backwardFromSlope(la.fcSlope, h, h, rows * hidden, par);
            lowp(h, rows * hidden);
            blk.fc().backward(la.ln2, h, rows, s1, par);
            lowp(s1, rows * d);
            blk.ln2().backward(la.mid, la.ln2Stats, s1, rows, s2, par);
            lowp(s2, rows * d);
            addInPlace(g, s2, rows * d);
            lowp(g, rows * d);
            // Attention branch: mid = in + dropout(attn(ln_1(in))).
            System.arraycopy(g, 0, s1, 0, rows * d);
            if (la.attnDropped) {
                Dropout.apply(s1, la.attnMask, rows * d);
                lowp(s1, rows * d);
            }
            blk.attention().backward(la.ln1, la.merged, s1, s2, s3, la.attention, keepForward, bf16, par);
            lowp(s3, rows * d);
            blk.ln1().backward(a.input(l), la.ln1Stats, s3, rows, s2, par);
            lowp(s2, rows * d);
            addInPlace(g, s2, rows * d);
            lowp(g, rows * d);
        }
        if (a.embedDropped) {
            Dropout.apply(g, a.embedMask, rows * d);
            lowp(g, rows * d);
        }
        float[] dwte = wte.grad();
        float[] dwpe = wpe.grad();
        for (int r = 0; r < rows; r++) {
            int tok = a.tokens[r];
            int pos = r % a.length;
            int go = r * d;
            for (int c = 0; c < d; c++) {
                dwpe[pos * d + c] += g[go + c];
            }
            if (tok != INPUT_EMBEDDING) {
                for (int c = 0; c < d; c++) {
                    dwte[tok * d + c] += g[go + c];
                }
            }
        }
        if (bf16) {
            for (Parameter p : parameters) {
                if (p.grad() != null) {
                    Bf16.round(p.grad(), p.size());
                }
            }
        }
        return g;
    }

    /**
     * The final hidden states {@code [rows, D]} (after {@code ln_f}, what the LM head reads) of the last forward
     * pass; valid until the next forward pass with the same shape.
     */
    public float[] hiddenStates() {
        if (last == null) {
            throw new IllegalStateException("hiddenStates: no forward pass yet");
        }
        return last.lnf;
    }

    /**
     * The attention probabilities {@code [batch, heads, length, length]} of layer {@code layer} from the last forward
     * pass run in {@link Mode#EVAL_WITH_ATTENTION}.
     */
    public float[] attentionProbabilities(int layer) {
        if (last == null || last.layers[layer].attention.probabilities == null) {
            throw new IllegalStateException("attentionProbabilities: run forward in EVAL_WITH_ATTENTION mode first");
        }
        return last.layers[layer].attention.probabilities;
    }

    /** Attended (query, key) pairs of layer {@code layer} in the last forward pass, or -1 if the provider did not say. */
    public long attendedPairs(int layer) {
        if (last == null) {
            throw new IllegalStateException("attendedPairs: no forward pass yet");
        }
        return last.layers[layer].attention.allowedPairs;
    }

    /** The provider that ran layer {@code layer}'s attention in the last forward pass, or null before any. */
    public String attentionProvider(int layer) {
        return last == null ? null : last.layers[layer].attention.provider;
    }

    /**
     * The attention-dropout mask {@code [batch, heads, length, length]} (0 where a weight was dropped, {@code 1/(1-p)}
     * where kept) that layer {@code layer} drew for its last training pass with attention dropout, or null if it never
     * drew one (for tests).
     */
    float[] lastAttentionDropoutMask(int layer) {
        if (last == null) {
            throw new IllegalStateException("no forward pass yet");
        }
        return last.layers[layer].attention.dropMask;
    }

    /** The {@code [rows, 3D]} q/k/v projections of layer {@code layer} in the last forward pass (for the KV cache). */
    float[] lastQkv(int layer) {
        if (last == null) {
            throw new IllegalStateException("no forward pass yet");
        }
        return last.layers[layer].qkv;
    }

    /** {@code wte[token] + wpe[position]} for every row ({@code embeddings[row]} in place of {@code wte[token]} for
     * {@link #INPUT_EMBEDDING} rows). */
    void embed(int[] tokens, float[] embeddings, int batch, int length, float[] out) {
        int d = config.dModel();
        float[] te = wte.value();
        float[] pe = wpe.value();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int r = b * length + t;
                int tok = tokens[r];
                float[] src = tok == INPUT_EMBEDDING ? embeddings : te;
                int so = tok == INPUT_EMBEDDING ? r * d : tok * d;
                for (int c = 0; c < d; c++) {
                    out[r * d + c] = src[so + c] + pe[t * d + c];
                }
            }
        }
    }

    /** {@code logits[r, v] = h[r, :] . head[v, :]}. */
    void headForward(float[] h, int rows, float[] logits) {
        TiedHead.forward(par, head(), config.dModel(), config.vocabSize(), h, rows, logits);
    }

    private void headBackward(float[] h, float[] dLogits, int rows, float[] dh) {
        Arrays.fill(dh, 0, rows * config.dModel(), 0f);
        TiedHead.backward(head(), config.dModel(), config.vocabSize(), h, dLogits, rows, dh);
    }

    private void checkInput(int[] tokens, float[] embeddings, int batch, int length) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch: expected >= 1, got " + batch);
        }
        if (length < 1 || length > config.contextLength()) {
            throw new IllegalArgumentException("length: expected 1.." + config.contextLength()
                    + " (the context length), got " + length);
        }
        // long: batch x length must not wrap around to a small number and pass
        if ((long) tokens.length < (long) batch * length) {
            throw new IllegalArgumentException("tokens: expected " + (long) batch * length + " tokens, got "
                    + tokens.length);
        }
        boolean anyEmbedded = false;
        for (int i = 0; i < batch * length; i++) {
            if (tokens[i] == INPUT_EMBEDDING && embeddings != null) {
                anyEmbedded = true;
                continue;
            }
            if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("tokens[" + i + "]: expected 0.." + (config.vocabSize() - 1)
                        + ", got " + tokens[i]);
            }
        }
        if (anyEmbedded && (long) embeddings.length < (long) batch * length * config.dModel()) {
            throw new IllegalArgumentException("embeddings: expected " + (long) batch * length * config.dModel()
                    + " values (batch x length x dModel), got " + embeddings.length);
        }
    }

    private Activations activations(int batch, int length) {
        long key = ((long) batch << 32) | length;
        Activations a = cache.get(key);
        if (a == null) {
            a = new Activations(this, batch, length);
            cache.put(key, a);
            if (cache.size() > MAX_CACHED_SHAPES) {
                Iterator<Map.Entry<Long, Activations>> it = cache.entrySet().iterator();
                Activations eldest = it.next().getValue();
                it.remove();
                if (eldest == last) {
                    last = null;
                }
                eldest.close();
            }
        }
        return a;
    }

    private static void add(float[] a, float[] b, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = a[i] + b[i];
        }
    }

    private static void addInPlace(float[] acc, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += b[i];
        }
    }

    /** Frees the provider-side tensors of every cached batch shape. */
    @Override
    public void close() {
        for (Activations a : cache.values()) {
            a.close();
        }
        cache.clear();
        last = null;
    }
}
