package org.attn4j.cli.parity;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.attn4j.cli.CliException;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ParityOptions;
import org.attn4j.model.parity.ThroughputResult;
import org.attn4j.model.parity.TrainingThroughput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attn4j throughput}: training samples per second of a parity configuration (no evaluation in the loop). */
@Command(name = "throughput", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the model layer's training speed: samples per wall-clock second and per CPU-second"
                + " (which other load on the machine does not change) for the parity configuration the flags set."})
public final class ThroughputCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--samples", paramLabel = "S", defaultValue = "20480",
            description = "Timed training samples (default: ${DEFAULT-VALUE}).")
    long samples;
    @Option(names = "--warmup", paramLabel = "S", defaultValue = "4096",
            description = "Untimed samples first, for the JIT (default: ${DEFAULT-VALUE}).")
    long warmup;
    @Option(names = "--json", paramLabel = "FILE", description = "Write the measurement.")
    String json;

    @Mixin
    ParityFlags flags;

    @Override
    public Integer call() throws Exception {
        if (samples < 1) {
            throw new CliException("--samples: expected >= 1, got " + samples);
        }
        if (warmup < 0) {
            throw new CliException("--warmup: expected >= 0, got " + warmup);
        }
        ParityOptions o = flags.apply(new ParityOptions());
        ThroughputResult r;
        try {
            r = TrainingThroughput.measure(o, samples, warmup);
        } catch (IllegalArgumentException e) {
            throw ParityFlags.asCliError(e);
        }
        if (json != null) {
            Json.write(Path.of(json), r);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s n=%d k=%d %s, %d layer(s) x %d head(s), dim %d, batch %d, %d thread(s), attention"
                        + " on '%s': %,.0f samples/s, %,.0f samples per CPU-second (load %.2f -> %.2f)%n",
                r.model(), r.n(), r.k(), r.cot() ? "CoT" : "no CoT", r.layers(), r.heads(), r.dim(), r.batch(),
                r.threads(), r.attention(), r.samplesPerSecond(), r.samplesPerCpuSecond(), r.loadAverageBefore(),
                r.loadAverageAfter());
        out.println(Json.toJson(r));
        return 0;
    }
}
