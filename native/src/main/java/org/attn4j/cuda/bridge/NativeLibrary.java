package org.attn4j.cuda.bridge;

import java.net.URL;
import java.util.Locale;

/**
 * Which build of the JNI library this JVM loads, and where it lives, without loading it (touching {@link CudaBridge}
 * loads it). Both builds ship in the {@code linux-x86_64} classifier jar of attn4j-native, next to
 * {@link CudaBridge}: {@code libjniCudaBridge.so} runs the kernels on an NVIDIA GPU; {@code libjniCudaBridgeEmu.so}
 * runs the same kernels and C ABI on attn4j's GPU emulator (on the CPU: for testing, slow), chosen with
 * {@code ATTN4J_CUDA_EMULATOR=1} or {@code -Dattn4j.cuda.emulator=true}.
 */
public final class NativeLibrary {
    /** The GPU library's file name inside the classifier jar, next to {@link CudaBridge}. */
    public static final String GPU_RESOURCE = "linux-x86_64/libjniCudaBridge.so";
    /** The emulator library's file name inside the classifier jar. */
    public static final String EMULATOR_RESOURCE = "linux-x86_64/libjniCudaBridgeEmu.so";
    /** System property that selects the emulator library (true/false; wins over the environment variable). */
    public static final String EMULATOR_PROPERTY = "attn4j.cuda.emulator";
    /** Environment variable that selects the emulator library (1 or true). */
    public static final String EMULATOR_ENVIRONMENT = "ATTN4J_CUDA_EMULATOR";

    private NativeLibrary() {
    }

    /** Whether this JVM asked for the emulated device. */
    public static boolean emulatorRequested() {
        String property = System.getProperty(EMULATOR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Boolean.parseBoolean(property.trim());
        }
        String env = System.getenv(EMULATOR_ENVIRONMENT);
        return env != null && (env.trim().equals("1") || env.trim().toLowerCase(Locale.ROOT).equals("true"));
    }

    /** The library resource this JVM loads, relative to {@link CudaBridge}. */
    public static String resource() {
        return emulatorRequested() ? EMULATOR_RESOURCE : GPU_RESOURCE;
    }

    /** Where the library this JVM loads is, or null. */
    public static URL url() {
        return find(CudaBridge.class, resource());
    }

    /**
     * A library resource next to {@code bridge}, or null. On the module path attn4j-native and its linux-x86_64 jar
     * are two modules and {@code Class.getResource} searches only the class's own: ask its class loader too, as
     * JavaCPP does.
     */
    public static URL find(Class<?> bridge, String resource) {
        URL url = bridge.getResource(resource);
        if (url != null) {
            return url;
        }
        ClassLoader loader = bridge.getClassLoader() != null ? bridge.getClassLoader()
                : ClassLoader.getSystemClassLoader();
        return loader.getResource(bridge.getPackageName().replace('.', '/') + "/" + resource);
    }
}
