package org.attn4j.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.attn4j.Device;
import org.attn4j.cuda.bridge.CudaBridge;
import org.attn4j.spi.TensorStorage;

/** Device memory from attn4j_malloc, behind a {@link org.attn4j.Tensor} ({@link CudaTensors} makes them). */
final class DeviceStorage implements TensorStorage {
    private final int device;
    private final long byteSize;
    private volatile long pointer;

    private DeviceStorage(int device, long byteSize, long pointer) {
        this.device = device;
        this.byteSize = byteSize;
        this.pointer = pointer;
    }

    /** Allocates {@code byteSize} bytes on {@code device} (uninitialized). */
    static DeviceStorage allocate(int device, long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("bytes: expected >= 0, got " + byteSize);
        }
        CudaRuntime.device(device);
        long[] out = new long[1];
        CudaErrors.check(CudaBridge.attn4j_malloc(device, byteSize, out), "cudaMalloc of " + byteSize
                + " bytes on cuda:" + device);
        return new DeviceStorage(device, byteSize, out[0]);
    }

    int deviceIndex() {
        return device;
    }

    /** The device address. */
    long pointer() {
        long p = pointer;
        if (p == 0) {
            throw new IllegalStateException("device memory has been freed");
        }
        return p;
    }

    @Override
    public Device device() {
        return Device.cuda(device);
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public void read(long byteOffset, ByteBuffer dst) {
        int n = dst.remaining();
        checkRange(byteOffset, n);
        ByteBuffer target = dst.isDirect() ? dst : ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
        CudaErrors.check(CudaBridge.copyToHost(device, target, pointer() + byteOffset, n, 0),
                "copy of " + n + " bytes from cuda:" + device);
        if (target != dst) {
            dst.put(target);
        } else {
            dst.position(dst.position() + n);
        }
    }

    @Override
    public void write(long byteOffset, ByteBuffer src) {
        int n = src.remaining();
        checkRange(byteOffset, n);
        ByteBuffer source = src;
        if (!src.isDirect()) {
            source = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
            source.put(src.duplicate()).flip();
        }
        CudaErrors.check(CudaBridge.copyToDevice(device, pointer() + byteOffset, source, n, 0),
                "copy of " + n + " bytes to cuda:" + device);
        src.position(src.position() + n);
    }

    @Override
    public ByteBuffer hostBuffer() {
        return null;
    }

    @Override
    public void free() {
        long p = pointer;
        pointer = 0;
        if (p != 0) {
            // Stream-ordered: the memory is released after the work already queued with it on any stream, without
            // waiting here (an asynchronous call never reads freed memory, and no other stream stalls).
            CudaErrors.check(CudaBridge.attn4j_free(device, p), "cudaFree on cuda:" + device);
        }
    }

    private void checkRange(long byteOffset, int n) {
        if (byteOffset < 0 || byteOffset > byteSize - n) {
            throw new IllegalArgumentException("device range: bytes " + byteOffset + ".." + (byteOffset + n)
                    + " do not fit " + byteSize + " bytes");
        }
    }

    @Override
    public String toString() {
        return "DeviceStorage[cuda:" + device + ", " + byteSize + " bytes]";
    }
}
