package org.attn4j.model.encdec;

/** Scratch arrays reused while the shape stays the same. */
final class Buffers {
    private Buffers() {
    }

    /** {@code a} if it has exactly {@code n} elements, else a new array of {@code n}. */
    static float[] fit(float[] a, int n) {
        return a != null && a.length == n ? a : new float[n];
    }
}
