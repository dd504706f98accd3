package org.attn4j.bench.decode;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.bench.data.Placement;
import org.attn4j.bench.timing.IntervalTimer;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;

/**
 * Time per decode step as the context grows: for each context, a cache filled with random keys and values, then for
 * each mask a warm-up and timed decode steps (best and median), the keys kept, the bytes read and the bandwidth
 * that makes; then the NumPy peer on the same cache, its output checked against attn4j's.
 */
public final class DecodeBenchmark {
    static final int MAX_REPETITIONS = 2000;
    /** Rounds of timed steps, every mask in turn. */
    static final int ROUNDS = 3;

    /**
     * What to measure.
     *
     * @param provider null: the provider automatic selection picks for the cache
     * @param work     folder for the files handed to the peer
     */
    public record Options(List<Integer> contexts, int batch, int heads, int kvHeads, int dim,
                          List<DecodeMaskSpec> masks, Normalizer normalizer, DType dtype, String provider, int warmup,
                          int repetitions, double warmupSeconds, double seconds, boolean numpy, String python,
                          Path work, long seed) {
    }

    private final Options o;
    private final PrintWriter log;
    private final Placement placement;

    /**
     * @throws IllegalArgumentException when the provider named in the options holds its caches on a device but
     *                                  offers no way to place the queries there ({@link Placement#of})
     */
    public DecodeBenchmark(Options options, PrintWriter log) {
        this.o = options;
        this.log = log;
        this.placement = placementFor(options.provider());
    }

    /**
     * Where the named provider's cache and queries live and how its steps are timed: a device provider's memory and
     * events ({@code cuda}: the kernels' time, no transfers), else host memory and the host clock.
     */
    public static Placement placementFor(String provider) {
        return provider == null ? Placement.host() : Placement.of(Attention.provider(provider));
    }

    /** Measures every (context, mask); rows in that order. */
    public List<DecodeRow> run(CopyBandwidth copy) {
        List<DecodeRow> rows = new ArrayList<>();
        NumpyDecodePeer peer = o.numpy() ? new NumpyDecodePeer(o.python(), o.work(), 1800) : null;
        if (o.warmupSeconds() > 0 && !o.contexts().isEmpty()) {
            // A pass over the first context, not recorded: the JIT compiles while nothing is measured.
            log.println("  warming up the JIT ...");
            log.flush();
            context(o.contexts().get(0), copy, null);
        }
        for (int context : o.contexts()) {
            rows.addAll(context(context, copy, peer));
        }
        return rows;
    }

    private List<DecodeRow> context(int context, CopyBandwidth copy, NumpyDecodePeer peer) {
        Random rnd = new Random(o.seed() + context);
        int b = o.batch();
        float[] k = gaussian(rnd, b * o.kvHeads() * context * o.dim(), o.dtype());
        float[] v = gaussian(rnd, b * o.kvHeads() * context * o.dim(), o.dtype());
        float[] q = gaussian(rnd, b * o.heads() * o.dim(), o.dtype());
        Map<Integer, KvCache> caches = new LinkedHashMap<>();
        List<DecodeRow> rows = new ArrayList<>();
        Map<String, float[]> outputs = new LinkedHashMap<>();
        try (Tensor tk = placed(k, b, o.kvHeads(), context, o.dim());
             Tensor tv = placed(v, b, o.kvHeads(), context, o.dim());
             Tensor tq = placed(q, b, o.heads(), 1, o.dim())) {
            List<DecodeRequest> requests = new ArrayList<>();
            for (DecodeMaskSpec m : o.masks()) {
                KvCache cache = caches.computeIfAbsent(m.blockSize(), bs -> {
                    KvCache c = KvCache.create(KvCacheConfig.builder(b, o.kvHeads(), o.dim()).dtype(o.dtype())
                            .device(placement.device()).capacity(context).fixedCapacity().blockSize(bs).build(),
                            o.provider());
                    c.append(tk, tv);
                    return c;
                });
                requests.add(m.applyTo(DecodeRequest.builder(tq, cache).normalizer(o.normalizer()), context).build());
            }
            rows.addAll(measure(context, requests, copy, outputs));
        } finally {
            caches.values().forEach(KvCache::close);
        }
        double dense = rows.stream().filter(r -> r.mask().equals("dense")).mapToDouble(DecodeRow::msPerToken)
                .findFirst().orElse(Double.NaN);
        if (!Double.isNaN(dense)) {
            rows.replaceAll(r -> r.withDense(dense));
        }
        if (peer != null) {
            rows = withPeer(rows, peer, context, k, v, q, outputs);
        }
        return rows;
    }

    /**
     * Times every mask at one context: each warmed up (at least the count and the seconds asked, so that the JIT
     * has compiled its path), then {@value #ROUNDS} rounds in which every mask runs timed steps in turn (together at
     * least the count and the seconds asked), so that dense and sparse steps meet the same conditions on a shared
     * machine; the best and the median over the rounds are reported.
     */
    private List<DecodeRow> measure(int context, List<DecodeRequest> requests, CopyBandwidth copy,
                                    Map<String, float[]> outputs) {
        int masks = requests.size();
        long[] pairs = new long[masks];
        String[] provider = new String[masks];
        double[][] ms = new double[masks][];
        int[] n = new int[masks];
        for (int x = 0; x < masks; x++) {
            DecodeRequest r = requests.get(x);
            try (AttentionResult first = Attention.decode(r)) {
                outputs.put(o.masks().get(x).label(), first.output().toFloatArray());
                pairs[x] = first.allowedPairs().orElseGet(() -> DecodeTraffic.keptPairs(r));
                provider[x] = first.provider();
            }
            long start = System.nanoTime();
            for (int w = 0; w < o.warmup() || System.nanoTime() - start < o.warmupSeconds() * 1e9; w++) {
                try (AttentionResult ignored = Attention.decode(r)) {
                    // warm-up
                }
            }
            ms[x] = new double[16];
        }
        try (IntervalTimer timer = placement.newTimer()) {
            timeRounds(requests, timer, ms, n);
        }
        List<DecodeRow> rows = new ArrayList<>();
        for (int x = 0; x < masks; x++) {
            DecodeMaskSpec m = o.masks().get(x);
            DecodeRequest r = requests.get(x);
            double[] t = Arrays.copyOf(ms[x], n[x]);
            Arrays.sort(t);
            // The cpu provider keeps floats; a device cache keeps the request's type.
            long bytes = DecodeTraffic.bytesPerStep(r, placement.isHost() ? Float.BYTES : o.dtype().byteSize());
            double best = t[0];
            double gbps = bytes / best / 1e6;
            double kept = pairs[x] / ((double) r.batch() * r.queryHeads() * context);
            log.printf("  context %6d  %-28s kept %6.2f%%  %8.3f ms  %6.2f GB/s%n", context, m.label(), 100 * kept,
                    best, gbps);
            log.flush();
            rows.add(new DecodeRow(context, m.label(), provider[x], o.normalizer().label(),
                    m.hasBlockTopK() ? m.blocksFor(context) : 0, kept, best, t[t.length / 2], t.length, bytes, gbps,
                    gbps / copy.allThreadsGbps(), null, null, null, null, null, ""));
        }
        return rows;
    }

    /** The timed rounds: every mask's steps in turn, each step's time into {@code ms[mask]}. */
    private void timeRounds(List<DecodeRequest> requests, IntervalTimer timer, double[][] ms, int[] n) {
        int masks = requests.size();
        for (int round = 0; round < ROUNDS; round++) {
            for (int x = 0; x < masks; x++) {
                DecodeRequest r = requests.get(x);
                int wanted = (o.repetitions() + ROUNDS - 1) / ROUNDS;
                int done = 0;
                long start = System.nanoTime();
                while (done < wanted || (System.nanoTime() - start < o.seconds() / ROUNDS * 1e9
                        && done < MAX_REPETITIONS / ROUNDS)) {
                    timer.start();
                    try (AttentionResult ignored = Attention.decode(r)) {
                        timer.stop();
                        if (n[x] == ms[x].length) {
                            ms[x] = Arrays.copyOf(ms[x], 2 * n[x]);
                        }
                        ms[x][n[x]++] = timer.elapsedMillis();
                    }
                    done++;
                }
            }
        }
    }

    /** {@code values} in a new tensor where the provider reads them (host, or its device). */
    private Tensor placed(float[] values, int... shape) {
        Tensor t = placement.allocate(o.dtype(), shape);
        try {
            t.copyFrom(values);
            return t;
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    private List<DecodeRow> withPeer(List<DecodeRow> rows, NumpyDecodePeer peer, int context, float[] k, float[] v,
                                     float[] q, Map<String, float[]> outputs) {
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("batch", o.batch());
        shape.put("heads_q", o.heads());
        shape.put("heads_kv", o.kvHeads());
        shape.put("head_dim", o.dim());
        shape.put("value_dim", o.dim());
        shape.put("context", context);
        shape.put("scale", 1.0 / Math.sqrt(o.dim()));
        shape.put("warmup", o.warmup());
        shape.put("repetitions", o.repetitions());
        List<Map<String, Object>> masks = new ArrayList<>();
        for (DecodeMaskSpec m : o.masks()) {
            Map<String, Object> mask = new LinkedHashMap<>();
            mask.put("label", m.label());
            mask.put("normalizer", o.normalizer().label());
            mask.put("window_left", m.windowLeft());
            mask.put("global", m.globalTokens());
            mask.put("block_topk", m.hasBlockTopK() ? m.blocksFor(context) : 0);
            mask.put("block_size", m.blockSize());
            mask.put("block_topk_group", m.blocksPerGroup());
            mask.put("token_topk", m.tokenTopK());
            masks.add(mask);
        }
        // NumPy as installed (its BLAS threads on every core) and with one BLAS thread, which is faster for these
        // small products on a busy machine: the better of the two is the peer's time.
        Map<String, String> single = Map.of("OPENBLAS_NUM_THREADS", "1", "OMP_NUM_THREADS", "1", "MKL_NUM_THREADS",
                "1");
        int size = o.batch() * o.heads() * o.dim();
        log.printf("  context %6d  NumPy peer (default BLAS threads, then one) ...%n", context);
        log.flush();
        Map<String, NumpyDecodePeer.Result> threaded = peer.run(shape, k, v, q, masks, size, Map.of());
        Map<String, NumpyDecodePeer.Result> oneThread = peer.run(shape, k, v, q, masks, size, single);
        List<DecodeRow> out = new ArrayList<>();
        for (DecodeRow r : rows) {
            NumpyDecodePeer.Result a = threaded.get(r.mask());
            NumpyDecodePeer.Result b = oneThread.get(r.mask());
            boolean aOk = a != null && "ok".equals(a.status());
            boolean bOk = b != null && "ok".equals(b.status());
            if (!aOk && !bOk) {
                NumpyDecodePeer.Result p = a != null ? a : b;
                out.add(r.withNumpy(null, null, null, p == null ? "no result" : p.status() + ": " + p.note()));
                continue;
            }
            boolean single1 = !aOk || (bOk && b.msBest() < a.msBest());
            NumpyDecodePeer.Result p = single1 ? b : a;
            double err = Math.max(aOk ? relativeError(a.output(), outputs.get(r.mask())) : 0,
                    bOk ? relativeError(b.output(), outputs.get(r.mask())) : 0);
            String note = p.note() + (single1 ? ", 1 BLAS thread" : ", default BLAS threads");
            log.printf("  context %6d  %-28s NumPy %8.3f ms  (NumPy / attn4j %.2f, outputs differ by %.1e; %s)%n",
                    context, r.mask(), p.msBest(), p.msBest() / r.msPerToken(), err, note);
            log.flush();
            out.add(r.withNumpy(p.msBest(), p.msMedian(), err, note));
        }
        return out;
    }

    private static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
            norm += (double) b[i] * b[i];
        }
        return Math.sqrt(diff / Math.max(norm, Double.MIN_NORMAL));
    }

    private static float[] gaussian(Random rnd, int n, DType dtype) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = dtype.round((float) rnd.nextGaussian());
        }
        return x;
    }
}
