package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.attn4j.AttentionRequest;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.spi.TensorStorage;
import org.junit.jupiter.api.Test;

/** Java-side validation: every bad request is refused before native code, with the field named; no GPU needed. */
class CudaArgumentsTest {
    private final CudaProvider cuda = new CudaProvider();
    private final Random rnd = new Random(11);

    private Tensor t(DType dtype, int... shape) {
        return TestTensors.random(rnd, dtype, 1, shape);
    }

    private static void expect(String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void unsupportedRequestsNameWhatIsWrong() {
        try (Tensor q32 = t(DType.FP32, 1, 1, 4, 64); Tensor k32 = t(DType.FP32, 1, 1, 4, 64);
             Tensor v32 = t(DType.FP32, 1, 1, 4, 64)) {
            expect("dtype fp32 not supported", () -> cuda.forward(AttentionRequest.builder(q32, k32, v32).build()));
        }
        try (Tensor q = t(DType.FP16, 1, 1, 4, 96); Tensor k = t(DType.FP16, 1, 1, 4, 96);
             Tensor v = t(DType.FP16, 1, 1, 4, 96)) {
            expect("head dim 96 not supported (supports 64, 128)",
                    () -> cuda.forward(AttentionRequest.builder(q, k, v).build()));
        }
        try (Tensor q = t(DType.BF16, 1, 1, 4, 64); Tensor k = t(DType.BF16, 1, 1, 4, 64);
             Tensor v = t(DType.BF16, 1, 1, 4, 128)) {
            expect("value dim 128 differs from head dim 64",
                    () -> cuda.forward(AttentionRequest.builder(q, k, v).build()));
        }
        try (Tensor q = t(DType.BF16, 1, 1, 4, 64); Tensor k = t(DType.BF16, 1, 1, 4, 64);
             Tensor v = t(DType.BF16, 1, 1, 4, 64)) {
            expect("probabilities not supported",
                    () -> cuda.forward(AttentionRequest.builder(q, k, v).returnProbabilities(true).build()));
        }
    }

    @Test
    void backwardCoversSoftmaxWithStaticMasksOnly() {
        try (Tensor q = t(DType.FP16, 1, 1, 8, 64); Tensor k = t(DType.FP16, 1, 1, 8, 64);
             Tensor v = t(DType.FP16, 1, 1, 8, 64); Tensor o = t(DType.FP16, 1, 1, 8, 64);
             Tensor g = t(DType.FP16, 1, 1, 8, 64)) {
            AttentionRequest sparse = AttentionRequest.builder(q, k, v).normalizer(Normalizer.SPARSEMAX).build();
            expect("backward for normalizer sparsemax not supported",
                    () -> cuda.backward(BackwardRequest.of(sparse, o, null, g)));
            AttentionRequest topk = AttentionRequest.builder(q, k, v).topKTokens(2).build();
            expect("backward with mask 'dynamic token top-k' not supported",
                    () -> cuda.backward(BackwardRequest.of(topk, o, null, g)));
            AttentionRequest blocks = AttentionRequest.builder(q, k, v).topKBlocks(1, 4, 4).build();
            expect("backward with mask 'dynamic block top-k' not supported",
                    () -> cuda.backward(BackwardRequest.of(blocks, o, null, g)));
            assertFalse(cuda.supportsBackward(sparse).isSupported());
        }
    }

    /** Claims to be cuda:0 memory but is a heap buffer, like a tensor from another library. */
    private static final class ForeignStorage implements TensorStorage {
        private final ByteBuffer memory;

        ForeignStorage(long bytes) {
            memory = ByteBuffer.allocate((int) bytes);
        }

        @Override
        public Device device() {
            return Device.cuda(0);
        }

        @Override
        public long byteSize() {
            return memory.capacity();
        }

        @Override
        public void read(long byteOffset, ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void write(long byteOffset, ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ByteBuffer hostBuffer() {
            return null;
        }

        @Override
        public void free() {
        }
    }

    @Test
    void deviceTensorsFromElsewhereAreRefused() {
        int[] shape = {1, 1, 8, 64};
        long bytes = 8 * 64 * 2;
        try (Tensor q = Tensor.wrap(new ForeignStorage(bytes), DType.FP16, shape);
             Tensor k = Tensor.wrap(new ForeignStorage(bytes), DType.FP16, shape);
             Tensor v = Tensor.wrap(new ForeignStorage(bytes), DType.FP16, shape)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).build();
            assertFalse(cuda.supports(r).isSupported());
            expect("q: tensor on cuda:0 was not allocated by the cuda provider", () -> cuda.forward(r));
        }
    }

    @Test
    void asynchronousCallsTakeDeviceTensorsOnly() {
        try (Tensor q = t(DType.FP16, 1, 1, 8, 64); Tensor k = t(DType.FP16, 1, 1, 8, 64);
             Tensor v = t(DType.FP16, 1, 1, 8, 64)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).build();
            if (CudaRuntime.isAvailable()) {
                try (CudaStream s = CudaStream.create(0)) {
                    expect("forwardAsync: expects device tensors", () -> CudaAttention.forwardAsync(r, s));
                }
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> CudaStream.perThread(0));
                assertTrue(e.getMessage().startsWith("provider 'cuda' is unavailable: "), e.getMessage());
            }
        }
    }
}
