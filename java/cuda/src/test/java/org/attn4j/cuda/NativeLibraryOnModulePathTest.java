package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.attn4j.cuda.bridge.CudaBridge;
import org.attn4j.cuda.bridge.NativeLibrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the module path attn4j-native and its linux-x86_64 jar are two modules; the provider must still find the JNI
 * library. Both jars are rebuilt here (the bridge class, and a stand-in file for the library) and loaded as modules
 * of a layer, as the module path would.
 */
class NativeLibraryOnModulePathTest {
    private static final String BRIDGE_MODULE = "org.attn4j.cuda.bridge";
    private static final String LIBRARY_MODULE = "org.attn4j.cuda.bridge.linux.x86_64";

    @Test
    void theLibraryInItsOwnModuleIsFound(@TempDir Path dir) throws Exception {
        Class<?> bridge = bridgeInLayer(dir, true);
        assertTrue(bridge.getModule().isNamed());
        assertNull(bridge.getResource(NativeLibrary.resource()), "Class.getResource looks in its own module only");
        assertTrue(CudaRuntime.libraryPresent(bridge));
    }

    @Test
    void withoutTheLibraryJarNothingIsFound(@TempDir Path dir) throws Exception {
        assertFalse(CudaRuntime.libraryPresent(bridgeInLayer(dir, false)));
    }

    private static Class<?> bridgeInLayer(Path dir, boolean withLibrary) throws IOException, ClassNotFoundException {
        String classFile = CudaBridge.class.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = CudaBridge.class.getClassLoader().getResourceAsStream(classFile)) {
            bytes = in.readAllBytes();
        }
        List<Path> jars = new ArrayList<>();
        jars.add(jar(dir.resolve("bridge.jar"), BRIDGE_MODULE, classFile, bytes));
        Set<String> roots = Set.of(BRIDGE_MODULE);
        if (withLibrary) {
            String library = CudaBridge.class.getPackageName().replace('.', '/') + "/" + NativeLibrary.resource();
            jars.add(jar(dir.resolve("library.jar"), LIBRARY_MODULE, library, new byte[] {'x'}));
            roots = Set.of(BRIDGE_MODULE, LIBRARY_MODULE);
        }
        Configuration c = ModuleLayer.boot().configuration().resolve(ModuleFinder.of(jars.toArray(Path[]::new)),
                ModuleFinder.of(), roots);
        // Parent: the platform loader, so the test class path (which may hold the real library) is not seen.
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(c, ClassLoader.getPlatformClassLoader());
        // Loaded, not initialised: initialising would load the library.
        return Class.forName(CudaBridge.class.getName(), false, layer.findLoader(BRIDGE_MODULE));
    }

    private static Path jar(Path file, String moduleName, String entry, byte[] content) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Automatic-Module-Name", moduleName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), m)) {
            out.putNextEntry(new JarEntry(entry));
            out.write(content);
            out.closeEntry();
        }
        return file;
    }
}
