package org.attn4j.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Tensor;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Capabilities;

/**
 * A provider for tests: computes with the reference, then optionally spoils O (to prove the check catches it), and
 * counts its calls.
 */
class FakeProvider implements AttentionProvider {
    final String name;
    final int priority;
    final UnaryOperator<float[]> spoil;
    final boolean backward;
    final AtomicInteger forwardCalls = new AtomicInteger();
    final AtomicInteger backwardCalls = new AtomicInteger();
    private final ReferenceProvider exact = new ReferenceProvider();

    FakeProvider(String name, int priority, UnaryOperator<float[]> spoil, boolean backward) {
        this.name = name;
        this.priority = priority;
        this.spoil = spoil;
        this.backward = backward;
    }

    /** Correct results, forward and backward. */
    static FakeProvider exact(String name) {
        return new FakeProvider(name, 50, null, true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public Availability availability() {
        return Availability.available("test");
    }

    @Override
    public Capabilities capabilities() {
        Capabilities all = Capabilities.everything();
        return backward ? all : Capabilities.builder().dtypes(all.dtypes()).masks(all.masks())
                .normalizers(all.normalizers()).build();
    }

    @Override
    public AttentionResult forward(AttentionRequest request) {
        forwardCalls.incrementAndGet();
        AttentionResult r = exact.forward(request);
        if (spoil != null) {
            Tensor o = r.output();
            o.copyFrom(spoil.apply(o.toFloatArray()));
        }
        return r;
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        backwardCalls.incrementAndGet();
        return exact.backward(request);
    }
}
