package org.attn4j.model.alicot;

/**
 * Tokens of the task and how a problem is written with them.
 *
 * <pre>
 * prompt:  [name=value] for each input, in the problem's shuffled order, then ? and the sink's name   inputs + 2
 * chain:   the values of the sink's ancestors in topological order ({@link DagTask#chainNodes()})
 * answer:  the sink's value
 * </pre>
 *
 * An input's name and value are one token, so the model finds an input by its name, wherever the problem lists it,
 * in one attention hop (the names are fixed per task, the positions are not). Each chain step is then either an
 * input's value, found by its name, or a gate's value, the parity of earlier chain values.
 *
 * <p>Ids: {@code 0}, {@code 1}, {@code ?}, one name per node, one {@code [name=value]} token per node and value, then,
 * for compression ratios {@code r > 1}, the {@code 2^r} chunk-state tokens (one per assignment of the {@code r} gate
 * values a latent token stands for).
 */
public final class DagVocabulary {
    public static final int ZERO = 0;
    public static final int ONE = 1;
    public static final int QUERY = 2;
    static final int FIRST_NAME = 3;
    /** The largest ratio with state tokens (2^6 = 64 of them). */
    public static final int MAX_RATIO = 6;

    private final DagTask task;
    private final DagShape shape;
    private final int[] chainNodes;
    private final int ratio;

    /** @param ratio chain steps per latent token (1: the value tokens are the states) */
    public DagVocabulary(DagTask task, int ratio) {
        this.task = java.util.Objects.requireNonNull(task, "task");
        this.shape = task.shape();
        if (ratio < 1 || ratio > MAX_RATIO) {
            throw new IllegalArgumentException("ratio: expected 1.." + MAX_RATIO + ", got " + ratio);
        }
        this.ratio = ratio;
        this.chainNodes = task.chainNodes();
    }

    public DagTask task() {
        return task;
    }

    public DagShape shape() {
        return shape;
    }

    public int ratio() {
        return ratio;
    }

    public int size() {
        return firstState() + (ratio > 1 ? 1 << ratio : 0);
    }

    /** The token of name {@code nameIndex}. */
    public int name(int nameIndex) {
        return FIRST_NAME + nameIndex;
    }

    /** The token {@code [name=value]}. */
    public int assignment(int nameIndex, int value) {
        return FIRST_NAME + shape.nodes() + 2 * nameIndex + value;
    }

    private int firstState() {
        return FIRST_NAME + 3 * shape.nodes();
    }

    public int promptLength() {
        return shape.inputs() + 2;
    }

    /** Steps of the explicit chain: the sink's ancestors. */
    public int steps() {
        return chainNodes.length;
    }

    /** The node of chain step {@code j}. */
    public int chainNode(int j) {
        return chainNodes[j];
    }

    /** Writes {@code dag}'s prompt into {@code out} from {@code offset}. */
    public void prompt(BoolDag dag, int[] out, int offset) {
        requireTask(dag);
        int o = offset;
        for (int i = 0; i < shape.inputs(); i++) {
            int node = dag.listedInput(i);
            out[o++] = assignment(task.name(node), dag.value(node));
        }
        out[o++] = QUERY;
        out[o] = name(task.name(shape.gateNode(shape.depth() - 1)));
    }

    public int[] prompt(BoolDag dag) {
        int[] out = new int[promptLength()];
        prompt(dag, out, 0);
        return out;
    }

    /** The explicit chain of thought: the values of the sink's ancestors in topological order. */
    public int[] chain(BoolDag dag) {
        requireTask(dag);
        int[] c = new int[steps()];
        for (int j = 0; j < c.length; j++) {
            c[j] = dag.value(chainNodes[j]);
        }
        return c;
    }

    /** The value of chain step {@code j}. */
    public int stepValue(BoolDag dag, int j) {
        return dag.value(chainNodes[j]);
    }

    private void requireTask(BoolDag dag) {
        if (dag.task() != task) {
            throw new IllegalArgumentException("dag: expected a problem of this vocabulary's task");
        }
    }

    /** Latent tokens that stand for the chain at this ratio: one per {@code ratio} steps, the last maybe fewer. */
    public int latents() {
        return (steps() + ratio - 1) / ratio;
    }

    /** The chain steps latent {@code j} stands for: {@code [chunkStart, chunkEnd)}. */
    public int chunkStart(int j) {
        return j * ratio;
    }

    public int chunkEnd(int j) {
        return Math.min((j + 1) * ratio, steps());
    }

    /**
     * The intermediate state latent {@code j} is aligned with: the values of its chunk's steps as one token (the
     * value token itself at ratio 1; at ratio {@code r > 1} state token {@code sum_i v_i 2^i}, steps missing from a
     * short last chunk counting as 0).
     */
    public int stateToken(BoolDag dag, int j) {
        if (j < 0 || j >= latents()) {
            throw new IllegalArgumentException("j: expected 0.." + (latents() - 1) + ", got " + j);
        }
        requireTask(dag);
        if (ratio == 1) {
            return stepValue(dag, j);
        }
        int state = 0;
        for (int s = chunkStart(j); s < chunkEnd(j); s++) {
            state |= stepValue(dag, s) << (s - chunkStart(j));
        }
        return firstState() + state;
    }

    /** A readable form of tokens, for messages and tests: {@code [n3=1] [n0=0] ? n5 1 0}. */
    public String describe(int[] tokens, int from, int to) {
        StringBuilder sb = new StringBuilder();
        int names = shape.nodes();
        for (int i = from; i < to; i++) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            int t = tokens[i];
            if (t < FIRST_NAME) {
                sb.append(new String[] {"0", "1", "?"}[t]);
            } else if (t < FIRST_NAME + names) {
                sb.append('n').append(t - FIRST_NAME);
            } else if (t < firstState()) {
                int a = t - FIRST_NAME - names;
                sb.append("[n").append(a / 2).append('=').append(a % 2).append(']');
            } else {
                sb.append('s').append(t - firstState());
            }
        }
        return sb.toString();
    }
}
