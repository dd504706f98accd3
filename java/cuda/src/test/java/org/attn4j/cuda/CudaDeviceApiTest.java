package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.junit.jupiter.api.Test;

/** Device tensors, streams, asynchronous calls, error recovery, the plan cache and the overhead hook. GPU only. */
@RequiresCuda
class CudaDeviceApiTest {
    private final Random rnd = new Random(21);

    @Test
    void deviceTensorsRoundTrip() {
        try (Tensor h = TestTensors.random(rnd, DType.BF16, 1, 2, 3, 5, 64);
             Tensor d = CudaTensors.copyOf(h, 0);
             Tensor back = CudaTensors.toHost(d)) {
            assertEquals(Device.cuda(0), d.device());
            assertArrayEquals(h.toFloatArray(), back.toFloatArray());
            assertArrayEquals(h.toFloatArray(), d.toFloatArray(), "Tensor.copyTo works on device tensors");
            float[] x = new float[64];
            x[3] = 2.5f;
            d.copyFrom(x, 0, 64, 64);
            assertEquals(2.5f, d.get(0, 0, 1, 3));
        }
        try (Tensor z = CudaTensors.allocate(DType.FP16, 0, 4, 4)) {
            assertArrayEquals(new float[16], z.toFloatArray());
        }
    }

    @Test
    void asynchronousCallsAgreeWithSynchronousOnes() {
        try (Tensor q = TestTensors.random(rnd, DType.FP16, 1, 2, 4, 200, 128);
             Tensor k = TestTensors.random(rnd, DType.FP16, 1, 2, 2, 260, 128);
             Tensor v = TestTensors.random(rnd, DType.FP16, 1, 2, 2, 260, 128);
             Tensor dq = CudaTensors.copyOf(q, 0); Tensor dk = CudaTensors.copyOf(k, 0);
             Tensor dv = CudaTensors.copyOf(v, 0);
             CudaStream stream = CudaStream.create(0)) {
            AttentionRequest host = AttentionRequest.builder(q, k, v).causal().build();
            AttentionRequest dev = AttentionRequest.builder(dq, dk, dv).causal().build();
            try (AttentionResult sync = CudaAttention.forward(host);
                 AttentionResult async = CudaAttention.forwardAsync(dev, stream)) {
                stream.synchronize();
                assertArrayEquals(sync.output().toFloatArray(), async.output().toFloatArray());
            }
            try (Tensor out = CudaTensors.allocate(DType.FP32, 0, 2, 4, 200, 128);
                 AttentionResult into = CudaAttention.forwardAsync(
                         AttentionRequest.builder(dq, dk, dv).causal().output(out).build(), stream)) {
                stream.synchronize();
                assertEquals(out, into.output());
            }
        }
    }

    @Test
    void staysUsableAfterRecoverableErrors() {
        CudaOutOfMemoryException oom = assertThrows(CudaOutOfMemoryException.class,
                () -> CudaTensors.allocate(DType.FP16, 0, 1 << 20, 1 << 20, 64));
        assertEquals("cudaErrorMemoryAllocation", oom.errorName());
        try (CudaEvent a = CudaEvent.create(0); CudaEvent b = CudaEvent.create(0)) {
            // Elapsed time between events never recorded: an invalid-handle error that leaves the context usable.
            CudaException e = assertThrows(CudaException.class, () -> b.elapsedMillis(a));
            assertTrue(e.isRecoverable(), e.getMessage());
        }
        assertTrue(CudaRuntime.isAvailable(), CudaRuntime.availability().reason());
        try (Tensor q = TestTensors.random(rnd, DType.BF16, 1, 1, 1, 64, 64);
             AttentionResult r = new CudaProvider().forward(AttentionRequest.builder(q, q, q).build())) {
            assertTrue(Float.isFinite(r.output().get(0, 0, 0, 0)));
        }
    }

    @Test
    void plansAreCachedAndBounded() {
        MaskPlans.clear();
        try (Tensor q = TestTensors.random(rnd, DType.FP16, 1, 1, 1, 128, 64)) {
            for (int i = 0; i < MaskPlans.MAX_PLANS + 5; i++) {
                BlockMask m = CudaVsReferenceTest.randomBlockMask(i, 1, 1, 128, 128, 64, 64);
                try (AttentionResult r = new CudaProvider().forward(AttentionRequest.builder(q, q, q).blockMask(m)
                        .build())) {
                    assertEquals("cuda", r.provider());
                    assertTrue(MaskPlans.size() <= MaskPlans.MAX_PLANS);
                }
            }
        }
        MaskPlans.clear();
        assertEquals(0, MaskPlans.size());
    }

    @Test
    void callsFromSeveralThreadsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Double>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final long seed = t;
                results.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    try (Tensor q = TestTensors.random(r, DType.BF16, 1, 1, 2, 96, 64);
                         Tensor k = TestTensors.random(r, DType.BF16, 1, 1, 2, 96, 64);
                         Tensor v = TestTensors.random(r, DType.BF16, 1, 1, 2, 96, 64)) {
                        AttentionRequest req = AttentionRequest.builder(q, k, v).causal().build();
                        try (AttentionResult a = new CudaProvider().forward(req);
                             AttentionResult b = new org.attn4j.reference.ReferenceProvider().forward(req)) {
                            return TestTensors.relativeError(a.output(), b.output());
                        }
                    }
                }));
            }
            for (Future<Double> f : results) {
                assertTrue(f.get() < 1e-2, "error " + f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void callOverheadHookMeasures() {
        try (Tensor q = CudaTensors.allocate(DType.BF16, 0, 1, 1, 64, 64);
             Tensor k = CudaTensors.allocate(DType.BF16, 0, 1, 1, 64, 64);
             Tensor v = CudaTensors.allocate(DType.BF16, 0, 1, 1, 64, 64)) {
            CallOverhead o = CallOverhead.measure(AttentionRequest.builder(q, k, v).build(), 5, 20);
            assertTrue(o.kernelMicros() > 0 && o.wallMicros() >= o.kernelMicros(), o.toString());
            System.out.println("cuda call overhead (tiny request): " + o);
        }
    }
}
