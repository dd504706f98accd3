package org.attn4j.cuda;

import java.util.Objects;
import org.attn4j.AttentionRequest;
import org.attn4j.mask.BlockMask;
import org.attn4j.mask.BlockTopK;
import org.attn4j.mask.SlidingWindow;

/** Everything a mask plan depends on: shapes, static masks and the block top-k tile sizes. */
final class PlanKey {
    final int device;
    final int nq;
    final int nk;
    final int batch;
    final int qHeads;
    final int kvHeads;
    final boolean causal;
    final SlidingWindow window;
    final BlockMask blockMask;
    final int topkBq;
    final int topkBk;
    private final int hash;

    PlanKey(int device, AttentionRequest r) {
        this.device = device;
        this.nq = r.queryLength();
        this.nk = r.keyLength();
        this.batch = r.batch();
        this.qHeads = r.queryHeads();
        this.kvHeads = r.kvHeads();
        this.causal = r.causal();
        this.window = r.window().orElse(null);
        this.blockMask = r.blockMask().orElse(null);
        BlockTopK topk = r.blockTopK().orElse(null);
        this.topkBq = topk != null ? topk.blockQ() : 0;
        this.topkBk = topk != null ? topk.blockK() : 0;
        this.hash = Objects.hash(device, nq, nk, batch, qHeads, kvHeads, causal, window, blockMask, topkBq, topkBk);
    }

    /** The descriptor of attn4j_plan_create. */
    long[] descriptor() {
        long[] d = new long[NativeAbi.PLAN_COUNT];
        d[NativeAbi.PLAN_NQ] = nq;
        d[NativeAbi.PLAN_NK] = nk;
        d[NativeAbi.PLAN_BATCH] = batch;
        d[NativeAbi.PLAN_Q_HEADS] = qHeads;
        d[NativeAbi.PLAN_KV_HEADS] = kvHeads;
        d[NativeAbi.PLAN_CAUSAL] = causal ? 1 : 0;
        d[NativeAbi.PLAN_WINDOWED] = window != null ? 1 : 0;
        d[NativeAbi.PLAN_WINDOW_LEFT] = window != null ? window.left() : 0;
        d[NativeAbi.PLAN_WINDOW_RIGHT] = window != null ? window.right() : 0;
        d[NativeAbi.PLAN_GLOBAL_TOKENS] = window != null ? window.globalTokens() : 0;
        d[NativeAbi.PLAN_HAS_BLOCK_MASK] = blockMask != null ? 1 : 0;
        d[NativeAbi.PLAN_BLOCK_BATCH] = blockMask != null ? blockMask.batch() : 1;
        d[NativeAbi.PLAN_BLOCK_HEADS] = blockMask != null ? blockMask.heads() : 1;
        d[NativeAbi.PLAN_BLOCK_QBLOCKS] = blockMask != null ? blockMask.queryBlocks() : 0;
        d[NativeAbi.PLAN_BLOCK_KBLOCKS] = blockMask != null ? blockMask.keyBlocks() : 0;
        d[NativeAbi.PLAN_BLOCK_BQ] = blockMask != null ? blockMask.blockQ() : 1;
        d[NativeAbi.PLAN_BLOCK_BK] = blockMask != null ? blockMask.blockK() : 1;
        d[NativeAbi.PLAN_TOPK_BQ] = topkBq;
        d[NativeAbi.PLAN_TOPK_BK] = topkBk;
        return d;
    }

    /** The block mask's cells as bytes [batch][heads][queryBlocks][keyBlocks], or null. */
    byte[] blockCells() {
        return blockMask == null ? null : cellsOf(blockMask);
    }

    /** The cells of {@code m} as bytes [batch][heads][queryBlocks][keyBlocks], the C ABI's layout. */
    static byte[] cellsOf(BlockMask m) {
        long n = (long) m.batch() * m.heads() * m.queryBlocks() * m.keyBlocks();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("blockMask: " + n + " cells is too many for the cuda provider");
        }
        byte[] cells = new byte[(int) n];
        int at = 0;
        for (int b = 0; b < m.batch(); b++) {
            for (int h = 0; h < m.heads(); h++) {
                for (int qb = 0; qb < m.queryBlocks(); qb++) {
                    for (int kb = 0; kb < m.keyBlocks(); kb++) {
                        cells[at++] = (byte) (m.get(b, h, qb, kb) ? 1 : 0);
                    }
                }
            }
        }
        return cells;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PlanKey)) {
            return false;
        }
        PlanKey k = (PlanKey) o;
        return hash == k.hash && device == k.device && nq == k.nq && nk == k.nk && batch == k.batch
                && qHeads == k.qHeads && kvHeads == k.kvHeads && causal == k.causal && topkBq == k.topkBq
                && topkBk == k.topkBk && Objects.equals(window, k.window) && Objects.equals(blockMask, k.blockMask);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
