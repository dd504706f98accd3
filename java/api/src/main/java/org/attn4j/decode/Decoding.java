package org.attn4j.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attn4j.Attention;
import org.attn4j.AttentionResult;
import org.attn4j.ProviderRegistry;
import org.attn4j.Tensor;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.DecodeProvider;
import org.attn4j.spi.Support;

/**
 * Where caches are made and decode steps run ({@link Attention#decode}, {@link KvCache#create}).
 *
 * <p>Rules: a cache is made by the named provider (argument, else {@code -Dattn4j.provider} / {@code
 * ATTN4J_PROVIDER}), else by the highest-priority available provider that can hold it. A decode step runs on the
 * named provider, else on the cache's own. There it takes the provider's native path when the provider implements
 * {@link DecodeProvider} and supports the request; otherwise the fallback runs it as one forward pass per sequence
 * over the cached keys and values ({@link ForwardDecode}): exact, but it copies the cache on every step.
 */
public final class Decoding {
    private Decoding() {
    }

    /** A new cache; see the class comment for which provider makes it. */
    public static KvCache newCache(KvCacheConfig config, String provider) {
        Objects.requireNonNull(config, "config");
        ProviderRegistry registry = Attention.registry();
        String name = provider != null ? provider : ProviderRegistry.configuredName().orElse(null);
        if (name != null) {
            AttentionProvider p = registry.get(name);
            requireAvailable(p);
            Support s = cacheSupport(p, config);
            if (!s.isSupported()) {
                throw new IllegalArgumentException("provider '" + p.name() + "' cannot hold this cache ("
                        + config.describe() + "): " + s.reason());
            }
            return cacheOn(p, config);
        }
        List<String> reasons = new ArrayList<>();
        for (AttentionProvider p : registry.providers()) {
            Availability a = availability(p);
            if (!a.isAvailable()) {
                reasons.add(p.name() + ": unavailable (" + a.reason() + ")");
                continue;
            }
            Support s = cacheSupport(p, config);
            if (s.isSupported()) {
                return cacheOn(p, config);
            }
            reasons.add(p.name() + ": " + s.reason());
        }
        throw new IllegalArgumentException("no provider can hold this cache (" + config.describe() + "): "
                + (reasons.isEmpty() ? "no providers found on the class path" : String.join("; ", reasons)));
    }

    /** One decode step on the named provider ({@code null}: the cache's own). */
    public static AttentionResult run(DecodeRequest request, String provider) {
        Objects.requireNonNull(request, "request");
        request.checkOpen();
        KvCache cache = request.cache();
        AttentionProvider p = Attention.registry().get(provider != null ? provider : cache.provider());
        requireAvailable(p);
        List<Tensor.Lease> leases = new ArrayList<>();
        try (KvCache.Lease held = cache.acquire()) {
            for (Tensor t : request.tensors()) {
                if (t != null) {
                    leases.add(lease(t));
                }
            }
            return run(p, request);
        } finally {
            for (Tensor.Lease l : leases) {
                l.close();
            }
        }
    }

    /**
     * One decode step on {@code p}: natively when it can, else through its forward pass. The caller holds the
     * cache and the tensors ({@link #run(DecodeRequest, String)} does).
     */
    public static AttentionResult run(AttentionProvider p, DecodeRequest request) {
        request.checkAgainst(request.cache().lengths());
        Support nativeSupport = Support.no("the provider has no native decode path");
        if (p instanceof DecodeProvider) {
            DecodeProvider dp = (DecodeProvider) p;
            nativeSupport = dp.supportsDecode(request);
            if (nativeSupport.isSupported()) {
                return Objects.requireNonNull(dp.decode(request), "provider '" + p.name() + "' returned no result");
            }
        }
        return ForwardDecode.run(p, request, nativeSupport.reason());
    }

    /** Whether {@code p} runs {@code r}: natively, or else through its forward pass (the reason names both). */
    public static Support supports(AttentionProvider p, DecodeRequest r) {
        Support nativeSupport = Support.no("the provider has no native decode path");
        if (p instanceof DecodeProvider) {
            try {
                nativeSupport = ((DecodeProvider) p).supportsDecode(r);
            } catch (RuntimeException e) {
                nativeSupport = Support.no("support check failed: " + e);
            }
            if (nativeSupport.isSupported()) {
                return nativeSupport;
            }
        }
        Support fallback = ForwardDecode.support(p, r);
        return fallback.isSupported() ? fallback : Support.no("native decode: " + nativeSupport.reason()
                + "; forward pass: " + fallback.reason());
    }

    /** Whether provider {@code p} can make (and decode) a cache of {@code config}. */
    public static Support cacheSupport(AttentionProvider p, KvCacheConfig config) {
        try {
            if (p instanceof DecodeProvider) {
                return ((DecodeProvider) p).decodeCapabilities().checkCache(config);
            }
            if (!config.device().isCpu()) {
                return Support.no("no native decode, and the fallback keeps caches in host memory, not on "
                        + config.device());
            }
            if (!p.capabilities().devices().contains(org.attn4j.Device.Kind.CPU)) {
                return Support.no("no native decode, and its forward pass takes no host tensors");
            }
            if (!p.capabilities().dtypes().contains(config.dtype())) {
                return Support.no("dtype " + config.dtype() + " not supported");
            }
            return Support.yes();
        } catch (RuntimeException e) {
            return Support.no("support check failed: " + e);
        }
    }

    /** A cache of {@code config} on {@code p}: its own kind, or a {@link HostKvCache} for the fallback. */
    public static KvCache cacheOn(AttentionProvider p, KvCacheConfig config) {
        if (p instanceof DecodeProvider) {
            return Objects.requireNonNull(((DecodeProvider) p).newCache(config),
                    "provider '" + p.name() + "' returned no cache");
        }
        return new HostKvCache(config, p.name());
    }

    private static void requireAvailable(AttentionProvider p) {
        Availability a = availability(p);
        if (!a.isAvailable()) {
            throw new IllegalStateException("provider '" + p.name() + "' is unavailable: " + a.reason());
        }
    }

    private static Availability availability(AttentionProvider p) {
        try {
            Availability a = p.availability();
            return a != null ? a : Availability.unavailable("provider returned no availability");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability check failed: " + e);
        }
    }

    private static Tensor.Lease lease(Tensor t) {
        try {
            return t.acquire();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("a tensor of the request was closed: " + e.getMessage(), e);
        }
    }
}
