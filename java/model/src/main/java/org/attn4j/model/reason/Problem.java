package org.attn4j.model.reason;

import java.util.Arrays;

/**
 * One problem of a {@link ReasoningTask}: its input (what the encoder reads), the decoder's prompt and the chain of
 * thought that solves it (the answer included, the end token not).
 *
 * @param input  {@code [inputLength * fields]} tokens
 * @param prompt the decoder's first tokens
 * @param cot    the reasoning, ending with the answer
 */
public record Problem(int[] input, int[] prompt, int[] cot) {

    /** A 64-bit fingerprint of input and prompt, to keep held-out problems out of training. */
    public long fingerprint() {
        long h = 1125899906842597L;
        for (int t : input) {
            h = 31 * h + t;
        }
        h = 31 * h - 1;
        for (int t : prompt) {
            h = 31 * h + t;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Problem && Arrays.equals(input, ((Problem) o).input)
                && Arrays.equals(prompt, ((Problem) o).prompt) && Arrays.equals(cot, ((Problem) o).cot);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(fingerprint());
    }

    @Override
    public String toString() {
        return "Problem[input=" + Arrays.toString(input) + ", prompt=" + Arrays.toString(prompt) + ", cot="
                + Arrays.toString(cot) + "]";
    }
}
