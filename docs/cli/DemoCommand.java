package org.attn4j.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.attn4j.model.parity.ConsoleProgress;
import org.attn4j.model.parity.DemoOptions;
import org.attn4j.model.parity.DemoStory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The model part of {@code ./attn4j demo} (drop-in draft for the CLI module; the demo command may run it after its
 * attention benchmark): train with CoT, watch the entropy fall, generate the chain of thought densely and through
 * top-1 / top-2 token attention.
 */
@Command(name = "demo-model", mixinStandardHelpOptions = true,
        description = "Train a one-layer transformer on parity with CoT, then generate its chain of thought through "
                + "sparse attention.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    ParityOptionsMixin options;
    @Option(names = "--prompts", description = "held-out prompts to generate for (default 2048)")
    Integer prompts;
    @Option(names = "--top-k", split = ",", description = "token top-k values to compare with dense (default 1,2)")
    List<Integer> topK;
    @Option(names = "--json", description = "write the story's figures here")
    String json;

    @Override
    public Integer call() throws Exception {
        DemoOptions d = new DemoOptions();
        d.training(options.apply(DemoOptions.defaultTraining()));
        if (prompts != null) {
            d.prompts(prompts);
        }
        if (topK != null) {
            d.topKs(topK);
        }
        d.json(ParityOptionsMixin.path(json));
        ConsoleProgress progress = ConsoleProgress.stderr();
        DemoStory.run(d, progress);
        progress.finish();
        return 0;
    }
}
