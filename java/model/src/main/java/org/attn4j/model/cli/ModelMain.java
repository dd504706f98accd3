package org.attn4j.model.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.attn4j.Normalizer;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.io.Checkpoint;
import org.attn4j.model.io.Json;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.plot.Figure1;
import org.attn4j.model.parity.ConsoleProgress;
import org.attn4j.model.parity.DemoOptions;
import org.attn4j.model.parity.DemoStory;
import org.attn4j.model.parity.ParityExperiment;
import org.attn4j.model.parity.ParityOptions;
import org.attn4j.model.parity.ParityResult;
import org.attn4j.model.parity.SweepExperiment;
import org.attn4j.model.parity.SweepOptions;
import org.attn4j.model.parity.SweepResult;
import org.attn4j.model.parity.ThroughputResult;
import org.attn4j.model.parity.TrainingThroughput;

/**
 * Runs the model layer's entry points without the project's CLI: {@code parity}, {@code sweep}, {@code demo}, with
 * the flags of {@code ./attn4j} (see docs/model-layer.md). Used by {@code scripts/model} until the CLI module wires
 * the same classes.
 */
public final class ModelMain {
    private ModelMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println("usage: model parity|sweep|demo|throughput|logits|figure1 [--flag value ...]   (see docs/model-layer.md)");
            return;
        }
        try {
            switch (args[0]) {
                case "parity":
                    parity(new Flags(args, 1, Set.of("cot", "no-stop")));
                    break;
                case "sweep":
                    sweep(new Flags(args, 1, Set.of()));
                    break;
                case "demo":
                    demo(new Flags(args, 1, Set.of()));
                    break;
                case "throughput":
                    throughput(new Flags(args, 1, Set.of("cot")));
                    break;
                case "logits":
                    logits(new Flags(args, 1, Set.of()));
                    break;
                case "figure1":
                    figure1(new Flags(args, 1, Set.of()));
                    break;
                default:
                    throw new IllegalArgumentException("command: expected parity, sweep, demo or throughput, got '"
                            + args[0] + "'");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    static ParityOptions parityOptions(Flags f, ParityOptions base) {
        ParityOptions o = base.copy();
        o.n(f.integer("n", o.n())).k(f.integer("k", o.k()));
        if (f.has("cot")) {
            o.cot(f.flag("cot"));
        }
        o.model(ParityOptions.Model.parse(f.string("model", o.model().label())));
        o.layers(f.integer("layers", o.layers())).heads(f.integer("heads", o.heads())).dim(f.integer("dim", o.dim()));
        o.mlpHidden(f.integer("mlp", o.mlpHidden()));
        o.lr(f.decimal("lr", o.lr())).batch(f.integer("batch", o.batch()));
        o.maxSamples(f.longValue("max-samples", o.maxSamples()));
        o.trainSize(f.integer("train-size", o.trainSize())).epochs(f.integer("epochs", o.epochs()));
        o.normalizer(Normalizer.parse(f.string("normalizer", o.normalizer().label())));
        o.window(f.integer("window", o.window())).globalTokens(f.integer("global", o.globalTokens()));
        o.seed(f.longValue("seed", o.seed()));
        o.evalEvery(f.integer("eval-every", o.evalEvery())).evalSize(f.integer("eval-size", o.evalSize()));
        o.dropout((float) f.decimal("dropout", o.dropout())).weightDecay(f.decimal("weight-decay", o.weightDecay()));
        o.clipNorm(f.decimal("clip", o.clipNorm())).threads(f.integer("threads", o.threads()));
        o.theoryWidth(f.integer("theory-width", o.theoryWidth()));
        o.theoryEpsilon(f.decimal("theory-epsilon", o.theoryEpsilon()));
        o.theoryWarmLr(f.decimal("theory-warm-lr", o.theoryWarmLr()));
        o.theoryWarmSteps(f.integer("theory-warm-steps", o.theoryWarmSteps()));
        if (f.has("no-stop")) {
            o.stopAtConvergence(!f.flag("no-stop"));
        }
        return o;
    }

    private static void parity(Flags f) throws Exception {
        ParityOptions o = parityOptions(f, new ParityOptions());
        String json = f.string("json", null);
        String heatmap = f.string("heatmap", null);
        String save = f.string("save", null);
        o.json(json == null ? null : Path.of(json)).heatmap(heatmap == null ? null : Path.of(heatmap))
                .save(save == null ? null : Path.of(save));
        f.checkAllUsed();
        ConsoleProgress progress = ConsoleProgress.stderr();
        ParityResult r = ParityExperiment.run(o, progress);
        progress.finish();
        System.out.println(Json.toJson(summary(r)));
    }

    private static void sweep(Flags f) throws Exception {
        SweepOptions s = new SweepOptions();
        s.base(parityOptions(f, s.base()));
        s.ks(f.integers("ks", s.ks()));
        List<Long> seeds = new ArrayList<>();
        for (int seed : f.integers("seeds", List.of(0, 1))) {
            seeds.add((long) seed);
        }
        s.seeds(seeds);
        if (f.has("no-cot-ks")) {
            s.noCotKs(f.integers("no-cot-ks", null));
        }
        if (f.has("no-cot-seeds")) {
            List<Long> ns = new ArrayList<>();
            for (int seed : f.integers("no-cot-seeds", List.of())) {
                ns.add((long) seed);
            }
            s.noCotSeeds(ns);
        }
        String reuse = f.string("reuse", null);
        s.reuse(reuse == null ? null : Path.of(reuse));
        s.cotBudget(f.longValue("cot-budget", s.cotBudget())).noCotBudget(f.longValue("no-cot-budget",
                s.noCotBudget()));
        s.noCotEvalEvery(f.integer("no-cot-eval-every", s.noCotEvalEvery()));
        String which = f.string("runs", "both");
        switch (which) {
            case "both": break;
            case "cot": s.withoutCot(false); break;
            case "no-cot": s.withCot(false); break;
            default: throw new IllegalArgumentException("--runs: expected both, cot or no-cot, got '" + which + "'");
        }
        String png = f.string("png", null);
        String json = f.string("json", null);
        s.png(png == null ? null : Path.of(png)).json(json == null ? null : Path.of(json));
        f.checkAllUsed();
        ConsoleProgress progress = ConsoleProgress.stderr();
        SweepResult r = SweepExperiment.run(s, progress);
        progress.finish();
        System.out.println(Json.toJson(r.summary()));
    }

    private static void demo(Flags f) throws Exception {
        DemoOptions d = new DemoOptions();
        d.training(parityOptions(f, DemoOptions.defaultTraining()));
        d.prompts(f.integer("prompts", d.prompts()));
        d.topKs(f.integers("top-k", d.topKs()));
        String json = f.string("json", null);
        d.json(json == null ? null : Path.of(json));
        f.checkAllUsed();
        ConsoleProgress progress = ConsoleProgress.stderr();
        DemoStory.run(d, progress);
        progress.finish();
    }

    private static void throughput(Flags f) throws Exception {
        ParityOptions o = parityOptions(f, new ParityOptions());
        long samples = f.longValue("samples", 20_480);
        long warmup = f.longValue("warmup", 4096);
        String json = f.string("json", null);
        f.checkAllUsed();
        ThroughputResult r = TrainingThroughput.measure(o, samples, warmup);
        if (json != null) {
            Json.write(Path.of(json), r);
        }
        System.out.println(Json.toJson(r));
    }

    /** Redraws Figure 1 from a sweep's JSON. */
    private static void figure1(Flags f) throws Exception {
        String json = f.string("json", null);
        String png = f.string("png", null);
        if (json == null || png == null) {
            throw new IllegalArgumentException("figure1: expected --json SWEEP.json and --png FIGURE.png");
        }
        f.checkAllUsed();
        Figure1.write(Path.of(png), Json.read(Path.of(json), SweepResult.class));
    }

    /** Prints the logits of one sequence under a saved GPT model (for scripts/gpt2_numpy_check.py). */
    private static void logits(Flags f) throws Exception {
        String dir = f.string("model", null);
        if (dir == null) {
            throw new IllegalArgumentException("--model: expected a model directory");
        }
        List<Integer> tokens = f.integers("tokens", List.of());
        f.checkAllUsed();
        try (GptModel m = Checkpoint.loadGpt(Path.of(dir), Parallel.serial()).model()) {
            int[] t = tokens.stream().mapToInt(Integer::intValue).toArray();
            float[] l = m.forward(t, 1, t.length, GptModel.Mode.EVAL);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < t.length * m.config().vocabSize(); i++) {
                sb.append(i == 0 ? "" : " ").append(l[i]);
            }
            System.out.println(sb);
        }
    }

    /** The result without its history, for the terminal. */
    private static java.util.Map<String, Object> summary(ParityResult r) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
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
        m.put("seconds", r.seconds());
        m.put("samples_per_second", r.samplesPerSecond());
        m.put("attention", r.attention());
        return m;
    }

}
