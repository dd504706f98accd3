package org.attn4j.model.parity;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The parity problem (n, k) as the paper's reference code lays out its sequences (tokens are the bits 0 and 1):
 * <pre>
 *   without CoT:  b_0 .. b_{n-1}, y                                   length n + 1, 1 labelled token
 *   with CoT:     b_0 .. b_{n-1}, 0, c_1, c_2, .., c_k                length n + k + 1, k + 1 labelled tokens
 * </pre>
 * where the secret indices {@code s_1 < .. < s_k} are in ascending order, {@code c_j = b_{s_1} xor .. xor b_{s_j}}
 * (so {@code c_k = y}, the parity), and the token {@code 0} before them is the parity of the empty prefix. Every token
 * after the inputs is labelled: the model is trained to predict it from the tokens before it. With CoT, the token at
 * position {@code n + j} equals the one before it xor {@code b_{s_j}}: row {@code n + j - 1} depends on a single input,
 * the secret {@code s_j} (the paper's sparse dependence).
 *
 * <p>{@link #withEndOfInput()} gives the layout of the paper's Definition 1 without CoT,
 * {@code b_0 .. b_{n-1}, 0, y} (length {@code n + 2}): the {@code 0} marks the end of the input and its row predicts
 * the answer. The theory model uses it; the GPT runs use the reference code's layout above.
 *
 * <p>The secret set is {@code k} distinct indices drawn uniformly from a seed, re-drawn while it contains the last
 * input (as the reference code does, so that the answer never simply copies the token before it) unless
 * {@code k == n}.
 */
public final class ParityTask {
    private final int n;
    private final int k;
    private final boolean cot;
    private final int[] secret;
    private final boolean endOfInput;

    private ParityTask(int n, int k, boolean cot, int[] secret) {
        this(n, k, cot, secret, false);
    }

    private ParityTask(int n, int k, boolean cot, int[] secret, boolean endOfInput) {
        this.n = n;
        this.k = k;
        this.cot = cot;
        this.secret = secret;
        this.endOfInput = endOfInput;
    }

    /** The task whose secret is drawn from {@code seed}. */
    public static ParityTask withSeed(int n, int k, boolean cot, long seed) {
        check(n, k);
        SplittableRandom random = new SplittableRandom(seed);
        while (true) {
            int[] pool = new int[n];
            for (int i = 0; i < n; i++) {
                pool[i] = i;
            }
            for (int i = 0; i < k; i++) {
                int j = i + random.nextInt(n - i);
                int t = pool[i];
                pool[i] = pool[j];
                pool[j] = t;
            }
            int[] s = Arrays.copyOf(pool, k);
            Arrays.sort(s);
            if (k == n || s[k - 1] != n - 1) {
                return new ParityTask(n, k, cot, s);
            }
        }
    }

    /** The task with this secret set (any order; stored ascending). */
    public static ParityTask of(int n, boolean cot, int... secret) {
        check(n, secret.length);
        int[] s = secret.clone();
        Arrays.sort(s);
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0 || s[i] >= n) {
                throw new IllegalArgumentException("secret: expected indices 0.." + (n - 1) + ", got "
                        + Arrays.toString(secret));
            }
            if (i > 0 && s[i] == s[i - 1]) {
                throw new IllegalArgumentException("secret: expected distinct indices, got " + Arrays.toString(secret));
            }
        }
        return new ParityTask(n, s.length, cot, s);
    }

    private static void check(int n, int k) {
        if (n < 2) {
            throw new IllegalArgumentException("n: expected >= 2 input bits, got " + n);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k: expected 1.." + n + " (1 <= k <= n), got " + k);
        }
    }

    public int n() {
        return n;
    }

    public int k() {
        return k;
    }

    public boolean cot() {
        return cot;
    }

    /** The secret indices, ascending, 0-based. */
    public int[] secret() {
        return secret.clone();
    }

    /** The same secret, with or without CoT (and the end-of-input token, if this task has it). */
    public ParityTask withCot(boolean withCot) {
        return new ParityTask(n, k, withCot, secret, endOfInput);
    }

    /**
     * The same task with Definition 1's end-of-input token {@code 0} between the inputs and the answer when there is
     * no CoT ({@code b, 0, y}); with CoT the layout already has it (the parity of the empty prefix).
     */
    public ParityTask withEndOfInput() {
        return new ParityTask(n, k, cot, secret, true);
    }

    /** Whether the layout without CoT has the end-of-input token (always the case with CoT). */
    public boolean endOfInput() {
        return cot || endOfInput;
    }

    /** Tokens per sequence: {@code n + k + 1} with CoT, {@code n + 1} without ({@code n + 2} with the end token). */
    public int length() {
        return cot ? n + k + 1 : endOfInput ? n + 2 : n + 1;
    }

    /** Tokens that follow the inputs (all labelled): {@code k + 1} with CoT, 1 without. */
    public int labelledTokens() {
        return length() - n;
    }

    /** Rows whose next token is labelled: {@code n - 1 .. length - 2}. */
    public int[] labelRows() {
        int[] rows = new int[labelledTokens()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = n - 1 + i;
        }
        return rows;
    }

    /**
     * Rows that carry the loss of the paper's theory (Section 3.1): with CoT the {@code k} rows {@code n .. n+k-1},
     * which predict the partial parities after the given {@code 0}; without CoT Definition 1's row {@code n + 1}
     * (1-based), the end-of-input token's row {@code n}, which predicts the answer. Without CoT the layout must have
     * that token ({@link #withEndOfInput()}).
     */
    public int[] theoryRows() {
        if (!cot) {
            if (!endOfInput) {
                throw new IllegalStateException("theoryRows: without CoT the theory's loss is on the end-of-input"
                        + " row (Definition 1); use withEndOfInput()");
            }
            return new int[] {n};
        }
        int[] rows = new int[k];
        for (int j = 0; j < k; j++) {
            rows[j] = n + j;
        }
        return rows;
    }

    /** The input row {@code row} depends on: {@code s_j} for CoT row {@code n + j - 1}, else {@code -1}. */
    public int secretOfRow(int row) {
        if (!cot || row < n || row > n + k - 1) {
            return -1;
        }
        return secret[row - n];
    }

    /** Writes the sequence of input bits {@code bits[0..n)} at {@code dst[offset..offset + length)}. */
    public void write(int[] bits, int bitsOffset, int[] dst, int offset) {
        int parity = 0;
        for (int i = 0; i < n; i++) {
            int b = bits[bitsOffset + i];
            if (b != 0 && b != 1) {
                throw new IllegalArgumentException("bits[" + i + "]: expected 0 or 1, got " + b);
            }
            dst[offset + i] = b;
        }
        if (cot) {
            dst[offset + n] = 0;
            for (int j = 0; j < k; j++) {
                parity ^= bits[bitsOffset + secret[j]];
                dst[offset + n + 1 + j] = parity;
            }
        } else {
            for (int s : secret) {
                parity ^= bits[bitsOffset + s];
            }
            if (endOfInput) {
                dst[offset + n] = 0;
            }
            dst[offset + length() - 1] = parity;
        }
    }

    /** The parity of the secret bits of {@code bits}. */
    public int answer(int[] bits, int bitsOffset) {
        int parity = 0;
        for (int s : secret) {
            parity ^= bits[bitsOffset + s];
        }
        return parity;
    }

    @Override
    public String toString() {
        return "parity(n=" + n + ", k=" + k + (cot ? ", CoT" : endOfInput ? ", no CoT, end token" : ", no CoT")
                + ", secret " + Arrays.toString(secret) + ")";
    }
}
