package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./attn4j} launcher on a clean copy of the repository (the files git knows, no build output): the first
 * call builds the jar with the Maven wrapper and runs {@code info}, from another folder; the next call does not
 * build again; a changed source makes it build again. Costs one full build and one rebuild of the CLI's modules.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the launcher is a bash script")
class LauncherScriptTest {
    private static final String SERVICES = "META-INF/services/org.attn4j.spi.AttentionProvider";

    @TempDir
    Path clone;

    @TempDir
    Path elsewhere;

    @Test
    void buildsOnFirstUseThenRunsFromAnyFolder() throws IOException, InterruptedException {
        copyRepository(repositoryRoot(), clone);
        Path jar = clone.resolve("java/cli/target/attn4j-cli.jar");
        assertFalse(Files.exists(jar), "the copy has no build output");

        Result first = launch(Map.of(), "info");
        assertEquals(0, first.code, first.toString());
        assertTrue(first.err.contains("attn4j: building"), first.toString());
        assertTrue(first.out.contains("Providers ("), first.toString());
        assertTrue(first.out.contains("reference  available"), first.toString());
        assertTrue(Files.isRegularFile(jar));
        assertJarListsEveryProvider(jar);

        Result second = launch(Map.of("JAVA_OPTS", "-Dattn4j.provider=reference -Xmx256m"), "info");
        assertEquals(0, second.code, second.toString());
        assertFalse(second.err.contains("building"), "up to date, no build: " + second);
        assertTrue(second.out.contains("Override: -Dattn4j.provider=reference"), second.toString());

        // Through a chain of links onto the launcher (an absolute one, then a relative one onto it), as from PATH.
        Path bin = Files.createDirectories(elsewhere.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("attn4j-absolute"), clone.resolve("attn4j"));
        Files.createSymbolicLink(bin.resolve("attn4j"), Path.of("attn4j-absolute"));
        Result linked = launchScript(bin.resolve("attn4j"), Map.of(), "--version");
        assertEquals(0, linked.code, linked.toString());
        assertFalse(linked.err.contains("building"), "the links lead to the built jar: " + linked);
        assertTrue(linked.out.startsWith("attn4j "), linked.toString());

        Result error = launch(Map.of(), "run", "--q", "absent.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy");
        assertEquals(1, error.code, error.toString());
        assertEquals("attn4j run: --q absent.npy: no such file", error.err.strip());

        // A source newer than the jar (the parent pom: the cheapest rebuild): the next call builds again.
        Path source = clone.resolve("pom.xml");
        Files.setLastModifiedTime(source, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
        Result third = launch(Map.of(), "--version");
        assertEquals(0, third.code, third.toString());
        assertTrue(third.err.contains("attn4j: building"), third.toString());
        assertTrue(third.out.startsWith("attn4j "), third.toString());
    }

    /** The fat jar's merged service file names every provider the CLI's dependencies register. */
    private static void assertJarListsEveryProvider(Path jar) throws IOException {
        Set<String> expected = new TreeSet<>();
        Enumeration<URL> lists = LauncherScriptTest.class.getClassLoader().getResources(SERVICES);
        for (URL url : Collections.list(lists)) {
            if (url.toString().contains("test-classes")) {
                continue; // this module's test fixtures are not part of the tool
            }
            try (InputStream in = url.openStream()) {
                expected.addAll(providerNames(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
        assertFalse(expected.isEmpty(), "no provider registered on the class path");
        try (JarFile j = new JarFile(jar.toFile())) {
            ZipEntry e = j.getEntry(SERVICES);
            assertTrue(e != null, "the jar has no " + SERVICES);
            Set<String> inJar = providerNames(new String(j.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(inJar.containsAll(expected), "jar lists " + inJar + ", expected " + expected);
        }
    }

    private static Set<String> providerNames(String serviceFile) {
        return serviceFile.lines().map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code bash <clone>/attn4j args} from another folder, with this JVM's Java as JAVA_HOME. */
    private Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return launchScript(clone.resolve("attn4j"), env, args);
    }

    /** Runs {@code bash script args} from another folder, as {@link #launch}. */
    private Result launchScript(Path script, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(elsewhere.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove(org.attn4j.ProviderRegistry.ENV);
        // The copy's build need not compile the CUDA kernels again: the outer build already checks them.
        pb.environment().put("ATTN4J_BUILD_OPTS", "-Dattn4j.natives.skip=true");
        pb.environment().putAll(env);
        Path out = elsewhere.resolve("stdout.txt");
        Path err = elsewhere.resolve("stderr.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("./attn4j " + String.join(" ", args) + " did not finish in 10 minutes: " + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The repository this module belongs to: set by the build, else the folder above with the launcher. */
    private static Path repositoryRoot() {
        String configured = System.getProperty("attn4j.repository.root");
        Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("attn4j")) && Files.isRegularFile(p.resolve("mvnw"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root with ./attn4j above " + start);
    }

    /** Copies what a clean clone holds: the files git tracks or would track, or the tree without build output. */
    private static void copyRepository(Path root, Path target) throws IOException, InterruptedException {
        List<String> files = gitFiles(root);
        if (files == null) {
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                        .filter(LauncherScriptTest::isSource).collect(Collectors.toList());
            }
        }
        for (String name : files) {
            Path from = root.resolve(name);
            if (!Files.isRegularFile(from)) {
                continue; // deleted in the work tree
            }
            Path to = target.resolve(name);
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    private static boolean isSource(String relative) {
        for (String part : relative.split(File.separator.equals("\\") ? "\\\\" : File.separator)) {
            if (part.equals("target") || part.equals(".git") || part.equals(".idea")) {
                return false;
            }
        }
        return true;
    }

    /** {@code git ls-files} (tracked and untracked, not ignored), or null without git. */
    private static List<String> gitFiles(Path root) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z", "--cached", "--others",
                    "--exclude-standard").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (String n : out.split("\0")) {
            if (!n.isEmpty() && !names.contains(n)) { // a file mid-merge is listed once per stage
                names.add(n);
            }
        }
        return names.isEmpty() ? null : names;
    }
}
