package org.attn4j.cpu.simd;

import java.util.Locale;

/**
 * Chooses the {@link TileKernels} once per JVM: the Vector API kernels when the incubating module
 * {@code jdk.incubator.vector} is resolved (the JVM was started with {@code --add-modules jdk.incubator.vector}),
 * else the plain-Java ones. {@link VectorTileKernels} is only loaded reflectively after that check, so without the
 * module no class of that API is ever linked.
 *
 * <p>System property {@value #PROPERTY}: {@code auto} (default), {@code vector} (fail if the module is missing) or
 * {@code scalar} (force the plain path, e.g. to test it).
 */
public final class SimdSupport {
    public static final String PROPERTY = "attn4j.cpu.simd";
    static final String MODULE = "jdk.incubator.vector";
    private static final String VECTOR_CLASS = "org.attn4j.cpu.simd.VectorTileKernels";

    private SimdSupport() {
    }

    /** Whether the Vector API module is resolved in this JVM's boot layer. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /**
     * The vector kernels if the module is present and not turned off, else {@code fallback}.
     *
     * @throws IllegalArgumentException when {@value #PROPERTY} has an unknown value, or is {@code vector} without
     *                                  the module
     */
    public static TileKernels choose(TileKernels fallback) {
        String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "scalar":
                return fallback;
            case "auto":
                return vectorModulePresent() ? loadVector(fallback) : fallback;
            case "vector":
                if (!vectorModulePresent()) {
                    throw new IllegalArgumentException(PROPERTY + "=vector but the JVM lacks " + MODULE
                            + ": start it with --add-modules " + MODULE);
                }
                return loadVector(null);
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, vector or scalar, not '" + mode + "'");
        }
    }

    private static TileKernels loadVector(TileKernels fallback) {
        try {
            return (TileKernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            if (fallback != null) {
                return fallback;
            }
            throw new IllegalStateException("cannot load the Vector API kernels", e);
        }
    }
}
