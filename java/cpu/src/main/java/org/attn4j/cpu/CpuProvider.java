package org.attn4j.cpu;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.cpu.decode.CpuDecode;
import org.attn4j.cpu.decode.CpuKvCache;
import org.attn4j.decode.DecodeCapabilities;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.internal.HostStorage;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;
import org.attn4j.spi.DecodeProvider;
import org.attn4j.spi.Support;

/**
 * {@code cpu}: the fast pure-Java provider. Everything the SPEC defines (every mask, normalizer and input type,
 * forward and backward) on host tensors, computed FlashAttention style: tiles of queries by keys, online softmax,
 * tasks over batch x heads x query tiles on a fork/join pool, and tiles the masks remove are never computed.
 * Accumulates in fp32.
 *
 * <p>Decoding with its own KV cache ({@link CpuKvCache}): keys split over the threads, work following the kept keys
 * (package {@code org.attn4j.cpu.decode}).
 *
 * <p>Threads: {@code -Dattn4j.cpu.threads=N} (default: available processors).
 */
public final class CpuProvider implements AttentionProvider, DecodeProvider {
    public static final String NAME = "cpu";
    private static final Capabilities CAPABILITIES = Capabilities.everything();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "pure Java, tiled with online softmax, multithreaded, skips masked tiles; fp32 accumulation";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        return Availability.available("pure Java, " + CpuThreads.threads() + " threads");
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public AttentionResult forward(AttentionRequest r) {
        r.checkTensorsOpen();
        CAPABILITIES.require(r, NAME);
        int b = r.batch();
        int hq = r.queryHeads();
        int nq = r.queryLength();
        int nk = r.keyLength();
        List<Tensor> allocated = new ArrayList<>();
        try {
            Tensor o = r.output().orElse(null);
            boolean ownsO = o == null;
            if (ownsO) {
                o = track(allocated, Tensor.allocate(r.outputDType(), b, hq, nq, r.valueDim()));
            }
            Tensor lse = null;
            boolean ownsLse = false;
            if (r.returnLse()) {
                lse = r.lseOutput().orElse(null);
                ownsLse = lse == null;
                if (ownsLse) {
                    lse = track(allocated, Tensor.allocate(DType.FP32, b, hq, nq));
                }
            }
            Tensor probabilities = r.returnProbabilities()
                    ? track(allocated, Tensor.allocate(DType.FP32, b, hq, nq, nk)) : null;

            SelectedKernels.get(); // an invalid attn4j.cpu.simd fails here, before any work
            AttentionProblem problem = AttentionProblem.prepare(r, false);
            // O never shares memory with an input: AttentionRequest refuses that.
            long pairs = new ForwardPass(problem, o, lse, probabilities).run();
            SelectedKernels.callReturned();
            AttentionResult.Builder result = AttentionResult.builder(NAME).allowedPairs(pairs).output(o, ownsO);
            if (lse != null) {
                result.lse(lse, ownsLse);
            }
            if (probabilities != null) {
                result.probabilities(probabilities, true);
            }
            return result.build();
        } catch (RuntimeException | Error e) {
            for (Tensor t : allocated) {
                t.close();
            }
            throw e;
        }
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        request.checkTensorsOpen();
        AttentionRequest r = request.forward();
        CAPABILITIES.requireBackward(r, NAME);
        List<Tensor> allocated = new ArrayList<>();
        try {
            DType t = r.dtype();
            Tensor dq = track(allocated, Tensor.allocate(t, r.q().shape()));
            Tensor dk = track(allocated, Tensor.allocate(t, r.k().shape()));
            Tensor dv = track(allocated, Tensor.allocate(t, r.v().shape()));
            SelectedKernels.get();
            AttentionProblem problem = AttentionProblem.prepare(r, true);
            new BackwardPass(problem, request.output(), request.lse().orElse(null), request.gradOutput(), dq, dk,
                    dv).run();
            SelectedKernels.callReturned();
            return new AttentionGradients(NAME, dq, dk, dv);
        } catch (RuntimeException | Error e) {
            for (Tensor x : allocated) {
                x.close();
            }
            throw e;
        }
    }

    @Override
    public DecodeCapabilities decodeCapabilities() {
        return CpuDecode.CAPABILITIES;
    }

    @Override
    public KvCache newCache(KvCacheConfig config) {
        return new CpuKvCache(config, NAME);
    }

    @Override
    public Support supportsDecode(DecodeRequest r) {
        return CpuDecode.supports(r);
    }

    @Override
    public AttentionResult decode(DecodeRequest r) {
        return CpuDecode.run(r, NAME);
    }

    private static Tensor track(List<Tensor> allocated, Tensor t) {
        allocated.add(t);
        return t;
    }
}
