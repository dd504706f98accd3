package org.attn4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DirectMemoryTest {

    @Test
    void choosesTheForeignMemoryApiFromJdk22AndTheCleanerBefore() {
        String expected = Runtime.version().feature() >= 22 ? "arena" : "unsafe-cleaner";
        assertEquals(expected, DirectMemory.forThisJdk().mechanism());
        assertEquals(expected, HostStorage.mechanism());
    }

    @Test
    void smallAndLargeBlocksAreZeroFilledNativeOrderDirectBuffersOfTheSizeAsked() {
        // On JDK 22+ the first is left to the GC and the second has an arena of its own.
        blockIsZeroFilledNativeOrderDirect(1000);
        blockIsZeroFilledNativeOrderDirect(ArenaDirectMemory.MIN_ARENA_BYTES + 1000);
    }

    private static void blockIsZeroFilledNativeOrderDirect(int size) {
        DirectBlock block = DirectMemory.forThisJdk().allocate(size);
        try {
            ByteBuffer b = block.buffer();
            assertTrue(b.isDirect());
            assertEquals(ByteOrder.nativeOrder(), b.order());
            assertEquals(size, b.capacity());
            assertEquals(0, b.position());
            for (int i = 0; i < b.capacity(); i++) {
                assertEquals(0, b.get(i), "byte " + i);
            }
            b.putFloat(size - 4, 2.5f);
            assertEquals(2.5f, b.getFloat(size - 4));
        } finally {
            block.free();
        }
    }

    @Test
    void emptyBlocksWork() {
        DirectBlock block = DirectMemory.forThisJdk().allocate(0);
        assertEquals(0, block.buffer().capacity());
        block.free();
    }
}
