package org.attn4j.model.alicot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The held-out problems and the stream of training problems of one run. Both come from seeds derived from the run's
 * seed, so every mode of a seed trains on the same stream and is evaluated on the same problems; a training problem
 * whose prompt equals a held-out one is drawn again (the prompt determines the problem).
 */
public final class AlicotData {
    private final DagVocabulary vocabulary;
    private final List<BoolDag> heldOut;
    private final Set<String> heldOutPrompts = new HashSet<>();
    private final BoolDagGenerator training;
    private long redrawn;

    public AlicotData(DagTask task, DagVocabulary vocabulary, int heldOutSize, long heldOutSeed, long trainingSeed) {
        this.vocabulary = vocabulary;
        BoolDagGenerator g = new BoolDagGenerator(task, heldOutSeed);
        List<BoolDag> problems = new ArrayList<>(heldOutSize);
        for (int i = 0; i < heldOutSize; i++) {
            BoolDag dag = g.next();
            problems.add(dag);
            heldOutPrompts.add(key(dag));
        }
        this.heldOut = List.copyOf(problems);
        this.training = new BoolDagGenerator(task, trainingSeed);
    }

    public List<BoolDag> heldOut() {
        return heldOut;
    }

    /** The next {@code n} training problems. */
    public List<BoolDag> nextBatch(int n) {
        List<BoolDag> batch = new ArrayList<>(n);
        while (batch.size() < n) {
            BoolDag dag = training.next();
            if (heldOutPrompts.contains(key(dag))) {
                redrawn++;
                continue;
            }
            batch.add(dag);
        }
        return batch;
    }

    /** Training problems drawn again because they were held out. */
    public long redrawn() {
        return redrawn;
    }

    private String key(BoolDag dag) {
        return Arrays.toString(vocabulary.prompt(dag));
    }
}
