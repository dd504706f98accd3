package org.attn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.attn4j.Attention;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Closing q, k, v (or dO) while a call computes with them: the Javadoc promises the tensor is freed when the call
 * ends, so every call must return exactly what an undisturbed call returns, and every closed tensor must be freed
 * once the call is over. Many threads, seeded shapes, data and moments of closing.
 */
class CloseDuringCallStressTest {
    private static final int CALLER_THREADS = 4;
    private static final int CALLS_PER_THREAD = 30;

    @Test
    void closingTensorsDuringForwardAndBackwardNeverDisturbsTheCall() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLER_THREADS);
        ExecutorService closers = Executors.newCachedThreadPool();
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < CALLER_THREADS; t++) {
                int thread = t;
                runs.add(callers.submit(() -> {
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                        long seed = 1000L * thread + i;
                        try {
                            runOne(seed, closers);
                        } catch (Exception | AssertionError e) {
                            throw new AssertionError("seed " + seed + ": " + e, e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
            closers.shutdownNow();
        }
    }

    private static void runOne(long seed, ExecutorService closers) throws Exception {
        Random rnd = new Random(seed);
        int b = 1 + rnd.nextInt(2);
        int hkv = 1 + rnd.nextInt(2);
        int hq = hkv * (1 + rnd.nextInt(2));
        int nq = 1 + rnd.nextInt(160);
        int nk = 1 + rnd.nextInt(160);
        int d = 4 + rnd.nextInt(29);
        Normalizer normalizer = Normalizer.values()[rnd.nextInt(3)];
        boolean causal = rnd.nextBoolean();
        float[] qv = values(rnd, b * hq * nq * d);
        float[] kv = values(rnd, b * hkv * nk * d);
        float[] vv = values(rnd, b * hkv * nk * d);
        float[] dov = values(rnd, b * hq * nq * d);
        int[] qs = {b, hq, nq, d};
        int[] ks = {b, hkv, nk, d};

        // What an undisturbed call computes, on separate tensors.
        float[] expectedO;
        float[][] expectedGrads;
        try (Tensor q = Tensor.of(qv, qs); Tensor k = Tensor.of(kv, ks); Tensor v = Tensor.of(vv, ks);
             Tensor dO = Tensor.of(dov, qs)) {
            AttentionRequest r = request(q, k, v, normalizer, causal);
            try (AttentionResult res = Fixtures.CPU.forward(r);
                 AttentionGradients g = Fixtures.CPU.backward(BackwardRequest.of(r, res, dO))) {
                expectedO = res.output().toFloatArray();
                expectedGrads = new float[][] {g.dq().toFloatArray(), g.dk().toFloatArray(), g.dv().toFloatArray()};
            }
        }

        Tensor q = Tensor.of(qv, qs);
        Tensor k = Tensor.of(kv, ks);
        Tensor v = Tensor.of(vv, ks);
        Tensor dO = Tensor.of(dov, qs);
        AttentionRequest r = request(q, k, v, normalizer, causal);
        boolean backward = rnd.nextInt(3) == 0;
        Tensor[] victims = backward ? new Tensor[] {q, k, v, dO} : new Tensor[] {q, k, v};
        List<Tensor> closed = pick(rnd, victims);
        int spins = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(300_000);
        try {
            if (!backward) {
                Future<?> closer = closeWhenStarted(closers, SignallingCpuProvider.started(r), spins, closed);
                try (AttentionResult res = Attention.forward(r, SignallingCpuProvider.NAME)) {
                    assertArrayEquals(expectedO, res.output().toFloatArray(), "O");
                }
                closer.get(30, TimeUnit.SECONDS);
            } else {
                try (AttentionResult res = Attention.forward(r, SignallingCpuProvider.NAME)) {
                    BackwardRequest br = BackwardRequest.of(r, res, dO);
                    Future<?> closer = closeWhenStarted(closers, SignallingCpuProvider.started(br), spins, closed);
                    try (AttentionGradients g = Attention.backward(br, SignallingCpuProvider.NAME)) {
                        assertArrayEquals(expectedGrads[0], g.dq().toFloatArray(), "dQ");
                        assertArrayEquals(expectedGrads[1], g.dk().toFloatArray(), "dK");
                        assertArrayEquals(expectedGrads[2], g.dv().toFloatArray(), "dV");
                    }
                    closer.get(30, TimeUnit.SECONDS);
                }
            }
            // The call is over: whatever was closed during it is freed now.
            for (Tensor t : closed) {
                assertTrue(t.isClosed());
                assertThrows(IllegalStateException.class, t::toFloatArray, "freed after the call");
            }
        } finally {
            for (Tensor t : victims) {
                t.close();
            }
        }
    }

    /** Waits until the call reaches the provider, spins a seeded while, then closes the tensors. */
    private static Future<?> closeWhenStarted(ExecutorService closers, CountDownLatch started, int spins,
                                              List<Tensor> tensors) {
        return closers.submit(() -> {
            if (!started.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the call never reached the provider");
            }
            long sink = 0;
            for (int i = 0; i < spins; i++) {
                sink += i ^ (sink >>> 3);
            }
            for (Tensor t : tensors) {
                t.close();
            }
            return sink;
        });
    }

    private static AttentionRequest request(Tensor q, Tensor k, Tensor v, Normalizer normalizer, boolean causal) {
        return AttentionRequest.builder(q, k, v).normalizer(normalizer).causal(causal).build();
    }

    /** A non-empty random subset. */
    private static List<Tensor> pick(Random rnd, Tensor[] from) {
        List<Tensor> out = new ArrayList<>();
        while (out.isEmpty()) {
            for (Tensor t : from) {
                if (rnd.nextBoolean()) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private static float[] values(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
