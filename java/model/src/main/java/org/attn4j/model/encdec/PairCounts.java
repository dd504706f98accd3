package org.attn4j.model.encdec;

import java.util.EnumMap;
import java.util.Map;

/**
 * Attended (query, key) pairs against the pairs dense attention would have attended, per attention kind, summed over
 * layers, heads and the batch: the cost measure of sparse attention that does not depend on the machine.
 */
public final class PairCounts {
    private final Map<AttentionKind, long[]> counts = new EnumMap<>(AttentionKind.class);

    void add(AttentionKind kind, long attended, long dense) {
        long[] c = counts.computeIfAbsent(kind, k -> new long[2]);
        c[0] += attended;
        c[1] += dense;
    }

    public long attended(AttentionKind kind) {
        long[] c = counts.get(kind);
        return c == null ? 0 : c[0];
    }

    public long dense(AttentionKind kind) {
        long[] c = counts.get(kind);
        return c == null ? 0 : c[1];
    }

    public long attended() {
        return counts.values().stream().mapToLong(c -> c[0]).sum();
    }

    public long dense() {
        return counts.values().stream().mapToLong(c -> c[1]).sum();
    }

    /** Attended over dense pairs, all kinds together (0 when nothing was counted). */
    public double fraction() {
        long d = dense();
        return d == 0 ? 0 : attended() / (double) d;
    }

    /** Attended over dense pairs of one kind. */
    public double fraction(AttentionKind kind) {
        long d = dense(kind);
        return d == 0 ? 0 : attended(kind) / (double) d;
    }

    public void clear() {
        counts.clear();
    }
}
