package org.attn4j.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.spi.BenchmarkHooks;

/**
 * What a benchmark needs to measure the {@code cuda} provider fairly: inputs in device memory (so no host transfer is
 * timed), the calling thread's stream to wait on, and event timers. Device {@code cuda:0}, or the index in the
 * system property {@value #DEVICE_PROPERTY}.
 */
final class CudaBenchmarkHooks implements BenchmarkHooks {
    static final String DEVICE_PROPERTY = "attn4j.cuda.benchDevice";

    private final int index = Integer.getInteger(DEVICE_PROPERTY, 0);

    @Override
    public Device device() {
        return Device.cuda(index);
    }

    @Override
    public Tensor allocate(DType dtype, int... shape) {
        return CudaTensors.allocate(dtype, index, shape);
    }

    @Override
    public void synchronize() {
        CudaStream.perThread(index).synchronize();
    }

    @Override
    public CudaDeviceTimer newTimer() {
        return new CudaDeviceTimer(index);
    }

    @Override
    public Map<String, String> environment() {
        CudaDevice d = CudaRuntime.device(index);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("device", CudaRuntime.isEmulated() ? d.name() + " (attn4j's GPU emulator: times mean nothing)"
                : d.name());
        env.put("driver", version(CudaRuntime.driverVersion()));
        env.put("cuda", version(CudaRuntime.runtimeVersion()));
        env.put("compute_capability", d.capability());
        env.put("memory", d.totalMemory() / (1L << 20) + " MiB");
        return env;
    }

    /** 12080 as "12.8". */
    private static String version(int v) {
        return v <= 0 ? "none" : v / 1000 + "." + (v % 1000) / 10;
    }
}
