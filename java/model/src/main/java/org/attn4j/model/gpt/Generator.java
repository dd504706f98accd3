package org.attn4j.model.gpt;

import org.attn4j.Attention;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.Gelu;
import org.attn4j.model.nn.Parallel;

/**
 * Greedy autoregressive generation with a KV cache per layer ({@link KvCache}, made by the provider automatic
 * selection picks). The prompt runs through one ordinary forward pass, whose keys and values fill the caches; then
 * each new token runs alone through every layer: its key and value are appended, and its query attends to the cache
 * through a decode step ({@link Attention#decode}), with the dynamic selection of {@link GenerationOptions} (token
 * or block top-k, by the SPEC's decode rules) if one is given: a chain of thought generated through sparse
 * attention, on any provider.
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
        int blockSize = options.blockTopK() != null ? options.blockTopK().blockK() : KvCacheConfig.DEFAULT_BLOCK_SIZE;
        KvCacheConfig cacheConfig = KvCacheConfig.builder(batch, heads, dh).capacity(total).fixedCapacity()
                .blockSize(blockSize).build();
        int vocab = c.vocabSize();
        long attentionNanos = 0;
        long attended = 0;
        long causal = 0;
        String provider = null;
        KvCache[] caches = new KvCache[layers];
        try {
            for (int l = 0; l < layers; l++) {
                caches[l] = KvCache.create(cacheConfig);
                appendPositions(caches[l], model.lastQkv(l), batch, promptLength, heads, dh, d);
            }
            for (int b = 0; b < batch; b++) {
                out[b * total + promptLength] = CrossEntropy.argmax(logits, b * promptLength + promptLength - 1,
                        vocab);
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
            try (Tensor q = Tensor.allocate(DType.FP32, batch, heads, 1, dh);
                 Tensor o = Tensor.allocate(DType.FP32, batch, heads, 1, dh);
                 Tensor k = Tensor.allocate(DType.FP32, batch, heads, 1, dh);
                 Tensor v = Tensor.allocate(DType.FP32, batch, heads, 1, dh)) {
                float[] kHeads = new float[batch * heads * dh];
                float[] vHeads = new float[batch * heads * dh];
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
                            for (int hh = 0; hh < heads; hh++) {
                                int dst = (b * heads + hh) * dh;
                                System.arraycopy(qkv, b * 3 * d + hh * dh, qHeads, dst, dh);
                                System.arraycopy(qkv, b * 3 * d + d + hh * dh, kHeads, dst, dh);
                                System.arraycopy(qkv, b * 3 * d + 2 * d + hh * dh, vHeads, dst, dh);
                            }
                        }
                        long a0 = System.nanoTime();
                        q.copyFrom(qHeads);
                        k.copyFrom(kHeads);
                        v.copyFrom(vHeads);
                        caches[l].append(k, v);
                        DecodeRequest req = options.applyTo(mha.spec())
                                .applyTo(DecodeRequest.builder(q, caches[l])).output(o).build();
                        try (AttentionResult r = Attention.decode(req)) {
                            provider = r.provider();
                            long pairs = r.allowedPairs().orElse(-1);
                            attended += pairs >= 0 ? pairs : countPairs(req, len);
                        }
                        o.copyTo(qHeads, 0, 0, qHeads.length);
                        attentionNanos += System.nanoTime() - a0;
                        causal += (long) batch * heads * len;
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
            return new GenerationResult(out, batch, total, attended, causal, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    attentionNanos / 1e9, provider, newTokens - 1);
        } finally {
            for (KvCache cache : caches) {
                if (cache != null) {
                    cache.close();
                }
            }
        }
    }

    /** Appends the k and v of every row of a {@code [batch * length, 3D]} projection, as positions 0 .. length-1. */
    private static void appendPositions(KvCache cache, float[] qkv, int batch, int length, int heads, int dh,
                                        int d) {
        float[] k = new float[batch * heads * length * dh];
        float[] v = new float[batch * heads * length * dh];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int src = (b * length + t) * 3 * d;
                for (int h = 0; h < heads; h++) {
                    int dst = ((b * heads + h) * length + t) * dh;
                    System.arraycopy(qkv, src + d + h * dh, k, dst, dh);
                    System.arraycopy(qkv, src + 2 * d + h * dh, v, dst, dh);
                }
            }
        }
        try (Tensor tk = Tensor.of(k, batch, heads, length, dh); Tensor tv = Tensor.of(v, batch, heads, length, dh)) {
            cache.append(tk, tv);
        }
    }

    /**
     * Pairs a step attends, for providers that do not count them: the causal window capped by token top-k (an upper
     * bound under block top-k, whose selection only the provider knows).
     */
    private static long countPairs(DecodeRequest r, int len) {
        long per = len;
        if (r.window().isPresent() && r.window().get().globalTokens() < len) {
            int w = r.window().get().left() + 1;
            per = Math.min(len, (long) w + r.window().get().globalTokens());
        }
        if (r.tokenTopK().isPresent()) {
            per = Math.min(per, r.tokenTopK().getAsInt());
        }
        return per * r.batch() * r.queryHeads();
    }

    private static void addInPlace(float[] acc, float[] b) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += b[i];
        }
    }
}
