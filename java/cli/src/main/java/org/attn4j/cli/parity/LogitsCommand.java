package org.attn4j.cli.parity;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.attn4j.cli.CliException;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.io.Checkpoint;
import org.attn4j.model.nn.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attn4j logits}: the logits of one token sequence under a saved GPT model, space separated, so that an
 * independent implementation (scripts/gpt2_numpy_check.py reads the safetensors with NumPy) can compare.
 */
@Command(name = "logits", mixinStandardHelpOptions = true, hidden = true,
        description = "Print the logits (positions x vocabulary, row-major) of one sequence under a saved GPT model.")
public final class LogitsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "A directory with model.safetensors and config.json.")
    Path dir;
    @Option(names = "--tokens", paramLabel = "LIST", required = true, description = "Token ids, e.g. 1,0,1,1.")
    String tokens;

    @Override
    public Integer call() throws Exception {
        List<Integer> ids = IntList.parseInts("--tokens", tokens);
        try (GptModel m = Checkpoint.loadGpt(dir, Parallel.serial()).model()) {
            int vocab = m.config().vocabSize();
            for (int t : ids) {
                if (t < 0 || t >= vocab) {
                    throw new CliException("--tokens: expected ids in 0.." + (vocab - 1) + ", got " + t);
                }
            }
            if (ids.isEmpty() || ids.size() > m.config().contextLength()) {
                throw new CliException("--tokens: expected 1.." + m.config().contextLength() + " tokens, got "
                        + ids.size());
            }
            int[] t = ids.stream().mapToInt(Integer::intValue).toArray();
            float[] l = m.forward(t, 1, t.length, GptModel.Mode.EVAL);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < t.length * vocab; i++) {
                sb.append(i == 0 ? "" : " ").append(l[i]);
            }
            spec.commandLine().getOut().println(sb);
        }
        return 0;
    }
}
