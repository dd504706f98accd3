package org.attn4j.model.reason;

import java.util.List;
import org.attn4j.model.nn.CrossEntropy;

/** Problems laid out as the arrays the models take. */
final class Batches {
    private Batches() {
    }

    /** The inputs one after the other: {@code [B * N * F]}. */
    static int[] inputs(List<Problem> ps) {
        int per = ps.get(0).input().length;
        int[] out = new int[ps.size() * per];
        for (int b = 0; b < ps.size(); b++) {
            System.arraycopy(ps.get(b).input(), 0, out, b * per, per);
        }
        return out;
    }

    /** The prompts: {@code [B * P]}. */
    static int[] prompts(List<Problem> ps) {
        int per = ps.get(0).prompt().length;
        int[] out = new int[ps.size() * per];
        for (int b = 0; b < ps.size(); b++) {
            System.arraycopy(ps.get(b).prompt(), 0, out, b * per, per);
        }
        return out;
    }

    /** {@code prefix + prompt + cot + eos} of one problem. */
    static int[] sequence(int[] prefix, Problem p, int eos) {
        int[] s = new int[prefix.length + p.prompt().length + p.cot().length + 1];
        System.arraycopy(prefix, 0, s, 0, prefix.length);
        System.arraycopy(p.prompt(), 0, s, prefix.length, p.prompt().length);
        System.arraycopy(p.cot(), 0, s, prefix.length + p.prompt().length, p.cot().length);
        s[s.length - 1] = eos;
        return s;
    }

    /**
     * Decoder inputs (every token but the last) and next-token targets of sequences that all have the same length,
     * labelled from position {@code firstLabelled} on (the rest {@link CrossEntropy#IGNORE}).
     *
     * @return {@code {tokens, targets}}, each {@code [B * (length - 1)]}
     */
    static int[][] shifted(int[][] sequences, int firstLabelled) {
        int t = sequences[0].length - 1;
        int[] tokens = new int[sequences.length * t];
        int[] targets = new int[sequences.length * t];
        for (int b = 0; b < sequences.length; b++) {
            for (int i = 0; i < t; i++) {
                tokens[b * t + i] = sequences[b][i];
                targets[b * t + i] = i >= firstLabelled ? sequences[b][i + 1] : CrossEntropy.IGNORE;
            }
        }
        return new int[][] {tokens, targets};
    }
}
