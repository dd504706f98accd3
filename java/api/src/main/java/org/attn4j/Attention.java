package org.attn4j;

import java.util.List;
import org.attn4j.internal.Arguments;
import org.attn4j.spi.AttentionProvider;

/**
 * The entry point: runs attention on the best provider found, or on the one you name.
 *
 * <p>Errors: a request that cannot run (an invalid or closed tensor, an unknown or unavailable provider, a provider
 * that does not support it) throws an {@link IllegalArgumentException} whose message starts with the field it is
 * about ({@code q: tensor is closed}, {@code provider 'cuda' is unavailable: ...}); nothing else is thrown for a bad
 * request.
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

    /**
     * Forward pass on the configured provider, or the best available one that supports the request.
     *
     * @throws IllegalArgumentException naming the field, for a request no provider can run (closed tensors, a
     *                                  provider that cannot take it...)
     */
    public static AttentionResult forward(AttentionRequest request) {
        return forward(request, null);
    }

    /**
     * Forward pass on the provider named {@code provider} ({@code null}: automatic selection). The call leases every
     * tensor of the request for its whole duration: closing one meanwhile frees it when the call ends.
     *
     * @throws IllegalArgumentException naming the field: a closed tensor, an unknown or unavailable provider, one
     *                                  that cannot run the request
     */
    public static AttentionResult forward(AttentionRequest request, String provider) {
        Arguments.notNull(request, "request", "an AttentionRequest");
        try (CallLeases leases = CallLeases.take(AttentionRequest.tensorNames(), request.tensors())) {
            AttentionProvider p = registry().select(request, provider);
            AttentionResult result = p.forward(request);
            if (result == null) {
                throw new IllegalStateException("provider '" + p.name() + "' returned no result");
            }
            return result;
        }
    }

    /** Backward pass of {@code result}, preferring the provider that computed it. */
    public static AttentionGradients backward(AttentionRequest forward, AttentionResult result, Tensor gradOutput) {
        Arguments.notNull(result, "result", "the forward pass's AttentionResult");
        return backward(BackwardRequest.of(forward, result, gradOutput), null, result.provider());
    }

    /** Backward pass on the provider named {@code provider} ({@code null}: automatic selection). */
    public static AttentionGradients backward(BackwardRequest request, String provider) {
        return backward(request, provider, null);
    }

    private static AttentionGradients backward(BackwardRequest request, String provider, String preferred) {
        Arguments.notNull(request, "request", "a BackwardRequest");
        try (CallLeases leases = CallLeases.take(BackwardRequest.tensorNames(), request.tensors())) {
            AttentionProvider p = registry().selectBackward(request.forward(), provider, preferred);
            AttentionGradients gradients = p.backward(request);
            if (gradients == null) {
                throw new IllegalStateException("provider '" + p.name() + "' returned no gradients");
            }
            return gradients;
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
}
