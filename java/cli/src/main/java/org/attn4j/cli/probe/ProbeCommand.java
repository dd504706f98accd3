package org.attn4j.cli.probe;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.attn4j.cli.CliException;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.io.Checkpoint;
import org.attn4j.model.io.Json;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.parity.ParityTask;
import org.attn4j.model.probe.GptAnswerModel;
import org.attn4j.model.probe.ParityProbe;
import org.attn4j.model.probe.ProbeReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attn4j probe}: what a saved parity model gets right, by pattern of the secret bits ({@link ParityProbe}). */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Read what a saved parity model (parity --save DIR) has learned from its answers on held-out"
                + " sequences drawn equally for every pattern of the secret bits: accuracy per pattern and by the"
                + " number of ones, each input bit's influence on the answer (flip it: does the answer change?),"
                + " and the Walsh-Fourier coefficients of the answer over subsets of the secret (1 on the whole"
                + " secret for a model that computes the parity)."})
public final class ProbeCommand implements Callable<Integer> {
    /** Bits whose two values give accuracies further apart than this are listed. */
    private static final double SPLIT = 0.05;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "A model directory written by parity --save (config.json and model.safetensors).")
    Path dir;

    @Option(names = "--per-pattern", paramLabel = "S",
            description = "Held-out sequences per pattern of the k secret bits (default: 4096 / 2^k, at least 1).")
    Integer perPattern;

    @Option(names = "--seed", paramLabel = "S", description = "Draws the non-secret bits (default 1).")
    long seed = 1;

    @Option(names = "--threads", paramLabel = "T", description = "CPU threads of the model (default 1).")
    int threads = 1;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the whole report as JSON.")
    Path json;

    @Override
    public Integer call() throws IOException {
        if (threads < 1) {
            throw new CliException("--threads: expected >= 1, got " + threads);
        }
        if (perPattern != null && perPattern < 1) {
            throw new CliException("--per-pattern: expected >= 1 sequence per pattern, got " + perPattern);
        }
        if (!Files.isDirectory(dir)) {
            throw new CliException("--model: not a directory: " + dir);
        }
        if (json != null && Files.isDirectory(json)) {
            throw new CliException("--json: expected a file, got the folder " + json);
        }
        Checkpoint.LoadedGpt loaded;
        try {
            loaded = Checkpoint.loadGpt(dir, Parallel.of(threads));
        } catch (IllegalArgumentException e) {
            throw new CliException("--model: " + e.getMessage(), e);
        }
        ProbeReport report;
        int layers;
        int heads;
        try (GptModel model = loaded.model()) {
            ParityTask task = loaded.task();
            if (task == null) {
                throw new CliException("--model: " + dir.resolve(Checkpoint.CONFIG) + " records no parity task"
                        + " (the probe reads models saved by parity --save)");
            }
            if (task.k() > ParityProbe.MAX_K) {
                throw new CliException("--model: the probe enumerates the 2^k patterns of the secret bits; expected"
                        + " k <= " + ParityProbe.MAX_K + ", this model's task has k = " + task.k());
            }
            int patterns = 1 << task.k();
            int each = perPattern != null ? perPattern : Math.max(1, 4096 / patterns);
            if ((long) patterns * each > 1 << 24) {
                throw new CliException("--per-pattern: 2^" + task.k() + " patterns x " + each + " sequences is more"
                        + " than 2^24 sequences; expected at most " + Math.max(1, (1 << 24) / patterns));
            }
            layers = model.config().layers();
            heads = model.config().heads();
            report = ParityProbe.run(task, new GptAnswerModel(model), each, seed, 256);
        }
        print(spec.commandLine().getOut(), report, layers, heads);
        if (json != null) {
            Json.write(json, report);
        }
        return 0;
    }

    private void print(PrintWriter out, ProbeReport r, int layers, int heads) {
        String secret = Arrays.stream(r.secret()).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        out.printf(Locale.ROOT, "probe of %s: gpt %d layer(s) x %d head(s), n=%d k=%d %s, secret {%s}%n", dir, layers,
                heads, r.n(), r.k(), r.cot() ? "CoT (the last row, chain teacher-forced)" : "no CoT", secret);
        out.printf(Locale.ROOT, "%d held-out sequences: %d patterns of the secret bits x %d, the other %d bits"
                + " uniform (seed %d)%n", r.sequences(), r.patterns().size(), r.sequencesPerPattern(), r.n() - r.k(),
                seed);
        out.printf(Locale.ROOT, "answer right: %.3f (mean probability of the right answer %.3f)%n", r.accuracy(),
                r.meanProbabilityCorrect());
        out.printf(Locale.ROOT, "patterns: %d right (>= 90%% of their sequences), %d wrong (<= 10%%), %d mixed%n",
                r.patternsRight(), r.patternsWrong(), r.patternsMixed());
        StringBuilder ones = new StringBuilder("by ones among the secret bits:");
        for (ProbeReport.OnesGroup g : r.byOnes()) {
            ones.append(String.format(Locale.ROOT, "  %d: %.3f", g.ones(), g.accuracy()));
        }
        out.println(ones);
        boolean[] inSecret = new boolean[r.n()];
        for (int s : r.secret()) {
            inSecret[s] = true;
        }
        StringBuilder split = new StringBuilder();
        for (int i = 0; i < r.n(); i++) {
            double[] a = r.accuracyByBit()[i];
            if (Math.abs(a[0] - a[1]) > SPLIT) {
                split.append(String.format(Locale.ROOT, "  %sb%d %.3f / %.3f", inSecret[i] ? "*" : "", i, a[0], a[1]));
            }
        }
        out.println("accuracy when a bit is 0 / 1, where the two differ by more than " + SPLIT + ":"
                + (split.length() == 0 ? " none" : split));
        out.println("influence of each input bit (share of answers that change when it alone flips; * secret):");
        StringBuilder line = new StringBuilder(" ");
        for (int i = 0; i < r.n(); i++) {
            String cell = String.format(Locale.ROOT, " %sb%d %.2f", inSecret[i] ? "*" : "", i, r.influence()[i]);
            if (line.length() + cell.length() > 100) {
                out.println(line);
                line = new StringBuilder(" ");
            }
            line.append(cell);
        }
        out.println(line);
        out.printf(Locale.ROOT, "Walsh-Fourier coefficients of the answer over subsets of the secret (the whole"
                + " secret %.3f: 1 for the parity; the empty set %.3f: +1 always 0, -1 always 1; noise ~%.3f):%n",
                r.parityCoefficient(), r.constantCoefficient(), r.standardError());
        for (ProbeReport.Coefficient c : r.topCoefficients()) {
            String set = Arrays.stream(c.subset()).mapToObj(Integer::toString).collect(Collectors.joining(", "));
            out.printf(Locale.ROOT, "  {%s} %+.3f%n", set, c.value());
        }
    }
}
