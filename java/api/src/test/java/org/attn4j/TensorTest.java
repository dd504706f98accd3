package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void roundTripsFloatsInEveryType() {
        float[] values = {0f, 1f, -2.5f, 3.140625f, 1e-3f, -65504f};
        for (DType t : DType.values()) {
            try (Tensor x = Tensor.of(t, values, 2, 3)) {
                float[] back = x.toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    assertEquals(t.round(values[i]), back[i], 0f, t + " element " + i);
                }
                assertEquals(6, x.size());
                assertEquals(6L * t.byteSize(), x.byteSize());
                assertEquals(t.round(3.140625f), x.get(1, 0));
            }
        }
    }

    @Test
    void partialCopiesLandAtTheIndex() {
        try (Tensor x = Tensor.allocate(DType.FP16, 10)) {
            x.copyFrom(new float[] {9, 1, 2, 3, 9}, 1, 4, 3);
            float[] out = new float[5];
            x.copyTo(out, 1, 3, 4);
            assertArrayEquals(new float[] {0, 0, 1, 2, 3}, out);
        }
    }

    @Test
    void rejectsBadShapesAndRanges() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.FP32, 2, -1));
        assertTrue(e.getMessage().contains("shape[1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("expected 6"), e.getMessage());
        try (Tensor x = Tensor.allocate(DType.FP32, 4)) {
            assertThrows(IllegalArgumentException.class, () -> x.copyTo(new float[4], 0, 2, 3));
            assertThrows(IllegalArgumentException.class, () -> x.get(4));
            assertThrows(IllegalArgumentException.class, () -> x.dim(1));
        }
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(DType.FP32, 1 << 16, 1 << 15));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
    }

    @Test
    void closedTensorRefusesUse() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        x.close();
        x.close(); // twice is harmless
        assertTrue(x.isClosed());
        assertThrows(IllegalStateException.class, x::toFloatArray);
        assertThrows(IllegalStateException.class, x::hostBuffer);
        assertThrows(IllegalStateException.class, x::acquire);
    }

    @Test
    void closeDuringALeaseDefersTheFree() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor.Lease lease = x.acquire();
        java.nio.ByteBuffer view = x.hostBuffer();
        x.close();
        assertTrue(x.isClosed());
        // The memory must still be valid for the running call.
        assertEquals(2f, view.asFloatBuffer().get(1));
        lease.close();
        lease.close();
        assertThrows(IllegalStateException.class, x::hostBuffer);
    }
}
