package org.attn4j.cli.parity;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ConsoleProgress;
import org.attn4j.model.parity.ParityExperiment;
import org.attn4j.model.parity.ParityOptions;
import org.attn4j.model.parity.ParityResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attn4j parity}: one training run on parity (n, k), with or without the chain of thought. */
@Command(name = "parity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a transformer on parity (n, k), with or without chain of thought, on fresh samples"
                + " (or --train-size x --epochs); evaluate exact match on held-out sequences every --eval-every"
                + " samples and stop at 1.0.",
            "Reports the sample complexity, the normalised attention entropy per layer and head (Eq. 1 of Wen et al.)"
                + " and with CoT its mean over the CoT rows, the attention weight on each CoT row's secret (first"
                + " layer) and when exact match 0.9/0.99/0.995/1.0 were reached. Progress goes to stderr, the"
                + " summary to stdout."})
public final class ParityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ParityFlags flags;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the result with its evaluation history.")
    String json;

    @Option(names = "--heatmap", paramLabel = "FILE.png",
            description = "Draw the attention of one held-out sequence, secret positions marked.")
    String heatmap;

    @Option(names = "--save", paramLabel = "DIR",
            description = "Save the trained model (model.safetensors + config.json) in DIR.")
    String save;

    @Override
    public Integer call() throws Exception {
        ParityOptions o = flags.apply(new ParityOptions()).json(ParityFlags.path(json))
                .heatmap(ParityFlags.path(heatmap)).save(ParityFlags.path(save));
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr(), System.console() != null);
        ParityResult r;
        try {
            r = ParityExperiment.run(o, progress);
        } catch (IllegalArgumentException e) {
            throw ParityFlags.asCliError(e);
        }
        progress.finish();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s n=%d k=%d %s: %s after %,d samples (sample complexity %s), exact match %.3f,"
                        + " entropy %s, secret attention %s, %.1f s on '%s'%n", o.model().label(), r.n(), r.k(),
                r.cot() ? "CoT" : "no CoT", r.converged() ? "converged" : "not converged", r.samplesSeen(),
                r.sampleComplexity() == null ? "not reached" : String.format(Locale.ROOT, "%,d", r.sampleComplexity()),
                Math.floor(r.finalExactMatch() * 1000) / 1000, Arrays.deepToString(rounded(r.entropy())),
                r.secretAttention() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.secretAttention()),
                r.seconds(), r.attention());
        out.println(Json.toJson(summary(r)));
        return 0;
    }

    /** The result without its history: what a person or a script reads on the terminal. */
    static Map<String, Object> summary(ParityResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", r.n());
        m.put("k", r.k());
        m.put("cot", r.cot());
        m.put("secret", r.secret());
        m.put("converged", r.converged());
        m.put("sample_complexity", r.sampleComplexity());
        m.put("samples_seen", r.samplesSeen());
        m.put("final_exact_match", r.finalExactMatch());
        m.put("entropy", r.entropy());
        m.put("secret_attention", r.secretAttention());
        m.put("secret_probability", r.secretProbability());
        m.put("secret_probability_by_row", r.secretProbabilityByRow());
        m.put("cot_entropy_mean", r.cotEntropyMean());
        m.put("threshold", r.threshold());
        m.put("samples_to_exact_match", r.samplesToExactMatch());
        m.put("samples_to_secret_probability", r.samplesToSecretProbability());
        m.put("seconds", r.seconds());
        m.put("samples_per_second", r.samplesPerSecond());
        m.put("attention", r.attention());
        return m;
    }

    static double[][] rounded(double[][] e) {
        double[][] out = new double[e.length][];
        for (int l = 0; l < e.length; l++) {
            out[l] = Arrays.stream(e[l]).map(v -> Math.round(v * 1000) / 1000.0).toArray();
        }
        return out;
    }
}
