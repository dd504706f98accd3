package org.attn4j.reference;

import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.decode.DecodeCapabilities;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.HostKvCache;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.reference.decode.ExactDecode;
import org.attn4j.spi.Availability;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Capabilities;
import org.attn4j.spi.DecodeProvider;

/**
 * {@code reference}: the exact oracle every other provider is tested against. Every mask, normalizer, type and the
 * backward pass, accumulated in float64; plain loops, parallel over batch and heads, and slow by design
 * ({@code O(B H Nq Nk D)} whatever the masks). Host tensors only. Decoding too, on any cache (it reads the cache's
 * copies), by the SPEC's rules position by position ({@link ExactDecode}).
 */
public final class ReferenceProvider implements AttentionProvider, DecodeProvider {
    public static final String NAME = "reference";
    private static final Capabilities CAPABILITIES = Capabilities.everything();
    private static final DecodeCapabilities DECODE = DecodeCapabilities.everything();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "exact oracle: float64 accumulation, every mask and normalizer, forward and backward";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.available("pure Java, float64");
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public AttentionResult forward(AttentionRequest r) {
        r.checkTensorsOpen();
        CAPABILITIES.require(r, NAME);
        ExactAttention exact = new ExactAttention(r, r.q().toFloatArray(), r.k().toFloatArray(),
                r.v().toFloatArray());
        ExactAttention.Outputs out = exact.forward(r.returnLse(), r.returnProbabilities());

        AttentionResult.Builder result = AttentionResult.builder(NAME).allowedPairs(out.allowedPairs);
        Tensor o = r.output().orElse(null);
        boolean ownsO = o == null;
        if (ownsO) {
            o = Tensor.allocate(r.outputDType(), r.batch(), r.queryHeads(), r.queryLength(), r.valueDim());
        }
        o.copyFrom(out.o);
        result.output(o, ownsO);
        if (r.returnLse()) {
            Tensor lse = r.lseOutput().orElse(null);
            boolean owns = lse == null;
            if (owns) {
                lse = Tensor.allocate(DType.FP32, r.batch(), r.queryHeads(), r.queryLength());
            }
            lse.copyFrom(out.lse);
            result.lse(lse, owns);
        }
        if (r.returnProbabilities()) {
            result.probabilities(Tensor.of(out.probabilities, r.batch(), r.queryHeads(), r.queryLength(),
                    r.keyLength()), true);
        }
        return result.build();
    }

    @Override
    public AttentionGradients backward(BackwardRequest b) {
        b.checkTensorsOpen();
        AttentionRequest r = b.forward();
        CAPABILITIES.requireBackward(r, NAME);
        ExactAttention exact = new ExactAttention(r, r.q().toFloatArray(), r.k().toFloatArray(),
                r.v().toFloatArray());
        float[][] g = exact.backward(b.gradOutput().toFloatArray());
        DType t = r.dtype();
        return new AttentionGradients(NAME, Tensor.of(t, g[0], r.q().shape()), Tensor.of(t, g[1], r.k().shape()),
                Tensor.of(t, g[2], r.v().shape()));
    }

    @Override
    public DecodeCapabilities decodeCapabilities() {
        return DECODE;
    }

    @Override
    public KvCache newCache(KvCacheConfig config) {
        return new HostKvCache(config, NAME);
    }

    @Override
    public AttentionResult decode(DecodeRequest r) {
        r.checkOpen();
        ExactDecode.Outputs out = new ExactDecode(r).run();
        AttentionResult.Builder result = AttentionResult.builder(NAME).allowedPairs(out.allowedPairs);
        Tensor o = r.output().orElse(null);
        boolean ownsO = o == null;
        if (ownsO) {
            o = Tensor.allocate(r.outputDType(), r.batch(), r.queryHeads(), r.queryLength(), r.valueDim());
        }
        o.copyFrom(out.o);
        result.output(o, ownsO);
        if (r.returnLse()) {
            Tensor lse = r.lseOutput().orElse(null);
            boolean owns = lse == null;
            if (owns) {
                lse = Tensor.allocate(DType.FP32, r.batch(), r.queryHeads(), r.queryLength());
            }
            lse.copyFrom(out.lse);
            result.lse(lse, owns);
        }
        return result.build();
    }
}
