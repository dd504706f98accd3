package org.attn4j.cli.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.attn4j.HalfFloats;

/**
 * An n-dimensional array as a {@code .npy} file holds it: element type, byte order, C-order shape and the raw bytes.
 * Converts to and from Java arrays.
 */
public final class NpyArray {
    private final NpyType type;
    private final ByteOrder order;
    private final int[] shape;
    private final long size;
    private final ByteBuffer data;

    NpyArray(NpyType type, ByteOrder order, int[] shape, ByteBuffer data) {
        this.type = Objects.requireNonNull(type, "type");
        this.order = Objects.requireNonNull(order, "order");
        this.shape = shape.clone();
        this.size = elementCount(this.shape);
        if (data.remaining() != size * type.byteSize()) {
            throw new IllegalArgumentException("data: expected " + size * type.byteSize() + " bytes for "
                    + type + Arrays.toString(shape) + ", got " + data.remaining());
        }
        this.data = data.slice().order(order);
    }

    /**
     * An array over {@code data} (its remaining bytes, in {@code order}) without copying them: the caller keeps the
     * bytes unchanged while the array is in use. For writing a tensor's memory straight to a file.
     *
     * @throws IllegalArgumentException when {@code data} does not hold exactly the shape's elements
     */
    public static NpyArray view(NpyType type, ByteOrder order, int[] shape, ByteBuffer data) {
        return new NpyArray(type, order, shape, data);
    }

    /** A little-endian float32 array. */
    public static NpyArray ofFloat32(float[] values, int... shape) {
        return ofFloats(NpyType.FLOAT32, ByteOrder.LITTLE_ENDIAN, values, shape);
    }

    /** An array of a floating-point {@code type} holding {@code values}, rounded to the type. */
    public static NpyArray ofFloats(NpyType type, ByteOrder order, float[] values, int... shape) {
        if (!type.isFloatingPoint()) {
            throw new IllegalArgumentException("type: expected float16, float32 or float64, got " + type);
        }
        checkLength(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, type.byteSize())).order(order);
        for (float v : values) {
            switch (type) {
                case FLOAT16: b.putShort(HalfFloats.floatToHalfBits(v)); break;
                case FLOAT32: b.putFloat(v); break;
                default: b.putDouble(v); break;
            }
        }
        b.flip();
        return new NpyArray(type, order, shape, b);
    }

    /** A NumPy {@code bool} array. */
    public static NpyArray ofBooleans(boolean[] values, int... shape) {
        checkLength(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(values.length);
        for (boolean v : values) {
            b.put((byte) (v ? 1 : 0));
        }
        b.flip();
        return new NpyArray(NpyType.BOOL, ByteOrder.LITTLE_ENDIAN, shape, b);
    }

    /** A NumPy {@code uint8} array. */
    public static NpyArray ofUint8(byte[] values, int... shape) {
        checkLength(values.length, shape);
        return new NpyArray(NpyType.UINT8, ByteOrder.LITTLE_ENDIAN, shape, ByteBuffer.wrap(values.clone()));
    }

    public NpyType type() {
        return type;
    }

    /** Byte order of the data (meaningless for one-byte types). */
    public ByteOrder order() {
        return order;
    }

    /** A copy of the shape ({@code []} for a scalar). */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** The raw bytes, read-only, in {@link #order()}. */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(order);
    }

    /**
     * The elements as floats (float16 and float64 converted).
     *
     * @throws IllegalArgumentException if the array is not of a floating-point type
     */
    public float[] toFloatArray() {
        if (!type.isFloatingPoint()) {
            throw new IllegalArgumentException("array of type " + type + ": expected float16, float32 or float64");
        }
        float[] out = new float[checkedSize()];
        ByteBuffer b = data();
        switch (type) {
            case FLOAT16:
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.halfBitsToFloat(b.getShort(2 * i));
                }
                break;
            case FLOAT32:
                b.asFloatBuffer().get(out);
                break;
            default:
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
                break;
        }
        return out;
    }

    /**
     * The elements as booleans: for {@code bool} and {@code uint8}, any non-zero byte is true.
     *
     * @throws IllegalArgumentException if the array is not of type bool or uint8
     */
    public boolean[] toBooleanArray() {
        if (type != NpyType.BOOL && type != NpyType.UINT8) {
            throw new IllegalArgumentException("array of type " + type + ": expected bool or uint8");
        }
        boolean[] out = new boolean[checkedSize()];
        ByteBuffer b = data();
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i) != 0;
        }
        return out;
    }

    private int checkedSize() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("array of " + size + " elements is too large for one Java array");
        }
        return (int) size;
    }

    private static void checkLength(int length, int[] shape) {
        long n = elementCount(shape);
        if (n != length) {
            throw new IllegalArgumentException("values: expected " + n + " elements for shape "
                    + Arrays.toString(shape) + ", got " + length);
        }
    }

    static long elementCount(int[] shape) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape[" + i + "]: expected >= 0, got " + shape[i]);
            }
            n = Math.multiplyExact(n, (long) shape[i]);
        }
        return n;
    }

    @Override
    public String toString() {
        return type + (type.byteSize() > 1 ? (order == ByteOrder.BIG_ENDIAN ? " big-endian " : " ") : " ")
                + Arrays.toString(shape);
    }
}
