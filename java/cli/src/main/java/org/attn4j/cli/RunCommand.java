package org.attn4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.cli.npy.NpyArray;
import org.attn4j.cli.npy.NpyType;
import org.attn4j.mask.BlockMask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attn4j run}: one attention forward pass on NumPy files. Q, K, V in (float32 or float16), O out as float32
 * {@code [B, Hq, Nq, Dv]}, LSE as float32 {@code [B, Hq, Nq]}; every mask and normalizer of the SPEC as options.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compute attention on NumPy .npy files: O = attention(Q, K, V) with the masks and normalizer"
                + " given.", "Inputs: float32 or float16 (float64 is converted), C order. O and LSE are written as"
                + " float32."},
        footer = {"", "Example:", "  attn4j run --q Q.npy --k K.npy --v V.npy --out O.npy --lse LSE.npy --causal"
                + " --window 256,0"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--q", required = true, paramLabel = "Q.npy", description = "Queries [B, Hq, Nq, D].")
    Path q;

    @Option(names = "--k", required = true, paramLabel = "K.npy", description = "Keys [B, Hkv, Nk, D].")
    Path k;

    @Option(names = "--v", required = true, paramLabel = "V.npy", description = "Values [B, Hkv, Nk, Dv].")
    Path v;

    @Option(names = "--out", required = true, paramLabel = "O.npy",
            description = "Where to write O [B, Hq, Nq, Dv] (float32).")
    Path out;

    @Option(names = "--lse", paramLabel = "LSE.npy",
            description = "Also write the log-sum-exp [B, Hq, Nq] (float32; softmax only; -inf for empty rows).")
    Path lse;

    @Option(names = "--causal", description = "Causal mask: query i sees keys j <= i + Nk - Nq.")
    boolean causal;

    @Option(names = "--window", paramLabel = "LEFT,RIGHT", converter = IntPair.Converter.class,
            description = "Sliding window: query at aligned position i' sees keys i'-LEFT .. i'+RIGHT.")
    IntPair window;

    @Option(names = "--global", paramLabel = "G",
            description = "Global tokens of the window: the first G keys and queries ignore it (needs --window).")
    Integer global;

    @Option(names = "--block-mask", paramLabel = "M.npy",
            description = "Block mask: bool or uint8 [QB, KB] or [B|1, H|1, QB, KB] over tiles of --block-size.")
    Path blockMask;

    @Option(names = "--topk-blocks", paramLabel = "K",
            description = "Dynamic block top-k: each query tile keeps its K best key tiles (tiles of --block-size).")
    Integer topKBlocks;

    @Option(names = "--block-size", paramLabel = "BQ,BK", converter = IntPair.Converter.class,
            description = "Tile size for --block-mask and --topk-blocks: BQ queries by BK keys.")
    IntPair blockSize;

    @Option(names = "--topk", paramLabel = "K",
            description = "Dynamic token top-k: each query keeps its K best allowed keys.")
    Integer topKTokens;

    @Option(names = "--normalizer", paramLabel = "NAME", defaultValue = "softmax",
            converter = OptionConverters.NormalizerConverter.class,
            description = "softmax, sparsemax or entmax15 (default: ${DEFAULT-VALUE}).")
    Normalizer normalizer;

    @Option(names = "--scale", paramLabel = "S", description = "Score scale (default: 1/sqrt(D)).")
    Double scale;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "Run on this provider (default: ATTN4J_PROVIDER, -Dattn4j.provider, else the best"
                    + " available; see 'attn4j info').")
    String provider;

    @Option(names = "--dtype", paramLabel = "TYPE", converter = OptionConverters.DTypeConverter.class,
            description = "Compute type: fp32, fp16 or bf16; inputs are converted (default: fp16 when all three"
                    + " inputs are float16, else fp32).")
    DType dtype;

    @Override
    public Integer call() {
        checkOptions();
        NpyArray qa = NpyTensors.readAttentionInput("--q", q);
        NpyArray ka = NpyTensors.readAttentionInput("--k", k);
        NpyArray va = NpyTensors.readAttentionInput("--v", v);
        DType computeType = dtype != null ? dtype : defaultType(qa, ka, va);
        BlockMask mask = blockMask == null ? null
                : NpyTensors.readBlockMask("--block-mask", blockMask, blockSize.first(), blockSize.second());

        try (Tensor qt = NpyTensors.toTensor(qa, computeType);
             Tensor kt = NpyTensors.toTensor(ka, computeType);
             Tensor vt = NpyTensors.toTensor(va, computeType)) {
            AttentionRequest request;
            try {
                request = request(qt, kt, vt, mask);
            } catch (IllegalArgumentException e) {
                throw new CliException(optionOf(e.getMessage()) + e.getMessage(), e);
            }
            long start = System.nanoTime();
            try (AttentionResult result = Attention.forward(request, provider);
                 AtomicOutputs outputs = new AtomicOutputs()) {
                double millis = (System.nanoTime() - start) / 1e6;
                // All or none: O and LSE go to temporary files first, and move into place together.
                outputs.stage("--out", out, file -> NpyTensors.writeFloat32(file, result.output()));
                if (lse != null) {
                    Tensor l = result.lse().orElseThrow(() -> new CliException("provider '" + result.provider()
                            + "' returned no log-sum-exp although it was requested"));
                    outputs.stage("--lse", lse, file -> NpyTensors.writeFloat32(file, l));
                }
                outputs.commit();
                report(request, result, millis);
            }
        }
        return Main.EXIT_OK;
    }

    /** Flag combinations and values, checked before any file is read, in the words of the options. */
    private void checkOptions() {
        if (window != null && (window.first() < 0 || window.second() < 0)) {
            throw new CliException("--window: expected LEFT,RIGHT >= 0, got " + window);
        }
        if (global != null) {
            if (window == null) {
                throw new CliException("--global: global tokens only apply to a sliding window; add --window"
                        + " LEFT,RIGHT");
            }
            if (global < 0) {
                throw new CliException("--global: expected >= 0, got " + global);
            }
        }
        if ((blockMask != null || topKBlocks != null) && blockSize == null) {
            throw new CliException((blockMask != null ? "--block-mask" : "--topk-blocks")
                    + ": needs --block-size BQ,BK (the tile size)");
        }
        if (blockSize != null) {
            if (blockMask == null && topKBlocks == null) {
                throw new CliException("--block-size: only used with --block-mask or --topk-blocks");
            }
            if (blockSize.first() < 1 || blockSize.second() < 1) {
                throw new CliException("--block-size: expected BQ,BK >= 1, got " + blockSize);
            }
        }
        if (topKBlocks != null && topKBlocks < 1) {
            throw new CliException("--topk-blocks: expected >= 1, got " + topKBlocks);
        }
        if (topKTokens != null && topKTokens < 1) {
            throw new CliException("--topk: expected >= 1, got " + topKTokens);
        }
        if (scale != null && (scale.isNaN() || scale.isInfinite())) {
            throw new CliException("--scale: expected a finite number, got " + scale);
        }
        if (lse != null && normalizer != Normalizer.SOFTMAX) {
            throw new CliException("--lse: the log-sum-exp is defined for softmax only, not " + normalizer);
        }
        checkWritable("--out", out);
        if (lse != null) {
            checkWritable("--lse", lse);
            if (lse.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
                throw new CliException("--lse: same file as --out (" + out + "); expected another file");
            }
        }
    }

    /** Refuses, before any work, an output path that cannot be written, saying exactly what is wrong with it. */
    private static void checkWritable(String flag, Path file) {
        if (Files.isDirectory(file)) {
            throw new CliException(flag + " " + file + ": is a folder, expected a file name");
        }
        Path dir = file.toAbsolutePath().normalize().getParent();
        if (dir == null) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            // Say which part of the path is wrong: the nearest one that exists is a file, or none of it exists.
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null && !Files.isDirectory(existing)) {
                throw new CliException(flag + " " + file + ": " + existing + " is a file, not a folder");
            }
            throw new CliException(flag + " " + file + ": folder " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new CliException(flag + " " + file + ": folder " + dir + " is not writable (permission denied)");
        }
    }

    /** fp16 when every input is float16 (no information is lost), otherwise fp32. */
    private static DType defaultType(NpyArray... inputs) {
        for (NpyArray a : inputs) {
            if (a.type() != NpyType.FLOAT16) {
                return DType.FP32;
            }
        }
        return DType.FP16;
    }

    private AttentionRequest request(Tensor qt, Tensor kt, Tensor vt, BlockMask mask) {
        AttentionRequest.Builder b = AttentionRequest.builder(qt, kt, vt)
                .causal(causal)
                .normalizer(normalizer)
                .returnLse(lse != null)
                .outputDType(DType.FP32); // O is written as float32: do not round it to a half type first
        if (scale != null) {
            b.scale(scale);
        }
        if (window != null) {
            b.window(window.first(), window.second());
            if (global != null) {
                b.globalTokens(global);
            }
        }
        if (mask != null) {
            b.blockMask(mask);
        }
        if (topKBlocks != null) {
            b.topKBlocks(topKBlocks, blockSize.first(), blockSize.second());
        }
        if (topKTokens != null) {
            b.topKTokens(topKTokens);
        }
        return b.build();
    }

    /**
     * The option an API validation message is about, e.g. {@code "--k K.npy: "} for {@code "k.shape[3] ..."}, so
     * that the user sees which file or flag to fix; empty when the message names no input.
     */
    private String optionOf(String message) {
        String field = message == null ? "" : message.split("[.:\\[ ]", 2)[0];
        switch (field) {
            case "q": return "--q " + q + ": ";
            case "k": return "--k " + k + ": ";
            case "v": return "--v " + v + ": ";
            case "blockMask": return "--block-mask " + blockMask + ": ";
            default: return "";
        }
    }

    /** One line per file written, with the provider, time and pairs kept. */
    private void report(AttentionRequest r, AttentionResult result, double millis) {
        PrintWriter o = spec.commandLine().getOut();
        long dense = (long) r.batch() * r.queryHeads() * r.queryLength() * r.keyLength();
        List<String> facts = new ArrayList<>();
        facts.add("provider " + result.provider());
        facts.add(r.dtype().label());
        facts.add(String.format(Locale.ROOT, "%.1f ms", millis));
        result.allowedPairs().ifPresent(p -> facts.add(String.format(Locale.ROOT,
                "%,d of %,d pairs kept (%.2f%%)", p, dense, 100.0 * p / dense)));
        o.println("wrote " + out + ": O float32 " + Arrays.toString(result.output().shape()) + " ("
                + String.join(", ", facts) + ")");
        if (lse != null) {
            o.println("wrote " + lse + ": LSE float32 [" + r.batch() + ", " + r.queryHeads() + ", "
                    + r.queryLength() + "]");
        }
        o.flush();
    }
}
