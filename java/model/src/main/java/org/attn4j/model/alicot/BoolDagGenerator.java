package org.attn4j.model.alicot;

import java.util.SplittableRandom;

/** A seeded stream of problems of one {@link DagTask}. */
public final class BoolDagGenerator {
    private final DagTask task;
    private final SplittableRandom random;

    public BoolDagGenerator(DagTask task, long seed) {
        this.task = java.util.Objects.requireNonNull(task, "task");
        this.random = new SplittableRandom(seed);
    }

    public DagTask task() {
        return task;
    }

    public BoolDag next() {
        return task.sample(random);
    }
}
