package org.attn4j.model.alicot;

import java.util.Comparator;

/**
 * What a run compares on, apart from its depth and seed: the mode, and for latent modes the compression ratio (and
 * the latent count when it was set apart from the ratio). Runs of one condition at one depth are the seeds of one
 * point of the figures.
 */
public record AlicotCondition(String mode, int ratio, int latents) {
    /** Orders none, explicit, latent, aligned; then by ratio. */
    public static final Comparator<AlicotCondition> ORDER = Comparator
            .comparingInt((AlicotCondition c) -> AlicotMode.parse(c.mode()).ordinal())
            .thenComparingInt(AlicotCondition::ratio).thenComparingInt(AlicotCondition::latents);

    /**
     * The condition of {@code r}; the latent count is kept only when it differs from one per ratio chain steps (the
     * default), so runs of one ratio at different depths fall into one condition.
     */
    public static AlicotCondition of(AlicotResult r) {
        boolean continuous = AlicotMode.parse(r.mode()).continuous();
        int byRatio = continuous ? (r.steps() + r.ratio() - 1) / r.ratio() : 0;
        return new AlicotCondition(r.mode(), continuous ? r.ratio() : 1,
                continuous && r.latents() != byRatio ? r.latents() : 0);
    }

    /** e.g. {@code explicit CoT}, {@code aligned r=2}, {@code latent m=3}. */
    public String label() {
        return switch (AlicotMode.parse(mode)) {
            case NONE -> "no CoT";
            case EXPLICIT -> "explicit CoT";
            case LATENT, ALIGNED -> mode + (latents > 0 ? " m=" + latents : " r=" + ratio);
        };
    }
}
