package org.attn4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.attn4j.internal.HostStorage;
import org.attn4j.spi.TensorStorage;

/**
 * A dense, row-major tensor in off-heap memory (attention uses {@code [B, H, N, D]}), of type fp32, fp16 or bf16.
 *
 * <p>Host tensors live in a direct buffer that native code reads without a copy. Close a tensor to free its memory
 * at once; a tensor that an attention call is using is freed when that call ends. Reading and writing Java float
 * arrays converts to and from the tensor's type.
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

    /** A zero-filled host tensor. */
    public static Tensor allocate(DType dtype, int... shape) {
        Objects.requireNonNull(dtype, "dtype");
        int[] s = checkShape(shape);
        long bytes = elementCount(s) * dtype.byteSize();
        return new Tensor(new HostStorage(bytes), dtype, s);
    }

    /** A host tensor holding {@code values} (row-major), rounded to {@code dtype}. */
    public static Tensor of(DType dtype, float[] values, int... shape) {
        Objects.requireNonNull(values, "values");
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
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(dtype, "dtype");
        int[] s = checkShape(shape);
        long bytes = elementCount(s) * dtype.byteSize();
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

    /** The memory behind this tensor, for providers. */
    public TensorStorage storage() {
        checkOpen();
        return storage;
    }

    /**
     * A view of the host memory (native byte order, position 0), for providers that read it directly.
     * Valid only while the tensor is open; hold a {@link #acquire() lease} while using it.
     *
     * @throws IllegalStateException if the tensor is closed or not in host memory
     */
    public ByteBuffer hostBuffer() {
        checkOpen();
        ByteBuffer b = storage.hostBuffer();
        if (b == null) {
            throw new IllegalStateException("tensor is on " + device() + ", not in host memory");
        }
        return b;
    }

    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Overwrites the whole tensor with {@code values}, rounded to this tensor's type. */
    public void copyFrom(float[] values) {
        if (values.length != size) {
            throw new IllegalArgumentException("values: expected " + size + " floats, got " + values.length);
        }
        copyFrom(values, 0, 0, values.length);
    }

    /** Writes {@code length} floats from {@code src[srcOffset..]} at element {@code index}, rounding to the type. */
    public void copyFrom(float[] src, int srcOffset, long index, int length) {
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
        float[] values = toFloatArray();
        return of(target, values, shape);
    }

    /** A new host tensor with the same values and type. */
    public Tensor copy() {
        return toDType(dtype);
    }

    /** Row-major offset of a full index. */
    public long flatIndex(int... indices) {
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
     * Marks the tensor as in use by a running call: until the lease is closed, {@link #close()} only marks the tensor
     * closed and the memory stays valid.
     *
     * @throws IllegalStateException if the tensor is already closed
     */
    public Lease acquire() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("tensor is closed: " + describe());
            }
            leases++;
        }
        return new Lease();
    }

    /** Frees the memory now, or when the last running call using it finishes. Closing twice is harmless. */
    @Override
    public void close() {
        boolean freeNow;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            freeNow = leases == 0 && !freed;
            freed |= freeNow;
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

    private void checkOpen() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("tensor is closed: " + describe());
            }
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
        Objects.requireNonNull(shape, "shape");
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape[" + i + "]: expected >= 0, got " + shape[i]);
            }
        }
        return shape.clone();
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

        @Override
        public void close() {
            boolean freeNow;
            synchronized (lock) {
                if (released) {
                    return;
                }
                released = true;
                leases--;
                freeNow = closed && leases == 0 && !freed;
                freed |= freeNow;
            }
            if (freeNow) {
                storage.free();
            }
        }
    }
}
