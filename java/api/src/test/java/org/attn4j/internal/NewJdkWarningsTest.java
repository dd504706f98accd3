package org.attn4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing tensors on JDK 25 must print nothing: {@code sun.misc.Unsafe::invokeCleaner} is deprecated for removal and
 * warns on first use there. Runs {@link HostMemoryProbe} in a child JVM of the JDK named by {@code -Dattn4j.jdk25.home}
 * (default: Temurin 25's usual place); skipped with the reason where it is absent.
 */
class NewJdkWarningsTest {
    static final String JDK_PROPERTY = "attn4j.jdk25.home";
    static final String DEFAULT_JDK = "/usr/lib/jvm/temurin-25-jdk-amd64";

    @Test
    void closingTensorsOnJdk25WarnsAboutNothingAndFreesTheMemory(@TempDir Path dir)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty(JDK_PROPERTY, DEFAULT_JDK), "bin", "java");
        assumeTrue(Files.isExecutable(java), "no JDK 25 at " + java + " (set -D" + JDK_PROPERTY + ")");
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                HostMemoryProbe.class.getName())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish in 60 s");
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "exit status; stdout:\n" + stdout + "\nstderr:\n" + stderr);
        assertEquals(List.of("mechanism arena", "closed 100 tensors", "a view of a closed tensor is refused"),
                stdout.lines().toList(), "stderr:\n" + stderr);
        assertFalse(stderr.contains("WARNING"), "JDK 25 printed a warning:\n" + stderr);
    }
}
