package org.attn4j.cli;

import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * Test fixture: a high-priority provider that is never available, as a GPU provider is on a machine without a GPU.
 * The command line must list it with its reason and run elsewhere.
 */
public final class UnavailableTestProvider implements AttentionProvider {
    static final String NAME = "never-here";
    static final String REASON = "test fixture: this device does not exist";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 5000;
    }

    @Override
    public Availability availability() {
        return Availability.unavailable(REASON);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.everything();
    }

    @Override
    public AttentionResult forward(AttentionRequest request) {
        throw new IllegalStateException("provider '" + NAME + "' is unavailable: " + REASON);
    }

    @Override
    public AttentionGradients backward(BackwardRequest request) {
        throw new IllegalStateException("provider '" + NAME + "' is unavailable: " + REASON);
    }
}
