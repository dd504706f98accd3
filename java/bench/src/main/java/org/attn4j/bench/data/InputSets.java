package org.attn4j.bench.data;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.bench.workload.Shape;

/**
 * Several independent sets of random inputs of one shape and type, where a provider reads them. Calls rotate
 * through the sets so that each call streams inputs that the previous call did not leave in the cache (the GPU's
 * L2, the CPU's last-level cache). Shared by every mask run on the same shape.
 */
public final class InputSets implements AutoCloseable {
    /** One set: Q, K, V and, created on first use, the output gradient dO. */
    public static final class Set {
        public final Tensor q;
        public final Tensor k;
        public final Tensor v;
        private Tensor gradOutput;
        private final long seed;

        Set(Tensor q, Tensor k, Tensor v, long seed) {
            this.q = q;
            this.k = k;
            this.v = v;
            this.seed = seed;
        }
    }

    private final Shape shape;
    private final DType dtype;
    private final Placement placement;
    private final List<Set> sets = new ArrayList<>();

    private InputSets(Shape shape, DType dtype, Placement placement) {
        this.shape = shape;
        this.dtype = dtype;
        this.placement = placement;
    }

    /**
     * Enough sets that together they span at least {@code rotateBytes} (2 at least, {@code maxSets} at most).
     */
    public static InputSets create(Shape shape, DType dtype, Placement placement, long rotateBytes, int maxSets,
                                   long seed) {
        int count = setsFor(shape, dtype, rotateBytes, maxSets);
        InputSets s = new InputSets(shape, dtype, placement);
        try {
            for (int i = 0; i < count; i++) {
                long setSeed = seed + 1000L * i;
                Tensor q = s.filled(new int[] {shape.batch(), shape.headsQ(), shape.seqQ(), shape.headDim()},
                        setSeed + 1);
                Tensor k = s.filled(new int[] {shape.batch(), shape.headsKv(), shape.seqK(), shape.headDim()},
                        setSeed + 2);
                Tensor v = s.filled(new int[] {shape.batch(), shape.headsKv(), shape.seqK(), shape.valueDim()},
                        setSeed + 3);
                s.sets.add(new Set(q, k, v, setSeed));
            }
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Number of sets whose inputs span {@code rotateBytes}, between 2 and {@code maxSets}. */
    public static int setsFor(Shape shape, DType dtype, long rotateBytes, int maxSets) {
        long bytes = setBytes(shape, dtype);
        long wanted = bytes == 0 ? 2 : (rotateBytes + bytes - 1) / bytes;
        return (int) Math.max(Math.min(2, maxSets), Math.min(maxSets, wanted));
    }

    /** Bytes of Q, K and V of one set. */
    public static long setBytes(Shape shape, DType dtype) {
        long q = (long) shape.batch() * shape.headsQ() * shape.seqQ() * shape.headDim();
        long kv = (long) shape.batch() * shape.headsKv() * shape.seqK() * (shape.headDim() + shape.valueDim());
        return (q + kv) * dtype.byteSize();
    }

    public int size() {
        return sets.size();
    }

    public Set get(int i) {
        return sets.get(i);
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    /** dO of set {@code i}, {@code [B, Hq, Nq, Dv]}, random, created on first use. */
    public Tensor gradOutput(int i) {
        Set s = sets.get(i);
        if (s.gradOutput == null) {
            s.gradOutput = filled(new int[] {shape.batch(), shape.headsQ(), shape.seqQ(), shape.valueDim()},
                    s.seed + 4);
        }
        return s.gradOutput;
    }

    private Tensor filled(int[] dims, long seed) {
        Tensor t = placement.allocate(dtype, dims);
        try {
            RandomFill.normal(t, seed);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    @Override
    public void close() {
        for (Set s : sets) {
            s.q.close();
            s.k.close();
            s.v.close();
            if (s.gradOutput != null) {
                s.gradOutput.close();
            }
        }
        sets.clear();
    }
}
