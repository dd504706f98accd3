package org.attn4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Facts about the machine for {@code attn4j info} and the demo's header: Java, operating system, CPU. */
public final class SystemDescription {
    private SystemDescription() {
    }

    /** {@code 17.0.15 (Debian), OpenJDK 64-Bit Server VM 17.0.15+6-Debian-1deb12u1}. */
    public static String java() {
        return System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version");
    }

    public static String javaHome() {
        return System.getProperty("java.home");
    }

    /** {@code Linux 6.1.0-13-amd64 (amd64)}. */
    public static String os() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                + System.getProperty("os.arch") + ")";
    }

    /** The CPU model and the number of processors the JVM may use. */
    public static String cpu() {
        int n = Runtime.getRuntime().availableProcessors();
        return cpuModel() + "; " + n + " logical processor" + (n == 1 ? "" : "s") + " available to the JVM";
    }

    /** The largest heap the JVM will grow to. */
    public static String memory() {
        return String.format(Locale.ROOT, "max heap %.1f GiB", Runtime.getRuntime().maxMemory() / (double) (1L << 30));
    }

    /** The CPU's marketing name, from the operating system; "unknown" (with the architecture) when it will not say. */
    public static String cpuModel() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String model = null;
        if (os.contains("linux")) {
            model = linuxCpuModel();
        } else if (os.contains("mac")) {
            model = command("sysctl", "-n", "machdep.cpu.brand_string");
        } else if (os.contains("windows")) {
            model = System.getenv("PROCESSOR_IDENTIFIER");
        }
        return model != null && !model.isBlank() ? model.strip()
                : "unknown model (" + System.getProperty("os.arch") + ")";
    }

    private static String linuxCpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
            // x86 says "model name"; ARM kernels often only say "Hardware", "CPU implementer" or "Model".
            for (String key : new String[] {"model name", "Hardware", "Model", "cpu model", "cpu"}) {
                for (String line : lines) {
                    int colon = line.indexOf(':');
                    if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                        String value = line.substring(colon + 1).strip();
                        if (!value.isEmpty()) {
                            return value;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc (containers may hide it): fall through to "unknown".
        }
        return null;
    }

    private static String command(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? out.strip() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
