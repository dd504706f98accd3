package org.attn4j.bench.env;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.attn4j.bench.results.Environment;

/** Collects the facts a results file records: date, commit, JVM, OS, CPU and the device the providers report. */
public final class EnvironmentProbe {
    private EnvironmentProbe() {
    }

    /**
     * @param deviceFacts what the device providers reported ({@code device}, {@code driver}, {@code cuda}, ...); the
     *                    first with a device name wins; empty for CPU-only runs
     * @param providers   one line per provider found
     */
    public static Environment collect(List<Map<String, String>> deviceFacts, List<String> providers) {
        String cpu = cpuModel();
        String device = "cpu: " + cpu;
        String driver = null;
        String cuda = null;
        for (Map<String, String> f : deviceFacts) {
            if (f.containsKey("device")) {
                device = f.get("device");
                driver = f.get("driver");
                cuda = f.get("cuda");
                break;
            }
        }
        return new Environment(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), commit(), device, driver,
                cuda, System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                cpu, Runtime.getRuntime().availableProcessors(), Map.of(), providers);
    }

    /** The CPU's model name (Linux: /proc/cpuinfo), else the architecture. */
    public static String cpuModel() {
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            try {
                for (String line : Files.readAllLines(info)) {
                    if (line.startsWith("model name") && line.contains(":")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the architecture
            }
        }
        String id = System.getenv("PROCESSOR_IDENTIFIER");
        return id != null ? id : System.getProperty("os.arch");
    }

    /** Environment variable that names the commit where there is no git clone (the GPU bundle). */
    public static final String COMMIT_ENV = "ATTN4J_COMMIT";

    /**
     * {@value #COMMIT_ENV} when set, else {@code git rev-parse HEAD} of the working directory ({@code -dirty} with
     * tracked changes), else {@code unknown}.
     */
    public static String commit() {
        String given = System.getenv(COMMIT_ENV);
        if (given != null && !given.isBlank()) {
            return given.trim();
        }
        String head = git("rev-parse", "HEAD");
        if (head == null || head.isEmpty()) {
            return "unknown";
        }
        String status = git("status", "--porcelain", "--untracked-files=no");
        return status != null && !status.isEmpty() ? head + "-dirty" : head;
    }

    private static String git(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
