package org.attn4j.cli.parity;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.attn4j.cli.CliException;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ConsoleProgress;
import org.attn4j.model.parity.SweepExperiment;
import org.attn4j.model.parity.SweepOptions;
import org.attn4j.model.parity.SweepResult;
import org.attn4j.model.plot.Figure1;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attn4j sweep}: the grid behind the paper's Figure 1 (k x CoT on/off x seeds), drawn as a PNG. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run parity for every k, with and without chain of thought, for every seed; draw Figure 1 of"
                + " Wen et al.: sample complexity versus k (log axis), CoT and no CoT, and the entropy-versus-samples"
                + " curves.",
            "The parity flags below set every run except k, --cot, the seed and the budget, which the sweep sets."
                + " Runs without CoT are slow (their budget is large on purpose): see docs/model-layer.md."})
public final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--ks", paramLabel = "LIST", description = "Secret sizes, e.g. 1,2,3 or 1..4 (default 1..4).")
    String ks;
    @Option(names = "--seeds", paramLabel = "LIST", description = "Seeds, e.g. 0,1 or 0..4 (default 0,1).")
    String seeds;
    @Option(names = "--runs", paramLabel = "both|cot|no-cot", defaultValue = "both",
            description = "Which half of the grid to run (default: ${DEFAULT-VALUE}).")
    String runs;
    @Option(names = "--cot-budget", paramLabel = "S", description = "Sample budget with CoT (default 200000).")
    Long cotBudget;
    @Option(names = "--no-cot-budget", paramLabel = "S", description = "Sample budget without CoT (default 1000000).")
    Long noCotBudget;
    @Option(names = "--no-cot-eval-every", paramLabel = "S",
            description = "Samples between evaluations without CoT (default 8192).")
    Integer noCotEvalEvery;
    @Option(names = "--no-cot-ks", paramLabel = "LIST", description = "Secret sizes run without CoT (default: --ks).")
    String noCotKs;
    @Option(names = "--no-cot-seeds", paramLabel = "LIST", description = "Seeds run without CoT (default: --seeds).")
    String noCotSeeds;
    @Option(names = "--reuse", paramLabel = "SWEEP.json",
            description = "A previous sweep's JSON: runs with the same settings are taken from it, not run again.")
    String reuse;
    @Option(names = "--redraw", paramLabel = "SWEEP.json",
            description = "Run nothing: draw --png from this sweep's JSON.")
    String redraw;
    @Option(names = "--png", paramLabel = "FILE.png", description = "Figure 1.")
    String png;
    @Option(names = "--json", paramLabel = "FILE", description = "Every run (with its history) and the summary.")
    String json;

    @Mixin
    ParityFlags flags;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (redraw != null) {
            if (png == null) {
                throw new CliException("--redraw: expected --png FILE.png to draw into");
            }
            Figure1.write(Path.of(png), Json.read(Path.of(redraw), SweepResult.class));
            out.println("wrote " + png);
            return 0;
        }
        SweepOptions s = new SweepOptions();
        s.base(flags.apply(s.base()));
        if (ks != null) {
            s.ks(IntList.parseInts("--ks", ks));
        }
        if (seeds != null) {
            s.seeds(IntList.parse("--seeds", seeds));
        }
        switch (runs) {
            case "both":
                break;
            case "cot":
                s.withoutCot(false);
                break;
            case "no-cot":
                s.withCot(false);
                break;
            default:
                throw new CliException("--runs: expected both, cot or no-cot, got '" + runs + "'");
        }
        if (cotBudget != null) {
            s.cotBudget(cotBudget);
        }
        if (noCotBudget != null) {
            s.noCotBudget(noCotBudget);
        }
        if (noCotEvalEvery != null) {
            s.noCotEvalEvery(noCotEvalEvery);
        }
        if (noCotKs != null) {
            s.noCotKs(IntList.parseInts("--no-cot-ks", noCotKs));
        }
        if (noCotSeeds != null) {
            s.noCotSeeds(IntList.parse("--no-cot-seeds", noCotSeeds));
        }
        s.reuse(ParityFlags.path(reuse));
        if (s.reuse() != null && !Files.isRegularFile(s.reuse())) {
            throw new CliException("--reuse " + reuse + ": " + (Files.isDirectory(s.reuse())
                    ? "is a folder, expected" : "no such file, expected") + " an earlier sweep's --json file");
        }
        s.png(ParityFlags.path(png)).json(ParityFlags.path(json));
        try {
            s.validate();
        } catch (IllegalArgumentException e) {
            throw ParityFlags.asCliError(e);
        }
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr(), System.console() != null);
        SweepResult r;
        try {
            r = SweepExperiment.run(s, progress);
        } catch (IllegalArgumentException e) {
            throw ParityFlags.asCliError(e);
        }
        progress.finish();
        for (SweepResult.Point p : r.summary()) {
            out.printf("k=%-2d %-6s median sample complexity %-10s %d/%d converged (budget %,d)%n", p.k(),
                    p.cot() ? "CoT" : "no CoT", p.medianSampleComplexity() == null ? "> budget"
                            : String.format("%,d", p.medianSampleComplexity()), p.converged(), p.runs(), p.budget());
        }
        out.printf("%.0f s%s%s%n", r.seconds(), png == null ? "" : "; figure: " + png,
                json == null ? "" : "; runs: " + json);
        return 0;
    }
}
