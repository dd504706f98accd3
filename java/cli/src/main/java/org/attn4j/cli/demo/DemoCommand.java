package org.attn4j.cli.demo;

import java.util.concurrent.Callable;
import org.attn4j.DType;
import org.attn4j.cli.CliException;
import org.attn4j.cli.OptionConverters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attn4j demo}: the attention demo ({@link AttentionDemo}) with its options. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Dense versus sparse attention on one shape: time, kept pairs, density, GFLOP/s and the"
                + " agreement with the float64 reference, on the best available provider.",
            "Exits 1 if a variant disagrees with the reference beyond the SPEC's tolerance."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "Run on this provider (default: the one automatic selection picks; see 'attn4j info').")
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

    @Override
    public Integer call() {
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
        boolean agreed = new AttentionDemo(settings, spec.commandLine().getOut()).run();
        if (!agreed) {
            throw new CliException("a variant failed or disagrees with the reference beyond the SPEC's"
                    + " tolerance (see the table)");
        }
        return 0;
    }

    private static void checkPositive(String flag, Integer value) {
        if (value != null && value < 1) {
            throw new CliException(flag + ": expected >= 1, got " + value);
        }
    }
}
