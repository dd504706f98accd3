package org.attn4j.cpu.decode;

/**
 * Walks the kept keys of one task: the rows of a kv head group against one range of positions, chunk by chunk, so
 * that each chunk of keys and values is read from memory once and then serves every row of the group (GQA: the
 * group's query heads; several new queries per sequence).
 */
final class KeyRanges {
    /** Receives the kept positions {@code chunk * CHUNK + [from, to)} of the group's row {@code row}. */
    @FunctionalInterface
    interface Segment {
        void accept(int row, int chunk, int from, int to);
    }

    /** Positions a group's rows go through together. */
    static final int TILE = Integer.getInteger("attn4j.decode.tile", 512);

    private KeyRanges() {
    }

    static void walk(DecodePlan p, int group, int lo, int hi, Segment segment) {
        int rows = p.groupRows;
        int first = group * rows;
        int[] next = new int[rows];
        for (int r = 0; r < rows; r++) {
            next[r] = p.firstInterval(first + r, lo);
        }
        // One row streams whole chunks; several rows share tiles of a chunk small enough to stay in L2 between them.
        int tile = rows == 1 ? CachedHead.CHUNK : TILE;
        for (int t0 = (lo / tile) * tile; t0 < hi; t0 += tile) {
            int c = t0 >>> CachedHead.SHIFT;
            int base = c << CachedHead.SHIFT;
            int cLo = Math.max(lo, t0);
            int cHi = Math.min(hi, t0 + tile);
            for (int r = 0; r < rows; r++) {
                int row = first + r;
                int[] s = p.starts[row];
                int[] e = p.ends[row];
                int n = p.intervals[row];
                int t = next[r];
                while (t < n && s[t] < cHi) {
                    int a = Math.max(s[t], cLo);
                    int b = Math.min(e[t], cHi);
                    if (a < b) {
                        segment.accept(r, c, a - base, b - base);
                    }
                    if (e[t] <= cHi) {
                        t++;
                    } else {
                        break;
                    }
                }
                next[r] = t;
            }
        }
    }
}
