package org.attn4j.model.alicot;

import java.util.Arrays;

/**
 * One problem of a {@link DagTask}: the inputs' values (so every node's value) and the order in which the prompt lists
 * the inputs.
 */
public final class BoolDag {
    private final DagTask task;
    private final int[] values;
    private final int[] inputOrder;

    /**
     * @param inputs     the input values (0 or 1)
     * @param inputOrder the order in which the prompt lists the inputs (a permutation of {@code 0 .. inputs-1})
     */
    public BoolDag(DagTask task, int[] inputs, int[] inputOrder) {
        this.task = java.util.Objects.requireNonNull(task, "task");
        int n = task.shape().inputs();
        if (inputs == null || inputs.length != n) {
            throw new IllegalArgumentException("inputs: expected " + n + " values");
        }
        for (int i = 0; i < n; i++) {
            if (inputs[i] != 0 && inputs[i] != 1) {
                throw new IllegalArgumentException("inputs[" + i + "]: expected 0 or 1, got " + inputs[i]);
            }
        }
        if (inputOrder == null || inputOrder.length != n) {
            throw new IllegalArgumentException("inputOrder: expected a permutation of 0.." + (n - 1));
        }
        boolean[] seen = new boolean[n];
        for (int v : inputOrder) {
            if (v < 0 || v >= n || seen[v]) {
                throw new IllegalArgumentException("inputOrder: expected a permutation of 0.." + (n - 1) + ", got "
                        + Arrays.toString(inputOrder));
            }
            seen[v] = true;
        }
        this.values = task.evaluate(inputs);
        this.inputOrder = inputOrder.clone();
    }

    public DagTask task() {
        return task;
    }

    public DagShape shape() {
        return task.shape();
    }

    /** The value of node {@code node} (input or gate). */
    public int value(int node) {
        return values[node];
    }

    /** The value of gate {@code g}. */
    public int gateValue(int g) {
        return values[task.shape().gateNode(g)];
    }

    /** The queried sink's value: the answer. */
    public int answer() {
        return gateValue(task.shape().depth() - 1);
    }

    /** The {@code i}-th input the prompt lists. */
    public int listedInput(int i) {
        return inputOrder[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BoolDag b && task == b.task && Arrays.equals(values, b.values)
                && Arrays.equals(inputOrder, b.inputOrder);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + Arrays.hashCode(inputOrder);
    }
}
