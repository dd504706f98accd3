package org.attn4j.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.attn4j.AttentionRequest;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;

/** Random requests mixing every mask of the SPEC, odd sizes, GQA and Nq != Nk, for the demo's counting and checks. */
final class SparseRequests implements AutoCloseable {
    final AttentionRequest request;
    private final List<Tensor> tensors = new ArrayList<>();

    SparseRequests(long seed) {
        Random r = new Random(seed);
        int b = 1 + r.nextInt(2);
        int hkv = 1 + r.nextInt(2);
        int hq = hkv * (1 + r.nextInt(3));
        int nk = 20 + r.nextInt(60);
        int nq = r.nextBoolean() ? nk : 1 + r.nextInt(nk);
        int d = 4 + r.nextInt(8);
        Tensor q = tensor(r, b, hq, nq, d);
        Tensor k = tensor(r, b, hkv, nk, d);
        Tensor v = tensor(r, b, hkv, nk, 3 + r.nextInt(5));
        AttentionRequest.Builder builder = AttentionRequest.builder(q, k, v);
        if (r.nextBoolean()) {
            builder.causal();
        }
        if (r.nextBoolean()) {
            builder.window(r.nextInt(nk / 2), r.nextInt(nk / 2)).globalTokens(r.nextInt(4));
        }
        if (r.nextBoolean()) {
            int bq = 1 + r.nextInt(12);
            int bk = 1 + r.nextInt(12);
            int qBlocks = (nq + bq - 1) / bq;
            int kBlocks = (nk + bk - 1) / bk;
            int heads = r.nextBoolean() ? hq : 1;
            boolean[] cells = new boolean[b * heads * qBlocks * kBlocks];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = r.nextInt(3) > 0;
            }
            builder.blockMask(BlockMask.of(cells, new int[] {b, heads, qBlocks, kBlocks}, bq, bk));
        }
        if (r.nextBoolean()) {
            builder.topKBlocks(1 + r.nextInt(4), 1 + r.nextInt(10), 1 + r.nextInt(10));
        }
        if (r.nextBoolean()) {
            builder.topKTokens(1 + r.nextInt(10));
        }
        builder.normalizer(Normalizer.values()[r.nextInt(3)]);
        request = builder.build();
    }

    private Tensor tensor(Random r, int... shape) {
        float[] x = new float[shape[0] * shape[1] * shape[2] * shape[3]];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Tensor t = Tensor.of(x, shape);
        tensors.add(t);
        return t;
    }

    @Override
    public void close() {
        tensors.forEach(Tensor::close);
    }
}
