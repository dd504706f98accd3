package org.attn4j.bench.timing;

/** The time budget of a run: rows not started before it passes are reported as skipped. */
public final class Deadline {
    private final long endNanos;
    private final boolean unlimited;
    private final double seconds;

    private Deadline(double seconds) {
        this.unlimited = seconds <= 0;
        this.seconds = seconds;
        this.endNanos = unlimited ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
    }

    /** A budget of {@code seconds} from now; 0 or less means none. */
    public static Deadline in(double seconds) {
        return new Deadline(seconds);
    }

    public static Deadline none() {
        return new Deadline(0);
    }

    public boolean passed() {
        return !unlimited && System.nanoTime() - endNanos >= 0;
    }

    public boolean unlimited() {
        return unlimited;
    }

    /** The budget it was created with, in seconds (0: none). */
    public double seconds() {
        return unlimited ? 0 : seconds;
    }
}
