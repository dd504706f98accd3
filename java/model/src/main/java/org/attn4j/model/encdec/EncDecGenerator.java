package org.attn4j.model.encdec;

import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.LayerNorm;
import org.attn4j.model.nn.Parallel;

/**
 * Greedy generation with the KV caches of both attention kinds. The encoder runs once; each decoder block projects its
 * keys and values of the encoder's output once (the cross-attention cache, read by every step); then the decoder runs
 * one position at a time, appending its keys and values to each block's self-attention cache and attending through the
 * provider with one query row ({@code Nq = 1}). The masks are chosen per step: the static ones for the row's position,
 * the dynamic ones (token or block top-k) from the step's query, exactly as the full teacher-forced pass chooses them
 * for that row ({@link MaskPlanner}). {@link DecodeAttention} can replace the trained attention, so a model trained
 * densely reasons through sparse attention.
 */
public final class EncDecGenerator {
    private final EncDecModel model;

    public EncDecGenerator(EncDecModel model) {
        this.model = model;
    }

    /**
     * Continues every prompt by {@code newTokens} greedy tokens.
     *
     * @param input   {@code [batch, inputLength, fields]}
     * @param prompts {@code [batch, promptLength]}
     */
    public Generation generate(int[] input, int batch, int inputLength, int[] prompts, int promptLength,
                               int newTokens, DecodeAttention attention) {
        EncDecConfig c = model.config();
        if (newTokens < 1) {
            throw new IllegalArgumentException("newTokens: expected >= 1, got " + newTokens);
        }
        if (promptLength < 1) {
            throw new IllegalArgumentException("promptLength: expected >= 1, got " + promptLength);
        }
        int length = promptLength + newTokens - 1; // decoder positions that run; the last token is not fed back
        if (length > c.decoderLength()) {
            throw new IllegalArgumentException("newTokens: prompt (" + promptLength + ") + new tokens (" + newTokens
                    + ") - 1 exceed the learned decoder positions " + c.decoderLength());
        }
        if (prompts == null || prompts.length != (long) batch * promptLength) {
            throw new IllegalArgumentException("prompts: expected batch x promptLength = " + (long) batch * promptLength
                    + " tokens, got " + (prompts == null ? "null" : prompts.length));
        }
        Parallel par = model.parallel();
        PairCounts pairs = new PairCounts();
        Pass pass = new Pass(false, 0f, null, false, par, length, attention, pairs);
        int d = c.dModel();
        int heads = c.heads();
        int dh = c.headDim();
        int vocab = c.vocabSize();
        int total = promptLength + newTokens;
        int[] out = new int[batch * total];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(prompts, b * promptLength, out, b * total, promptLength);
        }

        long t0 = System.nanoTime();
        model.forwardChecks(input, prompts, batch, inputLength, promptLength);
        float[] memory = model.encode(input, batch, inputLength, pass).clone();
        int layers = c.decoderLayers();
        float[][][] crossCache = new float[layers][][];
        for (int l = 0; l < layers; l++) {
            crossCache[l] = model.decoderBlocks().get(l).crossAttention.project(memory, batch, inputLength, pass);
        }
        long t1 = System.nanoTime();

        float[][] selfK = new float[layers][batch * heads * length * dh];
        float[][] selfV = new float[layers][batch * heads * length * dh];
        float[] x = new float[batch * d];
        float[] h = new float[batch * d];
        float[] qkv = new float[batch * 3 * d];
        float[] q = new float[batch * d];
        float[] qh = new float[batch * d];
        float[] oh = new float[batch * d];
        float[] merged = new float[batch * d];
        float[] branch = new float[batch * d];
        float[] logits = new float[batch * vocab];
        float[] scratch = new float[vocab];
        int[] stepTokens = new int[batch];
        long support = 0;
        long supportRows = 0;
        for (int pos = 0; pos < length; pos++) {
            for (int b = 0; b < batch; b++) {
                stepTokens[b] = out[b * total + pos];
            }
            model.embedDecoder(stepTokens, batch, 1, pos, x);
            for (int l = 0; l < layers; l++) {
                DecoderBlock blk = model.decoderBlocks().get(l);
                // causal self-attention over the cache
                blk.ln1.forward(x, batch, h, null, par);
                blk.selfAttention.qkv.forward(h, batch, qkv, par);
                Heads.split(qkv, 3 * d, 0, qh, batch, 1, heads, dh);
                append(qkv, d, selfK[l], selfV[l], batch, heads, dh, length, pos);
                float[] keys = prefix(selfK[l], batch, heads, dh, length, pos + 1);
                float[] values = prefix(selfV[l], batch, heads, dh, length, pos + 1);
                blk.selfAttention.attend(qh, keys, values, new CallShape(batch, heads, 1, pos + 1, dh, pos, length),
                        pass, oh);
                Heads.merge(oh, merged, d, 0, batch, 1, heads, dh);
                blk.selfAttention.proj.forward(merged, batch, branch, par);
                Residual.add(x, branch, batch * d);
                // cross-attention over the encoder's cached keys and values
                blk.ln2.forward(x, batch, h, null, par);
                blk.crossAttention.q.forward(h, batch, q, par);
                Heads.split(q, d, 0, qh, batch, 1, heads, dh);
                blk.crossAttention.attend(qh, crossCache[l][0], crossCache[l][1],
                        new CallShape(batch, heads, 1, inputLength, dh, pos, length), pass, oh);
                Heads.merge(oh, merged, d, 0, batch, 1, heads, dh);
                blk.crossAttention.proj.forward(merged, batch, branch, par);
                Residual.add(x, branch, batch * d);
                // MLP, then the CoT module's feature mask on the reasoning state
                blk.ln3.forward(x, batch, h, null, par);
                blk.mlp.forward(h, batch, branch, pass);
                Residual.add(x, branch, batch * d);
                if (blk.masksFeatures()) {
                    FeatureMask.apply(x, batch, d, blk.keptFeatures(), null);
                }
            }
            LayerNorm norm = model.decoderNorm();
            norm.forward(x, batch, h, null, par);
            model.head(h, batch, logits);
            if (pos >= promptLength - 1) {
                for (int b = 0; b < batch; b++) {
                    out[b * total + pos + 1] = CrossEntropy.argmax(logits, b, vocab);
                    support += c.output().support(logits, b, vocab, scratch);
                    supportRows++;
                }
            }
        }
        long t2 = System.nanoTime();
        return new Generation(out, batch, total, pairs, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                supportRows == 0 ? 0 : support / (double) supportRows);
    }

    /** Stores the k and v of every sequence's row of {@code qkv [B, 3D]} at position {@code pos} of the caches. */
    private static void append(float[] qkv, int d, float[] k, float[] v, int batch, int heads, int dh, int capacity,
                               int pos) {
        for (int b = 0; b < batch; b++) {
            for (int hh = 0; hh < heads; hh++) {
                int dst = ((b * heads + hh) * capacity + pos) * dh;
                System.arraycopy(qkv, b * 3 * d + d + hh * dh, k, dst, dh);
                System.arraycopy(qkv, b * 3 * d + 2 * d + hh * dh, v, dst, dh);
            }
        }
    }

    /** The first {@code len} cached positions, {@code [B, H, len, Dh]}. */
    private static float[] prefix(float[] cache, int batch, int heads, int dh, int capacity, int len) {
        float[] out = new float[batch * heads * len * dh];
        for (int bh = 0; bh < batch * heads; bh++) {
            System.arraycopy(cache, bh * capacity * dh, out, bh * len * dh, len * dh);
        }
        return out;
    }
}
