package org.attn4j.model.nn;

/**
 * The length of one Java array, computed in {@code long} and checked, so that a size too large for an array is
 * refused by name instead of overflowing an {@code int} product into a negative size.
 */
public final class ArrayLength {
    /** The longest array the JVMs allocate (a few header words below {@code Integer.MAX_VALUE}). */
    public static final long MAX = Integer.MAX_VALUE - 8;

    private ArrayLength() {
    }

    /**
     * {@code values} as an array length.
     *
     * @param field what the user set, as the message's first word ("batch", "attentionDropout")
     * @param what  the array's size in the user's terms ("512 sequences of 21 tokens")
     * @param hint  what to change, or empty
     * @throws IllegalArgumentException if {@code values} is negative or above {@link #MAX}
     */
    public static int of(long values, String field, String what, String hint) {
        if (values < 0 || values > MAX) {
            throw new IllegalArgumentException(field + ": " + what + ", more than one Java array holds (2^31 - 9)"
                    + (hint.isEmpty() ? "" : "; " + hint));
        }
        return (int) values;
    }
}
