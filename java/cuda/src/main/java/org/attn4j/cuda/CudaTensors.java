package org.attn4j.cuda;

import java.util.Objects;
import org.attn4j.DType;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.cuda.bridge.CudaBridge;
import org.attn4j.spi.TensorStorage;

/**
 * Device tensors for the cuda provider: allocate them, copy host tensors up, copy results down. A device tensor is a
 * plain {@link Tensor} (its {@link Tensor#device()} is {@code cuda:N}); {@link Tensor#copyTo} and
 * {@link Tensor#copyFrom} work on it through synchronous copies, and closing it frees the device memory.
 *
 * <pre>{@code
 * try (Tensor q = CudaTensors.copyOf(hostQ, 0); Tensor k = CudaTensors.copyOf(hostK, 0);
 *      Tensor v = CudaTensors.copyOf(hostV, 0);
 *      AttentionResult r = Attention.forward(AttentionRequest.builder(q, k, v).causal().build(), "cuda");
 *      Tensor o = CudaTensors.toHost(r.output())) { ... }
 * }</pre>
 */
public final class CudaTensors {
    private CudaTensors() {
    }

    /** A zero-filled tensor on device {@code device}. */
    public static Tensor allocate(DType dtype, int device, int... shape) {
        Objects.requireNonNull(dtype, "dtype");
        long bytes = Math.multiplyExact(elements(shape), (long) dtype.byteSize());
        DeviceStorage storage = DeviceStorage.allocate(device, bytes);
        try {
            CudaErrors.check(CudaBridge.attn4j_memset(device, storage.pointer(), 0, bytes, 0), "cudaMemset");
            CudaErrors.check(CudaBridge.attn4j_stream_synchronize(device, 0), "cudaStreamSynchronize");
            return Tensor.wrap(storage, dtype, shape);
        } catch (RuntimeException e) {
            storage.free();
            throw e;
        }
    }

    /** An uninitialized device tensor (for outputs the kernels overwrite completely). */
    static Tensor allocateUninitialized(DType dtype, int device, int... shape) {
        long bytes = Math.multiplyExact(elements(shape), (long) dtype.byteSize());
        DeviceStorage storage = DeviceStorage.allocate(device, bytes);
        try {
            return Tensor.wrap(storage, dtype, shape);
        } catch (RuntimeException e) {
            storage.free();
            throw e;
        }
    }

    /** A copy of {@code source} (host or device, same type and shape) on device {@code device}. */
    public static Tensor copyOf(Tensor source, int device) {
        Objects.requireNonNull(source, "source");
        Tensor t = allocateUninitialized(source.dtype(), device, source.shape());
        Tensor.Lease lease = null;
        try {
            lease = source.acquire();
            copy(source, t);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        } finally {
            if (lease != null) {
                lease.close();
            }
        }
    }

    /** A new host tensor holding the values of {@code source} (host or device). */
    public static Tensor toHost(Tensor source) {
        Objects.requireNonNull(source, "source");
        Tensor t = Tensor.allocate(source.dtype(), source.shape());
        Tensor.Lease lease = null;
        try {
            lease = source.acquire();
            copy(source, t);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        } finally {
            if (lease != null) {
                lease.close();
            }
        }
    }

    /** Whether {@code t} lives in device memory this provider allocated. */
    public static boolean isDeviceTensor(Tensor t) {
        return t.storage() instanceof DeviceStorage;
    }

    /**
     * Copies all of {@code src} into {@code dst} (same type and element count; either may be on the host or a
     * device of this provider). Synchronous.
     */
    public static void copy(Tensor src, Tensor dst) {
        if (src.dtype() != dst.dtype() || src.size() != dst.size()) {
            throw new IllegalArgumentException("copy: expected the same type and size, got " + src.describe()
                    + " and " + dst.describe());
        }
        long bytes = src.byteSize();
        TensorStorage s = src.storage();
        TensorStorage d = dst.storage();
        if (s.hostBuffer() != null && d.hostBuffer() != null) {
            d.write(0, s.hostBuffer().limit((int) bytes));
        } else if (s.hostBuffer() != null) {
            DeviceStorage ds = deviceStorage(dst, "dst");
            ds.write(0, s.hostBuffer().limit((int) bytes));
        } else if (d.hostBuffer() != null) {
            DeviceStorage ss = deviceStorage(src, "src");
            ss.read(0, d.hostBuffer().limit((int) bytes));
        } else {
            DeviceStorage ss = deviceStorage(src, "src");
            DeviceStorage ds = deviceStorage(dst, "dst");
            if (ss.deviceIndex() != ds.deviceIndex()) {
                throw new IllegalArgumentException("copy: tensors on " + src.device() + " and " + dst.device()
                        + "; copy through the host");
            }
            CudaErrors.check(CudaBridge.attn4j_memcpy_d2d(ds.deviceIndex(), ds.pointer(), ss.pointer(), bytes, 0),
                    "device to device copy");
            CudaErrors.check(CudaBridge.attn4j_stream_synchronize(ds.deviceIndex(), 0), "cudaStreamSynchronize");
        }
    }

    /** The storage of a device tensor this provider allocated, or an IllegalArgumentException naming the field. */
    static DeviceStorage deviceStorage(Tensor t, String field) {
        TensorStorage s = t.storage();
        if (!(s instanceof DeviceStorage)) {
            Device d = t.device();
            throw new IllegalArgumentException(field + ": tensor on " + d + " was not allocated by the cuda provider ("
                    + s.getClass().getName() + "); copy it with CudaTensors.copyOf(tensor, device)");
        }
        return (DeviceStorage) s;
    }

    private static long elements(int[] shape) {
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("shape[" + i + "]: expected >= 0, got " + shape[i]);
            }
            n = Math.multiplyExact(n, (long) shape[i]);
        }
        return n;
    }
}
