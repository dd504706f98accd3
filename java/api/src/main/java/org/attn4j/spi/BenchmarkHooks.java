package org.attn4j.spi;

import java.util.Map;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;

/**
 * Optional interface for a provider whose tensors live in device memory or whose calls return before the device has
 * finished (a GPU provider). The benchmark ({@code attn4j-bench}) checks {@code provider instanceof BenchmarkHooks}
 * and, when it is, places every input and output on {@link #device()}, waits with {@link #synchronize()}, and times
 * each call with a {@link DeviceTimer} instead of the host clock.
 *
 * <p>A provider that takes host tensors and computes synchronously (the CPU providers) does not implement it: the
 * benchmark then uses host tensors and {@code System.nanoTime} around each call.
 *
 * <p>Expected of a CUDA provider: {@link #allocate} returns a {@link Tensor#wrap wrapped} device allocation that
 * {@link Tensor#copyFrom(float[], int, long, int)} and {@link Tensor#copyTo} can fill and read (host-to-device and
 * device-to-host copies); {@link #newTimer()} records CUDA events on the stream the calling thread's attention calls
 * are queued on.
 */
public interface BenchmarkHooks {

    /** Where the benchmark must put this provider's inputs and preallocated outputs. */
    Device device();

    /** A new tensor in {@link #device()} memory; contents unspecified (the benchmark overwrites it). */
    Tensor allocate(DType dtype, int... shape);

    /** Blocks until every call this thread has queued on the provider has finished on the device. */
    void synchronize();

    /** A new timer for this thread's stream. The benchmark closes it when the measurement ends. */
    DeviceTimer newTimer();

    /**
     * Facts about the device for the benchmark report. Keys the report shows: {@code device} (product name),
     * {@code driver} (driver version), {@code cuda} (runtime version), {@code compute_capability}, {@code memory}.
     * Empty when nothing is known.
     */
    default Map<String, String> environment() {
        return Map.of();
    }
}
