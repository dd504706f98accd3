package org.attn4j.cli.alicot;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.attn4j.cli.CliException;
import org.attn4j.model.alicot.AlicotExperiment;
import org.attn4j.model.alicot.AlicotMode;
import org.attn4j.model.alicot.AlicotOptions;
import org.attn4j.model.alicot.AlicotResult;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ConsoleProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attn4j alicot}: one run of the implicit chain-of-thought experiment (seed 002) on a NatBool-DAG-style task. */
@Command(name = "alicot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GPT on an irreducible XOR/XNOR DAG task (drawn from --seed; inputs listed in a"
                + " shuffled order each problem) in one mode: none (answer only), explicit (the chain of thought as"
                + " tokens), latent (continuous thoughts trained through the answer alone) or aligned (ALiCoT-style:"
                + " each thought's output distribution also trained to predict the --ratio chain steps it stands"
                + " for). Evaluates the greedy-decoded answer on held-out problems every --eval-every samples and"
                + " stops at --target accuracy.",
            "Reports accuracy, sample_complexity, decode_steps, ms_per_problem (batch 1, KV cache) and the probe"
                + " accuracy of every reasoning state. Progress goes to stderr, the summary to stdout."})
public final class AlicotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--inputs", paramLabel = "N", description = "Boolean inputs (default 8).")
    Integer inputs;
    @Option(names = "--depth", paramLabel = "D", description = "Gates on the path to the queried sink (default 4).")
    Integer depth;
    @Option(names = "--fan-in", paramLabel = "F", description = "Parents per gate (default 2).")
    Integer fanIn;
    @Option(names = "--mode", paramLabel = "none|explicit|latent|aligned", description = "Default explicit.")
    String mode;
    @Option(names = "--latents", paramLabel = "M",
            description = "Continuous thoughts (latent, aligned; default one per --ratio chain steps).")
    Integer latents;
    @Option(names = "--ratio", paramLabel = "R",
            description = "Chain steps per latent token (latent, aligned; default 1).")
    Integer ratio;
    @Option(names = "--seed", paramLabel = "S",
            description = "Seeds the DAG, the data and the initialisation (default 0).")
    Long seed;
    @Option(names = "--max-samples", paramLabel = "S", description = "Training problems (default 200000).")
    Long maxSamples;
    @Option(names = "--layers", paramLabel = "L", description = "Transformer blocks (default 2).")
    Integer layers;
    @Option(names = "--heads", paramLabel = "H", description = "Attention heads per block (default 4).")
    Integer heads;
    @Option(names = "--dim", paramLabel = "D", description = "Hidden size (default 64).")
    Integer dim;
    @Option(names = "--mlp", paramLabel = "M", description = "MLP width (default 4 x dim).")
    Integer mlp;
    @Option(names = "--lr", paramLabel = "LR", description = "Peak AdamW learning rate, decaying to 0 (default 1e-3).")
    Double lr;
    @Option(names = "--batch", paramLabel = "B", description = "Problems per step (default 64).")
    Integer batch;
    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW weight decay (default 0).")
    Double weightDecay;
    @Option(names = "--clip", paramLabel = "C", description = "Gradient norm clipping (default 1.0; 0: off).")
    Double clip;
    @Option(names = "--eval-every", paramLabel = "S", description = "Samples between evaluations (default 4096).")
    Integer evalEvery;
    @Option(names = "--eval-size", paramLabel = "S", description = "Held-out problems (default 1024).")
    Integer evalSize;
    @Option(names = "--target", paramLabel = "A",
            description = "Held-out accuracy that defines the sample complexity (default 0.99).")
    Double target;
    @Option(names = "--timing-problems", paramLabel = "N",
            description = "Problems decoded one at a time for ms_per_problem (default 200; 0: no timing).")
    Integer timingProblems;
    @Option(names = "--threads", paramLabel = "T", description = "CPU threads of the dense layers (default: cores).")
    Integer threads;
    @Option(names = "--no-stop", description = "Train to the budget instead of stopping at --target.")
    boolean noStop;
    @Option(names = "--json", paramLabel = "FILE", description = "Write the result with its evaluation history.")
    String json;

    @Override
    public Integer call() throws Exception {
        AlicotOptions o = options();
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr(), false);
        AlicotResult r;
        try {
            r = AlicotExperiment.run(o, progress);
        } catch (IllegalArgumentException e) {
            throw asCliError(e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "alicot inputs=%d depth=%d %s%s: accuracy %.3f, sample complexity %s, %d decode steps,"
                        + " %s ms per problem, %.1f s on '%s'%n", r.inputs(), r.depth(), r.mode(),
                r.latents() > 0 ? " m=" + r.latents() + " r=" + r.ratio() : "", Math.floor(r.accuracy() * 1000) / 1000,
                r.sampleComplexity() == null ? "not reached" : String.format(Locale.ROOT, "%,d", r.sampleComplexity()),
                r.decodeSteps(), r.msPerProblem() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.msPerProblem()),
                r.seconds(), r.attention());
        out.println(Json.toJson(summary(r)));
        return 0;
    }

    /** The flags given, on the model layer's defaults, validated. */
    AlicotOptions options() {
        AlicotOptions o = new AlicotOptions();
        try {
            if (mode != null) {
                o.mode(AlicotMode.parse(mode));
            }
            set(inputs, o::inputs);
            set(depth, o::depth);
            set(fanIn, o::fanIn);
            set(latents, o::latents);
            set(ratio, o::ratio);
            set(seed, o::seed);
            set(maxSamples, o::maxSamples);
            set(layers, o::layers);
            set(heads, o::heads);
            set(dim, o::dim);
            set(mlp, o::mlpHidden);
            set(lr, o::lr);
            set(batch, o::batch);
            set(weightDecay, o::weightDecay);
            set(clip, o::clipNorm);
            set(evalEvery, o::evalEvery);
            set(evalSize, o::evalSize);
            set(target, o::target);
            set(timingProblems, o::timingProblems);
            set(threads, o::threads);
            if (noStop) {
                o.stopAtTarget(false);
            }
            o.json(json == null ? null : Path.of(json));
            return o.validate();
        } catch (IllegalArgumentException e) {
            throw asCliError(e);
        }
    }

    /** The result without its history and probes: what a person or a script reads on the terminal. */
    static Map<String, Object> summary(AlicotResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", r.inputs());
        m.put("depth", r.depth());
        m.put("mode", r.mode());
        m.put("latents", r.latents());
        m.put("ratio", r.ratio());
        m.put("seed", r.seed());
        m.put("task", r.task());
        m.put("accuracy", r.accuracy());
        m.put("chain_accuracy", r.chainAccuracy());
        m.put("converged", r.converged());
        m.put("sample_complexity", r.sampleComplexity());
        m.put("samples_seen", r.samplesSeen());
        m.put("decode_steps", r.decodeSteps());
        m.put("ms_per_problem", r.msPerProblem());
        m.put("explicit_ms_per_problem", r.explicitMsPerProblem());
        m.put("paired_speedup", r.pairedSpeedup());
        m.put("probe_own", r.probeOwn());
        m.put("seconds", r.seconds());
        m.put("attention", r.attention());
        return m;
    }

    /** The model layer names its fields ("maxSamples: expected ..."); the user typed flags ("--max-samples"). */
    static CliException asCliError(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "invalid alicot options" : e.getMessage();
        int colon = message.indexOf(':');
        if (colon > 0) {
            String flag = FIELD_FLAGS.get(message.substring(0, colon));
            if (flag != null) {
                message = flag + message.substring(colon);
            }
        }
        return new CliException(message, e);
    }

    private static final Map<String, String> FIELD_FLAGS = Map.ofEntries(
            Map.entry("inputs", "--inputs"), Map.entry("depth", "--depth"), Map.entry("fanIn", "--fan-in"),
            Map.entry("mode", "--mode"), Map.entry("latents", "--latents"), Map.entry("ratio", "--ratio"),
            Map.entry("maxSamples", "--max-samples"), Map.entry("layers", "--layers"),
            Map.entry("heads", "--heads"), Map.entry("dim", "--dim"), Map.entry("mlpHidden", "--mlp"),
            Map.entry("lr", "--lr"), Map.entry("batch", "--batch"), Map.entry("weightDecay", "--weight-decay"),
            Map.entry("clipNorm", "--clip"), Map.entry("evalEvery", "--eval-every"),
            Map.entry("evalSize", "--eval-size"), Map.entry("target", "--target"),
            Map.entry("timingProblems", "--timing-problems"), Map.entry("threads", "--threads"));

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
