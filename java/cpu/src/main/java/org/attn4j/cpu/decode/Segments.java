package org.attn4j.cpu.decode;

import java.util.Arrays;

/**
 * The kept keys of one task as segments {@code (row, chunk, [from, to))}, in the order {@link KeyRanges} walks them
 * (tile by tile, the group's rows together), collected once and then swept by every pass of the task.
 */
final class Segments {
    int count;
    int[] row = new int[64];
    int[] chunk = new int[64];
    int[] from = new int[64];
    int[] to = new int[64];

    static Segments of(DecodePlan p, int group, int lo, int hi) {
        Segments s = new Segments();
        KeyRanges.walk(p, group, lo, hi, s::add);
        return s;
    }

    private void add(int r, int c, int a, int b) {
        if (count == row.length) {
            row = Arrays.copyOf(row, 2 * count);
            chunk = Arrays.copyOf(chunk, 2 * count);
            from = Arrays.copyOf(from, 2 * count);
            to = Arrays.copyOf(to, 2 * count);
        }
        row[count] = r;
        chunk[count] = c;
        from[count] = a;
        to[count] = b;
        count++;
    }
}
