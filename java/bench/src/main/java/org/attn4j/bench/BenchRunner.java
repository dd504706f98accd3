package org.attn4j.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.attn4j.Attention;
import org.attn4j.DType;
import org.attn4j.ProviderInfo;
import org.attn4j.ProviderRegistry;
import org.attn4j.bench.check.ReferenceCheck;
import org.attn4j.bench.data.Placement;
import org.attn4j.bench.env.EnvironmentProbe;
import org.attn4j.bench.peers.PeerPlan;
import org.attn4j.bench.peers.PeerRunner;
import org.attn4j.bench.peers.PeerScripts;
import org.attn4j.bench.progress.ProgressBar;
import org.attn4j.bench.report.ReportWriter;
import org.attn4j.bench.report.TerminalTable;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.BenchRow;
import org.attn4j.bench.results.CsvWriter;
import org.attn4j.bench.results.Environment;
import org.attn4j.bench.results.JsonCodec;
import org.attn4j.bench.results.PeerComparison;
import org.attn4j.bench.results.PeerStatus;
import org.attn4j.bench.results.Settings;
import org.attn4j.bench.timing.Deadline;
import org.attn4j.bench.timing.RepetitionPolicy;
import org.attn4j.bench.workload.MaskSpec;
import org.attn4j.bench.workload.Scale;
import org.attn4j.bench.workload.Shape;
import org.attn4j.bench.workload.ShapeFile;
import org.attn4j.bench.workload.ShapeSets;
import org.attn4j.bench.workload.Workload;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;

/**
 * The benchmark's programmatic entry: {@code new BenchRunner().run(options)} measures the chosen providers, runs and
 * merges the peers, compares, prints the table and writes the JSON, CSV and report the options ask for.
 */
public final class BenchRunner {
    /** Default time budget of a quick run's attn4j rows: leaves room for start-up and the report in two minutes. */
    public static final double QUICK_BUDGET_SECONDS = 75;
    /** The same when peers run too, which then get {@link #QUICK_PEER_BUDGET_SECONDS} each. */
    public static final double QUICK_BUDGET_WITH_PEERS_SECONDS = 55;
    /** Default time budget of each peer command in a quick run. */
    public static final double QUICK_PEER_BUDGET_SECONDS = 30;

    private final ProviderRegistry registry;
    private final AttentionProvider reference;
    private final PrintWriter out;
    private final PrintWriter err;

    /** The providers on the class path, the float64 reference, stdout and stderr. */
    public BenchRunner() {
        this(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }

    /** The providers on the class path and the float64 reference, printing to these streams (the CLI's). */
    public BenchRunner(PrintWriter out, PrintWriter err) {
        this(Attention.registry(), new ReferenceProvider(), out, err);
    }

    /** For tests and embedding: explicit providers, oracle and streams. */
    public BenchRunner(ProviderRegistry registry, AttentionProvider reference, PrintWriter out, PrintWriter err) {
        this.registry = registry;
        this.reference = reference;
        this.out = out;
        this.err = err;
    }

    /** A provider chosen for this run, with where it runs and what it runs. */
    record Target(AttentionProvider provider, Placement placement, Scale scale, List<DType> dtypes) {
    }

    /**
     * Runs the benchmark.
     *
     * @throws IllegalArgumentException for invalid options (the message names the option)
     * @throws IOException              when an output cannot be written or a merge file read
     */
    public BenchDocument run(BenchOptions o) throws IOException {
        RepetitionPolicy policy = policy(o);
        boolean fwd = !"backward".equalsIgnoreCase(o.direction);
        boolean bwd = !"forward".equalsIgnoreCase(o.direction);
        if (!List.of("forward", "backward", "both").contains(o.direction.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("direction: expected forward, backward or both, got '" + o.direction
                    + "'");
        }
        List<MaskSpec> masks = o.masks.isEmpty() ? null : MaskSpec.parseList(o.masks);
        List<DType> dtypes = o.dtypes.isEmpty() ? null : parseDtypes(o.dtypes);
        List<String> sets = o.shapes.isEmpty() ? List.of("fa", "gym") : splitAll(o.shapes);
        List<String> allPeers = splitAll(o.peers);
        // Peers are the scripts (numpy, torch) or provider plugins on the class path measured in this JVM as peers.
        List<String> peers = new ArrayList<>();
        List<String> providerPeers = new ArrayList<>();
        for (String name : allPeers) {
            (PeerRunner.SCRIPT_PEERS.contains(name.toLowerCase(Locale.ROOT)) ? peers : providerPeers).add(name);
        }
        for (String name : providerPeers) {
            if (registry.providers().stream().noneMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException("peers: unknown peer '" + name + "'; expected numpy, torch or a"
                        + " provider on the class path (" + registry.providers().stream().map(AttentionProvider::name)
                        .collect(Collectors.joining(", ")) + "); the torch-sdpa peer needs ATTN4J_PLUGINS, see"
                        + " docs/benchmarks/torch-peer.md");
            }
        }
        List<String> skippedWorkloads = new ArrayList<>();
        Map<Scale, List<Workload>> workloads = new EnumMap<>(Scale.class);

        List<Target> targets = o.noProviders ? List.of() : targets(o, dtypes, providerPeers);
        List<PeerStatus> peerStatuses = new ArrayList<>();
        List<Target> peerTargets = peerTargets(o, providerPeers, dtypes, peerStatuses);
        List<BenchRow> rows = new ArrayList<>();
        double budget = o.budgetSeconds != null ? o.budgetSeconds
                : !o.quick ? 0 : allPeers.isEmpty() ? QUICK_BUDGET_SECONDS : QUICK_BUDGET_WITH_PEERS_SECONDS;
        if (!targets.isEmpty() || !peerTargets.isEmpty()) {
            List<Target> measured = new ArrayList<>(targets);
            measured.addAll(peerTargets);
            int steps = 0;
            for (Target t : measured) {
                steps += workloads(t.scale(), sets, masks, o.quick, workloads, skippedWorkloads).size()
                        * t.dtypes().size();
            }
            Deadline deadline = Deadline.in(budget);
            ProgressBar progress = o.progress ? new ProgressBar(err, System.console() != null, steps)
                    : new ProgressBar(new PrintWriter(java.io.Writer.nullWriter()), false, steps);
            ReferenceCheck check = new ReferenceCheck(reference);
            for (Target t : measured) {
                boolean peer = peerTargets.contains(t);
                err.println("bench: " + (peer ? "peer " : "") + t.provider().name() + " on " + t.placement().device()
                        + ", " + t.scale() + " scale, " + t.dtypes().stream().map(DType::label)
                        .collect(Collectors.joining(",")));
                RowFactory factory = new RowFactory(peer ? BenchRow.PEER : BenchRow.ATTN4J, t.provider().name(),
                        peer ? "" : t.provider().getClass().getName(), deviceName(t.placement()),
                        t.placement().isHost() ? "cpu" : "cuda");
                ProviderBench bench = new ProviderBench(t.provider(), t.placement(), check, policy, deadline,
                        o.rotateBytes, o.maxSets, o.quick ? 2 : 4, fwd, bwd, factory);
                rows.addAll(bench.run(workloads.get(t.scale()), t.dtypes(), progress));
            }
            progress.finish();
        }
        for (String s : skippedWorkloads.stream().distinct().collect(Collectors.toList())) {
            err.println("bench: left out " + s);
        }

        List<Map<String, String>> facts = new ArrayList<>();
        for (Target t : targets) {
            facts.add(t.placement().environment());
        }
        Environment env = EnvironmentProbe.collect(facts, registry.diagnostics().stream().map(ProviderInfo::toString)
                .collect(Collectors.toList()));
        List<String> dtypeLabels = targets.stream().flatMap(t -> t.dtypes().stream()).map(DType::label).distinct()
                .collect(Collectors.toList());
        Settings settings = new Settings(o.quick, sets, masks == null ? List.of("default")
                : masks.stream().map(MaskSpec::toString).collect(Collectors.toList()), dtypeLabels,
                ShapeSets.cpuScalingNote(), policy.warmup(), policy.minReps(), policy.maxReps(),
                policy.targetSeconds(), budget, o.rotateBytes);
        BenchDocument doc = new BenchDocument(BenchDocument.SCHEMA, "attn4j-bench", env, settings, peerStatuses,
                rows);

        if (!peers.isEmpty() || o.planOut != null) {
            PeerPlan plan = peerPlan(o, sets, masks, dtypes, policy, fwd, bwd, peers, workloads, skippedWorkloads);
            if (o.planOut != null) {
                JsonCodec.write(plan, o.planOut);
                err.println("bench: wrote peer plan " + o.planOut);
            }
            if (!peers.isEmpty()) {
                doc = runPeers(doc, plan, peers, o);
            }
        }
        for (Path p : o.merge) {
            BenchDocument other = JsonCodec.read(p);
            doc = doc.merge(other);
            err.println("bench: merged " + other.rows().size() + " rows from " + p);
        }
        doc = doc.withRows(PeerComparison.annotate(doc.rows()));

        if (o.table) {
            out.print(TerminalTable.render(doc.rows()));
            for (PeerStatus p : doc.peers()) {
                out.println("peer " + p.name() + ": " + p.status() + (p.note() == null || p.note().isEmpty() ? ""
                        : " (" + p.note() + ")"));
            }
            if (targets.stream().anyMatch(t -> t.scale() == Scale.CPU)) {
                out.println(ShapeSets.cpuScalingNote());
            }
        }
        if (o.json != null) {
            JsonCodec.write(doc, o.json);
            err.println("bench: wrote " + o.json);
        }
        if (o.csv != null) {
            CsvWriter.write(doc.rows(), o.csv);
            err.println("bench: wrote " + o.csv);
        }
        if (o.report != null) {
            ReportWriter.write(doc, o.report);
            err.println("bench: wrote report " + o.report.resolve("index.html"));
        }
        out.flush();
        err.flush();
        return doc;
    }

    /**
     * The provider plugins named as peers that can run here, at the scale and types the providers get (so that their
     * rows meet the same configurations); the others get a peer status saying why not.
     */
    private List<Target> peerTargets(BenchOptions o, List<String> names, List<DType> dtypes,
                                     List<PeerStatus> statuses) {
        List<Target> out = new ArrayList<>();
        for (String name : names) {
            AttentionProvider p = registry.get(name);
            Availability a = availability(p);
            if (!a.isAvailable()) {
                statuses.add(new PeerStatus(name, "skipped", a.reason()));
                err.println("bench: skipping peer " + name + ": " + a.reason());
                continue;
            }
            try {
                Placement placement = Placement.of(p);
                out.add(new Target(p, placement, scale(o, placement),
                        dtypes != null ? dtypes : List.of(placement.isHost() ? DType.FP32 : DType.BF16)));
                statuses.add(new PeerStatus(name, "ok", a.reason()));
            } catch (IllegalArgumentException e) {
                statuses.add(new PeerStatus(name, "skipped", e.getMessage()));
            }
        }
        return out;
    }

    /** The providers to measure (see {@link BenchOptions#providers}); those named as peers are left out. */
    List<Target> targets(BenchOptions o, List<DType> dtypes, List<String> peerNames) {
        List<AttentionProvider> chosen = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (!o.providers.isEmpty()) {
            for (String name : splitAll(o.providers)) {
                AttentionProvider p = registry.get(name);
                Availability a = availability(p);
                if (a.isAvailable()) {
                    chosen.add(p);
                } else {
                    problems.add(p.name() + ": unavailable (" + a.reason() + ")");
                }
            }
        } else {
            List<AttentionProvider> available = new ArrayList<>();
            for (AttentionProvider p : registry.providers()) {
                Availability a = availability(p);
                if (a.isAvailable()) {
                    available.add(p);
                } else {
                    problems.add(p.name() + ": unavailable (" + a.reason() + ")");
                }
            }
            for (AttentionProvider p : available) {
                if (!p.name().equals(ReferenceProvider.NAME) && !peerNames.contains(p.name())) {
                    chosen.add(p);
                }
            }
            if (chosen.isEmpty() && !available.isEmpty()) {
                chosen.add(available.get(0));
            }
        }
        for (String p : problems) {
            err.println("bench: skipping provider " + p);
        }
        List<Target> out = new ArrayList<>();
        for (AttentionProvider p : chosen) {
            Placement placement;
            try {
                placement = Placement.of(p);
            } catch (IllegalArgumentException e) {
                err.println("bench: skipping provider " + e.getMessage());
                continue;
            }
            List<DType> types = dtypes != null ? dtypes : List.of(placement.isHost() ? DType.FP32 : DType.BF16);
            out.add(new Target(p, placement, scale(o, placement), types));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("provider: nothing to measure" + (problems.isEmpty()
                    ? (registry.providers().isEmpty() ? " (no providers on the class path)" : "")
                    : " (" + String.join("; ", problems) + ")"));
        }
        return out;
    }

    /** --scale, or with {@code auto} the CPU scale for host providers and the full one for devices. */
    private static Scale scale(BenchOptions o, Placement placement) {
        return "auto".equalsIgnoreCase(o.scale) ? (placement.isHost() ? Scale.CPU : Scale.FULL) : Scale.parse(o.scale);
    }

    private static Availability availability(AttentionProvider p) {
        try {
            Availability a = p.availability();
            return a != null ? a : Availability.unavailable("no availability reported");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability check failed: " + e);
        }
    }

    /** The workloads of {@code scale}, built once per scale. */
    static List<Workload> workloads(Scale scale, List<String> sets, List<MaskSpec> masks, boolean quick,
                                    Map<Scale, List<Workload>> cache, List<String> skipped) throws IOException {
        List<Workload> cached = cache.get(scale);
        if (cached != null) {
            return cached;
        }
        List<Shape> shapes = new ArrayList<>();
        for (String set : sets) {
            switch (set.toLowerCase(Locale.ROOT)) {
                case "fa":
                    shapes.addAll(ShapeSets.flashAttention(scale, quick, masks));
                    break;
                case "gym":
                    shapes.addAll(ShapeSets.attentionGym(scale, quick, masks));
                    break;
                default:
                    shapes.addAll(ShapeFile.read(Path.of(set), scale, masks));
            }
        }
        List<Workload> w = Workload.expand(shapes, skipped);
        cache.put(scale, w);
        return w;
    }

    private PeerPlan peerPlan(BenchOptions o, List<String> sets, List<MaskSpec> masks, List<DType> dtypes,
                              RepetitionPolicy policy, boolean fwd, boolean bwd, List<String> peers,
                              Map<Scale, List<Workload>> cache, List<String> skipped) throws IOException {
        Set<Scale> scales = new LinkedHashSet<>();
        if (o.planOut != null || peers.contains("torch")) {
            scales.add(Scale.FULL);
        }
        scales.add(Scale.CPU);
        List<String> directions = new ArrayList<>();
        if (fwd) {
            directions.add("forward");
        }
        if (bwd) {
            directions.add("backward");
        }
        List<PeerPlan.Entry> entries = new ArrayList<>();
        // Shapes from files are not scaled: they appear once, as scale "any", with the types of every scale.
        Map<String, Integer> fileEntries = new java.util.HashMap<>();
        for (Scale scale : scales) {
            List<String> types = dtypes != null ? dtypes.stream().map(DType::label).collect(Collectors.toList())
                    : List.of(scale == Scale.CPU ? "fp32" : "bf16");
            for (Workload w : workloads(scale, sets, masks, o.quick, cache, skipped)) {
                boolean fromFile = !w.shape().set().equals("fa") && !w.shape().set().equals("gym");
                Integer seen = fromFile ? fileEntries.get(w.id()) : null;
                if (seen != null) {
                    PeerPlan.Entry e = entries.get(seen);
                    Set<String> union = new LinkedHashSet<>(e.dtypes());
                    union.addAll(types);
                    entries.set(seen, new PeerPlan.Entry(e.workload(), e.scale(), new ArrayList<>(union),
                            e.directions()));
                    continue;
                }
                if (fromFile) {
                    fileEntries.put(w.id(), entries.size());
                }
                entries.add(new PeerPlan.Entry(w, fromFile ? "any" : scale.label(), types, directions));
            }
        }
        double peerBudget = o.budgetSeconds != null ? o.budgetSeconds : o.quick ? QUICK_PEER_BUDGET_SECONDS : 0;
        return PeerPlan.of(entries, o.quick, policy, peerBudget, o.rotateBytes, o.maxSets);
    }

    private BenchDocument runPeers(BenchDocument doc, PeerPlan plan, List<String> peers, BenchOptions o)
            throws IOException {
        Path dir = Files.createTempDirectory("attn4j-peers");
        try {
            Path scripts = PeerScripts.extractTo(dir.resolve("scripts"));
            Path planFile = dir.resolve("plan.json");
            JsonCodec.write(plan, planFile);
            PeerRunner runner = new PeerRunner(o.python, scripts, o.peerTimeoutSeconds);
            List<PeerStatus> statuses = new ArrayList<>(doc.peers());
            for (String peer : peers) {
                for (List<String> cmd : runner.commands(peer, planFile, dir)) {
                    err.println("bench: peer " + String.join(" ", cmd));
                    err.flush();
                    BenchDocument result = runner.run(peer, cmd);
                    statuses.addAll(result.peers());
                    doc = doc.withRows(concat(doc.rows(), result.rows()));
                }
            }
            return doc.withPeers(statuses);
        } finally {
            deleteTree(dir);
        }
    }

    private static List<BenchRow> concat(List<BenchRow> a, List<BenchRow> b) {
        List<BenchRow> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted((x, y) -> y.getNameCount() - x.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover temp file is harmless
                }
            });
        } catch (IOException e) {
            // same
        }
    }

    static RepetitionPolicy policy(BenchOptions o) {
        RepetitionPolicy base = o.quick ? RepetitionPolicy.QUICK : RepetitionPolicy.FULL;
        int minReps = o.minReps != null ? o.minReps : base.minReps();
        int maxReps = o.maxReps != null ? o.maxReps : Math.max(base.maxReps(), minReps);
        return new RepetitionPolicy(o.warmup != null ? o.warmup : base.warmup(), minReps, maxReps,
                o.targetSeconds != null ? o.targetSeconds : base.targetSeconds());
    }

    private static List<DType> parseDtypes(List<String> items) {
        return splitAll(items).stream().map(DType::parse).distinct().collect(Collectors.toList());
    }

    /** Items as given, each also split at commas, trimmed, blanks dropped. */
    static List<String> splitAll(List<String> items) {
        List<String> out = new ArrayList<>();
        for (String item : items) {
            for (String part : item.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    private static String deviceName(Placement placement) {
        String d = placement.environment().get("device");
        if (d != null) {
            return placement.device() + " " + d;
        }
        return "cpu: " + EnvironmentProbe.cpuModel() + " (" + Runtime.getRuntime().availableProcessors()
                + " threads)";
    }
}
