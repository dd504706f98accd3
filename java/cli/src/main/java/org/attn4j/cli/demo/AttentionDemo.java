package org.attn4j.cli.demo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.ProviderRegistry;
import org.attn4j.Tensor;
import org.attn4j.cli.CliException;
import org.attn4j.cli.SystemDescription;
import org.attn4j.mask.BlockMask;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Support;

/**
 * The attention demo: one shape, one provider, dense attention against sparse variants (causal, sliding window
 * with global tokens, a 10% block mask, dynamic block top-k, token top-k, sparsemax). For each: the time, the pairs
 * kept and the density, the SPEC's GFLOP/s, and the agreement with the float64 {@code reference} provider.
 */
public final class AttentionDemo {
    /** Tile size of the block mask and of block top-k. */
    static final int TILE = 64;
    /** Fraction of key tiles the block mask and block top-k keep per query tile. */
    static final double TILE_FRACTION = 0.10;
    /** Keys per query for token top-k. */
    static final int TOKEN_TOP_K = 32;
    /** Global tokens of the sliding-window variant. */
    static final int GLOBAL_TOKENS = 16;
    /** Query rows per checked head: enough to cover several tiles, few enough for the float64 reference. */
    static final int CHECK_ROWS = 256;
    /** Time the timed runs may take when the size is chosen automatically. */
    static final double BUDGET_SECONDS = 15;
    static final int DEFAULT_REPEAT = 3;

    /** What to run. Null fields take their defaults. */
    public record Settings(String provider, String size, Integer batch, Integer heads, Integer kvHeads,
                           Integer length, Integer headDim, DType dtype, Integer repeat, long seed) {
    }

    private final Settings settings;
    private final PrintWriter out;
    private final ProviderRegistry registry = Attention.registry();

    public AttentionDemo(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    /**
     * Runs the demo and prints its report.
     *
     * @return true when every variant that ran agrees with the reference within the SPEC's tolerance
     */
    public boolean run() {
        long started = System.nanoTime();
        DType dtype = settings.dtype() != null ? settings.dtype() : DType.FP32;
        Plan plan = plan(dtype);
        DemoShape shape = plan.shape;

        try (Inputs in = new Inputs(shape, dtype, settings.seed())) {
            AttentionRequest dense = AttentionRequest.builder(in.q, in.k, in.v).outputDType(DType.FP32).build();
            AttentionProvider provider = choose(dense);
            List<DemoVariant> variants = variants(shape, settings.seed());
            ReferenceCheck check = ReferenceCheck.lastRows(shape.heads(), shape.length(), CHECK_ROWS, TILE);
            boolean gpu = provider.capabilities().devices().contains(Device.Kind.CUDA);
            double tolerance = ReferenceCheck.tolerance(dtype, gpu);
            boolean canCheck = registry.find(ReferenceProvider.NAME).isPresent();

            printHeader(provider, shape, dtype, plan, check, tolerance, canCheck);

            DemoTable table = new DemoTable("variant", ">kept pairs", ">density", ">time ms", ">vs dense",
                    ">GFLOP/s", ">dense-eq GFLOP/s", ">rel. error", "check");
            Findings findings = new Findings();
            double denseSeconds = Double.NaN;
            for (DemoVariant variant : variants) {
                AttentionRequest request = variant.request(dense);
                Outcome o = measure(request, plan.repeat);
                if (o.result == null) {
                    table.add(variant.name(), "-", "-", "-", "-", "-", "-", "-", o.skipped ? "skipped" : "ERROR");
                    findings.notes.add(variant.name() + ": " + (o.skipped ? "skipped, " : "failed: ") + o.problem);
                    if (!o.skipped) {
                        findings.failures.add(variant.name() + " (failed)");
                    }
                    continue;
                }
                try (AttentionResult result = o.result) {
                    if (variant == variants.get(0)) {
                        denseSeconds = o.seconds; // the first variant is plain dense softmax
                    }
                    table.add(row(variant, request, result, o.seconds, denseSeconds, provider, shape,
                            canCheck ? check : null, tolerance, findings));
                }
            }
            out.println();
            table.print(out);
            out.println();
            for (String n : findings.notes) {
                out.println("note: " + n);
            }
            if (!findings.failures.isEmpty()) {
                out.println("FAILED (tolerance " + ReferenceCheck.format(tolerance) + "): "
                        + String.join(", ", findings.failures));
            } else if (!canCheck) {
                out.println("The agreement was not checked: the 'reference' provider is not on the class path.");
            } else {
                out.println("Every variant that ran agrees with the float64 reference: largest relative error "
                        + ReferenceCheck.format(findings.worst) + " (tolerance " + ReferenceCheck.format(tolerance)
                        + ").");
            }
            out.printf(Locale.ROOT, "Demo took %.1f s.%n", (System.nanoTime() - started) / 1e9);
            out.flush();
            return findings.failures.isEmpty();
        }
    }

    /** What the rows found beyond their cells: notes, failures, the largest error. */
    private static final class Findings {
        final List<String> notes = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        double worst;
    }

    /** The cells of one variant's row; checks it against the reference when {@code check} is given. */
    private static String[] row(DemoVariant variant, AttentionRequest request, AttentionResult result, double seconds,
                                double denseSeconds, AttentionProvider provider, DemoShape shape,
                                ReferenceCheck check, double tolerance, Findings findings) {
        long pairs = result.allowedPairs().orElseGet(() -> PairCounter.count(request));
        double flops = FlopCount.forward(shape.headDim(), shape.headDim(), pairs);
        double denseFlops = FlopCount.forward(shape.headDim(), shape.headDim(), shape.densePairs());
        String errorText = "-";
        String verdict = "n/a";
        if (check != null) {
            double err = check.relativeError(request, result.output());
            findings.worst = Math.max(findings.worst, err);
            errorText = ReferenceCheck.format(err);
            boolean ok = err <= tolerance;
            verdict = ok ? "ok" : "FAIL";
            if (!ok) {
                findings.failures.add(variant.name() + " (relative error " + errorText + ")");
            }
        }
        String name = variant.name();
        if (!result.provider().equals(provider.name())) {
            name += " *";
            findings.notes.add(variant.name() + ": ran on '" + result.provider() + "', because '" + provider.name()
                    + "' " + reasonUnsupported(provider, request));
        }
        return new String[] {name, String.format(Locale.ROOT, "%,d", pairs),
            String.format(Locale.ROOT, "%.1f%%", 100.0 * pairs / shape.densePairs()),
            significant(seconds * 1e3),
            Double.isNaN(denseSeconds) ? "-" : String.format(Locale.ROOT, "%.2fx", denseSeconds / seconds),
            significant(FlopCount.gigaflopsPerSecond(flops, seconds)),
            significant(FlopCount.gigaflopsPerSecond(denseFlops, seconds)),
            errorText, verdict};
    }

    /** At least three significant digits, without exponents: 1234, 12.3, 1.23, 0.0123. */
    static String significant(double x) {
        if (x == 0) {
            return "0";
        }
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return String.valueOf(x);
        }
        double magnitude = Math.abs(x);
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        int decimals = Math.max(1, 2 - (int) Math.floor(Math.log10(magnitude)));
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }

    /** The variants, each a set of masks or a normalizer on top of the dense request. */
    static List<DemoVariant> variants(DemoShape shape, long seed) {
        int n = shape.length();
        int keyTiles = (n + TILE - 1) / TILE;
        int keptTiles = Math.max(1, (int) Math.round(TILE_FRACTION * keyTiles));
        int window = Math.max(1, n / 32);
        BlockMask blockMask = randomBlockMask(shape, keptTiles, seed);
        List<DemoVariant> v = new ArrayList<>();
        v.add(new DemoVariant("dense", b -> b));
        v.add(new DemoVariant("causal", b -> b.causal()));
        v.add(new DemoVariant("window +-" + window + ", " + GLOBAL_TOKENS + " global",
                b -> b.window(window, window).globalTokens(GLOBAL_TOKENS)));
        v.add(new DemoVariant(String.format(Locale.ROOT, "block mask %d/%d tiles", keptTiles, keyTiles),
                b -> b.blockMask(blockMask)));
        v.add(new DemoVariant(String.format(Locale.ROOT, "block top-%d of %d tiles", keptTiles, keyTiles),
                b -> b.topKBlocks(keptTiles, TILE, TILE)));
        v.add(new DemoVariant("token top-" + TOKEN_TOP_K, b -> b.topKTokens(TOKEN_TOP_K)));
        v.add(new DemoVariant("sparsemax", b -> b.normalizer(Normalizer.SPARSEMAX)));
        return v;
    }

    /**
     * A block mask for every query head: each query tile keeps its diagonal tile and {@code kept - 1} others drawn
     * at random, so that every head has its own pattern with the same density.
     */
    static BlockMask randomBlockMask(DemoShape shape, int kept, long seed) {
        int tiles = (shape.length() + TILE - 1) / TILE;
        boolean[] cells = new boolean[shape.heads() * tiles * tiles];
        Random random = new Random(seed ^ 0x5DEECE66DL);
        for (int h = 0; h < shape.heads(); h++) {
            for (int qb = 0; qb < tiles; qb++) {
                int base = (h * tiles + qb) * tiles;
                cells[base + qb] = true;
                int have = 1;
                while (have < Math.min(kept, tiles)) {
                    int kb = random.nextInt(tiles);
                    if (!cells[base + kb]) {
                        cells[base + kb] = true;
                        have++;
                    }
                }
            }
        }
        return BlockMask.of(cells, new int[] {1, shape.heads(), tiles, tiles}, TILE, TILE);
    }

    /** The shape and the number of timed runs, with how they were chosen. */
    private record Plan(DemoShape shape, int repeat, String why) {
    }

    private Plan plan(DType dtype) {
        boolean customized = settings.batch() != null || settings.heads() != null || settings.kvHeads() != null
                || settings.length() != null || settings.headDim() != null;
        String size = settings.size() == null ? "auto" : settings.size().strip().toLowerCase(Locale.ROOT);
        DemoShape[] presets = DemoShape.presets();
        if (!size.equals("auto") || customized) {
            // As asked: no calibration; the first of the timed runs warms the JIT up (the best run is shown).
            DemoShape base = size.equals("auto") ? presets[0] : DemoShape.preset(size);
            DemoShape shape = with(base);
            int repeat = settings.repeat() != null ? settings.repeat() : DEFAULT_REPEAT;
            return new Plan(shape, repeat, "size " + shape.name() + ", as asked");
        }
        // Automatic: time one dense pass on the smallest preset and take the largest preset whose runs fit the
        // budget, assuming every variant costs as much as dense (true of providers that do not skip masked work).
        double seconds = warmUp(presets[0], dtype);
        int variants = variants(presets[0], settings.seed()).size();
        double smallWork = presets[0].densePairs() * presets[0].headDim();
        int repeat = settings.repeat() != null ? settings.repeat() : DEFAULT_REPEAT;
        DemoShape chosen = presets[0];
        for (DemoShape s : presets) {
            double estimate = variants * repeat * seconds * (s.densePairs() * s.headDim() / smallWork);
            if (estimate <= BUDGET_SECONDS) {
                chosen = s;
            }
        }
        if (settings.repeat() == null && chosen == presets[0]) {
            repeat = (int) Math.max(1, Math.min(DEFAULT_REPEAT, Math.floor(BUDGET_SECONDS / (variants * seconds))));
        }
        return new Plan(chosen, repeat, String.format(Locale.ROOT,
                "size %s, chosen automatically: a dense pass on %s took %.0f ms", chosen.name(),
                presets[0].name(), seconds * 1e3));
    }

    private DemoShape with(DemoShape base) {
        return base.with(settings.batch(), settings.heads(), settings.kvHeads(), settings.length(),
                settings.headDim());
    }

    /**
     * Dense passes on {@code shape} to warm up the JIT and measure the provider: a second pass when the first was
     * short (a long one has been compiled while it ran). Returns the time of the last, in seconds.
     */
    private double warmUp(DemoShape shape, DType dtype) {
        try (Inputs in = new Inputs(shape, dtype, settings.seed())) {
            AttentionRequest dense = AttentionRequest.builder(in.q, in.k, in.v).outputDType(DType.FP32).build();
            double seconds = timeOnce(dense);
            return seconds < 1 ? timeOnce(dense) : seconds;
        }
    }

    private double timeOnce(AttentionRequest request) {
        long t0 = System.nanoTime();
        AttentionResult result = Attention.forward(request, settings.provider());
        double seconds = (System.nanoTime() - t0) / 1e9;
        result.close();
        return seconds;
    }

    /** The provider that runs the dense request: named, forced by configuration, or chosen automatically. */
    private AttentionProvider choose(AttentionRequest dense) {
        return registry.select(dense, settings.provider());
    }

    private void printHeader(AttentionProvider provider, DemoShape shape, DType dtype, Plan plan,
                             ReferenceCheck check, double tolerance, boolean canCheck) {
        out.println("attn4j demo: dense versus sparse attention on one shape");
        out.println();
        out.println("provider  " + provider.name() + (provider.description().isEmpty() ? ""
                : " (" + provider.description() + ")"));
        out.println("          " + whyChosen(provider));
        if (provider.name().equals(ReferenceProvider.NAME)) {
            out.println("          note: 'reference' is the exact float64 oracle, slow by design; time the fast"
                    + " providers (cpu, cuda)");
        }
        out.println("machine   " + SystemDescription.cpu() + "; Java " + System.getProperty("java.version"));
        out.println("shape     " + shape.describe() + " " + dtype.label() + ", tiles " + TILE + "x" + TILE);
        out.println("          " + plan.why);
        out.println("timing    best of " + plan.repeat + " run" + (plan.repeat == 1 ? "" : "s") + " per variant;"
                + " GFLOP/s = 2 (D + Dv) x kept pairs / time,");
        out.println("          dense-eq GFLOP/s = dense FLOPs / time (the SPEC's counting)");
        if (canCheck) {
            out.println("check     O against the float64 reference on " + check.describe(shape.length()) + ",");
            out.println("          relative error ||O - ref|| / ||ref||, tolerance " + ReferenceCheck.format(tolerance)
                    + (provider.name().equals(ReferenceProvider.NAME)
                    ? " (trivial here: the provider is the reference)" : ""));
        }
    }

    /** Why this provider: the option, the override, or the automatic rule and what the others lack. */
    private String whyChosen(AttentionProvider chosen) {
        if (settings.provider() != null) {
            return "chosen with --provider";
        }
        Optional<String> configured = ProviderRegistry.configuredName();
        if (configured.isPresent()) {
            return "forced by " + (System.getProperty(ProviderRegistry.PROPERTY) != null
                    ? "-D" + ProviderRegistry.PROPERTY : ProviderRegistry.ENV);
        }
        List<String> others = new ArrayList<>();
        for (AttentionProvider p : registry.providers()) {
            if (p == chosen) {
                continue;
            }
            Availability a = safeAvailability(p);
            if (!a.isAvailable()) {
                others.add(p.name() + " unavailable: " + a.reason());
            } else {
                others.add(p.name() + " priority " + p.priority());
            }
        }
        return "automatic selection: highest priority (" + chosen.priority() + ") among available providers;"
                + (others.isEmpty() ? " no other provider found" : " others: " + String.join("; ", others));
    }

    private static Availability safeAvailability(AttentionProvider p) {
        try {
            Availability a = p.availability();
            return a != null ? a : Availability.unavailable("no availability reported");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability check failed: " + e);
        }
    }

    private static String reasonUnsupported(AttentionProvider p, AttentionRequest r) {
        try {
            Support s = p.supports(r);
            return s.isSupported() ? "was not selected" : "does not support it: " + s.reason();
        } catch (RuntimeException e) {
            return "failed its support check: " + e;
        }
    }

    /**
     * The best time of the runs and the last run's result; or, without a result, why: no provider takes the
     * variant ({@code skipped}), or the provider failed on it.
     */
    private static final class Outcome {
        AttentionResult result;
        double seconds = Double.POSITIVE_INFINITY;
        boolean skipped;
        String problem;
    }

    private Outcome measure(AttentionRequest request, int repeat) {
        Outcome o = new Outcome();
        try {
            registry.select(request, settings.provider());
        } catch (IllegalArgumentException | IllegalStateException e) {
            o.skipped = true;
            o.problem = e.getMessage();
            return o;
        }
        try {
            for (int i = 0; i < repeat; i++) {
                if (o.result != null) {
                    o.result.close();
                    o.result = null;
                }
                long t0 = System.nanoTime();
                o.result = Attention.forward(request, settings.provider());
                o.seconds = Math.min(o.seconds, (System.nanoTime() - t0) / 1e9);
            }
        } catch (RuntimeException e) {
            // A provider that accepted the request and then failed is a finding of the demo, not the end of it.
            if (o.result != null) {
                o.result.close();
                o.result = null;
            }
            o.problem = e.toString();
        }
        return o;
    }

    /** Random Q, K, V (standard normal, fixed seed) for a shape, in host memory. */
    private static final class Inputs implements AutoCloseable {
        final Tensor q;
        final Tensor k;
        final Tensor v;

        Inputs(DemoShape s, DType dtype, long seed) {
            Random random = new Random(seed);
            q = Tensor.of(dtype, gaussian(random, (long) s.batch() * s.heads() * s.length() * s.headDim()),
                    s.batch(), s.heads(), s.length(), s.headDim());
            k = Tensor.of(dtype, gaussian(random, (long) s.batch() * s.kvHeads() * s.length() * s.headDim()),
                    s.batch(), s.kvHeads(), s.length(), s.headDim());
            v = Tensor.of(dtype, gaussian(random, (long) s.batch() * s.kvHeads() * s.length() * s.headDim()),
                    s.batch(), s.kvHeads(), s.length(), s.headDim());
        }

        private static float[] gaussian(Random random, long n) {
            if (n > Integer.MAX_VALUE - 8) {
                throw new CliException("demo: a tensor of " + n + " elements is too large; choose a smaller shape");
            }
            float[] x = new float[(int) n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            return x;
        }

        @Override
        public void close() {
            q.close();
            k.close();
            v.close();
        }
    }
}
