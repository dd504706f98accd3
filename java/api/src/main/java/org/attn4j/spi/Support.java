package org.attn4j.spi;

import org.attn4j.internal.Arguments;

/** Whether a provider can run one request and, if not, why ("dtype fp32 not supported (supports fp16, bf16)"). */
public final class Support {
    private static final Support YES = new Support(true, "supported");

    private final boolean supported;
    private final String reason;

    private Support(boolean supported, String reason) {
        this.supported = supported;
        this.reason = reason;
    }

    public static Support yes() {
        return YES;
    }

    public static Support no(String reason) {
        return new Support(false, Arguments.notNull(reason, "reason", "why the request is not supported"));
    }

    public boolean isSupported() {
        return supported;
    }

    public String reason() {
        return reason;
    }

    /** This, or {@code other} if this is supported. */
    public Support and(Support other) {
        Arguments.notNull(other, "other", "a Support");
        return supported ? other : this;
    }

    @Override
    public String toString() {
        return supported ? "supported" : "not supported: " + reason;
    }
}
