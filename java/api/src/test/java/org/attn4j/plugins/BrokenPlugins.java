package org.attn4j.plugins;

import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;
import org.attn4j.spi.Support;

/**
 * Test fixtures: plugins broken in every way a third-party jar can be, listed in this module's test
 * META-INF/services beside {@link ProbeProvider}, which works. Discovery must leave each broken one out (or mark it
 * unavailable) with the cause, and the others must work as if it were not there.
 */
public final class BrokenPlugins {
    private BrokenPlugins() {
    }

    /** Overrides nothing wrong: each broken plugin below breaks exactly one method. */
    abstract static class Base implements AttentionProvider {
        @Override
        public String name() {
            return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public int priority() {
            return 50;
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
            throw new UnsupportedOperationException("broken plugin");
        }

        @Override
        public AttentionGradients backward(BackwardRequest request) {
            throw new UnsupportedOperationException("broken plugin");
        }
    }

    public static final class NullName extends Base {
        @Override
        public String name() {
            return null;
        }
    }

    public static final class SpacedName extends Base {
        @Override
        public String name() {
            return " two words ";
        }
    }

    public static final class NameThrows extends Base {
        @Override
        public String name() {
            throw new IllegalStateException("name lookup exploded");
        }
    }

    public static final class ConstructorThrows extends Base {
        public ConstructorThrows() {
            throw new IllegalStateException("licence file missing", new java.io.FileNotFoundException("/etc/licence"));
        }
    }

    public static final class StaticInitFails extends Base {
        static final int VALUE = Integer.parseInt("not a number");
    }

    public static final class NoPublicConstructor extends Base {
        private NoPublicConstructor() {
        }
    }

    public static final class PriorityThrows extends Base {
        @Override
        public int priority() {
            throw new ArithmeticException("priority overflow");
        }
    }

    public static final class CapabilitiesNull extends Base {
        @Override
        public Capabilities capabilities() {
            return null;
        }
    }

    public static final class CapabilitiesThrow extends Base {
        @Override
        public Capabilities capabilities() {
            throw new NoClassDefFoundError("org/missing/Library");
        }
    }

    /** Listed, but unavailable with the cause. */
    public static final class AvailabilityThrows extends Base {
        @Override
        public int priority() {
            return 5000;
        }

        @Override
        public Availability availability() {
            throw new UnsatisfiedLinkError("no libcuda in java.library.path");
        }
    }

    /** Listed, but unavailable. */
    public static final class AvailabilityNull extends Base {
        @Override
        public int priority() {
            return 4000;
        }

        @Override
        public Availability availability() {
            return null;
        }
    }

    /** Listed and available, but automatic selection passes over it with the cause. */
    public static final class SupportsThrows extends Base {
        @Override
        public int priority() {
            return 3000;
        }

        @Override
        public Support supports(AttentionRequest request) {
            throw new IllegalStateException("support table corrupt");
        }

        @Override
        public Support supportsBackward(AttentionRequest request) {
            return null;
        }
    }

    /** Not an AttentionProvider at all. */
    public static final class NotAProvider {
    }
}
