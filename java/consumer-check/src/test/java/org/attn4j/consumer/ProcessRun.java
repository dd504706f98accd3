package org.attn4j.consumer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A finished child process: its exit status and what it printed. */
record ProcessRun(List<String> command, int exitCode, String stdout, String stderr) {

    /** Runs {@code command} in {@code dir}, output captured in files there; fails on a time-out. */
    static ProcessRun run(Path dir, List<String> command, Map<String, String> environment, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout-", ".txt");
        Path err = Files.createTempFile(dir, "stderr-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(environment);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                    + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
        }
        return new ProcessRun(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** This run, for failure messages. */
    String describe() {
        return String.join(" ", command) + "\nexit " + exitCode + "\nstdout:\n" + tail(stdout) + "\nstderr:\n"
                + tail(stderr);
    }

    ProcessRun requireSuccess() {
        if (exitCode != 0) {
            throw new AssertionError("failed: " + describe());
        }
        return this;
    }

    private static String tail(String s) {
        return s.length() <= 6000 ? s : "..." + s.substring(s.length() - 6000);
    }
}
