package org.attn4j;

/** One provider as diagnostics see it: found, available or not and why, and what it computes. */
public final class ProviderInfo {
    private final String name;
    private final int priority;
    private final boolean available;
    private final String reason;
    private final String capabilities;
    private final String implementation;
    private final String origin;

    ProviderInfo(String name, int priority, boolean available, String reason, String capabilities,
                 String implementation, String origin) {
        this.name = name;
        this.priority = priority;
        this.available = available;
        this.reason = reason;
        this.capabilities = capabilities;
        this.implementation = implementation;
        this.origin = origin;
    }

    static String originOf(Class<?> type) {
        try {
            java.security.CodeSource cs = type.getProtectionDomain().getCodeSource();
            return cs != null && cs.getLocation() != null ? cs.getLocation().toString() : "unknown";
        } catch (SecurityException e) {
            return "unknown";
        }
    }

    public String name() {
        return name;
    }

    public int priority() {
        return priority;
    }

    public boolean available() {
        return available;
    }

    /** Why it is unavailable (for a plugin left out, what failed and its cause), or a note on what it found. */
    public String reason() {
        return reason;
    }

    /** The capability summary, or empty for a provider that failed to load. */
    public String capabilities() {
        return capabilities;
    }

    /** Implementing class. */
    public String implementation() {
        return implementation;
    }

    /** Jar or folder the class came from. */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return name + " (priority " + priority + "): " + (available ? "available" : "unavailable") + " - " + reason;
    }
}
