package org.attn4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ConsoleProgress;
import org.attn4j.model.parity.SweepExperiment;
import org.attn4j.model.parity.SweepOptions;
import org.attn4j.model.parity.SweepResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./attn4j sweep}: the grid of Figure 1 (drop-in draft for the CLI module). */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run parity for every k, with and without CoT, for every seed; draw the paper's Figure 1.")
public final class SweepCommand implements Callable<Integer> {
    @Mixin
    ParityOptionsMixin options;
    @Option(names = "--ks", split = ",", description = "secret sizes (default 1,2,3,4)")
    List<Integer> ks;
    @Option(names = "--seeds", split = ",", description = "seeds (default 0,1)")
    List<Long> seeds;
    @Option(names = "--cot-budget", description = "sample budget with CoT (default 200000)")
    Long cotBudget;
    @Option(names = "--no-cot-budget", description = "sample budget without CoT (default 1000000)")
    Long noCotBudget;
    @Option(names = "--no-cot-eval-every", description = "evaluation interval without CoT (default 8192)")
    Integer noCotEvalEvery;
    @Option(names = "--no-cot-ks", split = ",", description = "secret sizes run without CoT (default: --ks)")
    List<Integer> noCotKs;
    @Option(names = "--no-cot-seeds", split = ",", description = "seeds run without CoT (default: --seeds)")
    List<Long> noCotSeeds;
    @Option(names = "--reuse", description = "a previous sweep's JSON whose matching runs are not run again")
    String reuse;
    @Option(names = "--png", description = "Figure 1 (PNG)")
    String png;
    @Option(names = "--json", description = "every run and the summary (JSON)")
    String json;

    @Override
    public Integer call() throws Exception {
        SweepOptions s = new SweepOptions();
        s.base(options.apply(s.base()));
        if (ks != null) {
            s.ks(ks);
        }
        if (seeds != null) {
            s.seeds(new ArrayList<>(seeds));
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
            s.noCotKs(noCotKs);
        }
        if (noCotSeeds != null) {
            s.noCotSeeds(new ArrayList<>(noCotSeeds));
        }
        s.reuse(ParityOptionsMixin.path(reuse));
        s.png(ParityOptionsMixin.path(png)).json(ParityOptionsMixin.path(json));
        ConsoleProgress progress = ConsoleProgress.stderr();
        SweepResult r = SweepExperiment.run(s, progress);
        progress.finish();
        for (SweepResult.Point p : r.summary()) {
            System.out.printf("k=%d %-6s median sample complexity %s (%d/%d converged, budget %d)%n", p.k(),
                    p.cot() ? "CoT" : "no CoT", p.medianSampleComplexity() == null ? ">= budget"
                            : p.medianSampleComplexity().toString(), p.converged(), p.runs(), p.budget());
        }
        if (json == null) {
            System.out.println(Json.toJson(r.summary()));
        }
        return 0;
    }
}
