package org.attn4j.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every attn4j jar a user can get (those installed for the consumers, which is every published module) has a module
 * name of its own, explicit rather than derived from the file name, and all of them fit on one module path: no two
 * share a package. (attn4j-jmh is not published: its benchmarks sit in the cpu provider's package on purpose.)
 */
class ModuleNamesIT {

    @Test
    void everyJarIsANamedModuleAndNoPackageIsInTwo() throws IOException {
        Path ours = Path.of(ConsumerMaven.required("attn4j.consumer.repository"), "org", "attn4j");
        List<Path> jars;
        try (Stream<Path> files = Files.walk(ours)) {
            // Test jars (attn4j-cuda's, for the GPU bundle) hold the packages of their main jar by nature.
            jars = files.filter(f -> f.toString().endsWith(".jar") && !f.toString().endsWith("-tests.jar"))
                    .sorted().toList();
        }
        assertTrue(jars.size() >= 10, "expected every published module's jar under " + ours + ", found " + jars);
        TreeMap<String, Path> byName = new TreeMap<>();
        Map<String, String> packageOwner = new HashMap<>();
        for (Path jar : jars) {
            Set<ModuleReference> found = ModuleFinder.of(jar).findAll();
            assertEquals(1, found.size(), jar.toString());
            String name = found.iterator().next().descriptor().name();
            assertTrue(name.startsWith("org.attn4j."), jar + ": module " + name);
            assertTrue(declaresItsName(jar), jar + ": no module-info and no Automatic-Module-Name (the name "
                    + name + " was derived from the file name)");
            Path before = byName.put(name, jar);
            assertEquals(null, before, "two jars are module " + name + ": " + before + " and " + jar);
            // A package in two modules (a split package) makes the module path refuse to start.
            for (String p : found.iterator().next().descriptor().packages()) {
                String other = packageOwner.put(p, name);
                assertEquals(null, other, "package " + p + " is in " + other + " and in " + name);
            }
        }
        assertFalse(byName.isEmpty());
    }

    private static boolean declaresItsName(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            if (f.getEntry("module-info.class") != null) {
                return true;
            }
            assertNotNull(f.getManifest(), jar + ": no manifest");
            return f.getManifest().getMainAttributes().getValue("Automatic-Module-Name") != null;
        }
    }
}
