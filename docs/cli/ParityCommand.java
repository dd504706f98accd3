package org.attn4j.cli;

import java.util.concurrent.Callable;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ConsoleProgress;
import org.attn4j.model.parity.ParityExperiment;
import org.attn4j.model.parity.ParityOptions;
import org.attn4j.model.parity.ParityResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./attn4j parity}: one parity run (drop-in draft for the CLI module). */
@Command(name = "parity", mixinStandardHelpOptions = true,
        description = "Train on parity (n, k) with or without chain of thought; report the sample complexity, the "
                + "normalised attention entropy and the secret attention.")
public final class ParityCommand implements Callable<Integer> {
    @Mixin
    ParityOptionsMixin options;
    @Option(names = "--json", description = "write the result (with the evaluation history) here")
    String json;
    @Option(names = "--heatmap", description = "draw the attention of one held-out sequence (PNG)")
    String heatmap;
    @Option(names = "--save", description = "save the model (model.safetensors + config.json) in this directory")
    String save;

    @Override
    public Integer call() throws Exception {
        ParityOptions o = options.apply(new ParityOptions()).json(ParityOptionsMixin.path(json))
                .heatmap(ParityOptionsMixin.path(heatmap)).save(ParityOptionsMixin.path(save));
        ConsoleProgress progress = ConsoleProgress.stderr();
        ParityResult r = ParityExperiment.run(o, progress);
        progress.finish();
        System.out.printf("%s: %s after %d samples (sample complexity %s), exact match %.3f, entropy %s,"
                        + " secret attention %s, %.1f s%n", o.model().label(), r.converged() ? "converged" : "not converged",
                r.samplesSeen(), r.sampleComplexity(), r.finalExactMatch(),
                java.util.Arrays.deepToString(r.entropy()), r.secretAttention(), r.seconds());
        if (json == null) {
            System.out.println(Json.toJson(r));
        }
        return 0;
    }
}
