package org.attn4j.cpu.decode;

import java.util.Arrays;

/**
 * The best {@code k} (score, key) pairs seen so far, in a heap whose root is the worst of them: a pair enters when it
 * beats the root. Order: higher score first by {@link Float#compare} (as the reference's {@code Double.compare}),
 * then the lower key (SPEC: ties to the lower key). Most pairs of a long row are refused by one comparison.
 */
final class TopKHeap {
    private final int k;
    final float[] scores;
    final int[] keys;
    int size;

    TopKHeap(int k) {
        this.k = k;
        this.scores = new float[k];
        this.keys = new int[k];
    }

    static boolean better(float s, int key, float t, int other) {
        int c = Float.compare(s, t);
        return c > 0 || (c == 0 && key < other);
    }

    void offer(float s, int key) {
        if (size < k) {
            scores[size] = s;
            keys[size] = key;
            up(size++);
        } else if (better(s, key, scores[0], keys[0])) {
            scores[0] = s;
            keys[0] = key;
            down(0);
        }
    }

    /** Offers {@code s[from..to)} with keys {@code base + j}. */
    void offerAll(float[] s, int from, int to, int base) {
        for (int j = from; j < to; j++) {
            // The quick refusal first: most keys of a long row are worse than the k-th best.
            if (size == k && s[j] < scores[0]) {
                continue;
            }
            offer(s[j], base + j);
        }
    }

    /** Adds every pair of {@code other}. */
    void merge(TopKHeap other) {
        for (int t = 0; t < other.size; t++) {
            offer(other.scores[t], other.keys[t]);
        }
    }

    /** Removes the worst pair (the root). */
    void dropWorst() {
        size--;
        if (size > 0) {
            scores[0] = scores[size];
            keys[0] = keys[size];
            down(0);
        }
    }

    /** The kept pairs in ascending key order into {@code s, keys}; returns how many. */
    int sortedByKey(float[] s, int[] outKeys) {
        long[] packed = new long[size];
        for (int t = 0; t < size; t++) {
            packed[t] = ((long) keys[t] << 32) | t;
        }
        Arrays.sort(packed);
        for (int t = 0; t < size; t++) {
            int at = (int) packed[t];
            outKeys[t] = keys[at];
            s[t] = scores[at];
        }
        return size;
    }

    private void up(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(scores[parent], keys[parent], scores[i], keys[i])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void down(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int worst = l;
            int r = l + 1;
            if (r < size && better(scores[worst], keys[worst], scores[r], keys[r])) {
                worst = r;
            }
            if (!better(scores[i], keys[i], scores[worst], keys[worst])) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int x = keys[a];
        keys[a] = keys[b];
        keys[b] = x;
    }
}
