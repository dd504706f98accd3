package org.attn4j.bench.peers;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.mask.BlockMask;
import org.attn4j.bench.results.ShapeDims;
import org.attn4j.bench.timing.RepetitionPolicy;
import org.attn4j.bench.workload.MaskInstance;
import org.attn4j.bench.workload.Shape;
import org.attn4j.bench.workload.Workload;

/**
 * What the peer scripts run: every configuration with its mask spelled out (block masks cell by cell, document
 * boundaries), so that peers time exactly attn4j's masks, plus the timing policy. Schema {@value #SCHEMA}, documented
 * in docs/benchmarks/schema.md.
 */
public record PeerPlan(String schema, boolean quick, Timing timing, long rotateBytes, int maxSets,
                       List<Config> configs) {

    public static final String SCHEMA = "attn4j-bench-plan/1";

    /** The repetition policy and the time budget for the peer's whole run (0: none). */
    public record Timing(int warmup, int minReps, int maxReps, double targetSeconds, double budgetSeconds) {
    }

    /**
     * One configuration.
     *
     * @param scale {@code full}, {@code cpu}, or {@code any} for shapes from a file (run at every scale)
     */
    public record Config(String id, String shapeSet, String scale, ShapeDims shape, int blockSize, Mask mask,
                         List<String> dtypes, List<String> directions, long seed) {
    }

    /**
     * A resolved mask.
     *
     * @param window       {@code left}, {@code right}, {@code global}, or null
     * @param blockMask    the grid, or null
     * @param blockTopk    dynamic block top-k, or null
     * @param tokenTopk    k of token top-k, or null
     * @param documentEnds per batch, exclusive end token of each document (document masks), or null
     */
    public record Mask(String family, String label, boolean causal, Window window, Grid blockMask,
                       BlockTopK blockTopk, Integer tokenTopk, String normalizer, int[][] documentEnds) {
    }

    public record Window(int left, int right, int global) {
    }

    /**
     * A block mask: {@code shape = [B|1, H|1, QB, KB]}; {@code rows} holds one string of {@code KB} characters
     * ({@code 1} kept, {@code 0} masked) per (batch, head, query block), in row-major order.
     */
    public record Grid(int blockQ, int blockK, int[] shape, List<String> rows) {
    }

    public record BlockTopK(int k, int blockQ, int blockK) {
    }

    /** The plan for {@code workloads} (each with the types and directions the peers should run). */
    public static PeerPlan of(List<Entry> entries, boolean quick, RepetitionPolicy policy, double budgetSeconds,
                              long rotateBytes, int maxSets) {
        List<Config> configs = new ArrayList<>();
        for (Entry e : entries) {
            configs.add(config(e));
        }
        return new PeerPlan(SCHEMA, quick, new Timing(policy.warmup(), policy.minReps(), policy.maxReps(),
                policy.targetSeconds(), budgetSeconds), rotateBytes, maxSets, configs);
    }

    /** A workload with the scale label and the types and directions to run. */
    public record Entry(Workload workload, String scale, List<String> dtypes, List<String> directions) {
    }

    static Config config(Entry e) {
        Workload w = e.workload();
        Shape s = w.shape();
        MaskInstance m = w.mask();
        Window window = m.window() == null ? null
                : new Window(m.window().left(), m.window().right(), m.window().globalTokens());
        Grid grid = m.blockMask() == null ? null : grid(m.blockMask());
        BlockTopK top = m.blockTopK() == null ? null
                : new BlockTopK(m.blockTopK().k(), m.blockTopK().blockQ(), m.blockTopK().blockK());
        Integer tokens = m.tokenTopK() == null ? null : m.tokenTopK().k();
        Mask mask = new Mask(m.family().id(), m.label(), m.causal(), window, grid, top, tokens,
                m.normalizer().label(), m.documentEnds());
        return new Config(w.id(), s.set(), e.scale(), new ShapeDims(s.batch(), s.headsQ(), s.headsKv(), s.seqQ(),
                s.seqK(), s.headDim(), s.valueDim()), s.blockSize(), mask, e.dtypes(), e.directions(), w.seed());
    }

    static Grid grid(BlockMask bm) {
        List<String> rows = new ArrayList<>();
        char[] line = new char[bm.keyBlocks()];
        for (int b = 0; b < bm.batch(); b++) {
            for (int h = 0; h < bm.heads(); h++) {
                for (int q = 0; q < bm.queryBlocks(); q++) {
                    for (int k = 0; k < line.length; k++) {
                        line[k] = bm.get(b, h, q, k) ? '1' : '0';
                    }
                    rows.add(new String(line));
                }
            }
        }
        return new Grid(bm.blockQ(), bm.blockK(), bm.shape(), rows);
    }
}
