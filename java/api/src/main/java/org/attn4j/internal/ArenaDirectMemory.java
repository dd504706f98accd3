package org.attn4j.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * JDK 22 and newer: each block of {@link #MIN_ARENA_BYTES} or more is a segment of its own shared
 * {@code java.lang.foreign.Arena}, seen as a direct buffer ({@code MemorySegment.asByteBuffer()}); closing the arena
 * frees it, and a stale view then throws {@code IllegalStateException} instead of reading freed memory. Shared, not
 * confined, because providers read tensors from many threads. Smaller blocks are plain direct buffers that the
 * garbage collector frees. The classes are reached through method handles because this code is compiled for Java 17,
 * where the API does not exist yet.
 */
final class ArenaDirectMemory implements DirectMemory {
    /** The foreign memory API is final from JDK 22 (a preview before, which would need --enable-preview). */
    static final int FIRST_JDK = 22;
    /**
     * Closing a shared arena costs about 40 us on JDK 25 (it synchronises with every thread), whatever the size; a
     * direct buffer left to the GC costs more than that from about 16 KiB on (new memory is faulted in each time
     * instead of reused), measured on 2 cores. So only blocks from this size on get an arena of their own.
     */
    static final int MIN_ARENA_BYTES = 16 * 1024;
    /** Cache-line alignment: vector loads in native code prefer it. */
    private static final long ALIGNMENT = 64;

    private final MethodHandle ofShared;
    private final MethodHandle allocate;
    private final MethodHandle asByteBuffer;
    private final MethodHandle close;

    private ArenaDirectMemory(MethodHandle ofShared, MethodHandle allocate, MethodHandle asByteBuffer,
                              MethodHandle close) {
        this.ofShared = ofShared;
        this.allocate = allocate;
        this.asByteBuffer = asByteBuffer;
        this.close = close;
    }

    /** The arena mechanism, or empty before JDK 22 (or if the API is not what JDK 22 defines). */
    static Optional<ArenaDirectMemory> find() {
        if (Runtime.version().feature() < FIRST_JDK) {
            return Optional.empty();
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            return Optional.of(new ArenaDirectMemory(
                    lookup.findStatic(arena, "ofShared", MethodType.methodType(arena))
                            .asType(MethodType.methodType(Object.class)),
                    lookup.findVirtual(arena, "allocate", MethodType.methodType(segment, long.class, long.class))
                            .asType(MethodType.methodType(Object.class, Object.class, long.class, long.class)),
                    lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class))
                            .asType(MethodType.methodType(ByteBuffer.class, Object.class)),
                    lookup.findVirtual(arena, "close", MethodType.methodType(void.class))
                            .asType(MethodType.methodType(void.class, Object.class))));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public DirectBlock allocate(int byteSize) {
        if (byteSize < MIN_ARENA_BYTES) {
            return collectedByGc(ByteBuffer.allocateDirect(byteSize).order(ByteOrder.nativeOrder()));
        }
        Object arena = invoke(() -> (Object) ofShared.invokeExact());
        try {
            Object segment = invoke(() -> (Object) allocate.invokeExact(arena, (long) byteSize, ALIGNMENT));
            ByteBuffer buffer = invoke(() -> (ByteBuffer) asByteBuffer.invokeExact(segment))
                    .order(ByteOrder.nativeOrder());
            return new DirectBlock() {
                @Override
                public ByteBuffer buffer() {
                    return buffer;
                }

                @Override
                public void free() {
                    closeArena(arena);
                }
            };
        } catch (RuntimeException | Error e) {
            closeArena(arena);
            throw e;
        }
    }

    private static DirectBlock collectedByGc(ByteBuffer buffer) {
        return new DirectBlock() {
            @Override
            public ByteBuffer buffer() {
                return buffer;
            }

            @Override
            public void free() {
                // The garbage collector frees it with the buffer.
            }
        };
    }

    @Override
    public String mechanism() {
        return "arena";
    }

    private void closeArena(Object arena) {
        invoke(() -> {
            close.invokeExact(arena);
            return null;
        });
    }

    private interface Call<T> {
        T run() throws Throwable;
    }

    /** Runs a method handle, letting unchecked exceptions and errors (OutOfMemoryError) through unchanged. */
    private static <T> T invoke(Call<T> call) {
        try {
            return call.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("foreign memory call failed", t);
        }
    }
}
