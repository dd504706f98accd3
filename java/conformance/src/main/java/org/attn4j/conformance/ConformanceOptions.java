package org.attn4j.conformance;

import java.util.Objects;
import org.attn4j.spi.AttentionProvider;

/** How the kit runs against one provider: the tolerances it holds the provider to and where it puts tensors. */
public final class ConformanceOptions {
    private final Tolerances tolerances;
    private final TensorPlacement placement;
    private final boolean requireRegistration;

    private ConformanceOptions(Tolerances tolerances, TensorPlacement placement, boolean requireRegistration) {
        this.tolerances = Objects.requireNonNull(tolerances, "tolerances");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.requireRegistration = requireRegistration;
    }

    /** The SPEC's tolerances for this provider ({@link Tolerances#forProvider}) and host tensors. */
    public static ConformanceOptions defaultsFor(AttentionProvider provider) {
        return new ConformanceOptions(Tolerances.forProvider(provider), TensorPlacement.HOST, true);
    }

    public static ConformanceOptions of(Tolerances tolerances, TensorPlacement placement) {
        return new ConformanceOptions(tolerances, placement, true);
    }

    public Tolerances tolerances() {
        return tolerances;
    }

    public TensorPlacement placement() {
        return placement;
    }

    /**
     * Whether the provider must be found by ServiceLoader under its name (default true). Only providers built inside
     * a test, which no jar lists, turn it off; the contract case is then skipped with that reason.
     */
    public boolean requireRegistration() {
        return requireRegistration;
    }

    public ConformanceOptions withTolerances(Tolerances t) {
        return new ConformanceOptions(t, placement, requireRegistration);
    }

    public ConformanceOptions withPlacement(TensorPlacement p) {
        return new ConformanceOptions(tolerances, p, requireRegistration);
    }

    public ConformanceOptions withRequireRegistration(boolean required) {
        return new ConformanceOptions(tolerances, placement, required);
    }
}
