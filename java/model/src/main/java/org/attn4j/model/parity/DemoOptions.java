package org.attn4j.model.parity;

import java.nio.file.Path;
import java.util.List;

/**
 * The demo story ({@code ./attn4j demo}): train the recorded one-layer configuration with CoT, then generate the chain
 * of thought for held-out prompts with dense attention and with token top-k sparse attention.
 */
public final class DemoOptions {
    private ParityOptions training = defaultTraining();
    private int prompts = 2048;
    private List<Integer> topKs = List.of(1, 2);
    private Path json;

    /** The recorded one-layer, one-head configuration with CoT (docs/model-layer.md). */
    public static ParityOptions defaultTraining() {
        return new ParityOptions().cot(true);
    }

    public DemoOptions validate() {
        training.validate();
        if (!training.cot()) {
            throw new IllegalArgumentException("cot: the demo generates a chain of thought; train with cot");
        }
        if (training.model() != ParityOptions.Model.GPT) {
            throw new IllegalArgumentException("model: the demo generates with the GPT model, got "
                    + training.model().label());
        }
        if (prompts < 1) {
            throw new IllegalArgumentException("prompts: expected >= 1, got " + prompts);
        }
        for (int k : topKs) {
            if (k < 1) {
                throw new IllegalArgumentException("topKs: expected values >= 1, got " + k);
            }
        }
        return this;
    }

    public ParityOptions training() {
        return training;
    }

    /** The training run (must be GPT with CoT). */
    public DemoOptions training(ParityOptions v) {
        training = v;
        return this;
    }

    public int prompts() {
        return prompts;
    }

    /** Held-out prompts to generate for (at most the evaluation set). */
    public DemoOptions prompts(int v) {
        prompts = v;
        return this;
    }

    public List<Integer> topKs() {
        return topKs;
    }

    /** The token top-k settings to compare with dense attention. */
    public DemoOptions topKs(List<Integer> v) {
        topKs = List.copyOf(v);
        return this;
    }

    public Path json() {
        return json;
    }

    public DemoOptions json(Path v) {
        json = v;
        return this;
    }
}
