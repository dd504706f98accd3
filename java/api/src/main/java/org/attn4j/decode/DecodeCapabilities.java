package org.attn4j.decode;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.mask.MaskKind;
import org.attn4j.spi.Support;

/**
 * What a provider's native decode path computes: cache types and devices, masks, normalizers, head dims, and how
 * many new queries per sequence one call may carry. A request outside them still runs, through the forward-pass
 * fallback (see {@link Decoding}), when the provider's forward pass supports it.
 */
public final class DecodeCapabilities {
    private final Set<DType> dtypes;
    private final Set<Device.Kind> devices;
    private final Set<MaskKind> masks;
    private final Set<Normalizer> normalizers;
    private final Set<Integer> headDims;
    private final int maxHeadDim;
    private final int maxQueries;
    private final boolean lse;
    private final boolean valueDimsLikeHeadDims;

    private DecodeCapabilities(Builder b) {
        this.dtypes = Collections.unmodifiableSet(EnumSet.copyOf(b.dtypes));
        this.devices = Collections.unmodifiableSet(EnumSet.copyOf(b.devices));
        this.masks = Collections.unmodifiableSet(b.masks.isEmpty() ? EnumSet.noneOf(MaskKind.class)
                : EnumSet.copyOf(b.masks));
        this.normalizers = Collections.unmodifiableSet(EnumSet.copyOf(b.normalizers));
        this.headDims = b.headDims == null ? null : Collections.unmodifiableSet(new TreeSet<>(b.headDims));
        this.maxHeadDim = b.maxHeadDim;
        this.maxQueries = b.maxQueries;
        this.lse = b.lse;
        this.valueDimsLikeHeadDims = b.valueDimsLikeHeadDims;
    }

    /** Starts from: fp32 host caches, softmax, causal only, any head dim, one query per sequence, LSE. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every decode mask, normalizer and type, host caches, any head dim, any number of queries. */
    public static DecodeCapabilities everything() {
        return builder().dtypes(EnumSet.allOf(DType.class)).masks(EnumSet.allOf(MaskKind.class))
                .normalizers(EnumSet.allOf(Normalizer.class)).maxQueries(Integer.MAX_VALUE).build();
    }

    /** Whether a cache of {@code config} can be created and decoded. */
    public Support checkCache(KvCacheConfig config) {
        if (!devices.contains(config.device().kind())) {
            return Support.no("caches on " + config.device() + " not supported (holds them on " + list(devices)
                    + ")");
        }
        if (!dtypes.contains(config.dtype())) {
            return Support.no("cache dtype " + config.dtype() + " not supported (supports " + list(dtypes) + ")");
        }
        int d = config.headDim();
        if (headDims != null && !headDims.contains(d)) {
            return Support.no("head dim " + d + " not supported (supports " + list(headDims) + ")");
        }
        if (d > maxHeadDim) {
            return Support.no("head dim " + d + " not supported (at most " + maxHeadDim + ")");
        }
        int dv = config.valueDim();
        if (valueDimsLikeHeadDims && ((headDims != null && !headDims.contains(dv)) || dv > maxHeadDim)) {
            return Support.no("value dim " + dv + " not supported (supports " + (headDims != null ? list(headDims)
                    : "at most " + maxHeadDim) + ")");
        }
        return Support.yes();
    }

    /** Whether the native decode path runs {@code r}, and if not the first reason why. */
    public Support check(DecodeRequest r) {
        Support cache = checkCache(r.cache().config());
        if (!cache.isSupported()) {
            return cache;
        }
        if (!normalizers.contains(r.normalizer())) {
            return Support.no("normalizer " + r.normalizer() + " not supported (supports " + list(normalizers)
                    + ")");
        }
        for (MaskKind m : r.maskKinds()) {
            if (m != MaskKind.CAUSAL && !masks.contains(m)) {
                return Support.no("mask '" + m + "' not supported in decode (supports "
                        + (masks.isEmpty() ? "causal only" : list(masks)) + ")");
            }
        }
        if (r.queryLength() > maxQueries) {
            return Support.no(r.queryLength() + " new queries per sequence not supported (at most " + maxQueries
                    + ")");
        }
        if (r.returnLse() && !lse) {
            return Support.no("returning the LSE from decode not supported");
        }
        return Support.yes();
    }

    public Set<DType> dtypes() {
        return dtypes;
    }

    public Set<Device.Kind> devices() {
        return devices;
    }

    public Set<MaskKind> masks() {
        return masks;
    }

    public Set<Normalizer> normalizers() {
        return normalizers;
    }

    /** Supported head dims, or {@code null} for any up to {@link #maxHeadDim()}. */
    public Set<Integer> headDims() {
        return headDims;
    }

    public int maxHeadDim() {
        return maxHeadDim;
    }

    /** New queries per sequence in one call, at most. */
    public int maxQueries() {
        return maxQueries;
    }

    public boolean lse() {
        return lse;
    }

    /** One line for diagnostics. */
    public String summary() {
        return "decode: caches on " + list(devices) + "; dtypes " + list(dtypes) + "; normalizers "
                + list(normalizers) + "; masks causal" + (masks.isEmpty() ? "" : ", " + list(masks))
                + "; head dims " + (headDims == null ? "any" + (maxHeadDim < Integer.MAX_VALUE ? " <= " + maxHeadDim
                : "") : list(headDims)) + "; queries per sequence "
                + (maxQueries == Integer.MAX_VALUE ? "any" : "<= " + maxQueries) + (lse ? "; lse" : "");
    }

    @Override
    public String toString() {
        return "DecodeCapabilities[" + summary() + "]";
    }

    private static String list(Collection<?> items) {
        return items.stream().map(x -> x instanceof Device.Kind ? x.toString().toLowerCase(Locale.ROOT)
                : String.valueOf(x)).collect(Collectors.joining(", "));
    }

    /** Builds {@link DecodeCapabilities}. */
    public static final class Builder {
        private Set<DType> dtypes = EnumSet.of(DType.FP32);
        private Set<Device.Kind> devices = EnumSet.of(Device.Kind.CPU);
        private Set<MaskKind> masks = EnumSet.noneOf(MaskKind.class);
        private Set<Normalizer> normalizers = EnumSet.of(Normalizer.SOFTMAX);
        private Set<Integer> headDims;
        private int maxHeadDim = Integer.MAX_VALUE;
        private int maxQueries = 1;
        private boolean lse = true;
        private boolean valueDimsLikeHeadDims;

        private Builder() {
        }

        public Builder dtypes(Set<DType> dtypes) {
            if (dtypes.isEmpty()) {
                throw new IllegalArgumentException("dtypes: expected at least one");
            }
            this.dtypes = EnumSet.copyOf(dtypes);
            return this;
        }

        public Builder devices(Set<Device.Kind> devices) {
            if (devices.isEmpty()) {
                throw new IllegalArgumentException("devices: expected at least one");
            }
            this.devices = EnumSet.copyOf(devices);
            return this;
        }

        /** The masks beyond causal (which decoding always applies). */
        public Builder masks(Set<MaskKind> masks) {
            this.masks = masks.isEmpty() ? EnumSet.noneOf(MaskKind.class) : EnumSet.copyOf(masks);
            return this;
        }

        public Builder normalizers(Set<Normalizer> normalizers) {
            if (normalizers.isEmpty()) {
                throw new IllegalArgumentException("normalizers: expected at least one");
            }
            this.normalizers = EnumSet.copyOf(normalizers);
            return this;
        }

        public Builder headDims(Set<Integer> headDims) {
            this.headDims = headDims == null ? null : new TreeSet<>(headDims);
            return this;
        }

        public Builder maxHeadDim(int maxHeadDim) {
            this.maxHeadDim = maxHeadDim;
            return this;
        }

        public Builder maxQueries(int maxQueries) {
            if (maxQueries < 1) {
                throw new IllegalArgumentException("maxQueries: expected >= 1, got " + maxQueries);
            }
            this.maxQueries = maxQueries;
            return this;
        }

        /** Value dims are limited as head dims are (by default any value dim). */
        public Builder valueDimsLikeHeadDims() {
            this.valueDimsLikeHeadDims = true;
            return this;
        }

        public Builder lse(boolean lse) {
            this.lse = lse;
            return this;
        }

        public DecodeCapabilities build() {
            return new DecodeCapabilities(this);
        }
    }
}
