package org.attn4j.cuda;

/** cudaErrorMemoryAllocation: the device has no room for the request. Recoverable: free memory and try again. */
public final class CudaOutOfMemoryException extends CudaException {
    private static final long serialVersionUID = 1L;

    public CudaOutOfMemoryException(int code, String errorName, String message) {
        super(code, errorName, message, true);
    }
}
