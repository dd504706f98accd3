package org.attn4j.conformance;

import java.util.Arrays;
import java.util.List;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.Decoding;
import org.attn4j.decode.HostKvCache;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.reference.decode.ExactDecode;
import org.attn4j.spi.AttentionProvider;

/**
 * One decode case: the provider's cache (its own kind, or the fallback's host cache) and a reference cache receive
 * the same appends; after each append, a decode step on each is compared: O (and LSE) within the tolerance, no NaN,
 * rows with no kept key exactly 0 (LSE {@code -inf}), the attended pairs when the provider counts them, and the
 * caller's output tensors used when given.
 */
final class DecodeCheck {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();

    private DecodeCheck() {
    }

    static void run(DecodeScenario s, AttentionProvider p, ConformanceOptions options, Findings f) {
        Preconditions.requireAvailable(p);
        KvCacheConfig config = CacheDevice.place(p, options, s.config());
        Preconditions.requireSupported(Decoding.cacheSupport(p, config), p, options);
        DecodeData data = DecodeData.draw(s);
        List<int[]> appends = data.counts;
        try (TensorScope scope = new TensorScope(options.placement());
             KvCache cache = Decoding.cacheOn(p, config);
             KvCache ref = new HostKvCache(s.config(), ReferenceProvider.NAME)) {
            // Tensors go where the cache is: a host cache (the fallback's) takes host tensors even from a provider
            // whose forward pass runs on a device.
            boolean onDevice = !cache.device().isCpu();
            for (int step = 0; step < appends.size(); step++) {
                int t = data.width(step);
                int[] kShape = {s.batch, s.kvHeads, t, s.headDim};
                int[] vShape = {s.batch, s.kvHeads, t, s.valueDim};
                Tensor k = scope.host(s.dtype, data.keys.get(step), kShape);
                Tensor v = scope.host(s.dtype, data.values.get(step), vShape);
                cache.append(onDevice ? scope.place(k) : k, onDevice ? scope.place(v) : v, appends.get(step));
                ref.append(k, v, appends.get(step));
                if (!Arrays.equals(cache.lengths(), ref.lengths())) {
                    f.fail("after append " + step + ": lengths " + Arrays.toString(cache.lengths())
                            + ", expected " + Arrays.toString(ref.lengths()));
                    return;
                }
                int[] qShape = {s.batch, s.queryHeads(), s.queries, s.headDim};
                Tensor qHost = scope.host(s.dtype, data.queries.get(step), qShape);
                DecodeRequest.Builder b = configure(s, DecodeRequest.builder(onDevice ? scope.place(qHost) : qHost,
                        cache), data);
                DType outType = s.outputDType != null ? s.outputDType : s.dtype;
                int[] oShape = {s.batch, s.queryHeads(), s.queries, s.valueDim};
                Tensor callerO = null;
                if (s.callerOutput) {
                    float[] nans = new float[ScenarioData.size(oShape)];
                    Arrays.fill(nans, Float.NaN);
                    callerO = onDevice ? scope.placed(outType, nans, oShape) : scope.host(outType, nans, oShape);
                    b.output(callerO);
                }
                DecodeRequest request = b.build();
                if (step == 0) {
                    Preconditions.requireSupported(Decoding.supports(p, request), p, options);
                }
                ExactDecode.Outputs want = new ExactDecode(configure(s, DecodeRequest.builder(qHost, ref), data)
                        .build()).run();
                AttentionResult got;
                try (KvCache.Lease held = cache.acquire()) {
                    got = scope.track(Decoding.run(p, request));
                }
                check(s, step, request, got, want, callerO, options.tolerances(), f);
            }
        }
    }

    static DecodeRequest.Builder configure(DecodeScenario s, DecodeRequest.Builder b, DecodeData data) {
        b.normalizer(s.normalizer).returnLse(s.lse);
        if (s.scale != null) {
            b.scale(s.scale);
        }
        if (s.windowLeft >= 0) {
            b.window(s.windowLeft);
            if (s.globalTokens > 0) {
                b.globalTokens(s.globalTokens);
            }
        }
        if (data.blockMask != null) {
            b.blockMask(data.blockMask);
        }
        if (s.blockTopK > 0 && s.blocksPerGroup) {
            b.topKBlocksPerGroup(s.blockTopK);
        } else if (s.blockTopK > 0) {
            b.topKBlocks(s.blockTopK);
        }
        if (s.tokenTopK > 0) {
            b.topKTokens(s.tokenTopK);
        }
        if (s.outputDType != null) {
            b.outputDType(s.outputDType);
        }
        return b;
    }

    private static void check(DecodeScenario s, int step, DecodeRequest r, AttentionResult got,
                              ExactDecode.Outputs want, Tensor callerO, Tolerances tolerances, Findings f) {
        String at = "step " + step + ": ";
        if (got == null) {
            f.fail(at + "decode returned null");
            return;
        }
        double tol = Math.max(tolerances.forward(s.dtype), tolerances.forward(r.outputDType()));
        int[] oShape = {s.batch, s.queryHeads(), s.queries, s.valueDim};
        Tensor out = got.output();
        if (!Arrays.equals(out.shape(), oShape)) {
            f.fail(at + "O.shape: expected " + Arrays.toString(oShape) + ", got " + Arrays.toString(out.shape()));
            return;
        }
        if (out.dtype() != r.outputDType()) {
            f.fail(at + "O.dtype: expected " + r.outputDType() + ", got " + out.dtype());
        }
        if (callerO != null && out != callerO) {
            f.fail(at + "result.output() is not the caller's output tensor");
        }
        float[] o = out.toFloatArray();
        int bad = Comparisons.firstNonFinite(o);
        if (bad >= 0) {
            f.fail(at + "O" + Comparisons.index(bad, oShape) + " = " + o[bad] + " (never NaN or infinite)");
        }
        f.error("O (" + at.trim() + ")", Comparisons.relativeError(o, want.o), tol);
        int empty = 0;
        for (int row = 0; row < want.kept.length; row++) {
            if (want.kept[row] != 0) {
                continue;
            }
            for (int c = 0; c < s.valueDim; c++) {
                if (o[row * s.valueDim + c] != 0) {
                    empty++;
                    break;
                }
            }
        }
        if (empty > 0) {
            f.fail(at + empty + " rows with no kept key are not O = 0");
        }
        if (got.allowedPairs().isPresent() && got.allowedPairs().getAsLong() != want.allowedPairs) {
            f.fail(at + "allowedPairs: expected " + want.allowedPairs + ", got " + got.allowedPairs().getAsLong());
        }
        if (r.returnLse()) {
            if (got.lse().isEmpty()) {
                f.fail(at + "LSE was requested but the result has none");
                return;
            }
            float[] l = got.lse().get().toFloatArray();
            int n = 0;
            float[] a = new float[l.length];
            float[] e = new float[l.length];
            for (int row = 0; row < l.length; row++) {
                boolean none = want.kept[row] == 0;
                if (none ? l[row] != Float.NEGATIVE_INFINITY : !Float.isFinite(l[row])) {
                    f.fail(at + "LSE" + Comparisons.index(row, new int[] {s.batch, s.queryHeads(), s.queries})
                            + " = " + l[row] + ", expected " + (none ? "-Infinity (no kept key)" : want.lse[row]));
                    return;
                }
                if (!none) {
                    a[n] = l[row];
                    e[n] = want.lse[row];
                    n++;
                }
            }
            f.error("LSE (" + at.trim() + ")", Comparisons.relativeError(Arrays.copyOf(a, n), Arrays.copyOf(e, n)),
                    tolerances.forward(s.dtype));
        }
    }
}
