package org.attn4j.bench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.attn4j.bench.BenchOptions;
import org.attn4j.bench.BenchRunner;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.RowStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code attn4j bench}: the picocli command. The CLI registers it as a subcommand
 * ({@code @Command(subcommands = BenchCommand.class)}); {@link org.attn4j.bench.BenchMain} runs it alone.
 * Exit status: 0 when every attn4j row passed its check, 1 when one failed its check or threw, 2 for bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures attention providers over the SPEC's shapes and masks, checked against the float64"
                + " reference, beside NumPy and PyTorch peers; prints a table and writes JSON, CSV and an HTML report.",
            "Default: every available provider except 'reference' (or the best one), shape sets fa and gym,"
                + " forward and backward, bf16 on GPUs and fp32 on CPUs, CPU shapes scaled down."})
public final class BenchCommand implements Callable<Integer> {

    /** Injected by picocli: the command line whose output streams the table and messages go to. */
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--provider", arity = "1..*", paramLabel = "NAME",
            description = "Providers to measure (default: all available except reference, else the best one).")
    List<String> providers = new ArrayList<>();

    @Option(names = "--quick", description = "A small set (a few shapes, few repetitions, a time budget): under two"
            + " minutes on a 2-core CPU.")
    boolean quick;

    @Option(names = "--shapes", arity = "1..*", paramLabel = "fa|gym|FILE",
            description = "Shape sets: fa (FlashAttention's sweep), gym (attention-gym's shape), or a JSON/CSV file"
                    + " (docs/benchmarks/README.md). Default: fa gym.")
    List<String> shapes = new ArrayList<>();

    @Option(names = "--masks", arity = "1..*", paramLabel = "MASK",
            description = "dense, causal, sliding_window[:W], document[:N], block_sparse[:PCT], block_topk[:K],"
                    + " token_topk[:K], sparsemax, entmax15, all. Default: each set's own list.")
    List<String> masks = new ArrayList<>();

    @Option(names = "--dtype", arity = "1..*", paramLabel = "TYPE",
            description = "fp32, fp16, bf16 (default: bf16 on GPUs, fp32 on CPUs).")
    List<String> dtypes = new ArrayList<>();

    @Option(names = "--direction", paramLabel = "forward|backward|both", description = "Default: both.")
    String direction = "both";

    @Option(names = "--scale", paramLabel = "auto|full|cpu",
            description = "Shape size: auto (full on GPUs, scaled down on CPUs), full or cpu. Default: auto.")
    String scale = "auto";

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON.")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write the results as CSV.")
    Path csv;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Report folder: index.html, results.json, results.csv, PNG plots (default: out/bench).")
    Path report = Path.of("out", "bench");

    @Option(names = "--no-report", description = "Write no report folder.")
    boolean noReport;

    @Option(names = "--peers", arity = "1..*", paramLabel = "numpy|torch|PROVIDER",
            description = "Run peers: the scripts numpy (CPU) and torch (GPU and CPU, on the GPU machine) as"
                    + " subprocesses, or a provider plugin on the class path (e.g. torch-sdpa) in this JVM.")
    List<String> peers = new ArrayList<>();

    @Option(names = "--merge", arity = "1..*", paramLabel = "FILE",
            description = "Merge results files (from peer scripts run separately, or earlier runs).")
    List<Path> merge = new ArrayList<>();

    @Option(names = "--plan-out", paramLabel = "FILE",
            description = "Write the peer plan (configurations with their masks) for running peers separately.")
    Path planOut;

    @Option(names = "--no-providers", description = "Measure no attn4j provider (only peers and merges).")
    boolean noProviders;

    @Option(names = "--python", paramLabel = "EXE", description = "Python for the peers. Default: python3.")
    String python = "python3";

    @Option(names = "--peer-timeout", paramLabel = "SECONDS", description = "Limit per peer command. Default: 3600.")
    double peerTimeout = 3600;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed calls first (quick 1, full 3).")
    Integer warmup;

    @Option(names = "--min-reps", paramLabel = "N", description = "Fewest timed calls (quick 3, full 10).")
    Integer minReps;

    @Option(names = "--reps", paramLabel = "N", description = "Most timed calls (quick 10, full 100).")
    Integer maxReps;

    @Option(names = "--target-seconds", paramLabel = "S",
            description = "Timed seconds per row once min-reps are done (quick 1, full 3).")
    Double targetSeconds;

    @Option(names = "--budget", paramLabel = "SECONDS",
            description = "Time budget for the attn4j rows and for each peer; later rows are skipped"
                    + " (quick: 75, or 55 plus 30 per peer; full: none; 0: none).")
    Double budget;

    @Option(names = "--rotate-mib", paramLabel = "MIB",
            description = "Input sets rotated so together they span this much memory. Default: 256.")
    long rotateMib = 256;

    @Option(names = "--max-sets", paramLabel = "N", description = "Most input sets per shape. Default: 8.")
    int maxSets = 8;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    /** The options object these fields describe. */
    public BenchOptions options() {
        BenchOptions o = new BenchOptions();
        o.providers = new ArrayList<>(providers);
        o.quick = quick;
        o.shapes = new ArrayList<>(shapes);
        o.masks = new ArrayList<>(masks);
        o.dtypes = new ArrayList<>(dtypes);
        o.direction = direction;
        o.scale = scale;
        o.json = json;
        o.csv = csv;
        o.report = noReport ? null : report;
        o.peers = new ArrayList<>(peers);
        o.merge = new ArrayList<>(merge);
        o.planOut = planOut;
        o.noProviders = noProviders;
        o.python = python;
        o.peerTimeoutSeconds = peerTimeout;
        o.warmup = warmup;
        o.minReps = minReps;
        o.maxReps = maxReps;
        o.targetSeconds = targetSeconds;
        o.budgetSeconds = budget;
        if (!(peerTimeout > 0) || Double.isInfinite(peerTimeout)) {
            throw new IllegalArgumentException("peer-timeout: expected a finite number of seconds > 0, got "
                    + peerTimeout);
        }
        if (budget != null && (!(budget >= 0) || Double.isInfinite(budget))) {
            throw new IllegalArgumentException("budget: expected a finite number of seconds >= 0 (0: none), got "
                    + budget);
        }
        if (rotateMib < 0) {
            throw new IllegalArgumentException("rotate-mib: expected >= 0, got " + rotateMib);
        }
        if (maxSets < 1) {
            throw new IllegalArgumentException("max-sets: expected >= 1, got " + maxSets);
        }
        o.rotateBytes = rotateMib << 20;
        o.maxSets = maxSets;
        o.progress = !noProgress;
        return o;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec != null ? spec.commandLine().getOut() : new PrintWriter(System.out, true);
        PrintWriter err = spec != null ? spec.commandLine().getErr() : new PrintWriter(System.err, true);
        BenchDocument doc;
        try {
            doc = new BenchRunner(out, err).run(options());
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            err.flush();
            return 2;
        }
        return exitStatus(doc);
    }

    /** 1 when an attn4j row failed its reference check or threw, else 0. */
    public static int exitStatus(BenchDocument doc) {
        for (BenchRow r : doc.rows()) {
            if (!r.isPeer() && (r.status() == RowStatus.FAILED_CHECK || r.status() == RowStatus.ERROR)) {
                return 1;
            }
        }
        return 0;
    }
}
