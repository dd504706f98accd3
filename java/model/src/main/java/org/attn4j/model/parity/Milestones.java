package org.attn4j.model.parity;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When a run first reached each level of the metrics that tell how it converged: exact match 0.9, 0.99, 0.995 and
 * 1.0 (plus the run's own threshold) and, with CoT, every CoT row's secret probability at 0.9. Comparing the two
 * separates a slow tail (most sequences right long before the last few) from slow optimisation of the attention.
 */
final class Milestones {
    /** The exact-match levels every run reports (the paper's Figure 3a counts 0.995, its code stops at 1.0). */
    static final double[] EXACT_MATCH_LEVELS = {0.9, 0.99, 0.995, 1.0};
    /** The per-row secret probability every CoT row must reach. */
    static final double SECRET_PROBABILITY_LEVEL = 0.9;

    private final Map<String, Long> exactMatch = new LinkedHashMap<>();
    private final Map<String, Long> secretProbability = new LinkedHashMap<>();
    private final Map<String, Double> levels = new LinkedHashMap<>();

    Milestones(double threshold, boolean cot) {
        for (double level : EXACT_MATCH_LEVELS) {
            levels.put(key(level), level);
        }
        levels.put(key(threshold), threshold);
        for (String k : levels.keySet()) {
            exactMatch.put(k, null);
        }
        if (cot) {
            secretProbability.put(key(SECRET_PROBABILITY_LEVEL), null);
        }
    }

    static String key(double level) {
        return Double.toString(level);
    }

    /** Notes an evaluation made after {@code samples} training samples. */
    void record(long samples, Evaluation ev) {
        for (Map.Entry<String, Double> e : levels.entrySet()) {
            if (exactMatch.get(e.getKey()) == null && ev.exactMatch() >= e.getValue()) {
                exactMatch.put(e.getKey(), samples);
            }
        }
        String s = key(SECRET_PROBABILITY_LEVEL);
        if (secretProbability.containsKey(s) && secretProbability.get(s) == null
                && ev.secretProbabilityMin() >= SECRET_PROBABILITY_LEVEL) {
            secretProbability.put(s, samples);
        }
    }

    Map<String, Long> exactMatch() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(exactMatch));
    }

    Map<String, Long> secretProbability() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(secretProbability));
    }
}
