package org.attn4j.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * JDK 17 to 21: {@code ByteBuffer.allocateDirect}, freed through {@code sun.misc.Unsafe.invokeCleaner} where the JDK
 * has it; otherwise freeing is left to the garbage collector.
 */
final class UnsafeCleanerDirectMemory implements DirectMemory {
    private final Object unsafe;
    private final Method invokeCleaner;

    UnsafeCleanerDirectMemory() {
        Object u = null;
        Method m = null;
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            u = null;
            m = null;
        }
        this.unsafe = u;
        this.invokeCleaner = m;
    }

    @Override
    public DirectBlock allocate(int byteSize) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(byteSize).order(ByteOrder.nativeOrder());
        return new DirectBlock() {
            @Override
            public ByteBuffer buffer() {
                return buffer;
            }

            @Override
            public void free() {
                clean(buffer);
            }
        };
    }

    @Override
    public String mechanism() {
        return "unsafe-cleaner";
    }

    private void clean(ByteBuffer b) {
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
