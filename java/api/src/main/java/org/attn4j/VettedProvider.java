package org.attn4j;

import java.util.regex.Pattern;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Capabilities;

/**
 * A provider found on the class path whose identity has been checked once, at discovery: its name, priority and
 * capabilities answered without throwing and made sense. The registry keeps the answers, so that a plugin that
 * misbehaves later cannot break lookups by name or the order of the others.
 */
final class VettedProvider {
    /** Names are looked up case-insensitively and typed on command lines: no spaces, nothing exotic. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

    final AttentionProvider provider;
    final String name;
    final int priority;

    private VettedProvider(AttentionProvider provider, String name, int priority) {
        this.provider = provider;
        this.name = name;
        this.priority = priority;
    }

    /**
     * Checks {@code p}'s name, priority and capabilities.
     *
     * @throws Rejected with the reason, when one of them throws or makes no sense
     */
    static VettedProvider vet(AttentionProvider p) throws Rejected {
        String name;
        try {
            name = p.name();
        } catch (Throwable t) {
            PluginFailure.rethrowIfFatal(t);
            throw new Rejected(null, "name() threw " + PluginFailure.describe(t));
        }
        if (name == null) {
            throw new Rejected(null, "name() returned null");
        }
        if (!NAME.matcher(name).matches()) {
            throw new Rejected(null, "name() returned '" + name + "': expected 1 to 64 letters, digits, '.', '_',"
                    + " '+' or '-', starting with a letter or digit");
        }
        int priority;
        try {
            priority = p.priority();
        } catch (Throwable t) {
            PluginFailure.rethrowIfFatal(t);
            throw new Rejected(name, "priority() threw " + PluginFailure.describe(t));
        }
        Capabilities caps;
        try {
            caps = p.capabilities();
        } catch (Throwable t) {
            PluginFailure.rethrowIfFatal(t);
            throw new Rejected(name, "capabilities() threw " + PluginFailure.describe(t));
        }
        if (caps == null) {
            throw new Rejected(name, "capabilities() returned null");
        }
        return new VettedProvider(p, name, priority);
    }

    /** Why a provider was left out; {@link #name} is null when the name itself was the problem. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final String name;

        Rejected(String name, String reason) {
            super(reason, null, false, false);
            this.name = name;
        }
    }
}
