package org.attn4j.model.parity;

import java.nio.file.Path;
import java.util.Locale;
import org.attn4j.Normalizer;
import org.attn4j.model.nn.Precision;

/**
 * Every setting of one parity run ({@code ./attn4j parity}); the defaults are the recorded one-layer configuration
 * (docs/model-layer.md). Setters return {@code this}; {@link #validate()} checks the whole.
 */
public final class ParityOptions {
    /** Which model to train. */
    public enum Model {
        GPT, THEORY;

        public static Model parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            switch (t) {
                case "gpt": return GPT;
                case "theory": return THEORY;
                default: throw new IllegalArgumentException("model: expected gpt or theory, got '" + text + "'");
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Default peak learning rate of the GPT model (Adam). */
    public static final double GPT_LR = 1e-3;
    /** Default hidden size of the GPT model. */
    public static final int GPT_DIM = 64;
    /** Default batch of the GPT model. */
    public static final int GPT_BATCH = 64;
    /** Default learning rate of the theory model after its first steps (SGD, the paper's eta_2). */
    public static final double THEORY_LR = 100;
    /** Default learning rate of the theory model's first two steps (the paper's eta_0 = eta_1). */
    public static final double THEORY_WARM_LR = 10_000;
    /** Default embedding dimension of the theory model. */
    public static final int THEORY_DIM = 128;
    /** Default batch of the theory model (its first steps need large batches, as in Assumption 2). */
    public static final int THEORY_BATCH = 4096;
    /** The paper's batch (Appendix C: 512 throughout). */
    public static final int PAPER_BATCH = 512;
    /** The largest of the paper's learning rates {6e-5, 8e-5, 1e-4} (it reports the best of the three). */
    public static final double PAPER_LR = 1e-4;
    /** The paper's learning-rate horizon: linear decay to 0 over 10^7 samples, its sample budget. */
    public static final long PAPER_DECAY_SAMPLES = 10_000_000L;
    /** The secret seed of {@link #paper()}: one fixed secret per (n, k), whatever the run's seed. */
    public static final long PAPER_SECRET_SEED = 0;

    private int n = 20;
    private int k = 3;
    private boolean cot;
    private Model model = Model.GPT;
    private int layers = 1;
    private int heads = 1;
    private int dim;
    private int mlpHidden;
    private double lr = Double.NaN;
    private int batch;
    private long maxSamples = 200_000;
    private int trainSize;
    private int epochs;
    private Normalizer normalizer = Normalizer.SOFTMAX;
    private int window = -1;
    private int globalTokens;
    private long seed;
    private int evalEvery = 2048;
    private int evalSize = 2048;
    private float dropout = 0.1f;
    private double weightDecay;
    private double clipNorm = 1.0;
    private int threads = Runtime.getRuntime().availableProcessors();
    private int theoryWidth = 64;
    private double theoryEpsilon = 1.0;
    private double theoryWarmLr = THEORY_WARM_LR;
    private int theoryWarmSteps = 2;
    private boolean stopAtConvergence = true;
    private double threshold = 1.0;
    private long lrDecaySamples;
    private float attentionDropout;
    private Precision precision = Precision.FP32;
    private Long secretSeed;
    private boolean endOfInput;
    private Path json;
    private Path heatmap;
    private Path save;

    public ParityOptions copy() {
        ParityOptions o = new ParityOptions();
        o.n = n;
        o.k = k;
        o.cot = cot;
        o.model = model;
        o.layers = layers;
        o.heads = heads;
        o.dim = dim;
        o.mlpHidden = mlpHidden;
        o.lr = lr;
        o.batch = batch;
        o.maxSamples = maxSamples;
        o.trainSize = trainSize;
        o.epochs = epochs;
        o.normalizer = normalizer;
        o.window = window;
        o.globalTokens = globalTokens;
        o.seed = seed;
        o.evalEvery = evalEvery;
        o.evalSize = evalSize;
        o.dropout = dropout;
        o.weightDecay = weightDecay;
        o.clipNorm = clipNorm;
        o.threads = threads;
        o.theoryWidth = theoryWidth;
        o.theoryEpsilon = theoryEpsilon;
        o.theoryWarmLr = theoryWarmLr;
        o.theoryWarmSteps = theoryWarmSteps;
        o.stopAtConvergence = stopAtConvergence;
        o.threshold = threshold;
        o.lrDecaySamples = lrDecaySamples;
        o.attentionDropout = attentionDropout;
        o.precision = precision;
        o.secretSeed = secretSeed;
        o.endOfInput = endOfInput;
        o.json = json;
        o.heatmap = heatmap;
        o.save = save;
        return o;
    }

    /** Throws an IllegalArgumentException naming the first invalid setting. */
    public ParityOptions validate() {
        if (n < 2) {
            throw new IllegalArgumentException("n: expected >= 2, got " + n);
        }
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k: expected 1..n (" + n + "), got " + k);
        }
        positive("layers", layers);
        positive("heads", heads);
        if (dim < 0) {
            throw new IllegalArgumentException("dim: expected >= 1 (0: the model's default), got " + dim);
        }
        if (batch < 0) {
            throw new IllegalArgumentException("batch: expected >= 1 (0: the model's default), got " + batch);
        }
        positive("evalEvery", evalEvery);
        positive("evalSize", evalSize);
        positive("threads", threads);
        if (mlpHidden < 0) {
            throw new IllegalArgumentException("mlpHidden: expected >= 0 (0: 4 x dim), got " + mlpHidden);
        }
        if (model == Model.GPT && dim() % heads != 0) {
            throw new IllegalArgumentException("heads: expected a divisor of dim (" + dim() + "), got " + heads);
        }
        if (model == Model.THEORY) {
            if (layers != 1 || heads != 1) {
                throw new IllegalArgumentException("layers/heads: the theory model has one layer and one head, got "
                        + layers + " layers and " + heads + " heads");
            }
            if (normalizer != Normalizer.SOFTMAX || window >= 0) {
                throw new IllegalArgumentException("normalizer/window: the theory model's attention is causal "
                        + "softmax (Definition 4), got " + normalizer + (window >= 0 ? " with a window" : ""));
            }
            positive("theoryWidth", theoryWidth);
            if (!(theoryEpsilon > 0)) {
                throw new IllegalArgumentException("theoryEpsilon: expected > 0, got " + theoryEpsilon);
            }
            if (theoryWarmSteps < 0) {
                throw new IllegalArgumentException("theoryWarmSteps: expected >= 0, got " + theoryWarmSteps);
            }
            if (!(theoryWarmLr > 0) || Double.isInfinite(theoryWarmLr)) {
                throw new IllegalArgumentException("theoryWarmLr: expected a finite number > 0, got "
                        + theoryWarmLr);
            }
        }
        if (!Double.isNaN(lr) && (!(lr > 0) || Double.isInfinite(lr))) {
            throw new IllegalArgumentException("lr: expected a finite number > 0, got " + lr);
        }
        if (trainSize < 0) {
            throw new IllegalArgumentException("trainSize: expected >= 0 (0: fresh samples), got " + trainSize);
        }
        if (trainSize > 0 && epochs < 1) {
            throw new IllegalArgumentException("epochs: expected >= 1 with a fixed training set (trainSize "
                    + trainSize + "), got " + epochs);
        }
        if (trainSize == 0 && epochs != 0) {
            throw new IllegalArgumentException("epochs: only meaningful with a fixed training set; set trainSize too");
        }
        if (trainSize == 0 && maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples: expected >= 1, got " + maxSamples);
        }
        if (window < -1) {
            throw new IllegalArgumentException("window: expected >= 0 (or -1: none), got " + window);
        }
        if (globalTokens < 0) {
            throw new IllegalArgumentException("global: expected >= 0, got " + globalTokens);
        }
        if (globalTokens > 0 && window < 0) {
            throw new IllegalArgumentException("global: only meaningful with a window; set window too");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout: expected 0 <= p < 1, got " + dropout);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay: expected >= 0, got " + weightDecay);
        }
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException("clipNorm: expected >= 0 (0: off), got " + clipNorm);
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold: expected an exact match in (0, 1], got " + threshold);
        }
        if (lrDecaySamples < 0) {
            throw new IllegalArgumentException("lrDecaySamples: expected >= 1 (0: the sample budget), got "
                    + lrDecaySamples);
        }
        if (!(attentionDropout >= 0 && attentionDropout < 1)) {
            throw new IllegalArgumentException("attentionDropout: expected 0 <= p < 1, got " + attentionDropout);
        }
        if (attentionDropout > 0 && (model != Model.GPT || normalizer != Normalizer.SOFTMAX)) {
            throw new IllegalArgumentException("attentionDropout: only for the gpt model with softmax attention"
                    + " (its backward pass is softmax's), got " + model.label() + " with " + normalizer.label());
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision: expected fp32 or bf16, got null");
        }
        if (precision != Precision.FP32 && model != Model.GPT) {
            throw new IllegalArgumentException("precision: bf16 is for the gpt model; the theory model trains in"
                    + " fp32, got " + precision.label());
        }
        return this;
    }

    /**
     * The paper's training settings (Appendix C and its reference code) on top of the current model: Adam (0.9,
     * 0.999; this class's optimiser always has those betas) with weight decay 0, batch 512, gradient clipping 1.0,
     * learning rate 1e-4 (the largest of the three it tries) decaying linearly to 0 over 10^7 samples whatever the
     * budget, dropout 0.1 on the embeddings, the residual branches and the attention weights (GPT-2's defaults),
     * the whole model in bf16, one fixed secret per (n, k), 2048 held-out sequences evaluated every 2048 samples.
     * The model's size is not changed (the paper's is {@code dim 720, mlp 2880}); later setters override any of it.
     */
    public ParityOptions paper() {
        model = Model.GPT;
        batch = PAPER_BATCH;
        lr = PAPER_LR;
        weightDecay = 0;
        clipNorm = 1.0;
        lrDecaySamples = PAPER_DECAY_SAMPLES;
        dropout = 0.1f;
        attentionDropout = 0.1f;
        precision = Precision.BF16;
        secretSeed = PAPER_SECRET_SEED;
        evalEvery = 2048;
        evalSize = 2048;
        return this;
    }

    private static void positive(String field, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": expected >= 1, got " + value);
        }
    }

    /** The learning rate in force: as set, or the model's default. */
    public double effectiveLr() {
        return Double.isNaN(lr) ? (model == Model.GPT ? GPT_LR : THEORY_LR) : lr;
    }

    /** Training samples planned: {@code trainSize * epochs} for multi-pass training, else {@code maxSamples}. */
    public long sampleBudget() {
        return trainSize > 0 ? (long) trainSize * epochs : maxSamples;
    }

    /**
     * Samples over which the learning rate decays linearly to 0: as set, or the sample budget. Set apart from the
     * budget, a run's sample complexity no longer depends on how long it was allowed to run.
     */
    public long effectiveLrDecaySamples() {
        return lrDecaySamples > 0 ? lrDecaySamples : sampleBudget();
    }

    /** The seed the secret set is drawn from: as set, or the run's {@link #seed()}. */
    public long effectiveSecretSeed() {
        return secretSeed != null ? secretSeed : seed;
    }

    /**
     * Every setting that shapes a run's outcome, as the values in force (defaults resolved), in a fixed order: what
     * {@link ParityResult#settings()} records and what {@code sweep --reuse} matches. Left out: where files go, and
     * the thread count (it changes only the order of float sums).
     */
    public java.util.Map<String, Object> settings() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("model", model.label());
        m.put("n", n);
        m.put("k", k);
        m.put("cot", cot);
        m.put("seed", seed);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("dim", dim());
        m.put("mlp_hidden", model == Model.GPT ? effectiveMlpHidden() : 0);
        m.put("lr", effectiveLr());
        m.put("batch", batch());
        m.put("budget", sampleBudget());
        m.put("train_size", trainSize);
        m.put("epochs", epochs);
        m.put("normalizer", normalizer.label());
        m.put("window", window);
        m.put("global_tokens", globalTokens);
        m.put("eval_every", evalEvery);
        m.put("eval_size", evalSize);
        m.put("dropout", (double) dropout);
        m.put("weight_decay", weightDecay);
        m.put("clip_norm", clipNorm);
        m.put("theory_width", theoryWidth);
        m.put("theory_epsilon", theoryEpsilon);
        m.put("theory_warm_lr", theoryWarmLr);
        m.put("theory_warm_steps", theoryWarmSteps);
        m.put("stop_at_convergence", stopAtConvergence);
        m.put("threshold", threshold);
        m.put("lr_decay_samples", model == Model.GPT ? effectiveLrDecaySamples() : 0L);
        m.put("attention_dropout", (double) attentionDropout);
        m.put("precision", precision.label());
        m.put("secret_seed", effectiveSecretSeed());
        if (endOfInput && !cot) { // only when it changes the layout, so that earlier runs still match their settings
            m.put("end_of_input", true);
        }
        return m;
    }

    /** The MLP width in force: as set, or {@code 4 * dim}. */
    public int effectiveMlpHidden() {
        return mlpHidden > 0 ? mlpHidden : 4 * dim();
    }

    public int n() {
        return n;
    }

    public ParityOptions n(int v) {
        n = v;
        return this;
    }

    public int k() {
        return k;
    }

    public ParityOptions k(int v) {
        k = v;
        return this;
    }

    public boolean cot() {
        return cot;
    }

    public ParityOptions cot(boolean v) {
        cot = v;
        return this;
    }

    public Model model() {
        return model;
    }

    public ParityOptions model(Model v) {
        model = v;
        return this;
    }

    public int layers() {
        return layers;
    }

    public ParityOptions layers(int v) {
        layers = v;
        return this;
    }

    public int heads() {
        return heads;
    }

    public ParityOptions heads(int v) {
        heads = v;
        return this;
    }

    /** Hidden size (GPT) or embedding dimension (theory): as set, or the model's default. */
    public int dim() {
        return dim > 0 ? dim : model == Model.GPT ? GPT_DIM : THEORY_DIM;
    }

    /** 0: the model's default. */
    public ParityOptions dim(int v) {
        dim = v;
        return this;
    }

    public int mlpHidden() {
        return mlpHidden;
    }

    /** MLP width of the GPT model (0: {@code 4 * dim}). */
    public ParityOptions mlpHidden(int v) {
        mlpHidden = v;
        return this;
    }

    /** As set ({@code NaN}: the model's default, see {@link #effectiveLr()}). */
    public double lr() {
        return lr;
    }

    public ParityOptions lr(double v) {
        lr = v;
        return this;
    }

    /** Samples per step: as set, or the model's default. */
    public int batch() {
        return batch > 0 ? batch : model == Model.GPT ? GPT_BATCH : THEORY_BATCH;
    }

    /** 0: the model's default. */
    public ParityOptions batch(int v) {
        batch = v;
        return this;
    }

    public long maxSamples() {
        return maxSamples;
    }

    /** Budget of fresh samples in one-pass training. */
    public ParityOptions maxSamples(long v) {
        maxSamples = v;
        return this;
    }

    public int trainSize() {
        return trainSize;
    }

    /** Fixed training set size for multi-pass training (0: one pass over fresh samples). */
    public ParityOptions trainSize(int v) {
        trainSize = v;
        return this;
    }

    public int epochs() {
        return epochs;
    }

    public ParityOptions epochs(int v) {
        epochs = v;
        return this;
    }

    public Normalizer normalizer() {
        return normalizer;
    }

    public ParityOptions normalizer(Normalizer v) {
        normalizer = v;
        return this;
    }

    public int window() {
        return window;
    }

    /** Sliding window of every layer (-1: none). */
    public ParityOptions window(int v) {
        window = v;
        return this;
    }

    public int globalTokens() {
        return globalTokens;
    }

    public ParityOptions globalTokens(int v) {
        globalTokens = v;
        return this;
    }

    public long seed() {
        return seed;
    }

    /** Seeds the data and the initialisation, and the secret set unless {@link #secretSeed(Long)} is set. */
    public ParityOptions seed(long v) {
        seed = v;
        return this;
    }

    public int evalEvery() {
        return evalEvery;
    }

    public ParityOptions evalEvery(int v) {
        evalEvery = v;
        return this;
    }

    public int evalSize() {
        return evalSize;
    }

    public ParityOptions evalSize(int v) {
        evalSize = v;
        return this;
    }

    public float dropout() {
        return dropout;
    }

    public ParityOptions dropout(float v) {
        dropout = v;
        return this;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public ParityOptions weightDecay(double v) {
        weightDecay = v;
        return this;
    }

    public double clipNorm() {
        return clipNorm;
    }

    public ParityOptions clipNorm(double v) {
        clipNorm = v;
        return this;
    }

    public int threads() {
        return threads;
    }

    public ParityOptions threads(int v) {
        threads = v;
        return this;
    }

    public int theoryWidth() {
        return theoryWidth;
    }

    /** {@code m} of the theory model (it has {@code 2m} neurons). */
    public ParityOptions theoryWidth(int v) {
        theoryWidth = v;
        return this;
    }

    public double theoryEpsilon() {
        return theoryEpsilon;
    }

    public ParityOptions theoryEpsilon(double v) {
        theoryEpsilon = v;
        return this;
    }

    public double theoryWarmLr() {
        return theoryWarmLr;
    }

    /** Rate of the theory model's first {@link #theoryWarmSteps()} steps. */
    public ParityOptions theoryWarmLr(double v) {
        theoryWarmLr = v;
        return this;
    }

    public int theoryWarmSteps() {
        return theoryWarmSteps;
    }

    /** How many first steps of the theory model use {@link #theoryWarmLr()} (the paper: 2). */
    public ParityOptions theoryWarmSteps(int v) {
        theoryWarmSteps = v;
        return this;
    }

    public boolean stopAtConvergence() {
        return stopAtConvergence;
    }

    /** Stop at the first evaluation with exact match 1.0 (the paper's protocol); else train to the budget. */
    public ParityOptions stopAtConvergence(boolean v) {
        stopAtConvergence = v;
        return this;
    }

    public double threshold() {
        return threshold;
    }

    /**
     * The exact match at which a run counts as converged (and stops, unless {@link #stopAtConvergence} is off):
     * 1.0 by default, as the reference code stops; the paper's Figure 3a counts 0.995.
     */
    public ParityOptions threshold(double v) {
        threshold = v;
        return this;
    }

    public long lrDecaySamples() {
        return lrDecaySamples;
    }

    /** Samples over which the gpt learning rate decays to 0 (0: the sample budget). */
    public ParityOptions lrDecaySamples(long v) {
        lrDecaySamples = v;
        return this;
    }

    public float attentionDropout() {
        return attentionDropout;
    }

    /** Dropout on the attention weights of the gpt model (GPT-2's {@code attn_pdrop}; default 0). */
    public ParityOptions attentionDropout(float v) {
        attentionDropout = v;
        return this;
    }

    public Precision precision() {
        return precision;
    }

    /** The number format the gpt model trains in (bf16 emulated: {@link Precision}). */
    public ParityOptions precision(Precision v) {
        precision = v;
        return this;
    }

    /** As set (null: the run's seed, see {@link #effectiveSecretSeed()}). */
    public Long secretSeed() {
        return secretSeed;
    }

    /** Seeds the secret set alone, so that runs with different seeds can share one secret (null: the seed). */
    public ParityOptions secretSeed(Long v) {
        secretSeed = v;
        return this;
    }

    /**
     * Whether a run without CoT uses Definition 1's layout {@code b, 0, y} (the theory model always does; with CoT the
     * layout has the token anyway: the 0 before the chain).
     */
    public boolean endOfInput() {
        return endOfInput;
    }

    /**
     * Without CoT, Definition 1's layout {@code b, 0, y}: the answer is predicted from the end-of-input token's row,
     * whose token is always 0, rather than (the reference code's {@code b, y}, the gpt default) from the row of the last
     * input bit, whose query changes with that bit.
     */
    public ParityOptions endOfInput(boolean v) {
        endOfInput = v;
        return this;
    }

    public Path json() {
        return json;
    }

    public ParityOptions json(Path v) {
        json = v;
        return this;
    }

    public Path heatmap() {
        return heatmap;
    }

    public ParityOptions heatmap(Path v) {
        heatmap = v;
        return this;
    }

    public Path save() {
        return save;
    }

    public ParityOptions save(Path v) {
        save = v;
        return this;
    }
}
