package org.attn4j.cli;

/**
 * A problem with what the user asked for (a missing file, a bad flag combination, a shape that does not fit). The
 * command line prints its message on one line and exits with {@link Main#EXIT_ERROR}.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
