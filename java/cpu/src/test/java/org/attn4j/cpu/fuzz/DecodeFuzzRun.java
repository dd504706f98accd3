package org.attn4j.cpu.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.conformance.Tolerances;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;
import org.attn4j.mask.BlockMask;

/**
 * Runs one {@link DecodeFuzzCase} through the public API twice, on a {@code cpu} cache and on a {@code reference}
 * cache given the same appends, and judges it as {@link FuzzRun} judges a forward call: the only exception is an
 * IllegalArgumentException naming a field (for an invalid case, the one it broke, and nothing is computed); a valid
 * step's O, LSE and allowed pairs agree ({@link Agreement}), unless its sums may leave float32's range.
 */
final class DecodeFuzzRun {
    private final DecodeFuzzCase c;
    private final List<String> findings;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Random values;
    private float maxQ;
    private float maxK;
    private float maxV;

    private DecodeFuzzRun(DecodeFuzzCase c, List<String> findings) {
        this.c = c;
        this.findings = findings;
        this.values = new Random(c.seed * 31 + 7);
    }

    /** Runs {@code c}; what went wrong is added to {@code findings} (one line each, with the case). */
    static FuzzRun.Outcome run(DecodeFuzzCase c, List<String> findings) {
        DecodeFuzzRun run = new DecodeFuzzRun(c, findings);
        List<String> mine = new ArrayList<>();
        FuzzRun.Outcome outcome;
        try {
            outcome = run.execute(mine);
            if (c.breakage != DecodeFuzzCase.Breakage.NONE && run.breakable()) {
                mine.add("invalid (" + c.breakage + ") but not refused");
            }
        } catch (IllegalArgumentException e) {
            outcome = FuzzRun.Outcome.REFUSED;
            String message = String.valueOf(e.getMessage());
            if (c.breakage == DecodeFuzzCase.Breakage.NONE || !run.breakable()) {
                mine.add("valid but refused: " + message);
            } else if (!message.startsWith(c.breakage.field)) {
                mine.add("refused without naming " + c.breakage.field + ": " + message);
            }
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError)) {
                throw (VirtualMachineError) t;
            }
            outcome = FuzzRun.Outcome.FAILED;
            mine.add("threw " + t);
        } finally {
            run.closeAll(mine);
        }
        for (String m : mine) {
            findings.add(c + ": " + m);
        }
        return mine.isEmpty() ? outcome : FuzzRun.Outcome.FAILED;
    }

    /** Whether the case's breakage applies to its setting (a mask covering one block cannot be made too small). */
    private boolean breakable() {
        switch (c.breakage) {
            case MASK_TOO_SMALL:
                return c.blockMask && c.longest() > c.maskBlockQ;
            case LSE_WITHOUT_SOFTMAX:
                return true;
            default:
                return c.breakage != DecodeFuzzCase.Breakage.NONE;
        }
    }

    private FuzzRun.Outcome execute(List<String> mine) {
        KvCache cpu = cache("cpu");
        KvCache reference = cache("reference");
        for (int[] counts : c.appends) {
            appendBoth(cpu, reference, counts);
        }
        if (c.breakage == DecodeFuzzCase.Breakage.OVERFLOW_FIXED_CAPACITY) {
            int[] counts = new int[c.batch];
            counts[0] = cpu.capacity() - cpu.length(0) + 1;
            appendBoth(cpu, reference, counts);
        }
        if (c.breakage == DecodeFuzzCase.Breakage.COUNT_TOO_LARGE) {
            Tensor k = track(Tensor.of(c.dtype, gaussian(c.batch * c.kvHeads * 2 * c.headDim), c.batch, c.kvHeads, 2,
                    c.headDim));
            Tensor v = track(Tensor.of(c.dtype, gaussian(c.batch * c.kvHeads * 2 * c.valueDim), c.batch, c.kvHeads,
                    2, c.valueDim));
            int[] counts = new int[c.batch];
            counts[c.batch - 1] = 3;
            cpu.append(k, v, counts);
        }
        if (c.breakage == DecodeFuzzCase.Breakage.CLOSED_CACHE) {
            cpu.close();
            reference.close();
        }
        Tensor q = queries();
        DecodeRequest onCpu = request(q, cpu);
        DecodeRequest onReference = request(q, reference);
        AttentionResult mineResult = track(Attention.decode(onCpu));
        AttentionResult exact = track(Attention.decode(onReference));
        if (!mineResult.provider().equals("cpu")) {
            mine.add("ran on " + mineResult.provider() + ", not cpu's native decode");
        }
        DType out = onCpu.outputDType();
        double limit = out == DType.FP16 ? 65504 / 4.0 : Float.MAX_VALUE / 4.0;
        double scores = Math.abs(c.scale) * maxQ * (double) maxK * c.headDim;
        if (scores > Float.MAX_VALUE / 4.0 || maxV * (double) c.longest() > Float.MAX_VALUE / 4.0
                || maxV * 0x1p-20 > limit || Math.abs(c.scale) * maxQ > Float.MAX_VALUE / 4.0) {
            return FuzzRun.Outcome.RAN_UNCOMPARED;
        }
        double tol = Math.max(Tolerances.host().forward(c.dtype), Tolerances.host().forward(out));
        Agreement.compare("O", mineResult.output().toFloatArray(), exact.output().toFloatArray(), out, 0, tol, mine);
        if (mineResult.allowedPairs().isPresent() && exact.allowedPairs().isPresent()
                && mineResult.allowedPairs().getAsLong() != exact.allowedPairs().getAsLong()) {
            mine.add("allowedPairs: cpu " + mineResult.allowedPairs().getAsLong() + ", reference "
                    + exact.allowedPairs().getAsLong());
        }
        if (c.returnLse) {
            if (mineResult.lse().isEmpty() || exact.lse().isEmpty()) {
                mine.add("LSE requested but missing");
            } else {
                float[] lse = mineResult.lse().get().toFloatArray();
                // An LSE is exact to a few roundings of its scores' terms (see FuzzRun): measured against them.
                double floor = Math.max(Math.sqrt(lse.length) * scores,
                        Math.sqrt(lse.length) * Agreement.subnormalScoreError(c.headDim, maxK) / tol);
                Agreement.compare("LSE", lse, exact.lse().get().toFloatArray(), DType.FP32, floor, tol, mine);
            }
        }
        return FuzzRun.Outcome.COMPARED;
    }

    private KvCache cache(String provider) {
        KvCacheConfig.Builder b = KvCacheConfig.builder(c.batch, c.kvHeads, c.headDim).valueDim(c.valueDim)
                .dtype(c.dtype).blockSize(c.blockSize);
        boolean overflow = c.breakage == DecodeFuzzCase.Breakage.OVERFLOW_FIXED_CAPACITY;
        if (c.growable && !overflow) {
            b.capacity(c.capacity).growable();
        } else {
            b.capacity(Math.max(c.capacity, c.longest())).fixedCapacity();
        }
        return track(KvCache.create(b.build(), provider));
    }

    /** The same keys and values, {@code counts[b]} positions for sequence b, into both caches. */
    private void appendBoth(KvCache cpu, KvCache reference, int[] counts) {
        int t = 0;
        for (int n : counts) {
            t = Math.max(t, n);
        }
        if (t == 0) {
            return;
        }
        float[] k = gaussian(c.batch * c.kvHeads * t * c.headDim);
        float[] v = gaussian(c.batch * c.kvHeads * t * c.valueDim);
        if (c.specialIn == 2) {
            k[values.nextInt(k.length)] = c.special;
        } else if (c.specialIn == 3) {
            v[values.nextInt(v.length)] = c.special;
        }
        Tensor tk = track(Tensor.of(c.dtype, k, c.batch, c.kvHeads, t, c.headDim));
        Tensor tv = track(Tensor.of(c.dtype, v, c.batch, c.kvHeads, t, c.valueDim));
        maxK = Math.max(maxK, (float) FloatRange.maxFinite(tk.toFloatArray()));
        maxV = Math.max(maxV, (float) FloatRange.maxFinite(tv.toFloatArray()));
        cpu.append(tk, tv, counts);
        reference.append(tk, tv, counts);
    }

    private Tensor queries() {
        int b = c.batch + (c.breakage == DecodeFuzzCase.Breakage.Q_BATCH ? 1 : 0);
        int d = c.headDim + (c.breakage == DecodeFuzzCase.Breakage.Q_HEAD_DIM ? 1 : 0);
        DType t = c.breakage == DecodeFuzzCase.Breakage.Q_DTYPE
                ? DType.values()[(c.dtype.ordinal() + 1) % 3] : c.dtype;
        float[] q = gaussian(b * c.queryHeads() * c.queries * d);
        if (c.specialIn == 1) {
            q[values.nextInt(q.length)] = c.special;
        }
        Tensor tq = track(Tensor.of(t, q, b, c.queryHeads(), c.queries, d));
        maxQ = (float) FloatRange.maxFinite(tq.toFloatArray());
        return tq;
    }

    private DecodeRequest request(Tensor q, KvCache cache) {
        DecodeRequest.Builder b = DecodeRequest.builder(q, cache).scale(c.scale).normalizer(c.normalizer)
                .returnLse(c.returnLse);
        if (c.window >= 0) {
            b.window(c.window).globalTokens(c.globalTokens);
        }
        if (c.breakage == DecodeFuzzCase.Breakage.WINDOW_NEGATIVE) {
            b.window(-1 - Math.max(0, c.window));
        }
        if (c.blockMask) {
            b.blockMask(mask());
        }
        if (c.blockTopK > 0) {
            if (c.perGroup) {
                b.topKBlocksPerGroup(c.blockTopK);
            } else {
                b.topKBlocks(c.blockTopK);
            }
        }
        if (c.breakage == DecodeFuzzCase.Breakage.BLOCK_TOPK_ZERO) {
            b.topKBlocks(0);
        }
        if (c.tokenTopK > 0) {
            b.topKTokens(c.tokenTopK);
        }
        if (c.breakage == DecodeFuzzCase.Breakage.TOKEN_TOPK_ZERO) {
            b.topKTokens(0);
        }
        if (c.breakage == DecodeFuzzCase.Breakage.LSE_WITHOUT_SOFTMAX) {
            b.normalizer(Normalizer.SPARSEMAX).returnLse(true);
        }
        return b.build();
    }

    /** A random grid covering every position held (one query block short when the case breaks that). */
    private BlockMask mask() {
        Random r = new Random(c.seed ^ 0xb10c);
        int cover = Math.max(1, c.longest());
        int qb = (cover + c.maskBlockQ - 1) / c.maskBlockQ;
        int kb = (cover + c.maskBlockK - 1) / c.maskBlockK;
        if (c.breakage == DecodeFuzzCase.Breakage.MASK_TOO_SMALL && qb > 1) {
            qb--;
        }
        boolean perHead = r.nextBoolean();
        int heads = perHead ? c.queryHeads() : 1;
        int batch = perHead ? c.batch : 1;
        boolean[] cells = new boolean[batch * heads * qb * kb];
        for (int x = 0; x < cells.length; x++) {
            cells[x] = r.nextDouble() < 0.7;
        }
        return BlockMask.of(cells, new int[] {batch, heads, qb, kb}, c.maskBlockQ, c.maskBlockK);
    }

    private float[] gaussian(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) values.nextGaussian();
        }
        return x;
    }

    private <T extends AutoCloseable> T track(T t) {
        open.add(t);
        return t;
    }

    private void closeAll(List<String> mine) {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                mine.add("close threw " + e);
            }
        }
    }
}
