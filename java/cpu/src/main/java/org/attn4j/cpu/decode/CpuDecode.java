package org.attn4j.cpu.decode;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeCapabilities;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.spi.Support;

/**
 * The {@code cpu} provider's decode step on its own cache: plan the kept keys ({@link DecodePlan}), then softmax in
 * one pass ({@link SoftmaxDecode}), token top-k with per-task heaps ({@link TokenTopKDecode}), or the buffered
 * two-phase pass for sparsemax and entmax-1.5 ({@link BufferedDecode}); all split every kv head group's keys over
 * the threads, so one sequence with few heads
 * still keeps every core busy, and both read only the keys that are kept.
 */
public final class CpuDecode {
    /** Everything the SPEC defines for decoding, on this provider's host caches. */
    public static final DecodeCapabilities CAPABILITIES = DecodeCapabilities.everything();

    private CpuDecode() {
    }

    /** Whether the native path runs {@code r}: the capabilities, and a cache of this provider's kind. */
    public static Support supports(DecodeRequest r) {
        if (!(r.cache() instanceof CpuKvCache)) {
            return Support.no("the cache was made by provider '" + r.cache().provider() + "'; the cpu decode path"
                    + " reads only its own caches");
        }
        return CAPABILITIES.check(r);
    }

    /** Runs one step; the caller holds the cache and the tensors. */
    public static AttentionResult run(DecodeRequest r, String providerName) {
        r.checkOpen();
        CpuKvCache cache = (CpuKvCache) r.cache();
        int rows = r.batch() * r.queryHeads() * r.queryLength();
        float[] o = new float[rows * r.valueDim()];
        float[] lse = new float[rows];
        DecodePlan plan = new DecodePlan(r, cache);
        long pairs;
        if (r.tokenTopK().isPresent()) {
            pairs = TokenTopKDecode.run(plan, r.normalizer(), r.tokenTopK().getAsInt(), o, lse);
        } else if (r.normalizer() != Normalizer.SOFTMAX) {
            pairs = BufferedDecode.run(plan, r.normalizer(), o, lse);
        } else {
            SoftmaxDecode.run(plan, o, lse);
            pairs = plan.keptTotal;
        }
        List<Tensor> allocated = new ArrayList<>();
        try {
            Tensor out = r.output().orElse(null);
            boolean ownsOut = out == null;
            if (ownsOut) {
                out = track(allocated, Tensor.allocate(r.outputDType(), r.batch(), r.queryHeads(), r.queryLength(),
                        r.valueDim()));
            }
            out.copyFrom(o);
            AttentionResult.Builder result = AttentionResult.builder(providerName).allowedPairs(pairs)
                    .output(out, ownsOut);
            if (r.returnLse()) {
                Tensor l = r.lseOutput().orElse(null);
                boolean ownsLse = l == null;
                if (ownsLse) {
                    l = track(allocated, Tensor.allocate(DType.FP32, r.batch(), r.queryHeads(), r.queryLength()));
                }
                l.copyFrom(lse);
                result.lse(l, ownsLse);
            }
            return result.build();
        } catch (RuntimeException | Error e) {
            for (Tensor t : allocated) {
                t.close();
            }
            throw e;
        }
    }

    private static Tensor track(List<Tensor> allocated, Tensor t) {
        allocated.add(t);
        return t;
    }
}
