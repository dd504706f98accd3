package org.attn4j.bench;

import org.attn4j.bench.cli.BenchCommand;
import picocli.CommandLine;

/**
 * Runs {@code bench} on its own (the same options as {@code ./attn4j bench}), e.g. through java/bench/run-bench.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }
}
