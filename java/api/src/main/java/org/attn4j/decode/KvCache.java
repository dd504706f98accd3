package org.attn4j.decode;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;

/**
 * Keys and values of {@code batch} sequences, appended position by position, with the running per-block key sums
 * that a decode step's block top-k scores (SPEC "Decoding with a KV cache"). Each sequence has its own length.
 *
 * <pre>{@code
 * try (KvCache cache = KvCache.create(KvCacheConfig.builder(1, 2, 64).build())) {   // best provider
 *     cache.append(k, v);                      // [B, Hkv, T, D] and [B, Hkv, T, Dv]: T positions per sequence
 *     AttentionResult r = Attention.decode(DecodeRequest.builder(q, cache).topKBlocks(8).build());
 * }
 * }</pre>
 *
 * <p>A cache belongs to the provider that created it ({@link #provider()}); decode calls run there unless another is
 * named. This class does the bookkeeping every cache shares (validation, lengths, capacity policy, locking, leases);
 * a provider subclasses it for its own memory (host arrays in its kernels' layout, device memory) and implements the
 * protected hooks.
 *
 * <p>Threads: appends are exclusive; decode calls and reads may run together. {@link #close()} frees the memory
 * now, or when the last running call that uses the cache ends.
 */
public abstract class KvCache implements AutoCloseable {
    /** Elements of one (sequence, kv head) at most: host caches keep each head in one Java array. */
    public static final long MAX_ELEMENTS_PER_HEAD = Integer.MAX_VALUE - 8;

    private final KvCacheConfig config;
    private final String provider;
    private final int[] lengths;
    private int capacity;

    private final ReentrantReadWriteLock exclusive = new ReentrantReadWriteLock();
    private final Object state = new Object();
    private int readers;
    private boolean closed;
    private boolean freed;

    /**
     * For providers: a cache of {@code config}, owned by provider {@code provider}. Reserve the memory of
     * {@code config.capacity()} positions in the subclass's constructor.
     */
    protected KvCache(KvCacheConfig config, String provider) {
        this.config = Objects.requireNonNull(config, "config");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.lengths = new int[config.batch()];
        this.capacity = config.capacity();
    }

    /** A cache on the configured provider, else the best available one that can hold it. */
    public static KvCache create(KvCacheConfig config) {
        return Decoding.newCache(config, null);
    }

    /** A cache on the provider named {@code provider} ({@code null}: as {@link #create(KvCacheConfig)}). */
    public static KvCache create(KvCacheConfig config, String provider) {
        return Decoding.newCache(config, provider);
    }

    public KvCacheConfig config() {
        return config;
    }

    /** Name of the provider that created the cache and runs its decode calls by default. */
    public String provider() {
        return provider;
    }

    public int batch() {
        return config.batch();
    }

    public int kvHeads() {
        return config.kvHeads();
    }

    public int headDim() {
        return config.headDim();
    }

    public int valueDim() {
        return config.valueDim();
    }

    public DType dtype() {
        return config.dtype();
    }

    public Device device() {
        return config.device();
    }

    public int blockSize() {
        return config.blockSize();
    }

    /** Positions per sequence the cache holds now without growing (the limit, for a fixed cache). */
    public int capacity() {
        synchronized (state) {
            return capacity;
        }
    }

    /** Positions held by sequence {@code sequence}. */
    public int length(int sequence) {
        checkSequence(sequence);
        synchronized (state) {
            return lengths[sequence];
        }
    }

    /** Positions held by every sequence. */
    public int[] lengths() {
        synchronized (state) {
            return lengths.clone();
        }
    }

    /** Blocks of key statistics of sequence {@code sequence}: {@code ceil(length / blockSize)}. */
    public int blocks(int sequence) {
        return ceilDiv(length(sequence), blockSize());
    }

    /** Appends all {@code T} positions of {@code k [B, Hkv, T, D]} and {@code v [B, Hkv, T, Dv]} to every sequence. */
    public void append(Tensor k, Tensor v) {
        int t = k == null ? 0 : k.rank() == 4 ? k.dim(2) : 0;
        int[] counts = new int[batch()];
        Arrays.fill(counts, t);
        append(k, v, counts);
    }

    /**
     * Appends the first {@code counts[b]} positions of {@code k[b]} and {@code v[b]} to sequence {@code b}
     * ({@code 0 <= counts[b] <= T}): sequences of different lengths, or only some of them, in one call. All or
     * nothing: an invalid call changes no sequence.
     *
     * @throws IllegalArgumentException naming the field, for a wrong shape, type or device, a count out of range,
     *         a closed cache or tensor, or a fixed cache that would exceed its capacity
     */
    public void append(Tensor k, Tensor v, int[] counts) {
        checkAppendTensor("k", k, headDim());
        checkAppendTensor("v", v, valueDim());
        if (k.dim(2) != v.dim(2)) {
            throw new IllegalArgumentException("v.shape[2] (positions): expected " + k.dim(2) + " as in k, got "
                    + v.dim(2));
        }
        if (counts == null || counts.length != batch()) {
            throw new IllegalArgumentException("counts: expected " + batch() + " counts (one per sequence), got "
                    + (counts == null ? "null" : String.valueOf(counts.length)));
        }
        int t = k.dim(2);
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] < 0 || counts[b] > t) {
                throw new IllegalArgumentException("counts[" + b + "]: expected 0.." + t + " (k.shape[2]), got "
                        + counts[b]);
            }
        }
        int[] safe = counts.clone();
        exclusive.writeLock().lock();
        try (Tensor.Lease kl = lease("k", k); Tensor.Lease vl = lease("v", v)) {
            int[] from;
            int needed = 0;
            synchronized (state) {
                if (closed) {
                    throw new IllegalArgumentException("cache: closed");
                }
                from = lengths.clone();
            }
            for (int b = 0; b < safe.length; b++) {
                long after = (long) from[b] + safe[b];
                if (!config.growable() && after > capacity) {
                    throw new IllegalArgumentException("counts[" + b + "]: sequence " + b + " would hold " + after
                            + " positions, more than the cache's fixed capacity " + capacity + " (" + from[b]
                            + " held; build the cache with a larger capacity, or growable)");
                }
                long widest = Math.max(headDim(), valueDim());
                if (after * widest > MAX_ELEMENTS_PER_HEAD) {
                    throw new IllegalArgumentException("counts[" + b + "]: sequence " + b + " would hold " + after
                            + " positions, more than a cache holds (" + MAX_ELEMENTS_PER_HEAD / widest + ")");
                }
                needed = (int) Math.max(needed, after);
            }
            if (needed > capacity) {
                long widest = Math.max(headDim(), valueDim());
                long grown = Math.max(needed, Math.min(2L * capacity, MAX_ELEMENTS_PER_HEAD / widest));
                reserve((int) grown);
                synchronized (state) {
                    capacity = (int) grown;
                }
            }
            store(k, v, safe, from);
            synchronized (state) {
                for (int b = 0; b < safe.length; b++) {
                    lengths[b] = from[b] + safe[b];
                }
            }
        } finally {
            exclusive.writeLock().unlock();
        }
    }

    /** Keys of sequence {@code sequence} as floats, {@code [Hkv, length, D]} (a copy). */
    public float[] keys(int sequence) {
        checkSequence(sequence);
        try (Lease ignored = acquire()) {
            int len = length(sequence);
            float[] out = new float[Math.toIntExact((long) kvHeads() * len * headDim())];
            for (int h = 0; h < kvHeads(); h++) {
                readKeys(sequence, h, len, out, h * len * headDim());
            }
            return out;
        }
    }

    /** Values of sequence {@code sequence} as floats, {@code [Hkv, length, Dv]} (a copy). */
    public float[] values(int sequence) {
        checkSequence(sequence);
        try (Lease ignored = acquire()) {
            int len = length(sequence);
            float[] out = new float[Math.toIntExact((long) kvHeads() * len * valueDim())];
            for (int h = 0; h < kvHeads(); h++) {
                readValues(sequence, h, len, out, h * len * valueDim());
            }
            return out;
        }
    }

    /**
     * The running key sums of sequence {@code sequence}, {@code [Hkv, blocks, D]}: block {@code kb} holds the float64
     * sum, in position order, of the keys at positions {@code kb * blockSize ..} held so far (a copy).
     */
    public double[] blockKeySums(int sequence) {
        checkSequence(sequence);
        try (Lease ignored = acquire()) {
            int blocks = blocks(sequence);
            double[] out = new double[Math.toIntExact((long) kvHeads() * blocks * headDim())];
            for (int h = 0; h < kvHeads(); h++) {
                readBlockKeySums(sequence, h, blocks, out, h * blocks * headDim());
            }
            return out;
        }
    }

    /**
     * Holds the cache for a running call: appends wait, and {@link #close()} defers freeing, until the lease is
     * closed (on the same thread).
     *
     * @throws IllegalArgumentException if the cache is closed
     */
    public Lease acquire() {
        exclusive.readLock().lock();
        synchronized (state) {
            if (closed) {
                exclusive.readLock().unlock();
                throw new IllegalArgumentException("cache: closed");
            }
            readers++;
        }
        return new Lease();
    }

    public boolean isClosed() {
        synchronized (state) {
            return closed;
        }
    }

    /** Frees the memory now, or when the last running call using the cache ends. Closing twice is harmless. */
    @Override
    public void close() {
        boolean freeNow;
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
            freeNow = readers == 0 && !freed;
            freed |= freeNow;
        }
        if (freeNow) {
            freeExclusively();
        }
    }

    /** One line: provider, configuration and lengths. */
    public String describe() {
        int[] l = lengths();
        String shown = l.length <= 8 ? Arrays.toString(l) : Arrays.toString(Arrays.copyOf(l, 8)) + "...";
        return provider + " cache " + config.describe() + " lengths " + shown;
    }

    @Override
    public String toString() {
        return "KvCache[" + describe() + (isClosed() ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Hooks for providers. The base class has validated every argument and holds the cache exclusively.

    /** Grows the memory of every sequence to {@code newCapacity} positions, keeping what is held. */
    protected abstract void reserve(int newCapacity);

    /**
     * Stores the first {@code counts[b]} positions of {@code k[b]}, {@code v[b]} at positions {@code from[b] ..}
     * of sequence {@code b} and adds the keys, in position order and in float64, to the running block sums. The
     * values stored are those of the cache's type (the tensors have it).
     */
    protected abstract void store(Tensor k, Tensor v, int[] counts, int[] from);

    /** Writes keys {@code [0, length)} of one head as floats into {@code dst[offset ..]}, row-major. */
    protected abstract void readKeys(int sequence, int kvHead, int length, float[] dst, int offset);

    /** Writes values {@code [0, length)} of one head as floats into {@code dst[offset ..]}, row-major. */
    protected abstract void readValues(int sequence, int kvHead, int length, float[] dst, int offset);

    /** Writes the running sums of blocks {@code [0, blocks)} of one head into {@code dst[offset ..]}, row-major. */
    protected abstract void readBlockKeySums(int sequence, int kvHead, int blocks, double[] dst, int offset);

    /** Releases the memory; called once, with no call running. */
    protected abstract void free();

    /** Whether {@link #append} takes tensors on {@code device}; by default host tensors only. */
    protected boolean acceptsAppendFrom(Device device) {
        return device.isCpu();
    }

    // ---------------------------------------------------------------------------------------------------------

    static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    private void checkSequence(int sequence) {
        if (sequence < 0 || sequence >= batch()) {
            throw new IllegalArgumentException("sequence: expected 0.." + (batch() - 1) + ", got " + sequence);
        }
    }

    private void checkAppendTensor(String field, Tensor t, int width) {
        if (t == null) {
            throw new IllegalArgumentException(field + ": expected a tensor, got null");
        }
        if (t.isClosed()) {
            throw new IllegalArgumentException(field + ": tensor is closed");
        }
        int[] s = t.shape();
        int[] expected = {batch(), kvHeads(), -1, width};
        if (s.length != 4 || s[0] != expected[0] || s[1] != expected[1] || s[3] != expected[3]) {
            throw new IllegalArgumentException(field + ".shape: expected [" + batch() + ", " + kvHeads() + ", T, "
                    + width + "] for this cache, got " + Arrays.toString(s));
        }
        if (t.dtype() != dtype()) {
            throw new IllegalArgumentException(field + ".dtype: expected " + dtype() + " (the cache's), got "
                    + t.dtype());
        }
        if (!acceptsAppendFrom(t.device())) {
            throw new IllegalArgumentException(field + ".device: this " + provider + " cache takes "
                    + (device().isCpu() ? "host tensors" : "tensors on " + device() + " or the host") + ", got "
                    + t.device());
        }
    }

    private static Tensor.Lease lease(String field, Tensor t) {
        try {
            return t.acquire();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(field + ": tensor is closed", e);
        }
    }

    private void freeExclusively() {
        exclusive.writeLock().lock();
        try {
            free();
        } finally {
            exclusive.writeLock().unlock();
        }
    }

    /** A running call's hold on the cache; see {@link #acquire()}. */
    public final class Lease implements AutoCloseable {
        private boolean released;

        private Lease() {
        }

        @Override
        public void close() {
            boolean freeNow;
            synchronized (state) {
                if (released) {
                    return;
                }
                released = true;
                readers--;
                freeNow = closed && readers == 0 && !freed;
                freed |= freeNow;
            }
            exclusive.readLock().unlock();
            if (freeNow) {
                freeExclusively();
            }
        }
    }
}
