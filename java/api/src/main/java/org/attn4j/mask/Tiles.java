package org.attn4j.mask;

/**
 * Cutting a length into tiles of a fixed size, without int overflow: block sizes may be as large as
 * {@code Integer.MAX_VALUE}, where the textbook {@code (n + b - 1) / b} and {@code (t + 1) * b} wrap around. Every
 * count of tiles or cells in attn4j goes through here.
 */
public final class Tiles {
    private Tiles() {
    }

    /**
     * {@code ceil(length / size)}: how many tiles of {@code size} cover {@code length} (0 for an empty length).
     *
     * @param length {@code >= 0}
     * @param size   {@code >= 1}
     */
    public static int ceilDiv(int length, int size) {
        if (length < 0 || size < 1) {
            throw new IllegalArgumentException("ceilDiv(" + length + ", " + size + "): expected length >= 0 and"
                    + " size >= 1");
        }
        return length == 0 ? 0 : (length - 1) / size + 1;
    }

    /** First index of tile {@code index}, {@code index * size}, saturated at {@code Integer.MAX_VALUE}. */
    public static int start(int index, int size) {
        return (int) Math.min((long) index * size, Integer.MAX_VALUE);
    }

    /** End (exclusive) of tile {@code index} of {@code size} in a length of {@code length}. */
    public static int end(int index, int size, int length) {
        return (int) Math.min((long) index * size + size, length);
    }
}
