package org.attn4j.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.Decoding;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.mask.BlockMask;
import org.attn4j.spi.AttentionProvider;

/**
 * Properties of a provider's KV cache, whatever its memory: the order and grouping of appends does not change what
 * it holds; every sequence keeps its own rows and length; the block sums are the float64 sums of the keys in
 * position order, exactly; a fixed capacity refuses what does not fit and changes nothing; invalid appends and
 * decode requests raise IllegalArgumentException naming the field.
 */
final class CacheCases {
    private static final int BLOCK = 4;

    /** Head and value dims of the cases: small and unequal, or the smallest the provider's caches hold. */
    private final int D;
    private final int DV;

    private CacheCases(int headDim, int valueDim) {
        this.D = headDim;
        this.DV = valueDim;
    }

    /** The cases for caches whose head dims are {@code dims} ({@code null}: any). */
    static List<ConformanceCase> all(AttentionProvider p, ConformanceOptions options, DType dtype,
                                     java.util.Set<Integer> dims) {
        if (dims == null || dims.isEmpty()) {
            return new CacheCases(5, 3).cases(p, options, dtype);
        }
        // Unequal head and value dims where two are held, so that values appended as keys are refused.
        List<Integer> sorted = new ArrayList<>(new java.util.TreeSet<>(dims));
        int d = sorted.get(0);
        return new CacheCases(d, sorted.size() > 1 ? sorted.get(1) : d).cases(p, options, dtype);
    }

    private List<ConformanceCase> cases(AttentionProvider p, ConformanceOptions options, DType dtype) {
        List<ConformanceCase> out = new ArrayList<>();
        out.add(new ConformanceCase(CaseCategory.KV_CACHE, dtype + " cache: appends one at a time, in pieces or all"
                + " at once hold the same keys, values and block sums", f -> appendOrder(p, options, dtype,
                f)));
        out.add(new ConformanceCase(CaseCategory.KV_CACHE, dtype + " cache: sequences of different lengths,"
                + " appended together and apart, each hold their own rows", f -> sequences(p, options, dtype,
                f)));
        out.add(new ConformanceCase(CaseCategory.KV_CACHE, dtype + " cache: a fixed capacity refuses an append"
                + " that does not fit and changes nothing; a growable one grows", f -> capacity(p, options, dtype,
                f)));
        out.add(new ConformanceCase(CaseCategory.KV_CACHE, dtype + " cache: invalid appends and decode requests"
                + " name the field", f -> errors(p, options, dtype, f)));
        return out;
    }

    private KvCacheConfig.Builder config(int batch, int kvHeads, DType dtype) {
        return KvCacheConfig.builder(batch, kvHeads, D).valueDim(DV).dtype(dtype).blockSize(BLOCK);
    }

    private static KvCache open(AttentionProvider p, ConformanceOptions options, KvCacheConfig requested) {
        Preconditions.requireAvailable(p);
        KvCacheConfig config = CacheDevice.place(p, options, requested);
        Preconditions.requireSupported(Decoding.cacheSupport(p, config), p, options);
        return Decoding.cacheOn(p, config);
    }

    /** A tensor where {@code cache} takes it: on the provider's device for a device cache, else on the host. */
    private static Tensor put(TensorScope scope, KvCache cache, DType dtype, float[] values, int... shape) {
        return cache.device().isCpu() ? scope.host(dtype, values, shape) : scope.placed(dtype, values, shape);
    }

    /** Positions {@code [B, H, T, width]} of random values of the type. */
    private static float[] rows(Random rnd, int n, DType dtype) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = dtype.round((float) rnd.nextGaussian());
        }
        return x;
    }

    /** Rows {@code [from, to)} of {@code [B, H, T, w]} data, as {@code [B, H, to - from, w]}. */
    private static float[] slice(float[] x, int b, int h, int t, int w, int from, int to) {
        float[] out = new float[b * h * (to - from) * w];
        for (int bh = 0; bh < b * h; bh++) {
            System.arraycopy(x, (bh * t + from) * w, out, bh * (to - from) * w, (to - from) * w);
        }
        return out;
    }

    private void appendOrder(AttentionProvider p, ConformanceOptions options, DType dtype, Findings f) {
        int b = 2;
        int h = 2;
        int t = 23;
        Random rnd = new Random(7);
        float[] k = rows(rnd, b * h * t * D, dtype);
        float[] v = rows(rnd, b * h * t * DV, dtype);
        KvCacheConfig c = config(b, h, dtype).capacity(2).build();
        int[][] pieces = {{t}, {5, 1, 11, 6}, new int[t]};
        Arrays.fill(pieces[2], 1);
        try (TensorScope scope = new TensorScope(options.placement())) {
            KvCache[] caches = new KvCache[pieces.length];
            for (int x = 0; x < pieces.length; x++) {
                caches[x] = scope.track(open(p, options, c));
                int at = 0;
                for (int n : pieces[x]) {
                    caches[x].append(put(scope, caches[x], dtype, slice(k, b, h, t, D, at, at + n), b, h, n, D),
                            put(scope, caches[x], dtype, slice(v, b, h, t, DV, at, at + n), b, h, n, DV));
                    at += n;
                }
            }
            for (int seq = 0; seq < b; seq++) {
                float[] wantK = slice(k, 1, b * h, t, D, 0, t);
                float[] keys = new float[h * t * D];
                System.arraycopy(wantK, seq * h * t * D, keys, 0, keys.length);
                double[] sums = new double[h * 6 * D];
                for (int hh = 0; hh < h; hh++) {
                    for (int pos = 0; pos < t; pos++) {
                        for (int x = 0; x < D; x++) {
                            sums[(hh * 6 + pos / BLOCK) * D + x] += keys[(hh * t + pos) * D + x];
                        }
                    }
                }
                float[] values = Arrays.copyOfRange(v, seq * h * t * DV, (seq + 1) * h * t * DV);
                for (int x = 0; x < pieces.length; x++) {
                    String how = "appended in pieces " + Arrays.toString(pieces[x]).replaceAll("(1, ){3,}", "1, ...");
                    if (caches[x].length(seq) != t) {
                        f.fail(how + ": length(" + seq + ") = " + caches[x].length(seq) + ", expected " + t);
                    }
                    if (!Arrays.equals(caches[x].keys(seq), keys)) {
                        f.fail(how + ": keys(" + seq + ") differ from what was appended");
                    }
                    if (!Arrays.equals(caches[x].values(seq), values)) {
                        f.fail(how + ": values(" + seq + ") differ from what was appended");
                    }
                    if (!Arrays.equals(caches[x].blockKeySums(seq), sums)) {
                        f.fail(how + ": blockKeySums(" + seq + ") are not the float64 sums of the keys in order");
                    }
                }
            }
        }
    }

    private void sequences(AttentionProvider p, ConformanceOptions options, DType dtype, Findings f) {
        int b = 3;
        int h = 1;
        Random rnd = new Random(11);
        List<List<float[]>> want = new ArrayList<>();
        for (int s = 0; s < b; s++) {
            want.add(new ArrayList<>());
        }
        int[][] steps = {{4, 0, 2}, {1, 1, 1}, {0, 3, 0}, {2, 2, 4}};
        try (TensorScope scope = new TensorScope(options.placement());
             KvCache cache = open(p, options, config(b, h, dtype).capacity(3).build())) {
            for (int[] counts : steps) {
                int t = Arrays.stream(counts).max().orElse(0);
                float[] k = rows(rnd, b * h * t * D, dtype);
                float[] v = rows(rnd, b * h * t * DV, dtype);
                cache.append(put(scope, cache, dtype, k, b, h, t, D), put(scope, cache, dtype, v, b, h, t, DV),
                        counts);
                for (int s = 0; s < b; s++) {
                    for (int pos = 0; pos < counts[s]; pos++) {
                        want.get(s).add(Arrays.copyOfRange(k, (s * t + pos) * D, (s * t + pos + 1) * D));
                    }
                }
            }
            int[] expected = {7, 6, 7};
            if (!Arrays.equals(cache.lengths(), expected)) {
                f.fail("lengths() = " + Arrays.toString(cache.lengths()) + ", expected " + Arrays.toString(expected));
                return;
            }
            for (int s = 0; s < b; s++) {
                float[] keys = cache.keys(s);
                for (int pos = 0; pos < expected[s]; pos++) {
                    if (!Arrays.equals(Arrays.copyOfRange(keys, pos * D, (pos + 1) * D), want.get(s).get(pos))) {
                        f.fail("sequence " + s + " position " + pos + " holds another sequence's or step's key");
                        return;
                    }
                }
            }
        }
    }

    private void capacity(AttentionProvider p, ConformanceOptions options, DType dtype, Findings f) {
        Random rnd = new Random(13);
        try (TensorScope scope = new TensorScope(options.placement());
             KvCache fixed = open(p, options, config(2, 1, dtype).capacity(8).fixedCapacity().build());
             KvCache grows = open(p, options, config(2, 1, dtype).capacity(1).build())) {
            Tensor k6 = put(scope, fixed, dtype, rows(rnd, 2 * 6 * D, dtype), 2, 1, 6, D);
            Tensor v6 = put(scope, fixed, dtype, rows(rnd, 2 * 6 * DV, dtype), 2, 1, 6, DV);
            fixed.append(k6, v6, new int[] {6, 2});
            float[] before = fixed.keys(0);
            Tensor k3 = put(scope, fixed, dtype, rows(rnd, 2 * 3 * D, dtype), 2, 1, 3, D);
            Tensor v3 = put(scope, fixed, dtype, rows(rnd, 2 * 3 * DV, dtype), 2, 1, 3, DV);
            expectField(f, "counts[0]", "an append beyond the fixed capacity", () -> fixed.append(k3, v3));
            if (!Arrays.equals(fixed.lengths(), new int[] {6, 2}) || !Arrays.equals(fixed.keys(0), before)) {
                f.fail("a refused append changed the cache: lengths " + Arrays.toString(fixed.lengths()));
            }
            fixed.append(k3, v3, new int[] {2, 3});
            if (!Arrays.equals(fixed.lengths(), new int[] {8, 5}) || fixed.capacity() != 8) {
                f.fail("after filling: lengths " + Arrays.toString(fixed.lengths()) + ", capacity "
                        + fixed.capacity() + "; expected [8, 5] and 8");
            }
            grows.append(k6, v6);
            grows.append(k3, v3);
            if (!Arrays.equals(grows.lengths(), new int[] {9, 9}) || grows.capacity() < 9) {
                f.fail("a growable cache from capacity 1: lengths " + Arrays.toString(grows.lengths())
                        + ", capacity " + grows.capacity());
            }
            float[] first = Arrays.copyOfRange(grows.keys(1), 0, 6 * D);
            if (!Arrays.equals(first, Arrays.copyOfRange(k6.toFloatArray(), 6 * D, 12 * D))) {
                f.fail("growing lost or moved the rows held before");
            }
        }
    }

    private void errors(AttentionProvider p, ConformanceOptions options, DType dtype, Findings f) {
        Random rnd = new Random(17);
        try (TensorScope scope = new TensorScope(options.placement())) {
            KvCache cache = scope.track(open(p, options, config(1, 2, dtype).build()));
            Tensor k = put(scope, cache, dtype, rows(rnd, 2 * 3 * D, dtype), 1, 2, 3, D);
            Tensor v = put(scope, cache, dtype, rows(rnd, 2 * 3 * DV, dtype), 1, 2, 3, DV);
            Tensor wrongHeads = put(scope, cache, dtype, rows(rnd, 3 * 3 * D, dtype), 1, 3, 3, D);
            expectField(f, "k.shape", "keys of 3 kv heads for 2", () -> cache.append(wrongHeads, v));
            if (D != DV) {
                expectField(f, "v.shape", "values of the key width", () -> cache.append(k, k));
            }
            DType other = dtype == DType.FP32 ? DType.FP16 : DType.FP32;
            Tensor kOther = scope.host(other, new float[2 * 3 * D], 1, 2, 3, D);
            expectField(f, "k.dtype", "keys of another type", () -> cache.append(kOther, v));
            expectField(f, "counts", "two counts for one sequence", () -> cache.append(k, v, new int[] {1, 1}));
            expectField(f, "counts[0]", "a count beyond T", () -> cache.append(k, v, new int[] {4}));
            cache.append(k, v);
            Tensor q = put(scope, cache, dtype, rows(rnd, 4 * D, dtype), 1, 4, 1, D);
            Tensor q3 = put(scope, cache, dtype, rows(rnd, 3 * D, dtype), 1, 3, 1, D);
            expectField(f, "q.shape[1]", "3 query heads for 2 kv heads",
                    () -> DecodeRequest.builder(q3, cache).build());
            Tensor qD = put(scope, cache, dtype, rows(rnd, 4 * 4, dtype), 1, 4, 1, 4);
            expectField(f, "q.shape[3]", "queries of another head dim", () -> DecodeRequest.builder(qD, cache).build());
            expectField(f, "returnLse", "the LSE of sparsemax", () -> DecodeRequest.builder(q, cache)
                    .normalizer(Normalizer.SPARSEMAX).returnLse(true).build());
            BlockMask small = BlockMask.of(new boolean[] {true}, new int[] {1, 1}, 2, 2);
            expectField(f, "blockMask.shape", "a block mask that does not cover the cache", () -> {
                try (KvCache.Lease held = cache.acquire()) {
                    return Decoding.run(p, DecodeRequest.builder(q, cache).blockMask(small).build());
                }
            });
            DecodeRequest ok = DecodeRequest.builder(q, cache).build();
            cache.close();
            expectField(f, "cache", "an append to a closed cache", () -> cache.append(k, v));
            expectField(f, "cache", "a decode on a closed cache", () -> Decoding.run(ok, p.name()));
        }
    }

    @FunctionalInterface
    private interface Call {
        Object run() throws Exception;
    }

    private static void expectField(Findings f, String field, String what, Runnable call) {
        expectField(f, field, what, () -> {
            call.run();
            return null;
        });
    }

    private static void expectField(Findings f, String field, String what, Call call) {
        try {
            Object result = call.run();
            if (result instanceof AutoCloseable) {
                ((AutoCloseable) result).close();
            }
            f.fail(what + ": no exception (expected IllegalArgumentException naming " + field + ")");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith(field)) {
                f.fail(what + ": the message does not start with " + field + ": " + e.getMessage());
            }
        } catch (Exception e) {
            f.fail(what + ": threw " + e + " (expected IllegalArgumentException naming " + field + ")");
        }
    }
}
