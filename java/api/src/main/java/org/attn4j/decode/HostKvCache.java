package org.attn4j.decode;

import java.util.Arrays;
import org.attn4j.Tensor;

/**
 * A {@link KvCache} in plain Java arrays, row-major per (sequence, kv head), growing by copying into arrays twice
 * as long. Providers without a cache of their own hand out this one (the {@code reference} provider does, and so
 * does the forward-pass fallback of {@link Decoding}); it favours simplicity over speed.
 */
public final class HostKvCache extends KvCache {
    private final float[][] keys;
    private final float[][] values;
    private final double[][] blockSums;

    /** A cache of {@code config} (host memory only) owned by provider {@code provider}. */
    public HostKvCache(KvCacheConfig config, String provider) {
        super(config, provider);
        if (!config.device().isCpu()) {
            throw new IllegalArgumentException("device: a host cache lives in host memory, got " + config.device());
        }
        int heads = config.batch() * config.kvHeads();
        keys = new float[heads][];
        values = new float[heads][];
        blockSums = new double[heads][];
        allocate(config.capacity());
    }

    @Override
    protected void reserve(int newCapacity) {
        allocate(newCapacity);
    }

    private void allocate(int capacity) {
        int d = headDim();
        int dv = valueDim();
        int blocks = ceilDiv(capacity, blockSize());
        for (int x = 0; x < keys.length; x++) {
            keys[x] = keys[x] == null ? new float[capacity * d] : Arrays.copyOf(keys[x], capacity * d);
            values[x] = values[x] == null ? new float[capacity * dv] : Arrays.copyOf(values[x], capacity * dv);
            blockSums[x] = blockSums[x] == null ? new double[blocks * d] : Arrays.copyOf(blockSums[x], blocks * d);
        }
    }

    @Override
    protected void store(Tensor k, Tensor v, int[] counts, int[] from) {
        int hkv = kvHeads();
        int t = k.dim(2);
        int d = headDim();
        int dv = valueDim();
        int bs = blockSize();
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] == 0) {
                continue;
            }
            for (int h = 0; h < hkv; h++) {
                int x = b * hkv + h;
                long row = ((long) b * hkv + h) * t;
                k.copyTo(keys[x], from[b] * d, row * d, counts[b] * d);
                v.copyTo(values[x], from[b] * dv, row * dv, counts[b] * dv);
                double[] sums = blockSums[x];
                float[] kx = keys[x];
                for (int pos = from[b]; pos < from[b] + counts[b]; pos++) {
                    int base = (pos / bs) * d;
                    for (int c = 0; c < d; c++) {
                        sums[base + c] += kx[pos * d + c];
                    }
                }
            }
        }
    }

    @Override
    protected void readKeys(int sequence, int kvHead, int length, float[] dst, int offset) {
        System.arraycopy(keys[sequence * kvHeads() + kvHead], 0, dst, offset, length * headDim());
    }

    @Override
    protected void readValues(int sequence, int kvHead, int length, float[] dst, int offset) {
        System.arraycopy(values[sequence * kvHeads() + kvHead], 0, dst, offset, length * valueDim());
    }

    @Override
    protected void readBlockKeySums(int sequence, int kvHead, int blocks, double[] dst, int offset) {
        System.arraycopy(blockSums[sequence * kvHeads() + kvHead], 0, dst, offset, blocks * headDim());
    }

    @Override
    protected void free() {
        Arrays.fill(keys, null);
        Arrays.fill(values, null);
        Arrays.fill(blockSums, null);
    }
}
