package org.attn4j.cpu.decode;

import org.attn4j.Tensor;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;

/**
 * The {@code cpu} provider's KV cache: Java arrays in the decode kernels' layout ({@link CachedHead}), so a decode
 * step reads the cached keys and values where they lie, with no copy. Host memory only; fp16 and bf16 caches hold
 * their values rounded to that type, as floats.
 */
public final class CpuKvCache extends KvCache {
    private final CachedHead[] heads;

    public CpuKvCache(KvCacheConfig config, String provider) {
        super(config, provider);
        if (!config.device().isCpu()) {
            throw new IllegalArgumentException("device: the cpu provider keeps caches in host memory, got "
                    + config.device());
        }
        heads = new CachedHead[config.batch() * config.kvHeads()];
        for (int x = 0; x < heads.length; x++) {
            heads[x] = new CachedHead(config.headDim(), config.valueDim(), config.blockSize(), config.capacity());
        }
    }

    CachedHead head(int sequence, int kvHead) {
        return heads[sequence * kvHeads() + kvHead];
    }

    @Override
    protected void reserve(int newCapacity) {
        for (CachedHead h : heads) {
            h.reserve(newCapacity);
        }
    }

    @Override
    protected void store(Tensor k, Tensor v, int[] counts, int[] from) {
        int hkv = kvHeads();
        int t = k.dim(2);
        int d = headDim();
        int dv = valueDim();
        float[] kRows = new float[t * d];
        float[] vRows = new float[t * dv];
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] == 0) {
                continue;
            }
            for (int h = 0; h < hkv; h++) {
                long row = ((long) b * hkv + h) * t;
                k.copyTo(kRows, 0, row * d, counts[b] * d);
                v.copyTo(vRows, 0, row * dv, counts[b] * dv);
                head(b, h).store(kRows, 0, vRows, 0, from[b], counts[b]);
            }
        }
    }

    @Override
    protected void readKeys(int sequence, int kvHead, int length, float[] dst, int offset) {
        head(sequence, kvHead).readKeys(length, dst, offset);
    }

    @Override
    protected void readValues(int sequence, int kvHead, int length, float[] dst, int offset) {
        head(sequence, kvHead).readValues(length, dst, offset);
    }

    @Override
    protected void readBlockKeySums(int sequence, int kvHead, int blocks, double[] dst, int offset) {
        head(sequence, kvHead).readBlockSums(blocks, dst, offset);
    }

    @Override
    protected void free() {
        java.util.Arrays.fill(heads, null);
    }
}
