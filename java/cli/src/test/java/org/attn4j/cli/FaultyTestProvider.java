package org.attn4j.cli;

import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Tensor;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * Test fixture: a provider with bugs, so that the demo's checks are seen to fail. It throws on causal requests and
 * returns O one percent too large otherwise. Lowest priority: automatic selection never picks it.
 */
public final class FaultyTestProvider implements AttentionProvider {
    static final String NAME = "faulty";
    private final ReferenceProvider reference = new ReferenceProvider();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -20;
    }

    @Override
    public Availability availability() {
        return Availability.available("test fixture with bugs");
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.everything();
    }

    @Override
    public AttentionResult forward(AttentionRequest request) {
        if (request.causal()) {
            throw new ArithmeticException("simulated fault in a causal kernel");
        }
        try (AttentionResult exact = reference.forward(request)) {
            float[] o = exact.output().toFloatArray();
            for (int i = 0; i < o.length; i++) {
                o[i] *= 1.01f;
            }
            Tensor wrong = Tensor.of(request.outputDType(), o, exact.output().shape());
            return AttentionResult.builder(NAME).output(wrong, true).build();
        }
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        throw new IllegalArgumentException("provider '" + NAME + "': no backward pass");
    }
}
