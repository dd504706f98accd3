package org.attn4j.model.parity;

import java.nio.file.Path;
import java.util.List;

/**
 * A grid of parity runs ({@code ./attn4j sweep}): every {@code k} in {@link #ks()}, with and without CoT, for every
 * seed, each run on the settings of {@link #base()} (whose {@code k}, {@code cot}, {@code seed} and budget the sweep
 * sets). Without CoT the budget is usually much larger: the point of the figure is that it explodes.
 */
public final class SweepOptions {
    private ParityOptions base = new ParityOptions();
    private List<Integer> ks = List.of(1, 2, 3, 4);
    private List<Long> seeds = List.of(0L, 1L);
    private List<Integer> noCotKs;
    private List<Long> noCotSeeds;
    private Path reuse;
    private long cotBudget = 200_000;
    private long noCotBudget = 1_000_000;
    private int noCotEvalEvery = 8192;
    private boolean withCot = true;
    private boolean withoutCot = true;
    private Path png;
    private Path json;

    public SweepOptions validate() {
        // The budgets first: the shared settings are checked below with the CoT budget as their sample budget.
        if (cotBudget < 1) {
            throw new IllegalArgumentException("cotBudget: expected >= 1, got " + cotBudget);
        }
        if (noCotBudget < 1) {
            throw new IllegalArgumentException("noCotBudget: expected >= 1, got " + noCotBudget);
        }
        base.copy().cot(true).maxSamples(cotBudget).validate();
        if (ks.isEmpty()) {
            throw new IllegalArgumentException("ks: expected at least one k");
        }
        for (int k : ks) {
            if (k < 1 || k > base.n()) {
                throw new IllegalArgumentException("ks: expected values in 1..n (" + base.n() + "), got " + k);
            }
        }
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("seeds: expected at least one seed");
        }
        for (int k : noCotKs()) {
            if (k < 1 || k > base.n()) {
                throw new IllegalArgumentException("noCotKs: expected values in 1..n (" + base.n() + "), got " + k);
            }
        }
        if (noCotSeeds().isEmpty()) {
            throw new IllegalArgumentException("noCotSeeds: expected at least one seed");
        }
        if (noCotEvalEvery < 1) {
            throw new IllegalArgumentException("noCotEvalEvery: expected >= 1, got " + noCotEvalEvery);
        }
        if (!withCot && !withoutCot) {
            throw new IllegalArgumentException("withCot/withoutCot: expected at least one of them");
        }
        if (base.trainSize() > 0) {
            throw new IllegalArgumentException("trainSize: the sweep measures one-pass sample complexity; got a fixed"
                    + " training set of " + base.trainSize());
        }
        return this;
    }

    public ParityOptions base() {
        return base;
    }

    /** The settings shared by every run (model, sizes, learning rate, batch, threads...). */
    public SweepOptions base(ParityOptions v) {
        base = v;
        return this;
    }

    public List<Integer> ks() {
        return ks;
    }

    public SweepOptions ks(List<Integer> v) {
        ks = List.copyOf(v);
        return this;
    }

    public List<Long> seeds() {
        return seeds;
    }

    public SweepOptions seeds(List<Long> v) {
        seeds = List.copyOf(v);
        return this;
    }

    /** The k values run without CoT (default: {@link #ks()}). */
    public List<Integer> noCotKs() {
        return noCotKs == null ? ks : noCotKs;
    }

    public SweepOptions noCotKs(List<Integer> v) {
        noCotKs = v == null ? null : List.copyOf(v);
        return this;
    }

    /** The seeds run without CoT (default: {@link #seeds()}); those runs are the expensive ones. */
    public List<Long> noCotSeeds() {
        return noCotSeeds == null ? seeds : noCotSeeds;
    }

    public SweepOptions noCotSeeds(List<Long> v) {
        noCotSeeds = v == null ? null : List.copyOf(v);
        return this;
    }

    public Path reuse() {
        return reuse;
    }

    /**
     * A previous sweep's JSON: its runs with the same {@code (k, cot, seed)}, budget and settings are taken from it
     * instead of being run again (to extend or resume a sweep).
     */
    public SweepOptions reuse(Path v) {
        reuse = v;
        return this;
    }

    public long cotBudget() {
        return cotBudget;
    }

    /** Sample budget of each run with CoT. */
    public SweepOptions cotBudget(long v) {
        cotBudget = v;
        return this;
    }

    public long noCotBudget() {
        return noCotBudget;
    }

    /** Sample budget of each run without CoT. */
    public SweepOptions noCotBudget(long v) {
        noCotBudget = v;
        return this;
    }

    public int noCotEvalEvery() {
        return noCotEvalEvery;
    }

    /**
     * Evaluation interval of the runs without CoT (those with CoT use the base's): their budgets are large and an
     * evaluation costs about a third of training on as many samples.
     */
    public SweepOptions noCotEvalEvery(int v) {
        noCotEvalEvery = v;
        return this;
    }

    public boolean withCot() {
        return withCot;
    }

    public SweepOptions withCot(boolean v) {
        withCot = v;
        return this;
    }

    public boolean withoutCot() {
        return withoutCot;
    }

    public SweepOptions withoutCot(boolean v) {
        withoutCot = v;
        return this;
    }

    public Path png() {
        return png;
    }

    /** Where to draw Figure 1 (null: no figure). */
    public SweepOptions png(Path v) {
        png = v;
        return this;
    }

    public Path json() {
        return json;
    }

    public SweepOptions json(Path v) {
        json = v;
        return this;
    }
}
