package org.attn4j.bench.data;

import java.util.Map;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.bench.timing.DeviceEventTimer;
import org.attn4j.bench.timing.IntervalTimer;
import org.attn4j.bench.timing.WallClockTimer;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.BenchmarkHooks;

/**
 * Where a provider's tensors live and how its calls are timed: host memory and the host clock, or, for a provider
 * implementing {@link BenchmarkHooks}, its device memory and its device timer.
 */
public final class Placement {
    private final BenchmarkHooks hooks;

    private Placement(BenchmarkHooks hooks) {
        this.hooks = hooks;
    }

    /**
     * The placement for {@code provider}.
     *
     * @throws IllegalArgumentException if it takes no host tensors and offers no hooks to allocate its own
     */
    public static Placement of(AttentionProvider provider) {
        if (provider instanceof BenchmarkHooks) {
            return new Placement((BenchmarkHooks) provider);
        }
        if (!provider.capabilities().devices().contains(Device.Kind.CPU)) {
            throw new IllegalArgumentException("provider '" + provider.name() + "' takes "
                    + provider.capabilities().devices() + " tensors but does not implement "
                    + BenchmarkHooks.class.getName() + ", so the benchmark cannot allocate its inputs");
        }
        return new Placement(null);
    }

    /** Host memory, host clock. */
    public static Placement host() {
        return new Placement(null);
    }

    public Device device() {
        return hooks != null ? hooks.device() : Device.CPU;
    }

    public boolean isHost() {
        return device().isCpu();
    }

    /** A tensor where the provider reads its inputs (contents unspecified). */
    public Tensor allocate(DType dtype, int... shape) {
        return hooks != null ? hooks.allocate(dtype, shape) : Tensor.allocate(dtype, shape);
    }

    /** Waits for queued device work (no-op on the host). */
    public void synchronize() {
        if (hooks != null) {
            hooks.synchronize();
        }
    }

    /** Device events when the provider offers them, else host wall time. */
    public IntervalTimer newTimer() {
        return hooks != null ? new DeviceEventTimer(hooks.newTimer()) : new WallClockTimer(null);
    }

    /** What the provider reports about its device (empty for host providers). */
    public Map<String, String> environment() {
        if (hooks == null) {
            return Map.of();
        }
        try {
            Map<String, String> env = hooks.environment();
            return env != null ? env : Map.of();
        } catch (RuntimeException e) {
            return Map.of("error", e.toString());
        }
    }
}
