package org.attn4j.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.attn4j.Device;
import org.attn4j.spi.TensorStorage;

/**
 * Host memory in a direct buffer: native code reads it without a copy (JNI GetDirectBufferAddress, JavaCPP's
 * {@code new BytePointer(buffer)}). Freed eagerly on close ({@link DirectMemory}), so tensor memory is released
 * deterministically rather than whenever the garbage collector runs.
 */
public final class HostStorage implements TensorStorage {
    /** Direct buffers are indexed by int, which caps one host tensor at 2 GiB - 1 bytes. */
    public static final long MAX_BYTES = Integer.MAX_VALUE;

    private static final DirectMemory MEMORY = DirectMemory.forThisJdk();

    /** How host memory is freed on this JDK ({@link DirectMemory#mechanism()}). */
    static String mechanism() {
        return MEMORY.mechanism();
    }

    private DirectBlock block;
    private ByteBuffer buffer;

    public HostStorage(long byteSize) {
        if (byteSize < 0 || byteSize > MAX_BYTES) {
            throw new IllegalArgumentException("tensor size: host tensors hold at most " + MAX_BYTES
                    + " bytes, requested " + byteSize);
        }
        this.block = MEMORY.allocate((int) byteSize);
        this.buffer = block.buffer();
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public long byteSize() {
        return buffer().capacity();
    }

    @Override
    public void read(long byteOffset, ByteBuffer dst) {
        ByteBuffer src = buffer().duplicate();
        src.position((int) byteOffset).limit((int) byteOffset + dst.remaining());
        dst.put(src);
    }

    @Override
    public void write(long byteOffset, ByteBuffer src) {
        ByteBuffer dst = buffer().duplicate();
        dst.position((int) byteOffset);
        dst.put(src);
    }

    @Override
    public ByteBuffer hostBuffer() {
        return buffer().duplicate().order(ByteOrder.nativeOrder());
    }

    @Override
    public void free() {
        DirectBlock b = block;
        block = null;
        buffer = null;
        if (b != null) {
            b.free();
        }
    }

    private ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            throw new IllegalStateException("tensor memory has been freed");
        }
        return b;
    }
}
