package org.attn4j.model.alicot;

/**
 * The gates of the task: parity-like, so that every parent matters for every assignment (flipping any one parent
 * flips the output) and no input can be skipped.
 */
public enum Gate {
    /** The parity of the parents. */
    XOR,
    /** The negated parity of the parents. */
    XNOR;

    public int apply(int parityOfParents) {
        return this == XOR ? parityOfParents & 1 : 1 - (parityOfParents & 1);
    }
}
