package org.attn4j.cuda;

import org.attn4j.cuda.bridge.CudaBridge;

/**
 * Turns the native return codes into exceptions: attn4j's argument codes into IllegalArgumentException (Java
 * validates first, so these mean a request slipped past it), CUDA codes into {@link CudaException} named after the
 * CUDA error. A non-recoverable CUDA error marks the runtime unusable.
 */
final class CudaErrors {
    /** cudaErrorMemoryAllocation. */
    static final int OUT_OF_MEMORY = 2;
    /** cudaErrorInsufficientDriver: the driver is older than the CUDA runtime linked into the library. */
    static final int INSUFFICIENT_DRIVER = 35;
    /** cudaErrorNoDevice. */
    static final int NO_DEVICE = 100;

    private CudaErrors() {
    }

    /** Throws for a non-zero code; {@code what} says which call failed. */
    static void check(int code, String what) {
        if (code != NativeAbi.OK) {
            throw failure(code, what);
        }
    }

    static RuntimeException failure(int code, String what) {
        String name = CudaBridge.attn4j_error_name(code);
        String detail = CudaBridge.attn4j_last_error_message();
        String message = what + " failed: " + name + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
        if (code == NativeAbi.ERR_INVALID_ARGUMENT || code == NativeAbi.ERR_UNSUPPORTED) {
            return new IllegalArgumentException("provider 'cuda': " + message);
        }
        if (code == OUT_OF_MEMORY) {
            return new CudaOutOfMemoryException(code, name, message);
        }
        boolean recoverable = CudaBridge.attn4j_error_is_recoverable(code) != 0;
        if (!recoverable) {
            CudaRuntime.markBroken(name + " during " + what);
        }
        return new CudaException(code, name, message, recoverable);
    }
}
