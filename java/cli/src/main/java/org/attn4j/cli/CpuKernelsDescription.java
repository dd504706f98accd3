package org.attn4j.cli;

import org.attn4j.cpu.SelectedKernels;
import org.attn4j.cpu.simd.SimdSupport;

/** Which kernels the {@code cpu} provider runs in this JVM, and how to get the faster ones when it does not. */
final class CpuKernelsDescription {
    private CpuKernelsDescription() {
    }

    static String describe() {
        try {
            String name = SelectedKernels.get().name();
            if (name.startsWith("vector") || SimdSupport.vectorModulePresent()) {
                return name;
            }
            return name + "; for the Vector API kernels start Java with --add-modules jdk.incubator.vector"
                    + " (./attn4j does unless ATTN4J_VECTOR=off)";
        } catch (IllegalArgumentException e) {
            return "none: " + e.getMessage();
        }
    }
}
