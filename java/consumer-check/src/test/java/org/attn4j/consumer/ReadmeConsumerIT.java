package org.attn4j.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a new user does, checked on every build: paste the README's dependency block into a fresh Maven project, build
 * it against the artifacts this build installed, and run the README's example, on the class path (with the full and
 * the CPU-only block), on the module path, and on JDK 25 where it is installed. The blocks are read from README.md,
 * so the README cannot drift from what works.
 */
class ReadmeConsumerIT {
    static final String JDK25_PROPERTY = "attn4j.jdk25.home";
    static final String JDK25_DEFAULT = "/usr/lib/jvm/temurin-25-jdk-amd64";
    /** The README's example is a complete class in the default package. */
    static final String EXAMPLE_CLASS = "Example";

    /** A program that prints why the cuda provider is unavailable. */
    static final String CUDA_REASON = """
            public class CudaReason {
                public static void main(String[] args) {
                    org.attn4j.Attention.diagnostics().stream().filter(p -> p.name().equals("cuda"))
                            .forEach(p -> System.out.println(p.reason()));
                }
            }
            """;

    /** Load the GPU library as beside a GPU (this machine has none). */
    private static final String LOAD_WITHOUT_DEVICE = "-Dattn4j.cuda.loadWithoutDevice=true";

    private static ReadmeBlocks readme;
    private static Path work;
    /** The README's block with its example; the CPU-only block with the SLF4J binding; the full block, modular. */
    private static ConsumerProject.Built full;
    private static ConsumerProject.Built cpuOnly;
    private static ConsumerProject.Built modular;

    @BeforeAll
    static void buildTheReadmeConsumers() throws IOException, InterruptedException {
        readme = ReadmeBlocks.read(Path.of(ConsumerMaven.required("attn4j.repository.root"), "README.md"));
        work = Path.of(ConsumerMaven.required("attn4j.consumer.work"));
        deleteRecursively(work); // nothing left from an earlier run
        Map<String, String> example = Map.of(EXAMPLE_CLASS + ".java", readme.get("example"));
        ConsumerProject fullProject = ConsumerProject.create(work.resolve("readme-dependency"), "readme-dependency",
                readme.get("dependency"), Map.of(EXAMPLE_CLASS + ".java", readme.get("example"),
                        "CudaReason.java", CUDA_REASON));
        ConsumerProject cpuProject = ConsumerProject.create(work.resolve("readme-cpu-only"), "readme-cpu-only",
                readme.get("dependency-cpu") + readme.get("slf4j-binding"), example);
        // A named module cannot hold the default package: the README's class moves into one, unchanged otherwise.
        ConsumerProject modularProject = ConsumerProject.create(work.resolve("readme-module-path"),
                "readme-module-path", readme.get("dependency"), Map.of(
                        "module-info.java", """
                                module org.attn4j.readme.example {
                                    requires org.attn4j.api;
                                }
                                """,
                        "example/" + EXAMPLE_CLASS + ".java", "package example;\n" + readme.get("example"),
                        "example/CudaReason.java", "package example;\n" + CUDA_REASON,
                        "example/Providers.java", """
                                package example;

                                /** Prints every provider ServiceLoader found, one name a line. */
                                public class Providers {
                                    public static void main(String[] args) {
                                        org.attn4j.Attention.diagnostics().forEach(p -> System.out.println(p.name()));
                                    }
                                }
                                """));
        ConsumerProject.buildAll(work, List.of(fullProject, cpuProject, modularProject), ConsumerMaven.fromBuild());
        full = fullProject.built();
        cpuOnly = cpuProject.built();
        modular = modularProject.built();
    }

    @Test
    void theReadmeBlockBringsTheApiEveryDefaultProviderAndTheGpuBridge() {
        assertEquals(List.of("attn4j", "attn4j-api", "attn4j-cpu", "attn4j-cuda", "attn4j-native", "attn4j-reference",
                "javacpp", "slf4j-api"), full.artifactIds(), full.dependencyTree());
    }

    @Test
    void theReadmeExampleRunsOnTheClassPathAndSlf4jSaysOnlyWhatTheReadmeShows()
            throws IOException, InterruptedException {
        ProcessRun run = java(javaOf(System.getProperty("java.home")), "-cp", full.path(), EXAMPLE_CLASS);
        run.requireSuccess();
        assertTrue(run.stdout().contains("cpu"), "the example names the provider that ran: " + run.describe());
        assertEquals(readme.get("slf4j-warning"), run.stderr(), "stderr, beside the README's SLF4J note");
    }

    @Test
    void theCpuOnlyBlockNeedsNoNativeCodeAndWithABindingRunsSilently() throws IOException, InterruptedException {
        assertEquals(List.of("attn4j-api", "attn4j-cpu", "attn4j-reference", "slf4j-api", "slf4j-nop"),
                cpuOnly.artifactIds(), cpuOnly.dependencyTree());
        assertFalse(cpuOnly.dependencyTree().contains("javacpp") || cpuOnly.dependencyTree().contains("attn4j-native"),
                cpuOnly.dependencyTree());
        ProcessRun run = java(javaOf(System.getProperty("java.home")), "-cp", cpuOnly.path(), EXAMPLE_CLASS)
                .requireSuccess();
        assertTrue(run.stdout().contains("cpu"), run.describe());
        assertEquals("", run.stderr(), "with the README's binding SLF4J prints nothing");
    }

    @Test
    void theExampleRunsOnTheModulePathAndFindsEveryProvider() throws IOException, InterruptedException {
        String java = javaOf(System.getProperty("java.home"));
        ProcessRun run = java(java, "--module-path", modular.path(), "--module",
                "org.attn4j.readme.example/example." + EXAMPLE_CLASS).requireSuccess();
        assertTrue(run.stdout().contains("cpu"), run.describe());
        ProcessRun found = java(java, "--module-path", modular.path(), "--module",
                "org.attn4j.readme.example/example.Providers").requireSuccess();
        assertEquals(List.of("cpu", "cuda", "reference"), found.stdout().lines().sorted().toList(), found.describe());
    }

    @Test
    void onJdk25TheExamplePrintsNoWarning() throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty(JDK25_PROPERTY, JDK25_DEFAULT));
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no JDK 25 at " + home + " (set -D"
                + JDK25_PROPERTY + ")");
        ProcessRun run = java(javaOf(home.toString()), "-cp", full.path(), EXAMPLE_CLASS).requireSuccess();
        assertTrue(run.stdout().contains("cpu"), run.describe());
        assertEquals(readme.get("slf4j-warning"), run.stderr(), "JDK 25 added output: " + run.describe());
    }

    /**
     * The README's flag for GPU users: JavaCPP's {@code System.load} of the JNI library is a restricted method on
     * JDK 24+. No JNI library can be built here without nvcc, so a stand-in file takes its place in a jar laid out
     * as the linux-x86_64 one: loading it fails, but only after the call the flag is about. This machine has no GPU,
     * so {@code attn4j.cuda.loadWithoutDevice} makes the probe load the library as it would beside a GPU.
     */
    @Test
    void onJdk25TheReadmeNativeAccessFlagSilencesTheGpuLibraryLoad() throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty(JDK25_PROPERTY, JDK25_DEFAULT));
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no JDK 25 at " + home + " (set -D"
                + JDK25_PROPERTY + ")");
        Path standIn = standInLibraryJar();
        String path = full.path() + java.io.File.pathSeparator + standIn;
        String cache = "-Dorg.bytedeco.javacpp.cachedir=" + work.resolve("stand-in/javacpp-cache");
        ProcessRun plain = java(javaOf(home.toString()), LOAD_WITHOUT_DEVICE, cache, "-cp", path, "CudaReason")
                .requireSuccess();
        assertTrue(plain.stdout().startsWith("the native library failed to load"), plain.describe());
        assertTrue(jdkWarnings(plain).contains("WARNING: A restricted method in java.lang.System has been called"),
                "without the flag JDK 25 warns: " + plain.describe());
        ProcessRun flagged = java(javaOf(home.toString()), "--enable-native-access=ALL-UNNAMED", LOAD_WITHOUT_DEVICE,
                cache, "-cp", path, "CudaReason").requireSuccess();
        assertTrue(flagged.stdout().startsWith("the native library failed to load"), flagged.describe());
        assertEquals(List.of(), jdkWarnings(flagged), flagged.describe());
    }

    /**
     * The same on the module path, with the README's two options there: JavaCPP (an explicit module nothing requires)
     * must be added to the module graph, and native access is granted to it, the module that calls
     * {@code System.load}.
     */
    @Test
    void onJdk25TheGpuLibraryIsFoundAndLoadsQuietlyOnTheModulePath() throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty(JDK25_PROPERTY, JDK25_DEFAULT));
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no JDK 25 at " + home + " (set -D"
                + JDK25_PROPERTY + ")");
        String path = modular.path() + java.io.File.pathSeparator + standInLibraryJar();
        String cache = "-Dorg.bytedeco.javacpp.cachedir=" + work.resolve("stand-in/javacpp-cache-modules");
        ProcessRun run = java(javaOf(home.toString()), "--add-modules", "org.bytedeco.javacpp",
                "--enable-native-access=org.bytedeco.javacpp", LOAD_WITHOUT_DEVICE, cache, "--module-path", path,
                "--module",
                "org.attn4j.readme.example/example.CudaReason").requireSuccess();
        assertTrue(run.stdout().startsWith("the native library failed to load: java.lang.UnsatisfiedLinkError"),
                "found and tried to load (not 'no native library', not a missing JavaCPP): " + run.describe());
        assertEquals(List.of(), jdkWarnings(run), run.describe());
    }

    /** A jar laid out as attn4j-native's linux-x86_64 jar, with a stand-in file where the JNI library would be. */
    private static Path standInLibraryJar() throws IOException {
        Path standIn = work.resolve("stand-in/attn4j-native-0.1.0-SNAPSHOT-linux-x86_64.jar");
        if (Files.exists(standIn)) {
            return standIn;
        }
        Files.createDirectories(standIn.getParent());
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Automatic-Module-Name", "org.attn4j.cuda.bridge.linux.x86_64");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(standIn), m)) {
            jar.putNextEntry(new JarEntry("org/attn4j/cuda/bridge/linux-x86_64/libjniCudaBridge.so"));
            jar.write("a stand-in, not a library".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return standIn;
    }

    /** The JDK's own warning lines (the JVM's "OpenJDK ... VM warning" about the stand-in file is not one). */
    private static List<String> jdkWarnings(ProcessRun run) {
        return run.stderr().lines().filter(l -> l.startsWith("WARNING:")).toList();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static String javaOf(String javaHome) {
        return Path.of(javaHome, "bin", "java").toString();
    }

    static ProcessRun java(String java, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(List.of(args));
        return ProcessRun.run(work, command, Map.of(), 120);
    }
}
