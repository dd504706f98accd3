package org.attn4j.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The provider's thread pool and its policy: a fork/join pool of daemon threads, created on first use, and tiny
 * problems run inline on the caller's thread, because the model layer calls attention thousands of times on short
 * sequences where forking would cost more than the work.
 *
 * <p>Threads: system property {@value #THREADS_PROPERTY}, default the number of available processors.
 */
public final class CpuThreads {
    static final String THREADS_PROPERTY = "attn4j.cpu.threads";
    /** Below about this many floating-point operations a call runs on the caller's thread. */
    static final long INLINE_FLOPS = 4_000_000L;

    private CpuThreads() {
    }

    private static final class Holder {
        static final ForkJoinPool POOL = createPool();
    }

    public static int threads() {
        String p = System.getProperty(THREADS_PROPERTY);
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // fall back to the default below
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool createPool() {
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("attn4j-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        };
        return new ForkJoinPool(threads(), factory, null, false);
    }

    /**
     * Runs {@code body} for every index in {@code [0, count)}, in parallel unless the whole job is small.
     *
     * @param flops an estimate of the job's floating-point operations, for the inline decision
     */
    public static void forEach(int count, long flops, IntConsumer body) {
        if (count <= 0) {
            return;
        }
        if (count == 1 || flops < INLINE_FLOPS || Holder.POOL.getParallelism() == 1) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        ForkJoinPool pool = Holder.POOL;
        // Leaves of a few indices each: enough pieces to balance uneven tiles (causal) without much overhead.
        int leaf = Math.max(1, count / (pool.getParallelism() * 16));
        pool.invoke(new Range(0, count, leaf, body));
    }

    private static final class Range extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final int from;
        private final int to;
        private final int leaf;
        private final transient IntConsumer body;

        Range(int from, int to, int leaf, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.leaf = leaf;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from <= leaf) {
                for (int i = from; i < to; i++) {
                    body.accept(i);
                }
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, leaf, body), new Range(mid, to, leaf, body));
        }
    }
}
