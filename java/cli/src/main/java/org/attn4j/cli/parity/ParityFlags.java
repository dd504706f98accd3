package org.attn4j.cli.parity;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.attn4j.Normalizer;
import org.attn4j.cli.CliException;
import org.attn4j.model.nn.Precision;
import org.attn4j.model.parity.ParityOptions;
import picocli.CommandLine.Option;

/**
 * The flags of one parity training run, shared by {@code parity}, {@code sweep} and {@code throughput}. Each maps
 * onto the model layer's {@link ParityOptions}; a flag left out keeps the model layer's default
 * (docs/model-layer.md), which {@link ParityOptions#validate()} checks together with the rest.
 */
public final class ParityFlags {
    @Option(names = "--paper", description = "The paper's training settings, applied before the other flags (which"
            + " override them): Adam (0.9, 0.999), weight decay 0, batch 512, clip 1.0, lr 1e-4 decaying linearly over"
            + " 10^7 samples, dropout 0.1 on embeddings, residuals and attention weights, bf16, one fixed secret per"
            + " (n, k) (--secret-seed 0), 2048 held-out sequences every 2048 samples. The model's size stays (the"
            + " paper's: --dim 720 --mlp 2880).")
    boolean paper;
    @Option(names = "--n", paramLabel = "N", description = "Input bits (default 20).")
    Integer n;
    @Option(names = "--k", paramLabel = "K", description = "Secret size (default 3).")
    Integer k;
    @Option(names = "--cot", description = "Train with the chain of thought (k + 1 labelled tokens).")
    boolean cot;
    @Option(names = "--model", paramLabel = "gpt|theory",
            description = "gpt (GPT-2 style decoder) or theory (the paper's simplified transformer); default gpt.")
    String model;
    @Option(names = "--layers", paramLabel = "L", description = "Transformer blocks (gpt, default 1).")
    Integer layers;
    @Option(names = "--heads", paramLabel = "H", description = "Attention heads per block (gpt, default 1).")
    Integer heads;
    @Option(names = "--dim", paramLabel = "D",
            description = "Hidden size (gpt, default 64) or embedding dimension (theory, default 128).")
    Integer dim;
    @Option(names = "--mlp", paramLabel = "M", description = "MLP width of the gpt model (default 4 x dim).")
    Integer mlp;
    @Option(names = "--lr", paramLabel = "LR",
            description = "Peak learning rate (gpt: AdamW with linear decay to 0, default 1e-3; theory: SGD).")
    Double lr;
    @Option(names = "--batch", paramLabel = "B", description = "Sequences per step (gpt 64, theory 4096).")
    Integer batch;
    @Option(names = "--max-samples", paramLabel = "S",
            description = "Sample budget of one-pass training on fresh samples (default 200000).")
    Long maxSamples;
    @Option(names = "--train-size", paramLabel = "T",
            description = "A fixed training set of T sequences, seen --epochs times (multi-pass training).")
    Integer trainSize;
    @Option(names = "--epochs", paramLabel = "E", description = "Passes over --train-size.")
    Integer epochs;
    @Option(names = "--normalizer", paramLabel = "NAME", description = "softmax, sparsemax or entmax15 (gpt).")
    String normalizer;
    @Option(names = "--window", paramLabel = "W", description = "Sliding window of every layer's attention (gpt).")
    Integer window;
    @Option(names = "--global", paramLabel = "G", description = "Global tokens beside the window (gpt).")
    Integer global;
    @Option(names = "--seed", paramLabel = "S",
            description = "Seeds the secret set, the data and the initialisation (default 0).")
    Long seed;
    @Option(names = "--eval-every", paramLabel = "S", description = "Samples between evaluations (default 2048).")
    Integer evalEvery;
    @Option(names = "--eval-size", paramLabel = "S", description = "Held-out sequences (default 2048).")
    Integer evalSize;
    @Option(names = "--dropout", paramLabel = "P", description = "Dropout of the gpt model (default 0.1).")
    Float dropout;
    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW weight decay (default 0).")
    Double weightDecay;
    @Option(names = "--clip", paramLabel = "C", description = "Gradient norm clipping (default 1.0; 0: off).")
    Double clip;
    @Option(names = "--threads", paramLabel = "T", description = "CPU threads of the dense layers (default: cores).")
    Integer threads;
    @Option(names = "--theory-width", paramLabel = "M", description = "FFN neurons of the theory model.")
    Integer theoryWidth;
    @Option(names = "--theory-epsilon", paramLabel = "E", description = "Scale of the theory model's initial FFN"
            + " weights (nu in {-E, +E}, Assumption 1; default 1).")
    Double theoryEpsilon;
    @Option(names = "--theory-warm-lr", paramLabel = "LR",
            description = "SGD rate of the theory model's first (warm) steps.")
    Double theoryWarmLr;
    @Option(names = "--theory-warm-steps", paramLabel = "S", description = "How many warm steps.")
    Integer theoryWarmSteps;
    @Option(names = "--no-stop", description = "Train to the budget instead of stopping at the --threshold.")
    boolean noStop;
    @Option(names = "--threshold", paramLabel = "X", description = "Exact match that counts as converged and stops"
            + " the run (default 1.0; the paper's Figure 3a: 0.995).")
    Double threshold;
    @Option(names = "--lr-decay-samples", paramLabel = "S", description = "Samples over which the gpt learning rate"
            + " decays linearly to 0 (default: the sample budget; the paper: 10^7).")
    Long lrDecaySamples;
    @Option(names = "--attention-dropout", paramLabel = "P", description = "Dropout on the attention weights of the"
            + " gpt model (softmax; default 0).")
    Float attentionDropout;
    @Option(names = "--precision", paramLabel = "fp32|bf16", description = "Number format of the gpt model's"
            + " weights, activations and optimiser (bf16 emulated by rounding; default fp32).")
    String precision;
    @Option(names = "--secret-seed", paramLabel = "S", description = "Seeds the secret set alone (default: --seed),"
            + " so that runs with different seeds share one secret.")
    Long secretSeed;
    @Option(names = "--end-of-input", description = "Without CoT, Definition 1's layout b, 0, y: the answer comes from"
            + " an end-of-input token's row, the same query whatever the inputs (the gpt default is the reference"
            + " code's b, y, answered from the last input bit's row; with CoT and in the theory model the layout has it).")
    boolean endOfInput;

    /** {@code base} with every flag given on the command line applied, validated. */
    public ParityOptions apply(ParityOptions base) {
        ParityOptions o = base.copy();
        try {
            if (paper) {
                o.paper();
            }
            if (model != null) {
                o.model(ParityOptions.Model.parse(model));
            }
            if (normalizer != null) {
                o.normalizer(Normalizer.parse(normalizer));
            }
            set(n, o::n);
            set(k, o::k);
            if (cot) {
                o.cot(true);
            }
            set(layers, o::layers);
            set(heads, o::heads);
            set(dim, o::dim);
            set(mlp, o::mlpHidden);
            set(lr, o::lr);
            set(batch, o::batch);
            set(maxSamples, o::maxSamples);
            set(trainSize, o::trainSize);
            set(epochs, o::epochs);
            set(window, o::window);
            set(global, o::globalTokens);
            set(seed, o::seed);
            set(evalEvery, o::evalEvery);
            set(evalSize, o::evalSize);
            set(dropout, o::dropout);
            set(weightDecay, o::weightDecay);
            set(clip, o::clipNorm);
            set(threads, o::threads);
            set(theoryWidth, o::theoryWidth);
            set(theoryEpsilon, o::theoryEpsilon);
            set(theoryWarmLr, o::theoryWarmLr);
            set(theoryWarmSteps, o::theoryWarmSteps);
            if (noStop) {
                o.stopAtConvergence(false);
            }
            set(threshold, o::threshold);
            set(lrDecaySamples, o::lrDecaySamples);
            set(attentionDropout, o::attentionDropout);
            if (precision != null) {
                o.precision(Precision.parse(precision));
            }
            if (secretSeed != null) {
                o.secretSeed(secretSeed);
            }
            if (endOfInput) {
                o.endOfInput(true);
            }
            o.validate();
        } catch (IllegalArgumentException e) {
            throw asCliError(e);
        }
        if (o.model() != ParityOptions.Model.THEORY) {
            // The gpt model has no use for them: refused, so that a typo in --model is not a silent gpt run.
            theoryOnly("--theory-width", theoryWidth);
            theoryOnly("--theory-epsilon", theoryEpsilon);
            theoryOnly("--theory-warm-lr", theoryWarmLr);
            theoryOnly("--theory-warm-steps", theoryWarmSteps);
        }
        return o;
    }

    private static void theoryOnly(String flag, Object value) {
        if (value != null) {
            throw new CliException(flag + ": only for --model theory (this run trains the gpt model)");
        }
    }

    /**
     * The model layer's complaint about a setting (some, such as a training set too large for 2^n inputs, only show
     * when the run starts) as a command-line error naming the flag.
     */
    static CliException asCliError(IllegalArgumentException e) {
        return new CliException(asFlags(e.getMessage()), e);
    }

    /** The model layer names its fields ("evalEvery: expected ..."); the user typed flags ("--eval-every"). */
    static String asFlags(String message) {
        if (message == null) {
            return "invalid parity options";
        }
        int colon = message.indexOf(':');
        if (colon < 0) {
            return message;
        }
        StringBuilder flags = new StringBuilder();
        for (String field : message.substring(0, colon).split("/")) {
            String flag = FIELD_FLAGS.get(field);
            if (flag == null) {
                return message;
            }
            flags.append(flags.length() == 0 ? "" : "/").append(flag);
        }
        return flags + message.substring(colon);
    }

    private static final Map<String, String> FIELD_FLAGS = Map.ofEntries(
            Map.entry("n", "--n"), Map.entry("k", "--k"),
            Map.entry("layers", "--layers"), Map.entry("heads", "--heads"),
            Map.entry("dim", "--dim"), Map.entry("mlpHidden", "--mlp"),
            Map.entry("lr", "--lr"), Map.entry("batch", "--batch"),
            Map.entry("maxSamples", "--max-samples"), Map.entry("trainSize", "--train-size"),
            Map.entry("epochs", "--epochs"), Map.entry("normalizer", "--normalizer"),
            Map.entry("window", "--window"), Map.entry("global", "--global"),
            Map.entry("evalEvery", "--eval-every"), Map.entry("evalSize", "--eval-size"),
            Map.entry("dropout", "--dropout"), Map.entry("weightDecay", "--weight-decay"),
            Map.entry("clipNorm", "--clip"), Map.entry("threads", "--threads"),
            Map.entry("theoryWidth", "--theory-width"),
            Map.entry("theoryEpsilon", "--theory-epsilon"),
            Map.entry("theoryWarmLr", "--theory-warm-lr"),
            Map.entry("theoryWarmSteps", "--theory-warm-steps"), Map.entry("model", "--model"),
            Map.entry("threshold", "--threshold"), Map.entry("lrDecaySamples", "--lr-decay-samples"),
            Map.entry("attentionDropout", "--attention-dropout"), Map.entry("precision", "--precision"),
            Map.entry("endOfInput", "--end-of-input"), Map.entry("secretSeed", "--secret-seed"),
            // the sweep's own settings
            Map.entry("ks", "--ks"), Map.entry("seeds", "--seeds"),
            Map.entry("noCotKs", "--no-cot-ks"), Map.entry("noCotSeeds", "--no-cot-seeds"),
            Map.entry("cotBudget", "--cot-budget"), Map.entry("noCotBudget", "--no-cot-budget"),
            Map.entry("noCotEvalEvery", "--no-cot-eval-every"));

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    static Path path(String s) {
        return s == null ? null : Path.of(s);
    }
}
