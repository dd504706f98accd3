package org.attn4j.bench.workload;

import java.util.Locale;

/**
 * Which size of the standard shapes a provider runs: the SPEC's sizes on a GPU, the same shapes scaled down on a CPU
 * (a 2-core machine cannot run 16k-token sweeps in minutes). {@link ShapeSets} states the scaling.
 */
public enum Scale {
    /** The SPEC's shapes: FlashAttention's 16k-token sweep and attention-gym's B=16, H=16, S=8192. */
    FULL("full"),
    /** The same shapes scaled down for CPUs: 8x fewer tokens, 4x smaller hidden size (see {@link ShapeSets}). */
    CPU("cpu");

    private final String label;

    Scale(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses {@code full} or {@code cpu}. */
    public static Scale parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Scale s : values()) {
            if (s.label.equals(t)) {
                return s;
            }
        }
        throw new IllegalArgumentException("scale: expected full or cpu, got '" + text + "'");
    }

    @Override
    public String toString() {
        return label;
    }
}
