package org.attn4j.cuda.bridge;

import java.net.URL;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JNI binding of attn4j's CUDA engine: one static native method per function of the C ABI in
 * {@code cuda/include/attn4j_cuda.h} (see there for the meaning of every argument and return code). Each call crosses
 * JNI once; arrays carry the argument vectors and the outputs, direct buffers carry host memory.
 *
 * <p>Loading this class loads the native library ({@link NativeLibrary} says which build and whether it is there), so
 * touch it only after checking; the cuda provider does that lazily and turns every failure into an availability
 * reason. The GPU build links the CUDA runtime statically: it needs only the driver, and loads without one.
 *
 * <p>Host copies go through {@link #copyToDevice} and {@link #copyToHost}, which check the byte count against the
 * buffer: the native functions trust what they are told.
 */
@Platform(value = "linux-x86_64", include = "attn4j_cuda.h")
public final class CudaBridge {
    static {
        if (NativeLibrary.emulatorRequested()) {
            URL library = NativeLibrary.find(CudaBridge.class, NativeLibrary.EMULATOR_RESOURCE);
            if (library == null) {
                throw new UnsatisfiedLinkError("the GPU emulator's library " + NativeLibrary.EMULATOR_RESOURCE
                        + " is not on the class path (attn4j-native's linux-x86_64 jar, built where the CUDA toolkit"
                        + " is installed)");
            }
            Loader.loadLibrary(CudaBridge.class, new URL[] {library}, "jniCudaBridgeEmu");
        } else {
            Loader.load();
        }
    }

    private CudaBridge() {
    }

    /**
     * Copies {@code bytes} bytes from a direct buffer, starting at its position, to device address {@code dst}.
     *
     * @throws IllegalArgumentException if the buffer is not direct or holds fewer than {@code bytes} bytes
     */
    public static int copyToDevice(int device, long dst, ByteBuffer src, long bytes, long stream) {
        checkHostBuffer(src, bytes, "src");
        return attn4j_memcpy_h2d(device, dst, src, src.remaining(), bytes, stream);
    }

    /**
     * Copies {@code bytes} bytes from device address {@code src} into a direct buffer, starting at its position.
     *
     * @throws IllegalArgumentException if the buffer is not direct, read-only, or has room for fewer bytes
     */
    public static int copyToHost(int device, ByteBuffer dst, long src, long bytes, long stream) {
        checkHostBuffer(dst, bytes, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst: expected a writable buffer, got a read-only one");
        }
        return attn4j_memcpy_d2h(device, dst, dst.remaining(), src, bytes, stream);
    }

    /**
     * Copies a part of one (sequence, kv head) of a device KV cache into a direct buffer, starting at its position
     * ({@code attn4j_kv_read}); the native side checks the byte count against the buffer's remaining bytes.
     *
     * @throws IllegalArgumentException if the buffer is null, not direct or read-only
     */
    public static int readCache(long cache, int part, int sequence, int kvHead, int count, ByteBuffer dst, long stream) {
        if (dst == null) {
            throw new IllegalArgumentException("dst: expected a direct buffer, got null");
        }
        if (!dst.isDirect() || dst.isReadOnly()) {
            throw new IllegalArgumentException("dst: expected a writable direct buffer");
        }
        return attn4j_kv_read(cache, part, sequence, kvHead, count, dst, dst.remaining(), stream);
    }

    private static void checkHostBuffer(ByteBuffer buffer, long bytes, String field) {
        if (buffer == null) {
            throw new IllegalArgumentException(field + ": expected a direct buffer, got null");
        }
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException(field + ": expected a direct buffer, got a heap buffer");
        }
        if (bytes < 0 || bytes > buffer.remaining()) {
            throw new IllegalArgumentException("bytes: expected 0.." + buffer.remaining() + " (the " + field
                    + " buffer's remaining bytes), got " + bytes);
        }
    }

    public static native int attn4j_abi_version();

    public static native @Cast("const char*") String attn4j_error_name(int code);

    public static native @Cast("const char*") String attn4j_error_string(int code);

    public static native @Cast("const char*") String attn4j_last_error_message();

    public static native int attn4j_error_is_recoverable(int code);

    public static native int attn4j_driver_library_present();

    public static native int attn4j_device_emulated();

    public static native int attn4j_driver_version(int[] version);

    public static native int attn4j_runtime_version(int[] version);

    public static native int attn4j_device_count(int[] count);

    public static native int attn4j_device_properties(int device, int[] major, int[] minor, int[] multiprocessors,
            @Cast("int64_t*") long[] totalMemory, @Cast("int64_t*") long[] maxSharedPerBlock,
            @Cast("char*") byte[] name, int nameCapacity);

    public static native int attn4j_mem_info(int device, @Cast("int64_t*") long[] freeBytes,
            @Cast("int64_t*") long[] totalBytes);

    public static native int attn4j_malloc(int device, long bytes, @Cast("int64_t*") long[] ptr);

    public static native int attn4j_free(int device, long ptr);

    /** Host to device from a direct buffer, starting at its position (use {@link #copyToDevice}). */
    private static native int attn4j_memcpy_h2d(int device, long dst, @Cast("int64_t") ByteBuffer srcHost,
            long hostCapacity, long bytes, long stream);

    /** Device to host into a direct buffer, starting at its position (use {@link #copyToHost}). */
    private static native int attn4j_memcpy_d2h(int device, @Cast("int64_t") ByteBuffer dstHost, long hostCapacity,
            long src, long bytes, long stream);

    public static native int attn4j_memcpy_d2d(int device, long dst, long src, long bytes, long stream);

    public static native int attn4j_memset(int device, long dst, int value, long bytes, long stream);

    public static native int attn4j_convert(int device, long stream, long src, int srcDtype, long dst, int dstDtype,
            long elements);

    public static native int attn4j_stream_create(int device, @Cast("int64_t*") long[] stream);

    public static native int attn4j_stream_destroy(int device, long stream);

    public static native int attn4j_stream_synchronize(int device, long stream);

    public static native int attn4j_device_synchronize(int device);

    public static native int attn4j_event_create(int device, @Cast("int64_t*") long[] event);

    public static native int attn4j_event_destroy(int device, long event);

    public static native int attn4j_event_record(int device, long event, long stream);

    public static native int attn4j_event_synchronize(int device, long event);

    public static native int attn4j_event_elapsed_ms(int device, long start, long stop, float[] ms);

    public static native int attn4j_plan_create(int device, @Cast("const int64_t*") long[] desc, int descCount,
            @Cast("const uint8_t*") byte[] blockCells, long blockCellCount, @Cast("int64_t*") long[] plan);

    public static native int attn4j_plan_info(long plan, @Cast("int64_t*") long[] info, int infoCount);

    public static native int attn4j_plan_destroy(long plan);

    public static native int attn4j_forward(@Cast("const int64_t*") long[] args, int count);

    public static native int attn4j_backward(@Cast("const int64_t*") long[] args, int count);

    public static native int attn4j_forward_check(@Cast("const int64_t*") long[] args, int count);

    public static native int attn4j_backward_check(@Cast("const int64_t*") long[] args, int count);

    public static native int attn4j_kv_create(int device, @Cast("const int64_t*") long[] desc, int descCount,
            @Cast("int64_t*") long[] cache);

    public static native int attn4j_kv_destroy(long cache);

    public static native int attn4j_kv_reserve(long cache, int capacity, long stream);

    public static native int attn4j_kv_append(long cache, long stream, long k, long v, int t,
            @Cast("const int32_t*") int[] counts, @Cast("const int32_t*") int[] from, int batch);

    /** Copies out of a cache into a direct buffer, starting at its position (use {@link #readCache}). */
    private static native int attn4j_kv_read(long cache, int part, int sequence, int kvHead, int count,
            @Cast("int64_t") ByteBuffer dstHost, long hostCapacity, long stream);

    public static native int attn4j_kv_lengths(long cache, @Cast("int32_t*") int[] lengths, int batch);

    public static native int attn4j_decode(@Cast("const int64_t*") long[] args, int count,
            @Cast("const uint8_t*") byte[] blockCells, long blockCellCount);
}
