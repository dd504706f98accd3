package org.attn4j.internal;

/**
 * The API's one rule for bad arguments, in one place: an {@link IllegalArgumentException} whose message starts with
 * the field's name and says what was expected, {@code null} included (never a NullPointerException).
 */
public final class Arguments {
    private Arguments() {
    }

    /**
     * Returns {@code value}, or throws {@code "<field>: expected <expected>, got null"}.
     *
     * @throws IllegalArgumentException when {@code value} is null
     */
    public static <T> T notNull(T value, String field, String expected) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": expected " + expected + ", got null");
        }
        return value;
    }
}
