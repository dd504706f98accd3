package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs are written all or none, and leave no temporary file behind either way. */
class AtomicOutputsTest {
    @TempDir
    Path dir;

    private static AtomicOutputs.Writer text(String s) {
        return file -> Files.writeString(file, s);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void everyFileAppearsTogether() throws IOException {
        Files.writeString(dir.resolve("o.npy"), "old O");
        try (AtomicOutputs out = new AtomicOutputs()) {
            out.stage("--out", dir.resolve("o.npy"), text("new O"));
            out.stage("--lse", dir.resolve("lse.npy"), text("new LSE"));
            assertEquals("old O", Files.readString(dir.resolve("o.npy")), "nothing moves before commit");
            out.commit();
        }
        assertEquals("new O", Files.readString(dir.resolve("o.npy")));
        assertEquals("new LSE", Files.readString(dir.resolve("lse.npy")));
        assertEquals(List.of("lse.npy", "o.npy"), files());
    }

    @Test
    void aFailureWhileWritingLeavesNoOutput() throws IOException {
        try (AtomicOutputs out = new AtomicOutputs()) {
            out.stage("--out", dir.resolve("o.npy"), text("new O"));
            CliException e = assertThrows(CliException.class,
                    () -> out.stage("--lse", dir.resolve("gone/lse.npy"), text("new LSE")));
            assertTrue(e.getMessage().startsWith("--lse " + dir.resolve("gone/lse.npy") + ": cannot write in folder"),
                    e.getMessage());
        }
        assertEquals(List.of(), files());
    }

    @Test
    void aWriterThatFailsLeavesNoOutput() throws IOException {
        try (AtomicOutputs out = new AtomicOutputs()) {
            out.stage("--out", dir.resolve("o.npy"), text("new O"));
            CliException e = assertThrows(CliException.class, () -> out.stage("--lse", dir.resolve("lse.npy"),
                    file -> {
                        throw new IOException("disk full");
                    }));
            assertEquals("--lse " + dir.resolve("lse.npy") + ": cannot write: disk full", e.getMessage());
        }
        assertEquals(List.of(), files());
    }

    @Test
    void aFailedMoveTakesBackTheOnesBeforeIt() throws IOException {
        Files.writeString(dir.resolve("o.npy"), "old O");
        Path blocked = Files.createDirectories(dir.resolve("lse.npy"));
        Files.writeString(blocked.resolve("keep"), "a non-empty folder where LSE should go");
        try (AtomicOutputs out = new AtomicOutputs()) {
            out.stage("--out", dir.resolve("o.npy"), text("new O"));
            out.stage("--lse", blocked, text("new LSE"));
            CliException e = assertThrows(CliException.class, out::commit);
            assertTrue(e.getMessage().startsWith("--lse " + blocked + ": cannot write: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; no output was written"), e.getMessage());
        }
        assertEquals("old O", Files.readString(dir.resolve("o.npy")), "the replaced file is restored");
        assertEquals(List.of("lse.npy/keep", "o.npy"), files());
        assertFalse(Files.exists(dir.resolve("o.npy.tmp")));
    }
}
