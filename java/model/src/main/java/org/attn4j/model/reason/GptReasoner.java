package org.attn4j.model.reason;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.mask.Tiles;
import org.attn4j.model.encdec.DecodeAttention;
import org.attn4j.model.encdec.Sparsity;
import org.attn4j.model.gpt.GenerationOptions;
import org.attn4j.model.gpt.GenerationResult;
import org.attn4j.model.gpt.Generator;
import org.attn4j.model.gpt.GptConfig;
import org.attn4j.model.gpt.GptModel;
import org.attn4j.model.gpt.LayerAttention;
import org.attn4j.model.io.Checkpoint;
import org.attn4j.model.nn.AdamW;
import org.attn4j.model.nn.CrossEntropy;
import org.attn4j.model.nn.LinearDecay;
import org.attn4j.model.nn.Parallel;

/**
 * The decoder-only GPT learning a task, the baseline of the encoder-decoder: it reads the input as one sequence
 * ({@link ReasoningTask#renderInput}), then the prompt, and writes the chain. Its blocks number the encoder's and the
 * decoder's together and its MLP width is chosen so that it has as many parameters as the encoder-decoder of the same
 * options ({@link #config}); it trains on the same problems with the same optimiser and output layer.
 */
final class GptReasoner implements Reasoner {
    private final ReasoningTask task;
    private final ReasonOptions options;
    private final GptModel model;
    private final AdamW optimizer;
    private final LinearDecay schedule;
    private float[] dLogits = new float[0];
    private long step;

    GptReasoner(ReasoningTask task, ReasonOptions o, long totalSteps) throws IOException {
        this.task = task;
        this.options = o;
        this.model = o.load() != null ? loaded(task, o) : new GptModel(config(task, o), o.seed(),
                Parallel.of(o.threads()));
        this.optimizer = AdamW.standard(model.parameters(), o.weightDecay());
        this.schedule = new LinearDecay(o.lr(), 0, totalSteps);
    }

    /** A saved GPT, which must be the one these options train. */
    private static GptModel loaded(ReasoningTask task, ReasonOptions o) throws IOException {
        GptModel m = Checkpoint.loadGpt(o.load(), Parallel.of(o.threads())).model();
        GptConfig expected = config(task, o);
        if (!m.config().equals(expected)) {
            GptConfig c = m.config();
            m.close();
            throw new IllegalArgumentException("load: the model in " + o.load() + " is not the one these flags train"
                    + " (saved " + c + "; flags " + expected + ")");
        }
        return m;
    }

    /** The sequence the GPT reads and writes: the rendered input, the prompt, the chain and the end token. */
    static int length(ReasoningTask t) {
        return t.renderedInputLength() + t.promptLength() + t.cotLength() + 1;
    }

    /** A GPT with the encoder-decoder's parameter count: all its blocks, the MLP width solved for the count. */
    static GptConfig config(ReasoningTask t, ReasonOptions o) {
        long target = EncDecReasoner.config(t, o).parameterCount();
        int layers = o.encoderLayers() + o.decoderLayers();
        int d = o.dim();
        // The generator reserves a position for the last token it writes (never fed back), so the context holds the
        // whole sequence, one more than training reads.
        int context = length(t);
        LayerAttention spec = layerAttention(o.attention(), o, context);
        GptConfig probe = new GptConfig(t.vocabSize(), context, d, layers, o.heads(), 1, 1e-5f, o.dropout(), true,
                0.02, java.util.Collections.nCopies(layers, spec));
        long perWidth = (long) layers * (2L * d + 1);
        long mlp = Math.max(1, Math.round((target - probe.parameterCount() + perWidth) / (double) perWidth));
        return probe.withMlpHidden((int) Math.min(Integer.MAX_VALUE / 4, mlp));
    }

    private static LayerAttention layerAttention(Sparsity s, ReasonOptions o, int context) {
        LayerAttention a = LayerAttention.of(o.normalizer());
        switch (s.kind()) {
            case DENSE:
                return a;
            case WINDOW:
                return a.withWindow(s.window(), s.globalTokens());
            case TOKEN_TOPK:
                return a.withTokenTopK(s.keys(context));
            default:
                throw new IllegalArgumentException("attention: the gpt architecture trains with dense, window or token"
                        + " top-k attention, got " + s.label());
        }
    }

    @Override
    public double trainStep(List<Problem> batch) {
        int[][] shifted = Batches.shifted(sequences(batch), firstLabelled());
        int length = length(task) - 1;
        int rows = batch.size() * length;
        int vocab = task.vocabSize();
        if (dLogits.length != rows * vocab) {
            dLogits = new float[rows * vocab];
        }
        model.zeroGrad();
        float[] logits = model.forward(shifted[0], batch.size(), length, GptModel.Mode.TRAIN);
        double loss = options.output().loss(logits, shifted[1], rows, vocab, dLogits);
        model.backward(dLogits);
        AdamW.clipGradients(model.parameters(), options.clipNorm());
        optimizer.step(schedule.at(step++));
        return loss;
    }

    /** The first row whose next token is labelled: the prompt's last. */
    private int firstLabelled() {
        return task.renderedInputLength() + task.promptLength() - 1;
    }

    @Override
    public int[][] teacherForced(List<Problem> problems) {
        int[][] shifted = Batches.shifted(sequences(problems), 0);
        int length = length(task) - 1;
        float[] logits = model.forward(shifted[0], problems.size(), length, GptModel.Mode.EVAL);
        int first = firstLabelled();
        int[][] out = new int[problems.size()][length - first];
        for (int b = 0; b < problems.size(); b++) {
            for (int t = first; t < length; t++) {
                out[b][t - first] = CrossEntropy.argmax(logits, b * length + t, task.vocabSize());
            }
        }
        return out;
    }

    @Override
    public Reasoning generate(List<Problem> problems, DecodeAttention attention) {
        int promptLength = task.renderedInputLength() + task.promptLength();
        int newTokens = task.cotLength() + 1;
        int[] prompts = new int[problems.size() * promptLength];
        for (int b = 0; b < problems.size(); b++) {
            int[] s = sequences(List.of(problems.get(b)))[0];
            System.arraycopy(s, 0, prompts, b * promptLength, promptLength);
        }
        GenerationResult g = new Generator(model).generate(prompts, problems.size(), promptLength, newTokens,
                options(attention, length(task) - 1));
        // The prompt's pass is the model's last forward pass: its attended pairs per layer.
        GptConfig c = model.config();
        long promptDense = (long) problems.size() * c.heads() * c.layers() * promptLength * (promptLength + 1) / 2;
        long promptAttended = 0;
        for (int l = 0; l < c.layers(); l++) {
            long pairs = model.attendedPairs(l);
            promptAttended += pairs >= 0 ? pairs : promptDense / c.layers();
        }
        int[][] chains = new int[problems.size()][newTokens];
        for (int b = 0; b < problems.size(); b++) {
            for (int t = 0; t < newTokens; t++) {
                chains[b][t] = g.token(b, promptLength + t);
            }
        }
        Map<String, long[]> byKind = new LinkedHashMap<>();
        byKind.put("prompt", new long[] {promptAttended, promptDense});
        byKind.put("decode", new long[] {g.attendedPairs(), g.causalPairs()});
        return new Reasoning(chains, promptAttended + g.attendedPairs(), promptDense + g.causalPairs(), byKind,
                g.prefillSeconds(), g.decodeSeconds(), support(g.tokens(), problems.size(), promptLength));
    }

    /** Mean output support over the generated tokens, from a full pass over the generated sequences. */
    private double support(int[] tokens, int batch, int promptLength) {
        int total = tokens.length / batch;
        int length = total - 1;
        int[] in = new int[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(tokens, b * total, in, b * length, length);
        }
        float[] logits = model.forward(in, batch, length, GptModel.Mode.EVAL);
        float[] scratch = new float[task.vocabSize()];
        long sum = 0;
        long rows = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = promptLength - 1; t < length; t++) {
                sum += options.output().support(logits, b * length + t, task.vocabSize(), scratch);
                rows++;
            }
        }
        return rows == 0 ? 0 : sum / (double) rows;
    }

    /** The GPT's generation settings for a decode-time attention: token or block top-k, else as trained. */
    private static GenerationOptions options(DecodeAttention attention, int context) {
        Sparsity s = attention == null ? null : attention.decoder();
        if (s == null || s.kind() == Sparsity.Kind.DENSE) {
            return GenerationOptions.asTrained();
        }
        switch (s.kind()) {
            case TOKEN_TOPK:
                return GenerationOptions.topKTokens(s.keys(context));
            case BLOCK_TOPK:
                return GenerationOptions.topKBlocks(s.blocks(Tiles.ceilDiv(context, s.blockSize())), s.blockSize());
            default:
                throw new IllegalArgumentException("decodeAttention: the gpt generator chooses token or block top-k"
                        + " per step (static masks are the layers' own), got " + s.label());
        }
    }

    private int[][] sequences(List<Problem> ps) {
        List<int[]> out = new ArrayList<>();
        for (Problem p : ps) {
            out.add(Batches.sequence(task.renderInput(p), p, task.eos()));
        }
        return out.toArray(new int[0][]);
    }

    @Override
    public long parameterCount() {
        return model.config().parameterCount();
    }

    @Override
    public String provider() {
        return model.attentionProvider(0);
    }

    @Override
    public void save(Path dir, Map<String, Object> taskDescription) throws IOException {
        Checkpoint.saveGpt(dir, model, null);
    }

    @Override
    public void close() {
        model.close();
    }
}
