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
     * The vector kernels if the module is present and not turned off, else {@code plain}.
     *
     * @param plain the plain-Java kernels (the vector kernels use them for tails)
     * @throws IllegalArgumentException when {@value #PROPERTY} has an unknown value, or is {@code vector} without
     *                                  the module
     */
    public static TileKernels choose(TileKernels plain) {
        switch (mode()) {
            case "scalar":
                return plain;
            case "auto":
                return vectorModulePresent() ? loadVector(plain, true) : plain;
            default: // vector
                if (!vectorModulePresent()) {
                    throw new IllegalArgumentException(PROPERTY + "=vector but the JVM lacks " + MODULE
                            + ": start it with --add-modules " + MODULE);
                }
                return loadVector(plain, false);
        }
    }

    /**
     * Whether the vector kernels are to be used from the first call ({@code vector}) rather than once they are
     * compiled ({@code auto}, see {@link VectorWarmUp}).
     */
    public static boolean immediate() {
        return mode().equals("vector");
    }

    private static String mode() {
        String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("vector") && !mode.equals("scalar")) {
            throw new IllegalArgumentException(PROPERTY + " must be auto, vector or scalar, not '" + mode + "'");
        }
        return mode;
    }

    private static TileKernels loadVector(TileKernels plain, boolean fallBack) {
        try {
            TileKernels vector = (TileKernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor(TileKernels.class)
                    .newInstance(plain);
            if (!VectorTileKernels.supported() && fallBack) {
                return plain;
            }
            return vector;
        } catch (ReflectiveOperationException | LinkageError e) {
            if (fallBack) {
                return plain;
            }
            throw new IllegalStateException("cannot load the Vector API kernels", e);
        }
    }
}
