package org.attn4j.bench.timing;

/**
 * Host wall time with {@link System#nanoTime()}. For a provider with asynchronous calls, {@code synchronize} waits
 * for the device before the end mark, so the interval covers the whole call.
 */
public final class WallClockTimer implements IntervalTimer {
    private final Runnable synchronize;
    private long start;
    private long stop;

    /** @param synchronize run before the end mark (waits for queued device work), or null for synchronous calls */
    public WallClockTimer(Runnable synchronize) {
        this.synchronize = synchronize;
    }

    @Override
    public void start() {
        if (synchronize != null) {
            synchronize.run();
        }
        start = System.nanoTime();
    }

    @Override
    public void stop() {
        if (synchronize != null) {
            synchronize.run();
        }
        stop = System.nanoTime();
    }

    @Override
    public double elapsedMillis() {
        return (stop - start) / 1e6;
    }

    @Override
    public String kind() {
        return "host-wall";
    }

    @Override
    public void close() {
    }
}
