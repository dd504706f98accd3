package org.attn4j.cli.alicot;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.attn4j.cli.CliException;
import org.attn4j.model.alicot.AlicotFigures;
import org.attn4j.model.alicot.AlicotResult;
import org.attn4j.model.alicot.AlicotSummary;
import org.attn4j.model.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attn4j alicot-figures}: the figures and the summary table of a folder of {@code alicot --json} results. */
@Command(name = "alicot-figures", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw alicot-depth.png (accuracy and sample complexity against depth), alicot-cost.png"
                + " (decode steps and time per problem) and alicot-probes.png (probe accuracy of each reasoning"
                + " state), and write summary.md, from every alicot result (*.json) in --results."})
public final class AlicotFiguresCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--results", paramLabel = "DIR", required = true, description = "Folder of alicot --json files.")
    Path results;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the figures go (default: --results).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(results)) {
            throw new CliException("--results " + results + ": not a folder");
        }
        List<AlicotResult> runs = new ArrayList<>();
        try (Stream<Path> files = Files.list(results)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                try {
                    runs.add(Json.read(f, AlicotResult.class));
                } catch (IOException e) {
                    throw new CliException("--results: " + f + " is not an alicot result (" + e.getMessage()
                            .lines().findFirst().orElse("") + ")", e);
                }
            }
        }
        if (runs.isEmpty()) {
            throw new CliException("--results " + results + ": no *.json result in it");
        }
        Path dir = out != null ? out : results;
        PrintWriter w = spec.commandLine().getOut();
        for (Path p : AlicotFigures.write(runs, dir)) {
            w.println("wrote " + p);
        }
        Path table = dir.resolve("summary.md");
        Files.writeString(table, AlicotSummary.markdown(runs));
        w.println("wrote " + table + " (" + runs.size() + " runs)");
        return 0;
    }
}
