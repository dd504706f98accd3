package org.attn4j.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The cache's bookkeeping (through {@link HostKvCache}): appends, lengths, capacity, block sums, leases, errors. */
class KvCacheTest {
    private static final int D = 3;
    private static final int DV = 2;

    private static KvCacheConfig.Builder config(int batch, int kvHeads) {
        return KvCacheConfig.builder(batch, kvHeads, D).valueDim(DV).blockSize(4);
    }

    private static float[] random(Random rnd, int n, DType dtype) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = dtype.round((float) rnd.nextGaussian());
        }
        return x;
    }

    /** Rows {@code [from, to)} of every (batch, head) of {@code [B, H, T, w]} data. */
    private static float[] slice(float[] x, int bh, int t, int w, int from, int to) {
        float[] out = new float[bh * (to - from) * w];
        for (int i = 0; i < bh; i++) {
            System.arraycopy(x, (i * t + from) * w, out, i * (to - from) * w, (to - from) * w);
        }
        return out;
    }

    private static void append(KvCache c, DType dtype, float[] k, float[] v, int t, int[] counts) {
        try (Tensor tk = Tensor.of(dtype, k, c.batch(), c.kvHeads(), t, D);
             Tensor tv = Tensor.of(dtype, v, c.batch(), c.kvHeads(), t, DV)) {
            if (counts == null) {
                c.append(tk, tv);
            } else {
                c.append(tk, tv, counts);
            }
        }
    }

    @Property(tries = 60)
    void theSplitOfAppendsDoesNotChangeWhatIsHeld(@ForAll @IntRange(min = 1, max = 40) int t,
                                                   @ForAll @IntRange(min = 1, max = 9) int capacity,
                                                   @ForAll long seed) {
        Random rnd = new Random(seed);
        DType dtype = DType.values()[rnd.nextInt(DType.values().length)];
        int b = 2;
        int h = 2;
        float[] k = random(rnd, b * h * t * D, dtype);
        float[] v = random(rnd, b * h * t * DV, dtype);
        try (KvCache whole = new HostKvCache(config(b, h).dtype(dtype).capacity(capacity).build(), "test");
             KvCache pieces = new HostKvCache(config(b, h).dtype(dtype).capacity(capacity).build(), "test")) {
            append(whole, dtype, k, v, t, null);
            int at = 0;
            while (at < t) {
                int n = 1 + rnd.nextInt(t - at);
                append(pieces, dtype, slice(k, b * h, t, D, at, at + n), slice(v, b * h, t, DV, at, at + n), n, null);
                at += n;
            }
            for (int s = 0; s < b; s++) {
                assertEquals(t, pieces.length(s));
                assertArrayEquals(whole.keys(s), pieces.keys(s));
                assertArrayEquals(whole.values(s), pieces.values(s));
                assertArrayEquals(whole.blockKeySums(s), pieces.blockKeySums(s));
                assertArrayEquals(slice(k, b * h, t, D, 0, t), concat(whole, b, h, t));
                assertArrayEquals(orderedBlockSums(whole.keys(s), h, t, 4), whole.blockKeySums(s));
            }
            assertTrue(whole.capacity() >= t);
        }
    }

    private static float[] concat(KvCache c, int b, int h, int t) {
        float[] out = new float[b * h * t * D];
        for (int s = 0; s < b; s++) {
            System.arraycopy(c.keys(s), 0, out, s * h * t * D, h * t * D);
        }
        return out;
    }

    /** The SPEC's block sums, written out: float64, in position order. */
    private static double[] orderedBlockSums(float[] keys, int heads, int length, int block) {
        int blocks = (length + block - 1) / block;
        double[] sums = new double[heads * blocks * D];
        for (int h = 0; h < heads; h++) {
            for (int kb = 0; kb < blocks; kb++) {
                for (int c = 0; c < D; c++) {
                    double s = 0;
                    for (int j = kb * block; j < Math.min(length, (kb + 1) * block); j++) {
                        s += keys[(h * length + j) * D + c];
                    }
                    sums[(h * blocks + kb) * D + c] = s;
                }
            }
        }
        return sums;
    }

    @Test
    void sequencesAppendedTogetherOrApartKeepTheirOwnRows() {
        Random rnd = new Random(3);
        int b = 3;
        List<List<Float>> want = new ArrayList<>();
        for (int s = 0; s < b; s++) {
            want.add(new ArrayList<>());
        }
        try (KvCache c = new HostKvCache(config(b, 1).capacity(2).build(), "test")) {
            int[][] steps = {{3, 0, 1}, {0, 0, 2}, {2, 5, 0}, {1, 1, 1}};
            for (int[] counts : steps) {
                int t = java.util.Arrays.stream(counts).max().getAsInt();
                float[] k = random(rnd, b * t * D, DType.FP32);
                append(c, DType.FP32, k, random(rnd, b * t * DV, DType.FP32), t, counts);
                for (int s = 0; s < b; s++) {
                    for (int x = 0; x < counts[s] * D; x++) {
                        want.get(s).add(k[s * t * D + x]);
                    }
                }
            }
            assertArrayEquals(new int[] {6, 6, 4}, c.lengths());
            assertEquals(2, c.blocks(0));
            assertEquals(1, c.blocks(2));
            for (int s = 0; s < b; s++) {
                float[] keys = c.keys(s);
                assertEquals(want.get(s).size(), keys.length);
                for (int x = 0; x < keys.length; x++) {
                    assertEquals(want.get(s).get(x), keys[x], 0f);
                }
            }
        }
    }

    @Test
    void aFixedCapacityRefusesWhatDoesNotFitAndChangesNothing() {
        Random rnd = new Random(5);
        try (KvCache c = new HostKvCache(config(2, 1).capacity(5).fixedCapacity().build(), "test")) {
            append(c, DType.FP32, random(rnd, 2 * 4 * D, DType.FP32), random(rnd, 2 * 4 * DV, DType.FP32), 4,
                    new int[] {4, 1});
            float[] before = c.keys(0);
            double[] sums = c.blockKeySums(0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> append(c, DType.FP32,
                    random(rnd, 2 * 2 * D, DType.FP32), random(rnd, 2 * 2 * DV, DType.FP32), 2, null));
            assertEquals("counts[0]: sequence 0 would hold 6 positions, more than the cache's fixed capacity 5 (4 held;"
                    + " build the cache with a larger capacity, or growable)", e.getMessage());
            assertArrayEquals(new int[] {4, 1}, c.lengths());
            assertArrayEquals(before, c.keys(0));
            assertArrayEquals(sums, c.blockKeySums(0));
            append(c, DType.FP32, random(rnd, 2 * 4 * D, DType.FP32), random(rnd, 2 * 4 * DV, DType.FP32), 4,
                    new int[] {1, 4});
            assertArrayEquals(new int[] {5, 5}, c.lengths());
            assertEquals(5, c.capacity());
        }
    }

    @Test
    void aGrowableCacheDoublesItsCapacity() {
        Random rnd = new Random(7);
        try (KvCache c = new HostKvCache(config(1, 1).capacity(3).build(), "test")) {
            append(c, DType.FP32, random(rnd, 4 * D, DType.FP32), random(rnd, 4 * DV, DType.FP32), 4, null);
            assertEquals(6, c.capacity());
            append(c, DType.FP32, random(rnd, 9 * D, DType.FP32), random(rnd, 9 * DV, DType.FP32), 9, null);
            assertEquals(13, c.capacity());
            assertEquals(13, c.length(0));
        }
    }

    @Test
    void invalidAppendsNameTheField() {
        try (KvCache c = new HostKvCache(config(2, 2).build(), "test");
             Tensor k = Tensor.allocate(DType.FP32, 2, 2, 3, D);
             Tensor v = Tensor.allocate(DType.FP32, 2, 2, 3, DV);
             Tensor k16 = Tensor.allocate(DType.FP16, 2, 2, 3, D);
             Tensor k1 = Tensor.allocate(DType.FP32, 1, 2, 3, D);
             Tensor v2 = Tensor.allocate(DType.FP32, 2, 2, 2, DV)) {
            expect("k: expected a tensor, got null", () -> c.append(null, v));
            expect("k.shape: expected [2, 2, T, 3] for this cache, got [1, 2, 3, 3]", () -> c.append(k1, v));
            expect("v.shape: expected [2, 2, T, 2] for this cache, got [2, 2, 3, 3]", () -> c.append(k, k));
            expect("v.shape[2] (positions): expected 3 as in k, got 2", () -> c.append(k, v2));
            expect("k.dtype: expected fp32 (the cache's), got fp16", () -> c.append(k16, v));
            expect("counts: expected 2 counts (one per sequence), got 1", () -> c.append(k, v, new int[] {1}));
            expect("counts[1]: expected 0..3 (k.shape[2]), got -1", () -> c.append(k, v, new int[] {1, -1}));
            expect("sequence: expected 0..1, got 2", () -> c.keys(2));
            c.close();
            expect("cache: closed", () -> c.append(k, v));
            expect("cache: closed", c::acquire);
        }
        expect("capacity: expected >= 1, got 0", () -> KvCacheConfig.builder(1, 1, 8).capacity(0).build());
        expect("blockSize: expected >= 1, got 0", () -> KvCacheConfig.builder(1, 1, 8).blockSize(0).build());
        expect("kvHeads: expected >= 1, got 0", () -> KvCacheConfig.builder(1, 0, 8).build());
        expect("valueDim: expected >= 1, got 0", () -> KvCacheConfig.builder(1, 1, 8).valueDim(0));
        expect("capacity: 1000000000 positions of 8 elements exceed what one head of a cache holds (2147483639"
                + " elements)", () -> KvCacheConfig.builder(1, 1, 8).capacity(1_000_000_000).build());
        expect("device: a host cache lives in host memory, got cuda:0",
                () -> new HostKvCache(KvCacheConfig.builder(1, 1, 8).device(Device.cuda(0)).build(), "test"));
    }

    @Test
    void closingWhileACallHoldsTheCacheDefersAndAppendsWaitForTheCall() throws Exception {
        KvCache c = new HostKvCache(config(1, 1).build(), "test");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean appended = new AtomicBoolean();
        Thread call = new Thread(() -> {
            try (KvCache.Lease lease = c.acquire()) {
                held.countDown();
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        call.start();
        assertTrue(held.await(10, TimeUnit.SECONDS));
        Thread writer = new Thread(() -> {
            append(c, DType.FP32, new float[D], new float[DV], 1, null);
            appended.set(true);
        });
        writer.start();
        writer.join(200);
        assertFalse(appended.get(), "an append ran while a call held the cache");
        release.countDown();
        writer.join(10_000);
        call.join(10_000);
        assertTrue(appended.get());
        assertEquals(1, c.length(0));
        c.close();
        expect("cache: closed", () -> c.keys(0));
    }

    @Test
    void memoryIsFreedOnceAndOnlyWhenTheLastCallEnds() {
        int[] frees = new int[1];
        KvCache c = new KvCache(config(1, 1).build(), "test") {
            @Override
            protected void reserve(int newCapacity) {
            }

            @Override
            protected void store(Tensor k, Tensor v, int[] counts, int[] from) {
            }

            @Override
            protected void readKeys(int sequence, int kvHead, int length, float[] dst, int offset) {
            }

            @Override
            protected void readValues(int sequence, int kvHead, int length, float[] dst, int offset) {
            }

            @Override
            protected void readBlockKeySums(int sequence, int kvHead, int blocks, double[] dst, int offset) {
            }

            @Override
            protected void free() {
                frees[0]++;
            }
        };
        KvCache.Lease first = c.acquire();
        try (KvCache.Lease second = c.acquire()) {
            c.close();
            assertTrue(c.isClosed());
            assertEquals(0, frees[0]);
        }
        assertEquals(0, frees[0]);
        first.close();
        first.close();
        c.close();
        assertEquals(1, frees[0]);
    }

    private static void expect(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }
}
