package org.attn4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import org.attn4j.internal.Arguments;
import org.attn4j.internal.HostStorage;
import org.attn4j.spi.TensorStorage;

/**
 * A dense, row-major tensor in off-heap memory (attention uses {@code [B, H, N, D]}), of type fp32, fp16 or bf16.
 *
 * <p>Host tensors live in a direct buffer that native code reads without a copy. Close a tensor to free its memory
 * at once; a tensor that an attention call is using is freed when that call ends (every call of {@link Attention}
 * holds a {@link Lease} on each tensor of its request: see {@link #acquire()} for what that guarantees). Reading and
 * writing Java float arrays converts to and from the tensor's type.
 *
 * <p>Bad arguments throw an {@link IllegalArgumentException} naming the argument ({@code null} included); using a
 * tensor whose memory has been freed throws an {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (Tensor q = Tensor.of(DType.FP16, data, 1, 8, 1024, 64)) { ... }
 * }</pre>
 */
public final class Tensor implements AutoCloseable {
    private final TensorStorage storage;
    private final DType dtype;
    private final int[] shape;
    private final long size;

    private final Object lock = new Object();
    private int leases;
    private boolean closed;
    private boolean freed;

    private Tensor(TensorStorage storage, DType dtype, int[] shape) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.size = elementCount(shape);
    }

    /**
     * A zero-filled host tensor.
     *
     * @throws IllegalArgumentException naming {@code dtype} or {@code shape} when one is null, a dimension is
     *                                  negative, or the tensor would exceed what host memory holds
     *                                  ({@link HostStorage#MAX_BYTES})
     */
    public static Tensor allocate(DType dtype, int... shape) {
        Arguments.notNull(dtype, "dtype", "fp32, fp16 or bf16");
        int[] s = checkShape(shape);
        long bytes = byteCount(dtype, s);
        if (bytes > HostStorage.MAX_BYTES) {
            throw new IllegalArgumentException("shape: " + dtype + " " + Arrays.toString(s) + " needs " + bytes
                    + " bytes; host tensors hold at most " + HostStorage.MAX_BYTES + " bytes");
        }
        return new Tensor(new HostStorage(bytes), dtype, s);
    }

    /** A host tensor holding {@code values} (row-major), rounded to {@code dtype}. */
    public static Tensor of(DType dtype, float[] values, int... shape) {
        Arguments.notNull(values, "values", "a float array");
        Tensor t = allocate(dtype, shape);
        if (values.length != t.size) {
            t.close();
            throw new IllegalArgumentException("values: expected " + t.size + " floats for shape "
                    + Arrays.toString(shape) + ", got " + values.length);
        }
        t.copyFrom(values);
        return t;
    }

    /** A float32 host tensor holding {@code values}. */
    public static Tensor of(float[] values, int... shape) {
        return of(DType.FP32, values, shape);
    }

    /**
     * Wraps memory a provider allocated (device memory, for instance). The tensor takes ownership: closing it frees
     * the storage.
     */
    public static Tensor wrap(TensorStorage storage, DType dtype, int... shape) {
        Arguments.notNull(storage, "storage", "the memory to wrap");
        Arguments.notNull(dtype, "dtype", "fp32, fp16 or bf16");
        int[] s = checkShape(shape);
        long bytes = byteCount(dtype, s);
        if (storage.byteSize() < bytes) {
            throw new IllegalArgumentException("storage: expected at least " + bytes + " bytes for "
                    + dtype + Arrays.toString(s) + ", got " + storage.byteSize());
        }
        return new Tensor(storage, dtype, s);
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return storage.device();
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        int a = axis < 0 ? shape.length + axis : axis;
        if (a < 0 || a >= shape.length) {
            throw new IllegalArgumentException("axis: expected -" + shape.length + ".." + (shape.length - 1)
                    + " for a rank-" + shape.length + " tensor, got " + axis);
        }
        return shape[a];
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    public long byteSize() {
        return size * dtype.byteSize();
    }

    /**
     * The memory behind this tensor, for providers. Valid while the tensor is open or {@link #acquire() leased}.
     *
     * @throws IllegalStateException if the memory has been freed
     */
    public TensorStorage storage() {
        checkNotFreed();
        return storage;
    }

    /**
     * A view of the host memory (native byte order, position 0), for providers that read it directly.
     * Valid while the tensor is open, or while a {@link #acquire() lease} on it is held: hold one while using it.
     *
     * @throws IllegalStateException if the memory has been freed or is not host memory
     */
    public ByteBuffer hostBuffer() {
        checkNotFreed();
        ByteBuffer b = storage.hostBuffer();
        if (b == null) {
            throw new IllegalStateException("tensor is on " + device() + ", not in host memory");
        }
        return b;
    }

    /** True once {@link #close()} has been called (the memory may live on while a running call holds a lease). */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /**
     * True when this tensor and {@code other} may share bytes: the same tensor, or storages that say they overlap
     * ({@link TensorStorage#overlaps}). Host tensors made by {@link #allocate} and {@link #of} never share memory.
     */
    boolean sharesMemoryWith(Tensor other) {
        return other != null && (other == this || storage.overlaps(other.storage) || other.storage.overlaps(storage));
    }

    /** True once the memory has been freed: closed, and no lease left. */
    boolean isFreed() {
        synchronized (lock) {
            return freed;
        }
    }

    /** Overwrites the whole tensor with {@code values}, rounded to this tensor's type. */
    public void copyFrom(float[] values) {
        Arguments.notNull(values, "values", "a float array");
        if (values.length != size) {
            throw new IllegalArgumentException("values: expected " + size + " floats, got " + values.length);
        }
        copyFrom(values, 0, 0, values.length);
    }

    /** Writes {@code length} floats from {@code src[srcOffset..]} at element {@code index}, rounding to the type. */
    public void copyFrom(float[] src, int srcOffset, long index, int length) {
        Arguments.notNull(src, "src", "a float array");
        checkRange(src.length, srcOffset, index, length);
        try (Lease ignored = acquire()) {
            ByteBuffer host = storage.hostBuffer();
            ByteBuffer bytes = host != null
                    ? host
                    : ByteBuffer.allocateDirect(length * dtype.byteSize()).order(ByteOrder.nativeOrder());
            int at = host != null ? (int) index : 0;
            if (dtype == DType.FP32) {
                FloatBuffer fb = bytes.asFloatBuffer();
                fb.position(at);
                fb.put(src, srcOffset, length);
            } else {
                short[] bits = new short[length];
                for (int i = 0; i < length; i++) {
                    float f = src[srcOffset + i];
                    bits[i] = dtype == DType.FP16 ? HalfFloats.floatToHalfBits(f) : HalfFloats.floatToBf16Bits(f);
                }
                ShortBuffer sb = bytes.asShortBuffer();
                sb.position(at);
                sb.put(bits);
            }
            if (host == null) {
                storage.write(index * dtype.byteSize(), bytes);
            }
        }
    }

    /** All elements as floats. */
    public float[] toFloatArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor has " + size + " elements, too many for one float[]");
        }
        float[] out = new float[(int) size];
        copyTo(out, 0, 0, out.length);
        return out;
    }

    /** Reads {@code length} elements starting at element {@code index} into {@code dst[dstOffset..]} as floats. */
    public void copyTo(float[] dst, int dstOffset, long index, int length) {
        Arguments.notNull(dst, "dst", "a float array");
        checkRange(dst.length, dstOffset, index, length);
        try (Lease ignored = acquire()) {
            ByteBuffer host = storage.hostBuffer();
            ByteBuffer bytes = host;
            int at = (int) index;
            if (host == null) {
                bytes = ByteBuffer.allocateDirect(length * dtype.byteSize()).order(ByteOrder.nativeOrder());
                storage.read(index * dtype.byteSize(), bytes);
                bytes.flip();
                at = 0;
            }
            if (dtype == DType.FP32) {
                FloatBuffer fb = bytes.asFloatBuffer();
                fb.position(at);
                fb.get(dst, dstOffset, length);
            } else {
                short[] bits = new short[length];
                ShortBuffer sb = bytes.asShortBuffer();
                sb.position(at);
                sb.get(bits);
                for (int i = 0; i < length; i++) {
                    dst[dstOffset + i] = dtype == DType.FP16
                            ? HalfFloats.halfBitsToFloat(bits[i]) : HalfFloats.bf16BitsToFloat(bits[i]);
                }
            }
        }
    }

    /** One element as a float, by its full index. Convenient for tests; use bulk copies in loops. */
    public float get(int... indices) {
        float[] one = new float[1];
        copyTo(one, 0, flatIndex(indices), 1);
        return one[0];
    }

    /** A new host tensor with the same values in another type (rounded where it is narrower). */
    public Tensor toDType(DType target) {
        Arguments.notNull(target, "target", "fp32, fp16 or bf16");
        float[] values = toFloatArray();
        return of(target, values, shape);
    }

    /** A new host tensor with the same values and type. */
    public Tensor copy() {
        return toDType(dtype);
    }

    /** Row-major offset of a full index. */
    public long flatIndex(int... indices) {
        Arguments.notNull(indices, "indices", "one index per dimension");
        if (indices.length != shape.length) {
            throw new IllegalArgumentException("indices: expected " + shape.length + " indices, got "
                    + indices.length);
        }
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (indices[d] < 0 || indices[d] >= shape[d]) {
                throw new IllegalArgumentException("indices[" + d + "]: expected 0.." + (shape[d] - 1)
                        + ", got " + indices[d]);
            }
            flat = flat * shape[d] + indices[d];
        }
        return flat;
    }

    /**
     * Marks the tensor as in use by a running call, until the returned lease is closed. Every call of
     * {@link Attention} holds a lease on each tensor of its request from its start to its end, so a provider needs
     * none of its own for work it finishes before returning.
     *
     * <p>While at least one lease is held:
     * <ul>
     *   <li>the memory stays allocated: {@link #close()} only marks the tensor closed ({@link #isClosed()}, and new
     *       requests refuse it), and the last lease to end frees the memory;</li>
     *   <li>every method that reads or writes the tensor works, even after {@link #close()}, and views from
     *       {@link #hostBuffer()} stay valid.</li>
     * </ul>
     * A lease is not a lock: several may be held at once, by any threads, and none stops another thread writing the
     * tensor. Leases belong to no thread; closing one twice is harmless. A provider that keeps using a tensor after
     * its call returns (asynchronous device work) takes its own lease first and closes it when that work is done.
     * A closed tensor can still be leased while another lease keeps its memory alive.
     *
     * @throws IllegalStateException if the memory has already been freed
     */
    public Lease acquire() {
        synchronized (lock) {
            if (freed) {
                throw new IllegalStateException("tensor is closed: " + describe());
            }
            leases++;
        }
        return new Lease();
    }

    /** Frees the memory now, or when the last lease on it ends. Closing twice is harmless. */
    @Override
    public void close() {
        boolean freeNow;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            freeNow = leases == 0;
            freed = freeNow;
        }
        if (freeNow) {
            storage.free();
        }
    }

    /** Type, device and shape, e.g. {@code fp16 cpu [1, 8, 1024, 64]}. */
    public String describe() {
        return dtype + " " + device() + " " + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + describe() + (isClosed() ? ", closed" : "") + "]";
    }

    private void checkNotFreed() {
        if (isFreed()) {
            throw new IllegalStateException("tensor is closed: " + describe());
        }
    }

    private void checkRange(int arrayLength, int arrayOffset, long index, int length) {
        if (length < 0 || arrayOffset < 0 || arrayOffset > arrayLength - length) {
            throw new IllegalArgumentException("array range: offset " + arrayOffset + " and length " + length
                    + " do not fit an array of " + arrayLength);
        }
        if (index < 0 || index > size - length) {
            throw new IllegalArgumentException("tensor range: elements " + index + ".." + (index + length)
                    + " do not fit a tensor of " + size + " elements");
        }
    }

    private static int[] checkShape(int[] shape) {
        Arguments.notNull(shape, "shape", "the sizes of the dimensions");
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape[" + i + "]: expected >= 0, got " + shape[i] + " in "
                        + Arrays.toString(shape));
            }
        }
        return shape.clone();
    }

    /** Bytes of a tensor of this type and shape, refusing shapes whose size a long cannot count. */
    private static long byteCount(DType dtype, int[] shape) {
        try {
            return Math.multiplyExact(elementCount(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape: " + dtype + " " + Arrays.toString(shape)
                    + " needs more than " + Long.MAX_VALUE + " bytes");
        }
    }

    private static long elementCount(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n = Math.multiplyExact(n, (long) s);
        }
        return n;
    }

    /** A tensor held by a running call; closing the lease releases it (and frees the tensor if it was closed). */
    public final class Lease implements AutoCloseable {
        private boolean released;

        private Lease() {
        }

        /** The tensor this lease holds. */
        public Tensor tensor() {
            return Tensor.this;
        }

        @Override
        public void close() {
            boolean freeNow;
            synchronized (lock) {
                if (released) {
                    return;
                }
                released = true;
                leases--;
                freeNow = closed && leases == 0;
                freed = freeNow;
            }
            if (freeNow) {
                storage.free();
            }
        }
    }
}
