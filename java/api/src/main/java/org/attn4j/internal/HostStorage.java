package org.attn4j.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.attn4j.Device;
import org.attn4j.spi.TensorStorage;

/**
 * Host memory in a direct buffer: native code reads it without a copy (JNI GetDirectBufferAddress, JavaCPP's
 * {@code new BytePointer(buffer)}). Freed eagerly on close through {@code Unsafe.invokeCleaner}, so tensor memory is
 * released deterministically rather than whenever the garbage collector runs.
 */
public final class HostStorage implements TensorStorage {
    /** Direct buffers are indexed by int, which caps one host tensor at 2 GiB - 1 bytes. */
    public static final long MAX_BYTES = Integer.MAX_VALUE;

    private static final Cleaner CLEANER = Cleaner.find();

    private ByteBuffer buffer;

    public HostStorage(long byteSize) {
        if (byteSize < 0 || byteSize > MAX_BYTES) {
            throw new IllegalArgumentException("tensor size: host tensors hold at most " + MAX_BYTES
                    + " bytes, requested " + byteSize);
        }
        this.buffer = ByteBuffer.allocateDirect((int) byteSize).order(ByteOrder.nativeOrder());
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
        ByteBuffer b = buffer;
        buffer = null;
        if (b != null) {
            CLEANER.clean(b);
        }
    }

    private ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            throw new IllegalStateException("tensor memory has been freed");
        }
        return b;
    }

    /** Calls {@code sun.misc.Unsafe.invokeCleaner} when the JDK has it; otherwise leaves freeing to the GC. */
    private static final class Cleaner {
        private final Object unsafe;
        private final Method invokeCleaner;

        private Cleaner(Object unsafe, Method invokeCleaner) {
            this.unsafe = unsafe;
            this.invokeCleaner = invokeCleaner;
        }

        static Cleaner find() {
            try {
                Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                Field f = unsafeClass.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                return new Cleaner(f.get(null), unsafeClass.getMethod("invokeCleaner", ByteBuffer.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return new Cleaner(null, null);
            }
        }

        void clean(ByteBuffer b) {
            if (invokeCleaner == null) {
                return;
            }
            try {
                invokeCleaner.invoke(unsafe, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // The GC frees the buffer later; nothing is lost but promptness.
            }
        }
    }
}
