package org.attn4j.model.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.attn4j.Normalizer;
import org.attn4j.model.io.Json;
import org.attn4j.model.parity.ParityExperiment;
import org.attn4j.model.parity.ParityOptions;
import org.attn4j.model.parity.ParityResult;
import org.attn4j.model.parity.Progress;
import org.attn4j.model.parity.ProgressListener;

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
            System.out.println("usage: model parity|sweep|demo [--flag value ...]   (see docs/model-layer.md)");
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
                default:
                    throw new IllegalArgumentException("command: expected parity, sweep or demo, got '" + args[0]
                            + "'");
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
        ParityResult r = ParityExperiment.run(o, printer());
        System.out.println(Json.toJson(summary(r)));
    }

    private static void sweep(Flags f) {
        throw new IllegalArgumentException("sweep: not wired yet");
    }

    private static void demo(Flags f) {
        throw new IllegalArgumentException("demo: not wired yet");
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
        m.put("seconds", r.seconds());
        m.put("samples_per_second", r.samplesPerSecond());
        m.put("attention", r.attention());
        return m;
    }

    static ProgressListener printer() {
        return new ProgressListener() {
            @Override
            public void onProgress(Progress p) {
                System.err.println(p.line());
            }

            @Override
            public void onStage(String line) {
                System.err.println(line);
            }
        };
    }

    static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
