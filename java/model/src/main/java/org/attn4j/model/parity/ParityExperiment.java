package org.attn4j.model.parity;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.gpt.GptTrainer;
import org.attn4j.model.gpt.LayerAttention;
import org.attn4j.model.io.Json;
import org.attn4j.model.nn.ArrayLength;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.plot.AttentionHeatmap;
import org.attn4j.model.theory.TheoryConfig;
import org.attn4j.model.theory.TheoryTransformer;

/**
 * One parity run ({@code ./attn4j parity}): draws the task from the seed, trains the chosen model on fresh samples
 * (or for some epochs over a fixed set), evaluates on the held-out set every {@code evalEvery} samples, and stops at
 * the first evaluation with exact match 1.0 (its sample count is the sample complexity) or at the budget. Then writes
 * the JSON result, the heatmap and the checkpoint when asked.
 */
public final class ParityExperiment {
    /** Sequences per evaluation forward pass. */
    private static final int EVAL_CHUNK = 512;

    private ParityExperiment() {
    }

    /** Runs {@code options} and reports progress to {@code listener}. */
    public static ParityResult run(ParityOptions options, ProgressListener listener) throws IOException {
        try (Trained t = train(options, listener)) {
            return t.result();
        }
    }

    /** A finished run with its model still open (for the demo, which generates with it afterwards). */
    public record Trained(ParityResult result, ParityTask task, ParityData data, ParityLearner learner)
            implements AutoCloseable {
        @Override
        public void close() {
            learner.close();
        }
    }

    /** Like {@link #run}, keeping the trained model. Close the returned value. */
    public static Trained train(ParityOptions options, ProgressListener listener) throws IOException {
        options.validate();
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        long start = System.nanoTime();
        SplittableRandom seeds = new SplittableRandom(options.seed());
        ParityTask task = task(options);
        long dataSeed = seeds.nextLong();
        long modelSeed = seeds.nextLong();
        int evalSize = (int) Math.min(options.evalSize(), (long) Math.pow(2, options.n()) / 2);
        ParityData data = new ParityData(task, dataSeed, evalSize, options.trainSize());
        LayerAttention layerAttention = layerAttention(options);
        ParityLearner learner = create(options, task, modelSeed);
        try {
            LayerAttention[] masks = new LayerAttention[learner.layers()];
            Arrays.fill(masks, layerAttention);
            int len = task.length();
            int[] scored = learner.scoredRows(task);
            int[] eval = data.evalSequences();
            long budget = options.sampleBudget();
            String label = String.format(Locale.ROOT, "%s n=%d k=%d %s seed %d", options.model().label(),
                    task.n(), task.k(), task.cot() ? "CoT" : "no CoT", options.seed());

            List<EvalPoint> history = new ArrayList<>();
            Milestones milestones = new Milestones(options.threshold(), task.cot());
            Evaluation ev = Evaluation.of(learner, task, eval, evalSize, EVAL_CHUNK, masks);
            history.add(point(0, null, ev));
            milestones.record(0, ev);
            progress.onProgress(new Progress(label, 0, budget, Double.NaN, ev.exactMatch(), ev.minEntropy(),
                    ev.secretAttention(), seconds(start)));

            int batchTokens = ArrayLength.of((long) options.batch() * len, "batch", options.batch()
                    + " sequences of " + len + " tokens", "");
            int[] tokens = new int[batchTokens];
            int[] targets = new int[batchTokens];
            long seen = 0;
            long nextEval = options.evalEvery();
            Long sampleComplexity = null;
            double lossSum = 0;
            int lossCount = 0;
            long trainNanos = 0;
            while (seen < budget) {
                int b = (int) Math.min(options.batch(), budget - seen);
                data.nextBatch(b, tokens);
                fillTargets(tokens, targets, b, len, scored);
                long t0 = System.nanoTime();
                double loss = learner.train(tokens, targets, b, len);
                trainNanos += System.nanoTime() - t0;
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("training diverged at " + seen + " samples (loss " + loss
                            + "); lower the learning rate (lr " + options.effectiveLr() + ")");
                }
                lossSum += loss;
                lossCount++;
                seen += b;
                if (seen >= nextEval || seen == budget) {
                    while (nextEval <= seen) {
                        nextEval += options.evalEvery();
                    }
                    ev = Evaluation.of(learner, task, eval, evalSize, EVAL_CHUNK, masks);
                    double meanLoss = lossSum / lossCount;
                    history.add(point(seen, meanLoss, ev));
                    milestones.record(seen, ev);
                    lossSum = 0;
                    lossCount = 0;
                    progress.onProgress(new Progress(label, seen, budget, meanLoss, ev.exactMatch(),
                            ev.minEntropy(), ev.secretAttention(), seconds(start)));
                    if (ev.exactMatch() >= options.threshold() && sampleComplexity == null) {
                        sampleComplexity = seen;
                        if (options.stopAtConvergence()) {
                            break;
                        }
                    }
                }
            }
            double trainSeconds = trainNanos / 1e9;
            ParityResult result = new ParityResult(task.n(), task.k(), task.cot(), task.secret(),
                    sampleComplexity != null, sampleComplexity, seen, ev.exactMatch(), ev.entropy(),
                    nullIfNaN(ev.secretAttention()), nullIfNaN(ev.secretProbability()), ev.secretProbabilityByRow(),
                    nullIfNaN(ev.secretProbabilityMin()), ev.cotEntropyMean(), options.threshold(),
                    milestones.exactMatch(), milestones.secretProbability(), seconds(start),
                    trainSeconds, trainSeconds > 0 ? seen / trainSeconds : 0, options.model().label(),
                    learner.layers(), learner.heads(), options.dim(), options.effectiveLr(), options.batch(), budget,
                    options.trainSize(), options.epochs(), options.normalizer().label(), options.window(),
                    options.globalTokens(), options.seed(), options.threads(), learner.attentionBackend(),
                    options.settings(), List.copyOf(history));
            if (options.heatmap() != null) {
                writeHeatmap(options, task, learner, eval);
            }
            if (options.save() != null) {
                learner.save(options.save(), task);
                Json.write(options.save().resolve("result.json"), result);
            }
            if (options.json() != null) {
                Json.write(options.json(), result);
            }
            return new Trained(result, task, data, learner);
        } catch (IOException | RuntimeException | Error e) {
            learner.close();
            throw e;
        }
    }

    /**
     * The task {@code o} describes: its secret drawn from the secret seed; for the theory model without CoT (and the
     * gpt model with {@link ParityOptions#endOfInput()}) in Definition 1's layout, with the end-of-input token whose
     * row carries the loss.
     */
    static ParityTask task(ParityOptions o) {
        ParityTask t = ParityTask.withSeed(o.n(), o.k(), o.cot(), o.effectiveSecretSeed());
        return o.model() == ParityOptions.Model.THEORY || o.endOfInput() ? t.withEndOfInput() : t;
    }

    private static LayerAttention layerAttention(ParityOptions o) {
        return new LayerAttention(o.normalizer(), o.window(), o.globalTokens(), 0, null);
    }

    /** The model {@code o} describes for {@code task}, initialised from {@code seed}. */
    static ParityLearner create(ParityOptions o, ParityTask task, long seed) {
        Parallel par = Parallel.of(o.threads());
        LayerAttention layerAttention = layerAttention(o);
        if (o.model() == ParityOptions.Model.THEORY) {
            TheoryConfig c = new TheoryConfig(task.length(), o.dim(), o.theoryWidth(), o.theoryEpsilon(),
                    task.theoryRows());
            return new TheoryParityLearner(new TheoryTransformer(c, seed, par), o.effectiveLr(), o.theoryWarmLr(),
                    o.theoryWarmSteps());
        }
        GptConfig c = GptConfig.of(2, task.length(), o.dim(), o.layers(), o.heads())
                .withMlpHidden(o.effectiveMlpHidden()).withDropout(o.dropout()).withAttention(layerAttention)
                .withAttentionDropout(o.attentionDropout()).withPrecision(o.precision());
        GptModel model = new GptModel(c, seed, par);
        long steps = (o.effectiveLrDecaySamples() + o.batch() - 1) / o.batch();
        return new GptParityLearner(model, new GptTrainer(model, o.effectiveLr(), o.weightDecay(), o.clipNorm(),
                steps));
    }

    /** {@code targets[b, r] = tokens[b, r + 1]} on the scored rows, {@link CrossEntropy#IGNORE} elsewhere. */
    static void fillTargets(int[] tokens, int[] targets, int batch, int len, int[] scored) {
        Arrays.fill(targets, 0, batch * len, CrossEntropy.IGNORE);
        for (int b = 0; b < batch; b++) {
            for (int r : scored) {
                targets[b * len + r] = tokens[b * len + r + 1];
            }
        }
    }

    private static void writeHeatmap(ParityOptions o, ParityTask task, ParityLearner learner, int[] eval)
            throws IOException {
        int len = task.length();
        int[] one = Arrays.copyOf(eval, len);
        ParityLearner.Prediction p = learner.predict(one, 1, len, true);
        String title = String.format(Locale.ROOT, "%s, %d layer(s) x %d head(s): parity n=%d k=%d %s, secret %s",
                o.model().label(), learner.layers(), learner.heads(), task.n(), task.k(),
                task.cot() ? "with CoT" : "without CoT", Arrays.toString(task.secret()));
        AttentionHeatmap.write(o.heatmap(), p.attention(), learner.heads(), one, task, title);
    }

    private static EvalPoint point(long samples, Double loss, Evaluation ev) {
        return new EvalPoint(samples, loss, ev.exactMatch(), ev.entropy(), nullIfNaN(ev.secretAttention()),
                ev.cotEntropyMean(), nullIfNaN(ev.secretProbability()), nullIfNaN(ev.secretProbabilityMin()));
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
