package org.attn4j.spi;

import org.attn4j.AttentionResult;
import org.attn4j.decode.DecodeCapabilities;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;

/**
 * Native decoding: what an {@link AttentionProvider} also implements when it has its own KV cache and decode path
 * (docs/SPEC.md, "Decoding with a KV cache"). Optional: a provider that does not implement it still decodes, through
 * {@link org.attn4j.decode.Decoding}'s fallback, which keeps a {@link org.attn4j.decode.HostKvCache} and runs each
 * step as one forward pass per sequence over the cached keys, with the decode rules turned into a block mask.
 *
 * <p>Contract, as for {@link AttentionProvider}: validate with IllegalArgumentException naming the field, never
 * crash the JVM, allow calls from several threads (the cache serialises appends against decodes).
 * <ul>
 *   <li>{@link #newCache} returns a cache of the provider's own kind (host arrays in its kernels' layout, or device
 *       memory), a subclass of {@link KvCache} that implements its storage hooks; it must accept every config
 *       {@link DecodeCapabilities#checkCache} accepts.</li>
 *   <li>{@link #decode} computes exactly what the SPEC defines for the request's cache. It is called only when
 *       {@link #supportsDecode} says yes; the caller holds the cache (no append runs meanwhile) and leases on the
 *       tensors.</li>
 * </ul>
 * The conformance kit's decode cases ({@code CaseCategory.KV_CACHE}) check both against {@code reference}.
 */
public interface DecodeProvider {

    /** What the native decode path computes. */
    DecodeCapabilities decodeCapabilities();

    /** A new, empty cache of this provider's kind. */
    KvCache newCache(KvCacheConfig config);

    /**
     * Whether the native path runs {@code r}; by default from {@link #decodeCapabilities()}. Override to refuse
     * caches of another kind (the request's cache may come from another provider).
     */
    default Support supportsDecode(DecodeRequest r) {
        return decodeCapabilities().check(r);
    }

    /** Computes O (and the LSE when asked) of one decode step. */
    AttentionResult decode(DecodeRequest r);
}
