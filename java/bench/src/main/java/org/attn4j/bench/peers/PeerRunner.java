package org.attn4j.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.attn4j.bench.results.BenchDocument;
import org.attn4j.bench.results.JsonCodec;
import org.attn4j.bench.results.PeerStatus;

/**
 * Runs a peer script as a subprocess on a plan and reads back its results document. The script's stderr (its
 * progress) goes to ours; a script that cannot run here (no numpy, no torch, no GPU) exits with status
 * {@value #EXIT_UNAVAILABLE} after writing a document whose peer status says why.
 */
public final class PeerRunner {
    /** Exit status of a peer script whose dependencies are missing on this machine. */
    public static final int EXIT_UNAVAILABLE = 3;
    /** The peers that are scripts; any other peer name is a provider plugin measured in the JVM. */
    public static final List<String> SCRIPT_PEERS = List.of("numpy", "torch");

    private final String python;
    private final Path scripts;
    private final double timeoutSeconds;

    public PeerRunner(String python, Path scripts, double timeoutSeconds) {
        this.python = python;
        this.scripts = scripts;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The command lines for peer {@code name}: numpy runs the CPU scale; torch runs the GPU and then the CPU. */
    public List<List<String>> commands(String name, Path plan, Path outDir) {
        List<List<String>> out = new ArrayList<>();
        switch (name.toLowerCase(Locale.ROOT)) {
            case "numpy":
                out.add(List.of(python, scripts.resolve("numpy_peer.py").toString(), "--plan", plan.toString(),
                        "--scale", "cpu", "--out", outDir.resolve("numpy.json").toString()));
                break;
            case "torch":
                out.add(List.of(python, scripts.resolve("torch_peer.py").toString(), "--plan", plan.toString(),
                        "--device", "cuda", "--out", outDir.resolve("torch-cuda.json").toString()));
                out.add(List.of(python, scripts.resolve("torch_peer.py").toString(), "--plan", plan.toString(),
                        "--device", "cpu", "--out", outDir.resolve("torch-cpu.json").toString()));
                break;
            default:
                throw new IllegalArgumentException("peers: unknown peer '" + name + "'; expected numpy or torch");
        }
        return out;
    }

    /** Runs one command; returns its document, or a document holding only the peer status when it did not run. */
    public BenchDocument run(String name, List<String> command) {
        Path out = Path.of(command.get(command.size() - 1));
        try {
            Files.deleteIfExists(out);
            Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor((long) (timeoutSeconds * 1000), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return statusOnly(name, "failed", "timed out after " + timeoutSeconds + " s");
            }
            int code = p.exitValue();
            if (Files.isRegularFile(out)) {
                BenchDocument doc = JsonCodec.read(out);
                if (code != 0 && code != EXIT_UNAVAILABLE && doc.peers().isEmpty()) {
                    return doc.withPeers(List.of(new PeerStatus(name, "failed", "exit status " + code)));
                }
                return doc;
            }
            return statusOnly(name, "failed", "exit status " + code + ", no results written (" + out + ")");
        } catch (IOException e) {
            return statusOnly(name, "skipped", "cannot start '" + python + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return statusOnly(name, "failed", "interrupted");
        } catch (RuntimeException e) {
            return statusOnly(name, "failed", e.toString());
        }
    }

    static BenchDocument statusOnly(String name, String status, String note) {
        return new BenchDocument(BenchDocument.SCHEMA, name, null, null, List.of(new PeerStatus(name, status, note)),
                List.of());
    }
}
