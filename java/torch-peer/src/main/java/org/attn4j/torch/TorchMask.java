package org.attn4j.torch;

import java.util.ArrayList;
import java.util.List;
import org.attn4j.AttentionRequest;
import org.attn4j.mask.StaticMask;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A request's static mask as PyTorch's boolean {@code attn_mask} ({@code true}: may attend), {@code [Nq, Nk]} when
 * it is the same for every batch and head, else {@code [B, Hq, Nq, Nk]}, with the rows that allow no key at all
 * (SDPA gives NaN there, the SPEC gives 0). Built once per mask and reused by later calls with the same mask, as a
 * PyTorch user would build it once outside their loop.
 */
final class TorchMask {
    final Tensor mask;
    /** Flat (b * Hq + h) * Nq + i of every row with no allowed key. */
    final long[] emptyRows;
    final long allowedPairs;
    /** The mask's memory; {@link #mask} views it without owning it, so it lives as long as this object. */
    private final BytePointer bytes;
    private final Object key;

    private TorchMask(Object key, Tensor mask, BytePointer bytes, long[] emptyRows, long allowedPairs) {
        this.key = key;
        this.mask = mask;
        this.bytes = bytes;
        this.emptyRows = emptyRows;
        this.allowedPairs = allowedPairs;
    }

    /** What identifies a mask: the request's static-mask settings and the shape they apply to. */
    static Object keyOf(AttentionRequest r) {
        return List.of(r.batch(), r.queryHeads(), r.queryLength(), r.keyLength(), r.causal(),
                r.window().map(Object::toString).orElse(""),
                r.blockMask().map(m -> (Object) new Identity(m)).orElse(""));
    }

    boolean matches(Object otherKey) {
        return key.equals(otherKey);
    }

    static TorchMask build(AttentionRequest r, Object key) {
        StaticMask m = StaticMask.of(r);
        int batch = r.batch();
        int heads = r.queryHeads();
        int nq = r.queryLength();
        int nk = r.keyLength();
        boolean uniform = m.isUniform();
        int planes = uniform ? 1 : batch * heads;
        long cells = (long) planes * nq * nk;
        BytePointer bytes = new BytePointer(cells);
        byte[] row = new byte[nk];
        List<Long> empty = new ArrayList<>();
        long pairs = 0;
        for (int p = 0; p < planes; p++) {
            int b = p / heads;
            int h = p % heads;
            for (int i = 0; i < nq; i++) {
                int kept = 0;
                for (int j = 0; j < nk; j++) {
                    boolean a = m.allowed(b, h, i, j);
                    row[j] = (byte) (a ? 1 : 0);
                    kept += a ? 1 : 0;
                }
                bytes.position(((long) p * nq + i) * nk).put(row, 0, nk);
                pairs += kept;
                if (kept == 0) {
                    if (uniform) {
                        for (int q = 0; q < batch * heads; q++) {
                            empty.add((long) q * nq + i);
                        }
                    } else {
                        empty.add((long) p * nq + i);
                    }
                }
            }
        }
        bytes.position(0);
        long[] shape = uniform ? new long[] {nq, nk} : new long[] {batch, heads, nq, nk};
        Tensor t = torch.from_blob(bytes, shape, new TensorOptions(torch.ScalarType.Bool));
        return new TorchMask(key, t, bytes, empty.stream().mapToLong(Long::longValue).toArray(),
                uniform ? pairs * batch * heads : pairs);
    }

    /** Compares block masks by identity: a provider must not hold on to a mask's contents by value. */
    private static final class Identity {
        private final Object o;

        Identity(Object o) {
            this.o = o;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Identity && ((Identity) other).o == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(o);
        }
    }
}
