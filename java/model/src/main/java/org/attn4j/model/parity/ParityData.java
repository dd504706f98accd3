package org.attn4j.model.parity;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Inputs for a {@link ParityTask}: a held-out evaluation set, and training sequences that never repeat an evaluation
 * input, either fresh for every batch (one-pass training) or drawn epoch by epoch from a fixed training set
 * (multi-pass training, reshuffled every epoch).
 *
 * <p>As in the reference code, for {@code n <= 22} all {@code 2^n} inputs are enumerated and shuffled: the evaluation
 * set is the first {@code evalSize} of them and a fixed training set the next {@code trainSize}. Fresh training
 * inputs are uniform draws, redrawn when they fall in the evaluation set. For larger {@code n}, distinct inputs are
 * drawn at random.
 */
public final class ParityData {
    private static final int ENUMERATE_UP_TO = 22;

    private final ParityTask task;
    private final int n;
    private final SplittableRandom random;
    private final int[] evalBits;
    private final int evalSize;
    private final Set<Key> evalKeys = new HashSet<>();
    private final int[] trainBits;
    private final int trainSize;
    private int[] order;
    private int cursor;
    private long epochsStarted;

    /**
     * @param evalSize  held-out sequences (at most half of the {@code 2^n} inputs)
     * @param trainSize size of the fixed training set, or 0 for fresh samples
     */
    public ParityData(ParityTask task, long seed, int evalSize, int trainSize) {
        this.task = task;
        this.n = task.n();
        if (evalSize < 1) {
            throw new IllegalArgumentException("evalSize: expected >= 1, got " + evalSize);
        }
        if (trainSize < 0) {
            throw new IllegalArgumentException("trainSize: expected >= 0 (0: fresh samples), got " + trainSize);
        }
        double inputs = Math.pow(2, n);
        if (evalSize > inputs / 2) {
            throw new IllegalArgumentException("evalSize: expected at most half of the 2^" + n + " inputs ("
                    + (long) (inputs / 2) + "), got " + evalSize);
        }
        if (evalSize + (double) trainSize > inputs) {
            throw new IllegalArgumentException("trainSize: the " + trainSize + " training and " + evalSize
                    + " evaluation inputs must be distinct, but n = " + n + " has only " + (long) inputs);
        }
        if (n > ENUMERATE_UP_TO && evalSize + (double) trainSize > inputs / 2) {
            // Above 2^22 inputs they are drawn until new: beyond half of them the draws would go on and on.
            throw new IllegalArgumentException("trainSize: for n > " + ENUMERATE_UP_TO + " the training and"
                    + " evaluation inputs together may fill at most half of the 2^" + n + " inputs ("
                    + (long) (inputs / 2) + "), got " + trainSize + " + " + evalSize);
        }
        if ((long) trainSize * n > Integer.MAX_VALUE - 8 || (long) evalSize * n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("trainSize: " + trainSize + " inputs of " + n + " bits do not fit in"
                    + " one Java array; use fresh samples (trainSize 0) or fewer");
        }
        this.random = new SplittableRandom(seed);
        this.evalSize = evalSize;
        this.trainSize = trainSize;
        this.evalBits = new int[evalSize * n];
        this.trainBits = new int[trainSize * n];
        if (n <= ENUMERATE_UP_TO) {
            int total = 1 << n;
            int[] all = new int[total];
            for (int i = 0; i < total; i++) {
                all[i] = i;
            }
            for (int i = 0; i < evalSize + trainSize; i++) {
                int j = i + random.nextInt(total - i);
                int t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
            for (int i = 0; i < evalSize; i++) {
                unpack(all[i], evalBits, i * n);
                evalKeys.add(Key.of(evalBits, i * n, n));
            }
            for (int i = 0; i < trainSize; i++) {
                unpack(all[evalSize + i], trainBits, i * n);
            }
        } else {
            Set<Key> seen = new HashSet<>();
            for (int i = 0; i < evalSize; i++) {
                drawDistinct(evalBits, i * n, seen);
            }
            evalKeys.addAll(seen);
            for (int i = 0; i < trainSize; i++) {
                drawDistinct(trainBits, i * n, seen);
            }
        }
    }

    public ParityTask task() {
        return task;
    }

    public int evalSize() {
        return evalSize;
    }

    /** 0 for fresh samples. */
    public int trainSize() {
        return trainSize;
    }

    /** Epochs begun over the fixed training set (0 with fresh samples). */
    public long epochsStarted() {
        return epochsStarted;
    }

    /** The evaluation sequences, {@code [evalSize * length]}. */
    public int[] evalSequences() {
        int len = task.length();
        int[] out = new int[evalSize * len];
        for (int i = 0; i < evalSize; i++) {
            task.write(evalBits, i * n, out, i * len);
        }
        return out;
    }

    /** The input bits of evaluation sequence {@code i}. */
    public int[] evalInput(int i) {
        return Arrays.copyOfRange(evalBits, i * n, (i + 1) * n);
    }

    /** Writes the next {@code batch} training sequences into {@code tokens [batch * length]}. */
    public void nextBatch(int batch, int[] tokens) {
        int len = task.length();
        int[] bits = new int[n];
        for (int b = 0; b < batch; b++) {
            if (trainSize == 0) {
                do {
                    for (int i = 0; i < n; i++) {
                        bits[i] = random.nextInt(2);
                    }
                } while (evalKeys.contains(Key.of(bits, 0, n)));
                task.write(bits, 0, tokens, b * len);
            } else {
                if (order == null || cursor == trainSize) {
                    startEpoch();
                }
                task.write(trainBits, order[cursor++] * n, tokens, b * len);
            }
        }
    }

    /** Whether {@code bits[offset..offset+n)} is an evaluation input. */
    public boolean isEvalInput(int[] bits, int offset) {
        return evalKeys.contains(Key.of(bits, offset, n));
    }

    private void startEpoch() {
        if (order == null) {
            order = new int[trainSize];
            for (int i = 0; i < trainSize; i++) {
                order[i] = i;
            }
        }
        for (int i = trainSize - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        cursor = 0;
        epochsStarted++;
    }

    private void drawDistinct(int[] dst, int offset, Set<Key> seen) {
        while (true) {
            for (int i = 0; i < n; i++) {
                dst[offset + i] = random.nextInt(2);
            }
            if (seen.add(Key.of(dst, offset, n))) {
                return;
            }
        }
    }

    private void unpack(int value, int[] dst, int offset) {
        for (int i = 0; i < n; i++) {
            dst[offset + i] = (value >>> i) & 1;
        }
    }

    /** An input as packed bits, for set membership. */
    private static final class Key {
        private final long[] words;
        private final int hash;

        private Key(long[] words) {
            this.words = words;
            this.hash = Arrays.hashCode(words);
        }

        static Key of(int[] bits, int offset, int n) {
            long[] w = new long[(n + 63) / 64];
            for (int i = 0; i < n; i++) {
                if (bits[offset + i] != 0) {
                    w[i >>> 6] |= 1L << (i & 63);
                }
            }
            return new Key(w);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && Arrays.equals(((Key) o).words, words);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
