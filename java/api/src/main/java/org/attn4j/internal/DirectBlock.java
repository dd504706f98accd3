package org.attn4j.internal;

import java.nio.ByteBuffer;

/** One block of direct memory from a {@link DirectMemory}. */
public interface DirectBlock {

    /** The whole block: position 0, native byte order. */
    ByteBuffer buffer();

    /** Gives the memory back. Called once; the buffer and its views must not be used afterwards. */
    void free();
}
