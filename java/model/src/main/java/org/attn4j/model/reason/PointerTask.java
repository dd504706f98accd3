package org.attn4j.model.reason;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Pointer chasing, a multi-hop lookup: the input is a table of {@code m} cells, each a (key, value) pair of symbols
 * (one encoder position with two token fields); the keys are {@code m} distinct symbols of an alphabet of {@code S},
 * and the values follow one random cycle through the keys, so every value is the key of another cell. The prompt is a
 * start key {@code x_0}; the chain follows {@code h} hops, {@code x_{t+1}} = the value of the cell whose key is
 * {@code x_t}; the answer is {@code x_h}. Which cell a step reads depends on the input: the case for masks chosen per
 * step. The table is a set (no positions), so a model trained on small tables runs on any size up to {@code S} cells:
 * the length-scaling task. The decoder-only rendering writes the cells as {@code k_1 v_1 k_2 v_2 ..}. Tokens: the
 * symbols {@code 0..S-1}, EOS = S.
 */
public final class PointerTask implements ReasoningTask {
    private final int cells;
    private final int hops;
    private final int symbols;

    public PointerTask(int cells, int hops, int symbols) {
        if (symbols < 2) {
            throw new IllegalArgumentException("symbols: expected >= 2, got " + symbols);
        }
        if (cells < 2 || cells > symbols) {
            throw new IllegalArgumentException("n: expected 2.." + symbols + " cells (at most the symbols), got "
                    + cells);
        }
        if (hops < 1) {
            throw new IllegalArgumentException("hops: expected >= 1, got " + hops);
        }
        this.cells = cells;
        this.hops = hops;
        this.symbols = symbols;
    }

    @Override
    public String name() {
        return "pointer";
    }

    @Override
    public Map<String, Object> sizes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", cells);
        m.put("hops", hops);
        m.put("symbols", symbols);
        return m;
    }

    @Override
    public int vocabSize() {
        return symbols + 1;
    }

    @Override
    public int inputLength() {
        return cells;
    }

    @Override
    public int inputFields() {
        return 2;
    }

    @Override
    public boolean inputPositions() {
        return false;
    }

    @Override
    public int promptLength() {
        return 1;
    }

    @Override
    public int cotLength() {
        return hops;
    }

    @Override
    public int eos() {
        return symbols;
    }

    @Override
    public int[] answerPositions() {
        return new int[] {hops - 1};
    }

    @Override
    public double log2Problems() {
        // at least the cycles through m keys, (m - 1)!, times the choice of keys
        double bits = 0;
        for (int i = 2; i < cells; i++) {
            bits += Math.log(i) / Math.log(2);
        }
        return Math.min(64, bits + Math.log(cells) / Math.log(2));
    }

    @Override
    public ReasoningTask withInputLength(int n) {
        return new PointerTask(n, hops, symbols);
    }

    @Override
    public Problem sample(SplittableRandom random) {
        // m distinct keys: a partial shuffle of the alphabet
        int[] alphabet = new int[symbols];
        for (int i = 0; i < symbols; i++) {
            alphabet[i] = i;
        }
        for (int i = 0; i < cells; i++) {
            int j = i + random.nextInt(symbols - i);
            int t = alphabet[i];
            alphabet[i] = alphabet[j];
            alphabet[j] = t;
        }
        // keys[0..m) are in random order; the cycle visits them in that order: next(keys[i]) = keys[i + 1 mod m]
        int[] next = new int[symbols];
        for (int i = 0; i < cells; i++) {
            next[alphabet[i]] = alphabet[(i + 1) % cells];
        }
        // cells listed in a second random order, so the table's order says nothing about the cycle
        int[] order = new int[cells];
        for (int i = 0; i < cells; i++) {
            order[i] = i;
        }
        for (int i = cells - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] input = new int[2 * cells];
        for (int i = 0; i < cells; i++) {
            int key = alphabet[order[i]];
            input[2 * i] = key;
            input[2 * i + 1] = next[key];
        }
        int x = alphabet[random.nextInt(cells)];
        int[] cot = new int[hops];
        int[] prompt = {x};
        for (int t = 0; t < hops; t++) {
            x = next[x];
            cot[t] = x;
        }
        return new Problem(input, prompt, cot);
    }
}
