package org.attn4j.cuda;

import org.attn4j.cuda.bridge.CudaBridge;

/** A CUDA event, for timing work on a stream ({@link #elapsedMillis}). */
public final class CudaEvent implements AutoCloseable {
    private final int device;
    private final long handle;
    private volatile boolean closed;

    private CudaEvent(int device, long handle) {
        this.device = device;
        this.handle = handle;
    }

    public static CudaEvent create(int device) {
        CudaRuntime.device(device);
        long[] out = new long[1];
        CudaErrors.check(CudaBridge.attn4j_event_create(device, out), "cudaEventCreate");
        return new CudaEvent(device, out[0]);
    }

    long handle() {
        if (closed) {
            throw new IllegalStateException("event is closed");
        }
        return handle;
    }

    public void record(CudaStream stream) {
        CudaErrors.check(CudaBridge.attn4j_event_record(device, handle(), stream.handle()), "cudaEventRecord");
    }

    public void synchronize() {
        CudaErrors.check(CudaBridge.attn4j_event_synchronize(device, handle()), "cudaEventSynchronize");
    }

    /** Milliseconds between {@code start} and this event (both recorded and completed). */
    public float elapsedMillis(CudaEvent start) {
        float[] ms = new float[1];
        CudaErrors.check(CudaBridge.attn4j_event_elapsed_ms(device, start.handle(), handle(), ms),
                "cudaEventElapsedTime");
        return ms[0];
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CudaErrors.check(CudaBridge.attn4j_event_destroy(device, handle), "cudaEventDestroy");
        }
    }
}
