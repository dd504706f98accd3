package org.attn4j.cli.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.attn4j.DType;
import org.attn4j.cli.CliException;
import org.attn4j.cli.OptionConverters;
import org.attn4j.model.parity.ConsoleProgress;
import org.attn4j.model.parity.DemoOptions;
import org.attn4j.model.parity.DemoStory;
import org.attn4j.model.reason.ReasonDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attn4j demo}: the project's story in about a minute. Part 1, the kernels: dense versus sparse attention on
 * one shape ({@link AttentionDemo}). Part 2, the research: a transformer learns parity with a chain of thought while
 * its attention becomes sparse, then generates that chain through top-1 / top-2 attention ({@link DemoStory}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The project's story in about a minute: sparse attention that is fast, then a model whose"
                + " attention becomes sparse as it learns to reason.",
            "Part 1, attention: dense versus sparse attention on one shape (time, kept pairs, density,"
                + " GFLOP/s, agreement with the float64 reference) on the best available provider.",
            "Part 2, the model: a one-layer transformer learns parity (n=20, k=3) with a chain of thought while its"
                + " attention entropy falls; then it generates the chain densely and through top-1 / top-2 token"
                + " attention: the same exact match with a fraction of the attended pairs.",
            "Part 3, the reasoning model of seed 000: an encoder-decoder with sparse self- and cross-attention learns"
                + " pointer chasing, then reasons on held-out tables densely and through per-step token and block"
                + " top-k, and on tables four times longer than it trained on.",
            "Exits 1 if an attention variant disagrees with the reference beyond the SPEC's tolerance."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "Part 1 runs on this provider (default: the one automatic selection picks; see 'attn4j"
                    + " info'). Part 2 follows automatic selection, which ATTN4J_PROVIDER or -Dattn4j.provider"
                    + " override.")
    String provider;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "auto",
            description = "auto, small (B=1 H=4 N=1024), medium (H=8 N=2048) or large (H=8 N=4096); auto picks the"
                    + " largest that runs in about 15 s (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--seq", paramLabel = "N", description = "Sequence length (queries and keys).")
    Integer length;

    @Option(names = "--heads", paramLabel = "H", description = "Query heads.")
    Integer heads;

    @Option(names = "--kv-heads", paramLabel = "H", description = "Key/value heads (GQA; default: --heads).")
    Integer kvHeads;

    @Option(names = "--head-dim", paramLabel = "D", description = "Head dimension (of values too).")
    Integer headDim;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size.")
    Integer batch;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "fp32",
            converter = OptionConverters.DTypeConverter.class,
            description = "fp32, fp16 or bf16 (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--repeat", paramLabel = "R",
            description = "Timed runs per variant, the best is shown (default: 3, fewer on a slow provider).")
    Integer repeat;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of the random inputs and block mask (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--part", paramLabel = "all|attention|model|reason", defaultValue = "all",
            description = "Which part to run (default: ${DEFAULT-VALUE}).")
    String part;

    @Option(names = "--parity-seed", paramLabel = "S", defaultValue = "0",
            description = "Part 2: seed of the secret, the data and the model (default: ${DEFAULT-VALUE}).")
    long paritySeed;

    @Option(names = "--prompts", paramLabel = "P", defaultValue = "2048",
            description = "Part 2: held-out prompts whose chain of thought is generated (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--top-k", paramLabel = "LIST", split = ",", defaultValue = "1,2",
            description = "Part 2: token top-k values compared with dense attention (default: ${DEFAULT-VALUE}).")
    List<Integer> topK;

    @Option(names = "--json", paramLabel = "FILE", description = "Part 2: write its figures (JSON).")
    Path json;

    @Option(names = "--reason-seed", paramLabel = "S", defaultValue = "0",
            description = "Part 3: seed of the data and the model (default: ${DEFAULT-VALUE}).")
    long reasonSeed;

    @Option(names = "--reason-samples", paramLabel = "N", defaultValue = "60000",
            description = "Part 3: training budget in problems (default: ${DEFAULT-VALUE}; it stops earlier once"
                    + " every held-out chain is right).")
    long reasonSamples;

    @Override
    public Integer call() throws Exception {
        boolean attention = part.equals("all") || part.equals("attention");
        boolean model = part.equals("all") || part.equals("model");
        boolean reason = part.equals("all") || part.equals("reason");
        if (!attention && !model && !reason) {
            throw new CliException("--part: expected all, attention, model or reason, got '" + part + "'");
        }
        if (reasonSamples < 1) {
            throw new CliException("--reason-samples: expected >= 1, got " + reasonSamples);
        }
        DemoOptions story = model ? storyOptions() : null;
        if (attention && !runAttention()) {
            // The model would train on the same provider: no point in going on.
            throw new CliException("a variant failed or disagrees with the reference beyond the SPEC's"
                    + " tolerance (see the table)");
        }
        if (model) {
            PrintWriter out = spec.commandLine().getOut();
            if (attention) {
                out.println();
            }
            out.println("Part 2. Sparse attention in a model that reasons (Wen et al.: CoT makes attention sparse)");
            ConsoleProgress progress = new ConsoleProgress(out, false);
            DemoStory.run(story, progress);
            progress.finish();
        }
        if (reason) {
            PrintWriter out = spec.commandLine().getOut();
            if (attention || model) {
                out.println();
            }
            out.println("Part 3. The sparse-attention reasoning model of seed 000 (encoder-decoder, sparse self- and"
                    + " cross-attention)");
            ConsoleProgress progress = new ConsoleProgress(out, false);
            ReasonDemo.run(ReasonDemo.options(reasonSeed).maxSamples(reasonSamples), progress);
            progress.finish();
        }
        return 0;
    }

    /** The story's settings, checked before anything runs. */
    private DemoOptions storyOptions() {
        DemoOptions d = new DemoOptions();
        try {
            d.training(DemoOptions.defaultTraining().seed(paritySeed));
            d.prompts(prompts).topKs(topK).json(json);
            d.validate();
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage().replaceFirst("^prompts:", "--prompts:")
                    .replaceFirst("^topKs:", "--top-k:"));
        }
        return d;
    }

    /** Part 1; whether every variant agreed with the reference. */
    private boolean runAttention() {
        if (repeat != null && repeat < 1) {
            throw new CliException("--repeat: expected >= 1, got " + repeat);
        }
        checkPositive("--seq", length);
        checkPositive("--heads", heads);
        checkPositive("--kv-heads", kvHeads);
        checkPositive("--head-dim", headDim);
        checkPositive("--batch", batch);
        AttentionDemo.Settings settings = new AttentionDemo.Settings(provider, size, batch, heads, kvHeads, length,
                headDim, dtype, repeat, seed);
        return new AttentionDemo(settings, spec.commandLine().getOut()).run();
    }

    private static void checkPositive(String flag, Integer value) {
        if (value != null && value < 1) {
            throw new CliException(flag + ": expected >= 1, got " + value);
        }
    }
}
