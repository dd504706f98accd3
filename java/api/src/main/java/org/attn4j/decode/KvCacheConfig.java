package org.attn4j.decode;

import java.util.Objects;
import org.attn4j.DType;
import org.attn4j.Device;

/**
 * The shape and policy of a {@link KvCache}: {@code batch} sequences, each holding up to {@code capacity} positions
 * of keys {@code [kvHeads, headDim]} and values {@code [kvHeads, valueDim]} of type {@code dtype}, summed per block
 * of {@code blockSize} positions for block top-k.
 *
 * <pre>{@code
 * KvCacheConfig c = KvCacheConfig.builder(2, 4, 64).capacity(8192).fixedCapacity().blockSize(64).build();
 * }</pre>
 *
 * <p>A growable cache (the default) doubles its capacity when an append needs more; a fixed one refuses the append
 * with an {@link IllegalArgumentException} instead, so that memory is reserved once and never moves.
 */
public final class KvCacheConfig {
    /** Default positions per block of key statistics (block top-k's block size). */
    public static final int DEFAULT_BLOCK_SIZE = 64;
    /** Default initial capacity, in positions per sequence. */
    public static final int DEFAULT_CAPACITY = 1024;

    private final int batch;
    private final int kvHeads;
    private final int headDim;
    private final int valueDim;
    private final DType dtype;
    private final Device device;
    private final int capacity;
    private final boolean growable;
    private final int blockSize;

    private KvCacheConfig(Builder b) {
        this.batch = b.batch;
        this.kvHeads = b.kvHeads;
        this.headDim = b.headDim;
        this.valueDim = b.valueDim > 0 ? b.valueDim : b.headDim;
        this.dtype = b.dtype;
        this.device = b.device;
        this.capacity = b.capacity;
        this.growable = b.growable;
        this.blockSize = b.blockSize;
    }

    /** Starts a configuration: fp32 host memory, value dim = head dim, growable from 1024 positions, blocks of 64. */
    public static Builder builder(int batch, int kvHeads, int headDim) {
        return new Builder(batch, kvHeads, headDim);
    }

    /** A builder holding this configuration's settings (to change one, say the device). */
    public Builder toBuilder() {
        Builder b = new Builder(batch, kvHeads, headDim).valueDim(valueDim).dtype(dtype).device(device)
                .capacity(capacity).blockSize(blockSize);
        return growable ? b.growable() : b.fixedCapacity();
    }

    public int batch() {
        return batch;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public int valueDim() {
        return valueDim;
    }

    public DType dtype() {
        return dtype;
    }

    /** Where the cache lives: host memory ({@link Device#CPU}) or a provider's device. */
    public Device device() {
        return device;
    }

    /** Positions per sequence reserved at creation (and the limit, for a fixed cache). */
    public int capacity() {
        return capacity;
    }

    /** Whether appends beyond the capacity grow the cache (else they are refused). */
    public boolean growable() {
        return growable;
    }

    /** Positions per block of the running key sums; block top-k selects blocks of this size. */
    public int blockSize() {
        return blockSize;
    }

    /** One line, e.g. {@code fp32 cpu B=2 Hkv=4 D=64 Dv=64 capacity 8192 (fixed) blocks of 64}. */
    public String describe() {
        return dtype + " " + device + " B=" + batch + " Hkv=" + kvHeads + " D=" + headDim + " Dv=" + valueDim
                + " capacity " + capacity + (growable ? " (growable)" : " (fixed)") + " blocks of " + blockSize;
    }

    @Override
    public String toString() {
        return "KvCacheConfig[" + describe() + "]";
    }

    /** Collects the settings; {@link #build()} validates them. */
    public static final class Builder {
        private final int batch;
        private final int kvHeads;
        private final int headDim;
        private int valueDim;
        private DType dtype = DType.FP32;
        private Device device = Device.CPU;
        private int capacity = DEFAULT_CAPACITY;
        private boolean growable = true;
        private int blockSize = DEFAULT_BLOCK_SIZE;

        private Builder(int batch, int kvHeads, int headDim) {
            this.batch = batch;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
        }

        /** Value dim (default: the head dim). */
        public Builder valueDim(int valueDim) {
            check("valueDim", valueDim);
            this.valueDim = valueDim;
            return this;
        }

        public Builder dtype(DType dtype) {
            this.dtype = dtype;
            return this;
        }

        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /** Positions per sequence to reserve now. */
        public Builder capacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        /** Refuse appends beyond the capacity instead of growing. */
        public Builder fixedCapacity() {
            this.growable = false;
            return this;
        }

        /** Grow the capacity (doubling) when an append needs more (the default). */
        public Builder growable() {
            this.growable = true;
            return this;
        }

        /** Positions per block of the key statistics that block top-k scores (default 64). */
        public Builder blockSize(int blockSize) {
            this.blockSize = blockSize;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public KvCacheConfig build() {
            check("batch", batch);
            check("kvHeads", kvHeads);
            check("headDim", headDim);
            check("capacity", capacity);
            check("blockSize", blockSize);
            if (dtype == null) {
                throw new IllegalArgumentException("dtype: expected fp32, fp16 or bf16, got null");
            }
            if (device == null) {
                throw new IllegalArgumentException("device: expected cpu or cuda:N, got null");
            }
            long widest = Math.max(headDim, valueDim > 0 ? valueDim : headDim);
            if ((long) capacity * widest > KvCache.MAX_ELEMENTS_PER_HEAD) {
                throw new IllegalArgumentException("capacity: " + capacity + " positions of " + widest
                        + " elements exceed what one head of a cache holds (" + KvCache.MAX_ELEMENTS_PER_HEAD
                        + " elements)");
            }
            return new KvCacheConfig(this);
        }

        private static void check(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(field + ": expected >= 1, got " + value);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof KvCacheConfig)) {
            return false;
        }
        KvCacheConfig c = (KvCacheConfig) o;
        return c.batch == batch && c.kvHeads == kvHeads && c.headDim == headDim && c.valueDim == valueDim
                && c.dtype == dtype && c.device.equals(device) && c.capacity == capacity && c.growable == growable
                && c.blockSize == blockSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(batch, kvHeads, headDim, valueDim, dtype, device, capacity, growable, blockSize);
    }
}
