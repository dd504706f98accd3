package org.attn4j.cuda;

import org.attn4j.spi.DeviceTimer;

/**
 * Device time between two events recorded on the calling thread's stream of one device: what the kernels took,
 * without the host's launch overhead (the benchmark's timer for the {@code cuda} provider).
 */
final class CudaDeviceTimer implements DeviceTimer {
    private final int device;
    private final CudaEvent start;
    private final CudaEvent stop;

    CudaDeviceTimer(int device) {
        this.device = device;
        this.start = CudaEvent.create(device);
        CudaEvent s;
        try {
            s = CudaEvent.create(device);
        } catch (RuntimeException | Error e) {
            start.close();
            throw e;
        }
        this.stop = s;
    }

    @Override
    public void start() {
        start.record(CudaStream.perThread(device));
    }

    @Override
    public void stop() {
        stop.record(CudaStream.perThread(device));
    }

    @Override
    public double elapsedMillis() {
        stop.synchronize();
        return stop.elapsedMillis(start);
    }

    @Override
    public void close() {
        try {
            start.close();
        } finally {
            stop.close();
        }
    }
}
