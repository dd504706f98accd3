package org.attn4j.plugins;

import java.util.function.Consumer;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.Tensor;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * Test fixture: a working plugin that runs a test's hook inside the call (to close tensors while the call runs, for
 * instance), then returns O = v's values (shapes permitting: Nq = Nk, Hq = Hkv, D = Dv) read through the request.
 */
public final class ProbeProvider implements AttentionProvider {
    public static final String NAME = "probe";
    private static volatile Consumer<AttentionRequest> hook = r -> { };

    /** Runs {@code h} at the start of every forward call, until replaced. */
    public static void onForward(Consumer<AttentionRequest> h) {
        hook = h;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -100;
    }

    @Override
    public Availability availability() {
        return Availability.available("test fixture");
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.everything();
    }

    @Override
    public AttentionResult forward(AttentionRequest request) {
        hook.accept(request);
        request.checkTensorsOpen();
        float[] values = request.v().toFloatArray();
        request.q().toFloatArray();
        request.k().hostBuffer().get(0);
        Tensor o = Tensor.of(request.outputDType(), values, request.v().shape());
        return AttentionResult.builder(NAME).output(o, true).build();
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        throw new UnsupportedOperationException("forward only");
    }
}
