package org.attn4j.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.attn4j.AttentionRequest;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.internal.Arguments;
import org.attn4j.mask.MaskKind;

/**
 * What a provider can compute: input types, devices, masks, normalizers, head dimensions, extra outputs, and what
 * its backward pass covers. {@link #check(AttentionRequest)} turns a mismatch into a reason a person can act on.
 */
public final class Capabilities {
    private final Set<DType> dtypes;
    private final Set<Device.Kind> devices;
    private final Set<MaskKind> masks;
    private final Set<Normalizer> normalizers;
    private final Set<Integer> headDims;
    private final int maxHeadDim;
    private final boolean valueDimMustEqualHeadDim;
    private final boolean probabilities;
    private final Set<DType> backwardDtypes;
    private final Set<MaskKind> backwardMasks;
    private final Set<Normalizer> backwardNormalizers;

    private Capabilities(Builder b) {
        this.dtypes = Collections.unmodifiableSet(EnumSet.copyOf(b.dtypes));
        this.devices = Collections.unmodifiableSet(EnumSet.copyOf(b.devices));
        this.masks = Collections.unmodifiableSet(copy(b.masks, MaskKind.class));
        this.normalizers = Collections.unmodifiableSet(EnumSet.copyOf(b.normalizers));
        this.headDims = b.headDims == null ? null : Collections.unmodifiableSet(new TreeSet<>(b.headDims));
        this.maxHeadDim = b.maxHeadDim;
        this.valueDimMustEqualHeadDim = b.valueDimMustEqualHeadDim;
        this.probabilities = b.probabilities;
        this.backwardDtypes = Collections.unmodifiableSet(copy(b.backwardDtypes, DType.class));
        this.backwardMasks = Collections.unmodifiableSet(copy(b.backwardMasks, MaskKind.class));
        this.backwardNormalizers = Collections.unmodifiableSet(copy(b.backwardNormalizers, Normalizer.class));
    }

    /** Starts from: fp32 host tensors, softmax, no masks, any head dimension, forward only. */
    public static Builder builder() {
        return new Builder();
    }

    /** Everything the SPEC defines, forward and backward, for host tensors of every type. */
    public static Capabilities everything() {
        return builder().dtypes(EnumSet.allOf(DType.class)).masks(EnumSet.allOf(MaskKind.class))
                .normalizers(EnumSet.allOf(Normalizer.class)).probabilities(true)
                .backward(EnumSet.allOf(DType.class), EnumSet.allOf(MaskKind.class), EnumSet.allOf(Normalizer.class))
                .build();
    }

    /** Whether the forward pass can run {@code r}, and if not the first reason why. */
    public Support check(AttentionRequest r) {
        Arguments.notNull(r, "request", "an AttentionRequest");
        if (!devices.contains(r.device().kind())) {
            return Support.no("tensors on " + r.device() + " not supported (takes " + list(devices) + ")");
        }
        if (!dtypes.contains(r.dtype())) {
            return Support.no("dtype " + r.dtype() + " not supported (supports " + list(dtypes) + ")");
        }
        if (!normalizers.contains(r.normalizer())) {
            return Support.no("normalizer " + r.normalizer() + " not supported (supports " + list(normalizers)
                    + ")");
        }
        for (MaskKind m : r.maskKinds()) {
            if (!masks.contains(m)) {
                return Support.no("mask '" + m + "' not supported (supports "
                        + (masks.isEmpty() ? "no masks" : list(masks)) + ")");
            }
        }
        int d = r.headDim();
        if (headDims != null && !headDims.contains(d)) {
            return Support.no("head dim " + d + " not supported (supports " + list(headDims) + ")");
        }
        if (d > maxHeadDim) {
            return Support.no("head dim " + d + " not supported (at most " + maxHeadDim + ")");
        }
        if (valueDimMustEqualHeadDim && r.valueDim() != d) {
            return Support.no("value dim " + r.valueDim() + " differs from head dim " + d
                    + " (this provider needs them equal)");
        }
        if (r.returnProbabilities() && !probabilities) {
            return Support.no("returning attention probabilities not supported");
        }
        return Support.yes();
    }

    /** Whether the backward pass can run for forward request {@code r}. */
    public Support checkBackward(AttentionRequest r) {
        Support forward = check(r);
        if (!forward.isSupported()) {
            return forward;
        }
        if (!backwardDtypes.contains(r.dtype())) {
            return Support.no("backward for dtype " + r.dtype() + " not supported"
                    + (backwardDtypes.isEmpty() ? " (no backward pass)" : " (supports " + list(backwardDtypes) + ")"));
        }
        if (!backwardNormalizers.contains(r.normalizer())) {
            return Support.no("backward for normalizer " + r.normalizer() + " not supported");
        }
        for (MaskKind m : r.maskKinds()) {
            if (!backwardMasks.contains(m)) {
                return Support.no("backward with mask '" + m + "' not supported");
            }
        }
        return Support.yes();
    }

    /** Throws the reason of {@link #check} as an IllegalArgumentException when {@code r} is not supported. */
    public void require(AttentionRequest r, String providerName) {
        Support s = check(r);
        if (!s.isSupported()) {
            throw new IllegalArgumentException("provider '" + providerName + "': " + s.reason());
        }
    }

    /** Like {@link #require} for the backward pass. */
    public void requireBackward(AttentionRequest r, String providerName) {
        Support s = checkBackward(r);
        if (!s.isSupported()) {
            throw new IllegalArgumentException("provider '" + providerName + "': " + s.reason());
        }
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

    /** Supported head dimensions, or {@code null} for any up to {@link #maxHeadDim()}. */
    public Set<Integer> headDims() {
        return headDims;
    }

    public int maxHeadDim() {
        return maxHeadDim;
    }

    public boolean valueDimMustEqualHeadDim() {
        return valueDimMustEqualHeadDim;
    }

    public boolean probabilities() {
        return probabilities;
    }

    public boolean hasBackward() {
        return !backwardDtypes.isEmpty() && !backwardNormalizers.isEmpty();
    }

    public Set<DType> backwardDtypes() {
        return backwardDtypes;
    }

    public Set<MaskKind> backwardMasks() {
        return backwardMasks;
    }

    public Set<Normalizer> backwardNormalizers() {
        return backwardNormalizers;
    }

    /** One line for diagnostics. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("devices ").append(list(devices)).append("; dtypes ").append(list(dtypes))
                .append("; normalizers ").append(list(normalizers))
                .append("; masks ").append(masks.isEmpty() ? "none" : list(masks))
                .append("; head dims ").append(headDims != null ? list(headDims)
                        : maxHeadDim == Integer.MAX_VALUE ? "any" : "up to " + maxHeadDim);
        if (probabilities) {
            sb.append("; probabilities");
        }
        sb.append("; backward ");
        if (!hasBackward()) {
            sb.append("none");
        } else {
            sb.append(list(backwardDtypes)).append(' ').append(list(backwardNormalizers));
            sb.append(" masks ").append(backwardMasks.isEmpty() ? "none" : list(backwardMasks));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Capabilities[" + summary() + "]";
    }

    private static String list(Collection<?> items) {
        return items.stream().map(x -> x instanceof Device.Kind ? x.toString().toLowerCase(java.util.Locale.ROOT)
                : String.valueOf(x)).collect(Collectors.joining(", "));
    }

    private static <E extends Enum<E>> EnumSet<E> copy(Set<E> set, Class<E> type) {
        return set.isEmpty() ? EnumSet.noneOf(type) : EnumSet.copyOf(set);
    }

    /** Builds {@link Capabilities}. */
    public static final class Builder {
        private Set<DType> dtypes = EnumSet.of(DType.FP32);
        private Set<Device.Kind> devices = EnumSet.of(Device.Kind.CPU);
        private Set<MaskKind> masks = EnumSet.noneOf(MaskKind.class);
        private Set<Normalizer> normalizers = EnumSet.of(Normalizer.SOFTMAX);
        private Set<Integer> headDims;
        private int maxHeadDim = Integer.MAX_VALUE;
        private boolean valueDimMustEqualHeadDim;
        private boolean probabilities;
        private Set<DType> backwardDtypes = EnumSet.noneOf(DType.class);
        private Set<MaskKind> backwardMasks = EnumSet.noneOf(MaskKind.class);
        private Set<Normalizer> backwardNormalizers = EnumSet.noneOf(Normalizer.class);

        private Builder() {
        }

        public Builder dtypes(Set<DType> dtypes) {
            Arguments.notNull(dtypes, "dtypes", "a set of input types");
            if (dtypes.isEmpty()) {
                throw new IllegalArgumentException("dtypes: expected at least one");
            }
            this.dtypes = EnumSet.copyOf(dtypes);
            return this;
        }

        public Builder devices(Set<Device.Kind> devices) {
            Arguments.notNull(devices, "devices", "a set of device kinds");
            if (devices.isEmpty()) {
                throw new IllegalArgumentException("devices: expected at least one");
            }
            this.devices = EnumSet.copyOf(devices);
            return this;
        }

        /** The masks supported (empty: none). */
        public Builder masks(Set<MaskKind> masks) {
            Arguments.notNull(masks, "masks", "a set of masks (empty: none)");
            this.masks = masks.isEmpty() ? EnumSet.noneOf(MaskKind.class) : EnumSet.copyOf(masks);
            return this;
        }

        public Builder normalizers(Set<Normalizer> normalizers) {
            Arguments.notNull(normalizers, "normalizers", "a set of normalizers");
            if (normalizers.isEmpty()) {
                throw new IllegalArgumentException("normalizers: expected at least one");
            }
            this.normalizers = EnumSet.copyOf(normalizers);
            return this;
        }

        /** Only these head dimensions ({@code null}, the default: any up to {@link #maxHeadDim(int)}). */
        public Builder headDims(Set<Integer> headDims) {
            if (headDims != null && (headDims.isEmpty() || headDims.stream().anyMatch(d -> d == null || d < 1))) {
                throw new IllegalArgumentException("headDims: expected head dimensions >= 1 (or null: any), got "
                        + headDims);
            }
            this.headDims = headDims == null ? null : new TreeSet<>(headDims);
            return this;
        }

        /** The largest head dimension (default: no limit). */
        public Builder maxHeadDim(int maxHeadDim) {
            if (maxHeadDim < 1) {
                throw new IllegalArgumentException("maxHeadDim: expected >= 1, got " + maxHeadDim);
            }
            this.maxHeadDim = maxHeadDim;
            return this;
        }

        public Builder valueDimMustEqualHeadDim(boolean value) {
            this.valueDimMustEqualHeadDim = value;
            return this;
        }

        public Builder probabilities(boolean probabilities) {
            this.probabilities = probabilities;
            return this;
        }

        /** The backward pass's coverage; empty sets mean no backward pass. */
        public Builder backward(Set<DType> dtypes, Set<MaskKind> masks, Set<Normalizer> normalizers) {
            Arguments.notNull(dtypes, "backward dtypes", "a set of input types (empty: no backward pass)");
            Arguments.notNull(masks, "backward masks", "a set of masks (empty: none)");
            Arguments.notNull(normalizers, "backward normalizers", "a set of normalizers (empty: no backward pass)");
            this.backwardDtypes = dtypes.isEmpty() ? EnumSet.noneOf(DType.class) : EnumSet.copyOf(dtypes);
            this.backwardMasks = masks.isEmpty() ? EnumSet.noneOf(MaskKind.class) : EnumSet.copyOf(masks);
            this.backwardNormalizers = normalizers.isEmpty()
                    ? EnumSet.noneOf(Normalizer.class) : EnumSet.copyOf(normalizers);
            return this;
        }

        public Capabilities build() {
            return new Capabilities(this);
        }
    }
}
