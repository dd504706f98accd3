package org.attn4j.bench.timing;

/** Times one call: host wall time ({@link WallClockTimer}) or device time ({@link DeviceEventTimer}). */
public interface IntervalTimer extends AutoCloseable {

    void start();

    void stop();

    /** Milliseconds between the last {@link #start()} and {@link #stop()}, once the work has finished. */
    double elapsedMillis();

    /** What is measured, for the report: {@code host-wall} or {@code device-events}. */
    String kind();

    @Override
    void close();
}
