package org.attn4j.model.reason;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.attn4j.model.parity.ParityTask;

/**
 * Parity with a chain of thought (Wen et al.): the input is {@code n} bits, the chain the running parities
 * {@code c_j = b_{s_1} xor .. xor b_{s_j}} over the secret indices {@code s_1 < .. < s_k} (fixed for the task, drawn
 * from its seed as {@link ParityTask} draws them); the answer is {@code c_k}. Each step depends on one input, the
 * same position for every problem: a fixed sparse dependence. Tokens: 0, 1, BOS = 2, EOS = 3.
 */
public final class ParityCotTask implements ReasoningTask {
    private static final int BOS = 2;
    private static final int EOS = 3;
    private final int n;
    private final int k;
    private final int[] secret;

    public ParityCotTask(int n, int k, long seed) {
        if (n < 2) {
            throw new IllegalArgumentException("n: expected >= 2 input bits, got " + n);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k: expected 1.." + n + " secret bits, got " + k);
        }
        this.n = n;
        this.k = k;
        this.secret = ParityTask.withSeed(n, k, true, seed).secret();
    }

    public int[] secret() {
        return secret.clone();
    }

    @Override
    public String name() {
        return "parity";
    }

    @Override
    public Map<String, Object> sizes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("k", k);
        return m;
    }

    @Override
    public int vocabSize() {
        return 4;
    }

    @Override
    public int inputLength() {
        return n;
    }

    @Override
    public int inputFields() {
        return 1;
    }

    @Override
    public boolean inputPositions() {
        return true;
    }

    @Override
    public int promptLength() {
        return 1;
    }

    @Override
    public int cotLength() {
        return k;
    }

    @Override
    public int eos() {
        return EOS;
    }

    @Override
    public int[] answerPositions() {
        return new int[] {k - 1};
    }

    @Override
    public double log2Problems() {
        return Math.min(64, n);
    }

    @Override
    public Problem sample(SplittableRandom random) {
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = random.nextInt(2);
        }
        int[] cot = new int[k];
        int c = 0;
        for (int j = 0; j < k; j++) {
            c ^= bits[secret[j]];
            cot[j] = c;
        }
        return new Problem(bits, new int[] {BOS}, cot);
    }
}
