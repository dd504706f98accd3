package org.attn4j.model.reason;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The dense-dependence control: the sum modulo {@code p} of {@code n} inputs. The chain writes the running sum after
 * every group of {@code g} inputs, {@code c_j = x_0 + .. + x_{jg - 1} (mod p)}; each step depends on the previous one
 * and on all {@code g} inputs of its group ({@code g = n}: the answer alone, depending on every input). Attention that
 * keeps fewer than {@code g} keys per query cannot read a group whole, which is where sparse attention should hurt.
 * The inputs are digits {@code 0..digits-1} (default bits): a group's sum is then a count that attention spread
 * evenly over the group reads from the mean of its values, while with digits up to {@code p - 1} a step is the sum
 * modulo {@code p} of several inputs, as hard to learn as parity without a chain of thought. Tokens: {@code 0..p-1},
 * BOS = p, EOS = p + 1.
 */
public final class SumTask implements ReasoningTask {
    private final int n;
    private final int p;
    private final int group;
    private final int digits;

    public SumTask(int n, int p, int group, int digits) {
        if (n < 1) {
            throw new IllegalArgumentException("n: expected >= 1 digits, got " + n);
        }
        if (p < 2) {
            throw new IllegalArgumentException("p: expected a modulus >= 2, got " + p);
        }
        if (group < 1 || group > n) {
            throw new IllegalArgumentException("group: expected 1.." + n + " digits per chain step, got " + group);
        }
        if (digits < 2 || digits > p) {
            throw new IllegalArgumentException("digits: expected 2.." + p + " (at most the modulus), got " + digits);
        }
        this.n = n;
        this.p = p;
        this.group = group;
        this.digits = digits;
    }

    @Override
    public String name() {
        return "sum";
    }

    @Override
    public Map<String, Object> sizes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("p", p);
        m.put("group", group);
        m.put("digits", digits);
        return m;
    }

    @Override
    public int vocabSize() {
        return p + 2;
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
        return (n + group - 1) / group;
    }

    @Override
    public int eos() {
        return p + 1;
    }

    @Override
    public int[] answerPositions() {
        return new int[] {cotLength() - 1};
    }

    @Override
    public double log2Problems() {
        return Math.min(64, n * Math.log(digits) / Math.log(2));
    }

    @Override
    public Problem sample(SplittableRandom random) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(digits);
        }
        int[] cot = new int[cotLength()];
        int s = 0;
        for (int i = 0; i < n; i++) {
            s = (s + x[i]) % p;
            if ((i + 1) % group == 0 || i == n - 1) {
                cot[i / group] = s;
            }
        }
        return new Problem(x, new int[] {p}, cot);
    }
}
