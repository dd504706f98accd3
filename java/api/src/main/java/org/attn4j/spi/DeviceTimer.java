package org.attn4j.spi;

/**
 * Device time of the work queued between {@link #start()} and {@link #stop()}, as the device measured it (for CUDA:
 * one event recorded at each end on the calling thread's stream, then {@code cudaEventElapsedTime}). Host-side
 * launch overhead that does not delay the device does not count; gaps while the device idles between the two events
 * do, so the benchmark queues only the call it measures between them.
 *
 * <p>Used from one thread; {@code start, stop, elapsedMillis} may repeat any number of times before {@link #close()}.
 */
public interface DeviceTimer extends AutoCloseable {

    /** Marks the start: work queued after this call is timed. */
    void start();

    /** Marks the end: work queued before this call is timed. */
    void stop();

    /** Waits until the work before {@link #stop()} has finished and returns the time between the marks, in ms. */
    double elapsedMillis();

    /** Releases the events. */
    @Override
    void close();
}
