package org.attn4j.decode;

import java.util.Arrays;

/**
 * The keys one query row keeps, as sorted, disjoint {@code [start, end)} intervals of positions, filled by
 * {@link DecodeSelection}; reused from row to row (it also holds that class's scratch space).
 */
public final class KeptKeys {
    private int[] starts = new int[8];
    private int[] ends = new int[8];
    private int count;
    private long total;

    // Scratch for DecodeSelection: candidate blocks and their scores, pieces of the kept union.
    int[] ids = new int[16];
    double[] scores = new double[16];
    int[] pieces = new int[16];
    private double[] all = new double[16];
    private double[] query = new double[16];

    public void clear() {
        count = 0;
        total = 0;
    }

    /** Number of intervals. */
    public int count() {
        return count;
    }

    public int start(int t) {
        return starts[t];
    }

    public int end(int t) {
        return ends[t];
    }

    /** Number of kept keys (before token top-k). */
    public long keys() {
        return total;
    }

    /** Whether position {@code j} is kept. */
    public boolean contains(int j) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= j) {
                lo = mid + 1;
            } else if (starts[mid] > j) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** Appends {@code [start, end)}, which must not start before the last interval's start; merges touching ones. */
    void add(int start, int end) {
        if (end <= start) {
            return;
        }
        if (count > 0 && start <= ends[count - 1]) {
            if (end > ends[count - 1]) {
                total += end - ends[count - 1];
                ends[count - 1] = end;
            }
            return;
        }
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, 2 * count);
            ends = Arrays.copyOf(ends, 2 * count);
        }
        starts[count] = start;
        ends[count] = end;
        count++;
        total += end - start;
    }

    void ensureCandidates(int n) {
        if (ids.length < n) {
            ids = new int[Math.max(n, 2 * ids.length)];
            scores = new double[ids.length];
        }
    }

    double[] query(int d) {
        if (query.length < d) {
            query = new double[d];
        }
        return query;
    }

    double[] allScores(int n) {
        if (all.length < n) {
            all = new double[Math.max(n, 2 * all.length)];
        }
        return all;
    }

    void ensurePieces(int n) {
        if (pieces.length < n) {
            pieces = new int[Math.max(n, 2 * pieces.length)];
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int t = 0; t < count; t++) {
            sb.append(t == 0 ? "" : ", ").append(starts[t]).append("..").append(ends[t]);
        }
        return sb.append(']').toString();
    }
}
