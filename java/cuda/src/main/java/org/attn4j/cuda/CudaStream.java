package org.attn4j.cuda;

import org.attn4j.cuda.bridge.CudaBridge;

/**
 * A CUDA stream: calls queued on it ({@link CudaAttention#forwardAsync}) run in order, asynchronously to the host,
 * until {@link #synchronize()}. {@link #perThread(int)} is the calling thread's default stream, which needs no
 * closing.
 */
public final class CudaStream implements AutoCloseable {
    private final int device;
    private final long handle;
    private final boolean owned;
    private volatile boolean closed;

    private CudaStream(int device, long handle, boolean owned) {
        this.device = device;
        this.handle = handle;
        this.owned = owned;
    }

    /** A new non-blocking stream on {@code device}. */
    public static CudaStream create(int device) {
        CudaRuntime.device(device);
        long[] out = new long[1];
        CudaErrors.check(CudaBridge.attn4j_stream_create(device, out), "cudaStreamCreate");
        return new CudaStream(device, out[0], true);
    }

    /** The calling thread's default stream on {@code device} (cudaStreamPerThread). */
    public static CudaStream perThread(int device) {
        CudaRuntime.device(device);
        return new CudaStream(device, 0, false);
    }

    public int device() {
        return device;
    }

    /** The native handle (0 for the per-thread default stream). */
    long handle() {
        if (closed) {
            throw new IllegalStateException("stream is closed");
        }
        return handle;
    }

    /** Waits until everything queued on this stream has finished; rethrows an error a kernel hit. */
    public void synchronize() {
        CudaErrors.check(CudaBridge.attn4j_stream_synchronize(device, handle()), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (owned) {
                CudaErrors.check(CudaBridge.attn4j_stream_destroy(device, handle), "cudaStreamDestroy");
            }
        }
    }

    @Override
    public String toString() {
        return "CudaStream[cuda:" + device + (owned ? "" : ", per-thread default") + "]";
    }
}
