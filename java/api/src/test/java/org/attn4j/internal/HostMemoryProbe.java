package org.attn4j.internal;

import java.nio.ByteBuffer;
import org.attn4j.Tensor;

/**
 * Run in a child JVM by {@link NewJdkWarningsTest}: allocates, uses and closes tensors, and on the arena path checks
 * that a view of a large tensor kept past close is refused (the memory was freed). Prints what it saw; exits non-zero on a failure.
 */
public final class HostMemoryProbe {
    private HostMemoryProbe() {
    }

    public static void main(String[] args) {
        System.out.println("mechanism " + HostStorage.mechanism());
        ByteBuffer stale = null;
        for (int i = 0; i < 100; i++) {
            // Small and large tensors: on JDK 22+ only the large ones get an arena of their own.
            int size = i % 2 == 0 ? 4 : 8192;
            float[] values = new float[size];
            values[size - 1] = i;
            try (Tensor t = Tensor.of(values, size)) {
                if (t.get(size - 1) != i) {
                    System.out.println("read back " + t.get(size - 1) + ", wrote " + i);
                    System.exit(1);
                }
                stale = t.hostBuffer();
            }
        }
        System.out.println("closed 100 tensors");
        // Only on the arena path: with the cleaner, reading freed memory is undefined and may crash the JVM.
        if ("arena".equals(HostStorage.mechanism())) {
            try {
                stale.getFloat(0);
                System.out.println("a view of a closed tensor still reads");
                System.exit(1);
            } catch (IllegalStateException expected) {
                System.out.println("a view of a closed tensor is refused");
            }
        }
    }
}
