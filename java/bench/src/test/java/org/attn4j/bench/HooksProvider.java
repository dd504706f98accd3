package org.attn4j.bench;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.spi.BenchmarkHooks;
import org.attn4j.spi.DeviceTimer;

/** A fake "device" provider: host memory, but allocation, synchronization and timing go through the hooks. */
class HooksProvider extends FakeProvider implements BenchmarkHooks {
    final AtomicInteger allocations = new AtomicInteger();
    final AtomicInteger syncs = new AtomicInteger();
    final AtomicInteger timerStarts = new AtomicInteger();

    HooksProvider() {
        super("hooks", 60, null, true);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Tensor allocate(DType dtype, int... shape) {
        allocations.incrementAndGet();
        return Tensor.allocate(dtype, shape);
    }

    @Override
    public void synchronize() {
        syncs.incrementAndGet();
    }

    @Override
    public DeviceTimer newTimer() {
        return new DeviceTimer() {
            private long start;
            private long stop;

            @Override
            public void start() {
                timerStarts.incrementAndGet();
                start = System.nanoTime();
            }

            @Override
            public void stop() {
                stop = System.nanoTime();
            }

            @Override
            public double elapsedMillis() {
                return (stop - start) / 1e6;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Map<String, String> environment() {
        return Map.of("device", "Fake GPU", "driver", "999.1", "cuda", "13.0");
    }
}
