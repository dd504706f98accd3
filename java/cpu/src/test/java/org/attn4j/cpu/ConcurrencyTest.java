package org.attn4j.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.attn4j.Normalizer;
import org.junit.jupiter.api.Test;

/** Calls may come from several threads at once (SPI contract); per-thread scratch must not leak between them. */
class ConcurrencyTest {

    @Test
    void concurrentCallsOfDifferentShapesAgree() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Scenario s = new Scenario();
                s.seed = 500 + t;
                s.nq = 40 + 37 * t;
                s.nk = 300 - 23 * t;
                s.d = 8 + 8 * (t % 3);
                s.dv = 16;
                s.kvHeads = 1 + t % 2;
                s.group = 2;
                s.causal = t % 2 == 0;
                s.normalizer = Normalizer.values()[t % 3];
                s.exact = true;
                s.scale = 0.25;
                s.tokenTopK = t % 4 == 3 ? 5 : 0;
                futures.add(pool.submit(() -> {
                    Comparison.forward(s);
                    Comparison.backward(s);
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
