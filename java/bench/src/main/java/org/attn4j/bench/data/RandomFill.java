package org.attn4j.bench.data;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.attn4j.Tensor;

/**
 * Fills tensors with standard normal values (never zeros, so no provider gains from skipping zero work), chunk by
 * chunk so that a tensor of any size needs only a small heap buffer. Each chunk has its own seed: the values do not
 * depend on how many threads fill them.
 */
public final class RandomFill {
    private static final int CHUNK = 1 << 20;

    private RandomFill() {
    }

    public static void normal(Tensor t, long seed) {
        long size = t.size();
        int chunks = (int) ((size + CHUNK - 1) / CHUNK);
        IntStream range = IntStream.range(0, chunks);
        // Host memory takes disjoint writes from several threads; device copies stay on one thread.
        if (t.device().isCpu()) {
            range = range.parallel();
        }
        range.forEach(c -> {
            long start = (long) c * CHUNK;
            int len = (int) Math.min(CHUNK, size - start);
            float[] buf = new float[len];
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + c);
            for (int i = 0; i < len; i++) {
                buf[i] = (float) rnd.nextGaussian();
            }
            t.copyFrom(buf, 0, start, len);
        });
    }
}
