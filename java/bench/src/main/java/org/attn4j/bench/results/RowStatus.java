package org.attn4j.bench.results;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What became of one row. Only {@link #OK} rows carry a speed. */
public enum RowStatus {
    /** Checked against the reference and timed. */
    OK,
    /** The result disagreed with the reference: not timed, not reported as a speed. */
    FAILED_CHECK,
    /** The provider (or peer) cannot run this configuration; the note says why. */
    UNSUPPORTED,
    /** Not run: the time budget was used up, or the peer was not asked for. */
    SKIPPED,
    /** The call threw; the note holds the message. */
    ERROR;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static RowStatus parse(String text) {
        for (RowStatus s : values()) {
            if (s.label().equalsIgnoreCase(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("status: expected ok, failed_check, unsupported, skipped or error, got '"
                + text + "'");
    }
}
