package org.attn4j.model.probe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.attn4j.model.parity.ParityTask;

/**
 * Reads what a trained parity model has learned from its answers alone: held-out sequences drawn equally for every
 * pattern of the {@code k} secret bits (the other bits uniform), the answer's accuracy per pattern, each input bit's
 * influence (does flipping it change the answer?) and the Walsh-Fourier coefficients of the answer over subsets of
 * the secret. A model at exact match 0.75 may be right on three quarters of every pattern, or right on half of the
 * patterns and guessing on the rest; a model that computes the parity of five of the six secret bits has coefficient 0
 * on the secret and 1 on those five. Exact match alone cannot tell these apart.
 */
public final class ParityProbe {
    /** The probe enumerates the {@code 2^k} patterns of the secret bits. */
    public static final int MAX_K = 12;
    private static final int TOP = 8;
    private static final double RIGHT = 0.9;
    private static final double WRONG = 0.1;

    private ParityProbe() {
    }

    /**
     * @param perPattern held-out sequences per pattern of the secret bits
     * @param seed       draws the non-secret bits
     * @param chunk      sequences per forward pass
     */
    public static ProbeReport run(ParityTask task, AnswerModel model, int perPattern, long seed, int chunk) {
        if (task == null) {
            throw new IllegalArgumentException("task: expected the parity task the model was trained on, got null");
        }
        if (model == null) {
            throw new IllegalArgumentException("model: expected a model, got null");
        }
        int n = task.n();
        int k = task.k();
        if (k > MAX_K) {
            throw new IllegalArgumentException("k: the probe enumerates the 2^k patterns of the secret bits; expected"
                    + " k <= " + MAX_K + ", got " + k);
        }
        if (model.vocab() != 2) {
            throw new IllegalArgumentException("vocab: expected a parity model over the tokens 0 and 1 (2), got "
                    + model.vocab());
        }
        if (perPattern < 1) {
            throw new IllegalArgumentException("perPattern: expected >= 1 sequence per pattern, got " + perPattern);
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk: expected >= 1 sequence per forward pass, got " + chunk);
        }
        int patterns = 1 << k;
        long total = (long) patterns * perPattern;
        if (total * Math.max(n, task.length()) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("perPattern: 2^" + k + " patterns x " + perPattern + " sequences of "
                    + task.length() + " tokens exceed one Java array; expected fewer sequences per pattern");
        }
        int count = (int) total;
        int[] bits = draw(task, perPattern, count, seed);

        int[] answer = new int[count];
        double[] pCorrect = new double[count];
        boolean[] right = new boolean[count];
        answers(task, model, bits, count, chunk, answer, pCorrect, right);

        // Accuracy split by each input bit's value: a model right only when some bit has one value shows it here.
        double[][] byBit = new double[n][2];
        long[][] seen = new long[n][2];
        for (int s = 0; s < count; s++) {
            for (int i = 0; i < n; i++) {
                int b = bits[s * n + i];
                seen[i][b]++;
                byBit[i][b] += right[s] ? 1 : 0;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < 2; b++) {
                byBit[i][b] = seen[i][b] == 0 ? Double.NaN : byBit[i][b] / seen[i][b];
            }
        }

        double[] influence = new double[n];
        int[] flipped = new int[count];
        for (int i = 0; i < n; i++) {
            flip(bits, n, i, count);
            answers(task, model, bits, count, chunk, flipped, null, null);
            flip(bits, n, i, count); // back
            int changed = 0;
            for (int s = 0; s < count; s++) {
                if (flipped[s] != answer[s]) {
                    changed++;
                }
            }
            influence[i] = (double) changed / count;
        }

        // Per pattern: accuracy, confidence, and the mean of (-1)^answer for the transform below.
        double[] signMean = new double[patterns];
        List<ProbeReport.Pattern> byPattern = new ArrayList<>(patterns);
        int rightPatterns = 0;
        int wrongPatterns = 0;
        long rightTotal = 0;
        double pTotal = 0;
        for (int p = 0; p < patterns; p++) {
            int ok = 0;
            double prob = 0;
            double sign = 0;
            for (int s = p * perPattern; s < (p + 1) * perPattern; s++) {
                ok += right[s] ? 1 : 0;
                prob += pCorrect[s];
                sign += answer[s] == 1 ? -1 : 1;
            }
            rightTotal += ok;
            pTotal += prob;
            double acc = (double) ok / perPattern;
            rightPatterns += acc >= RIGHT ? 1 : 0;
            wrongPatterns += acc <= WRONG ? 1 : 0;
            signMean[p] = sign / perPattern;
            byPattern.add(new ProbeReport.Pattern(patternBits(p, k), Integer.bitCount(p), acc, prob / perPattern));
        }

        double[] coefficients = walshHadamard(signMean);
        int[] secret = task.secret();
        List<ProbeReport.Coefficient> top = IntStream.range(0, patterns).boxed()
                .sorted(Comparator.comparingDouble((Integer a) -> -Math.abs(coefficients[a]))
                        .thenComparingInt(a -> a))
                .limit(Math.min(TOP, patterns))
                .map(a -> new ProbeReport.Coefficient(subset(a, secret), coefficients[a]))
                .toList();

        List<ProbeReport.OnesGroup> byOnes = new ArrayList<>();
        for (int ones = 0; ones <= k; ones++) {
            int members = 0;
            double acc = 0;
            for (int p = 0; p < patterns; p++) {
                if (Integer.bitCount(p) == ones) {
                    members++;
                    acc += byPattern.get(p).accuracy();
                }
            }
            byOnes.add(new ProbeReport.OnesGroup(ones, members, acc / members));
        }

        return new ProbeReport(n, k, task.cot(), secret, perPattern, count, (double) rightTotal / count,
                pTotal / count, rightPatterns, wrongPatterns, patterns - rightPatterns - wrongPatterns, byBit, influence,
                coefficients[patterns - 1], coefficients[0], top, 1 / Math.sqrt(count), byOnes, byPattern);
    }

    /** {@code perPattern} rows of {@code n} bits for each pattern in turn: the secret bits set, the others random. */
    private static int[] draw(ParityTask task, int perPattern, int count, long seed) {
        int n = task.n();
        int[] secret = task.secret();
        int[] bits = new int[count * n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int s = 0; s < count; s++) {
            int pattern = s / perPattern;
            for (int i = 0; i < n; i++) {
                bits[s * n + i] = random.nextInt(2);
            }
            for (int j = 0; j < secret.length; j++) {
                bits[s * n + secret[j]] = (pattern >>> j) & 1;
            }
        }
        return bits;
    }

    /** The model's answer to every sequence; with {@code pCorrect} non-null also its probability of the right one. */
    private static void answers(ParityTask task, AnswerModel model, int[] bits, int count, int chunk, int[] answer,
                                double[] pCorrect, boolean[] right) {
        int n = task.n();
        int len = task.length();
        int[] tokens = new int[Math.min(chunk, count) * len];
        for (int start = 0; start < count; start += chunk) {
            int b = Math.min(chunk, count - start);
            int[] t = b * len == tokens.length ? tokens : new int[b * len];
            for (int s = 0; s < b; s++) {
                task.write(bits, (start + s) * n, t, s * len);
            }
            float[] logits = model.answerLogits(t, b, len);
            if (logits == null || logits.length != b * 2) {
                throw new IllegalStateException("answerLogits: expected " + b + " x 2 logits, got "
                        + (logits == null ? "null" : logits.length));
            }
            for (int s = 0; s < b; s++) {
                float l0 = logits[2 * s];
                float l1 = logits[2 * s + 1];
                int a = l1 > l0 ? 1 : 0; // argmax, ties to the lower token
                answer[start + s] = a;
                if (pCorrect != null) {
                    int label = t[s * len + len - 1];
                    double p1 = 1 / (1 + Math.exp((double) l0 - l1));
                    pCorrect[start + s] = label == 1 ? p1 : 1 - p1;
                    right[start + s] = a == label;
                }
            }
        }
    }

    /** Flips bit {@code i} of every one of the {@code count} rows of {@code n} bits. */
    private static void flip(int[] bits, int n, int i, int count) {
        for (int s = 0; s < count; s++) {
            bits[s * n + i] ^= 1;
        }
    }

    /** {@code c[A] = mean over patterns p of v[p] * (-1)^popcount(A & p)}. */
    static double[] walshHadamard(double[] v) {
        double[] c = v.clone();
        for (int h = 1; h < c.length; h <<= 1) {
            for (int i = 0; i < c.length; i += 2 * h) {
                for (int j = i; j < i + h; j++) {
                    double a = c[j];
                    double b = c[j + h];
                    c[j] = a + b;
                    c[j + h] = a - b;
                }
            }
        }
        for (int i = 0; i < c.length; i++) {
            c[i] /= c.length;
        }
        return c;
    }

    private static int[] subset(int mask, int[] secret) {
        return IntStream.range(0, secret.length).filter(j -> ((mask >>> j) & 1) != 0).map(j -> secret[j]).toArray();
    }

    private static String patternBits(int p, int k) {
        StringBuilder sb = new StringBuilder(k);
        for (int j = 0; j < k; j++) {
            sb.append((p >>> j) & 1);
        }
        return sb.toString();
    }
}
