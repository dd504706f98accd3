package org.attn4j.cuda;

/**
 * A CUDA failure, named as CUDA names it ({@code cudaErrorMemoryAllocation}, {@code cudaErrorIllegalAddress}...).
 * After a recoverable error (out of memory, invalid value...) the provider stays usable; after any other the CUDA
 * context may be corrupt, and the provider reports itself unavailable until the JVM restarts.
 */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String errorName;
    private final boolean recoverable;

    public CudaException(int code, String errorName, String message, boolean recoverable) {
        super(message);
        this.code = code;
        this.errorName = errorName;
        this.recoverable = recoverable;
    }

    /** The cudaError_t value (or attn4j's own code, 10001 and up). */
    public int code() {
        return code;
    }

    /** The error's name, e.g. {@code cudaErrorMemoryAllocation}. */
    public String errorName() {
        return errorName;
    }

    /** True when the CUDA context is still usable after this error. */
    public boolean isRecoverable() {
        return recoverable;
    }
}
