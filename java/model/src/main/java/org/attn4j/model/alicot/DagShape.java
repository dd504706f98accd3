package org.attn4j.model.alicot;

/**
 * The sizes of a NatBool-DAG-style problem: {@code inputs} Boolean inputs, {@code depth} gates on a spine (gate
 * {@code g} reads gate {@code g - 1}, so the longest path from an input to the queried sink has {@code depth} gates),
 * each gate reading {@code fanIn} distinct earlier nodes.
 *
 * @param inputs number of input variables (at least {@code fanIn}: the first gate reads only inputs)
 * @param depth  number of gates; the sink is the last one
 * @param fanIn  parents per gate
 */
public record DagShape(int inputs, int depth, int fanIn) {
    /** Inputs are tracked as bits of a {@code long}; far more than a small model can read anyway. */
    public static final int MAX_INPUTS = 30;
    public static final int MAX_DEPTH = 64;
    public static final int MAX_FAN_IN = 8;

    public DagShape {
        if (fanIn < 2 || fanIn > MAX_FAN_IN) {
            throw new IllegalArgumentException("fanIn: expected 2.." + MAX_FAN_IN + ", got " + fanIn);
        }
        if (inputs < fanIn || inputs > MAX_INPUTS) {
            throw new IllegalArgumentException("inputs: expected " + fanIn + ".." + MAX_INPUTS
                    + " (at least the fan-in: the first gate reads inputs only), got " + inputs);
        }
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("depth: expected 1.." + MAX_DEPTH + ", got " + depth);
        }
        // Every gate must compute a parity set no earlier node has (irreducibility), and a gate's set has at least
        // two inputs (one input would make it a copy or complement of that input).
        long distinctSets = (1L << inputs) - 1 - inputs;
        if (depth > distinctSets) {
            throw new IllegalArgumentException("depth: at most " + distinctSets + " irreducible gates exist over "
                    + inputs + " inputs, got " + depth);
        }
    }

    /** Inputs and gates. */
    public int nodes() {
        return inputs + depth;
    }

    /** Node index of gate {@code g} (inputs come first). */
    public int gateNode(int g) {
        return inputs + g;
    }
}
