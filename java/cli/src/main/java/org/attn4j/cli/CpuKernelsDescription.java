package org.attn4j.cli;

import org.attn4j.cpu.simd.SimdSupport;

/** Which kernels the {@code cpu} provider runs in this JVM, and how to get the faster ones when it does not. */
final class CpuKernelsDescription {
    private CpuKernelsDescription() {
    }

    static String describe() {
        String mode = System.getProperty(SimdSupport.PROPERTY, "auto").trim();
        if (mode.equals("scalar")) {
            return "plain Java (" + SimdSupport.PROPERTY + "=scalar)";
        }
        if (SimdSupport.vectorModulePresent()) {
            return "Vector API (jdk.incubator.vector), once compiled; plain Java until then (same results)";
        }
        return "plain Java; for the Vector API kernels start Java with --add-modules jdk.incubator.vector"
                + " (./attn4j does, but for run, unless ATTN4J_VECTOR=off)";
    }
}
