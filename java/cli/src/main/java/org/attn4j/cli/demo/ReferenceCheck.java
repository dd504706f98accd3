package org.attn4j.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockMask;
import org.attn4j.reference.ReferenceProvider;

/**
 * Compares a provider's O with the float64 {@code reference} provider on a slice small enough for the reference to
 * be quick: some query heads of batch 0 and the last query rows.
 *
 * <p>The slice is an exact sub-problem, not an approximation: with bottom-right alignment the last {@code r} query
 * rows keep their aligned positions, so causal, window and global-token masks are unchanged; the first row of the
 * slice starts a tile, so block masks (their rows cut out) and block top-k (whose tiles and tile means are then the
 * same) select the same tiles; token top-k and the normalizers work row by row.
 */
public final class ReferenceCheck {
    private final int[] heads;
    private final int firstRow;

    private ReferenceCheck(int[] heads, int firstRow) {
        this.heads = heads;
        this.firstRow = firstRow;
    }

    /**
     * A check of at most about {@code rows} query rows of the first and last query heads of batch 0 (the last head
     * reads another key/value head under GQA, so the head mapping is checked too).
     *
     * @param tileHeight every query-tile height the requests use (block mask, block top-k); the slice starts on a
     *                   multiple of all of them
     */
    public static ReferenceCheck lastRows(int queryHeads, int queryLength, int rows, int... tileHeight) {
        int step = 1;
        for (int t : tileHeight) {
            step = lcm(step, t);
        }
        int first = Math.max(0, (queryLength - rows) / step * step);
        int[] heads = queryHeads == 1 ? new int[] {0} : new int[] {0, queryHeads - 1};
        return new ReferenceCheck(heads, first);
    }

    /** {@code rows 768..1023 of heads 0 and 3 (batch 0)}. */
    public String describe(int queryLength) {
        StringBuilder sb = new StringBuilder("query rows ").append(firstRow).append("..").append(queryLength - 1)
                .append(" of head").append(heads.length > 1 ? "s " : " ");
        for (int i = 0; i < heads.length; i++) {
            sb.append(i > 0 ? " and " : "").append(heads[i]);
        }
        return sb.append(" (batch 0)").toString();
    }

    /**
     * The relative error {@code ||O - ref|| / ||ref||} over the slice, where {@code output} is the provider's O for
     * {@code request}.
     */
    public double relativeError(AttentionRequest request, Tensor output) {
        int nq = request.queryLength();
        int dv = request.valueDim();
        int rows = nq - firstRow;
        double diff = 0;
        double norm = 0;
        for (int h : heads) {
            try (SlicedInputs in = new SlicedInputs(request, h, firstRow);
                 AttentionResult ref = Attention.forward(in.request, ReferenceProvider.NAME)) {
                float[] expected = ref.output().toFloatArray();
                float[] actual = new float[rows * dv];
                output.copyTo(actual, 0, output.flatIndex(0, h, firstRow, 0), actual.length);
                for (int x = 0; x < actual.length; x++) {
                    double e = expected[x];
                    diff += (actual[x] - e) * (actual[x] - e);
                    norm += e * e;
                }
            }
        }
        if (norm == 0) {
            return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return Math.sqrt(diff / norm);
    }

    /** The SPEC's tolerance: fp32 1e-5 on the CPU and 1e-4 on a GPU, fp16 and bf16 1e-2. */
    public static double tolerance(DType dtype, boolean gpu) {
        if (dtype != DType.FP32) {
            return 1e-2;
        }
        return gpu ? 1e-4 : 1e-5;
    }

    public static String format(double relativeError) {
        return String.format(Locale.ROOT, "%.1e", relativeError);
    }

    private static int lcm(int a, int b) {
        int x = a;
        int y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    /** The request restricted to query head {@code h} of batch 0 and query rows {@code first..}, with its tensors. */
    private static final class SlicedInputs implements AutoCloseable {
        final AttentionRequest request;
        private final List<Tensor> tensors = new ArrayList<>();

        SlicedInputs(AttentionRequest r, int h, int first) {
            int kvh = h / r.groupSize();
            int rows = r.queryLength() - first;
            try {
                Tensor q = slice(r.q(), h, first, rows);
                Tensor k = slice(r.k(), kvh, 0, r.keyLength());
                Tensor v = slice(r.v(), kvh, 0, r.keyLength());
                AttentionRequest.Builder b = r.toBuilder().tensors(q, k, v).scale(r.scale()).output(null)
                        .lseOutput(null).returnLse(false).returnProbabilities(false).outputDType(DType.FP32);
                r.blockMask().ifPresent(m -> b.blockMask(sliceMask(m, h, first)));
                this.request = b.build();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Rows {@code [first, first + rows)} of head {@code head} of batch 0, as a new {@code [1, 1, rows, D]}. */
        private Tensor slice(Tensor t, int head, int first, int rows) {
            int d = t.dim(3);
            float[] values = new float[rows * d];
            t.copyTo(values, 0, t.flatIndex(0, head, first, 0), values.length);
            // The values are already of t's type, so this tensor holds them exactly.
            Tensor s = Tensor.of(t.dtype(), values, 1, 1, rows, d);
            tensors.add(s);
            return s;
        }

        private static BlockMask sliceMask(BlockMask m, int h, int first) {
            int skip = first / m.blockQ();
            return BlockMask.fromFunction(1, 1, m.queryBlocks() - skip, m.keyBlocks(), m.blockQ(), m.blockK(),
                    (b, hh, qb, kb) -> m.get(0, h, qb + skip, kb));
        }

        @Override
        public void close() {
            tensors.forEach(Tensor::close);
        }
    }
}
