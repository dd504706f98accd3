package org.attn4j.bench.check;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.Tiles;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.bench.workload.MaskInstance;
import org.attn4j.bench.workload.Shape;

/**
 * Compares a provider's output (forward: O; backward: dQ) with the float64 reference on the slices of
 * {@link SamplePlanner}: each slice becomes a one-head problem with the same masks, which the reference solves
 * exactly, and the provider's rows for that slice are read back (from device memory if need be).
 */
public final class ReferenceCheck {
    private final AttentionProvider reference;

    /** @param reference the exact oracle (the {@code reference} provider) */
    public ReferenceCheck(AttentionProvider reference) {
        this.reference = reference;
    }

    /** Checks O of the full problem {@code request} (on {@code shape} with {@code mask}) against the reference. */
    public CheckResult forward(Shape shape, MaskInstance mask, AttentionRequest request, Tensor output,
                               double tolerance) {
        List<Sample> samples = SamplePlanner.plan(shape, mask);
        List<Slice> slices = slices(shape, mask, request, samples);
        try {
            // Each slice is a one-head problem, which the reference runs on one core: run the slices side by side
            // (their inputs were read above, on this thread, since device memory may not take parallel copies).
            List<float[]> expected = slices.parallelStream().map(slice -> {
                try (AttentionResult ref = reference.forward(slice.request)) {
                    return ref.output().toFloatArray();
                }
            }).collect(Collectors.toList());
            ErrorNorm norm = new ErrorNorm();
            for (int i = 0; i < samples.size(); i++) {
                norm.add(rows(output, samples.get(i), shape.valueDim()), expected.get(i));
            }
            return norm.result(tolerance, describe(samples));
        } finally {
            slices.forEach(Slice::close);
        }
    }

    /** Checks dQ of the full problem's backward pass (for output gradient {@code gradOutput}). */
    public CheckResult backward(Shape shape, MaskInstance mask, AttentionRequest request, Tensor gradOutput,
                                Tensor dq, double tolerance) {
        List<Sample> samples = SamplePlanner.plan(shape, mask);
        boolean lse = request.normalizer() == Normalizer.SOFTMAX;
        List<Slice> slices = slices(shape, mask, request, samples);
        List<float[]> gradRows = samples.stream().map(s -> rows(gradOutput, s, shape.valueDim()))
                .collect(Collectors.toList());
        try {
            List<float[]> expected = IntStream.range(0, samples.size()).parallel().mapToObj(i -> {
                Slice slice = slices.get(i);
                Sample s = samples.get(i);
                try (Tensor dO = Tensor.of(request.dtype(), gradRows.get(i), 1, 1, s.rows(), shape.valueDim());
                     AttentionResult fwd = reference.forward(slice.request.toBuilder().returnLse(lse).build());
                     AttentionGradients g = reference.backward(BackwardRequest.of(slice.request, fwd, dO))) {
                    return g.dq().toFloatArray();
                }
            }).collect(Collectors.toList());
            ErrorNorm norm = new ErrorNorm();
            for (int i = 0; i < samples.size(); i++) {
                norm.add(rows(dq, samples.get(i), shape.headDim()), expected.get(i));
            }
            return norm.result(tolerance, describe(samples));
        } finally {
            slices.forEach(Slice::close);
        }
    }

    private static List<Slice> slices(Shape shape, MaskInstance mask, AttentionRequest request,
                                      List<Sample> samples) {
        List<Slice> out = new ArrayList<>();
        try {
            for (Sample s : samples) {
                out.add(new Slice(shape, mask, request, s));
            }
        } catch (RuntimeException e) {
            out.forEach(Slice::close);
            throw e;
        }
        return out;
    }

    /** The rows of slice {@code s} of a {@code [B, Hq, Nq, width]} tensor. */
    static float[] rows(Tensor t, Sample s, int width) {
        float[] out = new float[s.rows() * width];
        t.copyTo(out, 0, t.flatIndex(s.batch(), s.head(), s.rowStart(), 0), out.length);
        return out;
    }

    private static String describe(List<Sample> samples) {
        return samples.stream().map(Sample::toString).collect(Collectors.joining("; "));
    }

    /** The one-head problem of a slice, with its own small tensors. */
    private static final class Slice implements AutoCloseable {
        final Tensor q;
        final Tensor k;
        final Tensor v;
        final AttentionRequest request;

        Slice(Shape shape, MaskInstance mask, AttentionRequest full, Sample s) {
            DType dtype = full.dtype();
            int d = shape.headDim();
            int dv = shape.valueDim();
            int kvHead = s.head() / (shape.headsQ() / shape.headsKv());
            float[] qRows = rows(full.q(), s, d);
            float[] kRows = new float[s.keys() * d];
            full.k().copyTo(kRows, 0, full.k().flatIndex(s.batch(), kvHead, 0, 0), kRows.length);
            float[] vRows = new float[s.keys() * dv];
            full.v().copyTo(vRows, 0, full.v().flatIndex(s.batch(), kvHead, 0, 0), vRows.length);
            q = Tensor.of(dtype, qRows, 1, 1, s.rows(), d);
            k = Tensor.of(dtype, kRows, 1, 1, s.keys(), d);
            v = Tensor.of(dtype, vRows, 1, 1, s.keys(), dv);
            AttentionRequest.Builder b = mask.applyTo(AttentionRequest.builder(q, k, v)).scale(full.scale());
            BlockMask bm = mask.blockMask();
            if (bm != null) {
                int firstRow = s.rowStart() / bm.blockQ();
                b.blockMask(BlockMask.fromFunction(1, 1, Tiles.ceilDiv(s.rows(), bm.blockQ()),
                        Tiles.ceilDiv(s.keys(), bm.blockK()), bm.blockQ(), bm.blockK(),
                        (x, y, qb, kb) -> bm.get(s.batch(), s.head(), firstRow + qb, kb)));
            }
            request = b.build();
        }

        @Override
        public void close() {
            q.close();
            k.close();
            v.close();
        }
    }

    /** Accumulates {@code ||x - ref||^2} and {@code ||ref||^2}; remembers non-finite values. */
    private static final class ErrorNorm {
        double diff;
        double ref;
        long nonFinite;

        void add(float[] actual, float[] expected) {
            for (int i = 0; i < actual.length; i++) {
                if (!Float.isFinite(actual[i])) {
                    nonFinite++;
                    continue;
                }
                double dx = (double) actual[i] - expected[i];
                diff += dx * dx;
                ref += (double) expected[i] * expected[i];
            }
        }

        CheckResult result(double tolerance, String samples) {
            double err = ref > 0 ? Math.sqrt(diff / ref) : Math.sqrt(diff);
            String note = nonFinite > 0 ? nonFinite + " non-finite values (NaN or infinity) in the result" : "";
            return new CheckResult(nonFinite > 0 ? Double.NaN : err, tolerance, samples, note);
        }
    }
}
