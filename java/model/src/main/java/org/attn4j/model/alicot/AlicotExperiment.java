package org.attn4j.model.alicot;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.io.Json;
import org.attn4j.model.nn.Parallel;
import org.attn4j.model.parity.ProgressListener;

/**
 * One run of {@code ./attn4j alicot}: trains a GPT on fresh NatBool-DAG-style problems in one mode, evaluates the
 * greedy-decoded answer on held-out problems every {@code evalEvery} samples (stopping at the first evaluation
 * reaching the target accuracy, whose sample count is the sample complexity, or at the budget), then probes the
 * hidden state of every reasoning position for every gate's value, times the decoding of single problems, and
 * writes the result.
 */
public final class AlicotExperiment {
    /** Problems per batch when decoding the held-out set. */
    private static final int EVAL_CHUNK = 256;

    private AlicotExperiment() {
    }

    public static AlicotResult run(AlicotOptions options, ProgressListener listener) throws IOException {
        options.validate();
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        long start = System.nanoTime();
        double cpuStart = cpuSeconds();
        SplittableRandom seeds = new SplittableRandom(options.seed());
        long heldOutSeed = seeds.nextLong();
        long trainingSeed = seeds.nextLong();
        long modelSeed = seeds.nextLong();
        DagTask task = DagTask.draw(options.shape(), seeds.nextLong());
        DagVocabulary vocabulary = options.vocabulary(task);
        ReasoningLayout layout = options.layout(task);
        AlicotData data = new AlicotData(task, vocabulary, options.evalSize(), heldOutSeed, trainingSeed);
        List<BoolDag> heldOut = data.heldOut();
        // Every mode gets positions for the explicit chain (the same model family; latent runs also time it).
        int context = Math.max(layout.length(), vocabulary.promptLength() + vocabulary.steps());
        GptConfig config = GptConfig.of(vocabulary.size(), context, options.dim(), options.layers(),
                options.heads()).withMlpHidden(options.effectiveMlpHidden());
        String label = String.format(Locale.ROOT, "alicot inputs=%d depth=%d %s%s seed %d", options.inputs(),
                options.depth(), options.mode().label(), options.mode().continuous()
                        ? String.format(Locale.ROOT, " m=%d r=%d", layout.latents(), options.ratio()) : "",
                options.seed());
        try (GptModel model = new GptModel(config, modelSeed, Parallel.of(options.threads()))) {
            long steps = (options.maxSamples() + options.batch() - 1) / options.batch();
            AlicotTrainer trainer = new AlicotTrainer(model, vocabulary, layout, options.lr(), options.weightDecay(),
                    options.clipNorm(), steps);
            List<AlicotPoint> history = new ArrayList<>();
            double accuracy = evaluate(model, vocabulary, layout, heldOut).accuracy(heldOut);
            history.add(new AlicotPoint(0, null, accuracy));
            progress.onStage(line(label, 0, options.maxSamples(), Double.NaN, accuracy, start));
            long seen = 0;
            long nextEval = options.evalEvery();
            Long sampleComplexity = null;
            double lossSum = 0;
            int lossCount = 0;
            long trainNanos = 0;
            while (seen < options.maxSamples()) {
                int b = (int) Math.min(options.batch(), options.maxSamples() - seen);
                List<BoolDag> batch = data.nextBatch(b);
                long t0 = System.nanoTime();
                double loss = trainer.step(batch);
                trainNanos += System.nanoTime() - t0;
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("training diverged at " + seen + " samples (loss " + loss
                            + "); lower the learning rate (lr " + options.lr() + ")");
                }
                lossSum += loss;
                lossCount++;
                seen += b;
                if (seen >= nextEval || seen == options.maxSamples()) {
                    while (nextEval <= seen) {
                        nextEval += options.evalEvery();
                    }
                    accuracy = evaluate(model, vocabulary, layout, heldOut).accuracy(heldOut);
                    double meanLoss = lossSum / lossCount;
                    history.add(new AlicotPoint(seen, meanLoss, accuracy));
                    lossSum = 0;
                    lossCount = 0;
                    progress.onStage(line(label, seen, options.maxSamples(), meanLoss, accuracy, start));
                    if (accuracy >= options.target() && sampleComplexity == null) {
                        sampleComplexity = seen;
                        if (options.stopAtTarget()) {
                            break;
                        }
                    }
                }
            }
            double trainSeconds = trainNanos / 1e9;
            boolean keepStates = layout.reasoningPositions() > 0;
            Decoding last = Decoding.run(model, vocabulary, layout, heldOut, EVAL_CHUNK, keepStates);
            double[][] probe = keepStates ? probes(last, heldOut, vocabulary, options.dim()) : null;
            double[] probeOwn = keepStates ? probeOwn(probe, layout, options.ratio()) : null;
            // Latent runs also time an explicit chain of the task's length with the same model, interleaved.
            ReasoningLayout explicit = layout.mode().continuous()
                    ? ReasoningLayout.of(AlicotMode.EXPLICIT, vocabulary, 0) : null;
            DecodeTiming timing = options.timingProblems() > 0 ? DecodeTiming.measure(model, vocabulary, layout,
                    explicit, heldOut, options.timingProblems()) : null;
            AlicotResult result = new AlicotResult(options.inputs(), options.depth(), options.fanIn(),
                    options.mode().label(), layout.latents(), options.ratio(), options.seed(), task.toString(),
                    layout.steps(), last.accuracy(heldOut),
                    last.chainAccuracy(heldOut, vocabulary, layout), last.stepAccuracy(heldOut, vocabulary, layout),
                    sampleComplexity != null, sampleComplexity, seen, options.target(), layout.decodeSteps(),
                    timing == null ? null : timing.medianMs(), timing == null ? null : timing.meanMs(),
                    timing == null ? null : timing.promptMs(), timing == null || explicit == null ? null
                            : timing.pairedMedianMs(), timing == null || explicit == null ? null
                            : timing.pairedMedianMs() / timing.medianMs(),
                    timing == null ? null : nullIfNaN(timing.loadAverage()), options.timingProblems(), probe, probeOwn,
                    options.layers(), options.heads(), options.dim(), config.parameterCount(), options.lr(),
                    options.batch(), options.maxSamples(), options.evalSize(), (System.nanoTime() - start) / 1e9,
                    trainSeconds, cpuSeconds() - cpuStart, trainSeconds > 0 ? seen / trainSeconds : 0,
                    attentionProvider(model), options.threads(), Instant.now().toString(), options.settings(),
                    List.copyOf(history));
            if (options.json() != null) {
                Json.write(options.json(), result);
            }
            return result;
        }
    }

    private static Decoding evaluate(GptModel model, DagVocabulary vocabulary, ReasoningLayout layout,
                                     List<BoolDag> heldOut) {
        return Decoding.run(model, vocabulary, layout, heldOut, EVAL_CHUNK, false);
    }

    /**
     * {@code [state j][step i]}: a probe for chain step {@code i}'s value (the last column: the answer) fitted on the
     * first half of the held-out states of row {@code P-1+j}, tested on the rest.
     */
    static double[][] probes(Decoding decoding, List<BoolDag> heldOut, DagVocabulary vocabulary, int dim) {
        float[][] states = decoding.states();
        int steps = vocabulary.steps();
        double[][] out = new double[states.length][steps + 1];
        int[] labels = new int[heldOut.size()];
        for (int i = 0; i <= steps; i++) {
            for (int r = 0; r < labels.length; r++) {
                labels[r] = i < steps ? vocabulary.stepValue(heldOut.get(r), i) : heldOut.get(r).answer();
            }
            for (int j = 0; j < states.length; j++) {
                out[j][i] = LinearProbe.heldOutAccuracy(states[j], dim, labels);
            }
        }
        return out;
    }

    /**
     * For each state row, the mean probe accuracy over the gates it stands for: step {@code j} (explicit); chunk
     * {@code j} of {@code ratio} steps (latent modes; a thought past the last chunk, when there are more latents than
     * chunks, stands for the sink).
     */
    static double[] probeOwn(double[][] probe, ReasoningLayout layout, int ratio) {
        int r = layout.mode() == AlicotMode.EXPLICIT ? 1 : ratio;
        int steps = layout.steps();
        double[] own = new double[probe.length];
        for (int j = 0; j < probe.length; j++) {
            int from = Math.min(j * r, steps);
            int to = Math.max(from + 1, Math.min((j + 1) * r, steps));
            double s = 0;
            for (int i = from; i < to; i++) {
                s += probe[j][i];
            }
            own[j] = s / (to - from);
        }
        return own;
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String line(String label, long seen, long budget, double loss, double accuracy, long start) {
        return String.format(Locale.ROOT, "%s | %d/%d samples | loss %s | accuracy %.3f | %.1f s", label, seen, budget,
                Double.isNaN(loss) ? "-" : String.format(Locale.ROOT, "%.4f", loss),
                Math.floor(accuracy * 1000) / 1000, (System.nanoTime() - start) / 1e9);
    }

    private static String attentionProvider(GptModel model) {
        String ran = model.attentionProvider(0);
        if (ran != null) {
            return ran;
        }
        GptConfig c = model.config();
        try (Tensor q = Tensor.allocate(DType.FP32, 1, c.heads(), 2, c.headDim())) {
            AttentionRequest r = c.attention().get(0).applyTo(AttentionRequest.builder(q, q, q)).build();
            return Attention.select(r).name();
        }
    }

    /** CPU time of this JVM, or NaN where the platform does not say. */
    static double cpuSeconds() {
        try {
            java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                long t = sun.getProcessCpuTime();
                return t < 0 ? Double.NaN : t / 1e9;
            }
        } catch (LinkageError e) {
            // jdk.management is not in every runtime image or module graph
        }
        return Double.NaN;
    }
}
