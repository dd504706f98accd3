package org.attn4j.model.reason;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.attn4j.model.encdec.DecodeAttention;
import org.attn4j.model.encdec.Sparsity;
import org.attn4j.model.parity.ProgressListener;

/**
 * The third part of {@code ./attn4j demo}: the seed's sparse-attention reasoning model (an encoder-decoder) learns
 * pointer chasing, a chain of lookups whose cells depend on the input, then reasons on held-out tables densely, through
 * per-step token and block top-k, and on tables four times longer than any it trained on.
 */
public final class ReasonDemo {
    private ReasonDemo() {
    }

    /** The demo's run: pointer chasing, 16 cells, 4 hops, 64 symbols; tested at 16 and 64 cells. */
    public static ReasonOptions options(long seed) {
        return new ReasonOptions().task("pointer").n(16).hops(4).symbols(64).seed(seed).maxSamples(60_000)
                .evalEvery(4096).evalSize(256).testSize(256)
                .decodeAttention(List.of(DecodeAttention.everywhere(Sparsity.tokenTopK(1)),
                        DecodeAttention.everywhere(Sparsity.blockTopK(1, 4)))).testLengths(List.of(64));
    }

    public static ReasonResult run(ReasonOptions options, ProgressListener progress) throws IOException {
        ReasonOptions o = options.copy().validate();
        ReasoningTask t = o.buildTask();
        progress.onStage(String.format(Locale.ROOT, "1. Training the encoder-decoder (%d + %d blocks, %d heads, dim %d)"
                        + " on %s: a table of key/value cells, a start key, and a chain of %d lookups.",
                o.encoderLayers(), o.decoderLayers(), o.heads(), o.dim(), t.describe(), t.cotLength()));
        ReasonResult r = ReasonExperiment.run(o, progress);
        progress.onStage(String.format(Locale.ROOT, "2. Reasoning on %d held-out tables (greedy, KV caches of both"
                + " attentions, masks chosen per step):", o.testSize()));
        progress.onStage(String.format(Locale.ROOT, "   %-7s %-14s %9s %8s %10s %11s", "cells", "attention",
                "accuracy", "chain", "attended", "ms/problem"));
        for (TestResult x : r.tests()) {
            progress.onStage(String.format(Locale.ROOT, "   %-7d %-14s %9.3f %8.2f %10.4f %11.3f", x.inputLength(),
                    x.decodeAttention(), x.accuracy(), x.cotLength(), x.attendedFraction(), x.msPerProblem()));
        }
        return r;
    }
}
