package org.attn4j.model.alicot;

import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.model.gpt.Block;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.gpt.MultiHeadAttention;
import org.attn4j.model.nn.Gelu;
import org.attn4j.model.nn.Parallel;

/**
 * Inference with a KV cache for a batch of sequences whose new positions are tokens or continuous thoughts (input
 * embeddings): {@link #append} runs {@code count} new positions per sequence through every layer, their queries
 * attending through the provider to the cached keys and to each other (causal, bottom-right aligned). The prompt is
 * one append of {@code P} positions; each decode step (a chain token or a thought) one append of 1. Both modes of
 * the speed comparison decode with this class, so their times differ only by the steps they take.
 */
public final class IncrementalDecoder {
    private final GptModel model;
    private final int batch;
    private final int capacity;
    private final float[][] cacheK;
    private final float[][] cacheV;
    private final float[] lastHidden;
    private final float[] lastLogits;
    private int length;

    /** A decoder for {@code batch} sequences of at most {@code capacity} positions. */
    public IncrementalDecoder(GptModel model, int batch, int capacity) {
        GptConfig c = model.config();
        if (batch < 1) {
            throw new IllegalArgumentException("batch: expected >= 1, got " + batch);
        }
        if (capacity < 1 || capacity > c.contextLength()) {
            throw new IllegalArgumentException("capacity: expected 1.." + c.contextLength()
                    + " (the context length), got " + capacity);
        }
        this.model = model;
        this.batch = batch;
        this.capacity = capacity;
        this.cacheK = new float[c.layers()][batch * c.heads() * capacity * c.headDim()];
        this.cacheV = new float[c.layers()][batch * c.heads() * capacity * c.headDim()];
        this.lastHidden = new float[batch * c.dModel()];
        this.lastLogits = new float[batch * c.vocabSize()];
    }

    /** Positions decoded so far. */
    public int length() {
        return length;
    }

    /**
     * Appends {@code count} positions to every sequence: {@code tokens[b * count + i]}, or for a
     * {@link GptModel#INPUT_EMBEDDING} token the input row {@code embeddings[(b * count + i) * D ...]}.
     */
    public void append(int[] tokens, float[] embeddings, int count) {
        GptConfig c = model.config();
        int d = c.dModel();
        int heads = c.heads();
        int dh = c.headDim();
        if (count < 1 || length + count > capacity) {
            throw new IllegalArgumentException("count: expected 1.." + (capacity - length) + " (capacity left), got "
                    + count);
        }
        if (tokens.length != batch * count) {
            throw new IllegalArgumentException("tokens: expected " + batch * count + " tokens, got " + tokens.length);
        }
        int rows = batch * count;
        float[] x = new float[rows * d];
        float[] te = model.tokenEmbedding().value();
        float[] pe = model.positionEmbedding().value();
        for (int r = 0; r < rows; r++) {
            int tok = tokens[r];
            int pos = length + r % count;
            boolean embedded = tok == GptModel.INPUT_EMBEDDING;
            if (embedded && (embeddings == null || embeddings.length < (r + 1) * d)) {
                throw new IllegalArgumentException("embeddings: expected an input row for tokens[" + r + "]");
            }
            if (!embedded && (tok < 0 || tok >= c.vocabSize())) {
                throw new IllegalArgumentException("tokens[" + r + "]: expected 0.." + (c.vocabSize() - 1) + ", got "
                        + tok);
            }
            float[] src = embedded ? embeddings : te;
            int so = embedded ? r * d : tok * d;
            for (int i = 0; i < d; i++) {
                x[r * d + i] = src[so + i] + pe[pos * d + i];
            }
        }
        Parallel par = model.parallel();
        float[] h = new float[rows * d];
        float[] qkv = new float[rows * 3 * d];
        float[] merged = new float[rows * d];
        float[] branch = new float[rows * d];
        float[] hidden = new float[rows * c.mlpHidden()];
        float[] act = new float[rows * c.mlpHidden()];
        float[] qHeads = new float[rows * d];
        int total = length + count;
        for (int l = 0; l < c.layers(); l++) {
            Block blk = model.blocks().get(l);
            MultiHeadAttention mha = blk.attention();
            blk.ln1().forward(x, rows, h, null, par);
            mha.qkv().forward(h, rows, qkv, par);
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < count; i++) {
                    int src = (b * count + i) * 3 * d;
                    for (int hh = 0; hh < heads; hh++) {
                        int dst = ((b * heads + hh) * capacity + length + i) * dh;
                        System.arraycopy(qkv, src + d + hh * dh, cacheK[l], dst, dh);
                        System.arraycopy(qkv, src + 2 * d + hh * dh, cacheV[l], dst, dh);
                        System.arraycopy(qkv, src + hh * dh, qHeads, ((b * heads + hh) * count + i) * dh, dh);
                    }
                }
            }
            try (Tensor q = Tensor.of(DType.FP32, qHeads, batch, heads, count, dh);
                 Tensor k = cached(cacheK[l], heads, total, dh);
                 Tensor v = cached(cacheV[l], heads, total, dh);
                 Tensor o = Tensor.allocate(DType.FP32, batch, heads, count, dh)) {
                AttentionRequest req = mha.spec().applyTo(AttentionRequest.builder(q, k, v)).output(o).build();
                try (AttentionResult ignored = Attention.forward(req)) {
                    o.copyTo(qHeads, 0, 0, qHeads.length);
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < count; i++) {
                    for (int hh = 0; hh < heads; hh++) {
                        System.arraycopy(qHeads, ((b * heads + hh) * count + i) * dh, merged,
                                (b * count + i) * d + hh * dh, dh);
                    }
                }
            }
            mha.proj().forward(merged, rows, branch, par);
            addInPlace(x, branch, rows * d);
            blk.ln2().forward(x, rows, h, null, par);
            blk.fc().forward(h, rows, hidden, par);
            Gelu.forward(hidden, act, rows * c.mlpHidden(), par);
            blk.fcProj().forward(act, rows, branch, par);
            addInPlace(x, branch, rows * d);
        }
        length = total;
        // Only each sequence's last new position is read on: its hidden state (the next thought) and logits.
        float[] last = new float[batch * d];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x, ((b + 1) * count - 1) * d, last, b * d, d);
        }
        model.finalNorm().forward(last, batch, lastHidden, null, par);
        float[] w = model.head().value();
        int vocab = c.vocabSize();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < vocab; t++) {
                float acc = 0;
                for (int i = 0; i < d; i++) {
                    acc += lastHidden[b * d + i] * w[t * d + i];
                }
                lastLogits[b * vocab + t] = acc;
            }
        }
    }

    /** The final hidden state {@code [batch, D]} of each sequence's last position (a continuous thought). */
    public float[] lastHidden() {
        return lastHidden;
    }

    /** The logits {@code [batch, vocab]} of each sequence's last position. */
    public float[] lastLogits() {
        return lastLogits;
    }

    /** The first {@code len} cached positions as a {@code [B, H, len, Dh]} tensor. */
    private Tensor cached(float[] cache, int heads, int len, int dh) {
        Tensor t = Tensor.allocate(DType.FP32, batch, heads, len, dh);
        for (int bh = 0; bh < batch * heads; bh++) {
            t.copyFrom(cache, bh * capacity * dh, (long) bh * len * dh, len * dh);
        }
        return t;
    }

    private static void addInPlace(float[] acc, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += b[i];
        }
    }
}
