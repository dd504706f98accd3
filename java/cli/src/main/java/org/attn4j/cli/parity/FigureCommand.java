package org.attn4j.cli.parity;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attn4j.cli.CliException;
import org.attn4j.model.parity.ParityResult;
import org.attn4j.model.plot.SampleComplexityByK;
import org.attn4j.model.plot.SampleComplexityGrid;
import org.attn4j.model.plot.TrainingCurves;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code attn4j figure}: draws recorded parity runs ({@code parity --json} files) as one of the paper's figures. */
@Command(name = "figure", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw recorded parity runs (parity --json files) as a PNG: training curves (exact match,"
                + " attention entropy, weight on the secret against samples; Figures 4, 5, 9), samples to each"
                + " exact-match level against k (Figure 3a), or the sample complexity per layers x heads (Figure 2)."})
public final class FigureCommand implements Callable<Integer> {
    @Option(names = "--kind", paramLabel = "curves|by-k|grid", required = true,
            description = "curves: one line per run; by-k: runs with the same LABEL form one arm; grid: layers x heads.")
    String kind;

    @Option(names = "--png", paramLabel = "FILE.png", required = true, description = "Where to draw.")
    String png;

    @Option(names = "--title", paramLabel = "TEXT", description = "Title of the figure.")
    String title = "parity";

    @Option(names = "--levels", paramLabel = "L,..", split = ",",
            description = "Exact-match levels of --kind by-k, one panel each (default 0.9,0.99,0.995,1.0).")
    List<String> levels = List.of("0.9", "0.99", "0.995", "1.0");

    @Parameters(paramLabel = "LABEL=FILE", arity = "1..*", description = "Runs, each with its legend label.")
    List<String> runs;

    @Override
    public Integer call() throws IOException {
        Map<String, List<ParityResult>> byLabel = new LinkedHashMap<>();
        List<TrainingCurves.Run> curves = new ArrayList<>();
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        for (String run : runs) {
            int eq = run.lastIndexOf('='); // labels may hold "=" (k=20), file names may not
            if (eq <= 0 || eq == run.length() - 1) {
                throw new CliException("LABEL=FILE: expected a label, '=' and a parity --json file, got '" + run
                        + "'");
            }
            Path file = Path.of(run.substring(eq + 1));
            if (!Files.isRegularFile(file)) {
                throw new CliException("LABEL=FILE: no such file: " + file);
            }
            ParityResult r;
            try {
                r = json.readValue(file.toFile(), ParityResult.class);
            } catch (IOException e) {
                throw new CliException("LABEL=FILE: " + file + " is not a parity --json result: " + e.getMessage(), e);
            }
            if (r.history() == null) {
                throw new CliException("LABEL=FILE: " + file + " has no evaluation history");
            }
            String label = run.substring(0, eq);
            byLabel.computeIfAbsent(label, l -> new ArrayList<>()).add(r);
            curves.add(new TrainingCurves.Run(label, r));
        }
        for (String level : levels) {
            double v;
            try {
                v = Double.parseDouble(level);
            } catch (NumberFormatException e) {
                throw new CliException("--levels: expected numbers in (0, 1], got '" + level + "'");
            }
            if (!(v > 0 && v <= 1)) {
                throw new CliException("--levels: expected numbers in (0, 1], got '" + level + "'");
            }
        }
        Path out = Path.of(png);
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "curves":
                TrainingCurves.write(out, title, curves);
                break;
            case "by-k":
                List<SampleComplexityByK.Group> groups = new ArrayList<>();
                byLabel.forEach((l, rs) -> groups.add(new SampleComplexityByK.Group(l, rs)));
                List<String> keys = new ArrayList<>();
                for (String level : levels) {
                    keys.add(Double.toString(Double.parseDouble(level)));
                }
                SampleComplexityByK.write(out, title, groups, keys);
                break;
            case "grid":
                List<ParityResult> all = new ArrayList<>();
                byLabel.values().forEach(all::addAll);
                SampleComplexityGrid.write(out, title, all);
                break;
            default:
                throw new CliException("--kind: expected curves, by-k or grid, got '" + kind + "'");
        }
        return 0;
    }
}
