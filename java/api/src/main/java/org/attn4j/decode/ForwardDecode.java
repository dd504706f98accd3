package org.attn4j.decode;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Support;

/**
 * The decode fallback: one step as one forward pass per sequence through any provider. The sequence's keys and
 * values are read from the cache into tensors of {@code [1, Hkv, L, D]}; the request becomes causal attention of
 * its {@code Nq} queries (bottom-right aligned, so query {@code i} sits at {@code L - Nq + i} as in decoding). The
 * window, global tokens, token top-k and normalizer carry over unchanged; the block mask over absolute positions
 * becomes one over the call's rows; block top-k, whose rule only decoding has, becomes a block mask of the keys
 * {@link DecodeSelection} keeps, per query row and head, at the coarsest granularity that represents it exactly.
 */
final class ForwardDecode {
    private ForwardDecode() {
    }

    static AttentionResult run(AttentionProvider p, DecodeRequest r, String whyNotNative) {
        KvCache cache = r.cache();
        int batch = r.batch();
        int hq = r.queryHeads();
        int nq = r.queryLength();
        int d = r.headDim();
        int dv = r.valueDim();
        int hkv = r.kvHeads();
        List<Tensor> allocated = new ArrayList<>();
        try {
            Tensor out = r.output().orElse(null);
            boolean ownsOut = out == null;
            if (ownsOut) {
                out = track(allocated, Tensor.allocate(r.outputDType(), batch, hq, nq, dv));
            }
            Tensor lse = null;
            boolean ownsLse = false;
            if (r.returnLse()) {
                lse = r.lseOutput().orElse(null);
                ownsLse = lse == null;
                if (ownsLse) {
                    lse = track(allocated, Tensor.allocate(DType.FP32, batch, hq, nq));
                }
            }
            float[] q = r.q().toFloatArray();
            long pairs = 0;
            boolean counted = true;
            float[] rowsO = new float[hq * nq * dv];
            float[] rowsLse = new float[hq * nq];
            for (int b = 0; b < batch; b++) {
                int length = cache.length(b);
                if (length == 0) {
                    java.util.Arrays.fill(rowsO, 0f);
                    java.util.Arrays.fill(rowsLse, Float.NEGATIVE_INFINITY);
                } else {
                    float[] qb = java.util.Arrays.copyOfRange(q, b * hq * nq * d, (b + 1) * hq * nq * d);
                    try (Tensor tq = Tensor.of(r.dtype(), qb, 1, hq, nq, d);
                         Tensor tk = Tensor.of(r.dtype(), cache.keys(b), 1, hkv, length, d);
                         Tensor tv = Tensor.of(r.dtype(), cache.values(b), 1, hkv, length, dv)) {
                        AttentionRequest fr = forwardRequest(r, b, length, q, tq, tk, tv);
                        Support s = p.supports(fr);
                        if (!s.isSupported()) {
                            throw new IllegalArgumentException("provider '" + p.name() + "' cannot run this decode"
                                    + " step (" + r.describe() + "): native decode: " + whyNotNative
                                    + "; forward pass: " + s.reason());
                        }
                        try (AttentionResult res = p.forward(fr)) {
                            res.output().copyTo(rowsO, 0, 0, rowsO.length);
                            if (lse != null) {
                                res.lse().orElseThrow(() -> new IllegalStateException("provider '" + p.name()
                                        + "' returned no LSE")).copyTo(rowsLse, 0, 0, rowsLse.length);
                            }
                            if (res.allowedPairs().isPresent()) {
                                pairs += res.allowedPairs().getAsLong();
                            } else {
                                counted = false;
                            }
                        }
                    }
                }
                out.copyFrom(rowsO, 0, (long) b * rowsO.length, rowsO.length);
                if (lse != null) {
                    lse.copyFrom(rowsLse, 0, (long) b * rowsLse.length, rowsLse.length);
                }
            }
            AttentionResult.Builder result = AttentionResult.builder(p.name()).output(out, ownsOut);
            if (counted) {
                result.allowedPairs(pairs);
            }
            if (lse != null) {
                result.lse(lse, ownsLse);
            }
            return result.build();
        } catch (RuntimeException | Error e) {
            for (Tensor t : allocated) {
                t.close();
            }
            throw e;
        }
    }

    /**
     * Whether {@code p}'s forward pass takes the requests this fallback would send for {@code r} (their support
     * depends on types, dims, masks and outputs, not on the cached lengths, so a one-position stand-in answers).
     */
    static Support support(AttentionProvider p, DecodeRequest r) {
        int hq = r.queryHeads();
        int nq = r.queryLength();
        try (Tensor tq = Tensor.allocate(r.dtype(), 1, hq, nq, r.headDim());
             Tensor tk = Tensor.allocate(r.dtype(), 1, r.kvHeads(), 1, r.headDim());
             Tensor tv = Tensor.allocate(r.dtype(), 1, r.kvHeads(), 1, r.valueDim())) {
            AttentionRequest.Builder fb = AttentionRequest.builder(tq, tk, tv).causal().normalizer(r.normalizer())
                    .scale(r.scale()).returnLse(r.returnLse()).outputDType(r.outputDType());
            r.tokenTopK().ifPresent(fb::topKTokens);
            if (r.blockTopK().isEmpty()) {
                r.window().ifPresent(w -> {
                    fb.window(w.left(), 0);
                    if (w.globalTokens() > 0) {
                        fb.globalTokens(w.globalTokens());
                    }
                });
            }
            if (r.blockMask().isPresent() || r.blockTopK().isPresent()) {
                fb.blockMask(BlockMask.of(new boolean[nq], new int[] {1, 1, nq, 1}, 1, 1));
            }
            return p.supports(fb.build());
        } catch (RuntimeException e) {
            return Support.no("support check failed: " + e);
        }
    }

    private static AttentionRequest forwardRequest(DecodeRequest r, int b, int length, float[] q, Tensor tq,
                                                   Tensor tk, Tensor tv) {
        int nq = r.queryLength();
        AttentionRequest.Builder fb = AttentionRequest.builder(tq, tk, tv).causal().normalizer(r.normalizer())
                .scale(r.scale()).returnLse(r.returnLse()).outputDType(r.outputDType());
        r.tokenTopK().ifPresent(fb::topKTokens);
        if (r.blockTopK().isEmpty()) {
            SlidingWindow w = r.window().orElse(null);
            if (w != null) {
                fb.window(w.left(), 0);
                if (w.globalTokens() > 0) {
                    fb.globalTokens(w.globalTokens());
                }
            }
            BlockMask m = r.blockMask().orElse(null);
            if (m != null) {
                int bk = m.blockK();
                fb.blockMask(BlockMask.fromFunction(1, m.heads(), nq, ceilDiv(length, bk), 1, bk,
                        (x, h, i, kb) -> length - nq + i >= 0 && m.get(b, h, (length - nq + i) / m.blockQ(), kb)));
            }
            return fb.build();
        }
        fb.blockMask(selectionMask(r, b, length, q));
        return fb.build();
    }

    /** The keys block top-k keeps, per (head, row), as a block mask of cells of g keys (g divides every block). */
    private static BlockMask selectionMask(DecodeRequest r, int b, int length, float[] q) {
        KvCache cache = r.cache();
        int hq = r.queryHeads();
        int nq = r.queryLength();
        int d = r.headDim();
        int bs = cache.blockSize();
        int g = r.window().isPresent() ? 1 : r.blockMask().map(m -> gcd(bs, m.blockK())).orElse(bs);
        int cells = ceilDiv(length, g);
        int blocks = ceilDiv(length, bs);
        double[] sums = cache.blockKeySums(b);
        double[][][] means = new double[r.kvHeads()][][];
        for (int h = 0; h < r.kvHeads(); h++) {
            means[h] = DecodeSelection.meansFromSums(sums, h * blocks * d, blocks, d, bs, length);
        }
        DecodeSelection selection = DecodeSelection.of(r);
        KeptKeys kept = new KeptKeys();
        boolean[][] keep = new boolean[hq * nq][cells];
        for (int h = 0; h < hq; h++) {
            for (int i = 0; i < nq; i++) {
                selection.keptKeys(b, h, i, length, q, means[h / r.groupSize()], kept);
                boolean[] row = keep[h * nq + i];
                for (int t = 0; t < kept.count(); t++) {
                    for (int c = kept.start(t) / g; (long) c * g < kept.end(t); c++) {
                        row[c] = true;
                    }
                }
            }
        }
        return BlockMask.fromFunction(1, hq, nq, cells, 1, g, (x, h, i, c) -> keep[h * nq + i][c]);
    }

    private static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static Tensor track(List<Tensor> allocated, Tensor t) {
        allocated.add(t);
        return t;
    }
}
