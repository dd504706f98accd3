package org.attn4j.model.gpt;

import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.mask.StaticMask;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.Gelu;
import org.attn4j.model.nn.Parallel;

/**
 * Greedy autoregressive generation with a KV cache. The prompt runs through one ordinary forward pass (which fills
 * the cache); then each new token runs alone through every layer, its query attending to the cached keys through
 * the provider ({@code Nq = 1}, bottom-right aligned), with the dynamic selection of {@link GenerationOptions}
 * (token or block top-k) if one is given: a chain of thought generated through sparse attention.
 */
public final class Generator {
    private final GptModel model;

    public Generator(GptModel model) {
        this.model = model;
    }

    /**
     * Continues every prompt by {@code newTokens} greedy tokens.
     *
     * @param prompts {@code [batch * promptLength]}
     */
    public GenerationResult generate(int[] prompts, int batch, int promptLength, int newTokens,
                                     GenerationOptions options) {
        GptConfig c = model.config();
        java.util.Objects.requireNonNull(prompts, "prompts");
        java.util.Objects.requireNonNull(options, "options");
        if (batch < 1) {
            throw new IllegalArgumentException("batch: expected >= 1, got " + batch);
        }
        if (promptLength < 1) {
            throw new IllegalArgumentException("promptLength: expected >= 1, got " + promptLength);
        }
        if (newTokens < 1) {
            throw new IllegalArgumentException("newTokens: expected >= 1, got " + newTokens);
        }
        // long: a huge newTokens must not wrap around and pass
        if ((long) promptLength + newTokens > c.contextLength()) {
            throw new IllegalArgumentException("newTokens: prompt (" + promptLength + ") + new tokens (" + newTokens
                    + ") exceed the context length " + c.contextLength());
        }
        if ((long) batch * promptLength != prompts.length) {
            throw new IllegalArgumentException("prompts: expected batch x promptLength = " + (long) batch * promptLength
                    + " tokens, got " + prompts.length);
        }
        int total = promptLength + newTokens;
        int d = c.dModel();
        int heads = c.heads();
        int dh = c.headDim();
        int layers = c.layers();
        Parallel par = model.parallel();
        int[] out = new int[batch * total];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(prompts, b * promptLength, out, b * total, promptLength);
        }

        long t0 = System.nanoTime();
        float[] logits = model.forward(prompts, batch, promptLength, GptModel.Mode.EVAL);
        float[][] cacheK = new float[layers][batch * heads * total * dh];
        float[][] cacheV = new float[layers][batch * heads * total * dh];
        for (int l = 0; l < layers; l++) {
            float[] qkv = model.lastQkv(l);
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < promptLength; t++) {
                    int src = (b * promptLength + t) * 3 * d;
                    append(qkv, src, cacheK[l], cacheV[l], b, t, heads, dh, total, d);
                }
            }
        }
        int vocab = c.vocabSize();
        for (int b = 0; b < batch; b++) {
            out[b * total + promptLength] = CrossEntropy.argmax(logits, b * promptLength + promptLength - 1, vocab);
        }
        long t1 = System.nanoTime();

        float[] x = new float[batch * d];
        float[] h = new float[batch * d];
        float[] qkv = new float[batch * 3 * d];
        float[] merged = new float[batch * d];
        float[] branch = new float[batch * d];
        float[] hidden = new float[batch * c.mlpHidden()];
        float[] act = new float[batch * c.mlpHidden()];
        float[] stepLogits = new float[batch * vocab];
        float[] qHeads = new float[batch * heads * dh];
        long attended = 0;
        long causal = 0;
        try (Tensor q = Tensor.allocate(DType.FP32, batch, heads, 1, dh);
             Tensor o = Tensor.allocate(DType.FP32, batch, heads, 1, dh)) {
            for (int pos = promptLength; pos < total - 1; pos++) {
                int len = pos + 1;
                float[] te = model.tokenEmbedding().value();
                float[] pe = model.positionEmbedding().value();
                for (int b = 0; b < batch; b++) {
                    int tok = out[b * total + pos];
                    for (int i = 0; i < d; i++) {
                        x[b * d + i] = te[tok * d + i] + pe[pos * d + i];
                    }
                }
                for (int l = 0; l < layers; l++) {
                    Block blk = model.blocks().get(l);
                    MultiHeadAttention mha = blk.attention();
                    blk.ln1().forward(x, batch, h, null, par);
                    mha.qkv().forward(h, batch, qkv, par);
                    for (int b = 0; b < batch; b++) {
                        append(qkv, b * 3 * d, cacheK[l], cacheV[l], b, pos, heads, dh, total, d);
                        for (int hh = 0; hh < heads; hh++) {
                            System.arraycopy(qkv, b * 3 * d + hh * dh, qHeads, (b * heads + hh) * dh, dh);
                        }
                    }
                    q.copyFrom(qHeads);
                    LayerAttention spec = options.applyTo(mha.spec());
                    try (Tensor k = cached(cacheK[l], batch, heads, len, total, dh);
                         Tensor v = cached(cacheV[l], batch, heads, len, total, dh)) {
                        AttentionRequest req = spec.applyTo(AttentionRequest.builder(q, k, v)).output(o).build();
                        try (AttentionResult r = Attention.forward(req)) {
                            long pairs = r.allowedPairs().orElse(-1);
                            attended += pairs >= 0 ? pairs : countPairs(req);
                        }
                    }
                    causal += (long) batch * heads * len;
                    o.copyTo(qHeads, 0, 0, qHeads.length);
                    for (int b = 0; b < batch; b++) {
                        for (int hh = 0; hh < heads; hh++) {
                            System.arraycopy(qHeads, (b * heads + hh) * dh, merged, b * d + hh * dh, dh);
                        }
                    }
                    mha.proj().forward(merged, batch, branch, par);
                    addInPlace(x, branch);
                    blk.ln2().forward(x, batch, h, null, par);
                    blk.fc().forward(h, batch, hidden, par);
                    Gelu.forward(hidden, act, batch * c.mlpHidden(), par);
                    blk.fcProj().forward(act, batch, branch, par);
                    addInPlace(x, branch);
                }
                model.finalNorm().forward(x, batch, h, null, par);
                model.headForward(h, batch, stepLogits);
                for (int b = 0; b < batch; b++) {
                    out[b * total + pos + 1] = CrossEntropy.argmax(stepLogits, b, vocab);
                }
            }
        }
        long t2 = System.nanoTime();
        return new GenerationResult(out, batch, total, attended, causal, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    /** Stores the k and v of row {@code src} of a {@code [rows, 3D]} projection at position {@code t}. */
    private static void append(float[] qkv, int src, float[] k, float[] v, int b, int t, int heads, int dh,
                               int capacity, int d) {
        for (int h = 0; h < heads; h++) {
            int dst = ((b * heads + h) * capacity + t) * dh;
            System.arraycopy(qkv, src + d + h * dh, k, dst, dh);
            System.arraycopy(qkv, src + 2 * d + h * dh, v, dst, dh);
        }
    }

    /** The first {@code len} cached positions as a {@code [B, H, len, Dh]} tensor. */
    private static Tensor cached(float[] cache, int batch, int heads, int len, int capacity, int dh) {
        Tensor t = Tensor.allocate(DType.FP32, batch, heads, len, dh);
        for (int bh = 0; bh < batch * heads; bh++) {
            t.copyFrom(cache, bh * capacity * dh, (long) bh * len * dh, len * dh);
        }
        return t;
    }

    /**
     * Pairs a request attends, for providers that do not count them: the static mask capped by token top-k (an upper
     * bound under block top-k, whose selection only the provider knows).
     */
    private static long countPairs(AttentionRequest r) {
        StaticMask m = StaticMask.of(r);
        long per = 0;
        for (int i = 0; i < r.queryLength(); i++) {
            int n = m.rowCount(i);
            if (r.tokenTopK().isPresent()) {
                n = Math.min(n, r.tokenTopK().get().k());
            }
            per += n;
        }
        return per * r.batch() * r.queryHeads();
    }

    private static void addInPlace(float[] acc, float[] b) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += b[i];
        }
    }
}
