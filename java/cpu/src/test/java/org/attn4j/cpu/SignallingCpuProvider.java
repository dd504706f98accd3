package org.attn4j.cpu;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * Test fixture: the {@code cpu} provider, announcing when a call has reached it (after {@code Attention} has taken
 * its leases), so that a test can close tensors while the computation runs. Lowest priority: never picked
 * automatically.
 */
public final class SignallingCpuProvider implements AttentionProvider {
    static final String NAME = "signalling-cpu";
    private static final Map<Object, CountDownLatch> STARTED = new ConcurrentHashMap<>();
    private final CpuProvider cpu = new CpuProvider();

    /** A latch opened when the call for {@code request} (an AttentionRequest or BackwardRequest) reaches cpu. */
    static CountDownLatch started(Object request) {
        return STARTED.computeIfAbsent(request, r -> new CountDownLatch(1));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -1000;
    }

    @Override
    public Availability availability() {
        return cpu.availability();
    }

    @Override
    public Capabilities capabilities() {
        return cpu.capabilities();
    }

    @Override
    public AttentionResult forward(AttentionRequest request) {
        signal(request);
        return cpu.forward(request);
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        signal(request);
        return cpu.backward(request);
    }

    private static void signal(Object request) {
        CountDownLatch latch = STARTED.remove(request);
        if (latch != null) {
            latch.countDown();
        }
    }
}
