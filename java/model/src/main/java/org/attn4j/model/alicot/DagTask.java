package org.attn4j.model.alicot;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One NatBool-DAG-style task: a DAG of XOR/XNOR gates over Boolean inputs and a name for every node, drawn once from
 * a seed (as parity's secret set is) and fixed for all its problems; each problem then draws the inputs' values and
 * the order in which the prompt lists them ({@link #sample}). Nodes {@code 0 .. inputs-1} are the inputs,
 * {@code inputs .. inputs+depth-1} the gates in topological order; the last gate is the queried sink.
 *
 * <p>Structure: gate 0 reads {@code fanIn} distinct inputs; gate {@code g >= 1} reads gate {@code g - 1} (the spine,
 * which fixes the depth) and {@code fanIn - 1} other distinct nodes drawn uniformly from the inputs and gates
 * {@code 0 .. g-2}. Parity with a chain of thought is the special case where those are always inputs.
 *
 * <p>Irreducible: over GF(2) every node is an affine function of the inputs, its <em>parity set</em> being the
 * inputs it depends on. A draw is kept only when (a) every gate's parity set has at least two inputs and no earlier
 * input or gate has it (no step is a copy or complement of something already known, so none can be skipped) and (b)
 * the sink's parity set holds every input among its ancestors (no input cancels out: flipping any of them flips the
 * answer). Each gate's operation (XOR or XNOR) is then drawn uniformly, and the names are a random permutation of the
 * nodes, so a name says nothing about where its node sits in the DAG.
 */
public final class DagTask {
    /** Draws tried before giving up on a shape; irreducible draws are common for every shape the CLI accepts. */
    static final int MAX_DRAWS = 1_000_000;

    private final DagShape shape;
    private final int[][] parents;
    private final Gate[] gates;
    private final int[] names;

    /**
     * @param parents for each gate, its parent nodes (earlier nodes only)
     * @param gates   each gate's operation
     * @param names   each node's name (a permutation of {@code 0 .. nodes-1})
     */
    public DagTask(DagShape shape, int[][] parents, Gate[] gates, int[] names) {
        this.shape = java.util.Objects.requireNonNull(shape, "shape");
        int d = shape.depth();
        if (parents == null || parents.length != d) {
            throw new IllegalArgumentException("parents: expected one entry per gate (" + d + ")");
        }
        if (gates == null || gates.length != d) {
            throw new IllegalArgumentException("gates: expected one entry per gate (" + d + ")");
        }
        if (names == null || names.length != shape.nodes() || !isPermutation(names)) {
            throw new IllegalArgumentException("names: expected a permutation of 0.." + (shape.nodes() - 1) + ", got "
                    + Arrays.toString(names));
        }
        this.parents = new int[d][];
        for (int g = 0; g < d; g++) {
            int[] ps = parents[g];
            if (ps == null || ps.length != shape.fanIn()) {
                throw new IllegalArgumentException("parents[" + g + "]: expected " + shape.fanIn() + " parents");
            }
            for (int i = 0; i < ps.length; i++) {
                if (ps[i] < 0 || ps[i] >= shape.gateNode(g)) {
                    throw new IllegalArgumentException("parents[" + g + "]: expected earlier nodes 0.."
                            + (shape.gateNode(g) - 1) + ", got " + ps[i]);
                }
                for (int j = 0; j < i; j++) {
                    if (ps[j] == ps[i]) {
                        throw new IllegalArgumentException("parents[" + g + "]: expected distinct parents, got "
                                + Arrays.toString(ps));
                    }
                }
            }
            this.parents[g] = ps.clone();
            if (gates[g] == null) {
                throw new IllegalArgumentException("gates[" + g + "]: expected XOR or XNOR, got null");
            }
        }
        this.gates = gates.clone();
        this.names = names.clone();
    }

    /** Draws an irreducible task of this shape from {@code seed}. */
    public static DagTask draw(DagShape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = shape.inputs();
        int d = shape.depth();
        int f = shape.fanIn();
        int[][] parents = new int[d][];
        for (int draw = 0; ; draw++) {
            if (draw == MAX_DRAWS) {
                throw new IllegalArgumentException("depth: no irreducible DAG with " + n + " inputs, depth " + d
                        + " and fan-in " + f + " found in " + MAX_DRAWS + " draws; use more inputs");
            }
            parents[0] = sample(random, n, f);
            for (int g = 1; g < d; g++) {
                int spine = shape.gateNode(g - 1);
                int[] others = sample(random, spine, f - 1); // inputs and gates 0 .. g-2: the nodes below the spine
                int[] ps = new int[f];
                ps[0] = spine;
                System.arraycopy(others, 0, ps, 1, f - 1);
                parents[g] = ps;
            }
            if (isIrreducible(shape, parents)) {
                break;
            }
        }
        Gate[] gates = new Gate[d];
        for (int g = 0; g < d; g++) {
            gates[g] = random.nextBoolean() ? Gate.XOR : Gate.XNOR;
        }
        return new DagTask(shape, parents, gates, permutation(random, shape.nodes()));
    }

    /** A problem: uniform input values, listed in a uniformly shuffled order. */
    public BoolDag sample(SplittableRandom random) {
        int[] inputs = new int[shape.inputs()];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = random.nextInt(2);
        }
        return new BoolDag(this, inputs, permutation(random, shape.inputs()));
    }

    public DagShape shape() {
        return shape;
    }

    /** The parents of gate {@code g}. */
    public int[] parents(int g) {
        return parents[g].clone();
    }

    public Gate gate(int g) {
        return gates[g];
    }

    /** The name of node {@code node}. */
    public int name(int node) {
        return names[node];
    }

    /**
     * The explicit chain of thought's nodes: the sink's ancestors in topological order, each gate's input parents
     * listed (when not yet listed) just before the gate; the sink itself is the answer, not part of the chain.
     */
    public int[] chainNodes() {
        int[] order = new int[shape.nodes()];
        boolean[] listed = new boolean[shape.nodes()];
        int n = 0;
        int sink = shape.depth() - 1;
        for (int g = 0; g <= sink; g++) {
            for (int p : parents[g]) {
                if (p < shape.inputs() && !listed[p]) {
                    listed[p] = true;
                    order[n++] = p;
                }
            }
            if (g < sink) {
                order[n++] = shape.gateNode(g);
            }
        }
        return Arrays.copyOf(order, n);
    }

    /** Every node's value for these input values. */
    public int[] evaluate(int[] inputs) {
        if (inputs.length != shape.inputs()) {
            throw new IllegalArgumentException("inputs: expected " + shape.inputs() + " values, got " + inputs.length);
        }
        int[] values = Arrays.copyOf(inputs, shape.nodes());
        for (int g = 0; g < shape.depth(); g++) {
            int parity = 0;
            for (int p : parents[g]) {
                parity ^= values[p];
            }
            values[shape.gateNode(g)] = gates[g].apply(parity);
        }
        return values;
    }

    /** Each node's parity set as a bit mask of inputs. */
    public long[] paritySets() {
        return paritySets(shape, parents);
    }

    /** The inputs among the sink's ancestors, as a bit mask. */
    public long ancestorInputs() {
        return ancestorInputs(shape, parents);
    }

    /**
     * Each node's parity set as a bit mask of inputs (bit {@code i}: input {@code i}); the constant the XNORs add is
     * left out.
     */
    static long[] paritySets(DagShape shape, int[][] parents) {
        long[] sets = new long[shape.nodes()];
        for (int i = 0; i < shape.inputs(); i++) {
            sets[i] = 1L << i;
        }
        for (int g = 0; g < shape.depth(); g++) {
            long s = 0;
            for (int p : parents[g]) {
                s ^= sets[p];
            }
            sets[shape.gateNode(g)] = s;
        }
        return sets;
    }

    static long ancestorInputs(DagShape shape, int[][] parents) {
        boolean[] ancestor = new boolean[shape.nodes()];
        ancestor[shape.gateNode(shape.depth() - 1)] = true;
        long inputs = 0;
        for (int g = shape.depth() - 1; g >= 0; g--) {
            if (!ancestor[shape.gateNode(g)]) {
                continue;
            }
            for (int p : parents[g]) {
                ancestor[p] = true;
                if (p < shape.inputs()) {
                    inputs |= 1L << p;
                }
            }
        }
        return inputs;
    }

    /** Conditions (a) and (b) of the class comment. */
    static boolean isIrreducible(DagShape shape, int[][] parents) {
        long[] sets = paritySets(shape, parents);
        for (int g = 0; g < shape.depth(); g++) {
            int node = shape.gateNode(g);
            if (Long.bitCount(sets[node]) < 2) {
                return false;
            }
            for (int earlier = 0; earlier < node; earlier++) {
                if (sets[earlier] == sets[node]) {
                    return false;
                }
            }
        }
        return sets[shape.gateNode(shape.depth() - 1)] == ancestorInputs(shape, parents);
    }

    /** Whether the task as built satisfies conditions (a) and (b). */
    public boolean isIrreducible() {
        return isIrreducible(shape, parents);
    }

    /** {@code count} distinct values of {@code 0 .. bound-1}, uniformly. */
    private static int[] sample(SplittableRandom random, int bound, int count) {
        int[] pool = new int[bound];
        for (int i = 0; i < bound; i++) {
            pool[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(bound - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        return Arrays.copyOf(pool, count);
    }

    private static int[] permutation(SplittableRandom random, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static boolean isPermutation(int[] p) {
        boolean[] seen = new boolean[p.length];
        for (int v : p) {
            if (v < 0 || v >= p.length || seen[v]) {
                return false;
            }
            seen[v] = true;
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < shape.depth(); g++) {
            sb.append(g == 0 ? "" : ", ").append('g').append(g).append(" = ").append(gates[g]).append('(');
            for (int i = 0; i < parents[g].length; i++) {
                int p = parents[g][i];
                sb.append(i == 0 ? "" : ", ").append(p < shape.inputs() ? "x" + p : "g" + (p - shape.inputs()));
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
