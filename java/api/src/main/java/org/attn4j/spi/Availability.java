package org.attn4j.spi;

import org.attn4j.internal.Arguments;

/** Whether a provider can run on this machine and, if not, why (e.g. "no CUDA driver: libcuda.so.1 not found"). */
public final class Availability {
    private static final Availability AVAILABLE = new Availability(true, "available");

    private final boolean available;
    private final String reason;

    private Availability(boolean available, String reason) {
        this.available = available;
        this.reason = reason;
    }

    public static Availability available() {
        return AVAILABLE;
    }

    /** Available, with a note (e.g. the device found). */
    public static Availability available(String note) {
        return new Availability(true, Arguments.notNull(note, "note", "a note on what was found"));
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, Arguments.notNull(reason, "reason", "why the provider cannot run"));
    }

    public boolean isAvailable() {
        return available;
    }

    /** Why it is unavailable, or a note on what was found when it is available. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return available ? "available (" + reason + ")" : "unavailable: " + reason;
    }
}
