package org.attn4j.cuda;

/** One CUDA device as the runtime found it. */
public final class CudaDevice {
    private final int index;
    private final String name;
    private final int major;
    private final int minor;
    private final int multiprocessors;
    private final long totalMemory;
    private final long maxSharedMemoryPerBlock;

    CudaDevice(int index, String name, int major, int minor, int multiprocessors, long totalMemory,
               long maxSharedMemoryPerBlock) {
        this.index = index;
        this.name = name;
        this.major = major;
        this.minor = minor;
        this.multiprocessors = multiprocessors;
        this.totalMemory = totalMemory;
        this.maxSharedMemoryPerBlock = maxSharedMemoryPerBlock;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    /** Compute capability as {@code major.minor}, e.g. "9.0". */
    public String capability() {
        return major + "." + minor;
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    public long totalMemory() {
        return totalMemory;
    }

    public long maxSharedMemoryPerBlock() {
        return maxSharedMemoryPerBlock;
    }

    /** Whether attn4j's kernels run here (compute capability 8.0 or newer). */
    public boolean isSupported() {
        return major >= CudaRuntime.MIN_MAJOR;
    }

    @Override
    public String toString() {
        return "cuda:" + index + " " + name + " (compute capability " + capability() + ", " + multiprocessors
                + " SMs, " + (totalMemory >> 20) + " MiB)";
    }
}
