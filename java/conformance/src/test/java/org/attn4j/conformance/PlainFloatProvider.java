package org.attn4j.conformance;

import java.util.Arrays;
import org.attn4j.AttentionGradients;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.BackwardRequest;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.BlockTopKSelection;
import org.attn4j.mask.StaticMask;
import org.attn4j.spi.AttentionProvider;
import org.attn4j.spi.Availability;
import org.attn4j.spi.Capabilities;

/**
 * A correct attention computed entirely in float32 (no float64 anywhere), row by row: what an honest fp32 provider
 * gets, to measure how far a correct provider strays from the float64 reference and to prove that the kit's
 * tolerances do not fail it. With {@code halfKernel}, it also rounds what a half-precision GPU kernel rounds: the
 * probabilities before P.V and P^T.dO, and dS before dS.K and dS^T.Q, to the input type (FlashAttention feeds its
 * tensor cores that way), and takes delta = rowsum(dO * O) from its own rounded O.
 */
final class PlainFloatProvider implements AttentionProvider {
    private final String name;
    private final boolean halfKernel;

    PlainFloatProvider(String name, boolean halfKernel) {
        this.name = name;
        this.halfKernel = halfKernel;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.available();
    }

    @Override
    public Capabilities capabilities() {
        Capabilities all = Capabilities.everything();
        return Capabilities.builder().dtypes(all.dtypes()).masks(all.masks()).normalizers(all.normalizers())
                .probabilities(true).backward(all.backwardDtypes(), all.backwardMasks(), all.backwardNormalizers())
                .build();
    }

    @Override
    public AttentionResult forward(AttentionRequest r) {
        r.checkTensorsOpen();
        capabilities().require(r, name);
        Rows rows = new Rows(r);
        int n = r.batch() * r.queryHeads() * r.queryLength();
        float[] o = new float[n * r.valueDim()];
        float[] lse = r.returnLse() ? new float[n] : null;
        float[] probs = r.returnProbabilities() ? new float[n * r.keyLength()] : null;
        long pairs = java.util.stream.IntStream.range(0, n).parallel().mapToLong(row -> {
            Row x = rows.row(row);
            for (int c = 0; c < r.valueDim(); c++) {
                float acc = 0;
                for (int t = 0; t < x.count; t++) {
                    acc += x.pRounded[t] * rows.v[rows.vBase(row, x.keys[t]) + c];
                }
                o[row * r.valueDim() + c] = acc;
            }
            if (lse != null) {
                lse[row] = x.lse;
            }
            if (probs != null) {
                for (int t = 0; t < x.count; t++) {
                    probs[row * r.keyLength() + x.keys[t]] = x.p[t];
                }
            }
            return x.count;
        }).sum();
        AttentionResult.Builder b = AttentionResult.builder(name).allowedPairs(pairs);
        Tensor out = r.output().orElse(null);
        boolean own = out == null;
        if (own) {
            out = Tensor.allocate(r.outputDType(), r.batch(), r.queryHeads(), r.queryLength(), r.valueDim());
        }
        out.copyFrom(o);
        b.output(out, own);
        if (lse != null) {
            Tensor l = r.lseOutput().orElse(null);
            boolean ownL = l == null;
            if (ownL) {
                l = Tensor.allocate(DType.FP32, r.batch(), r.queryHeads(), r.queryLength());
            }
            l.copyFrom(lse);
            b.lse(l, ownL);
        }
        if (probs != null) {
            b.probabilities(Tensor.of(probs, r.batch(), r.queryHeads(), r.queryLength(), r.keyLength()), true);
        }
        return b.build();
    }

    @Override
    public AttentionGradients backward(BackwardRequest br) {
        br.checkTensorsOpen();
        AttentionRequest r = br.forward();
        capabilities().requireBackward(r, name);
        Rows rows = new Rows(r);
        float[] dO = br.gradOutput().toFloatArray();
        float[] o = br.output().toFloatArray();
        float scale = (float) r.scale();
        float[] dq = new float[rows.q.length];
        float[] dk = new float[rows.k.length];
        float[] dvOut = new float[rows.v.length];
        // One task per key/value head: its query heads add into its rows of dK and dV only.
        java.util.stream.IntStream.range(0, r.batch() * r.kvHeads()).parallel().forEach(bkv -> {
            int b = bkv / r.kvHeads();
            int kvh = bkv % r.kvHeads();
            float[] ds = new float[r.keyLength()];
            for (int h = kvh * r.groupSize(); h < (kvh + 1) * r.groupSize(); h++) {
                for (int i = 0; i < r.queryLength(); i++) {
                    backwardRow(r, rows, (b * r.queryHeads() + h) * r.queryLength() + i, ds, dO, o, scale, dq, dk,
                            dvOut);
                }
            }
        });
        DType t = r.dtype();
        return new AttentionGradients(name, Tensor.of(t, dq, r.q().shape()), Tensor.of(t, dk, r.k().shape()),
                Tensor.of(t, dvOut, r.v().shape()));
    }

    private void backwardRow(AttentionRequest r, Rows rows, int row, float[] ds, float[] dO, float[] o, float scale,
                             float[] dq, float[] dk, float[] dvOut) {
        int d = r.headDim();
        int dv = r.valueDim();
        {
            Row x = rows.row(row);
            int g = row * dv;
            for (int t = 0; t < x.count; t++) {
                float acc = 0;
                int vb = rows.vBase(row, x.keys[t]);
                for (int c = 0; c < dv; c++) {
                    acc += dO[g + c] * rows.v[vb + c];
                }
                ds[t] = acc;
            }
            normalizerBackward(r.normalizer(), x, ds, dO, o, g, dv);
            for (int t = 0; t < x.count; t++) {
                ds[t] = round(r.dtype(), ds[t]);
            }
            int qb = row * d;
            for (int t = 0; t < x.count; t++) {
                int kb = rows.kBase(row, x.keys[t]);
                int vb = rows.vBase(row, x.keys[t]);
                for (int c = 0; c < d; c++) {
                    dq[qb + c] += scale * ds[t] * rows.k[kb + c];
                    dk[kb + c] += scale * ds[t] * rows.q[qb + c];
                }
                for (int c = 0; c < dv; c++) {
                    dvOut[vb + c] += x.pRounded[t] * dO[g + c];
                }
            }
        }
    }

    /** dP to dS in place, in float. */
    private static void normalizerBackward(Normalizer normalizer, Row x, float[] ds, float[] dO, float[] o, int g,
                                           int dv) {
        switch (normalizer) {
            case SOFTMAX: {
                float delta = 0;
                for (int c = 0; c < dv; c++) {
                    delta += dO[g + c] * o[g + c];
                }
                for (int t = 0; t < x.count; t++) {
                    ds[t] = x.p[t] * (ds[t] - delta);
                }
                return;
            }
            case SPARSEMAX: {
                float sum = 0;
                int support = 0;
                for (int t = 0; t < x.count; t++) {
                    if (x.p[t] > 0) {
                        sum += ds[t];
                        support++;
                    }
                }
                float mean = support > 0 ? sum / support : 0;
                for (int t = 0; t < x.count; t++) {
                    ds[t] = x.p[t] > 0 ? ds[t] - mean : 0;
                }
                return;
            }
            case ENTMAX15: {
                float gdp = 0;
                float gsum = 0;
                for (int t = 0; t < x.count; t++) {
                    float gt = (float) Math.sqrt(x.p[t]);
                    gdp += gt * ds[t];
                    gsum += gt;
                }
                float q = gsum > 0 ? gdp / gsum : 0;
                for (int t = 0; t < x.count; t++) {
                    float gt = (float) Math.sqrt(x.p[t]);
                    ds[t] = gt * ds[t] - q * gt;
                }
                return;
            }
            default:
                throw new IllegalStateException("unknown normalizer " + normalizer);
        }
    }

    private float round(DType dtype, float x) {
        return halfKernel ? dtype.round(x) : x;
    }

    /** One query row: kept keys (ascending), weights, and the weights as the products see them. */
    private static final class Row {
        int[] keys;
        float[] p;
        float[] pRounded;
        int count;
        float lse;
    }

    /** The request's data as floats, and the rows of its masks. */
    private final class Rows {
        final AttentionRequest r;
        final float[] q;
        final float[] k;
        final float[] v;
        final StaticMask mask;
        final BlockTopK blockTopK;
        final int[][][] kept;

        Rows(AttentionRequest r) {
            this.r = r;
            this.q = r.q().toFloatArray();
            this.k = r.k().toFloatArray();
            this.v = r.v().toFloatArray();
            this.mask = StaticMask.of(r);
            this.blockTopK = r.blockTopK().orElse(null);
            this.kept = blockTopK == null ? null : new int[r.batch() * r.queryHeads()][][];
            for (int bh = 0; kept != null && bh < kept.length; bh++) {
                kept[bh] = BlockTopKSelection.select(mask, blockTopK, bh / r.queryHeads(), bh % r.queryHeads(),
                        r.scale(), q, bh * r.queryLength() * r.headDim(), k, kBase(bh * r.queryLength(), 0),
                        r.headDim());
            }
        }

        int kBase(int row, int j) {
            int bh = row / r.queryLength();
            int b = bh / r.queryHeads();
            int kvh = (bh % r.queryHeads()) / r.groupSize();
            return ((b * r.kvHeads() + kvh) * r.keyLength() + j) * r.headDim();
        }

        int vBase(int row, int j) {
            return kBase(row, j) / r.headDim() * r.valueDim();
        }

        Row row(int row) {
            int nk = r.keyLength();
            int bh = row / r.queryLength();
            int i = row % r.queryLength();
            int b = bh / r.queryHeads();
            int h = bh % r.queryHeads();
            boolean[] tiles = null;
            if (blockTopK != null) {
                tiles = new boolean[(nk + blockTopK.blockK() - 1) / blockTopK.blockK()];
                for (int kb : kept[bh][i / blockTopK.blockQ()]) {
                    tiles[kb] = true;
                }
            }
            float scale = (float) r.scale();
            int[] keys = new int[nk];
            float[] s = new float[nk];
            int count = 0;
            for (int j = 0; j < nk; j++) {
                if (!mask.allowed(b, h, i, j) || (tiles != null && !tiles[j / blockTopK.blockK()])) {
                    continue;
                }
                float dot = 0;
                int qb = row * r.headDim();
                int kb = kBase(row, j);
                for (int c = 0; c < r.headDim(); c++) {
                    dot += q[qb + c] * k[kb + c];
                }
                keys[count] = j;
                s[count++] = scale * dot;
            }
            if (r.tokenTopK().isPresent() && count > r.tokenTopK().get().k()) {
                count = keepTopK(keys, s, count, r.tokenTopK().get().k());
            }
            Row x = new Row();
            x.keys = keys;
            x.count = count;
            x.p = new float[count];
            x.lse = count == 0 ? Float.NEGATIVE_INFINITY : normalize(r.normalizer(), s, count, x.p);
            x.pRounded = new float[count];
            for (int t = 0; t < count; t++) {
                x.pRounded[t] = round(r.dtype(), x.p[t]);
            }
            return x;
        }
    }

    private static int keepTopK(int[] keys, float[] s, int count, int kk) {
        Integer[] order = new Integer[count];
        for (int t = 0; t < count; t++) {
            order[t] = t;
        }
        Arrays.sort(order, (x, y) -> {
            int c = Float.compare(s[y], s[x]);
            return c != 0 ? c : Integer.compare(keys[x], keys[y]);
        });
        boolean[] keep = new boolean[count];
        for (int t = 0; t < kk; t++) {
            keep[order[t]] = true;
        }
        int w = 0;
        for (int t = 0; t < count; t++) {
            if (keep[t]) {
                keys[w] = keys[t];
                s[w++] = s[t];
            }
        }
        return w;
    }

    /** Weights of {@code s[0..n)} into {@code p}; returns the LSE (softmax) or NaN. All in float. */
    private static float normalize(Normalizer normalizer, float[] s, int n, float[] p) {
        switch (normalizer) {
            case SOFTMAX: {
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < n; t++) {
                    max = Math.max(max, s[t]);
                }
                float sum = 0;
                for (int t = 0; t < n; t++) {
                    p[t] = (float) Math.exp(s[t] - max);
                    sum += p[t];
                }
                for (int t = 0; t < n; t++) {
                    p[t] /= sum;
                }
                return max + (float) Math.log(sum);
            }
            case SPARSEMAX: {
                float[] z = descending(s, n, 1);
                float cumulative = 0;
                float tau = 0;
                for (int k = 1; k <= n; k++) {
                    cumulative += z[k - 1];
                    if (1 + k * z[k - 1] > cumulative) {
                        tau = (cumulative - 1) / k;
                    }
                }
                for (int t = 0; t < n; t++) {
                    p[t] = Math.max(s[t] - tau, 0);
                }
                return Float.NaN;
            }
            case ENTMAX15: {
                float[] x = descending(s, n, 0.5f);
                float sum = 0;
                float sumSq = 0;
                float tau = 0;
                for (int k = 1; k <= n; k++) {
                    sum += x[k - 1];
                    sumSq += x[k - 1] * x[k - 1];
                    float mean = sum / k;
                    float delta = (1 - (sumSq - sum * mean)) / k;
                    float t = mean - (float) Math.sqrt(Math.max(delta, 0));
                    if (t <= x[k - 1]) {
                        tau = t;
                    }
                }
                for (int t = 0; t < n; t++) {
                    float y = Math.max(s[t] / 2 - tau, 0);
                    p[t] = y * y;
                }
                return Float.NaN;
            }
            default:
                throw new IllegalStateException("unknown normalizer " + normalizer);
        }
    }

    private static float[] descending(float[] s, int n, float factor) {
        float[] z = new float[n];
        for (int t = 0; t < n; t++) {
            z[t] = -s[t] * factor;
        }
        Arrays.sort(z);
        for (int t = 0; t < n; t++) {
            z[t] = -z[t];
        }
        return z;
    }
}
