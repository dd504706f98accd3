package org.attn4j.bench.decode;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attn4j.Attention;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.ProviderInfo;
import org.attn4j.bench.env.EnvironmentProbe;
import org.attn4j.bench.results.Environment;
import org.attn4j.bench.results.JsonCodec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code attn4j decode}: time per generated token of the attention step as the context grows, for dense attention
 * and each sparse mask, with the kept share of keys, the bytes read and the bandwidth achieved against the
 * machine's copy bandwidth, and the NumPy peer on the same cache.
 */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures one decode step (every head's new query against a KV cache) as the context grows:"
                + " dense and sparse masks, kept keys, bytes read, bandwidth against the measured copy bandwidth,"
                + " and NumPy's single-query attention on the same cache."})
public final class DecodeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--context", split = ",", paramLabel = "N", description = "Cache lengths. Default:"
            + " 1024,4096,16384,32768.")
    List<Integer> contexts = new ArrayList<>(List.of(1024, 4096, 16384, 32768));

    @Option(names = "--batch", paramLabel = "B", description = "Sequences. Default: 1.")
    int batch = 1;

    @Option(names = "--heads", paramLabel = "H", description = "Query heads. Default: 8.")
    int heads = 8;

    @Option(names = "--kv-heads", paramLabel = "HKV", description = "Key/value heads (GQA). Default: 2.")
    int kvHeads = 2;

    @Option(names = "--dim", paramLabel = "D", description = "Head dim (= value dim). Default: 64.")
    int dim = 64;

    @Option(names = "--mask", arity = "1..*", paramLabel = "SPEC",
            description = "dense, window:LEFT[,GLOBAL], blocktopk:K[,BLOCK] (K blocks, or a share such as 10%%),"
                    + " tokentopk:K, or a '+' combination. Default: dense window:1024,16 blocktopk:8,64"
                    + " blocktopk:10%%,64 tokentopk:64.")
    List<String> masks = new ArrayList<>();

    @Option(names = "--normalizer", paramLabel = "NAME", description = "softmax, sparsemax, entmax15. Default:"
            + " softmax.")
    String normalizer = "softmax";

    @Option(names = "--dtype", paramLabel = "TYPE", description = "Cache type: fp32, fp16, bf16. Default: fp32.")
    String dtype = "fp32";

    @Option(names = "--provider", paramLabel = "NAME", description = "Provider holding the cache (default: the"
            + " best available).")
    String provider;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed steps per row. Default: 5.")
    int warmup = 5;

    @Option(names = "--repeat", paramLabel = "N", description = "Timed steps per row, at least (best and median"
            + " reported). Default: 20.")
    int repeat = 20;

    @Option(names = "--warmup-seconds", paramLabel = "S", description = "Untimed steps for at least this long per"
            + " row, so that the JIT has compiled the path. Default: 0.5.")
    double warmupSeconds = 0.5;

    @Option(names = "--seconds", paramLabel = "S", description = "Timed steps for at least this long per row (up"
            + " to 2000 steps). Default: 1.")
    double seconds = 1.0;

    @Option(names = "--runs", paramLabel = "N", description = "Whole sweeps, each row keeping its best over them"
            + " (attn4j and NumPy alike): on a shared machine, load changes over minutes. Default: 1.")
    int runs = 1;

    @Option(names = "--peers", paramLabel = "numpy|none", description = "Peer in the same run. Default: numpy.")
    String peers = "numpy";

    @Option(names = "--python", paramLabel = "EXE", description = "Python for the peer. Default: python3.")
    String python = "python3";

    @Option(names = "--json", paramLabel = "FILE", description = "Write the rows and the machine's facts as JSON.")
    Path json;

    @Option(names = "--png", paramLabel = "FILE", description = "Plot time per token against context (and, in"
            + " FILE-relative.png, each sparse step's time over the dense step's beside its kept share).")
    Path png;

    @Option(names = "--work", paramLabel = "DIR", description = "Folder for the files handed to the peer"
            + " (default: a temporary folder, deleted after).")
    Path work;

    @Option(names = "--seed", paramLabel = "S", description = "Random data seed. Default: 1.")
    long seed = 1;

    @Option(names = "--copy-mib", paramLabel = "MIB", description = "Size of each array the copy bandwidth is"
            + " measured with (far above the caches). Default: 256.")
    int copyMib = 256;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<DecodeMaskSpec> specs = new ArrayList<>();
        for (String m : masks.isEmpty() ? List.of("dense", "window:1024,16", "blocktopk:8,64", "blocktopk:10%,64",
                "tokentopk:64") : masks) {
            try {
                specs.add(DecodeMaskSpec.parse(m));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + e.getMessage(), e);
            }
        }
        // The shape, before the copy bandwidth and the JIT's warm-up take their seconds.
        atLeast("--batch", batch, 1);
        atLeast("--heads", heads, 1);
        atLeast("--kv-heads", kvHeads, 1);
        atLeast("--dim", dim, 1);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("--heads: expected a multiple of --kv-heads (" + kvHeads + "), got "
                    + heads);
        }
        Normalizer parsedNormalizer;
        DType parsedType;
        try {
            parsedNormalizer = Normalizer.parse(normalizer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage(), e); // "normalizer: ..."
        }
        try {
            parsedType = DType.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage(), e); // "dtype: ..."
        }
        for (int c : contexts) {
            if (c < 1) {
                throw new IllegalArgumentException("--context: expected lengths >= 1, got " + c);
            }
            long cacheValues = (long) batch * kvHeads * c * dim;
            if (cacheValues > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("--context: a cache of " + c + " tokens holds B x HKV x N x D = "
                        + cacheValues + " values per tensor, more than one Java array holds (2^31 - 9)");
            }
        }
        if (!peers.equals("numpy") && !peers.equals("none")) {
            throw new IllegalArgumentException("--peers: expected numpy or none, got '" + peers + "'");
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs: expected >= 1, got " + runs);
        }
        if (copyMib < 1) {
            throw new IllegalArgumentException("--copy-mib: expected >= 1, got " + copyMib);
        }
        if (!(warmupSeconds >= 0) || Double.isInfinite(warmupSeconds)) {
            throw new IllegalArgumentException("--warmup-seconds: expected a finite number >= 0, got " + warmupSeconds);
        }
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("--seconds: expected a finite number >= 0, got " + seconds);
        }
        atLeast("--repeat", repeat, 1);
        atLeast("--warmup", warmup, 0);
        DecodeBenchmark.placementFor(provider); // an unknown provider is refused before anything is measured
        Path dir = work != null ? work : Files.createTempDirectory("attn4j-decode");
        try {
            err.println("measuring the copy bandwidth ...");
            err.flush();
            CopyBandwidth copy = CopyBandwidth.measure(copyMib, 10);
            err.printf(Locale.ROOT, "copy bandwidth (read + write): %.1f GB/s on 1 thread, %.1f GB/s on %d%n",
                    copy.singleThreadGbps(), copy.allThreadsGbps(), copy.threads());
            DecodeBenchmark.Options options = new DecodeBenchmark.Options(contexts, batch, heads, kvHeads, dim, specs,
                    parsedNormalizer, parsedType, provider, warmup, repeat, warmupSeconds, seconds,
                    peers.equals("numpy"),
                    python, dir, seed);
            List<DecodeRow> rows = null;
            for (int run = 1; run <= runs; run++) {
                if (runs > 1) {
                    err.printf(Locale.ROOT, "run %d of %d%n", run, runs);
                }
                List<DecodeRow> these = new DecodeBenchmark(options, err).run(copy);
                rows = rows == null ? these : DecodeRow.best(rows, these);
            }
            // The copy bandwidth again, after: the better of the two is the machine's (load only lowers it).
            CopyBandwidth after = CopyBandwidth.measure(copyMib, 10);
            copy = CopyBandwidth.better(copy, after);
            rows = DecodeRow.withCopy(rows, copy);
            print(out, rows, copy);
            String title = String.format(Locale.ROOT, "Decode step: B=%d Hq=%d Hkv=%d D=%d %s %s", batch, heads,
                    kvHeads, dim, dtype, normalizer);
            if (json != null) {
                Map<String, Object> settings = new LinkedHashMap<>();
                settings.put("batch", batch);
                settings.put("heads", heads);
                settings.put("kv_heads", kvHeads);
                settings.put("dim", dim);
                settings.put("dtype", dtype);
                settings.put("normalizer", normalizer);
                settings.put("warmup", warmup);
                settings.put("repeat", repeat);
                settings.put("runs", runs);
                settings.put("warmup_seconds", warmupSeconds);
                settings.put("seconds", seconds);
                settings.put("numpy", peers.equals("numpy")
                        ? NumpyDecodePeer.version(dir.resolve("numpy.json")) : null);
                settings.put("threads", System.getProperty("attn4j.cpu.threads",
                        String.valueOf(Runtime.getRuntime().availableProcessors())));
                List<String> providers = new ArrayList<>();
                for (ProviderInfo p : Attention.diagnostics()) {
                    providers.add(p.name() + (p.available() ? " (available)" : " (unavailable: " + p.reason() + ")"));
                }
                Map<String, String> device = DecodeBenchmark.placementFor(provider).environment();
                settings.put("timer", device.isEmpty() ? "host-wall" : "device-events");
                Environment env = EnvironmentProbe.collect(device.isEmpty() ? List.of() : List.of(device), providers);
                JsonCodec.write(new DecodeDocument(DecodeDocument.SCHEMA, env, copy, settings, rows), json);
                err.println("wrote " + json);
            }
            if (png != null) {
                DecodeChart.writePng(rows, title, png);
                err.println("wrote " + png);
            }
            return 0;
        } finally {
            if (work == null) {
                deleteTree(dir);
            }
        }
    }

    private static void atLeast(String flag, int value, int least) {
        if (value < least) {
            throw new IllegalArgumentException(flag + ": expected >= " + least + ", got " + value);
        }
    }

    private static void print(PrintWriter out, List<DecodeRow> rows, CopyBandwidth copy) {
        out.printf(Locale.ROOT, "%8s  %-24s %8s %10s %10s %7s %7s %8s %10s %8s%n", "context", "mask", "kept",
                "ms/token", "MB/token", "GB/s", "copy", "x dense", "NumPy ms", "NumPy/us");
        for (DecodeRow r : rows) {
            out.printf(Locale.ROOT, "%8d  %-24s %7.2f%% %10.3f %10.2f %7.2f %6.0f%% %8s %10s %8s%n", r.context(),
                    r.mask(), 100 * r.keptFraction(), r.msPerToken(), r.bytesPerToken() / 1e6, r.gbps(),
                    100 * r.copyShare(), r.vsDense() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.vsDense()),
                    r.numpyMs() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.numpyMs()),
                    r.numpyRatio() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.numpyRatio()));
        }
        out.printf(Locale.ROOT, "copy bandwidth (read + write, %d threads): %.1f GB/s; 'copy' = GB/s read by the step"
                + " over it%n", copy.threads(), copy.allThreadsGbps());
        out.flush();
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
