package org.attn4j.cli;

import java.nio.file.Path;
import org.attn4j.Normalizer;
import org.attn4j.model.parity.ParityOptions;
import picocli.CommandLine.Option;

/**
 * The flags of one parity run, shared by {@code parity}, {@code sweep} and {@code demo} (drop-in draft for the CLI
 * module: it maps picocli options onto the model layer's {@link ParityOptions}). Unset options keep the model layer's
 * defaults (docs/model-layer.md).
 */
public final class ParityOptionsMixin {
    @Option(names = "--n", description = "input bits (default 20)")
    Integer n;
    @Option(names = "--k", description = "secret size (default 3)")
    Integer k;
    @Option(names = "--cot", description = "train with the chain of thought")
    boolean cot;
    @Option(names = "--model", description = "gpt or theory (default gpt)")
    String model;
    @Option(names = "--layers")
    Integer layers;
    @Option(names = "--heads")
    Integer heads;
    @Option(names = "--dim", description = "hidden size (gpt, default 64) or embedding dimension (theory, 128)")
    Integer dim;
    @Option(names = "--mlp", description = "MLP width of the gpt model (default 4 x dim)")
    Integer mlp;
    @Option(names = "--lr", description = "peak learning rate (gpt: AdamW, default 1e-3; theory: SGD, default 100)")
    Double lr;
    @Option(names = "--batch", description = "samples per step (gpt 64, theory 4096)")
    Integer batch;
    @Option(names = "--max-samples", description = "sample budget of one-pass training (default 200000)")
    Long maxSamples;
    @Option(names = "--train-size", description = "fixed training set for multi-pass training (needs --epochs)")
    Integer trainSize;
    @Option(names = "--epochs")
    Integer epochs;
    @Option(names = "--normalizer", description = "softmax, sparsemax or entmax15")
    String normalizer;
    @Option(names = "--window", description = "sliding window of every layer")
    Integer window;
    @Option(names = "--global", description = "global tokens of the window")
    Integer global;
    @Option(names = "--seed", description = "seeds the secret, the data and the initialisation")
    Long seed;
    @Option(names = "--eval-every", description = "samples between evaluations (default 2048)")
    Integer evalEvery;
    @Option(names = "--dropout", description = "gpt dropout (default 0.1)")
    Float dropout;
    @Option(names = "--weight-decay")
    Double weightDecay;
    @Option(names = "--threads", description = "CPU threads of the dense layers (default: all cores)")
    Integer threads;
    @Option(names = "--theory-warm-lr", description = "SGD rate of the theory model's first two steps")
    Double theoryWarmLr;
    @Option(names = "--no-stop", description = "train to the budget instead of stopping at exact match 1.0")
    boolean noStop;

    /** {@code base} with every option given on the command line applied. */
    ParityOptions apply(ParityOptions base) {
        ParityOptions o = base.copy();
        if (model != null) {
            o.model(ParityOptions.Model.parse(model));
        }
        if (n != null) {
            o.n(n);
        }
        if (k != null) {
            o.k(k);
        }
        if (cot) {
            o.cot(true);
        }
        if (layers != null) {
            o.layers(layers);
        }
        if (heads != null) {
            o.heads(heads);
        }
        if (dim != null) {
            o.dim(dim);
        }
        if (mlp != null) {
            o.mlpHidden(mlp);
        }
        if (lr != null) {
            o.lr(lr);
        }
        if (batch != null) {
            o.batch(batch);
        }
        if (maxSamples != null) {
            o.maxSamples(maxSamples);
        }
        if (trainSize != null) {
            o.trainSize(trainSize);
        }
        if (epochs != null) {
            o.epochs(epochs);
        }
        if (normalizer != null) {
            o.normalizer(Normalizer.parse(normalizer));
        }
        if (window != null) {
            o.window(window);
        }
        if (global != null) {
            o.globalTokens(global);
        }
        if (seed != null) {
            o.seed(seed);
        }
        if (evalEvery != null) {
            o.evalEvery(evalEvery);
        }
        if (dropout != null) {
            o.dropout(dropout);
        }
        if (weightDecay != null) {
            o.weightDecay(weightDecay);
        }
        if (threads != null) {
            o.threads(threads);
        }
        if (theoryWarmLr != null) {
            o.theoryWarmLr(theoryWarmLr);
        }
        if (noStop) {
            o.stopAtConvergence(false);
        }
        return o;
    }

    static Path path(String s) {
        return s == null ? null : Path.of(s);
    }
}
