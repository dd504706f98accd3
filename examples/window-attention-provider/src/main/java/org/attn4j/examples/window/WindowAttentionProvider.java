package org.attn4j.examples.window;

import java.util.EnumSet;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.MaskKind;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * {@code window-example}: sliding-window softmax attention (Longformer-style, with global tokens and optional
 * causality) whose cost is {@code O(Nq * W)} per head for a window of W keys, because it visits only the keys in
 * each query's window. fp32 host tensors, forward only, LSE on request.
 *
 * <p>An example of a provider written from outside the core: it declares exactly what it computes, validates its
 * input, and is proven by the conformance kit (see its tests). Priority 10 keeps it below {@code cpu} (100) in
 * automatic selection; select it by name ({@code -Dattn4j.provider=window-example}).
 */
public final class WindowAttentionProvider implements AttentionProvider {
    public static final String NAME = "window-example";

    private static final Capabilities CAPABILITIES = Capabilities.builder()
            .dtypes(EnumSet.of(DType.FP32))
            .normalizers(EnumSet.of(Normalizer.SOFTMAX))
            .masks(EnumSet.of(MaskKind.CAUSAL, MaskKind.SLIDING_WINDOW, MaskKind.GLOBAL_TOKENS))
            .build(); // host tensors, any head dim, no probabilities, no backward: the builder's defaults

    /** Cheap, as the SPI asks: providers are constructed just to be listed. */
    public WindowAttentionProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "example plugin: sliding-window softmax attention in O(Nq * window), fp32, forward only";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        return Availability.available("pure Java");
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public AttentionResult forward(AttentionRequest r) {
        r.checkTensorsOpen(); // "q: tensor is closed" rather than an IllegalStateException later
        CAPABILITIES.require(r, NAME); // "dtype fp16 not supported (supports fp32)" and the like

        SlidingWindow w = r.window().orElse(null);
        KeyRanges ranges = new KeyRanges(r.queryLength(), r.keyLength(), r.causal(), w != null,
                w != null ? w.left() : 0, w != null ? w.right() : 0, w != null ? w.globalTokens() : 0);
        WindowAttention attention = new WindowAttention(r.batch(), r.queryHeads(), r.kvHeads(), r.queryLength(),
                r.keyLength(), r.headDim(), r.valueDim(), (float) r.scale(), ranges);

        float[] o = new float[r.batch() * r.queryHeads() * r.queryLength() * r.valueDim()];
        float[] lse = r.returnLse() ? new float[r.batch() * r.queryHeads() * r.queryLength()] : null;
        long visited = attention.compute(r.q().toFloatArray(), r.k().toFloatArray(), r.v().toFloatArray(), o, lse);

        AttentionResult.Builder result = AttentionResult.builder(NAME).allowedPairs(visited);
        // Write into the caller's tensors when given; otherwise allocate ones the result owns (and frees).
        Tensor out = r.output().orElse(null);
        boolean ownsOut = out == null;
        if (ownsOut) {
            out = Tensor.allocate(r.outputDType(), r.batch(), r.queryHeads(), r.queryLength(), r.valueDim());
        }
        out.copyFrom(o); // converts to the output type (fp16 or bf16 if the caller asked)
        result.output(out, ownsOut);
        if (lse != null) {
            Tensor l = r.lseOutput().orElse(null);
            boolean ownsLse = l == null;
            if (ownsLse) {
                l = Tensor.allocate(DType.FP32, r.batch(), r.queryHeads(), r.queryLength());
            }
            l.copyFrom(lse);
            result.lse(l, ownsLse);
        }
        return result.build();
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        request.checkTensorsOpen();
        CAPABILITIES.requireBackward(request.forward(), NAME); // always throws: no backward is declared
        throw new IllegalStateException("unreachable: " + NAME + " declares no backward pass");
    }
}
