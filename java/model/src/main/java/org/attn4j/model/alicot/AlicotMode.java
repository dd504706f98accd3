package org.attn4j.model.alicot;

import java.util.Locale;

/** The four ways of reaching the answer that the experiment compares. */
public enum AlicotMode {
    /** The answer right after the prompt. */
    NONE,
    /** The chain of thought as tokens, then the answer. */
    EXPLICIT,
    /** {@code m} continuous latent tokens trained through the answer alone. */
    LATENT,
    /** ALiCoT-style: the latent tokens' output distributions are also trained to predict the chunk of the chain each
     * stands for. */
    ALIGNED;

    public static AlicotMode parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (AlicotMode m : values()) {
            if (m.label().equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("mode: expected none, explicit, latent or aligned, got '" + text + "'");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether positions after the prompt take continuous thoughts as inputs. */
    public boolean continuous() {
        return this == LATENT || this == ALIGNED;
    }
}
