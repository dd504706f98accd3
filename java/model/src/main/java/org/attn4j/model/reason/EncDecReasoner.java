package org.attn4j.model.reason;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.model.encdec.AttentionKind;
import org.attn4j.model.encdec.AttentionSpec;
import org.attn4j.model.encdec.DecodeAttention;
import org.attn4j.model.encdec.EncDecCheckpoint;
import org.attn4j.model.encdec.EncDecConfig;
import org.attn4j.model.encdec.EncDecGenerator;
import org.attn4j.model.encdec.EncDecModel;
import org.attn4j.model.encdec.EncDecTrainer;
import org.attn4j.model.encdec.Generation;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.Parallel;

/** The encoder-decoder learning a task: the encoder reads the input, the decoder writes the chain after the prompt. */
final class EncDecReasoner implements Reasoner {
    private final ReasoningTask task;
    private final EncDecModel model;
    private final EncDecTrainer trainer;

    EncDecReasoner(ReasoningTask task, ReasonOptions o, long totalSteps) throws IOException {
        this.task = task;
        this.model = o.load() != null ? loaded(task, o) : new EncDecModel(config(task, o), o.seed(),
                Parallel.of(o.threads()));
        this.trainer = new EncDecTrainer(model, o.lr(), o.weightDecay(), o.clipNorm(), totalSteps);
    }

    /** A saved model, which must be the one these options train (same task, sizes, attention, seed). */
    private static EncDecModel loaded(ReasoningTask task, ReasonOptions o) throws IOException {
        EncDecModel m = EncDecCheckpoint.load(o.load(), Parallel.of(o.threads())).model();
        EncDecConfig expected = config(task, o);
        if (!m.config().equals(expected)) {
            EncDecConfig c = m.config();
            m.close();
            throw new IllegalArgumentException("load: the model in " + o.load() + " is not the one these flags train"
                    + " (saved " + c + "; flags " + expected + ")");
        }
        return m;
    }

    /** The model a run of these options trains. */
    static EncDecConfig config(ReasoningTask task, ReasonOptions o) {
        AttentionSpec spec = new AttentionSpec(o.normalizer(), o.attention());
        return new EncDecConfig(task.vocabSize(), task.inputFields(), task.inputPositions(), task.inputLength(),
                task.promptLength() + task.cotLength(), o.dim(), o.heads(), o.encoderLayers(), o.decoderLayers(),
                o.mlpHidden(), o.dropout(), 0.02, Collections.nCopies(o.encoderLayers(), spec),
                Collections.nCopies(o.decoderLayers(), spec), Collections.nCopies(o.decoderLayers(), spec),
                o.featureMask(), o.output(), o.seed());
    }

    @Override
    public double trainStep(List<Problem> batch) {
        int[][] seqs = sequences(batch);
        int[][] shifted = Batches.shifted(seqs, task.promptLength() - 1);
        int length = seqs[0].length - 1;
        int inputLength = batch.get(0).input().length / task.inputFields();
        return trainer.step(Batches.inputs(batch), shifted[0], shifted[1], batch.size(), inputLength, length);
    }

    @Override
    public int[][] teacherForced(List<Problem> problems) {
        int[][] seqs = sequences(problems);
        int[][] shifted = Batches.shifted(seqs, 0);
        int length = seqs[0].length - 1;
        int inputLength = problems.get(0).input().length / task.inputFields();
        float[] logits = model.forward(Batches.inputs(problems), shifted[0], problems.size(), inputLength, length,
                EncDecModel.Mode.EVAL, null, null);
        int vocab = task.vocabSize();
        int first = task.promptLength() - 1;
        int[][] out = new int[problems.size()][length - first];
        for (int b = 0; b < problems.size(); b++) {
            for (int t = first; t < length; t++) {
                out[b][t - first] = CrossEntropy.argmax(logits, b * length + t, vocab);
            }
        }
        return out;
    }

    @Override
    public Reasoning generate(List<Problem> problems, DecodeAttention attention) {
        int prompt = task.promptLength();
        int newTokens = problems.get(0).cot().length + 1;
        int inputLength = problems.get(0).input().length / task.inputFields();
        Generation g = new EncDecGenerator(model).generate(Batches.inputs(problems), problems.size(), inputLength,
                Batches.prompts(problems), prompt, newTokens, attention);
        int[][] chains = new int[problems.size()][newTokens];
        for (int b = 0; b < problems.size(); b++) {
            for (int t = 0; t < newTokens; t++) {
                chains[b][t] = g.token(b, prompt + t);
            }
        }
        Map<String, long[]> byKind = new LinkedHashMap<>();
        for (AttentionKind kind : AttentionKind.values()) {
            byKind.put(kind.label(), new long[] {g.pairs().attended(kind), g.pairs().dense(kind)});
        }
        return new Reasoning(chains, g.pairs().attended(), g.pairs().dense(), byKind, g.encodeSeconds(),
                g.decodeSeconds(), g.meanSupport());
    }

    private int[][] sequences(List<Problem> ps) {
        int[][] seqs = new int[ps.size()][];
        for (int b = 0; b < ps.size(); b++) {
            seqs[b] = Batches.sequence(new int[0], ps.get(b), task.eos());
        }
        return seqs;
    }

    @Override
    public long parameterCount() {
        return model.config().parameterCount();
    }

    @Override
    public String provider() {
        return model.attentionProvider();
    }

    @Override
    public void save(Path dir, Map<String, Object> taskDescription) throws IOException {
        EncDecCheckpoint.save(dir, model, taskDescription);
    }

    @Override
    public void close() {
        model.close();
    }
}
