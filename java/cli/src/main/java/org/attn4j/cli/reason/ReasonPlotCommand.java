package org.attn4j.cli.reason;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attn4j.cli.CliException;
import org.attn4j.model.plot.ReasonChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code attn4j reason-plot}: a figure (PNG, one panel per metric) from the JSON files of {@code reason} runs, one
 * row per test of a run: lines of a metric against a field, or bars per category. The experiments' scripts
 * (docs/results/reasoning) draw their figures with it.
 */
@Command(name = "reason-plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw a figure from the JSON files of 'reason' runs: each test of a run is a row with the run's"
                + " settings and figures, e.g. --kind lines --x input_length --y accuracy,ms_per_problem --series"
                + " decode_attention."})
public final class ReasonPlotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--kind", paramLabel = "lines|bars", defaultValue = "lines",
            description = "Lines against a numeric field, or bars per category (default: ${DEFAULT-VALUE}).")
    String kind;
    @Option(names = "--x", paramLabel = "FIELD", required = true,
            description = "The x field (lines) or the category field (bars), e.g. alpha, input_length, task.")
    String x;
    @Option(names = "--y", paramLabel = "METRICS", required = true, split = ",",
            description = "One panel per field, e.g. accuracy,attended_fraction,ms_per_problem.")
    List<String> y;
    @Option(names = "--series", paramLabel = "FIELDS", split = ",",
            description = "Fields whose values name a series, e.g. attention,decode_attention.")
    List<String> series = new ArrayList<>();
    @Option(names = "--where", paramLabel = "FIELD=VALUE",
            description = "Only rows where FIELD has VALUE (repeatable).")
    List<String> where = new ArrayList<>();
    @Option(names = "--log-x", description = "Logarithmic x axis.")
    boolean logX;
    @Option(names = "--log-y", description = "Logarithmic y axes (lines; a panel with values <= 0 stays linear).")
    boolean logY;
    @Option(names = "--title", paramLabel = "TEXT", description = "Title before each panel's metric.")
    String title;
    @Option(names = "--png", paramLabel = "FILE", required = true, description = "The figure.")
    Path png;
    @Parameters(paramLabel = "JSON", arity = "1..*", description = "Result files of 'reason --json'.")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        Map<String, String> filters = new LinkedHashMap<>();
        for (String w : where) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new CliException("--where: expected FIELD=VALUE, got '" + w + "'");
            }
            filters.put(w.substring(0, eq), w.substring(eq + 1));
        }
        ReasonChart.Kind k;
        try {
            k = ReasonChart.Kind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException("--kind: expected lines or bars, got '" + kind + "'");
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new CliException(f + ": not found");
            }
        }
        try {
            ReasonChart.write(png, new ReasonChart.Spec(k, x, y, series, filters, logX, logY, title),
                    ReasonChart.rows(files));
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new CliException(m.startsWith("where:") ? "--" + m : m, e);
        }
        spec.commandLine().getOut().println("wrote " + png);
        return 0;
    }
}
