package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.spi.TensorStorage;
import org.junit.jupiter.api.Test;

/** Invalid input gets an IllegalArgumentException naming the field; nothing half-computed escapes. */
class ErrorCaseTest {

    @Test
    void closedInputIsNamed() {
        Tensor q = Tensor.allocate(DType.FP32, 1, 1, 4, 4);
        try (Tensor k = Tensor.allocate(DType.FP32, 1, 1, 4, 4); Tensor v = Tensor.allocate(DType.FP32, 1, 1, 4, 4)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).build();
            q.close();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fixtures.CPU.forward(r));
            assertTrue(e.getMessage().startsWith("q:"), e.getMessage());
        }
    }

    @Test
    void deviceTensorsAreRefusedWithTheReason() {
        try (Tensor q = deviceTensor(); Tensor k = deviceTensor(); Tensor v = deviceTensor()) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).build();
            assertFalse(Fixtures.CPU.supports(r).isSupported());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fixtures.CPU.forward(r));
            assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("cpu"), e.getMessage());
        }
    }

    @Test
    void probabilitiesTooLargeForOneTensorAreRefused() {
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 1, 32768, 1);
             Tensor k = Tensor.allocate(DType.FP32, 1, 1, 32768, 1);
             Tensor v = Tensor.allocate(DType.FP32, 1, 1, 32768, 1)) {
            // Refused when the request is built, for every provider (the reference used to overflow an int).
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionRequest.builder(q, k, v).returnProbabilities(true).build());
            assertTrue(e.getMessage().startsWith("returnProbabilities:"), e.getMessage());
        }
    }

    @Test
    void backwardWithAClosedGradientIsNamed() {
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 1, 4, 4); Tensor k = Tensor.allocate(DType.FP32, 1, 1, 4, 4);
             Tensor v = Tensor.allocate(DType.FP32, 1, 1, 4, 4)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).build();
            try (AttentionResult a = Fixtures.CPU.forward(r)) {
                Tensor g = Tensor.allocate(DType.FP32, 1, 1, 4, 4);
                BackwardRequest b = BackwardRequest.of(r, a, g);
                g.close();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Fixtures.CPU.backward(b));
                assertTrue(e.getMessage().startsWith("gradOutput:"), e.getMessage());
            }
        }
    }

    @Test
    void invalidRequestsNeverReachTheProvider() {
        try (Tensor q = Tensor.allocate(DType.FP32, 1, 3, 4, 4); Tensor k = Tensor.allocate(DType.FP32, 1, 2, 4, 4);
             Tensor v = Tensor.allocate(DType.FP32, 1, 2, 4, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionRequest.builder(q, k, v).build());
            assertTrue(e.getMessage().contains("kv heads"), e.getMessage());
        }
    }

    /** A tensor whose storage claims to be on a CUDA device; it has no host memory. */
    private static Tensor deviceTensor() {
        TensorStorage storage = new TensorStorage() {
            @Override
            public Device device() {
                return Device.cuda(0);
            }

            @Override
            public long byteSize() {
                return 64;
            }

            @Override
            public void read(long byteOffset, ByteBuffer dst) {
                throw new UnsupportedOperationException("device memory");
            }

            @Override
            public void write(long byteOffset, ByteBuffer src) {
                throw new UnsupportedOperationException("device memory");
            }

            @Override
            public ByteBuffer hostBuffer() {
                return null;
            }

            @Override
            public void free() {
            }
        };
        return Tensor.wrap(storage, DType.FP32, 1, 1, 4, 4);
    }
}
