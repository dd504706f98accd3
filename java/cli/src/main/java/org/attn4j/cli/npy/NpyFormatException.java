package org.attn4j.cli.npy;

/** A file that is not a NumPy array attn4j can use; the message names the file and what was wrong. */
public final class NpyFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NpyFormatException(String message) {
        super(message);
    }
}
