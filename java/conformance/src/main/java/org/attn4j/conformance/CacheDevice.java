package org.attn4j.conformance;

import java.util.Set;
import org.attn4j.Device;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.DecodeProvider;

/**
 * Where the kit's caches live: in host memory, unless the provider's native caches live only on a device (the
 * {@code cuda} provider's do) and the kit was given a placement onto it; then on its first device of that kind.
 * With host placement such a provider's cache cases are skipped (its queries must be where its caches are).
 */
final class CacheDevice {
    private CacheDevice() {
    }

    static Device of(AttentionProvider p, ConformanceOptions options) {
        if (!(p instanceof DecodeProvider) || options.placement() == TensorPlacement.HOST) {
            return Device.CPU;
        }
        Set<Device.Kind> kinds = ((DecodeProvider) p).decodeCapabilities().devices();
        if (kinds.contains(Device.Kind.CPU) || kinds.isEmpty()) {
            return Device.CPU;
        }
        Device.Kind kind = kinds.iterator().next();
        return kind == Device.Kind.CUDA ? Device.cuda(0) : Device.CPU;
    }

    /** {@code config} moved to where {@code p} keeps its caches. */
    static KvCacheConfig place(AttentionProvider p, ConformanceOptions options, KvCacheConfig config) {
        Device d = of(p, options);
        return d.equals(config.device()) ? config : config.toBuilder().device(d).build();
    }
}
