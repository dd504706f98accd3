package org.attn4j.model.nn;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits a loop over rows into contiguous chunks run on a small thread pool. The chunk boundaries depend only on the
 * length and the thread count, and every output element is written by one chunk, so results are reproducible for a
 * given thread count.
 */
public final class Parallel {
    private static final AtomicInteger POOL_ID = new AtomicInteger();
    private static final Parallel SERIAL = new Parallel(1);
    private static final ConcurrentHashMap<Integer, Parallel> POOLS =
            new ConcurrentHashMap<>();

    private final int threads;
    private final ForkJoinPool pool;

    private Parallel(int threads) {
        this.threads = threads;
        if (threads > 1) {
            int id = POOL_ID.incrementAndGet();
            this.pool = new ForkJoinPool(threads, p -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                t.setName("attn4j-model-" + id + "-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);
        } else {
            this.pool = null;
        }
    }

    /**
     * The shared pool of {@code threads} workers ({@code 1}: run in the calling thread). Pools are created once per
     * size and live as long as the JVM (their threads are daemons and idle between calls).
     */
    public static Parallel of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected >= 1, got " + threads);
        }
        return threads == 1 ? SERIAL : POOLS.computeIfAbsent(threads, Parallel::new);
    }

    /** Runs everything in the calling thread. */
    public static Parallel serial() {
        return SERIAL;
    }

    /** One worker per available processor. */
    public static Parallel cores() {
        return of(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** A loop body over rows {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** A loop body over rows {@code [from, to)} that knows its chunk index (for per-chunk partial sums). */
    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk, int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@link #chunks(int, int)} chunks of at least {@code minChunk}
     * rows.
     */
    public void forRange(int n, int minChunk, RangeBody body) {
        forChunks(n, minChunk, (c, from, to) -> body.run(from, to));
    }

    /** Like {@link #forRange}, passing the chunk index {@code 0 .. chunks(n, minChunk) - 1}. */
    public void forChunks(int n, int minChunk, ChunkBody body) {
        int chunks = chunks(n, minChunk);
        if (chunks <= 1) {
            if (n > 0) {
                body.run(0, 0, n);
            }
            return;
        }
        Task task = new Task(body, n, chunks, 0, chunks);
        if (insidePool()) {
            task.invoke();
        } else {
            pool.invoke(task);
        }
    }

    /** How many chunks {@link #forChunks} uses for {@code n} rows. */
    public int chunks(int n, int minChunk) {
        if (threads == 1 || n <= minChunk) {
            return 1;
        }
        int byWork = (n + Math.max(1, minChunk) - 1) / Math.max(1, minChunk);
        return Math.max(1, Math.min(threads, byWork));
    }

    private boolean insidePool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread
                && ((ForkJoinWorkerThread) Thread.currentThread()).getPool() == pool;
    }

    private static int bound(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private static final class Task extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient ChunkBody body;
        private final int n;
        private final int chunks;
        private final int lo;
        private final int hi;

        Task(ChunkBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run(lo, bound(n, chunks, lo), bound(n, chunks, lo + 1));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Task(body, n, chunks, lo, mid), new Task(body, n, chunks, mid, hi));
        }
    }
}
