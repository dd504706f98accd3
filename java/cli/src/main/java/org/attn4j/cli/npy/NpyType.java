package org.attn4j.cli.npy;

import java.util.Locale;

/** The NumPy element types attn4j reads and writes: float data for Q, K, V, O, LSE, and booleans for block masks. */
public enum NpyType {
    BOOL('b', 1, "bool"),
    UINT8('u', 1, "uint8"),
    FLOAT16('f', 2, "float16"),
    FLOAT32('f', 4, "float32"),
    FLOAT64('f', 8, "float64");

    private final char kind;
    private final int byteSize;
    private final String numpyName;

    NpyType(char kind, int byteSize, String numpyName) {
        this.kind = kind;
        this.byteSize = byteSize;
        this.numpyName = numpyName;
    }

    /** NumPy's kind character: {@code b} boolean, {@code u} unsigned integer, {@code f} floating point. */
    public char kind() {
        return kind;
    }

    public int byteSize() {
        return byteSize;
    }

    /** NumPy's name for the type, for messages ({@code float32}). */
    public String numpyName() {
        return numpyName;
    }

    public boolean isFloatingPoint() {
        return kind == 'f';
    }

    /** The type of a descr's kind and size ({@code f4}), or null when attn4j does not handle it. */
    static NpyType of(char kind, int byteSize) {
        for (NpyType t : values()) {
            if (t.kind == kind && t.byteSize == byteSize) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return numpyName.toLowerCase(Locale.ROOT);
    }
}
