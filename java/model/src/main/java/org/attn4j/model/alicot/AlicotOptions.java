package org.attn4j.model.alicot;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every setting of one run of {@code ./attn4j alicot}. Setters return {@code this}; {@link #validate()} checks the
 * whole and names the field at fault. Defaults: the configuration the recorded experiments use
 * (docs/results/alicot), the same model family and budget for every mode.
 */
public final class AlicotOptions {
    private int inputs = 8;
    private int depth = 4;
    private int fanIn = 2;
    private AlicotMode mode = AlicotMode.EXPLICIT;
    private int latents;
    private int ratio = 1;
    private long seed;
    private long maxSamples = 200_000;
    private int layers = 2;
    private int heads = 4;
    private int dim = 64;
    private int mlpHidden;
    private double lr = 1e-3;
    private int batch = 64;
    private double weightDecay;
    private double clipNorm = 1.0;
    private int evalEvery = 4096;
    private int evalSize = 1024;
    private double target = 0.99;
    private int timingProblems = 200;
    private int threads = Runtime.getRuntime().availableProcessors();
    private boolean stopAtTarget = true;
    private Path json;

    public AlicotOptions inputs(int v) {
        inputs = v;
        return this;
    }

    public AlicotOptions depth(int v) {
        depth = v;
        return this;
    }

    public AlicotOptions fanIn(int v) {
        fanIn = v;
        return this;
    }

    public AlicotOptions mode(AlicotMode v) {
        mode = v;
        return this;
    }

    /** Latent tokens; 0: one per {@code ratio} chain steps. */
    public AlicotOptions latents(int v) {
        latents = v;
        return this;
    }

    public AlicotOptions ratio(int v) {
        ratio = v;
        return this;
    }

    public AlicotOptions seed(long v) {
        seed = v;
        return this;
    }

    public AlicotOptions maxSamples(long v) {
        maxSamples = v;
        return this;
    }

    public AlicotOptions layers(int v) {
        layers = v;
        return this;
    }

    public AlicotOptions heads(int v) {
        heads = v;
        return this;
    }

    public AlicotOptions dim(int v) {
        dim = v;
        return this;
    }

    /** 0: four times {@code dim}. */
    public AlicotOptions mlpHidden(int v) {
        mlpHidden = v;
        return this;
    }

    public AlicotOptions lr(double v) {
        lr = v;
        return this;
    }

    public AlicotOptions batch(int v) {
        batch = v;
        return this;
    }

    public AlicotOptions weightDecay(double v) {
        weightDecay = v;
        return this;
    }

    public AlicotOptions clipNorm(double v) {
        clipNorm = v;
        return this;
    }

    public AlicotOptions evalEvery(int v) {
        evalEvery = v;
        return this;
    }

    public AlicotOptions evalSize(int v) {
        evalSize = v;
        return this;
    }

    /** The held-out accuracy whose first reaching defines the sample complexity. */
    public AlicotOptions target(double v) {
        target = v;
        return this;
    }

    /** Problems decoded one at a time to measure the time per problem (0: no timing). */
    public AlicotOptions timingProblems(int v) {
        timingProblems = v;
        return this;
    }

    public AlicotOptions threads(int v) {
        threads = v;
        return this;
    }

    /** Whether training stops at the first evaluation reaching {@link #target}. */
    public AlicotOptions stopAtTarget(boolean v) {
        stopAtTarget = v;
        return this;
    }

    public AlicotOptions json(Path v) {
        json = v;
        return this;
    }

    public int inputs() {
        return inputs;
    }

    public int depth() {
        return depth;
    }

    public int fanIn() {
        return fanIn;
    }

    public AlicotMode mode() {
        return mode;
    }

    public int ratio() {
        return ratio;
    }

    public long seed() {
        return seed;
    }

    public long maxSamples() {
        return maxSamples;
    }

    public int layers() {
        return layers;
    }

    public int heads() {
        return heads;
    }

    public int dim() {
        return dim;
    }

    public int effectiveMlpHidden() {
        return mlpHidden > 0 ? mlpHidden : 4 * dim;
    }

    public double lr() {
        return lr;
    }

    public int batch() {
        return batch;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public double clipNorm() {
        return clipNorm;
    }

    public int evalEvery() {
        return evalEvery;
    }

    public int evalSize() {
        return evalSize;
    }

    public double target() {
        return target;
    }

    public int timingProblems() {
        return timingProblems;
    }

    public int threads() {
        return threads;
    }

    public boolean stopAtTarget() {
        return stopAtTarget;
    }

    public Path json() {
        return json;
    }

    /** The problems' sizes (validated). */
    public DagShape shape() {
        return new DagShape(inputs, depth, fanIn);
    }

    /** The vocabulary of {@code task}: chunk-state tokens exist only where they are trained (aligned, ratio > 1). */
    public DagVocabulary vocabulary(DagTask task) {
        return new DagVocabulary(task, mode == AlicotMode.ALIGNED ? ratio : 1);
    }

    /**
     * The layout for {@code task}, whose chain length fixes the default number of latent tokens.
     *
     * @throws IllegalArgumentException naming {@code latents} when an aligned run's latents do not match the chain
     */
    public ReasoningLayout layout(DagTask task) {
        DagVocabulary v = vocabulary(task);
        int steps = v.steps();
        int m = 0;
        if (mode.continuous()) {
            int needed = (steps + ratio - 1) / ratio;
            if (mode == AlicotMode.ALIGNED && latents != 0 && latents != needed) {
                throw new IllegalArgumentException("latents: aligned with ratio " + ratio + " over a chain of " + steps
                        + " steps needs " + needed + " latent tokens, got " + latents);
            }
            m = latents > 0 ? latents : needed;
        }
        return ReasoningLayout.of(mode, v, m);
    }

    public AlicotOptions validate() {
        if (mode == null) {
            throw new IllegalArgumentException("mode: expected none, explicit, latent or aligned, got null");
        }
        shape();
        if (ratio < 1 || ratio > DagVocabulary.MAX_RATIO) {
            throw new IllegalArgumentException("ratio: expected 1.." + DagVocabulary.MAX_RATIO + ", got " + ratio);
        }
        if (latents < 0) {
            throw new IllegalArgumentException("latents: expected >= 1 (0: one per ratio chain steps), got "
                    + latents);
        }
        if (!mode.continuous() && (latents != 0 || ratio != 1)) {
            throw new IllegalArgumentException((latents != 0 ? "latents" : "ratio") + ": mode " + mode.label()
                    + " has no latent tokens; use latent or aligned");
        }
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples: expected >= 1, got " + maxSamples);
        }
        positive("layers", layers);
        positive("heads", heads);
        positive("dim", dim);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("heads: expected a divisor of dim (" + dim + "), got " + heads);
        }
        if (mlpHidden < 0) {
            throw new IllegalArgumentException("mlpHidden: expected >= 0 (0: 4 x dim), got " + mlpHidden);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr: expected a finite number > 0, got " + lr);
        }
        positive("batch", batch);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay: expected a finite number >= 0, got " + weightDecay);
        }
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException("clipNorm: expected >= 0 (0: off), got " + clipNorm);
        }
        positive("evalEvery", evalEvery);
        if (evalSize < 2) {
            throw new IllegalArgumentException("evalSize: expected >= 2 (the probes fit on one half and test on the"
                    + " other), got " + evalSize);
        }
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("target: expected 0 < target <= 1, got " + target);
        }
        if (timingProblems < 0) {
            throw new IllegalArgumentException("timingProblems: expected >= 0, got " + timingProblems);
        }
        positive("threads", threads);
        return this;
    }

    /** Every setting that shapes the outcome (not the thread count, nor where files go). */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", inputs);
        m.put("depth", depth);
        m.put("fan_in", fanIn);
        m.put("mode", mode.label());
        m.put("latents", latents);
        m.put("ratio", ratio);
        m.put("seed", seed);
        m.put("max_samples", maxSamples);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("dim", dim);
        m.put("mlp_hidden", effectiveMlpHidden());
        m.put("lr", lr);
        m.put("batch", batch);
        m.put("weight_decay", weightDecay);
        m.put("clip_norm", clipNorm);
        m.put("dropout", 0.0);
        m.put("eval_every", evalEvery);
        m.put("eval_size", evalSize);
        m.put("target", target);
        m.put("stop_at_target", stopAtTarget);
        m.put("timing_problems", timingProblems);
        return m;
    }

    private static void positive(String field, long v) {
        if (v < 1) {
            throw new IllegalArgumentException(field + ": expected >= 1, got " + v);
        }
    }
}
