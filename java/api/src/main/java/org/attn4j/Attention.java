package org.attn4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attn4j.spi.AttentionProvider;

/**
 * The entry point: runs attention on the best provider found, or on the one you name.
 *
 * <pre>{@code
 * try (Tensor q = Tensor.of(qData, 1, 8, 1024, 64); Tensor k = Tensor.of(kData, 1, 8, 1024, 64);
 *      Tensor v = Tensor.of(vData, 1, 8, 1024, 64);
 *      AttentionResult r = Attention.forward(AttentionRequest.builder(q, k, v).causal().build())) {
 *     float[] o = r.output().toFloatArray();
 * }
 * }</pre>
 */
public final class Attention {
    private Attention() {
    }

    private static final class DefaultRegistry {
        static final ProviderRegistry INSTANCE = ProviderRegistry.load();
    }

    /** The providers found on the class path (loaded once, on first use). */
    public static ProviderRegistry registry() {
        return DefaultRegistry.INSTANCE;
    }

    /** Forward pass on the configured provider, or the best available one that supports the request. */
    public static AttentionResult forward(AttentionRequest request) {
        return forward(request, null);
    }

    /** Forward pass on the provider named {@code provider} ({@code null}: automatic selection). */
    public static AttentionResult forward(AttentionRequest request, String provider) {
        Objects.requireNonNull(request, "request");
        request.checkTensorsOpen();
        AttentionProvider p = registry().select(request, provider);
        List<Tensor.Lease> leases = acquire(request.tensors());
        try {
            return Objects.requireNonNull(p.forward(request), "provider '" + p.name() + "' returned no result");
        } finally {
            release(leases);
        }
    }

    /** Backward pass of {@code result}, preferring the provider that computed it. */
    public static AttentionGradients backward(AttentionRequest forward, AttentionResult result, Tensor gradOutput) {
        return backward(BackwardRequest.of(forward, result, gradOutput), null, result.provider());
    }

    /** Backward pass on the provider named {@code provider} ({@code null}: automatic selection). */
    public static AttentionGradients backward(BackwardRequest request, String provider) {
        return backward(request, provider, null);
    }

    private static AttentionGradients backward(BackwardRequest request, String provider, String preferred) {
        Objects.requireNonNull(request, "request");
        request.checkTensorsOpen();
        AttentionProvider p = registry().selectBackward(request.forward(), provider, preferred);
        List<Tensor.Lease> leases = acquire(request.tensors());
        try {
            return Objects.requireNonNull(p.backward(request), "provider '" + p.name() + "' returned no gradients");
        } finally {
            release(leases);
        }
    }

    /**
     * One decode step: the new queries of every sequence of {@code request.cache()} against what the cache holds
     * (docs/SPEC.md, "Decoding with a KV cache"), on the provider that owns the cache.
     */
    public static AttentionResult decode(org.attn4j.decode.DecodeRequest request) {
        return org.attn4j.decode.Decoding.run(request, null);
    }

    /** One decode step on the provider named {@code provider} ({@code null}: the cache's own). */
    public static AttentionResult decode(org.attn4j.decode.DecodeRequest request, String provider) {
        return org.attn4j.decode.Decoding.run(request, provider);
    }

    /**
     * The provider of this name.
     *
     * @throws IllegalArgumentException listing the names found, if none matches
     */
    public static AttentionProvider provider(String name) {
        return registry().get(name);
    }

    /** The provider a forward call would use for {@code request}. */
    public static AttentionProvider select(AttentionRequest request) {
        return registry().select(request);
    }

    /** Every provider found, available or not, with the reason. */
    public static List<ProviderInfo> diagnostics() {
        return registry().diagnostics();
    }

    private static List<Tensor.Lease> acquire(Tensor[] tensors) {
        List<Tensor.Lease> leases = new ArrayList<>();
        try {
            for (Tensor t : tensors) {
                if (t != null) {
                    leases.add(t.acquire());
                }
            }
        } catch (IllegalStateException e) {
            release(leases);
            throw new IllegalArgumentException("a tensor of the request was closed: " + e.getMessage(), e);
        }
        return leases;
    }

    private static void release(List<Tensor.Lease> leases) {
        for (Tensor.Lease l : leases) {
            l.close();
        }
    }
}
