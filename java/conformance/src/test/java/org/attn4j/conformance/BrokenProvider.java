package org.attn4j.conformance;

import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * The reference with one deliberate bug planted: it rewrites the request before computing, or the result after, or
 * skips its own validation. The kit must catch every one.
 */
final class BrokenProvider implements AttentionProvider {
    private static final ReferenceProvider REFERENCE = new ReferenceProvider();

    private final String name;
    private Capabilities capabilities = Capabilities.everything();
    private boolean validates = true;
    private Availability availability = Availability.available();
    private UnaryOperator<AttentionRequest> rewriteRequest = r -> r;
    private BiFunction<AttentionRequest, AttentionResult, AttentionResult> rewriteResult = (r, res) -> res;
    private UnaryOperator<AttentionGradients> rewriteGradients = g -> g;

    BrokenProvider(String name) {
        this.name = name;
    }

    BrokenProvider declares(Capabilities c) {
        this.capabilities = c;
        return this;
    }

    BrokenProvider unavailable(String reason) {
        this.availability = Availability.unavailable(reason);
        return this;
    }

    /** Computes without checking the request against the declared capabilities. */
    BrokenProvider withoutValidation() {
        this.validates = false;
        return this;
    }

    BrokenProvider rewritingRequest(UnaryOperator<AttentionRequest> f) {
        this.rewriteRequest = f;
        return this;
    }

    BrokenProvider rewritingResult(BiFunction<AttentionRequest, AttentionResult, AttentionResult> f) {
        this.rewriteResult = f;
        return this;
    }

    BrokenProvider rewritingGradients(UnaryOperator<AttentionGradients> f) {
        this.rewriteGradients = f;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return availability;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    public AttentionResult forward(AttentionRequest r) {
        if (validates) {
            r.checkTensorsOpen();
            capabilities.require(r, name);
        }
        AttentionResult res = REFERENCE.forward(rewriteRequest.apply(r));
        return rewriteResult.apply(r, res);
    }

    @Override
    public AttentionGradients backward(BackwardRequest b) {
        if (validates) {
            b.checkTensorsOpen();
            capabilities.requireBackward(b.forward(), name);
        }
        return rewriteGradients.apply(REFERENCE.backward(b));
    }

    /**
     * {@code res} with O replaced by {@code o}: written into the caller's output tensor when the request has one,
     * else into a new tensor of the same shape and type (closing the old one).
     */
    static AttentionResult withOutput(AttentionRequest r, AttentionResult res, float[] o) {
        Tensor old = res.output();
        if (r.output().isPresent()) {
            old.copyFrom(o);
            return res;
        }
        Tensor out = Tensor.of(old.dtype(), o, old.shape());
        AttentionResult.Builder b = AttentionResult.builder(res.provider()).output(out, true);
        res.lse().ifPresent(t -> b.lse(t, true));
        res.probabilities().ifPresent(t -> b.probabilities(t, true));
        res.allowedPairs().ifPresent(b::allowedPairs);
        old.close();
        return b.build();
    }

    /** {@code res} with LSE replaced by {@code lse}. */
    static AttentionResult withLse(AttentionResult res, float[] lse) {
        Tensor old = res.lse().orElseThrow();
        old.copyFrom(lse);
        return res;
    }

    /** A copy of {@code t} scaled by {@code factor}, in its type. */
    static Tensor scaled(Tensor t, float factor) {
        float[] x = t.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
        Tensor out = Tensor.of(t.dtype(), x, t.shape());
        t.close();
        return out;
    }

    static Capabilities only(DType dtype) {
        Capabilities all = Capabilities.everything();
        return Capabilities.builder().dtypes(java.util.EnumSet.of(dtype)).masks(all.masks())
                .normalizers(all.normalizers()).probabilities(true)
                .backward(java.util.EnumSet.of(dtype), all.backwardMasks(), all.backwardNormalizers()).build();
    }
}
