package org.attn4j.model.parity;

import org.attn4j.mask.SlidingWindow;
import org.attn4j.mask.StaticMask;
import org.attn4j.model.gpt.LayerAttention;

/**
 * The metrics of a model on the held-out set, with teacher forcing:
 * <ul>
 *   <li><b>exact match</b>: the fraction of sequences whose every scored token is predicted right;</li>
 *   <li><b>normalised attention entropy</b> per layer and head (the paper's Eq. 1, as its reference code computes
 *       it): for each query row {@code i >= 2} (1-based) the entropy {@code H_i = -sum_j p_ij ln p_ij} divided by
 *       {@code ln i}, the entropy of the uniform distribution over the {@code i} keys it may see; the minimum over
 *       the rows; averaged over the sequences. Under a sliding window the divisor is the log of the number of keys
 *       the row's static mask allows;</li>
 *   <li><b>CoT entropy</b> (CoT only) per layer and head: the same normalised entropy, averaged (not minimised)
 *       over the CoT rows {@code n .. n+k-1} and the sequences. Eq. 1's minimum runs over every row, input rows
 *       included, so a sparse input row can hide diffuse CoT rows; this one measures the rows the paper's sparse
 *       dependence is about;</li>
 *   <li><b>secret attention</b> (CoT only, first layer): the fraction of CoT rows (row {@code n + j - 1} depends on
 *       secret {@code s_j}) whose strongest attention weight, in at least one head, falls on their secret index;
 *       and <b>secret probability</b>: the mean weight on the secret index, taking the head that gives it most,
 *       overall and per CoT row (Theorem 3's quantity: it tends to 1 on every row). A row counts as a "hit" even
 *       when its largest weight is 0.27, so the probability per row is the sharper measure;
 *       {@code secretProbabilityMin} is its smallest row.</li>
 * </ul>
 *
 * @param exactMatch         fraction of sequences entirely right
 * @param entropy            {@code [layer][head]}
 * @param secretAttention    fraction of CoT rows attending most to their secret ({@code NaN} without CoT)
 * @param secretProbability  mean attention weight on the secret ({@code NaN} without CoT)
 * @param secretProbabilityByRow the same for each CoT row {@code n .. n+k-1} (empty without CoT)
 * @param cotEntropyMean     {@code [layer][head]}: mean normalised entropy over the CoT rows (null without CoT)
 */
public record Evaluation(double exactMatch, double[][] entropy, double secretAttention, double secretProbability,
                         double[] secretProbabilityByRow, double[][] cotEntropyMean) {

    /** Evaluates {@code learner} on {@code sequences [count * length]} in chunks of {@code chunk} sequences. */
    public static Evaluation of(ParityLearner learner, ParityTask task, int[] sequences, int count, int chunk,
                                LayerAttention[] layerMasks) {
        int len = task.length();
        int layers = learner.layers();
        int heads = learner.heads();
        int[] rows = learner.scoredRows(task);
        double[][] entropySum = new double[layers][heads];
        double[][] cotEntropySum = new double[layers][heads];
        double[] logCount = new double[len];
        long exact = 0;
        double[] byRow = new double[task.cot() ? task.k() : 0];
        long cotRows = 0;
        long hits = 0;
        double secretMass = 0;
        int[] buffer = new int[Math.min(chunk, count) * len];
        for (int start = 0; start < count; start += chunk) {
            int b = Math.min(chunk, count - start);
            int[] tokens = b * len == buffer.length ? buffer : new int[b * len];
            System.arraycopy(sequences, start * len, tokens, 0, b * len);
            ParityLearner.Prediction p = learner.predict(tokens, b, len, true);
            for (int s = 0; s < b; s++) {
                boolean ok = true;
                for (int r : rows) {
                    if (p.next()[s * len + r] != tokens[s * len + r + 1]) {
                        ok = false;
                        break;
                    }
                }
                if (ok) {
                    exact++;
                }
            }
            for (int l = 0; l < layers; l++) {
                float[] probs = p.attention()[l];
                fillLogCounts(logCount, len, layerMasks == null ? null : layerMasks[l]);
                for (int s = 0; s < b; s++) {
                    for (int h = 0; h < heads; h++) {
                        int o = (s * heads + h) * len * len;
                        entropySum[l][h] += minNormalisedEntropy(probs, o, len, logCount);
                        if (task.cot()) {
                            cotEntropySum[l][h] += meanNormalisedEntropy(probs, o, len, logCount, task.n(),
                                    task.n() + task.k());
                        }
                    }
                }
            }
            if (task.cot()) {
                float[] probs = p.attention()[0];
                for (int s = 0; s < b; s++) {
                    for (int row = task.n(); row < task.n() + task.k(); row++) {
                        int secret = task.secretOfRow(row);
                        boolean hit = false;
                        double best = 0;
                        for (int h = 0; h < heads; h++) {
                            int o = ((s * heads + h) * len + row) * len;
                            int arg = 0;
                            for (int j = 1; j <= row; j++) {
                                if (probs[o + j] > probs[o + arg]) {
                                    arg = j;
                                }
                            }
                            hit |= arg == secret;
                            best = Math.max(best, probs[o + secret]);
                        }
                        cotRows++;
                        hits += hit ? 1 : 0;
                        secretMass += best;
                        byRow[row - task.n()] += best;
                    }
                }
            }
        }
        double[][] entropy = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                entropy[l][h] = entropySum[l][h] / count;
            }
        }
        double[][] cotEntropy = null;
        if (task.cot()) {
            cotEntropy = new double[layers][heads];
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    cotEntropy[l][h] = cotEntropySum[l][h] / count;
                }
            }
        }
        for (int j = 0; j < byRow.length; j++) {
            byRow[j] /= count;
        }
        return new Evaluation(exact / (double) count, entropy,
                cotRows == 0 ? Double.NaN : hits / (double) cotRows,
                cotRows == 0 ? Double.NaN : secretMass / cotRows, byRow, cotEntropy);
    }

    /** The smallest per-row secret probability ({@code NaN} without CoT): every CoT row has at least this weight. */
    public double secretProbabilityMin() {
        double m = Double.NaN;
        for (double p : secretProbabilityByRow) {
            m = Double.isNaN(m) ? p : Math.min(m, p);
        }
        return m;
    }

    /** {@code ln(keys row i may see)} for each row (0 where fewer than two, so that the row is skipped). */
    private static void fillLogCounts(double[] logCount, int len, LayerAttention mask) {
        StaticMask m = new StaticMask(len, len, true,
                mask != null && mask.hasWindow()
                        ? SlidingWindow.of(mask.window(), 0, mask.globalTokens()) : null, null);
        for (int i = 0; i < len; i++) {
            int c = m.rowCount(i);
            logCount[i] = c >= 2 ? Math.log(c) : 0;
        }
    }

    /** Eq. 1 for one sequence and head: {@code min over rows of H_i / ln(count_i)}. */
    static double minNormalisedEntropy(float[] probs, int offset, int len, double[] logCount) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 1; i < len; i++) {
            if (logCount[i] == 0) {
                continue;
            }
            int o = offset + i * len;
            double h = 0;
            for (int j = 0; j <= i; j++) {
                double pj = probs[o + j];
                if (pj > 0) {
                    h -= pj * Math.log(pj);
                }
            }
            min = Math.min(min, h / logCount[i]);
        }
        return min == Double.POSITIVE_INFINITY ? 0 : min;
    }

    /**
     * The normalised entropy {@code H_i / ln(count_i)} averaged over rows {@code from .. to - 1} of one sequence and
     * head (rows that see a single key count as 0: their attention has no choice).
     */
    static double meanNormalisedEntropy(float[] probs, int offset, int len, double[] logCount, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            if (logCount[i] == 0) {
                continue;
            }
            int o = offset + i * len;
            double h = 0;
            for (int j = 0; j <= i; j++) {
                double pj = probs[o + j];
                if (pj > 0) {
                    h -= pj * Math.log(pj);
                }
            }
            sum += h / logCount[i];
        }
        return sum / (to - from);
    }

    /** The smallest entropy over every layer and head. */
    public double minEntropy() {
        double m = Double.POSITIVE_INFINITY;
        for (double[] layer : entropy) {
            for (double e : layer) {
                m = Math.min(m, e);
            }
        }
        return m;
    }
}
