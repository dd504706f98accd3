package org.attn4j.cli;

import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * Test fixtures: two broken plugins on the CLI's test class path. {@code attn4j info} lists them with the cause, and
 * every command works as if they were not there.
 */
public final class BrokenTestProviders {
    static final String CONSTRUCTOR_CAUSE = "simulated: missing licence file";

    private BrokenTestProviders() {
    }

    /** Its name is null: by-name lookups used to throw a NullPointerException for every provider. */
    public static final class NullName implements AttentionProvider {
        @Override
        public String name() {
            return null;
        }

        @Override
        public int priority() {
            return 10_000;
        }

        @Override
        public Availability availability() {
            return Availability.available();
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.everything();
        }

        @Override
        public AttentionResult forward(AttentionRequest request) {
            throw new UnsupportedOperationException("never selected");
        }

        @Override
        public AttentionGradients backward(BackwardRequest request) {
            throw new UnsupportedOperationException("never selected");
        }
    }

    /** Its constructor throws: diagnostics used to show it without the cause. */
    public static final class ConstructorThrows implements AttentionProvider {
        public ConstructorThrows() {
            throw new IllegalStateException(CONSTRUCTOR_CAUSE);
        }

        @Override
        public String name() {
            return "constructor-throws";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public Availability availability() {
            return Availability.available();
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.everything();
        }

        @Override
        public AttentionResult forward(AttentionRequest request) {
            throw new UnsupportedOperationException("never constructed");
        }

        @Override
        public AttentionGradients backward(BackwardRequest request) {
            throw new UnsupportedOperationException("never constructed");
        }
    }
}
