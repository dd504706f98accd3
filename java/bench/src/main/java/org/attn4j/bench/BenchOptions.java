package org.attn4j.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@code ./attn4j bench} can be told; the picocli command fills it, {@link BenchRunner} runs it. Null or
 * empty means the default described on each field. Public fields on purpose: this is a plain options holder.
 */
public final class BenchOptions {
    /** Providers to measure by name; empty: every available provider except {@code reference}, else the best one. */
    public List<String> providers = new ArrayList<>();
    /** A small set that finishes in under two minutes on a 2-core CPU (fewer shapes, reps and a time budget). */
    public boolean quick;
    /** {@code fa}, {@code gym} or shape files (JSON or CSV); empty: fa and gym. */
    public List<String> shapes = new ArrayList<>();
    /** Mask names (see MaskSpec); empty: each shape set's own list. */
    public List<String> masks = new ArrayList<>();
    /** fp32, fp16, bf16; empty: bf16 on GPUs, fp32 on CPUs. */
    public List<String> dtypes = new ArrayList<>();
    /** forward, backward or both (default). */
    public String direction = "both";
    /** full, cpu or auto (default: full on a GPU, cpu on a CPU). */
    public String scale = "auto";
    /** Results JSON; null: none (the report folder holds one anyway). */
    public Path json;
    /** Results CSV; null: none (the report folder holds one anyway). */
    public Path csv;
    /** Report folder (index.html, results.json, results.csv, PNG plots); null: none. */
    public Path report;
    /** Peers to run as subprocesses: numpy, torch. */
    public List<String> peers = new ArrayList<>();
    /** Peer (or earlier attn4j) result files to merge. */
    public List<Path> merge = new ArrayList<>();
    /** Writes the peer plan (the configurations with their masks) to this file. */
    public Path planOut;
    /** Skip measuring attn4j providers (only peers and merges), e.g. to re-render a report. */
    public boolean noProviders;
    /** Python interpreter for peers. */
    public String python = "python3";
    /** Limit for one peer subprocess, in seconds. */
    public double peerTimeoutSeconds = 3600;
    public Integer warmup;
    public Integer minReps;
    public Integer maxReps;
    public Double targetSeconds;
    /**
     * Time budget in seconds for the attn4j rows and for each peer command (0: none); default with --quick 75 s, or
     * 55 s plus 30 s per peer command when peers run; none otherwise.
     */
    public Double budgetSeconds;
    /** Bytes the rotated input sets span together (cache flushing). */
    public long rotateBytes = 256L << 20;
    /** Most input sets kept per shape. */
    public int maxSets = 8;
    /** Progress bar on stderr. */
    public boolean progress = true;
    /** Print the table on stdout. */
    public boolean table = true;
}
