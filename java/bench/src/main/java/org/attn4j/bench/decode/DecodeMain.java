package org.attn4j.bench.decode;

import picocli.CommandLine;

/**
 * Runs {@code decode} on its own (the same options as {@code ./attn4j decode}), e.g. from the GPU bundle, which
 * carries the bench jar but not the command line's.
 */
public final class DecodeMain {
    private DecodeMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DecodeCommand()).execute(args));
    }
}
