package org.attn4j.cuda;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Normalizer;
import org.attn4j.Tensor;
import org.attn4j.cuda.bridge.CudaBridge;
import org.attn4j.decode.DecodeCapabilities;
import org.attn4j.decode.DecodeRequest;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.MaskKind;
import org.attn4j.mask.SlidingWindow;
import org.attn4j.spi.Support;

/**
 * The cuda provider's decode path ({@code attn4j_decode}): one step of {@code Nq} new queries per sequence against
 * a {@link CudaKvCache}. Queries and outputs are device tensors on the cache's device ({@link CudaTensors}); the
 * call returns when the results are ready.
 */
final class CudaDecode {
    /** Rows (query heads of one kv-head group times new queries) one decode CTA serves. */
    static final int MAX_GROUP_ROWS = 64;

    static final DecodeCapabilities CAPABILITIES = DecodeCapabilities.builder()
            .dtypes(EnumSet.of(DType.FP16, DType.BF16))
            .devices(EnumSet.of(Device.Kind.CUDA))
            .masks(EnumSet.of(MaskKind.SLIDING_WINDOW, MaskKind.GLOBAL_TOKENS, MaskKind.BLOCK_MASK,
                    MaskKind.BLOCK_TOPK, MaskKind.TOKEN_TOPK))
            .normalizers(EnumSet.allOf(Normalizer.class))
            .headDims(multiplesOf8UpTo256())
            .valueDimsLikeHeadDims()
            .maxQueries(MAX_GROUP_ROWS)
            .build();

    private CudaDecode() {
    }

    private static Set<Integer> multiplesOf8UpTo256() {
        Set<Integer> dims = new TreeSet<>();
        for (int d = 8; d <= 256; d += 8) {
            dims.add(d);
        }
        return dims;
    }

    /** What the kernels run beyond the capabilities: a cuda cache, and a group's rows within one CTA. */
    static Support supports(DecodeRequest r) {
        Support s = CAPABILITIES.check(r);
        if (!s.isSupported()) {
            return s;
        }
        if (!(r.cache() instanceof CudaKvCache)) {
            return Support.no("the cache was made by provider '" + r.cache().provider() + "', not by cuda");
        }
        if ((long) r.groupSize() * r.queryLength() > MAX_GROUP_ROWS) {
            return Support.no(r.groupSize() + " query heads per kv head times " + r.queryLength()
                    + " new queries exceed the " + MAX_GROUP_ROWS + " rows one decode block serves");
        }
        return Support.yes();
    }

    static AttentionResult decode(DecodeRequest r) {
        Support s = supports(r);
        if (!s.isSupported()) {
            throw new IllegalArgumentException("decode: " + s.reason());
        }
        CudaKvCache cache = (CudaKvCache) r.cache();
        int dev = cache.deviceIndex();
        // DecodeRequest put q and the outputs on the cache's device; they must also be this provider's memory.
        CudaTensors.deviceStorage(r.q(), "q");
        CudaStream stream = CudaStream.perThread(dev);
        List<Tensor> created = new ArrayList<>();
        boolean done = false;
        try {
            int[] oShape = {r.batch(), r.queryHeads(), r.queryLength(), r.valueDim()};
            int[] lseShape = {r.batch(), r.queryHeads(), r.queryLength()};
            Tensor userO = r.output().orElse(null);
            Tensor userLse = r.lseOutput().orElse(null);
            Tensor o = userO != null ? userO
                    : temp(CudaTensors.allocateUninitialized(r.outputDType(), dev, oShape), created);
            Tensor lse = null;
            if (r.returnLse()) {
                lse = userLse != null ? userLse
                        : temp(CudaTensors.allocateUninitialized(DType.FP32, dev, lseShape), created);
            }
            long[] args = arguments(r, cache, stream, r.q(), o, lse);
            byte[] cells = r.blockMask().map(CudaDecode::cells).orElse(null);
            CudaErrors.check(CudaBridge.attn4j_decode(args, NativeAbi.DEC_COUNT, cells,
                    cells == null ? 0 : cells.length), "decode on cuda:" + dev);
            stream.synchronize();
            AttentionResult.Builder result = AttentionResult.builder(CudaProvider.NAME).output(o, userO == null);
            if (lse != null) {
                result.lse(lse, userLse == null);
            }
            done = true;
            return result.build();
        } finally {
            if (!done) {
                for (Tensor t : created) {
                    t.close();
                }
            }
        }
    }

    private static long[] arguments(DecodeRequest r, CudaKvCache cache, CudaStream stream, Tensor q, Tensor o,
                                    Tensor lse) {
        long[] a = new long[NativeAbi.DEC_COUNT];
        a[NativeAbi.DEC_DEVICE] = cache.deviceIndex();
        a[NativeAbi.DEC_STREAM] = stream.handle();
        a[NativeAbi.DEC_CACHE] = cache.handle();
        a[NativeAbi.DEC_Q] = CudaTensors.deviceStorage(q, "q").pointer();
        a[NativeAbi.DEC_O] = CudaTensors.deviceStorage(o, "output").pointer();
        a[NativeAbi.DEC_LSE] = lse != null ? CudaTensors.deviceStorage(lse, "lseOutput").pointer() : 0;
        a[NativeAbi.DEC_OUT_DTYPE] = o.dtype().ordinal();
        a[NativeAbi.DEC_Q_HEADS] = r.queryHeads();
        a[NativeAbi.DEC_NQ] = r.queryLength();
        a[NativeAbi.DEC_SCALE_BITS] = Double.doubleToRawLongBits(r.scale());
        a[NativeAbi.DEC_NORMALIZER] = r.normalizer().ordinal();
        SlidingWindow w = r.window().orElse(null);
        a[NativeAbi.DEC_WINDOWED] = w != null ? 1 : 0;
        a[NativeAbi.DEC_WINDOW_LEFT] = w != null ? w.left() : 0;
        a[NativeAbi.DEC_GLOBAL_TOKENS] = w != null ? w.globalTokens() : 0;
        BlockMask m = r.blockMask().orElse(null);
        a[NativeAbi.DEC_HAS_BLOCK_MASK] = m != null ? 1 : 0;
        a[NativeAbi.DEC_BLOCK_BATCH] = m != null ? m.batch() : 1;
        a[NativeAbi.DEC_BLOCK_HEADS] = m != null ? m.heads() : 1;
        a[NativeAbi.DEC_BLOCK_QBLOCKS] = m != null ? m.queryBlocks() : 0;
        a[NativeAbi.DEC_BLOCK_KBLOCKS] = m != null ? m.keyBlocks() : 0;
        a[NativeAbi.DEC_BLOCK_BQ] = m != null ? m.blockQ() : 1;
        a[NativeAbi.DEC_BLOCK_BK] = m != null ? m.blockK() : 1;
        a[NativeAbi.DEC_TOPK_BLOCKS] = r.blockTopK().orElse(0);
        a[NativeAbi.DEC_TOPK_PER_GROUP] = r.blockTopKPerGroup() ? 1 : 0;
        a[NativeAbi.DEC_TOPK_TOKENS] = r.tokenTopK().orElse(0);
        return a;
    }

    /** The last block mask this thread decoded with, and its cells: a generation loop passes the same mask every step. */
    private static final ThreadLocal<Object[]> LAST_MASK = ThreadLocal.withInitial(() -> new Object[2]);

    /** {@code m}'s cells in the C ABI's layout, converted once per mask and thread (masks are immutable). */
    private static byte[] cells(BlockMask m) {
        Object[] last = LAST_MASK.get();
        if (last[0] != m) {
            last[1] = PlanKey.cellsOf(m);
            last[0] = m;
        }
        return (byte[]) last[1];
    }

    private static Tensor temp(Tensor t, List<Tensor> owner) {
        owner.add(t);
        return t;
    }
}
