package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;

/**
 * What another thread may do to a call's tensors and streams while it runs: close them. The call either refuses up
 * front (IllegalArgumentException or IllegalStateException naming what is closed) or runs to its exact result; the
 * device never reads freed memory and the provider stays available. Under the emulator, a read of freed memory or
 * a destroyed stream would be a reported fault, so these tests fail on the hazards they guard against.
 */
@RequiresCuda
class CudaConcurrencyTest {
    private final Random rnd = new Random(31);

    @Test
    void inputsClosedRightAfterAnAsynchronousCallAreStillRead() {
        try (Tensor q = TestTensors.random(rnd, DType.FP16, 1, 1, 2, 150, 64);
             Tensor k = TestTensors.random(rnd, DType.FP16, 1, 1, 2, 170, 64);
             Tensor v = TestTensors.random(rnd, DType.FP16, 1, 1, 2, 170, 64);
             CudaStream stream = CudaStream.create(0);
             AttentionResult expected = CudaAttention.forward(AttentionRequest.builder(q, k, v).causal().build())) {
            for (int round = 0; round < 3; round++) {
                Tensor dq = CudaTensors.copyOf(q, 0);
                Tensor dk = CudaTensors.copyOf(k, 0);
                Tensor dv = CudaTensors.copyOf(v, 0);
                try (AttentionResult r = CudaAttention.forwardAsync(
                        AttentionRequest.builder(dq, dk, dv).causal().build(), stream)) {
                    // Closed while the kernels may still be queued: freed only after them, in stream order.
                    dq.close();
                    dk.close();
                    dv.close();
                    stream.synchronize();
                    assertArrayEquals(expected.output().toFloatArray(), r.output().toFloatArray());
                }
            }
        }
        assertTrue(CudaRuntime.isAvailable(), CudaRuntime.availability().reason());
    }

    @Test
    void tensorsClosedByAnotherThreadDuringCalls() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Tensor q = TestTensors.random(rnd, DType.BF16, 1, 1, 2, 100, 64);
             Tensor k = TestTensors.random(rnd, DType.BF16, 1, 1, 2, 100, 64);
             AttentionResult expected = CudaAttention.forward(AttentionRequest.builder(q, k, k).build())) {
            float[] want = expected.output().toFloatArray();
            int ran = 0;
            int refused = 0;
            for (int round = 0; round < 12; round++) {
                final int delay = round % 3;
                Tensor dq = CudaTensors.copyOf(q, 0);
                Tensor dk = CudaTensors.copyOf(k, 0);
                CountDownLatch go = new CountDownLatch(1);
                Future<float[]> call = pool.submit(() -> {
                    go.await();
                    try (CudaStream s = CudaStream.create(0);
                         AttentionResult r = CudaAttention.forwardAsync(AttentionRequest.builder(dq, dk, dk).build(),
                                 s)) {
                        s.synchronize();
                        return r.output().toFloatArray();
                    }
                });
                Future<?> closer = pool.submit(() -> {
                    go.await();
                    Thread.sleep(delay);
                    dq.close();
                    dk.close();
                    return null;
                });
                go.countDown();
                closer.get(60, TimeUnit.SECONDS);
                try {
                    assertArrayEquals(want, call.get(60, TimeUnit.SECONDS));
                    ran++;
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (!(c instanceof IllegalArgumentException || c instanceof IllegalStateException)
                            || !c.getMessage().contains("closed")) {
                        fail("a call whose tensors were closed under it failed otherwise", c);
                    }
                    refused++;
                }
            }
            assertEquals(12, ran + refused);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(CudaRuntime.isAvailable(), CudaRuntime.availability().reason());
    }

    @Test
    void aStreamClosedWhileAnotherThreadQueuesOnIt() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Tensor q = TestTensors.random(rnd, DType.FP16, 1, 1, 1, 64, 64);
             Tensor dq = CudaTensors.copyOf(q, 0)) {
            CudaStream stream = CudaStream.create(0);
            CountDownLatch started = new CountDownLatch(1);
            Future<List<String>> calls = pool.submit(() -> {
                List<String> outcomes = new ArrayList<>();
                started.countDown();
                for (int i = 0; i < 30; i++) {
                    try (AttentionResult r = CudaAttention.forwardAsync(AttentionRequest.builder(dq, dq, dq).build(),
                            stream)) {
                        outcomes.add("queued");
                    } catch (IllegalArgumentException | IllegalStateException e) {
                        outcomes.add(e.getMessage());
                    }
                }
                return outcomes;
            });
            started.await();
            stream.close();
            for (String outcome : calls.get(120, TimeUnit.SECONDS)) {
                assertTrue(outcome.equals("queued") || outcome.contains("stream is closed")
                        || outcome.contains("unknown or destroyed handle"), outcome);
            }
            CudaStream.perThread(0).synchronize();
        } finally {
            pool.shutdownNow();
        }
        assertTrue(CudaRuntime.isAvailable(), CudaRuntime.availability().reason());
    }
}
