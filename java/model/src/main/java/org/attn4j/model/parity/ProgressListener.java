package org.attn4j.model.parity;

/** Receives a {@link Progress} after every evaluation (and free-form stage lines). */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores everything. */
    ProgressListener NONE = p -> { };

    void onProgress(Progress progress);

    /** A stage of a longer story (sweep, demo): one line of text. */
    default void onStage(String line) {
    }
}
