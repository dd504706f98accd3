package org.attn4j.model.parity;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.model.gpt.GenerationOptions;
import org.attn4j.model.gpt.GenerationResult;
import org.attn4j.model.gpt.Generator;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.io.Json;

/**
 * The project's story in about a minute: a one-layer transformer learns parity with a chain of thought while its
 * attention entropy falls (the attention becomes sparse), and then generates that chain of thought through sparse
 * attention, each new token attending to its top-1 or top-2 keys only, with the same exact match as dense attention
 * for a fraction of the attended pairs.
 */
public final class DemoStory {
    private static final int TIMED_RUNS = 3;

    private DemoStory() {
    }

    public static DemoResult run(DemoOptions options, ProgressListener listener) throws IOException {
        options.validate();
        ProgressListener progress = listener == null ? ProgressListener.NONE : listener;
        long start = System.nanoTime();
        ParityOptions t = options.training();
        progress.onStage(String.format(Locale.ROOT, "1. Training a %d-layer %d-head GPT (dim %d) on parity n=%d k=%d"
                + " with chain of thought; watch the attention entropy fall.", t.layers(), t.heads(), t.dim(), t.n(),
                t.k()));
        try (ParityExperiment.Trained trained = ParityExperiment.train(t, progress)) {
            ParityResult tr = trained.result();
            progress.onStage(String.format(Locale.ROOT, "   %s after %d samples: exact match %.3f, entropy %s,"
                    + " secret attention %s.", tr.converged() ? "Learned" : "Not learned", tr.samplesSeen(),
                    Progress.floor3(tr.finalExactMatch()), java.util.Arrays.deepToString(round(tr.entropy())),
                    tr.secretAttention() == null ? "-" : String.format(Locale.ROOT, "%.3f", tr.secretAttention())));
            GptModel model = ((GptParityLearner) trained.learner()).model();
            ParityTask task = trained.task();
            ParityData data = trained.data();
            int count = Math.min(options.prompts(), data.evalSize());
            int n = task.n();
            int len = task.length();
            int[] prompts = new int[count * n];
            int[][] truth = new int[count][];
            int[] eval = data.evalSequences();
            for (int b = 0; b < count; b++) {
                System.arraycopy(eval, b * len, prompts, b * n, n);
                truth[b] = java.util.Arrays.copyOfRange(eval, b * len, (b + 1) * len);
            }
            progress.onStage(String.format(Locale.ROOT, "2. Generating the chain of thought (%d tokens) for %d"
                    + " held-out prompts, token by token with a KV cache:", task.labelledTokens(), count));
            List<GenerationOptions> modes = new ArrayList<>();
            modes.add(GenerationOptions.asTrained());
            for (int k : options.topKs()) {
                modes.add(GenerationOptions.topKTokens(k));
            }
            Generator generator = new Generator(model);
            // Every mode runs once to warm the JIT; the timings are the best of three runs after that.
            for (GenerationOptions mode : modes) {
                generator.generate(prompts, count, n, task.labelledTokens(), mode);
            }
            List<DemoResult.Generation> rows = new ArrayList<>();
            for (GenerationOptions mode : modes) {
                GenerationResult g = null;
                for (int rep = 0; rep < TIMED_RUNS; rep++) {
                    GenerationResult run = generator.generate(prompts, count, n, task.labelledTokens(), mode);
                    if (g == null || run.decodeSeconds() < g.decodeSeconds()) {
                        g = run;
                    }
                }
                int exact = 0;
                int answers = 0;
                for (int b = 0; b < count; b++) {
                    boolean all = true;
                    for (int p = n; p < len; p++) {
                        all &= g.token(b, p) == truth[b][p];
                    }
                    exact += all ? 1 : 0;
                    answers += g.token(b, len - 1) == truth[b][len - 1] ? 1 : 0;
                }
                String label = mode.tokenTopK() > 0 ? "top-" + mode.tokenTopK() + " tokens" : "dense";
                DemoResult.Generation row = new DemoResult.Generation(label, count, exact / (double) count,
                        answers / (double) count, g.attendedPairs(), g.causalPairs(), g.density(), g.decodeSeconds(),
                        g.prefillSeconds(), g.provider() != null ? g.provider() : provider(model.config(), mode));
                rows.add(row);
                progress.onStage(String.format(Locale.ROOT, "   %-14s exact match %.3f  answer %.3f  attended pairs"
                                + " %,d of %,d (%.1f%%)  decode %.3f s  [%s]", label, Progress.floor3(row.exactMatch()),
                        Progress.floor3(row.answerAccuracy()), row.attendedPairs(), row.causalPairs(), 100 * row.density(),
                        row.decodeSeconds(), row.provider()));
            }
            DemoResult result = new DemoResult(tr, rows, (System.nanoTime() - start) / 1e9);
            if (options.json() != null) {
                Json.write(options.json(), result);
            }
            return result;
        }
    }

    private static String provider(GptConfig c, GenerationOptions mode) {
        try (Tensor q = Tensor.allocate(DType.FP32, 1, c.heads(), 1, c.headDim());
             Tensor k = Tensor.allocate(DType.FP32, 1, c.heads(), 2, c.headDim())) {
            AttentionRequest r = c.attention().get(0).staticPart().withTokenTopK(mode.tokenTopK())
                    .applyTo(AttentionRequest.builder(q, k, k)).build();
            return Attention.select(r).name();
        }
    }

    private static double[][] round(double[][] e) {
        double[][] out = new double[e.length][];
        for (int l = 0; l < e.length; l++) {
            out[l] = new double[e[l].length];
            for (int h = 0; h < e[l].length; h++) {
                out[l][h] = Math.round(e[l][h] * 1000) / 1000.0;
            }
        }
        return out;
    }
}
