package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import org.attn4j.cuda.bridge.CudaBridge;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JNI library itself, wherever it loads (with or without a driver): error names and mapping, and the native
 * argument checks that run before any CUDA call.
 */
class NativeBridgeTest {

    @BeforeEach
    void libraryLoaded() {
        assumeTrue(CudaRuntime.isLibraryLoaded(), () -> "native library not loaded: "
                + CudaRuntime.availability().reason());
    }

    private static long[] goodForwardArgs() {
        long[] a = new long[NativeAbi.FWD_COUNT];
        a[NativeAbi.FWD_PLAN] = 987654321L;  // no such plan
        a[NativeAbi.FWD_Q] = 1L << 20;
        a[NativeAbi.FWD_K] = 2L << 20;
        a[NativeAbi.FWD_V] = 3L << 20;
        a[NativeAbi.FWD_O] = 4L << 20;
        a[NativeAbi.FWD_DTYPE] = NativeAbi.BF16;
        a[NativeAbi.FWD_OUT_DTYPE] = NativeAbi.FP32;
        a[NativeAbi.FWD_BATCH] = 1;
        a[NativeAbi.FWD_Q_HEADS] = 4;
        a[NativeAbi.FWD_KV_HEADS] = 2;
        a[NativeAbi.FWD_NQ] = 100;
        a[NativeAbi.FWD_NK] = 100;
        a[NativeAbi.FWD_HEAD_DIM] = 64;
        a[NativeAbi.FWD_VALUE_DIM] = 64;
        a[NativeAbi.FWD_SCALE_BITS] = Double.doubleToRawLongBits(0.125);
        return a;
    }

    private static void expectRefused(long[] args, int code, String fragment) {
        int rc = CudaBridge.attn4j_forward(args, args.length);
        assertEquals(code, rc, "return code");
        String message = CudaBridge.attn4j_last_error_message();
        assertTrue(message.contains(fragment), "expected '" + fragment + "' in: " + message);
    }

    @Test
    void namesCudaErrorsAsCudaDoes() {
        assertEquals(NativeAbi.ABI_VERSION, CudaBridge.attn4j_abi_version());
        assertEquals("cudaErrorMemoryAllocation", CudaBridge.attn4j_error_name(2));
        assertEquals("cudaErrorInsufficientDriver", CudaBridge.attn4j_error_name(35));
        assertEquals("cudaErrorIllegalAddress", CudaBridge.attn4j_error_name(700));
        assertEquals("attn4jErrorInvalidArgument", CudaBridge.attn4j_error_name(NativeAbi.ERR_INVALID_ARGUMENT));
        assertEquals(1, CudaBridge.attn4j_error_is_recoverable(2));
        assertEquals(1, CudaBridge.attn4j_error_is_recoverable(1));
        assertEquals(0, CudaBridge.attn4j_error_is_recoverable(700));
    }

    @Test
    void errorCodesBecomeNamedExceptions() {
        RuntimeException oom = CudaErrors.failure(2, "test allocation");
        assertInstanceOf(CudaOutOfMemoryException.class, oom);
        assertTrue(((CudaException) oom).isRecoverable());
        assertTrue(oom.getMessage().startsWith("test allocation failed: cudaErrorMemoryAllocation"), oom.getMessage());
        CudaBridge.attn4j_forward(new long[3], 3);  // leaves a message on this thread
        RuntimeException bad = CudaErrors.failure(NativeAbi.ERR_INVALID_ARGUMENT, "attention forward");
        assertInstanceOf(IllegalArgumentException.class, bad);
        assertTrue(bad.getMessage().contains("attn4jErrorInvalidArgument"), bad.getMessage());
        assertTrue(bad.getMessage().contains("forward arguments: expected " + NativeAbi.FWD_COUNT), bad.getMessage());
    }

    @Test
    void nativeCodeChecksArgumentsBeforeAnyLaunch() {
        expectRefused(new long[5], NativeAbi.ERR_INVALID_ARGUMENT, "forward arguments: expected " + NativeAbi.FWD_COUNT);
        long[] a = goodForwardArgs();
        a[NativeAbi.FWD_Q] = 0;
        expectRefused(a, NativeAbi.ERR_INVALID_ARGUMENT, "q: expected a device pointer");
        a = goodForwardArgs();
        a[NativeAbi.FWD_V] = (3L << 20) + 2;
        expectRefused(a, NativeAbi.ERR_INVALID_ARGUMENT, "v: expected a 16-byte aligned address");
        a = goodForwardArgs();
        a[NativeAbi.FWD_DTYPE] = NativeAbi.FP32;
        expectRefused(a, NativeAbi.ERR_INVALID_ARGUMENT, "dtype");
        a = goodForwardArgs();
        a[NativeAbi.FWD_NK] = -5;
        expectRefused(a, NativeAbi.ERR_INVALID_ARGUMENT, "key length");
        a = goodForwardArgs();
        a[NativeAbi.FWD_SCALE_BITS] = Double.doubleToRawLongBits(Double.NaN);
        expectRefused(a, NativeAbi.ERR_INVALID_ARGUMENT, "scale: expected a finite number");
        a = goodForwardArgs();
        a[NativeAbi.FWD_HEAD_DIM] = 96;
        a[NativeAbi.FWD_VALUE_DIM] = 96;
        expectRefused(a, NativeAbi.ERR_UNSUPPORTED, "head dim: expected 64 or 128, got 96");
        expectRefused(goodForwardArgs(), NativeAbi.ERR_INVALID_ARGUMENT, "plan: unknown or destroyed handle 987654321");
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.attn4j_forward_check(goodForwardArgs(),
                NativeAbi.FWD_COUNT));
        long[] b = new long[NativeAbi.BWD_COUNT];
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.attn4j_backward(b, b.length));
        assertTrue(CudaBridge.attn4j_last_error_message().contains("plan"), CudaBridge.attn4j_last_error_message());
    }

    @Test
    void planDescriptorsAreCheckedBeforeTheDevice() {
        long[] d = new long[NativeAbi.PLAN_COUNT];
        d[NativeAbi.PLAN_NQ] = 10;
        d[NativeAbi.PLAN_NK] = 10;
        d[NativeAbi.PLAN_BATCH] = 1;
        d[NativeAbi.PLAN_Q_HEADS] = 1;
        d[NativeAbi.PLAN_KV_HEADS] = 1;
        d[NativeAbi.PLAN_BLOCK_BATCH] = 1;
        d[NativeAbi.PLAN_BLOCK_HEADS] = 1;
        d[NativeAbi.PLAN_BLOCK_BQ] = 1;
        d[NativeAbi.PLAN_BLOCK_BK] = 1;
        d[NativeAbi.PLAN_WINDOWED] = 1;
        d[NativeAbi.PLAN_WINDOW_LEFT] = -3;
        long[] out = new long[1];
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.attn4j_plan_create(0, d, d.length, null, 0, out));
        assertTrue(CudaBridge.attn4j_last_error_message().contains("window.left: expected 0.."),
                CudaBridge.attn4j_last_error_message());
        d[NativeAbi.PLAN_WINDOW_LEFT] = 3;
        d[NativeAbi.PLAN_HAS_BLOCK_MASK] = 1;
        d[NativeAbi.PLAN_BLOCK_QBLOCKS] = 2;
        d[NativeAbi.PLAN_BLOCK_KBLOCKS] = 2;
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.attn4j_plan_create(0, d, d.length, new byte[3], 3, out));
        assertTrue(CudaBridge.attn4j_last_error_message().contains("blockMask cells: expected 4 bytes"),
                CudaBridge.attn4j_last_error_message());
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.attn4j_plan_destroy(424242));
    }

    @Test
    void copiesRefuseWhatDoesNotFit() {
        ByteBuffer host = ByteBuffer.allocateDirect(64);
        // More bytes than the buffer holds: refused in Java, before native code could overrun it.
        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> CudaBridge.copyToDevice(0, 1L << 20, host, 65, 0));
        assertTrue(over.getMessage().startsWith("bytes: expected 0..64"), over.getMessage());
        host.position(60);
        assertThrows(IllegalArgumentException.class, () -> CudaBridge.copyToHost(0, host, 1L << 20, 8, 0));
        host.position(0);
        assertThrows(IllegalArgumentException.class, () -> CudaBridge.copyToDevice(0, 1L << 20,
                ByteBuffer.allocate(64), 64, 0));
        assertThrows(IllegalArgumentException.class, () -> CudaBridge.copyToHost(0, host.asReadOnlyBuffer(),
                1L << 20, 64, 0));
        // Device addresses that are not memory from attn4j_malloc: refused natively, before any CUDA call.
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.copyToDevice(0, 0, host, 64, 0));
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.copyToDevice(0, 1L << 20, host, 64, 0));
        assertTrue(CudaBridge.attn4j_last_error_message().contains("not inside one live allocation"),
                CudaBridge.attn4j_last_error_message());
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.attn4j_free(0, 1L << 20));
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.attn4j_malloc(0, -1, new long[1]));
        assertEquals(NativeAbi.ERR_INVALID_ARGUMENT, CudaBridge.attn4j_convert(0, 0, 0, 5, 0, 0, 10));
    }

    @Test
    void withoutADriverTheRuntimeSaysSo() {
        assumeTrue(CudaBridge.attn4j_driver_library_present() == 0, "a driver is installed here");
        int[] count = {-1};
        int rc = CudaBridge.attn4j_device_count(count);
        assertEquals(CudaErrors.INSUFFICIENT_DRIVER, rc);
        assertEquals("cudaErrorInsufficientDriver", CudaBridge.attn4j_error_name(rc));
        assertEquals(0, count[0]);
    }
}
