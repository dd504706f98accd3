package org.attn4j.model.reason;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.attn4j.Normalizer;
import org.attn4j.model.encdec.DecodeAttention;
import org.attn4j.model.encdec.OutputLayer;
import org.attn4j.model.encdec.Sparsity;

/**
 * Every setting of one reasoning run ({@code ./attn4j reason}). Setters return {@code this}; {@link #validate()}
 * checks the whole and names the field of a bad value (the command line names the flag). The defaults are the
 * recorded configuration (docs/results/reasoning): one encoder and one decoder block, two heads, hidden 64, GPT-2's
 * dropout 0.1 (without it the same model stalled on parity and pointer chasing), AdamW at 1e-3, batch 32.
 */
public final class ReasonOptions {
    /** Which architecture learns the task. */
    public enum Arch {
        ENCDEC, GPT;

        public static Arch parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            switch (t) {
                case "encdec": return ENCDEC;
                case "gpt": return GPT;
                default: throw new IllegalArgumentException("arch: expected encdec or gpt, got '" + text + "'");
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private String task = "pointer";
    private int n;
    private int k;
    private int p;
    private int group;
    private int digits;
    private int hops;
    private int symbols;
    private Arch arch = Arch.ENCDEC;
    private Sparsity attention = Sparsity.dense();
    private Normalizer normalizer = Normalizer.SOFTMAX;
    private double featureMask;
    private OutputLayer output = OutputLayer.SOFTMAX;
    private long seed;
    private long maxSamples = 100_000;
    private int batch = 32;
    private double lr = 1e-3;
    private int dim = 64;
    private int heads = 2;
    private int encoderLayers = 1;
    private int decoderLayers = 1;
    private int mlpHidden;
    private float dropout = 0.1f;
    private double weightDecay;
    private double clipNorm = 1.0;
    private int evalEvery = 2048;
    private int evalSize = 256;
    private int testSize = 512;
    private List<DecodeAttention> decodeAttention = new ArrayList<>();
    private List<Integer> testLengths = new ArrayList<>();
    private int threads = Runtime.getRuntime().availableProcessors();
    private boolean stopAtConvergence = true;
    private Path save;
    private Path load;
    private int testRepeats = 1;
    private Path json;

    public ReasonOptions copy() {
        ReasonOptions o = new ReasonOptions();
        o.task = task;
        o.n = n;
        o.k = k;
        o.p = p;
        o.group = group;
        o.digits = digits;
        o.hops = hops;
        o.symbols = symbols;
        o.arch = arch;
        o.attention = attention;
        o.normalizer = normalizer;
        o.featureMask = featureMask;
        o.output = output;
        o.seed = seed;
        o.maxSamples = maxSamples;
        o.batch = batch;
        o.lr = lr;
        o.dim = dim;
        o.heads = heads;
        o.encoderLayers = encoderLayers;
        o.decoderLayers = decoderLayers;
        o.mlpHidden = mlpHidden;
        o.dropout = dropout;
        o.weightDecay = weightDecay;
        o.clipNorm = clipNorm;
        o.evalEvery = evalEvery;
        o.evalSize = evalSize;
        o.testSize = testSize;
        o.decodeAttention = new ArrayList<>(decodeAttention);
        o.testLengths = new ArrayList<>(testLengths);
        o.threads = threads;
        o.stopAtConvergence = stopAtConvergence;
        o.save = save;
        o.load = load;
        o.testRepeats = testRepeats;
        o.json = json;
        return o;
    }

    /**
     * The task with its sizes (a size left at 0 takes the task's default: linalg n=3 p=7; pointer n=16 hops=4
     * symbols=64; parity n=20 k=3; sum n=16 p=5 group=4 digits=2).
     */
    public ReasoningTask buildTask() {
        switch (task) {
            case "linalg":
                return new LinalgTask(or(n, 3), or(p, 7));
            case "pointer":
                return new PointerTask(or(n, 16), or(hops, 4), or(symbols, 64));
            case "parity":
                return new ParityCotTask(or(n, 20), or(k, 3), seed);
            case "sum": {
                int size = or(n, 16);
                return new SumTask(size, or(p, 5), or(group, Math.min(4, size)), or(digits, 2));
            }
            default:
                throw new IllegalArgumentException("task: expected linalg, pointer, parity or sum, got '" + task + "'");
        }
    }

    /** Checks every setting; returns {@code this}. */
    public ReasonOptions validate() {
        for (Map.Entry<String, Integer> e : Map.of("n", n, "k", k, "p", p, "group", group, "digits", digits, "hops", hops,
                "symbols", symbols).entrySet()) {
            if (e.getValue() < 0) {
                throw new IllegalArgumentException(e.getKey() + ": expected >= 1 (0: the task's default), got "
                        + e.getValue());
            }
        }
        ReasoningTask t = buildTask();
        positive("batch", batch);
        positive("dim", dim);
        positive("heads", heads);
        positive("decoderLayers", decoderLayers);
        positive("evalEvery", evalEvery);
        positive("evalSize", evalSize);
        positive("testSize", testSize);
        positive("threads", threads);
        positive("testRepeats", testRepeats);
        if (load != null && !java.nio.file.Files.isDirectory(load)) {
            throw new IllegalArgumentException("load: " + load + " is not a model directory");
        }
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples: expected >= 1, got " + maxSamples);
        }
        if (encoderLayers < 0) {
            throw new IllegalArgumentException("encoderLayers: expected >= 0, got " + encoderLayers);
        }
        if (mlpHidden < 0) {
            throw new IllegalArgumentException("mlpHidden: expected >= 1 (0: 4 x dim), got " + mlpHidden);
        }
        if (dim % heads != 0) {
            throw new IllegalArgumentException("heads: expected a divisor of dim (" + dim + "), got " + heads);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr: expected a finite number > 0, got " + lr);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout: expected 0 <= p < 1, got " + dropout);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay: expected a finite number >= 0, got " + weightDecay);
        }
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm: expected a finite number >= 0 (0: off), got " + clipNorm);
        }
        if (!(featureMask >= 0 && featureMask < 1)) {
            throw new IllegalArgumentException("featureMask: expected 0 <= alpha < 1 (0: off), got " + featureMask);
        }
        if (arch == Arch.GPT) {
            if (featureMask > 0) {
                throw new IllegalArgumentException("featureMask: the gpt architecture has no CoT module; the feature"
                        + " mask is the encoder-decoder's");
            }
            if (attention.kind() == Sparsity.Kind.BLOCK_TOPK || attention.kind() == Sparsity.Kind.BLOCK_MASK) {
                throw new IllegalArgumentException("attention: the gpt architecture trains with dense, window or"
                        + " token top-k attention (its layers refuse block top-k, whose tile scores see later tokens,"
                        + " and have no block masks), got " + attention.label());
            }
            if (!testLengths.isEmpty()) {
                throw new IllegalArgumentException("testLengths: the gpt architecture reads the input as one sequence"
                        + " with learned positions; it runs only at the training length");
            }
        }
        for (int len : testLengths) {
            if (len < 1) {
                throw new IllegalArgumentException("testLengths: expected lengths >= 1, got " + len);
            }
        }
        for (int len : testLengths) {
            try {
                t.withInputLength(len);
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                throw new IllegalArgumentException(m.startsWith("testLengths:") ? m : "testLengths: " + len + ": "
                        + m.substring(m.indexOf(':') + 2), e);
            }
        }
        double needed = Math.log((double) evalSize + testSize) / Math.log(2) + 2;
        if (t.log2Problems() < needed) {
            throw new IllegalArgumentException("evalSize/testSize: the task has about 2^" + Math.round(t.log2Problems())
                    + " distinct problems; held-out sets of " + evalSize + " + " + testSize
                    + " leave too few to train on (at most a quarter may be held out)");
        }
        return this;
    }

    /** Every setting that shapes the outcome, defaults resolved (not the thread count or the output files). */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        ReasoningTask t = buildTask();
        m.put("task", t.name());
        m.putAll(t.sizes());
        m.put("arch", arch.label());
        m.put("attention", attention.label());
        m.put("normalizer", normalizer.label());
        m.put("feature_mask", featureMask);
        m.put("output", output.label());
        m.put("seed", seed);
        m.put("max_samples", maxSamples);
        m.put("batch", batch);
        m.put("lr", lr);
        m.put("dim", dim);
        m.put("heads", heads);
        m.put("encoder_layers", encoderLayers);
        m.put("decoder_layers", decoderLayers);
        m.put("mlp", mlpHidden());
        m.put("dropout", (double) dropout);
        m.put("weight_decay", weightDecay);
        m.put("clip", clipNorm);
        m.put("eval_every", evalEvery);
        m.put("eval_size", evalSize);
        m.put("test_size", testSize);
        m.put("stop_at_convergence", stopAtConvergence);
        List<String> decode = new ArrayList<>();
        decodeAttention.forEach(d -> decode.add(d.label()));
        m.put("decode_attention", decode);
        m.put("test_lengths", new ArrayList<>(testLengths));
        m.put("loaded", load == null ? null : load.toString());
        return m;
    }

    private static int or(int value, int fallback) {
        return value > 0 ? value : fallback;
    }

    private static void positive(String field, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": expected >= 1, got " + value);
        }
    }

    // Setters and getters.

    public ReasonOptions task(String v) {
        task = v == null ? "" : v.trim().toLowerCase(Locale.ROOT);
        return this;
    }

    public String task() {
        return task;
    }

    public ReasonOptions n(int v) {
        n = v;
        return this;
    }

    public ReasonOptions k(int v) {
        k = v;
        return this;
    }

    public ReasonOptions p(int v) {
        p = v;
        return this;
    }

    public ReasonOptions group(int v) {
        group = v;
        return this;
    }

    public ReasonOptions digits(int v) {
        digits = v;
        return this;
    }

    public ReasonOptions hops(int v) {
        hops = v;
        return this;
    }

    public ReasonOptions symbols(int v) {
        symbols = v;
        return this;
    }

    public ReasonOptions arch(Arch v) {
        arch = v;
        return this;
    }

    public Arch arch() {
        return arch;
    }

    public ReasonOptions attention(Sparsity v) {
        attention = v;
        return this;
    }

    public Sparsity attention() {
        return attention;
    }

    public ReasonOptions normalizer(Normalizer v) {
        normalizer = v;
        return this;
    }

    public Normalizer normalizer() {
        return normalizer;
    }

    public ReasonOptions featureMask(double v) {
        featureMask = v;
        return this;
    }

    public double featureMask() {
        return featureMask;
    }

    public ReasonOptions output(OutputLayer v) {
        output = v;
        return this;
    }

    public OutputLayer output() {
        return output;
    }

    public ReasonOptions seed(long v) {
        seed = v;
        return this;
    }

    public long seed() {
        return seed;
    }

    public ReasonOptions maxSamples(long v) {
        maxSamples = v;
        return this;
    }

    public long maxSamples() {
        return maxSamples;
    }

    public ReasonOptions batch(int v) {
        batch = v;
        return this;
    }

    public int batch() {
        return batch;
    }

    public ReasonOptions lr(double v) {
        lr = v;
        return this;
    }

    public double lr() {
        return lr;
    }

    public ReasonOptions dim(int v) {
        dim = v;
        return this;
    }

    public int dim() {
        return dim;
    }

    public ReasonOptions heads(int v) {
        heads = v;
        return this;
    }

    public int heads() {
        return heads;
    }

    public ReasonOptions encoderLayers(int v) {
        encoderLayers = v;
        return this;
    }

    public int encoderLayers() {
        return encoderLayers;
    }

    public ReasonOptions decoderLayers(int v) {
        decoderLayers = v;
        return this;
    }

    public int decoderLayers() {
        return decoderLayers;
    }

    public ReasonOptions mlpHidden(int v) {
        mlpHidden = v;
        return this;
    }

    /** The MLP width: as set, or 4 x dim. */
    public int mlpHidden() {
        return mlpHidden > 0 ? mlpHidden : 4 * dim;
    }

    public ReasonOptions dropout(float v) {
        dropout = v;
        return this;
    }

    public float dropout() {
        return dropout;
    }

    public ReasonOptions weightDecay(double v) {
        weightDecay = v;
        return this;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public ReasonOptions clipNorm(double v) {
        clipNorm = v;
        return this;
    }

    public double clipNorm() {
        return clipNorm;
    }

    public ReasonOptions evalEvery(int v) {
        evalEvery = v;
        return this;
    }

    public int evalEvery() {
        return evalEvery;
    }

    public ReasonOptions evalSize(int v) {
        evalSize = v;
        return this;
    }

    public int evalSize() {
        return evalSize;
    }

    public ReasonOptions testSize(int v) {
        testSize = v;
        return this;
    }

    public int testSize() {
        return testSize;
    }

    /** Attention patterns to reason through at test time besides the trained one. */
    public ReasonOptions decodeAttention(List<DecodeAttention> v) {
        decodeAttention = new ArrayList<>(v);
        return this;
    }

    public List<DecodeAttention> decodeAttention() {
        return decodeAttention;
    }

    /** Input lengths to test the trained model on besides the training one (tasks whose input is a set). */
    public ReasonOptions testLengths(List<Integer> v) {
        testLengths = new ArrayList<>(v);
        return this;
    }

    public List<Integer> testLengths() {
        return testLengths;
    }

    public ReasonOptions threads(int v) {
        threads = v;
        return this;
    }

    public int threads() {
        return threads;
    }

    public ReasonOptions stopAtConvergence(boolean v) {
        stopAtConvergence = v;
        return this;
    }

    public boolean stopAtConvergence() {
        return stopAtConvergence;
    }

    public ReasonOptions save(Path v) {
        save = v;
        return this;
    }

    public Path save() {
        return save;
    }

    /** Test a saved model instead of training one (its settings must fit the task). */
    public ReasonOptions load(Path v) {
        load = v;
        return this;
    }

    public Path load() {
        return load;
    }

    /** Times each test this many times and keeps the fastest (the answers are the same every time). */
    public ReasonOptions testRepeats(int v) {
        testRepeats = v;
        return this;
    }

    public int testRepeats() {
        return testRepeats;
    }

    public ReasonOptions json(Path v) {
        json = v;
        return this;
    }

    public Path json() {
        return json;
    }
}
