package org.attn4j.model.reason;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Modular linear algebra, after the seed's linear-algebra questions: the product {@code y = A x} of an {@code n x n}
 * matrix and a vector over {@code Z_p}. The input is {@code A} row by row, then {@code x}; the chain lists every
 * partial sum {@code s_ij = a_i0 x_0 + .. + a_ij x_j (mod p)} row by row, so that {@code s_i,n-1 = y_i}, the answer.
 * Each step depends on the step before (within a row), on {@code a_ij} and on {@code x_j}: three tokens, at positions
 * that follow from the step's position. Tokens: the digits {@code 0..p-1}, BOS = p, EOS = p + 1.
 */
public final class LinalgTask implements ReasoningTask {
    private final int n;
    private final int p;

    public LinalgTask(int n, int p) {
        if (n < 1) {
            throw new IllegalArgumentException("n: expected a matrix size >= 1, got " + n);
        }
        if (p < 2) {
            throw new IllegalArgumentException("p: expected a modulus >= 2, got " + p);
        }
        this.n = n;
        this.p = p;
    }

    @Override
    public String name() {
        return "linalg";
    }

    @Override
    public Map<String, Object> sizes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("p", p);
        return m;
    }

    @Override
    public int vocabSize() {
        return p + 2;
    }

    @Override
    public int inputLength() {
        return n * n + n;
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
        return n * n;
    }

    @Override
    public int eos() {
        return p + 1;
    }

    @Override
    public int[] answerPositions() {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i * n + n - 1;
        }
        return a;
    }

    @Override
    public double log2Problems() {
        return Math.min(64, inputLength() * Math.log(p) / Math.log(2));
    }

    @Override
    public Problem sample(SplittableRandom random) {
        int[] input = new int[inputLength()];
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextInt(p);
        }
        int[] cot = new int[n * n];
        for (int i = 0; i < n; i++) {
            int s = 0;
            for (int j = 0; j < n; j++) {
                s = (s + input[i * n + j] * input[n * n + j]) % p;
                cot[i * n + j] = s;
            }
        }
        return new Problem(input, new int[] {p}, cot);
    }
}
