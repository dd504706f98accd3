package org.attn4j.cpu.decode;

import java.util.Arrays;
import org.attn4j.cpu.CpuThreads;
import org.attn4j.cpu.Kernels;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.DecodeSelection;
import org.attn4j.decode.KeptKeys;

/**
 * One decode call prepared: the query rows (scaled, one array each), each row's kept keys as intervals (from
 * {@link DecodeSelection}, which reads only the cache's block means), and the split of every kv head group's keys
 * into ranges that threads process independently.
 *
 * <p>Rows are numbered {@code r = (b * Hq + h) * Nq + i}; the rows of kv head group {@code g = b * Hkv + kvh} are the
 * {@code R = (Hq / Hkv) * Nq} consecutive rows from {@code g * R}: they share every read of the group's keys and
 * values. A group's keys are split by the union of its rows' kept keys, so each range holds about the same work
 * whatever the masks keep.
 */
final class DecodePlan {
    /** Fewest kept keys worth a task of their own (below, forking costs more than it saves). */
    static final int MIN_KEYS_PER_SPLIT = 1024;
    /** Tasks per thread to aim for, so that uneven ranges still balance. */
    static final int TASKS_PER_THREAD = 4;

    final CpuKvCache cache;
    final int batch;
    final int queryHeads;
    final int kvHeads;
    final int queries;
    final int d;
    final int dv;
    /** Rows per group. */
    final int groupRows;
    final int groups;
    /** The queries {@code [B, Hq, Nq, D]} as given (unscaled), and the scale: token top-k's exact scores. */
    final float[] rawQueries;
    final double scale;
    /** {@code queryRows[r]}: query row r times the scale, in float ({@link Kernels#scaleQuery}). */
    final float[][] queryRows;
    final int[][] starts;
    final int[][] ends;
    final int[] intervals;
    /** Kept keys per row, before token top-k. */
    final int[] kept;
    /** {@code bounds[g]}: the positions splitting group g's keys, first 0, last the sequence length. */
    final int[][] bounds;
    /** Index of group g's first task; task {@code firstTask[g] + s} handles split s. */
    final int[] firstTask;
    final int tasks;
    private final int[] taskGroup;
    final long keptTotal;

    DecodePlan(DecodeRequest r, CpuKvCache cache) {
        this.cache = cache;
        this.batch = r.batch();
        this.queryHeads = r.queryHeads();
        this.kvHeads = r.kvHeads();
        this.queries = r.queryLength();
        this.d = r.headDim();
        this.dv = r.valueDim();
        this.groupRows = r.groupSize() * queries;
        this.groups = batch * kvHeads;
        int rows = batch * queryHeads * queries;
        float[] q = r.q().toFloatArray();
        rawQueries = q;
        scale = r.scale();
        queryRows = new float[rows][d];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(q, row * d, queryRows[row], 0, d);
            // As the forward pass: the scale applied in double, a non-zero product never rounded to 0 (SPEC).
            Kernels.scaleQuery(queryRows[row], r.scale(), d);
        }
        starts = new int[rows][];
        ends = new int[rows][];
        intervals = new int[rows];
        kept = new int[rows];
        select(r, q);
        long total = 0;
        for (int k : kept) {
            total += k;
        }
        keptTotal = total;
        bounds = new int[groups][];
        firstTask = new int[groups + 1];
        int perGroupCap = Math.max(1, (CpuThreads.threads() * TASKS_PER_THREAD + groups - 1) / groups);
        for (int g = 0; g < groups; g++) {
            bounds[g] = split(g, perGroupCap);
            firstTask[g + 1] = firstTask[g] + bounds[g].length - 1;
        }
        tasks = firstTask[groups];
        taskGroup = new int[tasks];
        for (int g = 0; g < groups; g++) {
            java.util.Arrays.fill(taskGroup, firstTask[g], firstTask[g + 1], g);
        }
    }

    /** The group task {@code task} works for. */
    int groupOf(int task) {
        return taskGroup[task];
    }

    int length(int group) {
        return cache.length(group / kvHeads);
    }

    CachedHead head(int group) {
        return cache.head(group / kvHeads, group % kvHeads);
    }

    /**
     * Every row's kept keys; rows run in parallel when block top-k makes the selection worth it. Chosen per group,
     * a group's blocks are scored once for all its heads.
     */
    private void select(DecodeRequest r, float[] q) {
        DecodeSelection selection = DecodeSelection.of(r);
        boolean shared = selection.choosesPerGroup();
        int group = queryHeads / kvHeads;
        // A unit: one row, or (shared) the rows of one (sequence, kv head, query index), head by head.
        int units = shared ? batch * kvHeads * queries : kept.length;
        long work = 0;
        if (selection.hasBlockTopK()) {
            for (int b = 0; b < batch; b++) {
                long scored = shared ? (long) kvHeads * queries : (long) queryHeads * queries;
                work += 2L * scored * d * (cache.length(b) / Math.max(1, cache.blockSize()) + 1);
            }
        }
        ThreadLocal<KeptKeys> scratch = ThreadLocal.withInitial(KeptKeys::new);
        ThreadLocal<KeptKeys> choices = ThreadLocal.withInitial(KeptKeys::new);
        CpuThreads.forEach(units, work, unit -> {
            int i = unit % queries;
            KeptKeys out = scratch.get();
            if (!shared) {
                int bh = unit / queries;
                int b = bh / queryHeads;
                int h = bh % queryHeads;
                selection.keptKeys(b, h, i, cache.length(b), q, cache.head(b, h / group).meansT, out);
                keep((bh * queries) + i, out);
                return;
            }
            int bg = unit / queries;
            int b = bg / kvHeads;
            int kvh = bg % kvHeads;
            KeptKeys choice = choices.get();
            int chosen = selection.chooseBlocks(b, kvh * group, i, cache.length(b), q, cache.head(b, kvh).meansT,
                    choice);
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                selection.keptKeysChosen(b, h, i, cache.length(b), choice, chosen, out);
                keep((b * queryHeads + h) * queries + i, out);
            }
        });
    }

    private void keep(int row, KeptKeys out) {
        int n = out.count();
        int[] s = new int[n];
        int[] e = new int[n];
        for (int t = 0; t < n; t++) {
            s[t] = out.start(t);
            e[t] = out.end(t);
        }
        starts[row] = s;
        ends[row] = e;
        intervals[row] = n;
        kept[row] = (int) out.keys();
    }

    /** Positions cutting group g's union of kept keys into at most {@code cap} ranges of equal size. */
    private int[] split(int g, int cap) {
        int length = length(g);
        int first = g * groupRows;
        // The union of the group's rows, as sorted disjoint intervals.
        int total = 0;
        for (int row = first; row < first + groupRows; row++) {
            total += intervals[row];
        }
        int[] s = new int[total];
        int[] e = new int[total];
        int n = 0;
        for (int row = first; row < first + groupRows; row++) {
            System.arraycopy(starts[row], 0, s, n, intervals[row]);
            System.arraycopy(ends[row], 0, e, n, intervals[row]);
            n += intervals[row];
        }
        long[] packed = new long[n];
        for (int t = 0; t < n; t++) {
            packed[t] = ((long) s[t] << 32) | e[t];
        }
        Arrays.sort(packed);
        long union = 0;
        int m = 0;
        for (int t = 0; t < n; t++) {
            int a = (int) (packed[t] >>> 32);
            int b = (int) packed[t];
            if (m > 0 && a <= e[m - 1]) {
                if (b > e[m - 1]) {
                    union += b - e[m - 1];
                    e[m - 1] = b;
                }
            } else {
                s[m] = a;
                e[m] = b;
                union += b - a;
                m++;
            }
        }
        int splits = (int) Math.max(1, Math.min(cap, union / MIN_KEYS_PER_SPLIT));
        int[] cuts = new int[splits + 1];
        cuts[splits] = length;
        long per = union / splits;
        long seen = 0;
        int next = 1;
        for (int t = 0; t < m && next < splits; t++) {
            long size = e[t] - s[t];
            while (next < splits && seen + size >= per * next) {
                cuts[next] = (int) (s[t] + (per * next - seen));
                next++;
            }
            seen += size;
        }
        for (; next < splits; next++) {
            cuts[next] = length;
        }
        return cuts;
    }

    /** Index of row {@code row}'s first interval ending after {@code pos}. */
    int firstInterval(int row, int pos) {
        int lo = 0;
        int hi = intervals[row];
        int[] e = ends[row];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (e[mid] <= pos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Kept keys of row {@code row} before position {@code pos}. */
    int keptBefore(int row, int pos) {
        int count = 0;
        for (int t = 0; t < intervals[row] && starts[row][t] < pos; t++) {
            count += Math.min(pos, ends[row][t]) - starts[row][t];
        }
        return count;
    }
}
