package org.attn4j.cuda.bridge;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JNI binding of attn4j's CUDA engine: one static native method per function of the C ABI in
 * {@code cuda/include/attn4j_cuda.h} (see there for the meaning of every argument and return code). Each call crosses
 * JNI once; arrays carry the argument vectors and the outputs, direct buffers carry host memory.
 *
 * <p>Loading this class loads the native library ({@code libjniCudaBridge.so}, shipped in the {@code linux-x86_64}
 * classifier jar of attn4j-native), so touch it only after checking that the library is present; the cuda provider
 * does that lazily and turns every failure into an availability reason. The library links the CUDA runtime
 * statically: at run time it needs only the NVIDIA driver, and it loads (reporting no driver) without one.
 */
@Platform(value = "linux-x86_64", include = "attn4j_cuda.h")
public final class CudaBridge {
    /** The native library's file name inside the classifier jar, next to this class. */
    public static final String LIBRARY_RESOURCE = "linux-x86_64/libjniCudaBridge.so";

    static {
        Loader.load();
    }

    private CudaBridge() {
    }

    public static native int attn4j_abi_version();

    public static native @Cast("const char*") String attn4j_error_name(int code);

    public static native @Cast("const char*") String attn4j_error_string(int code);

    public static native @Cast("const char*") String attn4j_last_error_message();

    public static native int attn4j_error_is_recoverable(int code);

    public static native int attn4j_driver_library_present();

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

    /** Host to device from a direct buffer, starting at its position. */
    public static native int attn4j_memcpy_h2d(int device, long dst, @Cast("int64_t") ByteBuffer srcHost, long bytes,
            long stream);

    /** Device to host into a direct buffer, starting at its position. */
    public static native int attn4j_memcpy_d2h(int device, @Cast("int64_t") ByteBuffer dstHost, long src, long bytes,
            long stream);

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
}
