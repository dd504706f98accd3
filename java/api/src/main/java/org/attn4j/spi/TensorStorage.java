package org.attn4j.spi;

import java.nio.ByteBuffer;
import org.attn4j.Device;

/**
 * The memory behind a {@link org.attn4j.Tensor}. Host memory comes with the API; a device provider implements this
 * for its own device memory and wraps it with {@link org.attn4j.Tensor#wrap}.
 *
 * <p>Implementations need not be thread-safe for {@link #free()}: the tensor calls it exactly once, after it has been
 * closed and no running call holds a lease on it.
 */
public interface TensorStorage {

    Device device();

    long byteSize();

    /** Copies {@code dst.remaining()} bytes starting at {@code byteOffset} into {@code dst}, advancing its position. */
    void read(long byteOffset, ByteBuffer dst);

    /** Copies {@code src.remaining()} bytes from {@code src} to {@code byteOffset}, advancing its position. */
    void write(long byteOffset, ByteBuffer src);

    /**
     * A view of the whole memory for host storage (native byte order, position 0), or {@code null} for device memory.
     * The view is valid only until {@link #free()}.
     */
    ByteBuffer hostBuffer();

    /** Releases the memory. */
    void free();

    /**
     * Whether this storage and {@code other} may share any byte, so that writing one changes the other. The default,
     * identity, is right for storages that each own their memory; a storage that can be a view of another's memory
     * (a slice of one device allocation, say) overrides it, so that requests can refuse a destination overlapping
     * an input.
     */
    default boolean overlaps(TensorStorage other) {
        return this == other;
    }
}
