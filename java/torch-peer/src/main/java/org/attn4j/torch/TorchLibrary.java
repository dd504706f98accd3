package org.attn4j.torch;

import java.io.IOException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads PyTorch's native libraries (JavaCPP presets) once, on first use, and says why when they cannot load: the
 * platform has no natives in the presets, or a library fails to link. Nothing here throws.
 */
final class TorchLibrary {
    /** The presets this module is built against (pom.xml), for reports. */
    static final String PRESETS_VERSION = "2.10.0-1.5.13";

    private static volatile String failure;
    private static volatile boolean loaded;

    private TorchLibrary() {
    }

    /** Null when PyTorch is usable here, else the reason it is not. */
    static synchronized String problem() {
        if (!loaded && failure == null) {
            try {
                // Every native library extracted before the first is loaded: loading libtorch_cpu while its
                // neighbours are still in the jar (the first run with an empty JavaCPP cache) crashed the JVM in
                // dlopen (presets 2.10.0-1.5.13, Linux x86_64); with the folder extracted first it loads.
                for (String presets : new String[] {"openblas", "pytorch"}) {
                    Loader.cacheResources("/org/bytedeco/" + presets + "/" + Loader.getPlatform() + "/");
                }
                // Touching the class runs JavaCPP's loader; the thread count follows this JVM's processors, as the
                // cpu provider's does, so that both use the same cores.
                torch.set_num_threads(Runtime.getRuntime().availableProcessors());
                loaded = true;
            } catch (IOException e) {
                failure = "PyTorch's native libraries could not be extracted into JavaCPP's cache: " + e;
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
                failure = "PyTorch's native libraries did not load (JavaCPP presets for "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + e;
            }
        }
        return failure;
    }
}
