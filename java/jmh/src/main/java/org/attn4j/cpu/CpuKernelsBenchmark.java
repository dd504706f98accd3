package org.attn4j.cpu;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.attn4j.Normalizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cpu provider's inner loops, one tile at a time, so that a regression in one of them shows by name: the score
 * row {@code q K^T} of a 128-key tile, the weighted sum {@code P V}, the shifted exponential of online softmax, the
 * sparsemax / entmax thresholds of a 4096-score row, token top-k's k-th largest score on its general path, and the
 * whole token top-409 selection of a 4096-score row.
 *
 * <p>This class sits in the provider's package (in this benchmark jar) to reach its package-private kernels. The
 * selection runs on the kernels the provider would choose: the Vector API ones with
 * {@code --add-modules jdk.incubator.vector -Dattn4j.cpu.simd=vector} in {@code -jvmArgs}, else the plain ones.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CpuKernelsBenchmark {
    private static final int TILE = 128;
    private static final int ROW = 4096;

    @Param({"64", "128"})
    public int headDim;

    private float[] q;
    private float[][] keysTransposed;
    private float[][] values;
    private float[] scores;
    private float[] weights;
    private float[] accumulator;
    private float[] expScratch;
    private float[] row;
    private float rowMax;
    private double[] rowScratch;
    private double[] rowAsDouble;
    private double[] selectScratch;
    private float[] keysFlat;
    private float[] tokenScores;
    private float[] selectScores;
    private int[] keyNumbers;
    private int[] selectKeys;
    private final ExactTokenScores exactScores = new ExactTokenScores();
    private final TokenSelection selection = new TokenSelection();

    @Setup
    public void setUp() {
        Random rnd = new Random(42);
        q = gaussian(rnd, headDim, 0.125f);
        keysTransposed = new float[headDim][];
        for (int c = 0; c < headDim; c++) {
            keysTransposed[c] = gaussian(rnd, TILE, 1);
        }
        values = new float[TILE][];
        for (int j = 0; j < TILE; j++) {
            values[j] = gaussian(rnd, headDim, 1);
        }
        scores = gaussian(rnd, TILE, 1);
        weights = gaussian(rnd, TILE, 0.01f);
        accumulator = new float[headDim];
        expScratch = new float[TILE];
        row = gaussian(rnd, ROW, 3);
        rowMax = Kernels.max(row, ROW);
        rowScratch = new double[ROW];
        rowAsDouble = new double[ROW];
        for (int j = 0; j < ROW; j++) {
            rowAsDouble[j] = row[j];
        }
        selectScratch = new double[ROW];
        // Token top-409 of one query against 4096 keys: the row's float scores as the forward pass computes them.
        keysFlat = gaussian(rnd, ROW * headDim, 1);
        float[] query = gaussian(rnd, headDim, 1);
        double scale = 1 / Math.sqrt(headDim);
        float[] scaled = query.clone();
        Kernels.scaleQuery(scaled, scale, headDim);
        float[][] keysT = new float[headDim][ROW];
        for (int j = 0; j < ROW; j++) {
            for (int c = 0; c < headDim; c++) {
                keysT[c][j] = keysFlat[j * headDim + c];
            }
        }
        tokenScores = new float[ROW];
        Kernels.scores(scaled, keysT, headDim, ROW, tokenScores);
        exactScores.prepare(scale, query, keysFlat, headDim, ExactTokenScores.keyNormMax(keysFlat, ROW, headDim));
        selectScores = new float[ROW];
        keyNumbers = new int[ROW];
        for (int j = 0; j < ROW; j++) {
            keyNumbers[j] = j;
        }
        selectKeys = new int[ROW];
    }

    private static float[] gaussian(Random rnd, int n, float sigma) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * sigma;
        }
        return x;
    }

    /** One query row against a 128-key tile: 128 x D multiply-adds. */
    @Benchmark
    public float scoreRow() {
        Kernels.scores(q, keysTransposed, headDim, TILE, scores);
        return scores[TILE - 1];
    }

    /** O += P V for one query row over a 128-key tile: 128 x D multiply-adds. */
    @Benchmark
    public float weightedValues() {
        Kernels.addWeightedRows(accumulator, weights, values, 0, TILE, headDim, false);
        return accumulator[0];
    }

    /** exp(s - max) over a 128-score tile, the online softmax's inner step. */
    @Benchmark
    public float shiftedExp() {
        return FastExp.expShifted(scores, 2.5f, TILE, expScratch);
    }

    /** Sparsemax threshold of a 4096-score row. */
    @Benchmark
    public double sparsemaxThreshold() {
        return SparseThresholds.threshold(Normalizer.SPARSEMAX, row, ROW, rowMax, rowScratch);
    }

    /** Entmax-1.5 threshold of a 4096-score row. */
    @Benchmark
    public double entmaxThreshold() {
        return SparseThresholds.threshold(Normalizer.ENTMAX15, row, ROW, rowMax, rowScratch);
    }

    /** Token top-409 of a 4096-score row: the kept keys, in key order, and the cut (copying the row in included). */
    @Benchmark
    public int tokenTopKSelection() {
        System.arraycopy(tokenScores, 0, selectScores, 0, ROW);
        System.arraycopy(keyNumbers, 0, selectKeys, 0, ROW);
        return selection.keep(selectScores, selectKeys, ROW, 409, exactScores, SelectedKernels.get(), true, false);
    }

    /** The 64th largest of 4096 score bounds (token top-k's general path, for rows whose floats cannot settle). */
    @Benchmark
    public double topKCut() {
        System.arraycopy(rowAsDouble, 0, selectScratch, 0, ROW);
        return TokenSelection.kthLargest(selectScratch, ROW, 64);
    }
}
