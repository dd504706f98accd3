package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.attn4j.internal.HostStorage;
import org.attn4j.plugins.ProbeProvider;
import org.attn4j.spi.TensorStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the Javadoc promises: a tensor closed while a call uses it is freed when the call ends, and the call reads it
 * normally until then, whatever the provider (here a plugin that knows nothing of leases).
 */
class CallLeasesTest {
    @AfterEach
    void noHook() {
        ProbeProvider.onForward(r -> { });
    }

    /** Host memory that counts its frees. */
    private static final class CountingStorage implements TensorStorage {
        final HostStorage memory;
        final AtomicInteger frees = new AtomicInteger();

        CountingStorage(long bytes) {
            memory = new HostStorage(bytes);
        }

        @Override
        public Device device() {
            return Device.CPU;
        }

        @Override
        public long byteSize() {
            return memory.byteSize();
        }

        @Override
        public void read(long byteOffset, ByteBuffer dst) {
            memory.read(byteOffset, dst);
        }

        @Override
        public void write(long byteOffset, ByteBuffer src) {
            memory.write(byteOffset, src);
        }

        @Override
        public ByteBuffer hostBuffer() {
            return memory.hostBuffer();
        }

        @Override
        public void free() {
            frees.incrementAndGet();
            memory.free();
        }
    }

    private static Tensor counted(CountingStorage s, float[] values) {
        Tensor t = Tensor.wrap(s, DType.FP32, 1, 1, values.length / 2, 2);
        t.copyFrom(values);
        return t;
    }

    @Test
    void tensorsClosedDuringTheCallAreReadNormallyAndFreedWhenItEnds() {
        float[] values = {1, 2, 3, 4, 5, 6};
        CountingStorage qs = new CountingStorage(24);
        CountingStorage ks = new CountingStorage(24);
        CountingStorage vs = new CountingStorage(24);
        Tensor q = counted(qs, values);
        Tensor k = counted(ks, values);
        Tensor v = counted(vs, values);
        AttentionRequest r = AttentionRequest.builder(q, k, v).build();
        ProbeProvider.onForward(req -> {
            q.close();
            k.close();
            v.close();
            assertTrue(q.isClosed());
            assertEquals(0, qs.frees.get() + ks.frees.get() + vs.frees.get(), "freed while the call runs");
        });
        try (AttentionResult result = Attention.forward(r, ProbeProvider.NAME)) {
            assertArrayEquals(values, result.output().toFloatArray());
        }
        assertEquals(1, qs.frees.get());
        assertEquals(1, ks.frees.get());
        assertEquals(1, vs.frees.get());
        assertThrows(IllegalStateException.class, q::toFloatArray);
    }

    @Test
    void aNewCallRefusesAClosedTensorNamingIt() {
        Tensor q = Tensor.allocate(DType.FP32, 1, 1, 3, 2);
        Tensor k = Tensor.allocate(DType.FP32, 1, 1, 3, 2);
        AttentionRequest r = AttentionRequest.builder(q, k, k).build();
        k.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attention.forward(r, ProbeProvider.NAME));
        assertTrue(e.getMessage().startsWith("k: tensor is closed"), e.getMessage());
        // q was leased before k was found closed: the lease is released, q stays usable and closes normally.
        q.toFloatArray();
        q.close();
        assertThrows(IllegalStateException.class, q::toFloatArray);
    }

    @Test
    void aLeaseKeepsEveryAccessorWorkingAfterClose() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor.Lease lease = x.acquire();
        assertEquals(x, lease.tensor());
        x.close();
        assertTrue(x.isClosed());
        assertArrayEquals(new float[] {1, 2, 3}, x.toFloatArray());
        x.copyFrom(new float[] {4, 5, 6});
        assertEquals(5f, x.get(1));
        assertEquals(6f, x.hostBuffer().asFloatBuffer().get(2));
        x.storage();
        // Another lease on the still-held memory works (asynchronous work of a provider), and keeps it alive.
        Tensor.Lease second = x.acquire();
        lease.close();
        assertEquals(4f, x.get(0));
        second.close();
        assertThrows(IllegalStateException.class, x::toFloatArray);
        assertThrows(IllegalStateException.class, x::acquire);
        assertFalse(x.toString().isEmpty());
    }
}
