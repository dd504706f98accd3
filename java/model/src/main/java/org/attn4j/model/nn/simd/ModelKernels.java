package org.attn4j.model.nn.simd;

import java.util.Locale;

/**
 * Chooses the model layer's kernels ({@link LinearKernels}, {@link GeluKernel}, {@link AttentionDropoutKernel},
 * {@link Bf16Kernel}) once per JVM: the Vector API ones when
 * the JVM resolves the incubating module {@code jdk.incubator.vector} (started with
 * {@code --add-modules jdk.incubator.vector}, as {@code ./attn4j} does), else the plain-Java ones. The vector classes
 * are loaded reflectively after that check, so without the module no class of that API is linked. Both give the
 * same bits: the choice changes the speed, not the results.
 *
 * <p>System property {@value #PROPERTY}: {@code auto} (default), {@code vector} (fail if the module is missing) or
 * {@code scalar} (the plain kernels, e.g. to test them).
 */
public final class ModelKernels {
    public static final String PROPERTY = "attn4j.model.simd";
    private static final String MODULE = "jdk.incubator.vector";
    private static volatile LinearKernels linear;
    private static volatile GeluKernel gelu;
    private static volatile AttentionDropoutKernel attentionDropout;
    private static volatile Bf16Kernel bf16;

    private ModelKernels() {
    }

    /**
     * The matrix products of this JVM.
     *
     * @throws IllegalArgumentException naming {@value #PROPERTY} when it has an unknown value, or is {@code vector}
     *                                  without the module
     */
    public static LinearKernels linear() {
        LinearKernels k = linear;
        if (k == null) {
            k = linear(System.getProperty(PROPERTY, "auto"));
            linear = k;
        }
        return k;
    }

    /** The GELU loops of this JVM (the same rule as {@link #linear()}). */
    public static GeluKernel gelu() {
        GeluKernel k = gelu;
        if (k == null) {
            k = gelu(System.getProperty(PROPERTY, "auto"));
            gelu = k;
        }
        return k;
    }

    /** The loops of dropout on the attention weights (the same rule as {@link #linear()}). */
    public static AttentionDropoutKernel attentionDropout() {
        AttentionDropoutKernel k = attentionDropout;
        if (k == null) {
            k = attentionDropout(System.getProperty(PROPERTY, "auto"));
            attentionDropout = k;
        }
        return k;
    }

    /** The rounding of arrays to bfloat16 (the same rule as {@link #linear()}). */
    public static Bf16Kernel bf16() {
        Bf16Kernel k = bf16;
        if (k == null) {
            k = bf16(System.getProperty(PROPERTY, "auto"));
            bf16 = k;
        }
        return k;
    }

    static LinearKernels linear(String setting) {
        return choose(setting, "org.attn4j.model.nn.simd.VectorLinearKernels", LinearKernels.class,
                new PlainLinearKernels());
    }

    static GeluKernel gelu(String setting) {
        return choose(setting, "org.attn4j.model.nn.simd.VectorGeluKernel", GeluKernel.class, new PlainGeluKernel());
    }

    static AttentionDropoutKernel attentionDropout(String setting) {
        return choose(setting, "org.attn4j.model.nn.simd.VectorAttentionDropoutKernel", AttentionDropoutKernel.class,
                new PlainAttentionDropoutKernel());
    }

    static Bf16Kernel bf16(String setting) {
        return choose(setting, "org.attn4j.model.nn.simd.VectorBf16Kernel", Bf16Kernel.class, new PlainBf16Kernel());
    }

    private static <T> T choose(String setting, String vectorClass, Class<T> type, T plain) {
        String mode = setting.trim().toLowerCase(Locale.ROOT);
        boolean present = ModuleLayer.boot().findModule(MODULE).isPresent();
        switch (mode) {
            case "scalar":
                return plain;
            case "auto":
                return present ? load(vectorClass, type, plain) : plain;
            case "vector":
                if (!present) {
                    throw new IllegalArgumentException(PROPERTY + "=vector but the JVM lacks " + MODULE
                            + ": start it with --add-modules " + MODULE);
                }
                return load(vectorClass, type, null);
            default:
                throw new IllegalArgumentException(PROPERTY + ": expected auto, vector or scalar, got '" + setting
                        + "'");
        }
    }

    /** The vector class, or {@code fallBack} when it cannot be loaded (an error when there is none). */
    private static <T> T load(String name, Class<T> type, T fallBack) {
        try {
            return type.cast(Class.forName(name).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            if (fallBack != null) {
                return fallBack;
            }
            throw new IllegalStateException("cannot load the model layer's Vector API kernels (" + name + ")", e);
        }
    }
}
