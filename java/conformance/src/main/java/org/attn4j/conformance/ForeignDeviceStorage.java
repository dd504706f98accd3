package org.attn4j.conformance;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.attn4j.Device;
import org.attn4j.spi.TensorStorage;

/**
 * Memory that says it lives on {@code cuda:0} but is a heap buffer: lets the kit hand a host-only provider "device"
 * tensors, which it must refuse with an IllegalArgumentException rather than touch ({@link #hostBuffer()} is null,
 * as for real device memory).
 */
final class ForeignDeviceStorage implements TensorStorage {
    private final ByteBuffer memory;
    private final Device device;

    ForeignDeviceStorage(long bytes, Device device) {
        this.memory = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        this.device = device;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public long byteSize() {
        return memory.capacity();
    }

    @Override
    public void read(long byteOffset, ByteBuffer dst) {
        ByteBuffer src = memory.duplicate();
        src.position(Math.toIntExact(byteOffset)).limit(Math.toIntExact(byteOffset + dst.remaining()));
        dst.put(src);
    }

    @Override
    public void write(long byteOffset, ByteBuffer src) {
        ByteBuffer dst = memory.duplicate();
        dst.position(Math.toIntExact(byteOffset));
        dst.put(src);
    }

    @Override
    public ByteBuffer hostBuffer() {
        return null;
    }

    @Override
    public void free() {
        // Heap memory: the garbage collector reclaims it.
    }
}
