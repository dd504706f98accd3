package org.attn4j.bench.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The machine's memory bandwidth as Java sees it: {@link System#arraycopy} of a float array far larger than the
 * caches, on one thread and on every core at once (each copying its own pair of arrays), best of several
 * repetitions. Counted as STREAM's copy counts: bytes read plus bytes written, per second.
 *
 * @param singleThreadGbps one thread
 * @param allThreadsGbps   every available processor
 * @param threads          how many threads the second figure used
 * @param megabytes        size of each source array
 */
public record CopyBandwidth(double singleThreadGbps, double allThreadsGbps, int threads, int megabytes) {

    /** The higher figures of two measurements (load on the machine only lowers them). */
    static CopyBandwidth better(CopyBandwidth a, CopyBandwidth b) {
        return new CopyBandwidth(Math.max(a.singleThreadGbps, b.singleThreadGbps),
                Math.max(a.allThreadsGbps, b.allThreadsGbps), a.threads, a.megabytes);
    }

    /** Measures with arrays of {@code megabytes} MiB, {@code repetitions} times each. */
    public static CopyBandwidth measure(int megabytes, int repetitions) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        int floats = megabytes * (1 << 20) / 4;
        float[][] src = new float[threads][];
        float[][] dst = new float[threads][];
        for (int t = 0; t < threads; t++) {
            src[t] = new float[floats];
            dst[t] = new float[floats];
            java.util.Arrays.fill(src[t], 1f + t);
        }
        double single = 0;
        for (int r = 0; r < repetitions; r++) {
            long t0 = System.nanoTime();
            System.arraycopy(src[0], 0, dst[0], 0, floats);
            single = Math.max(single, 2.0 * floats * 4 / (System.nanoTime() - t0));
        }
        double all = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int r = 0; r < repetitions; r++) {
                List<Future<?>> jobs = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    int x = t;
                    jobs.add(pool.submit(() -> System.arraycopy(src[x], 0, dst[x], 0, floats)));
                }
                for (Future<?> j : jobs) {
                    j.get();
                }
                all = Math.max(all, 2.0 * floats * 4 * threads / (System.nanoTime() - t0));
            }
        } finally {
            pool.shutdownNow();
        }
        return new CopyBandwidth(single, all, threads, megabytes);
    }
}
