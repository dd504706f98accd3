package org.attn4j.cli.reason;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.attn4j.Normalizer;
import org.attn4j.cli.CliException;
import org.attn4j.model.encdec.DecodeAttention;
import org.attn4j.model.encdec.OutputLayer;
import org.attn4j.model.encdec.Sparsity;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ConsoleProgress;
import org.attn4j.model.reason.ReasonExperiment;
import org.attn4j.model.reason.ReasonOptions;
import org.attn4j.model.reason.ReasonResult;
import org.attn4j.model.reason.TestResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attn4j reason}: the sparse-attention reasoning model of seed 000 (an encoder-decoder with sparse self- and
 * cross-attention, the CoT feature mask, a sparsemax output), or the decoder-only GPT, trained on one task and tested
 * by reasoning on held-out problems.
 */
@Command(name = "reason", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model on a reasoning task with a written chain of thought (fresh problems, held-out"
                + " ones never seen), then let it reason on held-out problems by greedy generation through its KV"
                + " caches: accuracy, chain length, attended pairs and time per problem.",
            "Tasks: linalg (y = A x over Z_p, the chain lists the partial sums; --n --p), pointer (multi-hop lookup"
                + " in a table of key/value cells; --n cells --hops --symbols), parity (Wen et al.'s CoT parity;"
                + " --n --k), sum (sum mod p, the running sum every --group inputs: the dense control; --n --p"
                + " --group --digits).",
            "Progress goes to stderr, the summary and its JSON to stdout."})
public final class ReasonCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--task", paramLabel = "NAME", defaultValue = "pointer",
            description = "linalg, pointer, parity or sum (default: ${DEFAULT-VALUE}).")
    String task;
    @Option(names = "--n", paramLabel = "N",
            description = "Main size: matrix size (linalg, 3), cells (pointer, 16), bits (parity, 20), digits (sum, 16).")
    Integer n;
    @Option(names = "--k", paramLabel = "K", description = "Secret bits (parity, 3).")
    Integer k;
    @Option(names = "--p", paramLabel = "P", description = "Modulus (linalg 7, sum 5).")
    Integer p;
    @Option(names = "--group", paramLabel = "G", description = "Digits per chain step (sum, 4; --group N: no chain).")
    Integer group;
    @Option(names = "--digits", paramLabel = "D", description = "Input digits 0..D-1 (sum, 2: bits).")
    Integer digits;
    @Option(names = "--hops", paramLabel = "H", description = "Lookups in the chain (pointer, 4).")
    Integer hops;
    @Option(names = "--symbols", paramLabel = "S",
            description = "Alphabet of keys and values (pointer, 64; the largest table a model can read).")
    Integer symbols;
    @Option(names = "--arch", paramLabel = "encdec|gpt", defaultValue = "encdec",
            description = "encdec (the seed's encoder-decoder) or gpt (decoder-only, as many parameters);"
                    + " default: ${DEFAULT-VALUE}.")
    String arch;
    @Option(names = "--attention", paramLabel = "PATTERN", defaultValue = "dense",
            description = "Keys every attention keeps in training and reasoning: dense, window:W,G, blockmask:F,B"
                    + " (static), tokentopk:F, blocktopk:K,B (dynamic, per query and step); F a fraction (0.3) or a"
                    + " count (4). Default: ${DEFAULT-VALUE}.")
    String attention;
    @Option(names = "--normalizer", paramLabel = "NAME", defaultValue = "softmax",
            description = "Attention normaliser: softmax, sparsemax or entmax15 (default: ${DEFAULT-VALUE}).")
    String normalizer;
    @Option(names = "--feature-mask", paramLabel = "ALPHA", defaultValue = "0",
            description = "The CoT module's M_t: after every decoder block each position keeps the 1 - ALPHA fraction"
                    + " of its features of largest magnitude (0: off; default: ${DEFAULT-VALUE}).")
    double featureMask;
    @Option(names = "--output", paramLabel = "softmax|sparsemax", defaultValue = "softmax",
            description = "Output layer; sparsemax trains with the sparsemax loss (default: ${DEFAULT-VALUE}).")
    String output;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seeds the task, the data and the model (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--max-samples", paramLabel = "N", description = "Training budget in problems (100000).")
    Long maxSamples;
    @Option(names = "--batch", paramLabel = "B", description = "Problems per step (32).")
    Integer batch;
    @Option(names = "--lr", paramLabel = "LR", description = "Peak AdamW rate, decaying linearly to 0 (1e-3).")
    Double lr;
    @Option(names = "--dim", paramLabel = "D", description = "Hidden size (64).")
    Integer dim;
    @Option(names = "--heads", paramLabel = "H", description = "Heads of every attention (2).")
    Integer heads;
    @Option(names = "--encoder-layers", paramLabel = "L", description = "Encoder blocks (1).")
    Integer encoderLayers;
    @Option(names = "--decoder-layers", paramLabel = "L", description = "Decoder blocks (1).")
    Integer decoderLayers;
    @Option(names = "--mlp", paramLabel = "M", description = "MLP width (4 x dim; the gpt's is set to match the"
            + " encoder-decoder's parameter count).")
    Integer mlp;
    @Option(names = "--dropout", paramLabel = "P", description = "Dropout on embeddings and residual branches (0.1).")
    Float dropout;
    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW weight decay (0).")
    Double weightDecay;
    @Option(names = "--clip", paramLabel = "C", description = "Gradient norm clipping (1.0; 0: off).")
    Double clip;
    @Option(names = "--eval-every", paramLabel = "S", description = "Samples between evaluations (2048).")
    Integer evalEvery;
    @Option(names = "--eval-size", paramLabel = "N", description = "Held-out problems evaluated in training (256).")
    Integer evalSize;
    @Option(names = "--test-size", paramLabel = "N", description = "Held-out problems reasoned on at the end (512).")
    Integer testSize;
    @Option(names = "--decode-attention", paramLabel = "PATTERN",
            description = "Also reason with this attention in place of the trained one (repeatable), e.g."
                    + " tokentopk:2 on a dense model; PATTERN@KINDS replaces only some kinds (encoder, decoder, cross"
                    + " joined by +), e.g. tokentopk:1@decoder+cross.")
    List<String> decodeAttention = new ArrayList<>();
    @Option(names = "--test-lengths", paramLabel = "LIST",
            description = "Also reason on inputs of these lengths, e.g. 64,256,1024 (tasks whose input is a set:"
                    + " pointer).")
    String testLengths;
    @Option(names = "--threads", paramLabel = "T", description = "CPU threads of the dense layers (default: cores).")
    Integer threads;
    @Option(names = "--no-stop", description = "Train to the budget instead of stopping at exact match 1.0.")
    boolean noStop;
    @Option(names = "--save", paramLabel = "DIR", description = "Save the trained model (safetensors + config.json).")
    Path save;
    @Option(names = "--load", paramLabel = "DIR",
            description = "Test a model saved with --save instead of training one; give the flags and --seed it was"
                    + " trained with (so the test problems are the held-out ones).")
    Path load;
    @Option(names = "--test-repeats", paramLabel = "R",
            description = "Time every test R times and keep the fastest (default 1).")
    Integer testRepeats;
    @Option(names = "--json", paramLabel = "FILE", description = "Write the result with its tests and history.")
    Path json;

    @Override
    public Integer call() throws Exception {
        ReasonOptions o = options();
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr(), false);
        ReasonResult r;
        try {
            r = ReasonExperiment.run(o, progress);
        } catch (IllegalArgumentException e) {
            throw asCliError(e);
        }
        progress.finish();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s on %s, %s attention%s, %s output: accuracy %.3f, exact %.3f, chain %.2f tokens,"
                        + " attended fraction %.4f, %.3f ms/problem; %s after %,d samples, %.1f s on '%s'%n",
                r.arch(), o.buildTask().describe(), r.attention(),
                r.featureMask() > 0 ? ", feature mask alpha " + r.featureMask() : "", r.output(), r.accuracy(),
                r.exactMatch(), r.cotLength(), r.attendedFraction(), r.msPerProblem(),
                r.samplesToConverge() == null ? "not converged" : "converged", r.samplesSeen(), r.seconds(),
                r.provider());
        out.println(Json.toJson(summary(r)));
        return 0;
    }

    /** The options the flags set, validated; errors name the flag. */
    ReasonOptions options() {
        ReasonOptions o = new ReasonOptions();
        try {
            o.task(task);
            set(n, o::n);
            set(k, o::k);
            set(p, o::p);
            set(group, o::group);
            set(digits, o::digits);
            set(hops, o::hops);
            set(symbols, o::symbols);
            o.arch(ReasonOptions.Arch.parse(arch));
            o.attention(Sparsity.parse(attention));
            o.normalizer(Normalizer.parse(normalizer));
            o.featureMask(featureMask);
            o.output(OutputLayer.parse(output));
            o.seed(seed);
            set(maxSamples, o::maxSamples);
            set(batch, o::batch);
            set(lr, o::lr);
            set(dim, o::dim);
            set(heads, o::heads);
            set(encoderLayers, o::encoderLayers);
            set(decoderLayers, o::decoderLayers);
            set(mlp, o::mlpHidden);
            set(dropout, o::dropout);
            set(weightDecay, o::weightDecay);
            set(clip, o::clipNorm);
            set(evalEvery, o::evalEvery);
            set(evalSize, o::evalSize);
            set(testSize, o::testSize);
            set(threads, o::threads);
            List<DecodeAttention> decode = new ArrayList<>();
            for (String d : decodeAttention) {
                decode.add(DecodeAttention.parse(d));
            }
            o.decodeAttention(decode);
            o.testLengths(lengths(testLengths));
            o.stopAtConvergence(!noStop);
            set(testRepeats, o::testRepeats);
            o.save(save).load(load).json(json);
            return o.validate();
        } catch (IllegalArgumentException e) {
            throw asCliError(e);
        }
    }

    private static List<Integer> lengths(String text) {
        List<Integer> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            try {
                out.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("testLengths: expected whole numbers such as 64,256,1024, got '"
                        + text + "'");
            }
        }
        return out;
    }

    /** The figures a person or a script reads: the headline, and each test's without the pair breakdown. */
    static Map<String, Object> summary(ReasonResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", r.task());
        m.put("arch", r.arch());
        m.put("attention", r.attention());
        m.put("feature_mask", r.featureMask());
        m.put("output", r.output());
        m.put("accuracy", r.accuracy());
        m.put("exact_match", r.exactMatch());
        m.put("cot_length", r.cotLength());
        m.put("attended_fraction", r.attendedFraction());
        m.put("ms_per_problem", r.msPerProblem());
        m.put("samples_to_converge", r.samplesToConverge());
        m.put("samples_seen", r.samplesSeen());
        m.put("parameters", r.parameters());
        m.put("seconds", r.seconds());
        List<Map<String, Object>> tests = new ArrayList<>();
        for (TestResult t : r.tests()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("decode_attention", t.decodeAttention());
            tm.put("input_length", t.inputLength());
            tm.put("accuracy", t.accuracy());
            tm.put("exact_match", t.exactMatch());
            tm.put("cot_length", t.cotLength());
            tm.put("attended_fraction", t.attendedFraction());
            tm.put("ms_per_problem", t.msPerProblem());
            tm.put("cpu_ms_per_problem", t.cpuMsPerProblem());
            tests.add(tm);
        }
        m.put("tests", tests);
        return m;
    }

    /** The model layer names its fields ("featureMask: ..."); the user typed flags ("--feature-mask"). */
    static CliException asCliError(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "invalid reason options" : e.getMessage();
        int colon = message.indexOf(':');
        if (colon > 0) {
            StringBuilder flags = new StringBuilder();
            for (String field : message.substring(0, colon).split("/")) {
                String flag = FLAGS.get(field);
                if (flag == null) {
                    return new CliException(message, e);
                }
                flags.append(flags.length() == 0 ? "" : "/").append(flag);
            }
            message = flags + message.substring(colon);
        }
        return new CliException(message, e);
    }

    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("task", "--task"), Map.entry("n", "--n"), Map.entry("k", "--k"), Map.entry("p", "--p"),
            Map.entry("group", "--group"), Map.entry("digits", "--digits"), Map.entry("hops", "--hops"), Map.entry("symbols", "--symbols"),
            Map.entry("arch", "--arch"), Map.entry("attention", "--attention"),
            Map.entry("normalizer", "--normalizer"), Map.entry("featureMask", "--feature-mask"),
            Map.entry("output", "--output"), Map.entry("maxSamples", "--max-samples"), Map.entry("batch", "--batch"),
            Map.entry("lr", "--lr"), Map.entry("dim", "--dim"), Map.entry("heads", "--heads"),
            Map.entry("encoderLayers", "--encoder-layers"), Map.entry("decoderLayers", "--decoder-layers"),
            Map.entry("mlpHidden", "--mlp"), Map.entry("dropout", "--dropout"),
            Map.entry("weightDecay", "--weight-decay"), Map.entry("clipNorm", "--clip"),
            Map.entry("evalEvery", "--eval-every"), Map.entry("evalSize", "--eval-size"),
            Map.entry("testSize", "--test-size"), Map.entry("decodeAttention", "--decode-attention"),
            Map.entry("testLengths", "--test-lengths"), Map.entry("threads", "--threads"),
            Map.entry("load", "--load"), Map.entry("testRepeats", "--test-repeats"));

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
