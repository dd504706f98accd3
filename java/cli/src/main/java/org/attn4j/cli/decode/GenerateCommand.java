package org.attn4j.cli.decode;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.attn4j.bench.decode.DecodeMaskSpec;
import org.attn4j.bench.env.EnvironmentProbe;
import org.attn4j.cli.CliException;
import org.attn4j.model.gpt.GenerationOptions;
import org.attn4j.model.gpt.GenerationResult;
import org.attn4j.model.gpt.Generator;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.gpt.LayerAttention;
import org.attn4j.model.io.Json;
import org.attn4j.model.nn.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attn4j generate}: a GPT model generating a long chain of thought token by token through its KV caches,
 * once per attention mask: tokens per second and the share of the time spent in attention, so that one sees when
 * sparse attention pays. The weights are random (the time of a step does not depend on them); greedy decoding.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time a model generating a long sequence token by token (KV cache, decode steps), dense and"
                + " with each sparse mask: tokens per second and the share of time in attention. Random weights:"
                + " the time of a step does not depend on them."})
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--tokens", paramLabel = "N", description = "Tokens to generate. Default: 4096.")
    int tokens = 4096;

    @Option(names = "--prompt", paramLabel = "P", description = "Prompt length. Default: 64.")
    int prompt = 64;

    @Option(names = "--layers", paramLabel = "L", description = "Default: 4.")
    int layers = 4;

    @Option(names = "--d-model", paramLabel = "D", description = "Model width. Default: 256.")
    int dModel = 256;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads (head dim = d-model / heads)."
            + " Default: 4.")
    int heads = 4;

    @Option(names = "--vocab", paramLabel = "V", description = "Vocabulary size. Default: 256.")
    int vocab = 256;

    @Option(names = "--batch", paramLabel = "B", description = "Sequences generated together. Default: 1.")
    int batch = 1;

    @Option(names = "--mask", arity = "1..*", paramLabel = "SPEC",
            description = "dense, window:LEFT[,GLOBAL], blocktopk:K[,BLOCK] (K blocks, or a share such as 10%% of"
                    + " the final length), tokentopk:K, or a window with one of the top-k. Default: dense"
                    + " window:512,16 blocktopk:10%%,64 tokentopk:64.")
    List<String> masks = new ArrayList<>();

    @Option(names = "--warmup-tokens", paramLabel = "N", description = "Untimed tokens generated first per mask"
            + " (JIT). Default: 256.")
    int warmupTokens = 256;

    @Option(names = "--seed", paramLabel = "S", description = "Default: 1.")
    long seed = 1;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the rows and the machine's facts.")
    Path json;

    /** One measured generation. */
    public record Row(String mask, int tokens, int prompt, double tokensPerSecond, double attentionShare,
                      double attentionMsPerToken, double otherMsPerToken, double density, String provider) {
    }

    @Override
    public Integer call() throws Exception {
        // Every flag is checked before the table's header is printed or a model is built.
        atLeast("--tokens", tokens, 2);
        atLeast("--prompt", prompt, 1);
        atLeast("--layers", layers, 1);
        atLeast("--d-model", dModel, 1);
        atLeast("--heads", heads, 1);
        atLeast("--vocab", vocab, 1);
        atLeast("--batch", batch, 1);
        atLeast("--warmup-tokens", warmupTokens, 0);
        if (dModel % heads != 0) {
            throw new CliException("--heads: expected a divisor of --d-model " + dModel + ", got " + heads);
        }
        // The position and token embeddings are single arrays: their sizes, before any int product overflows.
        long positions = (long) prompt + tokens;
        if (positions * dModel > Integer.MAX_VALUE - 8) {
            throw new CliException("--tokens: --prompt + --tokens = " + positions + " positions x --d-model " + dModel
                    + " is more than one Java array holds (2^31 - 9)");
        }
        if ((long) vocab * dModel > Integer.MAX_VALUE - 8) {
            throw new CliException("--vocab: " + vocab + " x --d-model " + dModel
                    + " is more than one Java array holds (2^31 - 9)");
        }
        List<DecodeMaskSpec> specs = new ArrayList<>();
        for (String m : masks.isEmpty() ? List.of("dense", "window:512,16", "blocktopk:10%,64", "tokentopk:64")
                : masks) {
            DecodeMaskSpec parsed;
            try {
                parsed = DecodeMaskSpec.parse(m);
            } catch (IllegalArgumentException e) {
                throw new CliException("--" + e.getMessage());
            }
            if (parsed.hasBlockTopK() && parsed.tokenTopK() > 0) {
                throw new CliException("--mask " + parsed.label() + ": generation takes block top-k or token top-k,"
                        + " not both");
            }
            specs.add(parsed);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int total = prompt + tokens;
        List<Row> rows = new ArrayList<>();
        out.printf(Locale.ROOT, "%-24s %10s %12s %14s %14s %9s  %s%n", "mask", "tokens/s", "attention", "attn ms/tok",
                "other ms/tok", "density", "provider");
        for (DecodeMaskSpec m : specs) {
            LayerAttention attention = LayerAttention.dense();
            if (m.windowLeft() >= 0) {
                attention = attention.withWindow(m.windowLeft(), m.globalTokens());
            }
            GenerationOptions options = m.hasBlockTopK() ? GenerationOptions.topKBlocks(m.blocksFor(total),
                    m.blockSize()) : m.tokenTopK() > 0 ? GenerationOptions.topKTokens(m.tokenTopK())
                    : GenerationOptions.asTrained();
            GptConfig config = GptConfig.of(vocab, total, dModel, layers, heads).withAttention(attention);
            try (GptModel model = new GptModel(config, seed, Parallel.cores())) {
                int[] prompts = new int[batch * prompt];
                Random rnd = new Random(seed);
                for (int i = 0; i < prompts.length; i++) {
                    prompts[i] = rnd.nextInt(vocab);
                }
                Generator generator = new Generator(model);
                if (warmupTokens > 0) {
                    generator.generate(prompts, batch, prompt, Math.min(warmupTokens, tokens), options);
                }
                err.printf(Locale.ROOT, "generating %d tokens with %s ...%n", tokens, m.label());
                err.flush();
                GenerationResult g = generator.generate(prompts, batch, prompt, tokens, options);
                double perToken = g.decodeSeconds() * 1e3 / (g.decodeSteps() * (double) batch);
                double attentionMs = g.attentionSeconds() * 1e3 / (g.decodeSteps() * (double) batch);
                Row row = new Row(m.label(), tokens, prompt, g.tokensPerSecond(), g.attentionShare(), attentionMs,
                        perToken - attentionMs, g.density(), g.provider());
                rows.add(row);
                out.printf(Locale.ROOT, "%-24s %10.1f %11.1f%% %14.3f %14.3f %8.1f%%  %s%n", row.mask(),
                        row.tokensPerSecond(), 100 * row.attentionShare(), row.attentionMsPerToken(),
                        row.otherMsPerToken(), 100 * row.density(), row.provider());
                out.flush();
            }
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("schema", "attn4j-generate/1");
            doc.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            doc.put("commit", EnvironmentProbe.commit());
            doc.put("cpu", EnvironmentProbe.cpuModel());
            doc.put("threads", Runtime.getRuntime().availableProcessors());
            doc.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            doc.put("model", Map.of("layers", layers, "d_model", dModel, "heads", heads, "vocab", vocab, "batch",
                    batch, "prompt", prompt, "tokens", tokens, "weights", "random (seed " + seed + ")"));
            doc.put("rows", rows);
            Json.write(json, doc);
            err.println("wrote " + json);
        }
        return 0;
    }

    private static void atLeast(String flag, int value, int least) {
        if (value < least) {
            throw new CliException(flag + ": expected >= " + least + ", got " + value);
        }
    }
}
