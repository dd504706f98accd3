package org.attn4j.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import org.attn4j.Device;
import org.attn4j.Tensor;
import org.attn4j.cuda.bridge.CudaBridge;
import org.attn4j.decode.KvCache;
import org.attn4j.decode.KvCacheConfig;

/**
 * A KV cache in device memory ({@code attn4j_kv_create}): keys and values of every (sequence, kv head) in the cache's
 * type, and the float64 running key sums of every block, which the decode kernels' block top-k scores. Appends take
 * tensors on the cache's device or on the host (copied up first); {@link #keys}, {@link #values} and
 * {@link #blockKeySums} copy back to the host. The native cache frees its memory after the work queued with it.
 */
final class CudaKvCache extends KvCache {
    private final int device;
    private final long handle;

    CudaKvCache(KvCacheConfig config) {
        super(config, CudaProvider.NAME);
        Device d = config.device();
        if (d.kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException("device: a cuda cache lives on a cuda device, got " + d);
        }
        this.device = d.index();
        long[] desc = new long[NativeAbi.KV_COUNT];
        desc[NativeAbi.KV_BATCH] = config.batch();
        desc[NativeAbi.KV_KV_HEADS] = config.kvHeads();
        desc[NativeAbi.KV_HEAD_DIM] = config.headDim();
        desc[NativeAbi.KV_VALUE_DIM] = config.valueDim();
        desc[NativeAbi.KV_DTYPE] = config.dtype().ordinal();
        desc[NativeAbi.KV_CAPACITY] = config.capacity();
        desc[NativeAbi.KV_BLOCK_SIZE] = config.blockSize();
        long[] out = new long[1];
        CudaErrors.check(CudaBridge.attn4j_kv_create(device, desc, NativeAbi.KV_COUNT, out), "KV cache on cuda:"
                + device);
        this.handle = out[0];
    }

    /** The native cache's handle, for decode calls. */
    long handle() {
        return handle;
    }

    int deviceIndex() {
        return device;
    }

    @Override
    protected boolean acceptsAppendFrom(Device d) {
        return d.isCpu() || d.equals(device());
    }

    @Override
    protected void reserve(int newCapacity) {
        CudaStream stream = CudaStream.perThread(device);
        CudaErrors.check(CudaBridge.attn4j_kv_reserve(handle, newCapacity, stream.handle()), "KV cache reserve on"
                + " cuda:" + device);
        stream.synchronize();
    }

    @Override
    protected void store(Tensor k, Tensor v, int[] counts, int[] from) {
        List<Tensor> temps = new ArrayList<>();
        try {
            Tensor dk = onDevice(k, "k", temps);
            Tensor dv = onDevice(v, "v", temps);
            CudaStream stream = CudaStream.perThread(device);
            CudaErrors.check(CudaBridge.attn4j_kv_append(handle, stream.handle(),
                    CudaTensors.deviceStorage(dk, "k").pointer(), CudaTensors.deviceStorage(dv, "v").pointer(),
                    k.dim(2), counts, from, counts.length), "KV cache append on cuda:" + device);
            // Decode calls may run on other threads' streams: the append is complete when it returns.
            stream.synchronize();
        } finally {
            for (Tensor t : temps) {
                t.close();
            }
        }
    }

    private Tensor onDevice(Tensor t, String field, List<Tensor> temps) {
        if (!t.device().isCpu()) {
            CudaTensors.deviceStorage(t, field);
            return t;
        }
        Tensor copy = CudaTensors.copyOf(t, device);
        temps.add(copy);
        return copy;
    }

    @Override
    protected void readKeys(int sequence, int kvHead, int length, float[] dst, int offset) {
        readRows(NativeAbi.KV_KEYS, sequence, kvHead, length, headDim(), dst, offset);
    }

    @Override
    protected void readValues(int sequence, int kvHead, int length, float[] dst, int offset) {
        readRows(NativeAbi.KV_VALUES, sequence, kvHead, length, valueDim(), dst, offset);
    }

    private void readRows(int part, int sequence, int kvHead, int length, int width, float[] dst, int offset) {
        if (length == 0) {
            return;
        }
        try (Tensor host = Tensor.allocate(dtype(), length, width)) {
            ByteBuffer buffer = host.storage().hostBuffer();
            CudaErrors.check(CudaBridge.readCache(handle, part, sequence, kvHead, length, buffer,
                    CudaStream.perThread(device).handle()), "KV cache read on cuda:" + device);
            host.copyTo(dst, offset, 0, length * width);
        }
    }

    @Override
    protected void readBlockKeySums(int sequence, int kvHead, int blocks, double[] dst, int offset) {
        if (blocks == 0) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.multiplyExact(blocks * headDim(), Double.BYTES))
                .order(ByteOrder.nativeOrder());
        CudaErrors.check(CudaBridge.readCache(handle, NativeAbi.KV_BLOCK_SUMS, sequence, kvHead, blocks, buffer,
                CudaStream.perThread(device).handle()), "KV cache read on cuda:" + device);
        DoubleBuffer sums = buffer.asDoubleBuffer();
        sums.get(dst, offset, blocks * headDim());
    }

    @Override
    protected void free() {
        CudaErrors.check(CudaBridge.attn4j_kv_destroy(handle), "KV cache free on cuda:" + device);
    }
}
