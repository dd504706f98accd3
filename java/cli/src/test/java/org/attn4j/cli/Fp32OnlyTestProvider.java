package org.attn4j.cli;

import java.util.EnumSet;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.mask.MaskKind;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * Test fixture: a provider that runs only fp32 softmax with causal masks (by delegating to the reference), so that the
 * command line meets a provider that refuses a request. Lowest priority: automatic selection never picks it.
 */
public final class Fp32OnlyTestProvider implements AttentionProvider {
    static final String NAME = "fp32-only";
    private static final Capabilities CAPABILITIES = Capabilities.builder().dtypes(EnumSet.of(DType.FP32))
            .normalizers(EnumSet.of(Normalizer.SOFTMAX)).masks(EnumSet.of(MaskKind.CAUSAL)).build();
    private final ReferenceProvider reference = new ReferenceProvider();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -10;
    }

    @Override
    public Availability availability() {
        return Availability.available("test fixture");
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public AttentionResult forward(AttentionRequest request) {
        CAPABILITIES.require(request, NAME);
        return reference.forward(request);
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        throw new IllegalArgumentException("provider '" + NAME + "': no backward pass");
    }
}
